"""One figure style for the whole book: nearest-neighbour images, zero-centred diverging maps, one colour
convention for counts, small grids, and tables that read."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from ._checks import as_array, as_axes, as_bool, as_callable, as_cmap, as_color, as_float, as_int, as_pair, as_str

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


def image_hwc(img, *, value_range: tuple[float, float]) -> np.ndarray:
    """A (C, H, W) tensor or an (H, W[, C]) array whose values span ``value_range`` = (low, high), as something
    ``imshow`` draws in [0, 1]: low maps to 0, high to 1, anything outside is clipped.

    The range is always stated, never guessed from the data: a [-1, 1] image that happens to be all >= 0 must
    be drawn on the same scale as its neighbours (generator outputs: ``(-1, 1)``; counts or ratios: ``(0, 1)``).
    """
    a = as_array("img", img, "an image: a (C, H, W) tensor or an (H, W[, C]) array")
    low, high = _as_range(value_range)
    shape = a.shape
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.size == 0 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise ValueError(
            f"img must be a (C, H, W) image with C in (1, 3) or an (H, W[, C]) one with C in (1, 3, 4), "
            f"got shape {shape}"
        )
    return np.clip((a - low) / (high - low), 0, 1)


def _as_range(value_range) -> tuple[float, float]:
    """(low, high) with low < high, both finite."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise TypeError(f"value_range must be a pair (low, high) such as (-1, 1) or (0, 1), got {value_range!r}")
    low, high = (as_float("value_range", v) for v in value_range)
    if not low < high:
        raise ValueError(f"value_range must have low < high, got {value_range!r}")
    return low, high


def show_image(ax, img, title: str | None = None, cmap: str = "gray", *, value_range: tuple[float, float]) -> None:
    """Draw an image pixel-exact (no smoothing that would hide a period-2 pattern), without ticks; its values
    span ``value_range`` (see :func:`image_hwc`)."""
    as_axes("ax", ax)
    as_str("title", title, optional=True)
    as_cmap("cmap", cmap)
    ax.imshow(image_hwc(img, value_range=value_range), cmap=cmap, interpolation="nearest", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


def show_signed(ax, data, title: str | None = None, colorbar: bool = False, limit: float | None = None):
    """Draw signed data with a diverging map centred at zero (red positive, blue negative)."""
    as_axes("ax", ax)
    a = as_array("data", data, "a 2D array of numbers (H, W)")
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"data must be a non-empty 2D array (H, W), got shape {a.shape}")
    as_str("title", title, optional=True)
    as_bool("colorbar", colorbar)
    limit = None if limit is None else as_float("limit", limit, 0, lo_open=True)
    lim = limit if limit is not None else (np.abs(a).max() or 1.0)
    im = ax.imshow(a, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return im


def ink_for(colour) -> str:
    """The colour to write text in on a cell of ``colour``: white on dark cells, black on light ones."""
    as_color("colour", colour)
    r, g, b = mpl.colors.to_rgb(colour)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55 else "black"


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
    as_axes("ax", ax)
    a = as_array("counts", counts, "a 2D array of non-negative numbers (H, W)")
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"counts must be a non-empty 2D array (H, W), got shape {a.shape}")
    if (a < 0).any():
        raise ValueError(f"counts must be non-negative, got a minimum of {a.min():g}")
    as_str("title", title, optional=True)
    top = (float(a.max()) or 1.0) if vmax is None else as_float("vmax", vmax, 0, lo_open=True)
    annotate = as_bool("annotate", annotate)
    as_callable("fmt", fmt, "a function of one value returning its text")
    fontsize = as_float("fontsize", fontsize, 0, lo_open=True)
    im = ax.imshow(a, cmap=COUNTS, vmin=0, vmax=top, interpolation="nearest")
    if annotate:
        for (r, c), v in np.ndenumerate(a):
            ink = ink_for(COUNTS(min(v / top, 1.0)))
            ax.text(c, r, fmt(v), ha="center", va="center", fontsize=fontsize, color=ink)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return im


