"""One figure style for the whole book: nearest-neighbour images, zero-centred diverging maps, small grids."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from ._checks import as_int

DIVERGING = "RdBu_r"
SEQUENTIAL = "viridis"


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


def to_numpy(x) -> np.ndarray:
    """Detach, move to the CPU and convert; accepts tensors and arrays."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def image_hwc(img) -> np.ndarray:
    """A (C, H, W) tensor in [-1, 1] or an (H, W[, C]) array as something ``imshow`` draws in [0, 1]."""
    a = to_numpy(img).astype(np.float64)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.min() < 0:  # generator outputs live in [-1, 1]
        a = (a + 1) / 2
    return np.clip(a, 0, 1)


def show_image(ax, img, title: str | None = None, cmap: str = "gray") -> None:
    """Draw an image pixel-exact (no smoothing that would hide a period-2 pattern), without ticks."""
    ax.imshow(image_hwc(img), cmap=cmap, interpolation="nearest", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


def show_signed(ax, data, title: str | None = None, colorbar: bool = False, limit: float | None = None):
    """Draw signed data with a diverging map centred at zero (red positive, blue negative)."""
    a = to_numpy(data).astype(np.float64)
    lim = limit if limit is not None else (np.abs(a).max() or 1.0)
    im = ax.imshow(a, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return im


def tile(images, nrow: int = 8, pad: int = 1) -> np.ndarray:
    """A batch (N, C, H, W) as one (C, H', W') image: rows of ``nrow`` tiles (as torchvision's ``make_grid``),
    ``pad`` white pixels between them."""
    x = to_numpy(images)
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


def show_grid(images, nrow: int = 8, title: str | None = None, ax=None, pad: int = 1):
    """Draw a batch (N, C, H, W) as rows of ``nrow`` images (see :func:`tile`)."""
    canvas = tile(images, nrow, pad)
    ncol = min(nrow, to_numpy(images).shape[0])
    rows = int(np.ceil(to_numpy(images).shape[0] / nrow))
    if ax is None:
        _, ax = plt.subplots(figsize=(0.9 * ncol + 0.5, 0.9 * rows + 0.5))
    show_image(ax, canvas, title=title)
    return ax


def zoom_box(ax, size: int, corner: tuple[int, int] = (0, 0), color: str = "yellow") -> None:
    """Outline the crop that a neighbouring zoomed panel shows."""
    r, c = corner
    ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), size, size, fill=False, edgecolor=color, linewidth=1.2))


def glue(name: str, obj, display: bool = True) -> None:
    """Store a figure or value under ``name`` so other pages of the book can paste it (the intro's gallery).

    Uses myst-nb's glue when it is installed; elsewhere (Colab) it only displays. A matplotlib figure is shown
    once here and then closed, so the inline backend does not draw it a second time.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(obj)
    else:
        myst_glue(name, obj, display=display)
    if isinstance(obj, mpl.figure.Figure):
        plt.close(obj)


def glue_numbers(**values: float) -> None:
    """Store measured numbers for other pages, without showing them: ``book/conclusion.md`` pastes each one with
    ``{glue:text}`name:.2f``, so its recipe quotes what the chapters measured in the same build."""
    import numbers

    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab: nothing else reads them
        myst_glue = None
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
        if myst_glue is not None:
            myst_glue(name, float(value), display=False)


def annotated_heatmap(ax, values, row_labels, col_labels, fmt=lambda v: f"{v:g}", cmap: str = "Oranges", vmax: float | None = None):
    """A small table drawn as a heatmap with each cell's value written in it; non-finite cells stay white."""
    a = np.asarray(values, dtype=np.float64)
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


def _html_cells(values, tag: str) -> str:
    """Escaped table cells, e.g. ``<td>3</td><td>2</td>``."""
    from html import escape

    return "".join(f"<{tag}>{escape(v)}</{tag}>" for v in values)


class _Table:
    """A small table that Jupyter and the HTML book render as a real table (HTML), and text reprs show as Markdown."""

    def __init__(self, header, rows) -> None:
        self.header = [str(h) for h in header]
        self.rows = [[str(v) for v in row] for row in rows]

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in self.rows])

    def _repr_html_(self) -> str:
        body = "".join(f"<tr>{_html_cells(row, 'td')}</tr>" for row in self.rows)
        return f"<table><thead><tr>{_html_cells(self.header, 'th')}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        return self._repr_markdown_()


def table(header, rows) -> _Table:
    """Rows of values as a table to display in a notebook (the last expression of a cell): Jupyter and the
    HTML book render it as an HTML table, plain-text reprs as Markdown."""
    return _Table(header, rows)
