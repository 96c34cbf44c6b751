"""One figure style for the whole book: nearest-neighbour images, zero-centred diverging maps, one colour
convention for counts, small grids, and tables that read."""

from __future__ import annotations

import functools

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from ._checks import (
    as_axes,
    as_bool,
    as_callable,
    as_cmap,
    as_color,
    as_float,
    as_image,
    as_int,
    as_matrix,
    as_range,
    as_str,
    checked,
    int_at_least,
    labelled,
    optional,
    pair_at_least,
)

DIVERGING = "RdBu_r"
SEQUENTIAL = "viridis"
# The one colour convention for counts (how many stamps paint a pixel) and other non-negative amounts, in every
# chapter: white for none, darker for more. It stops at a mid-dark grey, never black, so numbers written on the
# darkest cells stay readable and a flat map at its maximum still reads as a map.
COUNTS = mpl.colors.ListedColormap(mpl.colormaps["Greys"](np.linspace(0.0, 0.7, 256)), name="counts")


def use_style() -> None:
    """Apply the book's matplotlib defaults (called by every notebook's setup cell).

    Inside a Jupyter kernel it also makes sure figures are shown inline: CI and headless machines set
    ``MPLBACKEND=Agg``, which a kernel would otherwise obey, and then ``plt.show()`` draws nothing.
    """
    _inline_in_kernel()
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            # the inline backend saves with bbox_inches="tight"; the default 0.1-inch pad adds 20 px to every
            # figure, which the browser then shrinks to fit the column (768 px at a 1400-px window)
            "savefig.pad_inches": 0.02,
            "figure.figsize": (7.0, 3.5),
            "image.interpolation": "nearest",
            "image.cmap": SEQUENTIAL,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "font.size": 9,
        }
    )


def _inline_in_kernel() -> None:
    """Switch a Jupyter kernel from a non-interactive backend (Agg) to the inline one; anything else is kept."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):  # a terminal IPython or no IPython at all
        return
    if mpl.get_backend().lower() == "agg":
        shell.run_line_magic("matplotlib", "inline")


def _to_numpy(x) -> np.ndarray:
    """Detach, move to the CPU and convert; accepts tensors and arrays."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


# Rules for @checked: a title (a string or None), a positive number, a size, count or scale >= 1, a length in
# pixels >= 0, and a function that writes a cell's value.
_TITLE = functools.partial(as_str, optional=True)
_POSITIVE = functools.partial(as_float, lo=0, lo_open=True)
_SIZE, _PIXELS = int_at_least(1), int_at_least(0)
_FORMAT = functools.partial(as_callable, what="a function of one value returning its text")


