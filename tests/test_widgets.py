"""The overlap explorer builds its sliders, its static equivalent draws one panel per (k, s), and the HTML
players and the magnifier embed the right frames and pixels with scripts that address their own elements."""

import matplotlib

matplotlib.use("Agg")

import base64
import io
import json
import logging
import re

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_utils import book, metrics, overlap, overlap_figures, players, plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def displayed(monkeypatch):
    """What the explorer's callback displays: ``IPython.display.display`` records its arguments instead.

    ipywidgets catches a callback's exception and, with no IPython shell, logs it (with one, its output widget
    prints the traceback instead: another test may have started a shell); the shell is hidden so that the log
    always has it (see :func:`callback_errors`).
    """
    import IPython.display
    from ipywidgets.widgets import interaction, widget_output

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kwargs: shown.extend(objs))
    for module in (interaction, widget_output):
        monkeypatch.setattr(module, "get_ipython", lambda: None)
    return shown


class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def callback_errors():
    """``watch(w)`` returns the list of exceptions that the callback of the interactive ``w`` raises from then on:
    ipywidgets catches them and only logs a warning on the widget's own logger (which may not propagate)."""
    watched = []

    def watch(w) -> list[str]:
        logger, handler = getattr(w.log, "logger", w.log), _Messages()
        logger.addHandler(handler)
        watched.append((logger, handler))
        return handler.messages

    yield watch
    for logger, handler in watched:
        logger.removeHandler(handler)


def explorer():
    """The overlap explorer, shown as a notebook shows it: ipywidgets 8 draws the first diagram when the widget is
    made, ipywidgets 7 (Colab's) when it is displayed, so the display is simulated there."""
    w = overlap_figures.overlap_explorer()
    if int(ipywidgets.__version__.split(".")[0]) < 8:
        w._handle_displayed()
    return w


def test_explorer_has_kernel_and_stride_sliders_from_1_to_6(displayed, callback_errors):
    w = explorer()
    errors = callback_errors(w)
    assert isinstance(w, ipywidgets.interactive)
    sliders = {c.description: c for c in w.children if isinstance(c, ipywidgets.IntSlider)}
    assert set(sliders) == {"kernel size", "stride"}
    for s in sliders.values():
        assert (s.min, s.max) == (1, 6)
    assert (sliders["kernel size"].value, sliders["stride"].value) == (3, 2)
    sliders["stride"].value = 3
    sliders["kernel size"].value = 4
    assert errors == []
    # one diagram per draw (the initial one, then one per slider move), each for the sliders' values then
    assert [fig.axes[0].get_title() for fig in displayed] == ["k=3, s=2: 2x", "k=3, s=3: even", "k=4, s=3: 2x"]
    counts = overlap.overlap_counts(4, 3, 4)  # a footprint and a square per input, a cell per output
    assert len(displayed[-1].axes[0].patches) == 2 * 4 + len(counts)
    assert plt.get_fignums() == []  # the callback closes its figures


def test_a_raising_explorer_callback_is_caught(displayed, callback_errors, monkeypatch):
    """The checks above can fail: a callback that raises displays nothing and leaves the logged error behind."""
    w = explorer()
    errors = callback_errors(w)
    monkeypatch.setattr(overlap_figures, "overlap_figure", lambda *args: 1 / 0)
    next(c for c in w.children if isinstance(c, ipywidgets.IntSlider)).value = 5
    assert len(displayed) == 1  # only the initial diagram
    assert errors == ["Exception in interact callback: division by zero"]


def test_static_grid_has_one_panel_per_kernel_size_and_stride():
    fig = overlap_figures.overlap_grid(range(1, 7), range(1, 7))
    assert len(fig.axes) == 36
    assert fig.axes[7].get_title() == "k=2, s=2: even"
    assert overlap_figures.overlap_grid([3, 4], [2]).axes[0].get_title() == "k=3, s=2: 2x"
    assert len(overlap_figures.overlap_grid([3, 4], [2]).axes) == 2


