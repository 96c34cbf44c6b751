"""plotting.magnified_corner: the image and its magnified corner are drawn pixel for pixel, also after the
"tight" save that Jupyter's inline backend (and so the book) uses."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_utils import plotting


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