def _unit(a: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """``a`` mapped from ``value_range`` onto [0, 1]: low to 0, high to 1, anything outside clipped."""
    low, high = value_range
    return np.clip((a - low) / (high - low), 0, 1)


@checked(img=as_image, value_range=as_range)
def image_hwc(img, *, value_range: tuple[float, float]) -> np.ndarray:
    """A (C, H, W) tensor or an (H, W[, C]) array whose values span ``value_range`` = (low, high), as something
    ``imshow`` draws in [0, 1]: low maps to 0, high to 1, anything outside is clipped.

    The range is always stated, never guessed from the data: a [-1, 1] image that happens to be all >= 0 must
    be drawn on the same scale as its neighbours (generator outputs: ``(-1, 1)``; counts or ratios: ``(0, 1)``).
    """
    return _unit(img, value_range)


@checked(ax=as_axes, img=as_image, title=_TITLE, cmap=as_cmap, value_range=as_range)
def show_image(ax, img, title: str | None = None, cmap: str = "gray", *, value_range: tuple[float, float]) -> None:
    """Draw an image pixel-exact (no smoothing that would hide a period-2 pattern), without ticks; its values
    span ``value_range`` (see :func:`image_hwc`)."""
    ax.imshow(_unit(img, value_range), cmap=cmap, interpolation="nearest", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


@checked(ax=as_axes, data=as_matrix, title=_TITLE, colorbar=as_bool, limit=optional(_POSITIVE))
def show_signed(ax, data, title: str | None = None, colorbar: bool = False, limit: float | None = None):
    """Draw signed data with a diverging map centred at zero (red positive, blue negative)."""
    lim = limit if limit is not None else (np.abs(data).max() or 1.0)
    im = ax.imshow(data, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return im


@checked(colour=as_color)
def ink_for(colour) -> str:
    """The colour to write text in on a cell of ``colour``: white on dark cells, black on light ones."""
    r, g, b = mpl.colors.to_rgb(colour)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55 else "black"


def _counts(name: str, value) -> np.ndarray:
    """Rule: a non-empty 2D array of non-negative numbers."""
    a = as_matrix(name, value)
    if (a < 0).any():
        raise ValueError(f"{name} must be non-negative, got a minimum of {a.min():g}")
    return a


@checked(
    ax=as_axes,
    counts=_counts,
    title=_TITLE,
    vmax=optional(_POSITIVE),
    annotate=as_bool,
    fmt=_FORMAT,
    fontsize=_POSITIVE,
)
def show_counts(
    ax,
    counts,
    title: str | None = None,
    vmax: float | None = None,
    annotate: bool = True,
    fmt=lambda v: f"{v:g}",
    fontsize: float = 8.0,
):
    """Draw non-negative counts (or amounts) in the book's count colours (:data:`COUNTS`: white for zero, darker
    for more) from 0 to ``vmax`` (default: the largest value), each cell's value written in it if ``annotate``."""
    top = (float(counts.max()) or 1.0) if vmax is None else vmax
    im = ax.imshow(counts, cmap=COUNTS, vmin=0, vmax=top, interpolation="nearest")
    if annotate:
        for (r, c), v in np.ndenumerate(counts):
            ink = ink_for.__wrapped__(COUNTS(min(v / top, 1.0)))
            ax.text(c, r, fmt(v), ha="center", va="center", fontsize=fontsize, color=ink)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return im


def _batch(name: str, value) -> np.ndarray:
    """Rule: a non-empty batch of images (N, C, H, W), as a NumPy array."""
    x = _to_numpy(value)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty batch of shape (N, C, H, W), got shape {x.shape}")
    return x


@checked(images=_batch, nrow=_SIZE, pad=_PIXELS)
def tile(images, nrow: int = 8, pad: int = 1) -> np.ndarray:
    """A batch (N, C, H, W) as one (C, H', W') image: rows of ``nrow`` tiles (as torchvision's ``make_grid``),
    ``pad`` pixels of value 1 between them (white for images in [-1, 1] and in [0, 1])."""
    n, c, h, w = images.shape
    rows = int(np.ceil(n / nrow))
    canvas = np.ones((c, rows * (h + pad) - pad, nrow * (w + pad) - pad))  # 1 is white in [0, 1] and in [-1, 1]
    for k in range(n):
        r, q = divmod(k, nrow)
        canvas[:, r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = images[k]
    return canvas


@checked(title=_TITLE, ax=optional(as_axes))
def show_grid(
    images, nrow: int = 8, title: str | None = None, ax=None, pad: int = 1, *, value_range: tuple[float, float]
):
    """Draw a batch (N, C, H, W) whose values span ``value_range`` as rows of ``nrow`` images (see :func:`tile`)."""
    canvas = tile(images, nrow, pad)
    n = _to_numpy(images).shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.9 * min(nrow, n) + 0.5, 0.9 * int(np.ceil(n / nrow)) + 0.5))
    show_image(ax, canvas, title=title, value_range=value_range)
    return ax


class Signed:
    """Signed data (H, W) for :func:`pixel_figure`, drawn with the book's diverging map: 0 white, +``limit``
    full red, -``limit`` full blue (e.g. a fingerprint)."""

    @checked(data=as_matrix, limit=_POSITIVE)
    def __init__(self, data, limit: float) -> None:
        self.data, self.limit = data, limit

    def rgb(self) -> np.ndarray:
        """The data as an (H, W, 3) array of colours in [0, 1]."""
        return plt.get_cmap(DIVERGING)(np.clip(self.data / self.limit, -1, 1) / 2 + 0.5)[..., :3]


def _magnified(img, scale: int, value_range) -> np.ndarray:
    """An image (H, W[, C]) or :class:`Signed` data as an (H·scale, W·scale[, 3]) array in [0, 1]: each pixel a
    scale×scale block."""
    a = img.rgb() if isinstance(img, Signed) else _unit(img, value_range)
    return np.repeat(np.repeat(a, scale, axis=0), scale, axis=1)


def _panels(name: str, value) -> dict:
    """Rule: a non-empty mapping of label -> :class:`Signed` data, an image (C, H, W) or a batch (N, C, H, W);
    images come back as (H, W[, C]) arrays, a batch as a list of them."""
    panels = {}
    for label, x in labelled("image, batch or Signed data")(name, value).items():
        key, a = f"{name}[{label!r}]", x if isinstance(x, Signed) else _to_numpy(x)
        if isinstance(x, Signed):
            panels[str(label)] = x
        elif a.ndim == 3:
            panels[str(label)] = as_image(key, a)
        elif a.ndim == 4 and a.size:
            panels[str(label)] = [as_image(key, img) for img in a]
        else:
            raise ValueError(f"{key} must be an image (C, H, W) or a batch (N, C, H, W), got {a.shape}")
    return panels


def _as_scales(scale, n: int) -> list[int]:
    """One int >= 1 per panel, from one int or a sequence of ``n``."""
    scales = list(scale) if isinstance(scale, (tuple, list)) else [scale] * n
    if len(scales) != n:
        raise ValueError(f"scale must be one int or one per panel ({n}), got {scale!r}")
    return [as_int("scale", k, 1) for k in scales]


def _canvas(x, k: int, nrow: int, value_range) -> tuple[np.ndarray, tuple[int, int] | None]:
    """A panel magnified ``k`` times, and the image's own (H, W) for its axes (None for a batch): a batch is
    drawn ``nrow`` images a row with one white screen pixel between them."""
    if not isinstance(x, list):
        return _magnified(x, k, value_range), (x.data if isinstance(x, Signed) else x).shape[:2]
    h, w = x[0].shape[:2]
    rows, cols = -(-len(x) // nrow), min(len(x), nrow)
    blocks = [_magnified(img, k, value_range) for img in x]
    canvas = np.ones((rows * (h * k + 1) - 1, cols * (w * k + 1) - 1, *blocks[0].shape[2:]))
    for i, block in enumerate(blocks):
        r, c = divmod(i, nrow)
        canvas[r * (h * k + 1) : r * (h * k + 1) + h * k, c * (w * k + 1) : c * (w * k + 1) + w * k] = block
    return canvas, None


@checked(panels=_panels, ncols=_SIZE, nrow=_SIZE, value_range=as_range)
def pixel_figure(panels, scale=3, ncols: int = 2, nrow: int = 4, *, value_range: tuple[float, float]):
    """Labelled images, or batches of images, drawn pixel-exact at an integer magnification; returns
    (figure, axes). Every image pixel becomes a ``scale``×``scale`` block of screen pixels (at the book's
    100 dpi), so a period-2 grid stays a grid, never a resampling blur.

    ``panels`` maps a label to an image (C, H, W), drawn alone (its axes keep the image's own pixel
    coordinates, so :func:`zoom_box` works on it), to a batch (N, C, H, W), drawn ``nrow`` images a row
    with a one-screen-pixel white line between them, or to :class:`Signed` data. Images span
    ``value_range``. ``scale`` is one int or one per panel; the panels run ``ncols`` to a row. Mind the
    page: 764 screen pixels fit across the book's column (768 px at a 1400-px window, less the 2-px pad each side).
    """
    scales = _as_scales(scale, len(panels))
    canvases = [(label, *_canvas(x, k, nrow, value_range)) for (label, x), k in zip(panels.items(), scales)]
    lines = max(label.count("\n") + 1 for label, _, _ in canvases)
    gap, title_px, dpi = 6, 10 + 14 * lines, mpl.rcParams["figure.dpi"]
    grid_rows = [canvases[i : i + ncols] for i in range(0, len(canvases), ncols)]
    col_widths = [max(row[j][1].shape[1] for row in grid_rows if j < len(row)) for j in range(len(grid_rows[0]))]
    row_heights = [max(c[1].shape[0] for c in row) + title_px for row in grid_rows]
    width, height = sum(col_widths) + gap * (len(col_widths) - 1), sum(row_heights) + gap * (len(grid_rows) - 1)
    fig = plt.figure(figsize=(width / dpi, height / dpi))
    axes, top = [], 0
    for row, row_h in zip(grid_rows, row_heights):
        left = 0
        for (label, canvas, shape), col_w in zip(row, col_widths):
            h, w = canvas.shape[:2]
            ax = fig.add_axes((left / width, 1 - (top + title_px + h) / height, w / width, h / height))
            extent = None if shape is None else (-0.5, shape[1] - 0.5, shape[0] - 0.5, -0.5)
            ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest", extent=extent)
            ax.set_axis_off()  # no spines drawn over the edge pixels
            ax.set_title(label)
            axes.append(ax)
            left += col_w + gap
        top += row_h + gap
    return fig, axes


@checked(rows=_SIZE, cols=_SIZE, size=pair_at_least(1), scale=_SIZE, gap=_PIXELS, title=_PIXELS, margin=_PIXELS)
def pixel_axes(
    rows: int, cols: int, size, scale: int, gap: int = 12, title: int = 34, margin: int = 6
) -> tuple[mpl.figure.Figure, np.ndarray]:
    """A figure with a rows×cols grid of axes, each exactly ``scale`` times an image of ``size`` pixels (an int
    or (height, width)) at the figure's dpi, so :func:`show_image` draws every pixel as a ``scale``×``scale``
    block: no resampling that could invent or hide a pattern. ``gap`` (between axes), ``title`` (room above
    each row) and ``margin`` are in pixels. Returns (figure, axes of shape (rows, cols))."""
    dpi = mpl.rcParams["figure.dpi"]
    ax_w, ax_h = size[1] * scale, size[0] * scale
    fig_w = 2 * margin + cols * ax_w + (cols - 1) * gap
    fig_h = 2 * margin + rows * (ax_h + title) + (rows - 1) * gap
    fig = plt.figure(figsize=(fig_w / dpi, fig_h / dpi), dpi=dpi)
    axes = np.empty((rows, cols), dtype=object)
    for r in range(rows):
        for c in range(cols):
            left = margin + c * (ax_w + gap)
            bottom = fig_h - margin - (r + 1) * (ax_h + title) - r * gap
            ax = axes[r, c] = fig.add_axes((left / fig_w, bottom / fig_h, ax_w / fig_w, ax_h / fig_h))
            for spine in ax.spines.values():  # a spine would cover the image's outer pixels
                spine.set_visible(False)
            ax.set_xticks([])
            ax.set_yticks([])
    return fig, axes


@checked(ax=as_axes, size=_SIZE, corner=pair_at_least(0), color=as_color)
def zoom_box(ax, size: int, corner: tuple[int, int] = (0, 0), color: str = "yellow") -> None:
    """Outline the crop that a neighbouring zoomed panel shows."""
    r, c = corner
    ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), size, size, fill=False, edgecolor=color, linewidth=1.2))