def tile(images, nrow: int = 8, pad: int = 1) -> np.ndarray:
    """A batch (N, C, H, W) as one (C, H', W') image: rows of ``nrow`` tiles (as torchvision's ``make_grid``),
    ``pad`` pixels of value 1 between them (white for images in [-1, 1] and in [0, 1])."""
    x = _to_numpy(images)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"images must be a non-empty batch of shape (N, C, H, W), got shape {x.shape}")
    ncol = as_int("nrow", nrow, 1)
    pad = as_int("pad", pad, 0)
    n, c, h, w = x.shape
    rows = int(np.ceil(n / ncol))
    canvas = np.ones((c, rows * (h + pad) - pad, ncol * (w + pad) - pad))  # 1 is white in [0, 1] and in [-1, 1]
    for k in range(n):
        r, q = divmod(k, ncol)
        canvas[:, r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = x[k]
    return canvas


def show_grid(
    images, nrow: int = 8, title: str | None = None, ax=None, pad: int = 1, *, value_range: tuple[float, float]
):
    """Draw a batch (N, C, H, W) whose values span ``value_range`` as rows of ``nrow`` images (see :func:`tile`)."""
    canvas = tile(images, nrow, pad)
    as_str("title", title, optional=True)
    if ax is not None:
        as_axes("ax", ax)
    ncol = min(nrow, _to_numpy(images).shape[0])
    rows = int(np.ceil(_to_numpy(images).shape[0] / nrow))
    if ax is None:
        _, ax = plt.subplots(figsize=(0.9 * ncol + 0.5, 0.9 * rows + 0.5))
    show_image(ax, canvas, title=title, value_range=value_range)
    return ax


class Signed:
    """Signed data (H, W) for :func:`pixel_figure`, drawn with the book's diverging map: 0 white, +``limit``
    full red, -``limit`` full blue (e.g. a fingerprint)."""

    def __init__(self, data, limit: float) -> None:
        a = as_array("data", data, "a 2D array of numbers (H, W)")
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"data must be a non-empty 2D array (H, W), got shape {a.shape}")
        self.data, self.limit = a, as_float("limit", limit, 0, lo_open=True)

    def rgb(self) -> np.ndarray:
        """The data as an (H, W, 3) array of colours in [0, 1]."""
        return plt.get_cmap(DIVERGING)(np.clip(self.data / self.limit, -1, 1) / 2 + 0.5)[..., :3]


def _magnified(img, scale: int, value_range) -> np.ndarray:
    """An image (C, H, W) as an (H·scale, W·scale[, 3]) array in [0, 1]: each pixel a scale×scale block."""
    a = img.rgb() if isinstance(img, Signed) else image_hwc(img, value_range=value_range)
    return np.repeat(np.repeat(a, scale, axis=0), scale, axis=1)


