"""The overlap explorer builds its sliders, and its static equivalent draws one panel per (k, s)."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tutorial_utils import overlap, plotting, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_explorer_has_kernel_and_stride_sliders_from_1_to_6():
    w = widgets.overlap_explorer()
    assert isinstance(w, ipywidgets.interactive)
    sliders = {c.description: c for c in w.children if isinstance(c, ipywidgets.IntSlider)}
    assert set(sliders) == {"kernel size", "stride"}
    for s in sliders.values():
        assert (s.min, s.max) == (1, 6)
    assert (sliders["kernel size"].value, sliders["stride"].value) == (3, 2)
    sliders["stride"].value = 3  # redraws without error
    assert plt.get_fignums() == []  # the callback closes its figures


def test_static_grid_has_one_panel_per_kernel_size_and_stride():
    fig = widgets.overlap_grid(range(1, 7), range(1, 7))
    assert len(fig.axes) == 36
    assert fig.axes[7].get_title() == "k=2, s=2: even"
    assert widgets.overlap_grid([3, 4], [2]).axes[0].get_title() == "k=3, s=2: 2x"
    assert len(widgets.overlap_grid([3, 4], [2]).axes) == 2


def test_diagram_returns_counts_and_draws_every_cell():
    fig, ax = plt.subplots()
    counts = widgets.draw_overlap_1d(ax, 3, 2, 4)
    assert np.array_equal(counts, overlap.overlap_counts(3, 2, 4))
    # one footprint and one input square per input, one square per output
    assert len(ax.patches) == 2 * 4 + len(counts)
    assert widgets.overlap_figure(1, 3).axes[0].get_title() == "k=1, s=3: gaps"


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="strides must be an int >= 1, got 0"):
        widgets.overlap_grid([3], [0])
    with pytest.raises(ValueError, match="input_size"):
        widgets.overlap_explorer(input_size=0)
    with pytest.raises(ValueError, match="non-empty"):
        widgets.overlap_grid([], [1])


def test_plotting_table_helpers():
    fig, ax = plt.subplots()
    plotting.annotated_heatmap(ax, np.array([[1.0, np.inf], [2.0, 1.0]]), [1, 2], [1, 2])
    assert [t.get_text() for t in ax.texts] == ["1", "inf", "2", "1"]
    table = plotting.table(["k", "s<t"], [[3, 2]])
    assert table._repr_markdown_().splitlines() == ["| k | s<t |", "|---|---|", "| 3 | 2 |"]
    assert table._repr_html_() == "<table><thead><tr><th>k</th><th>s&lt;t</th></tr></thead><tbody><tr><td>3</td><td>2</td></tr></tbody></table>"
