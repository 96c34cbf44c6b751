"""Interactive figures: ipywidgets explorers for Jupyter, and self-contained HTML players for the static book.

Every explorer draws with a function that its static equivalent also uses, so the slider view, the HTML
player's frames and the small-multiples grid always show the same picture. A frame player
(:func:`frame_player`) holds every frame precomputed as a compact PNG plus a few lines of JavaScript, so it
works in the built HTML book with no kernel and no network; a magnifier (:func:`magnifier`) zooms into
images the same way. Their JavaScript and CSS ship as package data (``assets/player.js``, ``magnifier.js``,
``widgets.css``) and are embedded in each figure's HTML.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import itertools
import json
import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources

import ipywidgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Rectangle
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from . import overlap, plotting
from ._checks import as_axes, as_bool, as_figure, as_float, as_int, as_ints, as_pair, as_str

PAINT = "#d95f02"  # the colour of one input's footprint; overlapping footprints look darker
INPUT = "#7570b3"


def _count_cells(ax, counts: np.ndarray, y: float, annotate: bool = True, fontsize: float = 7) -> None:
    """One row of unit cells at height ``y``, shaded by count in the book's count colours (white = none), each
    with its count written in it."""
    top = max(int(counts.max()), 1)
    for j, c in enumerate(counts):
        face = plotting.COUNTS(c / top)
        ax.add_patch(Rectangle((j, y), 1, 1, facecolor=face, edgecolor="0.6", lw=0.5))
        if annotate:
            ink = plotting.ink_for(face)
            ax.text(j + 0.5, y + 0.5, str(c), ha="center", va="center", fontsize=fontsize, color=ink)


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
    as_axes("ax", ax)
    k, s, n = as_int("kernel_size", kernel_size, 1), as_int("stride", stride, 1), as_int("input_size", input_size, 1)
    annotate, square = as_bool("annotate", annotate), as_bool("square", square)
    counts = overlap.overlap_counts(k, s, n)
    width = len(counts) if span is None else max(as_int("span", span, 1), len(counts))
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


def overlap_figure(kernel_size: int, stride: int, input_size: int = 4, span: int | None = None):
    """One overlap diagram in its own figure (what the explorer shows for the current slider values).

    With ``span`` (output cells) the figure has a fixed size, so the frames of a player line up.
    """
    k, s, n = as_int("kernel_size", kernel_size, 1), as_int("stride", stride, 1), as_int("input_size", input_size, 1)
    span = None if span is None else as_int("span", span, 1)
    counts_len = (n - 1) * s + k
    width = counts_len if span is None else max(span, counts_len)
    fig, ax = plt.subplots(figsize=(min(7.6, 0.3 * width + 1.0), 1.6))  # at most the page column
    draw_overlap_1d(ax, kernel_size, stride, input_size, span=span)
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
    ks, ss = as_ints("kernel_sizes", kernel_sizes, 1), as_ints("strides", strides, 1)
    n = as_int("input_size", input_size, 1)
    fig, axes = plt.subplots(len(ks), len(ss), figsize=(1.25 * len(ss), 0.75 * len(ks) + 0.2), squeeze=False)
    for r, k in enumerate(ks):
        for c, s in enumerate(ss):
            draw_overlap_1d(axes[r, c], k, s, n, annotate=False, square=False)
            axes[r, c].set_title(_overlap_title(k, s), fontsize=8, pad=1)
    fig.tight_layout(pad=0.2, h_pad=0.3, w_pad=0.3)
    return fig


# --- Self-contained HTML figures: precomputed frames with controls, for the static book -----------------

MAX_FRAMES = 400  # a player embeds every frame; more than this makes a heavy page
FRAME_KEY = "tutorial_utils.frame"  # PNG text chunk naming the parameters a frame was drawn with
_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


@functools.cache
def _asset(name: str) -> str:
    """A file shipped in ``tutorial_utils/assets`` (package data): the players' JavaScript and CSS, as
    embeddable HTML (a ``<style>`` element for CSS, the bare script text for JavaScript)."""
    text = resources.files("tutorial_utils").joinpath("assets", name).read_text(encoding="utf-8").strip()
    return f"<style>\n{text}\n</style>" if name.endswith(".css") else text


def _script(name: str, root_id: str) -> str:
    """A ``<script>`` element calling the function in asset ``name`` with the id of its figure's root element."""
    return f"<script>{_asset(name)}({json.dumps(root_id)});</script>"