def pixel_figure(panels, scale=3, ncols: int = 2, nrow: int = 4, *, value_range: tuple[float, float]):
    """Labelled images, or batches of images, drawn pixel-exact at an integer magnification; returns
    (figure, axes). Every image pixel becomes a ``scale``×``scale`` block of screen pixels (at the book's
    100 dpi), so a period-2 grid stays a grid, never a resampling blur.

    ``panels`` maps a label to an image (C, H, W), drawn alone (its axes keep the image's own pixel
    coordinates, so :func:`zoom_box` works on it), to a batch (N, C, H, W), drawn ``nrow`` images a row
    with a one-screen-pixel white line between them, or to :class:`Signed` data. Images span
    ``value_range``. ``scale`` is one int or one per panel; the panels run ``ncols`` to a row. Mind the
    page: 780 screen pixels fit across the book's column.
    """
    if not isinstance(panels, dict) or not panels:
        raise ValueError(f"panels must be a non-empty dict of label -> image or batch, got {type(panels).__name__}")
    scales = list(scale) if isinstance(scale, (tuple, list)) else [scale] * len(panels)
    if len(scales) != len(panels):
        raise ValueError(f"scale must be one int or one per panel ({len(panels)}), got {scale!r}")
    scales = [as_int("scale", k, 1) for k in scales]
    ncols, nrow = as_int("ncols", ncols, 1), as_int("nrow", nrow, 1)
    canvases = []
    for (label, x), k in zip(panels.items(), scales):
        if isinstance(x, Signed):
            canvases.append((str(label), _magnified(x, k, value_range), x.data.shape))
            continue
        a = _to_numpy(x)
        if a.ndim == 3:
            canvases.append((str(label), _magnified(a, k, value_range), a.shape[-2:]))
            continue
        if a.ndim != 4 or a.size == 0:
            raise ValueError(f"panels[{label!r}] must be an image (C, H, W) or a batch (N, C, H, W), got {a.shape}")
        n, _, h, w = a.shape
        rows, cols = -(-n // nrow), min(n, nrow)
        blocks = [_magnified(img, k, value_range) for img in a]
        canvas = np.ones((rows * (h * k + 1) - 1, cols * (w * k + 1) - 1, *blocks[0].shape[2:]))
        for i, block in enumerate(blocks):
            r, c = divmod(i, nrow)
            canvas[r * (h * k + 1) : r * (h * k + 1) + h * k, c * (w * k + 1) : c * (w * k + 1) + w * k] = block
        canvases.append((str(label), canvas, None))
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


def pixel_axes(
    rows: int, cols: int, size, scale: int, gap: int = 12, title: int = 34, margin: int = 6
) -> tuple[mpl.figure.Figure, np.ndarray]:
    """A figure with a rows×cols grid of axes, each exactly ``scale`` times an image of ``size`` pixels (an int
    or (height, width)) at the figure's dpi, so :func:`show_image` draws every pixel as a ``scale``×``scale``
    block: no resampling that could invent or hide a pattern. ``gap`` (between axes), ``title`` (room above
    each row) and ``margin`` are in pixels. Returns (figure, axes of shape (rows, cols))."""
    rows, cols = as_int("rows", rows, 1), as_int("cols", cols, 1)
    h, w = as_pair("size", size, 1)
    scale, gap = as_int("scale", scale, 1), as_int("gap", gap, 0)
    title, margin = as_int("title", title, 0), as_int("margin", margin, 0)
    dpi = mpl.rcParams["figure.dpi"]
    ax_w, ax_h = w * scale, h * scale
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


def zoom_box(ax, size: int, corner: tuple[int, int] = (0, 0), color: str = "yellow") -> None:
    """Outline the crop that a neighbouring zoomed panel shows."""
    as_axes("ax", ax)
    size = as_int("size", size, 1)
    r, c = as_pair("corner", corner, 0)
    as_color("color", color)
    ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), size, size, fill=False, edgecolor=color, linewidth=1.2))


