"""The book's figure and table conventions in tutorial_utils.plotting: the count colours and tables that read."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tutorial_utils import plotting


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
    cells = parse(plotting.table(["final layer", "one period", "max/min", "n"], rows))
    assert [c[1] for c in cells.rows[1]] == ["+ box of width 2", "[4, 4, 5, 5]", "1.25", "3"]
    for row in cells.rows:  # header and body
        assert [style(c, "text-align") for c in row] == ["left", "left", "right", "right"]
        for cell in row:  # the padding that keeps "+ box of width 2" and "[4, 4, 5, 5]" apart
            left_right = style(cell, "padding").split()[1]
            assert float(left_right.removesuffix("em")) >= 0.5, cell
    assert cells.caption is None


def test_table_caption_and_escaping():
    table = plotting.table(["a<b"], [["x & y"]], caption="Seeds 0–2 <all>")
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
    assert plotting._is_number(value) is number


def test_a_column_with_blanks_and_numbers_is_numeric_and_an_empty_one_is_not():
    cells = parse(plotting.table(["kind", "score", "note"], [["a", "0.1", ""], ["b", "", ""]]))
    assert [style(c, "text-align") for c in cells.rows[1]] == ["left", "right", "left"]


def test_mean_range_reads_mean_min_max():
    assert plotting.mean_range([0.38, 0.47, 0.41]) == "0.42 [0.38–0.47]"
    assert plotting.mean_range(np.array([1e-3, 3e-3]), fmt=".0e") == "2e-03 [1e-03–3e-03]"
    assert plotting.mean_range([5.0]) == "5.00"  # one seed: the value alone
    assert plotting._is_number(plotting.mean_range([1, 2, 3]))  # and a table right-aligns it
    with pytest.raises(ValueError, match="fmt must be a format specification"):
        plotting.mean_range([1.0], fmt="q")


def test_counts_are_drawn_white_for_none_and_darker_for_more_never_black():
    fig, ax = plt.subplots()
    counts = np.array([[0, 1], [2, 4]])
    im = plotting.show_counts(ax, counts, title="t")
    rgba = im.cmap(im.norm(counts))
    brightness = rgba[..., :3].mean(-1)
    assert np.allclose(rgba[0, 0, :3], 1.0)  # zero is white
    assert brightness[0, 1] > brightness[1, 0] > brightness[1, 1] > 0.3  # darker for more, never black
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "4"]
    assert [t.get_color() for t in ax.texts] == ["black", "black", "black", "white"]  # readable ink
    assert ax.get_title() == "t"
    flat = plotting.show_counts(plt.subplots()[1], np.full((3, 3), 9.0), vmax=18, annotate=False)
    assert np.allclose(flat.norm(np.full((3, 3), 9.0)), 0.5)  # on a shared scale, a flat map is mid grey
    plt.close("all")


def test_ink_reads_on_its_cell():
    assert plotting.ink_for("white") == "black" and plotting.ink_for("0.9") == "black"
    assert plotting.ink_for("black") == "white" and plotting.ink_for(plotting.COUNTS(1.0)) == "white"
    assert plotting.ink_for((0.2, 0.2, 0.8)) == "white"  # by luminance, not by the mean of the channels
    assert plotting.ink_for((0.9, 0.9, 0.2)) == "black"