def test_diagram_returns_counts_and_draws_every_cell():
    fig, ax = plt.subplots()
    counts = overlap_figures.draw_overlap_1d(ax, 3, 2, 4)
    assert np.array_equal(counts, overlap.overlap_counts(3, 2, 4))
    # one footprint and one input square per input, one square per output
    assert len(ax.patches) == 2 * 4 + len(counts)
    assert overlap_figures.overlap_figure(1, 3).axes[0].get_title() == "k=1, s=3: gaps"


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="strides must be an int >= 1, got 0"):
        overlap_figures.overlap_grid([3], [0])
    with pytest.raises(ValueError, match="input_size"):
        overlap_figures.overlap_explorer(input_size=0)
    with pytest.raises(ValueError, match="non-empty"):
        overlap_figures.overlap_grid([], [1])


def test_plotting_table_helpers():
    fig, ax = plt.subplots()
    plotting.annotated_heatmap(ax, np.array([[1.0, np.inf], [2.0, 1.0]]), [1, 2], [1, 2])
    assert [t.get_text() for t in ax.texts] == ["1", "inf", "2", "1"]
    table = book.table(["k", "s<t"], [[3, "a"]])
    assert table._repr_markdown_().splitlines() == ["| k | s<t |", "|---:|---|", "| 3 | a |"]
    assert "<th" in table._repr_html_() and "s&lt;t</th>" in table._repr_html_()  # escaped (tests/test_plotting.py)


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


# --- HTML players and the magnifier ----------------------------------------------------------------------


def small_figure(a: int, b: str = "x"):
    """A tiny figure whose pixels depend on ``a`` (one dark column at position a)."""
    fig, ax = plt.subplots(figsize=(1, 0.5))
    ax.imshow(np.eye(1, 4, a), cmap="Greys", vmin=0, vmax=1)
    ax.set_title(b)
    ax.axis("off")
    return fig


def frames_in(html_text: str) -> list[str]:
    """The frames embedded in a player's JSON data."""
    data = re.search(r'<script type="application/json" id="[^"]+-data">(.*?)</script>', html_text, re.S).group(1)
    return json.loads(data)["frames"]


def test_player_renders_one_frame_per_combination_in_row_major_order():
    calls = []

    def draw(a, b):
        calls.append((a, b))
        return small_figure(a, b)

    player = players.frame_player(draw, {"a": [0, 1, 2], "b": ["x", "y"]}, name="demo", title="Demo")
    assert len(player) == 6 and calls == [(0, "x"), (0, "y"), (1, "x"), (1, "y"), (2, "x"), (2, "y")]
    assert plt.get_fignums() == []  # every frame's figure is closed
    for i, (a, b) in enumerate(calls):
        assert player.index(a=a, b=b) == i
        png = base64.b64decode(player.frames[i])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert players.frame_text(png) == {"a": a, "b": b}  # each frame records what it was drawn with
    # The frames differ where the pictures do, and are the same bytes as rendering the figure directly.
    assert len(set(player.frames)) == 6
    direct = players.png_bytes(small_figure(1, "y"), text={players.FRAME_KEY: json.dumps({"a": 1, "b": "y"})})
    assert base64.b64decode(player.frames[player.index(a=1, b="y")]) == direct


