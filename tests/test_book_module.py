"""Publishing (tutorial_utils.book): a chapter's setup cell, glue for other pages, and tables that read: padded
cells, numeric columns right-aligned, an optional caption, results over seeds as "mean [min–max]"."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from tutorial_utils import book


class Cells(HTMLParser):
    """The rows of an HTML table as (tag, text, style) triples, and its caption."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str, str]]] = []
        self.caption = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = [tag, "", dict(attrs).get("style", "")]
        elif tag == "caption":
            self.caption = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data
        elif self.caption is not None and not self.rows:
            self.caption += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(tuple(self._cell))
            self._cell = None


def parse(table) -> Cells:
    cells = Cells()
    cells.feed(table._repr_html_())
    return cells


def style(cell, prop: str) -> str:
    found = re.search(rf"(?:^|;)\s*{prop}:\s*([^;]+)", cell[2])
    return found.group(1).strip() if found else ""


def test_table_pads_its_cells_and_right_aligns_numeric_columns():
    rows = [["+ box of width 2", "[4, 4, 5, 5]", "1.25", 3], ["two k3,s2 layers", "[3, 2, 3, 1]", "3.00", 12]]
    cells = parse(book.table(["final layer", "one period", "max/min", "n"], rows))
    assert [c[1] for c in cells.rows[1]] == ["+ box of width 2", "[4, 4, 5, 5]", "1.25", "3"]
    for row in cells.rows:  # header and body
        assert [style(c, "text-align") for c in row] == ["left", "left", "right", "right"]
        for cell in row:  # the padding that keeps "+ box of width 2" and "[4, 4, 5, 5]" apart
            left_right = style(cell, "padding").split()[1]
            assert float(left_right.removesuffix("em")) >= 0.5, cell
    assert cells.caption is None


def test_table_caption_and_escaping():
    table = book.table(["a<b"], [["x & y"]], caption="Seeds 0–2 <all>")
    cells = parse(table)
    assert cells.caption == "Seeds 0–2 <all>" and cells.rows[0][0][1] == "a<b" and cells.rows[1][0][1] == "x & y"
    assert "&lt;all&gt;" in table._repr_html_() and "<all>" not in table._repr_html_()
    assert table._repr_markdown_().splitlines()[:2] == ["Seeds 0–2 <all>", ""]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("3", True),
        ("-0.25", True),
        ("−0.25", True),
        ("1.2e-05", True),
        ("9e-16", True),
        ("1,024", True),
        ("12%", True),
        ("208x", True),
        ("0.42 [0.38–0.47]", True),
        (7, True),
        (2.5, True),
        (True, False),
        ("3×4", False),
        ("2→2", False),
        ("[3, 2, 3, 1]", False),
        ("deconv3", False),
        ("", False),
        ("yes", False),
    ],
)
def test_what_reads_as_a_number(value, number):
    assert book._is_number(value) is number


def test_a_column_with_blanks_and_numbers_is_numeric_and_an_empty_one_is_not():
    cells = parse(book.table(["kind", "score", "note"], [["a", "0.1", ""], ["b", "", ""]]))
    assert [style(c, "text-align") for c in cells.rows[1]] == ["left", "right", "left"]


def test_mean_range_reads_mean_min_max():
    assert book.mean_range([0.38, 0.47, 0.41]) == "0.42 [0.38–0.47]"
    assert book.mean_range(np.array([1e-3, 3e-3]), fmt=".0e") == "2e-03 [1e-03–3e-03]"
    assert book.mean_range([5.0]) == "5.00"  # one seed: the value alone
    assert book._is_number(book.mean_range([1, 2, 3]))  # and a table right-aligns it
    with pytest.raises(ValueError, match="fmt must be a format specification"):
        book.mean_range([1.0], fmt="q")


@pytest.fixture
def glued(monkeypatch):
    """What book.glue and book.glue_numbers hand to myst-nb: (name, value, display) for every call."""
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, obj, display=True: calls.append((name, obj, display)))
    return calls


def test_glue_hands_the_value_to_myst_nb_and_closes_a_figure(glued):
    fig = plt.figure()
    book.glue("c00_fig", fig, display=False)
    book.glue("c00_table", book.table(["a"], [[1]]))
    assert [(name, display) for name, _, display in glued] == [("c00_fig", False), ("c00_table", True)]
    assert glued[0][1] is fig and not plt.fignum_exists(fig.number)  # shown once, by the glue, then closed


def test_glue_numbers_stores_floats_without_showing_them(glued):
    book.glue_numbers(c00_ratio=np.float32(1.5), c00_count=3)
    assert glued == [("c00_ratio", 1.5, False), ("c00_count", 3.0, False)]
    assert all(type(value) is float for _, value, _ in glued)
    with pytest.raises(TypeError, match="c00_flag must be a real number"):
        book.glue_numbers(c00_flag=True)


def test_table_reads_as_markdown_in_plain_text():
    table = book.table(["k", "s<t"], [[3, "a"]])
    assert table._repr_markdown_().splitlines() == ["| k | s<t |", "|---:|---|", "| 3 | a |"]
    assert repr(table) == table._repr_markdown_()
    assert "s&lt;t</th>" in table._repr_html_()  # escaped in HTML


def test_table_takes_any_iterable_of_rows_and_refuses_a_short_row():
    cells = parse(book.table(("a", "b"), ((i, i * i) for i in range(3))))
    assert [[c[1] for c in row] for row in cells.rows[1:]] == [["0", "0"], ["1", "1"], ["2", "4"]]
    with pytest.raises(ValueError, match="rows must each hold 2 values"):
        book.table(["a", "b"], [[1]])


def test_setup_styles_seeds_and_returns_the_device(monkeypatch, capsys):
    import matplotlib as mpl

    monkeypatch.setenv("TUTORIAL_DEVICE", "cpu")
    monkeypatch.setenv("TUTORIAL_PROFILE", "quick")
    mpl.rcParams["image.interpolation"] = "bilinear"
    try:
        assert book.setup(7) == torch.device("cpu")
        first = torch.rand(3)
        book.setup(7)
        assert torch.equal(first, torch.rand(3))
        assert mpl.rcParams["image.interpolation"] == "nearest"  # the book's style is on
        assert "profile='quick'" in capsys.readouterr().out
    finally:
        torch.use_deterministic_algorithms(False)