def _check_name(name) -> str:
    """A figure name usable in HTML ids: lower-case letters, digits and dashes, starting with a letter."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be lower-case letters, digits and dashes starting with a letter, got {name!r}")
    return name


def _json_script(payload) -> str:
    """JSON safe to embed in a <script> element (no closing tag can appear inside it)."""
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def _check_png(dpi, colors) -> tuple[float, int | None]:
    """The PNG settings: a positive ``dpi``, and ``colors`` from 2 to 256 or None (no palette)."""
    dpi = as_float("dpi", dpi, 0, lo_open=True)
    if colors is not None and not 2 <= as_int("colors", colors, 2) <= 256:
        raise ValueError(f"colors must be an int from 2 to 256 or None, got {colors!r}")
    return dpi, colors


def png_bytes(fig, dpi: float = 100, colors: int | None = 64, text: Mapping[str, str] | None = None) -> bytes:
    """The figure as a compact PNG: rendered at ``dpi`` on white, reduced to a ``colors``-entry palette unless None.

    ``text`` entries go into PNG text chunks (a player records each frame's parameters there).
    """
    if not isinstance(fig, mpl.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    dpi, colors = _check_png(dpi, colors)
    if text is not None and (
        not isinstance(text, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in text.items())
    ):
        raise TypeError(f"text must be a mapping of str to str or None, got {text!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    img = Image.open(buf).convert("RGB")
    if colors is not None:
        img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return _encode_png(img, text)


def _encode_png(img: Image.Image, text: Mapping[str, str] | None = None) -> bytes:
    """Save a PIL image as an optimised PNG with optional text chunks."""
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def frame_text(png: bytes) -> dict:
    """The parameters recorded in a player frame's PNG (what :func:`frame_player` drew it with)."""
    if not isinstance(png, (bytes, bytearray)):
        raise TypeError(f"png must be the bytes of a PNG file, got {type(png).__name__}")
    try:
        return json.loads(Image.open(io.BytesIO(png)).text[FRAME_KEY])
    except (OSError, KeyError, ValueError) as err:
        raise ValueError(f"png must be a frame drawn by frame_player (a PNG with a {FRAME_KEY!r} text chunk)") from err


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def _check_grid(grid) -> dict[str, list]:
    """Parameter names (keyword names of ``draw``) mapped to non-empty lists of distinct scalar values."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of parameter name to values, got {grid!r}")
    checked = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"grid keys must be Python identifiers (draw's keyword arguments), got {name!r}")
        if isinstance(values, np.ndarray) and values.ndim == 1:
            values = values.tolist()
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(f"grid[{name!r}] must be a sequence of values, got {type(values).__name__} {values!r}")
        values = [v.item() if isinstance(v, np.generic) else v for v in values]  # NumPy scalars as Python ones
        if not values:
            raise ValueError(f"grid[{name!r}] must hold at least one value, got {values!r}")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise TypeError(f"grid[{name!r}] values must be ints, floats or strings, got {v!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"grid[{name!r}] values must be distinct, got {values!r}")
        checked[name] = values
    return checked


class _FramePlayer:
    """Precomputed frames of a figure with one slider per parameter, shown as self-contained HTML.

    Jupyter and the HTML book both display it (``_repr_html_``): every frame is embedded as a PNG, and a few
    lines of inline JavaScript swap the displayed frame when a slider (or Play/Step) moves. Without
    JavaScript, and in print, the fallback image (or the initial frame) shows instead.
    """

    def __init__(self, name, title, grid, labels, frames, alts, initial, play=None, interval=600, fallback=None):
        self.name, self.title, self.grid, self.labels = name, title, grid, labels
        self.frames, self.alts, self.initial = frames, alts, initial
        self.play, self.interval, self.fallback = play, interval, fallback

    @property
    def id(self) -> str:
        """The HTML id of the player's root element (its other ids extend it)."""
        return f"tu-{self.name}"

    def __len__(self) -> int:
        return len(self.frames)

    def index(self, **params) -> int:
        """Position in ``frames`` of the frame drawn with ``params`` (row-major over the grid, last key fastest)."""
        if set(params) != set(self.grid):
            raise ValueError(f"params must name exactly {list(self.grid)}, got {sorted(params)}")
        index = 0
        for key, values in self.grid.items():
            if params[key] not in values:
                raise ValueError(f"{key} must be one of {values}, got {params[key]!r}")
            index = index * len(values) + values.index(params[key])
        return index

    def __repr__(self) -> str:
        sizes = " x ".join(f"{len(v)} {k}" for k, v in self.grid.items())
        return f"FramePlayer({self.name!r}: {len(self)} frames, {sizes})"

    def _controls(self) -> str:
        pos = dict(zip(self.grid, np.unravel_index(self.initial, [len(v) for v in self.grid.values()])))
        rows = []
        for key, values in self.grid.items():
            ident, label = f"{self.id}-p-{key}", html.escape(self.labels[key])
            value = html.escape(str(values[pos[key]]))
            rows.append(
                f'<div class="tu-control"><label for="{ident}">{label}</label>'
                f'<input type="range" id="{ident}" data-param="{key}" min="0" max="{len(values) - 1}" step="1" '
                f'value="{pos[key]}" aria-valuetext="{value}">'
                f'<output id="{self.id}-v-{key}" for="{ident}">{value}</output></div>'
            )
        if self.play:
            rows.append(
                f'<div class="tu-control"><button type="button" id="{self.id}-play" aria-pressed="false">Play</button>'
                f'<button type="button" id="{self.id}-step">Step</button></div>'
            )
        label = f"{html.escape(self.title)}: controls"
        return f'<div class="tu-controls" role="group" aria-label="{label}">{"".join(rows)}</div>'

    def _repr_html_(self) -> str:
        data = {
            "params": list(self.grid),
            "values": list(self.grid.values()),
            "frames": self.frames,
            "alts": self.alts,
            "play": self.play,
            "interval": self.interval,
        }
        first = self.frames[self.initial]
        fallback = ""
        if self.fallback is not None:
            alt = html.escape(f"{self.title}: every frame at once (static version)")
            fallback = f'<div class="tu-fallback"><img src="data:image/png;base64,{self.fallback}" alt="{alt}"></div>'
        classes = "tu-player tu-has-fallback" if self.fallback is not None else "tu-player"
        return (
            f'<div class="{classes}" id="{self.id}" data-frames="{len(self)}">{_asset("widgets.css")}'
            f'<div class="tu-live"><img id="{self.id}-frame" src="data:image/png;base64,{first}" '
            f'alt="{html.escape(self.alts[self.initial])}" data-frame="{self.initial}"></div>'
            f"{self._controls()}{fallback}"
            f'<script type="application/json" id="{self.id}-data">{_json_script(data)}</script>'
            f"{_script('player.js', self.id)}</div>"
        )


def frame_player(
    draw: Callable[..., mpl.figure.Figure],
    grid: Mapping[str, Sequence],
    name: str,
    title: str,
    labels: Mapping[str, str] | None = None,
    initial: Mapping | None = None,
    play: str | None = None,
    interval: int = 600,
    fallback: mpl.figure.Figure | None = None,
    dpi: float = 100,
    colors: int | None = 64,
) -> _FramePlayer:
    """Render ``draw(**params)`` once for every combination of ``grid`` values and return a player of the frames.

    ``grid`` maps each keyword of ``draw`` to its values (one slider each; the first key varies slowest).
    ``labels`` names the sliders (default: the key with spaces), ``initial`` picks the first frame shown
    (default: the first value of each), ``play`` names the parameter that Play/Step advance (an animation),
    and ``fallback`` is a static figure shown without JavaScript and in print. Every figure is closed after
    rendering; all frames must have the same pixel size, so the page does not jump.
    """
    if not callable(draw):
        raise TypeError(f"draw must be a function of the grid's parameters returning a Figure, got {draw!r}")
    name, grid = _check_name(name), _check_grid(grid)
    if not isinstance(title, str) or not title:
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    for arg, value in (("labels", labels), ("initial", initial)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{arg} must be a mapping of grid parameter to value or None, got {type(value).__name__}")
    as_figure("fallback", fallback, optional=True)
    dpi, colors = _check_png(dpi, colors)
    n_frames = int(np.prod([len(v) for v in grid.values()]))
    if n_frames > MAX_FRAMES:
        raise ValueError(f"grid gives {n_frames} frames, at most {MAX_FRAMES} allowed: restrict the value ranges")
    unknown = (set(labels or {}) | set(initial or {})) - set(grid)
    if unknown:
        raise ValueError(f"labels and initial may only name grid parameters {list(grid)}, got {sorted(unknown)}")
    labels = {key: (labels or {}).get(key, key.replace("_", " ")) for key in grid}
    if play is not None and play not in grid:
        raise ValueError(f"play must name a grid parameter {list(grid)}, got {play!r}")
    interval = as_int("interval", interval, 50)
    start = {key: values[0] for key, values in grid.items()} | dict(initial or {})
    for key, value in start.items():
        if value not in grid[key]:
            raise ValueError(f"initial[{key!r}] must be one of {grid[key]}, got {value!r}")

    frames, alts, size = [], [], None
    for combo in itertools.product(*grid.values()):
        params = dict(zip(grid, combo))
        fig = draw(**params)
        if not isinstance(fig, mpl.figure.Figure):
            raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__} for {params}")
        png = png_bytes(fig, dpi, colors, {FRAME_KEY: json.dumps(params)})
        plt.close(fig)
        shape = Image.open(io.BytesIO(png)).size
        if size is not None and shape != size:
            raise ValueError(f"every frame must have the same size in pixels: {params} gave {shape}, the first {size}")
        size = shape
        frames.append(_b64(png))
        alts.append(f"{title}: " + ", ".join(f"{labels[k]} {v}" for k, v in params.items()))
    static = None
    if fallback is not None:
        static = _b64(png_bytes(fallback, dpi, colors))
        plt.close(fallback)
    player = _FramePlayer(name, title, grid, labels, frames, alts, 0, play, interval, static)
    player.initial = player.index(**start)
    return player


class _Magnifier:
    """Images side by side with one movable window, shown enlarged under every image (self-contained HTML).

    Hovering over any image, or the arrow keys on a focused image (Shift moves a whole window), moves the
    window on all of them at once, so the same pixels of each image can be compared. Without JavaScript,
    and in print, the window stays where it starts.
    """

    def __init__(self, name, title, labels, pngs, height, width, window, zoom, start):
        self.name, self.title, self.labels, self.pngs = name, title, labels, pngs
        self.height, self.width, self.window, self.zoom, self.start = height, width, window, zoom, start

    @property
    def id(self) -> str:
        """The HTML id of the magnifier's root element."""
        return f"tu-{self.name}"

    def __repr__(self) -> str:
        return f"Magnifier({self.name!r}: {len(self.pngs)} images of {self.height}x{self.width}, window {self.window})"

    def _repr_html_(self) -> str:
        row, col, w, z = *self.start, self.window, self.zoom
        data = {"height": self.height, "width": self.width, "window": w, "zoom": z, "row": row, "col": col}
        lens = (
            f"left:{100 * col / self.width}%;top:{100 * row / self.height}%;"
            f"width:{100 * w / self.width}%;height:{100 * w / self.height}%"
        )
        panels = []
        for i, (label, png) in enumerate(zip(self.labels, self.pngs)):
            src, text = f"data:image/png;base64,{png}", html.escape(label)
            zoom_style = (
                f"width:{w * z}px;height:{w * z}px;background-image:url({src});"
                f"background-size:{self.width * z}px {self.height * z}px;"
                f"background-position:{-col * z}px {-row * z}px"
            )
            panels.append(
                f'<figure><div class="tu-mag-stage" tabindex="0" aria-describedby="{self.id}-status">'
                f'<img src="{src}" alt="{text}" width="{self.width}" height="{self.height}">'
                f'<div class="tu-mag-lens" style="{lens}"></div></div>'
                f'<div class="tu-mag-zoom" id="{self.id}-zoom-{i}" role="img" '
                f'aria-label="{text}, {w}x{w} pixels enlarged {z} times" style="{zoom_style}"></div>'
                f"<figcaption>{text}</figcaption></figure>"
            )
        status = f"Zoomed window: rows {row}-{row + w - 1}, columns {col}-{col + w - 1}"
        return (
            f'<div class="tu-magnifier" id="{self.id}" data-row="{row}" data-col="{col}" '
            f'role="group" aria-label="{html.escape(self.title)}">{_asset("widgets.css")}'
            f'<p class="tu-mag-title">{html.escape(self.title)}</p><div class="tu-mag-row">{"".join(panels)}</div>'
            f'<p id="{self.id}-status" aria-live="polite">{status}</p>'
            f'<script type="application/json" id="{self.id}-data">{_json_script(data)}</script>'
            f"{_script('magnifier.js', self.id)}</div>"
        )


def magnifier(
    images: Mapping[str, object],
    name: str,
    title: str,
    window: int = 8,
    zoom: int = 16,
    start=(0, 0),
    *,
    value_range: tuple[float, float],
) -> _Magnifier:
    """A magnifier of labelled images, all of one size, (C, H, W) or (H, W[, C]), whose values span
    ``value_range`` (see :func:`~tutorial_utils.plotting.image_hwc`).

    The pixels are embedded exactly (lossless PNG, drawn without smoothing); ``window`` pixels square are
    shown ``zoom`` times enlarged, starting at ``start`` = (row, column).
    """
    name = _check_name(name)
    as_str("title", title)
    if not isinstance(images, Mapping) or not images:
        raise ValueError(f"images must be a non-empty mapping of label to image, got {type(images).__name__}")
    window, zoom = as_int("window", window, 1), as_int("zoom", zoom, 1)
    pixels = {
        str(label): np.round(plotting.image_hwc(img, value_range=value_range) * 255).astype(np.uint8)
        for label, img in images.items()
    }
    shapes = {label: a.shape[:2] for label, a in pixels.items()}
    if len(set(shapes.values())) != 1 or next(iter(shapes.values()))[0] < 1:
        raise ValueError(f"images must all have the same height and width, got {shapes}")
    height, width = next(iter(shapes.values()))
    if window > min(height, width):
        raise ValueError(f"window must be at most the image size {min(height, width)}, got {window}")
    row, col = as_pair("start", start, 0)
    if row > height - window or col > width - window:
        raise ValueError(f"start must leave the window inside the {height}x{width} image, got {start!r}")
    pngs = [_b64(_encode_png(Image.fromarray(a))) for a in pixels.values()]
    return _Magnifier(name, title, list(pixels), pngs, height, width, window, zoom, (row, col))


# --- The book's players ----------------------------------------------------------------------------------


def overlap_player(
    kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7), input_sizes: Sequence[int] = (4,)
) -> _FramePlayer:
    """The overlap explorer as an HTML player (one frame per k, s and input size); the grid is its print version."""
    grid = {
        "kernel_size": as_ints("kernel_sizes", kernel_sizes, 1),
        "stride": as_ints("strides", strides, 1),
        "input_size": as_ints("input_sizes", input_sizes, 1),
    }
    span = max((n - 1) * s + k for k in grid["kernel_size"] for s in grid["stride"] for n in grid["input_size"])
    if len(grid["input_size"]) == 1:  # a fixed input size needs no slider
        n = grid.pop("input_size")[0]
        draw = lambda kernel_size, stride: overlap_figure(kernel_size, stride, n, span=span)  # noqa: E731
    else:
        draw = lambda kernel_size, stride, input_size: overlap_figure(kernel_size, stride, input_size, span=span)  # noqa: E731
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


