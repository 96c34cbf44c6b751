"""Chapter 02's figures (tutorial_utils.overlap_figures): the overlap explorer builds its sliders, its static
equivalent draws one panel per (k, s), and the book's players hold one frame per combination of slider values."""

import matplotlib

matplotlib.use("Agg")

import base64
import io
import logging

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from tutorial_utils import overlap, overlap_figures, players


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
