"""Chapter 02's figures of overlap: which kernel copies paint which output pixel, in one layer and in stacks,
as static figures, as ipywidgets explorers for Jupyter, and as frame players for the static book.

Every explorer draws with a function that its static equivalent also uses, so the slider view, the HTML player's
frames and the small-multiples grid always show the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Rectangle

from . import overlap, plotting
from ._checks import as_axes, as_bool, checked, int_at_least, ints_at_least, optional
from .players import FramePlayer, frame_player

PAINT = "#d95f02"  # the colour of one input's footprint; overlapping footprints look darker
INPUT = "#7570b3"
_SIZE = int_at_least(1)  # rule: a kernel size, stride or input size >= 1
_SPAN = optional(_SIZE)  # rule: a width in output cells, or None


def _count_cells(ax, counts: np.ndarray, y: float, annotate: bool = True, fontsize: float = 7) -> None:
    """One row of unit cells at height ``y``, shaded by count in the book's count colours (white = none), each
    with its count written in it."""
    top = max(int(counts.max()), 1)
    for j, c in enumerate(counts):
        face = plotting.COUNTS(c / top)
        ax.add_patch(Rectangle((j, y), 1, 1, facecolor=face, edgecolor="0.6", lw=0.5))
        if annotate:
            ink = plotting.ink_for.__wrapped__(face)
            ax.text(j + 0.5, y + 0.5, str(c), ha="center", va="center", fontsize=fontsize, color=ink)


@checked(ax=as_axes, kernel_size=_SIZE, stride=_SIZE, input_size=_SIZE, annotate=as_bool, square=as_bool, span=_SPAN)
def draw_overlap_1d(
    ax,
    kernel_size: int,
    stride: int,
    input_size: int = 4,
    annotate: bool = True,
    square: bool = True,
    span: int | None = None,
) -> np.ndarray:
    """Draw the article-style overlap diagram: inputs on top, each painting a k-wide footprint on the output row.

    The output cells are shaded by how many footprints cover them (white = none). ``span`` fixes the width
    (in output cells) so diagrams of different sizes share one scale. Returns the counts.
    """
    k, s, n = kernel_size, stride, input_size
    counts = overlap.overlap_counts(k, s, n)
    width = len(counts) if span is None else max(span, len(counts))
    top = 2.4  # bottom edge of the input row; the output row spans y in [0, 1]
    for i in range(n):
        centre = i * s + k / 2
        footprint = [(centre - 0.4, top), (centre + 0.4, top), (i * s + k, 1), (i * s, 1)]
        ax.add_patch(Polygon(footprint, color=PAINT, alpha=0.25, lw=0))
        ax.add_patch(Rectangle((centre - 0.4, top), 0.8, 0.8, facecolor=INPUT, edgecolor="white", lw=0.8))
    _count_cells(ax, counts, 0, annotate)
    ax.set_xlim(-0.3, width + 0.3)
    ax.set_ylim(-0.1, top + 0.9)
    ax.set_aspect("equal" if square else "auto")
    ax.axis("off")
    return counts


def _overlap_title(k: int, s: int) -> str:
    """Panel title: the layer and its max/min interior overlap."""
    ratio = overlap.unevenness(k, s)
    return f"k={k}, s={s}: " + ("gaps" if np.isinf(ratio) else "even" if ratio == 1 else f"{ratio:g}x")


@checked(kernel_size=_SIZE, stride=_SIZE, input_size=_SIZE, span=_SPAN)
def overlap_figure(kernel_size: int, stride: int, input_size: int = 4, span: int | None = None):
    """One overlap diagram in its own figure (what the explorer shows for the current slider values).

    With ``span`` (output cells) the figure has a fixed size, so the frames of a player line up.
    """
    counts_len = (input_size - 1) * stride + kernel_size
    width = counts_len if span is None else max(span, counts_len)
    fig, ax = plt.subplots(figsize=(min(7.6, 0.3 * width + 1.0), 1.6))  # at most the page column
    draw_overlap_1d(ax, kernel_size, stride, input_size, span=span)
    ax.set_title(_overlap_title(kernel_size, stride))
    return fig


@checked(input_size=_SIZE)
def overlap_explorer(input_size: int = 4) -> ipywidgets.interactive:
    """Sliders for kernel size (1-6) and stride (1-6) redrawing the 1D overlap diagram."""

    def show(kernel_size: int, stride: int) -> None:
        from IPython.display import display

        fig = overlap_figure(kernel_size, stride, input_size)
        display(fig)
        plt.close(fig)

    return ipywidgets.interactive(
        show,
        kernel_size=ipywidgets.IntSlider(value=3, min=1, max=6, description="kernel size", continuous_update=False),
        stride=ipywidgets.IntSlider(value=2, min=1, max=6, description="stride", continuous_update=False),
    )


@checked(kernel_sizes=ints_at_least(1), strides=ints_at_least(1), input_size=_SIZE)
def overlap_grid(kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7), input_size: int = 4):
    """Small multiples of the overlap diagram (rows: kernel sizes, columns: strides): the static explorer."""
    ks, ss, n = kernel_sizes, strides, input_size
    fig, axes = plt.subplots(len(ks), len(ss), figsize=(1.25 * len(ss), 0.75 * len(ks) + 0.2), squeeze=False)
    for r, k in enumerate(ks):
        for c, s in enumerate(ss):
            draw_overlap_1d.__wrapped__(axes[r, c], k, s, n, annotate=False, square=False)
            axes[r, c].set_title(_overlap_title(k, s), fontsize=8, pad=1)
    fig.tight_layout(pad=0.2, h_pad=0.3, w_pad=0.3)
    return fig


# --- Self-contained HTML figures: precomputed frames with controls, for the static book -----------------


# --- The book's players ----------------------------------------------------------------------------------


@checked(kernel_sizes=ints_at_least(1), strides=ints_at_least(1), input_sizes=ints_at_least(1))
def overlap_player(
    kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7), input_sizes: Sequence[int] = (4,)
) -> FramePlayer:
    """The overlap explorer as an HTML player (one frame per k, s and input size); the grid is its print version."""
    grid = {"kernel_size": kernel_sizes, "stride": strides, "input_size": input_sizes}
    span = max((n - 1) * s + k for k in grid["kernel_size"] for s in grid["stride"] for n in grid["input_size"])
    figure = overlap_figure.__wrapped__  # the sizes are checked: draw every frame without checking them again
    if len(grid["input_size"]) == 1:  # a fixed input size needs no slider
        n = grid.pop("input_size")[0]
        draw = lambda kernel_size, stride: figure(kernel_size, stride, n, span=span)  # noqa: E731
    else:
        draw = lambda kernel_size, stride, input_size: figure(kernel_size, stride, input_size, span=span)  # noqa: E731
    initial = {"kernel_size": 3, "stride": 2}
    initial = {k: v for k, v in initial.items() if v in grid[k]}
    fallback = overlap_grid(grid["kernel_size"], grid["stride"], min(input_sizes))
    return frame_player(
        draw, grid, "overlap-1d", "1D overlap of a transposed convolution", initial=initial, fallback=fallback
    )


def _stacked_title(kernel_sizes: Sequence[int], strides: Sequence[int]) -> str:
    """Period and max/min of the stack's interior counts."""
    line = overlap.stacked_steady_state(list(kernel_sizes), list(strides), periods=2)
    ratio = "gaps" if line.min() == 0 else f"max/min {line.max() / line.min():g}"
    return f"{len(kernel_sizes)} layers: period {overlap.smallest_period(line)}, {ratio} (interior)"


