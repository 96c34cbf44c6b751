"""Players that work in the static HTML book with no kernel and no network: a frame player (every frame
precomputed as a compact PNG plus a few lines of JavaScript), a magnifier that zooms into images the same way,
and a table of audio players.

Their JavaScript and CSS ship as package data (``assets/player.js``, ``magnifier.js``, ``players.css``) and are
embedded in each figure's HTML.
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

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ._checks import (
    as_callable,
    as_figure,
    as_float,
    as_image,
    as_int,
    as_range,
    as_str,
    as_text,
    checked,
    int_at_least,
    labelled,
    pair_at_least,
)
from .audio import SAMPLE_RATE

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


def _html_name(name: str, value) -> str:
    """Rule: a figure name usable in HTML ids: lower-case letters, digits and dashes, starting with a letter."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{name} must be lower-case letters, digits and dashes starting with a letter, got {value!r}")
    return value


def _json_script(payload) -> str:
    """JSON safe to embed in a <script> element (no closing tag can appear inside it)."""
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


_DPI = functools.partial(as_float, lo=0, lo_open=True)  # rule: a positive resolution


def _palette(name: str, value) -> int | None:
    """Rule: a palette size from 2 to 256, or None (no palette)."""
    if value is not None and not 2 <= as_int(name, value, 2) <= 256:
        raise ValueError(f"{name} must be an int from 2 to 256 or None, got {value!r}")
    return value


