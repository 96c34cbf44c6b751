"""Interactive explorers (ipywidgets) and the static figures that stand in for them in the HTML book.

Every explorer draws with a function that its static equivalent also uses, so the slider view and the
small-multiples grid always show the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Rectangle

from . import overlap
from ._checks import as_int

PAINT = "#d95f02"  # the colour of one input's footprint; overlapping footprints look darker
INPUT = "#7570b3"


def draw_overlap_1d(
    ax, kernel_size: int, stride: int, input_size: int = 4, annotate: bool = True, square: bool = True
) -> np.ndarray:
    """Draw the article-style overlap diagram: inputs on top, each painting a k-wide footprint on the output row.

    The output cells are shaded by how many footprints cover them (white = none). Returns the counts.
    """
    k, s, n = as_int("kernel_size", kernel_size, 1), as_int("stride", stride, 1), as_int("input_size", input_size, 1)
    counts = overlap.overlap_counts(k, s, n)
    top = 2.4  # bottom edge of the input row; the output row spans y in [0, 1]
    for i in range(n):
        centre = i * s + k / 2
        footprint = [(centre - 0.4, top), (centre + 0.4, top), (i * s + k, 1), (i * s, 1)]
        ax.add_patch(Polygon(footprint, color=PAINT, alpha=0.25, lw=0))
        ax.add_patch(Rectangle((centre - 0.4, top), 0.8, 0.8, facecolor=INPUT, edgecolor="white", lw=0.8))
    shade = plt.get_cmap("Greys")
    for j, c in enumerate(counts):
        face = shade(0.15 + 0.7 * c / counts.max()) if c else "white"
        ax.add_patch(Rectangle((j, 0), 1, 1, facecolor=face, edgecolor="0.6", lw=0.5))
        if annotate:
            ink = "white" if c > counts.max() / 2 else "black"
            ax.text(j + 0.5, 0.5, str(c), ha="center", va="center", fontsize=7, color=ink)
    ax.set_xlim(-0.3, len(counts) + 0.3)
    ax.set_ylim(-0.1, top + 0.9)
    ax.set_aspect("equal" if square else "auto")
    ax.axis("off")
    return counts


def _overlap_title(k: int, s: int) -> str:
    """Panel title: the layer and its max/min interior overlap."""
    ratio = overlap.unevenness(k, s)
    return f"k={k}, s={s}: " + ("gaps" if np.isinf(ratio) else "even" if ratio == 1 else f"{ratio:g}x")


def overlap_figure(kernel_size: int, stride: int, input_size: int = 4):
    """One overlap diagram in its own figure (what the explorer shows for the current slider values)."""
    counts_len = (input_size - 1) * stride + kernel_size
    fig, ax = plt.subplots(figsize=(min(9.0, 0.3 * counts_len + 1.0), 1.6))
    draw_overlap_1d(ax, kernel_size, stride, input_size)
    ax.set_title(_overlap_title(kernel_size, stride))
    return fig


def overlap_explorer(input_size: int = 4) -> ipywidgets.interactive:
    """Sliders for kernel size (1-6) and stride (1-6) redrawing the 1D overlap diagram."""
    n = as_int("input_size", input_size, 1)

    def show(kernel_size: int, stride: int) -> None:
        from IPython.display import display

        fig = overlap_figure(kernel_size, stride, n)
        display(fig)
        plt.close(fig)

    return ipywidgets.interactive(
        show,
        kernel_size=ipywidgets.IntSlider(value=3, min=1, max=6, description="kernel size", continuous_update=False),
        stride=ipywidgets.IntSlider(value=2, min=1, max=6, description="stride", continuous_update=False),
    )


def overlap_grid(kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7), input_size: int = 4):
    """Small multiples of the overlap diagram (rows: kernel sizes, columns: strides): the static explorer."""
    ks, ss = list(kernel_sizes), list(strides)
    if not ks or not ss:
        raise ValueError(f"kernel_sizes and strides must be non-empty, got {kernel_sizes!r} and {strides!r}")
    n = as_int("input_size", input_size, 1)
    fig, axes = plt.subplots(len(ks), len(ss), figsize=(1.35 * len(ss), 0.75 * len(ks) + 0.2), squeeze=False)
    for r, k in enumerate(ks):
        for c, s in enumerate(ss):
            k, s = as_int("kernel_sizes", k, 1), as_int("strides", s, 1)
            draw_overlap_1d(axes[r, c], k, s, n, annotate=False, square=False)
            axes[r, c].set_title(_overlap_title(k, s), fontsize=8, pad=1)
    fig.tight_layout(pad=0.2, h_pad=0.3, w_pad=0.3)
    return fig