def _check_layers(kernel_sizes: Sequence[int], strides: Sequence[int]) -> None:
    """A stack of transposed convolutions that :func:`~tutorial_utils.overlap.effective_kernel` accepts."""
    overlap.effective_kernel(kernel_sizes, strides)


@checked(ax=as_axes, input_size=_SIZE, span=_SPAN)
def draw_stacked_1d(
    ax, kernel_sizes: Sequence[int], strides: Sequence[int], input_size: int = 3, span: int | None = None
):
    """Stacked transposed convolutions painting row after row: inputs on top, then each layer's counts.

    Each cell of a row paints a k-wide footprint on the next row; every row is drawn centred above what it
    paints, so the last row has the finest spacing. Returns the counts of every row, input first.
    """
    _check_layers(kernel_sizes, strides)
    layers, n = list(zip(kernel_sizes, strides)), input_size
    rows = [np.ones(n, dtype=np.int64)]
    for r in range(1, len(layers) + 1):
        rows.append(overlap.stacked_overlap.__wrapped__([k for k, _ in layers[:r]], [s for _, s in layers[:r]], n))
    # Cell centres in the last row's coordinates, from the bottom up: a cell sits over the middle of its footprint.
    centres = [None] * len(rows)
    centres[-1] = np.arange(len(rows[-1])) + 0.5
    for r in range(len(layers) - 1, -1, -1):
        k, s = layers[r]
        j = np.arange(len(rows[r]))
        centres[r] = (centres[r + 1][j * s] + centres[r + 1][j * s + k - 1]) / 2
    gap, height = 1.6, 1.0
    y = [(len(rows) - 1 - r) * (height + gap) for r in range(len(rows))]
    for r, (k, s) in enumerate(layers):
        for j, c in enumerate(rows[r]):
            if c:
                left, right = centres[r + 1][j * s] - 0.45, centres[r + 1][j * s + k - 1] + 0.45
                top = [(centres[r][j] - 0.4, y[r]), (centres[r][j] + 0.4, y[r])]
                ax.add_patch(
                    Polygon(
                        top + [(right, y[r + 1] + height), (left, y[r + 1] + height)], color=PAINT, alpha=0.18, lw=0
                    )
                )
    for r, counts in enumerate(rows):
        for c, x in zip(counts, centres[r]):
            face = INPUT if r == 0 else plotting.COUNTS(c / counts.max())
            ax.add_patch(Rectangle((x - 0.45, y[r]), 0.9, height, facecolor=face, edgecolor="0.6", lw=0.5))
            if r:
                ink = plotting.ink_for.__wrapped__(face)
                ax.text(x, y[r] + height / 2, str(c), ha="center", va="center", fontsize=6.5, color=ink)
        label = "input" if r == 0 else f"layer {r}: k={layers[r - 1][0]}, s={layers[r - 1][1]}"
        ax.text(-0.6, y[r] + height / 2, label, ha="right", va="center", fontsize=7)
    width = len(rows[-1]) if span is None else max(span, len(rows[-1]))
    ax.set_xlim(-9, width + 0.3)
    ax.set_ylim(-0.1, y[0] + height + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return rows


@checked(input_size=_SIZE, span=_SPAN)
def stacked_figure(kernel_sizes: Sequence[int], strides: Sequence[int], input_size: int = 3, span: int | None = None):
    """The stacked-layers diagram in its own figure, titled with the period and unevenness of the result."""
    _check_layers(kernel_sizes, strides)
    n_rows = len(kernel_sizes) + 1
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * n_rows + 0.5))
    draw_stacked_1d(ax, kernel_sizes, strides, input_size, span)
    ax.set_title(_stacked_title(kernel_sizes, strides), fontsize=9)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86)
    return fig