def test_player_html_embeds_every_frame_and_labelled_controls():
    player = players.frame_player(
        lambda a, b: small_figure(a, b),
        {"a": [0, 1, 2], "b": ["x", "y"]},
        name="demo",
        title="Demo",
        labels={"a": "column"},
        initial={"a": 2, "b": "y"},
        fallback=small_figure(0),
    )
    page = player._repr_html_()
    assert frames_in(page) == player.frames
    # The image shown first is the initial frame; its alt text names the values.
    first = re.search(
        r'<img id="tu-demo-frame" src="data:image/png;base64,([^"]+)" alt="([^"]+)" data-frame="(\d+)"', page
    )
    assert first.group(1) == player.frames[5] and first.group(3) == "5"
    assert first.group(2) == "Demo: column 2, b y"
    # One labelled range input per parameter, starting at the initial value, with its value shown beside it.
    for key, label, top, pos, value in (("a", "column", 2, 2, "2"), ("b", "b", 1, 1, "y")):
        assert f'<label for="tu-demo-p-{key}">{label}</label>' in page
        assert (
            f'<input type="range" id="tu-demo-p-{key}" data-param="{key}" min="0" max="{top}" step="1" '
            f'value="{pos}" aria-valuetext="{value}">'
        ) in page
        assert f'<output id="tu-demo-v-{key}" for="tu-demo-p-{key}">{value}</output>' in page
    # The fallback is a real image; without play there are no buttons.
    assert (
        'class="tu-player tu-has-fallback"' in page
        and '<div class="tu-fallback"><img src="data:image/png;base64,' in page
    )
    assert "tu-demo-play" not in page


def test_player_script_references_its_own_ids():
    player = players.frame_player(small_figure, {"a": [0, 1]}, name="ids-check", title="T", play="a", interval=250)
    page = player._repr_html_()
    script = page.rsplit("<script>", 1)[1]
    # the script is the shipped assets/player.js, a function of the root id, called with this player's id
    assert script.startswith(players._asset("player.js")) and script.endswith('("tu-ids-check");</script></div>')
    for suffix in ("-data", "-frame", "-p-", "-v-", "-play", "-step"):
        assert f'"#" + id + "{suffix}"' in script
    for ident in (
        "tu-ids-check",
        "tu-ids-check-data",
        "tu-ids-check-frame",
        "tu-ids-check-p-a",
        "tu-ids-check-v-a",
        "tu-ids-check-play",
        "tu-ids-check-step",
    ):
        assert page.count(f'id="{ident}"') == 1
    data = json.loads(re.search(r'id="tu-ids-check-data">(.*?)</script>', page).group(1))
    assert data["params"] == ["a"] and data["values"] == [[0, 1]] and data["play"] == "a" and data["interval"] == 250
    assert len(data["alts"]) == 2
    assert "</script>" not in page.split("<script>")[-1][: -len("</script></div>")]


def test_player_rejects_bad_input_with_clear_messages():
    grid = {"a": [0, 1]}
    with pytest.raises(ValueError, match="name must be lower-case letters"):
        players.frame_player(small_figure, grid, name="Bad Name", title="T")
    with pytest.raises(ValueError, match="grid must be a non-empty mapping"):
        players.frame_player(small_figure, {}, name="n", title="T")
    with pytest.raises(ValueError, match=r"grid\['a'\] must hold at least one value"):
        players.frame_player(small_figure, {"a": []}, name="n", title="T")
    with pytest.raises(ValueError, match=r"grid\['a'\] values must be distinct, got \[1, 1\]"):
        players.frame_player(small_figure, {"a": [1, 1]}, name="n", title="T")
    with pytest.raises(TypeError, match=r"grid\['a'\] must be a sequence of values, got int 3"):
        players.frame_player(small_figure, {"a": 3}, name="n", title="T")
    with pytest.raises(ValueError, match="grid keys must be Python identifiers"):
        players.frame_player(small_figure, {"a b": [1]}, name="n", title="T")
    with pytest.raises(ValueError, match="grid gives 441 frames, at most 400 allowed"):
        players.frame_player(small_figure, {"a": range(21), "b": [str(i) for i in range(21)]}, name="n", title="T")
    with pytest.raises(ValueError, match=r"initial\['a'\] must be one of \[0, 1\], got 5"):
        players.frame_player(small_figure, grid, name="n", title="T", initial={"a": 5})
    with pytest.raises(ValueError, match="labels and initial may only name grid parameters"):
        players.frame_player(small_figure, grid, name="n", title="T", labels={"c": "x"})
    with pytest.raises(ValueError, match="play must name a grid parameter"):
        players.frame_player(small_figure, grid, name="n", title="T", play="b")
    with pytest.raises(TypeError, match="draw must be a function"):
        players.frame_player(None, grid, name="n", title="T")
    with pytest.raises(TypeError, match="draw must return a matplotlib Figure, got int"):
        players.frame_player(lambda a: 3, grid, name="n", title="T")
    with pytest.raises(ValueError, match="every frame must have the same size in pixels"):
        players.frame_player(lambda a: plt.figure(figsize=(1 + a, 1)), grid, name="n", title="T")
    with pytest.raises(ValueError, match="colors must be an int from 2 to 256"):
        players.png_bytes(small_figure(0), colors=300)
    player = players.frame_player(small_figure, {"a": np.arange(2)}, name="n", title="T")  # NumPy values are fine
    assert player.grid == {"a": [0, 1]} and json.loads(
        player._repr_html_().split('id="tu-n-data">')[1].split("</script>")[0]
    )
    with pytest.raises(ValueError, match=r"a must be one of \[0, 1\], got 7"):
        player.index(a=7)