def comparison_figure(
    panels: dict, fingerprint, zoom: int = 12, corner: tuple[int, int] = (8, 8), title: str | None = None
):
    """One column per batch in ``panels`` (label -> images (N, 3, H, W) in [-1, 1]): its first four images, a
    ``zoom``×``zoom`` zoom of the first image's outlined ``corner``, and the red channel of ``fingerprint(images)``
    (:func:`~tutorial_utils.metrics.fingerprint`, a (C, p, p) tile), tiled 2×2 on one colour scale for all
    columns; at most the page column wide (7.6 in)."""
    if not isinstance(panels, dict) or not panels:
        raise ValueError(f"panels must be a non-empty dict of label -> images, got {type(panels).__name__}")
    as_callable("fingerprint", fingerprint, "a function of a batch returning a (C, p, p) tile")
    zoom = as_int("zoom", zoom, 1)
    r, c = as_pair("corner", corner, 0)
    as_str("title", title, optional=True)
    tiles = {name: fingerprint(x)[0].tile(2, 2) for name, x in panels.items()}
    for name, x in panels.items():
        if r + zoom > x.shape[-2] or c + zoom > x.shape[-1]:
            raise ValueError(
                f"corner {corner} and zoom {zoom} must fit in the images of {name!r}, got {tuple(x.shape)}"
            )
    limit = max(float(t.abs().max()) for t in tiles.values()) or 1.0
    fig, axes = plt.subplots(
        3,
        len(panels),
        figsize=(min(2.1 * len(panels), 7.6), 5.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [1.6, 1, 1]},
    )
    for col, (name, x) in enumerate(panels.items()):
        show_grid(x[:4], nrow=2, ax=axes[0, col], title=name, value_range=(-1, 1))
        zoom_box(axes[0, col], zoom, (r, c))
        zoomed = x[0, :, r : r + zoom, c : c + zoom]
        show_image(axes[1, col], zoomed, title=f"{zoom}×{zoom} zoom", value_range=(-1, 1))
        show_signed(axes[2, col], tiles[name], title="fingerprint (red)", limit=limit)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def magnified_corner(
    img, corner: tuple[int, int], size: int = 32, zoom: int = 6, title: str | None = None, *, value_range
):
    """A figure of one image drawn pixel for pixel (one image pixel per screen pixel at 100 dpi), with the
    ``size``×``size`` square at ``corner`` (row, column) outlined and shown below it, centred, magnified
    ``zoom`` times.

    Both scales are whole numbers, so no resampling blurs or aliases a period-2 pattern; a page that shows
    the figure at its natural width (the book's column is wider) shows every pixel as it is.
    """
    a = image_hwc(img, value_range=value_range)
    r, c = as_pair("corner", corner, 0)
    size, zoom = as_int("size", size, 1), as_int("zoom", zoom, 1)
    as_str("title", title, optional=True)
    h, w = a.shape[:2]
    if r + size > h or c + size > w:
        raise ValueError(f"corner {corner} and size {size} must fit in the image, got {h}x{w} pixels")
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


def annotated_heatmap(
    ax, values, row_labels, col_labels, fmt=lambda v: f"{v:g}", cmap: str = "Oranges", vmax: float | None = None
):
    """A small table drawn as a heatmap with each cell's value written in it; non-finite cells stay white."""
    as_axes("ax", ax)
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"values must be a 2D array of numbers, got {type(values).__name__}") from err
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"values must be a non-empty 2D array (rows, columns), got shape {a.shape}")
    _check_labels("row_labels", row_labels, a.shape[0])
    _check_labels("col_labels", col_labels, a.shape[1])
    as_callable("fmt", fmt, "a function of one value returning its text")
    as_cmap("cmap", cmap)
    vmax = None if vmax is None else as_float("vmax", vmax)
    finite = np.isfinite(a)
    shown = np.where(finite, a, np.nan)
    top = vmax if vmax is not None else (np.nanmax(shown) if finite.any() else 1.0)
    im = ax.imshow(shown, cmap=cmap, vmin=np.nanmin(shown) if finite.any() else 0.0, vmax=top, interpolation="nearest")
    for (r, c), v in np.ndenumerate(a):
        dark = finite[r, c] and v > 0.6 * top
        ax.text(c, r, fmt(v), ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(a.shape[1]), [str(x) for x in col_labels])
    ax.set_yticks(range(a.shape[0]), [str(x) for x in row_labels])
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return im


def _check_labels(name: str, labels, n: int) -> None:
    """Tick labels: a sequence of ``n`` items."""
    if isinstance(labels, str) or not hasattr(labels, "__len__"):
        raise TypeError(f"{name} must be a sequence of {n} labels, got {type(labels).__name__} {labels!r}")
    if len(labels) != n:
        raise ValueError(f"{name} must have one label per entry ({n}), got {len(labels)}: {labels!r}")