def draw_stacked_1d(
    ax, kernel_sizes: Sequence[int], strides: Sequence[int], input_size: int = 3, span: int | None = None
):
    """Stacked transposed convolutions painting row after row: inputs on top, then each layer's counts.

    Each cell of a row paints a k-wide footprint on the next row; every row is drawn centred above what it
    paints, so the last row has the finest spacing. Returns the counts of every row, input first.
    """
    as_axes("ax", ax)
    overlap.effective_kernel(kernel_sizes, strides)  # validates the layers
    layers = list(zip(kernel_sizes, strides))
    n = as_int("input_size", input_size, 1)
    rows = [np.ones(n, dtype=np.int64)]
    for r in range(1, len(layers) + 1):
        rows.append(overlap.stacked_overlap([k for k, _ in layers[:r]], [s for _, s in layers[:r]], n))
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
                ink = plotting.ink_for(face)
                ax.text(x, y[r] + height / 2, str(c), ha="center", va="center", fontsize=6.5, color=ink)
        label = "input" if r == 0 else f"layer {r}: k={layers[r - 1][0]}, s={layers[r - 1][1]}"
        ax.text(-0.6, y[r] + height / 2, label, ha="right", va="center", fontsize=7)
    width = len(rows[-1]) if span is None else max(as_int("span", span, 1), len(rows[-1]))
    ax.set_xlim(-9, width + 0.3)
    ax.set_ylim(-0.1, y[0] + height + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return rows


def stacked_figure(kernel_sizes: Sequence[int], strides: Sequence[int], input_size: int = 3, span: int | None = None):
    """The stacked-layers diagram in its own figure, titled with the period and unevenness of the result."""
    overlap.effective_kernel(kernel_sizes, strides)  # validates the layers
    as_int("input_size", input_size, 1)
    span = None if span is None else as_int("span", span, 1)
    n_rows = len(kernel_sizes) + 1
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * n_rows + 0.5))
    draw_stacked_1d(ax, kernel_sizes, strides, input_size, span)
    ax.set_title(_stacked_title(kernel_sizes, strides), fontsize=9)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86)
    return fig