def test_book_players_have_one_frame_per_combination_and_start_on_k3_s2():
    one_d = overlap_figures.overlap_player(kernel_sizes=[1, 3], strides=[2, 3])
    assert len(one_d) == 4 and list(one_d.grid) == ["kernel_size", "stride"] and one_d.fallback is not None
    assert players.frame_text(base64.b64decode(one_d.frames[one_d.initial])) == {"kernel_size": 3, "stride": 2}
    with_sizes = overlap_figures.overlap_player(kernel_sizes=[3], strides=[2], input_sizes=[2, 3])
    assert list(with_sizes.grid) == ["kernel_size", "stride", "input_size"] and len(with_sizes) == 2
    stacked = overlap_figures.stacking_player(kernel_sizes=[3, 4], strides=[2])
    assert len(stacked) == 4 and list(stacked.grid) == ["k1", "s1", "k2", "s2"]
    assert stacked.initial == stacked.index(k1=3, s1=2, k2=3, s2=2)
    stamping = overlap_figures.stamping_player(input_size=2)
    assert len(stamping) == 5 and stamping.play == "stamps" and stamping.initial == 4
    for player in (one_d, stacked, stamping):  # compact palette PNGs of a few kilobytes, all of one size
        assert max(len(f) for f in player.frames) < 20_000, player
        assert len({Image.open(io.BytesIO(base64.b64decode(f))).size for f in player.frames}) == 1
    plt.close("all")


def test_stacked_and_stamping_figures_show_the_right_counts():
    fig, ax = plt.subplots()
    rows = overlap_figures.draw_stacked_1d(ax, [3, 3], [2, 2], 3)
    assert [r.tolist() for r in rows[:2]] == [[1, 1, 1], overlap.overlap_counts(3, 2, 3).tolist()]
    assert np.array_equal(rows[2], overlap.stacked_overlap([3, 3], [2, 2], 3))
    assert (
        overlap_figures.stacked_figure([3, 3], [2, 2]).axes[0].get_title() == "2 layers: period 4, max/min 3 (interior)"
    )
    assert (
        overlap_figures.stacked_figure([4, 4], [2, 2]).axes[0].get_title() == "2 layers: period 1, max/min 1 (interior)"
    )
    assert overlap_figures.stacked_figure([2, 2], [3, 3]).axes[0].get_title() == "2 layers: period 9, gaps (interior)"
    fig = overlap_figures.stamping_figure(16)
    assert [ax.get_title() for ax in fig.axes[1:]] == [
        "k=3, s=2: max/min 4 (interior)",
        "k=4, s=2: max/min 1 (interior)",
    ]
    assert np.array_equal(fig.axes[1].images[0].get_array(), overlap.overlap_counts(3, 2, (4, 4)))
    partial = overlap_figures.stamping_figure(5)
    assert np.array_equal(partial.axes[2].images[0].get_array(), overlap.stamp_counts(4, 2, 4, 5))
    assert partial.axes[0].images[0].get_array().sum() == 5  # five inputs shaded as painted