@checked(kernel_sizes=ints_at_least(1), strides=ints_at_least(1), input_size=_SIZE)
def stacking_player(
    kernel_sizes: Sequence[int] = range(2, 5), strides: Sequence[int] = range(1, 4), input_size: int = 3
) -> FramePlayer:
    """Two stacked transposed convolutions, a kernel-size and a stride slider each; the period in the title."""
    ks, ss, n = kernel_sizes, strides, input_size
    span = (((n - 1) * max(ss) + max(ks) - 1) * max(ss)) + max(ks)

    def draw(k1: int, s1: int, k2: int, s2: int):
        return stacked_figure([k1, k2], [s1, s2], n, span)

    grid = {"k1": ks, "s1": ss, "k2": ks, "s2": ss}
    labels = {"k1": "layer 1 kernel size", "s1": "layer 1 stride", "k2": "layer 2 kernel size", "s2": "layer 2 stride"}
    initial = {key: v for key, v in {"k1": 3, "s1": 2, "k2": 3, "s2": 2}.items() if v in grid[key]}
    fallback = stacked_figure([3, 3], [2, 2], n, span) if 3 in ks and 2 in ss else None
    return frame_player(
        draw, grid, "stacked-layers", "Two stacked transposed convolutions", labels, initial, fallback=fallback
    )


