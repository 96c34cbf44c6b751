"""The HTML players that need no kernel (tutorial_utils.players): a frame player embeds the right frames with
labelled controls and a script that addresses its own elements, the magnifier embeds exact pixels and one
window, and the sound table one player per signal."""

import matplotlib

matplotlib.use("Agg")

import base64
import io
import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_utils import players, plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
    with pytest.raises(TypeError, match="draw must be callable"):
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


def test_sound_table_has_one_row_per_label_and_one_player_per_signal():
    tone = torch.sin(torch.arange(800) / 5.0) * 0.5
    table = players.sound_table([("deconv <k3>", [tone, tone.numpy()]), ("nearest", [np.zeros(800)])], ["", "a", "b"])
    page = table.data
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    assert len(rows) == 3 and rows[0].count("<th>") == 3  # the header and two labels
    assert rows[1].startswith("<td>deconv &lt;k3&gt;</td>") and rows[1].count("<audio") == 2
    assert rows[2].count("<audio") == 1
    with pytest.raises(ValueError, match=r"rows: signals must be non-empty and lie in \[-1, 1\].*peak 2"):
        players.sound_table([("loud", [tone * 4])], ["", "a"])