def _check_inside(shapes: dict, corner: tuple[int, int], size: int, what: str) -> None:
    """The ``size``×``size`` square at ``corner`` lies inside every image; ``shapes`` maps a description of each
    image to its shape (H and W last)."""
    r, c = corner
    for image, shape in shapes.items():
        if r + size > shape[-2] or c + size > shape[-1]:
            raise ValueError(f"corner {corner} and {what} {size} must fit in {image}, got shape {shape}")


@checked(
    panels=labelled("images (N, 3, H, W)"),
    fingerprint=functools.partial(as_callable, what="a function of a batch returning a (C, p, p) tile"),
    zoom=_SIZE,
    corner=pair_at_least(0),
    title=_TITLE,
)
def comparison_figure(
    panels: dict, fingerprint, zoom: int = 12, corner: tuple[int, int] = (8, 8), title: str | None = None
):
    """One column per batch in ``panels`` (label -> images (N, 3, H, W) in [-1, 1]): its first four images, a
    ``zoom``×``zoom`` zoom of the first image's outlined ``corner``, and the red channel of ``fingerprint(images)``
    (:func:`~tutorial_utils.metrics.fingerprint`, a (C, p, p) tile), tiled 2×2 on one colour scale for all
    columns; at most the page column wide (7.6 in)."""
    _check_inside({f"the images of {name!r}": np.shape(x) for name, x in panels.items()}, corner, zoom, "zoom")
    tiles = {
        name: as_matrix(f"the fingerprint of {name!r}", fingerprint(x)[0].tile(2, 2)) for name, x in panels.items()
    }
    limit = max(float(np.abs(t).max()) for t in tiles.values()) or 1.0
    fig, axes = plt.subplots(
        3,
        len(panels),
        figsize=(min(2.1 * len(panels), 7.6), 5.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [1.6, 1, 1]},
    )
    r, c = corner
    for col, (name, x) in enumerate(panels.items()):  # all checked above: draw each column without checking again
        show_grid.__wrapped__(x[:4], nrow=2, ax=axes[0, col], title=name, value_range=(-1, 1))
        zoom_box.__wrapped__(axes[0, col], zoom, corner)
        zoomed = _to_numpy(x[0, :, r : r + zoom, c : c + zoom]).transpose(1, 2, 0)
        show_image.__wrapped__(axes[1, col], zoomed, title=f"{zoom}×{zoom} zoom", value_range=(-1, 1))
        show_signed.__wrapped__(axes[2, col], tiles[name], title="fingerprint (red)", limit=limit)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@checked(img=as_image, corner=pair_at_least(0), size=_SIZE, zoom=_SIZE, title=_TITLE, value_range=as_range)