def _check_stamps(stamps: int, input_size: int) -> None:
    """At most one stamp per input of the ``input_size``×``input_size`` grid."""
    if stamps > input_size * input_size:
        raise ValueError(f"stamps must be at most the number of inputs {input_size**2}, got {stamps}")


@checked(stamps=int_at_least(0), kernel_sizes=ints_at_least(1), stride=_SIZE, input_size=_SIZE)
def stamping_figure(stamps: int, kernel_sizes: Sequence[int] = (3, 4), stride: int = 2, input_size: int = 4):
    """The 2D overlap map being painted: the first ``stamps`` inputs (row by row) have stamped their kernel.

    Left, the input grid (painted inputs shaded, the latest outlined); then one count map per kernel size,
    with the latest stamp outlined. All maps share one scale of the book's count colours, so the final maps
    compare directly; the counts are written large enough to read (9 pt).
    """
    _check_stamps(stamps, input_size)
    ks, s, n = kernel_sizes, stride, input_size
    sizes = [(n - 1) * s + k for k in ks]
    fig, axes = plt.subplots(1, 1 + len(ks), figsize=(7.6, 3.9), gridspec_kw={"width_ratios": [n, *sizes]})
    painted = (np.arange(n * n) < stamps).reshape(n, n)
    axes[0].imshow(painted, cmap=mpl.colors.ListedColormap(["white", INPUT]), vmin=0, vmax=1)
    axes[0].set_title(f"input {n}×{n}", fontsize=9)
    fig.suptitle(f"{stamps} of {n * n} inputs have stamped their kernel", fontsize=10)
    top = max(int(overlap.overlap_counts.__wrapped__((k, k), (s, s), (n, n)).max()) for k in ks)
    for ax, k in zip(axes[1:], ks):
        counts = overlap.stamp_counts.__wrapped__((k, k), (s, s), (n, n), stamps)
        ax.imshow(counts, cmap=plotting.COUNTS, vmin=0, vmax=top, interpolation="nearest")
        for (i, j), c in np.ndenumerate(counts):
            if c:
                ink = plotting.ink_for.__wrapped__(plotting.COUNTS(c / top))
                ax.text(j, i, str(c), ha="center", va="center", fontsize=9, color=ink)
        done = (
            "max/min " + f"{overlap.unevenness.__wrapped__((k, k), (s, s)):g} (interior)"
            if stamps == n * n
            else "painting"
        )
        ax.set_title(f"k={k}, s={s}: {done}", fontsize=9)
    if stamps:
        i, j = divmod(stamps - 1, n)
        axes[0].add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=PAINT, lw=2))
        for ax, k in zip(axes[1:], ks):
            ax.add_patch(Rectangle((j * s - 0.5, i * s - 0.5), k, k, fill=False, edgecolor=PAINT, lw=2))
    for ax in axes:
        ax.set_xticks(np.arange(-0.5, ax.get_xlim()[1], 1), minor=True)
        ax.set_yticks(np.arange(-0.5, ax.get_ylim()[0], 1), minor=True)
        ax.grid(which="minor", color="0.85", lw=0.4)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.87, wspace=0.06)
    return fig


@checked(kernel_sizes=ints_at_least(1), stride=_SIZE, input_size=_SIZE)
def stamping_player(kernel_sizes: Sequence[int] = (3, 4), stride: int = 2, input_size: int = 4) -> FramePlayer:
    """An animation of 2D stamping (Play, Pause, Step or the slider): one frame per stamp, k=3 beside k=4."""

    def draw(stamps: int):
        return stamping_figure(stamps, kernel_sizes, stride, input_size)

    return frame_player(
        draw,
        {"stamps": list(range(input_size**2 + 1))},
        "stamping-2d",
        "2D stamping, stride " + str(stride),
        labels={"stamps": "inputs stamped"},
        initial={"stamps": input_size**2},
        play="stamps",
        interval=500,
    )