def test_stamp_counts_build_the_overlap_map():
    assert overlap.stamp_counts(3, 2, 4, 0).sum() == 0
    assert np.array_equal(overlap.stamp_counts(3, 2, (4, 3), 12), overlap.overlap_counts(3, 2, (4, 3)))
    one = overlap.stamp_counts(3, 2, 4, 1)
    assert one.sum() == 9 and one[:3, :3].tolist() == [[1] * 3] * 3
    assert overlap.stamp_counts(2, 1, 2, 2).tolist() == [[1, 2, 1], [1, 2, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match="stamps must be at most the number of inputs 16, got 17"):
        overlap.stamp_counts(3, 2, 4, 17)


def test_magnifier_embeds_exact_pixels_and_one_window():
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 20, 24)), rng.random((3, 20, 24)) * 2 - 1
    mag = players.magnifier(
        {"first": a, "second <b>": b},
        name="mag",
        title="Samples",
        window=4,
        zoom=10,
        start=(3, 5),
        value_range=(-1, 1),
    )
    page = mag._repr_html_()
    srcs = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(srcs) == 2
    for src, img in zip(srcs, (a, b)):
        pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(src))))
        assert pixels.shape == (20, 24, 3)
        assert np.array_equal(pixels, np.round(plotting.image_hwc(img, value_range=(-1, 1)) * 255).astype(np.uint8))
        assert f"background-image:url(data:image/png;base64,{src})" in page  # the zoom shows the same image
    assert page.count("background-position:-50px -30px") == 2 and page.count("background-size:240px 200px") == 2
    assert (
        "second &lt;b&gt;" in page
        and "<b>" not in page.replace("<b>", "", 0).split("tu-mag-row")[1].split("<script")[0]
    )
    assert 'data-row="3" data-col="5"' in page and "rows 3-6, columns 5-8" in page
    script = page.rsplit("<script>", 1)[1]
    assert script.startswith(players._asset("magnifier.js")) and script.endswith('("tu-mag");</script></div>')
    assert '"#" + id + "-data"' in script and '"#" + id + "-status"' in script
    assert page.count('id="tu-mag-status"') == 1 and page.count('id="tu-mag-data"') == 1


def test_magnifier_rejects_bad_input():
    img = np.zeros((3, 16, 16))
    with pytest.raises(ValueError, match="images must all have the same height and width"):
        players.magnifier({"a": img, "b": np.zeros((3, 8, 16))}, name="m", title="T", value_range=(-1, 1))
    with pytest.raises(ValueError, match="window must be at most the image size 16, got 20"):
        players.magnifier({"a": img}, name="m", title="T", window=20, value_range=(-1, 1))
    with pytest.raises(ValueError, match="start must leave the window inside the 16x16 image"):
        players.magnifier({"a": img}, name="m", title="T", window=8, start=(10, 0), value_range=(-1, 1))
    with pytest.raises(ValueError, match="images must be a non-empty mapping"):
        players.magnifier({}, name="m", title="T", value_range=(-1, 1))
    with pytest.raises(ValueError, match="name must be lower-case"):
        players.magnifier({"a": img}, name="_m", title="T", value_range=(-1, 1))
    with pytest.raises(ValueError, match="zoom must be an int >= 1, got 0"):
        players.magnifier({"a": img}, name="m", title="T", zoom=0, value_range=(-1, 1))


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
    # 4 images of 96 px with 1-px white lines, two panels a row 6 px apart: exactly the page's 780 px
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