def stacking_player(
    kernel_sizes: Sequence[int] = range(2, 5), strides: Sequence[int] = range(1, 4), input_size: int = 3
) -> _FramePlayer:
    """Two stacked transposed convolutions, a kernel-size and a stride slider each; the period in the title."""
    ks, ss = as_ints("kernel_sizes", kernel_sizes, 1), as_ints("strides", strides, 1)
    n = as_int("input_size", input_size, 1)
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


def stamping_figure(stamps: int, kernel_sizes: Sequence[int] = (3, 4), stride: int = 2, input_size: int = 4):
    """The 2D overlap map being painted: the first ``stamps`` inputs (row by row) have stamped their kernel.

    Left, the input grid (painted inputs shaded, the latest outlined); then one count map per kernel size,
    with the latest stamp outlined. All maps share one scale of the book's count colours, so the final maps
    compare directly; the counts are written large enough to read (9 pt).
    """
    ks = as_ints("kernel_sizes", kernel_sizes, 1)
    s, n = as_int("stride", stride, 1), as_int("input_size", input_size, 1)
    stamps = as_int("stamps", stamps, 0)
    if stamps > n * n:
        raise ValueError(f"stamps must be at most the number of inputs {n * n}, got {stamps}")
    sizes = [(n - 1) * s + k for k in ks]
    fig, axes = plt.subplots(1, 1 + len(ks), figsize=(7.6, 3.9), gridspec_kw={"width_ratios": [n, *sizes]})
    painted = (np.arange(n * n) < stamps).reshape(n, n)
    axes[0].imshow(painted, cmap=mpl.colors.ListedColormap(["white", INPUT]), vmin=0, vmax=1)
    axes[0].set_title(f"input {n}×{n}", fontsize=9)
    fig.suptitle(f"{stamps} of {n * n} inputs have stamped their kernel", fontsize=10)
    top = max(int(overlap.overlap_counts(k, s, (n, n)).max()) for k in ks)
    for ax, k in zip(axes[1:], ks):
        counts = overlap.stamp_counts(k, s, n, stamps)
        ax.imshow(counts, cmap=plotting.COUNTS, vmin=0, vmax=top, interpolation="nearest")
        for (i, j), c in np.ndenumerate(counts):
            if c:
                ink = plotting.ink_for(plotting.COUNTS(c / top))
                ax.text(j, i, str(c), ha="center", va="center", fontsize=9, color=ink)
        done = "max/min " + f"{overlap.unevenness((k, k), (s, s)):g} (interior)" if stamps == n * n else "painting"
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


def stamping_player(kernel_sizes: Sequence[int] = (3, 4), stride: int = 2, input_size: int = 4) -> _FramePlayer:
    """An animation of 2D stamping (Play, Pause, Step or the slider): one frame per stamp, k=3 beside k=4."""
    n = as_int("input_size", input_size, 1)
    ks, stride = as_ints("kernel_sizes", kernel_sizes, 1), as_int("stride", stride, 1)

    def draw(stamps: int):
        return stamping_figure(stamps, ks, stride, n)

    return frame_player(
        draw,
        {"stamps": list(range(n * n + 1))},
        "stamping-2d",
        "2D stamping, stride " + str(stride),
        labels={"stamps": "inputs stamped"},
        initial={"stamps": n * n},
        play="stamps",
        interval=500,
    )
