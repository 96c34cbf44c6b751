"""The book's figure conventions in tutorial_utils.plotting: images on a stated range, the count colours, signed
data on one symmetric scale, and figures drawn pixel for pixel (also after the "tight" save that Jupyter's inline
backend, and so the book, uses)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_utils import metrics, plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_annotated_heatmap_writes_every_value_and_leaves_non_finite_cells_white():
    fig, ax = plt.subplots()
    im = plotting.annotated_heatmap(ax, np.array([[1.0, np.inf], [2.0, 1.0]]), [1, 2], ["a", "b"])
    assert [t.get_text() for t in ax.texts] == ["1", "inf", "2", "1"]
    assert np.ma.is_masked(im.get_array()[0, 1]) and im.get_clim() == (1.0, 2.0)  # the scale ignores the infinity
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]


def test_signed_data_is_drawn_on_a_scale_centred_at_zero():
    fig, ax = plt.subplots()
    im = plotting.show_signed(ax, np.array([[-0.5, 2.0], [0.0, 1.0]]))
    assert im.get_clim() == (-2.0, 2.0) and im.cmap.name == plotting.DIVERGING  # zero is the middle colour
    assert plotting.show_signed(ax, np.zeros((2, 2))).get_clim() == (-1.0, 1.0)  # flat data: still a scale
    assert plotting.show_signed(ax, np.ones((2, 2)), limit=4).get_clim() == (-4.0, 4.0)  # a shared scale


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


def test_image_range_is_stated_not_guessed():
    """A [-1, 1] image that happens to be >= 0 is drawn on the [-1, 1] scale, like its neighbours: 0 is mid-grey,
    not black. Without a stated range there is nothing to draw."""
    dim = np.full((3, 4, 4), 0.2)  # a dark-ish image in [-1, 1], all >= 0
    assert np.allclose(plotting.image_hwc(dim, value_range=(-1, 1)), 0.6)
    assert np.allclose(plotting.image_hwc(dim, value_range=(0, 1)), 0.2)
    assert np.allclose(plotting.image_hwc(np.array([[-3.0, 5.0]]), value_range=(-1, 1)), [[0.0, 1.0]])  # clipped
    with pytest.raises(TypeError, match="value_range"):
        plotting.image_hwc(dim)  # the range is required
    fig, ax = plt.subplots()
    plotting.show_image(ax, dim, value_range=(-1, 1))
    assert np.allclose(ax.images[0].get_array(), 0.6)
    plt.close(fig)


def test_comparison_figure_layout():
    x = torch.rand(4, 3, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    fig = plotting.comparison_figure({"a": x, "b": -x}, metrics.fingerprint, zoom=4, corner=(2, 3), title="t")
    axes = fig.axes
    assert len(axes) == 6 and fig._suptitle.get_text() == "t"
    # row 1: the zoom of the first image; row 2: the fingerprints, on one symmetric scale
    zoomed = axes[2].images[0].get_array()
    assert zoomed.shape[:2] == (4, 4)
    assert np.allclose(zoomed, plotting.image_hwc(x[0, :, 2:6, 3:7], value_range=(-1, 1)))
    limits = {tuple(ax.images[0].get_clim()) for ax in axes[4:]}
    assert len(limits) == 1 and next(iter(limits))[0] == -next(iter(limits))[1]
    plt.close(fig)


def test_tile_places_images_with_white_padding():
    x = np.zeros((3, 1, 2, 2))
    canvas = plotting.tile(x, nrow=2)  # two images per row, as torchvision's make_grid
    assert canvas.shape == (1, 5, 5)
    assert canvas[0, :2, :2].sum() == 0 and canvas[0, 3:, 3:].tolist() == [[1, 1], [1, 1]]  # the empty slot is white
    assert canvas[0, 2].tolist() == [1] * 5
    assert plotting.tile(np.zeros((6, 1, 2, 2)), nrow=3).shape == (1, 2 * 2 + 1, 3 * 2 + 2)  # 2 rows of 3
    with pytest.raises(ValueError, match="images must be"):
        plotting.tile(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="nrow"):
        plotting.tile(x, nrow=0)


def _render(fig) -> np.ndarray:
    """The figure as the book stores it (a PNG at the book's 100 dpi), as an RGB array."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return np.asarray(Image.open(buffer).convert("RGB")).astype(int)


def test_pixel_figure_draws_each_pixel_as_an_exact_block():
    plotting.use_style()
    rng = np.random.default_rng(0)
    img = rng.choice([-1.0, 1.0], size=(1, 4, 4))  # black and white pixels, so every block is exact
    fig, axes = plotting.pixel_figure({"one": img}, scale=5, value_range=(-1, 1))
    assert fig.get_size_inches()[0] * 100 == 20  # 4 pixels x 5
    png = _render(fig)
    top = png.shape[0] - 20  # the image sits under its title
    drawn = png[top:, :20, 0]
    expected = np.kron((img[0] > 0) * 255, np.ones((5, 5), dtype=int))
    assert np.array_equal(drawn, expected)
    # the axes keep the image's own pixel coordinates, so zoom_box outlines image pixels
    assert axes[0].get_xlim() == (-0.5, 3.5)


def test_pixel_figure_lays_out_batches_and_signed_panels():
    plotting.use_style()
    batch = np.zeros((16, 1, 32, 32))
    fig, axes = plotting.pixel_figure({"a": batch, "b": batch, "c": batch, "d": batch}, scale=3, value_range=(-1, 1))
    # 4 images of 96 px with 1-px white lines, two panels a row 6 px apart: 780 px
    assert fig.get_size_inches()[0] * 100 == pytest.approx(780) and len(axes) == 4
    png = _render(fig)
    row = png[png.shape[0] - 10, :, 0]  # a row of pixels through the bottom images
    assert abs(row[95] - 127.5) < 1 and row[96] == 255 and abs(row[97] - 127.5) < 1  # grey, white line, grey
    tile = np.array([[1.0, -1.0], [0.0, 0.5]])
    fig, _ = plotting.pixel_figure({"s": plotting.Signed(tile, 1.0)}, scale=10, value_range=(-1, 1))
    png = _render(fig)[-20:, :20]
    red, blue, white = png[0, 0], png[0, 10], png[10, 0]
    assert red[0] > red[2] + 50 and blue[2] > blue[0] + 50 and white.min() > 240  # RdBu_r: 1 red, -1 blue
    with pytest.raises(ValueError, match="scale"):
        plotting.pixel_figure({"a": batch, "b": batch}, scale=[3], value_range=(-1, 1))
    with pytest.raises(ValueError, match="panels"):
        plotting.pixel_figure({"a": np.zeros((4, 4))}, value_range=(-1, 1))
    with pytest.raises(ValueError, match="limit"):
        plotting.Signed(tile, 0)