def magnified_corner(
    img, corner: tuple[int, int], size: int = 32, zoom: int = 6, title: str | None = None, *, value_range
):
    """A figure of one image drawn pixel for pixel (one image pixel per screen pixel at 100 dpi), with the
    ``size``×``size`` square at ``corner`` (row, column) outlined and shown below it, centred, magnified
    ``zoom`` times.

    Both scales are whole numbers, so no resampling blurs or aliases a period-2 pattern; a page that shows
    the figure at its natural width (the book's column is wider) shows every pixel as it is.
    """
    _check_inside({"the image": img.shape[:2]}, corner, size, "size")
    a, (r, c), (h, w) = _unit(img, value_range), corner, img.shape[:2]
    dpi, pad, text = 100, 6, 18  # pixels: margin, and room for a title line
    width = max(w, size * zoom) + 2 * pad
    height = 2 * (text + pad) + h + size * zoom + pad
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)

    def axes(left: int, bottom: int, ax_w: int, ax_h: int):
        ax = fig.add_axes((left / width, bottom / height, ax_w / width, ax_h / height))
        ax.spines[:].set_visible(False)  # a spine would cover the outermost pixels
        return ax

    big = axes(pad + (width - 2 * pad - w) // 2, height - text - h, w, h)
    show_image(big, a, title=title, value_range=(0, 1))
    zoom_box(big, size, (r, c))
    small = axes(pad + (width - 2 * pad - size * zoom) // 2, pad, size * zoom, size * zoom)
    show_image(small, a[r : r + size, c : c + size], title=f"{size}×{size} corner, ×{zoom}", value_range=(0, 1))
    return fig


def _table_values(name: str, value) -> np.ndarray:
    """Rule: a non-empty 2D array of numbers (rows, columns); NaN and infinities allowed (drawn as blanks)."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 2D array of numbers, got {type(value).__name__}") from err
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 2D array (rows, columns), got shape {a.shape}")
    return a


def _check_labels(values: np.ndarray, **labels) -> None:
    """One tick label per row (``row_labels``) and per column (``col_labels``) of ``values``."""
    for (name, given), n in zip(labels.items(), values.shape):
        if isinstance(given, str) or not hasattr(given, "__len__"):
            raise TypeError(f"{name} must be a sequence of {n} labels, got {type(given).__name__} {given!r}")
        if len(given) != n:
            raise ValueError(f"{name} must have one label per entry ({n}), got {len(given)}: {given!r}")


@checked(ax=as_axes, values=_table_values, fmt=_FORMAT, cmap=as_cmap, vmax=optional(as_float))
def annotated_heatmap(
    ax, values, row_labels, col_labels, fmt=lambda v: f"{v:g}", cmap: str = "Oranges", vmax: float | None = None
):
    """A small table drawn as a heatmap with each cell's value written in it; non-finite cells stay white."""
    _check_labels(values, row_labels=row_labels, col_labels=col_labels)
    finite = np.isfinite(values)
    shown = np.where(finite, values, np.nan)
    top = vmax if vmax is not None else (np.nanmax(shown) if finite.any() else 1.0)
    im = ax.imshow(shown, cmap=cmap, vmin=np.nanmin(shown) if finite.any() else 0.0, vmax=top, interpolation="nearest")
    for (r, c), v in np.ndenumerate(values):
        dark = finite[r, c] and v > 0.6 * top
        ax.text(c, r, fmt(v), ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(values.shape[1]), [str(x) for x in col_labels])
    ax.set_yticks(range(values.shape[0]), [str(x) for x in row_labels])
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return im