def _text_chunks(name: str, value) -> Mapping[str, str] | None:
    """Rule: a mapping of str to str (PNG text chunks), or None."""
    if value is not None and (
        not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise TypeError(f"{name} must be a mapping of str to str or None, got {value!r}")
    return value


@checked(fig=as_figure, dpi=_DPI, colors=_palette, text=_text_chunks)
def png_bytes(fig, dpi: float = 100, colors: int | None = 64, text: Mapping[str, str] | None = None) -> bytes:
    """The figure as a compact PNG: rendered at ``dpi`` on white, reduced to a ``colors``-entry palette unless None.

    ``text`` entries go into PNG text chunks (a player records each frame's parameters there).
    """
    return _png_bytes(fig, dpi, colors, text)


def _png_bytes(fig, dpi: float, colors: int | None, text: Mapping[str, str] | None = None) -> bytes:
    """:func:`png_bytes` for callers that checked its arguments (a player's frame loop)."""
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


def _png(name: str, value) -> bytes:
    """Rule: the bytes of a file (a PNG)."""
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{name} must be the bytes of a PNG file, got {type(value).__name__}")
    return value


@checked(png=_png)
def frame_text(png: bytes) -> dict:
    """The parameters recorded in a player frame's PNG (what :func:`frame_player` drew it with)."""
    try:
        return json.loads(Image.open(io.BytesIO(png)).text[FRAME_KEY])
    except (OSError, KeyError, ValueError) as err:
        raise ValueError(f"png must be a frame drawn by frame_player (a PNG with a {FRAME_KEY!r} text chunk)") from err


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def _grid(arg: str, grid) -> dict[str, list]:
    """Rule: parameter names (keyword names of ``draw``) mapped to non-empty lists of distinct scalar values, at
    most :data:`MAX_FRAMES` combinations."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"{arg} must be a non-empty mapping of parameter name to values, got {grid!r}")
    sliders = {}
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
        sliders[name] = values
    n_frames = int(np.prod([len(v) for v in sliders.values()]))
    if n_frames > MAX_FRAMES:
        raise ValueError(f"{arg} gives {n_frames} frames, at most {MAX_FRAMES} allowed: restrict the value ranges")
    return sliders


class FramePlayer:
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
            f'<div class="{classes}" id="{self.id}" data-frames="{len(self)}">{_asset("players.css")}'
            f'<div class="tu-live"><img id="{self.id}-frame" src="data:image/png;base64,{first}" '
            f'alt="{html.escape(self.alts[self.initial])}" data-frame="{self.initial}"></div>'
            f"{self._controls()}{fallback}"
            f'<script type="application/json" id="{self.id}-data">{_json_script(data)}</script>'
            f"{_script('player.js', self.id)}</div>"
        )


def _check_sliders(grid: dict, labels, initial, play) -> tuple[dict, dict]:
    """Slider labels (default: the key with spaces) and the first values shown (default: the first of each), which
    may name only grid parameters, like ``play``."""
    for arg, value in (("labels", labels), ("initial", initial)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{arg} must be a mapping of grid parameter to value or None, got {type(value).__name__}")
    unknown = (set(labels or {}) | set(initial or {})) - set(grid)
    if unknown:
        raise ValueError(f"labels and initial may only name grid parameters {list(grid)}, got {sorted(unknown)}")
    if play is not None and play not in grid:
        raise ValueError(f"play must name a grid parameter {list(grid)}, got {play!r}")
    start = {key: values[0] for key, values in grid.items()} | dict(initial or {})
    for key, value in start.items():
        if value not in grid[key]:
            raise ValueError(f"initial[{key!r}] must be one of {grid[key]}, got {value!r}")
    return {key: (labels or {}).get(key, key.replace("_", " ")) for key in grid}, start


@checked(
    draw=functools.partial(as_callable, what="a function of the grid's parameters returning a Figure"),
    grid=_grid,
    name=_html_name,
    title=as_text,
    fallback=functools.partial(as_figure, optional=True),
    interval=int_at_least(50),
    dpi=_DPI,
    colors=_palette,
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
) -> FramePlayer:
    """Render ``draw(**params)`` once for every combination of ``grid`` values and return a player of the frames.

    ``grid`` maps each keyword of ``draw`` to its values (one slider each; the first key varies slowest).
    ``labels`` names the sliders (default: the key with spaces), ``initial`` picks the first frame shown
    (default: the first value of each), ``play`` names the parameter that Play/Step advance (an animation),
    and ``fallback`` is a static figure shown without JavaScript and in print. Every figure is closed after
    rendering; all frames must have the same pixel size, so the page does not jump.
    """
    labels, start = _check_sliders(grid, labels, initial, play)
    frames, alts, size = [], [], None
    for combo in itertools.product(*grid.values()):
        params = dict(zip(grid, combo))
        fig = draw(**params)
        if not isinstance(fig, mpl.figure.Figure):
            raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__} for {params}")
        png = _png_bytes(fig, dpi, colors, {FRAME_KEY: json.dumps(params)})
        plt.close(fig)
        shape = Image.open(io.BytesIO(png)).size
        if size is not None and shape != size:
            raise ValueError(f"every frame must have the same size in pixels: {params} gave {shape}, the first {size}")
        size = shape
        frames.append(_b64(png))
        alts.append(f"{title}: " + ", ".join(f"{labels[k]} {v}" for k, v in params.items()))
    static = None
    if fallback is not None:
        static = _b64(_png_bytes(fallback, dpi, colors))
        plt.close(fallback)
    player = FramePlayer(name, title, grid, labels, frames, alts, 0, play, interval, static)
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
            f'role="group" aria-label="{html.escape(self.title)}">{_asset("players.css")}'
            f'<p class="tu-mag-title">{html.escape(self.title)}</p><div class="tu-mag-row">{"".join(panels)}</div>'
            f'<p id="{self.id}-status" aria-live="polite">{status}</p>'
            f'<script type="application/json" id="{self.id}-data">{_json_script(data)}</script>'
            f"{_script('magnifier.js', self.id)}</div>"
        )


def _images(name: str, value) -> dict[str, np.ndarray]:
    """Rule: a non-empty mapping of label -> image, (C, H, W) or (H, W[, C]), as (H, W[, C]) arrays by label."""
    return {str(label): as_image(f"{name}[{label!r}]", img) for label, img in labelled("image")(name, value).items()}


def _check_window(images: dict[str, np.ndarray], window: int, start: tuple[int, int]) -> tuple[int, int]:
    """The images' common (height, width), which must hold a ``window``-pixel square at ``start``."""
    shapes = {label: a.shape[:2] for label, a in images.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"images must all have the same height and width, got {shapes}")
    height, width = next(iter(shapes.values()))
    if window > min(height, width):
        raise ValueError(f"window must be at most the image size {min(height, width)}, got {window}")
    if start[0] > height - window or start[1] > width - window:
        raise ValueError(f"start must leave the window inside the {height}x{width} image, got {start!r}")
    return height, width


@checked(
    images=_images,
    name=_html_name,
    title=as_str,
    window=int_at_least(1),
    zoom=int_at_least(1),
    start=pair_at_least(0),
    value_range=as_range,
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
    height, width = _check_window(images, window, start)
    low, high = value_range
    pixels = [np.round(np.clip((a - low) / (high - low), 0, 1) * 255).astype(np.uint8) for a in images.values()]
    pngs = [_b64(_encode_png(Image.fromarray(a))) for a in pixels]
    return _Magnifier(name, title, list(images), pngs, height, width, window, zoom, start)


def _sound_rows(name: str, rows) -> list[tuple[str, list[np.ndarray]]]:
    """Rule: a list of (label, [signal, ...]) pairs, every signal non-empty and in [-1, 1], as flat float64
    arrays."""
    if not isinstance(rows, (tuple, list)) or not all(isinstance(r, (tuple, list)) and len(r) == 2 for r in rows):
        raise TypeError(f"{name} must be a list of (label, [signal, ...]) pairs, got {rows!r:.80}")
    checked_rows = []
    for label, signals in rows:
        arrays = []
        for signal in signals:
            x = np.asarray(signal.detach().cpu() if isinstance(signal, torch.Tensor) else signal, dtype=np.float64)
            x = x.ravel()
            if x.size == 0 or not np.isfinite(x).all() or np.abs(x).max() > 1:
                top = float(np.abs(x).max()) if x.size else float("nan")
                raise ValueError(
                    f"{name}: signals must be non-empty and lie in [-1, 1] (normalize=False), got {label!r} "
                    f"with peak {top:.3g}: scale it with to_unit_range"
                )
            arrays.append(x)
        checked_rows.append((str(label), arrays))
    return checked_rows


def _column_names(name: str, value) -> list:
    """Rule: a list (or tuple) of column names."""
    if isinstance(value, str) or not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a list of column names, got {type(value).__name__} {value!r}")
    return value


@checked(rows=_sound_rows, header=_column_names, sample_rate=int_at_least(1))
def sound_table(rows, header, sample_rate: int = SAMPLE_RATE):
    """A table of audio players, one row per label: ``rows`` is a list of (label, [signal, ...]).

    Each signal becomes ``IPython.display.Audio(signal, rate=sample_rate, normalize=False)``: played at the
    level it has, so every sample must already lie in [-1, 1] (scale with :func:`to_unit_range`).
    """
    from IPython.display import HTML, Audio

    body = []
    for label, signals in rows:
        cells = [f"<td>{html.escape(label)}</td>"]
        cells += [f"<td>{Audio(x, rate=sample_rate, normalize=False)._repr_html_()}</td>" for x in signals]
        body.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
