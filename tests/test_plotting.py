"""The book's figure and table conventions in tutorial_utils.plotting: the count colours and tables that read,
and figures drawn pixel for pixel (also after the "tight" save that Jupyter's inline backend, and so the book,
uses)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_utils import book, plotting


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


@pytest.mark.parametrize("scale", [1, 3, 4])
def test_pixel_axes_draw_every_pixel_as_an_integer_block(scale):
    fig, axes = plotting.pixel_axes(2, 3, (8, 12), scale, gap=10, title=20, margin=5)
    assert axes.shape == (2, 3)
    dpi = fig.dpi
    for ax in axes.flat:
        box = ax.get_window_extent()
        assert box.width == pytest.approx(12 * scale) and box.height == pytest.approx(8 * scale)
        assert box.x0 == pytest.approx(round(box.x0)) and box.y0 == pytest.approx(round(box.y0))
    assert fig.get_size_inches()[0] * dpi == pytest.approx(2 * 5 + 3 * 12 * scale + 2 * 10)
    assert fig.get_size_inches()[1] * dpi == pytest.approx(2 * 5 + 2 * (8 * scale + 20) + 10)
    # an image drawn into one comes out as scale x scale blocks
    image = np.arange(96.0).reshape(8, 12) / 96
    plotting.show_image(axes[0, 0], image, value_range=(0, 1))
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., 0].astype(int)
    box = axes[0, 0].get_window_extent()
    top = int(round(fig.bbox.height - box.y1))
    left = int(round(box.x0))
    drawn = pixels[top : top + 8 * scale, left : left + 12 * scale]
    blocks = drawn.reshape(8, scale, 12, scale)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every block is one colour
    plt.close(fig)


def saved_pixels(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return np.asarray(Image.open(buf).convert("RGB")).astype(int)


def find(haystack: np.ndarray, needle: np.ndarray) -> list[tuple[int, int]]:
    """Every (row, column) where ``needle`` appears in ``haystack`` to within one grey level."""
    h, w = needle.shape[:2]
    return [
        (r, c)
        for r in range(haystack.shape[0] - h + 1)
        for c in range(haystack.shape[1] - w + 1)
        if np.abs(haystack[r : r + h, c : c + w] - needle).max() <= 1
    ]


@pytest.mark.parametrize("zoom", [3, 5])
def test_magnified_corner_draws_every_pixel_as_it_is(zoom):
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(3, 40, 48, generator=gen) * 2 - 1  # [-1, 1]; noise: any resampling would show
    corner, size = (20, 6), 8
    png = saved_pixels(plotting.magnified_corner(img, corner, size, zoom, title="t", value_range=(-1, 1)))
    src = np.round((img.permute(1, 2, 0).numpy() + 1) / 2 * 255).astype(int)
    # the image, one pixel per pixel: its top rows (above the outlined square) appear exactly once
    top = find(png, src[:16])
    assert len(top) == 1, top
    r0, c0 = top[0]
    shown = png[r0 : r0 + 40, c0 : c0 + 48]
    outside = np.ones((40, 48), bool)
    outside[corner[0] - 2 : corner[0] + size + 2, corner[1] - 2 : corner[1] + size + 2] = False  # the outline
    assert np.abs(shown - src)[outside].max() <= 1
    # below it, the square, each pixel a zoom×zoom block
    r, c = corner
    block = np.kron(src[r : r + size, c : c + size], np.ones((zoom, zoom, 1), int))
    below = find(png[r0 + 40 :], block)
    assert len(below) == 1, below
    # the outline marks the square: its pixels differ from the image's just outside the square only
    assert np.abs(shown - src)[~outside].max() > 50


def test_magnified_corner_refuses_a_square_outside_the_image():
    with pytest.raises(ValueError, match="corner"):
        plotting.magnified_corner(torch.zeros(3, 16, 16), (10, 0), size=8, value_range=(-1, 1))
    with pytest.raises(ValueError, match="zoom"):
        plotting.magnified_corner(torch.zeros(3, 16, 16), (0, 0), size=8, zoom=0, value_range=(-1, 1))


def test_ink_reads_on_its_cell():
    assert plotting.ink_for("white") == "black" and plotting.ink_for("0.9") == "black"
    assert plotting.ink_for("black") == "white" and plotting.ink_for(plotting.COUNTS(1.0)) == "white"
    assert plotting.ink_for((0.2, 0.2, 0.8)) == "white"  # by luminance, not by the mean of the channels
    assert plotting.ink_for((0.9, 0.9, 0.2)) == "black"
