"""The built book, opened in headless Chromium with no network: its interactive figures respond to their
controls, and every page typesets its math from the local MathJax copy.

Each frame of a player is a PNG whose text chunk records the parameters it was drawn with, so after a
control moves, the test decodes the image on screen and checks that it is the frame for the values the
controls now show. The checks fail if the JavaScript is removed (nothing changes) or a frame is wrong (its
recorded parameters differ). The magnifier is checked the same way: the enlarged pixels on screen must be
the image's pixels under the window, and the window must follow the pointer and the arrow keys.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time

import pytest
from bookcheck import HTML, toc_pages
from PIL import Image

PLAYERS = {"notebooks/02_overlap": ["overlap-1d", "stamping-2d", "stacked-layers"]}
MAGNIFIERS = {"notebooks/05_gans": ["samples-after-training"]}
FRAME_KEY = "tutorial_utils.frame"  # the PNG text chunk widgets.frame_player writes into every frame

STATE_JS = """(() => {
  const id = %s, get = (suffix) => document.getElementById(id + suffix);
  const root = get(""), img = get("-frame"), data = JSON.parse(get("-data").textContent);
  const visible = (e) => !!e && e.checkVisibility();
  return {
    js: root.classList.contains("tu-js"), src: img.getAttribute("src"), alt: img.alt,
    params: data.params, values: data.values,
    positions: data.params.map((p) => Number(get("-p-" + p).value)),
    shown: data.params.map((p) => get("-v-" + p).textContent),
    controls: visible(root.querySelector(".tu-controls")), live: visible(img),
    fallback: visible(root.querySelector(".tu-fallback img")), has_fallback: !!root.querySelector(".tu-fallback"),
    play: get("-play") ? get("-play").textContent : null,
  };
})()"""

VISIBLE_TEXT_JS = """(() => {
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el && !el.closest(skip) && el.checkVisibility({visibilityProperty: true})) parts.push(node.textContent);
  }
  return parts.join(" ");
})()"""

MATHJAX_DONE_JS = """new Promise((resolve) => {
  const start = Date.now();
  (function poll() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(() => resolve(true));
    else if (Date.now() - start > 30000) resolve(false);
    else setTimeout(poll, 100);
  })();
})"""

RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\(?:begin|end|frac|times|cdot|lceil|rceil|lfloor|rfloor|bmod|pmod)\b")


def decode(src: str) -> Image.Image:
    assert src.startswith("data:image/png;base64,"), f"not an embedded PNG: {src[:40]}"
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def frame_params(src: str) -> dict:
    """The parameters the displayed frame was drawn with, read from the PNG itself."""
    return json.loads(decode(src).text[FRAME_KEY])


def state(browser, player: str) -> dict:
    return browser.evaluate(STATE_JS % json.dumps(f"tu-{player}"))


def assert_shows_its_controls(st: dict, player: str) -> None:
    """The image on screen is the frame for the values the controls are set to, and the labels say so."""
    expected = {p: values[i] for p, values, i in zip(st["params"], st["values"], st["positions"])}
    assert frame_params(st["src"]) == expected, f"{player}: displays {frame_params(st['src'])}, controls say {expected}"
    assert st["shown"] == [str(v) for v in expected.values()], f"{player}: value labels {st['shown']} for {expected}"
    for value in expected.values():
        assert str(value) in st["alt"], f"{player}: alt text {st['alt']!r} does not name {value}"


def player_cases():
    return [(page, name) for page, names in PLAYERS.items() for name in names]


@pytest.mark.parametrize("page, player", player_cases())
def test_player_shows_the_frame_its_controls_select(page, player, browser):
    browser.open(f"{page}.html")
    st = state(browser, player)
    assert st["js"], f"{player}: its script did not run"
    assert st["controls"] and st["live"], f"{player}: controls or image hidden although JavaScript runs"
    assert not st["fallback"], f"{player}: the static fallback shows although JavaScript runs"
    assert_shows_its_controls(st, player)
    for i, param in enumerate(st["params"]):
        # Keyboard: focus the slider and press an arrow key, as a reader without a mouse would.
        before = state(browser, player)
        at_end = before["positions"][i] == len(before["values"][i]) - 1
        browser.evaluate(f"document.getElementById('tu-{player}-p-{param}').focus()")
        browser.page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        after = state(browser, player)
        moved = [b - a for a, b in zip(before["positions"], after["positions"])]
        assert moved == [(-1 if at_end else 1) if j == i else 0 for j in range(len(moved))], (
            f"{player}: {param} moved {moved}"
        )
        assert after["src"] != before["src"], f"{player}: moving {param} did not change the image"
        assert_shows_its_controls(after, player)


SWEEP_JS = """(() => {
  const id = %s, get = (suffix) => document.getElementById(id + suffix);
  const data = JSON.parse(get("-data").textContent), inputs = data.params.map((p) => get("-p-" + p));
  const sizes = data.values.map((v) => v.length), total = sizes.reduce((a, b) => a * b, 1), shown = [];
  for (let i = 0; i < total; i++) {
    let rest = i;
    const positions = sizes.map((_, j) => sizes.slice(j + 1).reduce((a, b) => a * b, 1))
      .map((stride) => { const p = Math.floor(rest / stride); rest %%= stride; return p; });
    inputs.forEach((input, j) => { input.value = positions[j]; });
    inputs[i %% inputs.length].dispatchEvent(new Event("input"));
    shown.push({positions: positions, src: get("-frame").getAttribute("src")});
  }
  return shown;
})()"""


@pytest.mark.parametrize("page, player", player_cases())
def test_player_shows_the_right_frame_for_every_setting(page, player, browser):
    """Every combination of slider positions, set one after another, displays the frame drawn for it."""
    browser.open(f"{page}.html")
    st = state(browser, player)
    shown = browser.evaluate(SWEEP_JS % json.dumps(f"tu-{player}"))
    assert len(shown) == len({src for src in (s["src"] for s in shown)}), f"{player}: two settings show the same image"
    for s in shown:
        expected = {p: values[i] for p, values, i in zip(st["params"], st["values"], s["positions"])}
        assert frame_params(s["src"]) == expected, f"{player}: {expected} displays {frame_params(s['src'])}"


def click(browser, selector: str) -> None:
    """Click the middle of the element, scrolled into view, as a reader would."""
    box = browser.rect(selector)
    browser.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_animation_plays_pauses_and_steps(browser):
    player, page = "stamping-2d", "notebooks/02_overlap"
    browser.open(f"{page}.html")
    st = state(browser, player)
    last = len(st["values"][0]) - 1
    assert st["positions"] == [last] and st["play"] == "Play", st  # starts on the finished map
    click(browser, f"#tu-{player}-step")
    st = state(browser, player)
    assert st["positions"] == [0], f"Step from the last frame goes back to the first, got {st['positions']}"
    assert_shows_its_controls(st, player)
    click(browser, f"#tu-{player}-step")
    assert state(browser, player)["positions"] == [1]
    click(browser, f"#tu-{player}-play")
    assert state(browser, player)["play"] == "Pause"
    deadline = time.monotonic() + 20
    while state(browser, player)["positions"][0] < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    click(browser, f"#tu-{player}-play")  # pause
    paused = state(browser, player)
    assert paused["play"] == "Play" and paused["positions"][0] >= 4, f"playing did not advance: {paused['positions']}"
    assert_shows_its_controls(paused, player)
    time.sleep(1.5)  # three frame intervals
    assert state(browser, player)["positions"] == paused["positions"], "the animation went on after Pause"


@pytest.mark.parametrize("page", sorted(PLAYERS))
def test_players_without_javascript_show_a_static_image(page, browser):
    browser.open(f"{page}.html", javascript=False)
    for player in PLAYERS[page]:
        st = state(browser, player)
        assert not st["js"] and not st["controls"], f"{player}: controls show although they cannot work"
        shown = st["fallback"] if st["has_fallback"] else st["live"]
        assert shown and not (st["has_fallback"] and st["live"]), f"{player}: no static image without JavaScript: {st}"


MAGNIFIER_JS = """(() => {
  const root = document.getElementById(%s), data = JSON.parse(document.getElementById(%s + "-data").textContent);
  const img = root.querySelector("figure img"), lens = root.querySelector(".tu-mag-lens");
  const box = (e) => {
    const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height};
  };
  return {js: root.classList.contains("tu-js"), row: Number(root.dataset.row), col: Number(root.dataset.col),
          data: data, img: box(img), lens: box(lens), src: img.getAttribute("src"),
          zooms: Array.from(root.querySelectorAll(".tu-mag-zoom")).map((z) => z.style.backgroundPosition),
          status: document.getElementById(%s + "-status").textContent};
})()"""


def magnifier_state(browser, name: str) -> dict:
    ident = json.dumps(f"tu-{name}")
    return browser.evaluate(MAGNIFIER_JS % (ident, ident, ident))


def assert_window_consistent(st: dict, name: str) -> None:
    """Every enlarged view and the outline on the image show the window at (row, col)."""
    d, row, col = st["data"], st["row"], st["col"]
    assert 0 <= row <= d["height"] - d["window"] and 0 <= col <= d["width"] - d["window"], st
    expected = f"{-col * d['zoom']}px {-row * d['zoom']}px".replace("-0px", "0px")
    assert all(z.replace("-0px", "0px") == expected for z in st["zooms"]), (
        f"{name}: zoom views {st['zooms']}, expected {expected}"
    )
    scale = st["img"]["width"] / d["width"]
    assert abs(st["lens"]["x"] - st["img"]["x"] - col * scale) <= 1.5, f"{name}: outline not at column {col}"
    assert abs(st["lens"]["y"] - st["img"]["y"] - row * scale) <= 1.5, f"{name}: outline not at row {row}"
    assert f"rows {row}-" in st["status"] and f"columns {col}-" in st["status"], st["status"]


@pytest.mark.parametrize("page, name", [(p, n) for p, names in MAGNIFIERS.items() for n in names])
def test_magnifier_follows_pointer_and_keys(page, name, browser):
    browser.open(f"{page}.html")
    browser.rect(f"#tu-{name}")  # scroll it into view
    st = magnifier_state(browser, name)
    assert st["js"], f"{name}: its script did not run"
    assert_window_consistent(st, name)
    d = st["data"]
    # The pointer over pixel (r, c) of the first image puts that pixel near the middle of the window.
    for r, c in ((d["height"] // 3, d["width"] // 2), (d["height"] - 1, 0), (5, d["width"] - 3)):
        box = st["img"]
        browser.page.mouse.move(
            box["x"] + (c + 0.5) * box["width"] / d["width"], box["y"] + (r + 0.5) * box["height"] / d["height"]
        )
        st = magnifier_state(browser, name)
        assert_window_consistent(st, name)
        for pixel, start, size in ((r, st["row"], d["height"]), (c, st["col"], d["width"])):
            assert start <= pixel < start + d["window"], (
                f"{name}: pixel {(r, c)} outside the window at {st['row'], st['col']}"
            )
            edge = start in (0, size - d["window"])
            assert edge or abs(start + d["window"] / 2 - (pixel + 0.5)) <= 1, f"{name}: window not centred on {(r, c)}"
    # The enlarged view on screen shows exactly the image's pixels under the window.
    zoom = browser.evaluate(
        f"(() => {{ const z = document.getElementById('tu-{name}-zoom-0'), r = z.getBoundingClientRect();"
        " return {x: r.x + z.clientLeft, y: r.y + z.clientTop, width: z.clientWidth, height: z.clientHeight}; })()"
    )
    shot = Image.open(io.BytesIO(browser.page.screenshot(clip=zoom))).convert("RGB")
    image = decode(st["src"]).convert("RGB")
    for i in range(d["window"]):
        for j in range(d["window"]):
            seen = shot.getpixel((int((j + 0.5) * d["zoom"]), int((i + 0.5) * d["zoom"])))
            truth = image.getpixel((st["col"] + j, st["row"] + i))
            assert max(abs(a - b) for a, b in zip(seen, truth)) <= 3, (
                f"{name}: zoomed pixel {(i, j)} is {seen}, image has {truth}"
            )
    # Keyboard: arrows move the window by one pixel, Shift+arrow by a whole window (clamped at the border).
    browser.evaluate(f"document.querySelector('#tu-{name} .tu-mag-stage').focus()")
    browser.page.keyboard.press("ArrowUp")
    browser.page.keyboard.press("ArrowLeft")
    before = magnifier_state(browser, name)
    browser.page.keyboard.press("ArrowDown")
    browser.page.keyboard.press("ArrowRight")
    after = magnifier_state(browser, name)
    assert (after["row"], after["col"]) == (before["row"] + 1, before["col"] + 1), (
        before["row"],
        before["col"],
        after["row"],
        after["col"],
    )
    browser.page.keyboard.press("Shift+ArrowLeft")
    shifted = magnifier_state(browser, name)
    assert shifted["col"] == max(0, after["col"] - d["window"]) and shifted["row"] == after["row"]
    assert_window_consistent(shifted, name)


@pytest.mark.parametrize("page", toc_pages())
def test_math_is_typeset_offline(page, browser):
    raw = (HTML / f"{page}.html").read_text()
    n_math = len(re.findall(r'class="math[ "]', raw))
    browser.open(f"{page}.html")
    if n_math:
        assert browser.evaluate(MATHJAX_DONE_JS), f"{page}: MathJax did not load or finish typesetting"
        containers = browser.evaluate("document.querySelectorAll('mjx-container').length")
        assert containers >= n_math, f"{page}: {containers} typeset formulas for {n_math} in the source"
        assert browser.evaluate("document.querySelectorAll('mjx-merror').length") == 0, f"{page}: MathJax errors"
    text = browser.evaluate(VISIBLE_TEXT_JS)
    raw_tex = sorted(set(RAW_TEX.findall(text)))
    assert not raw_tex, f"{page}: raw TeX in the visible text: {raw_tex}"
    outside = outside_requests(browser)
    assert not outside, f"{page}: requests outside the book: {outside}"


def outside_requests(browser) -> list[str]:
    """What the current page asked for outside the book (inline data and blobs are not requests out)."""
    return [u for u in browser.requests() if not u.startswith((browser.base, "data:", "blob:", "about:"))]


def test_the_request_check_sees_a_page_reach_out_and_nothing_answers(browser):
    """A planted page that shows a picture from another host and fetches three addresses outside the book: the
    check above lists all four requests, and none of them is answered."""
    outside = ["http://example.com/", "http://127.0.0.1:9/", "https://1.1.1.1/"]
    probe = HTML / "_outside_probe.html"
    probe.write_text(
        "<!DOCTYPE html><html><body><img src='https://example.com/a.png'><pre id='out'></pre><script>"
        f"Promise.all({json.dumps(outside)}.map((url) => fetch(url).then(() => 'answered', () => 'failed')))"
        ".then((results) => { document.getElementById('out').textContent = JSON.stringify(results); });"
        "</script></body></html>"
    )
    try:
        browser.open(probe.name)
        results = json.loads(browser.page.wait_for_function("document.getElementById('out').textContent").json_value())
    finally:
        probe.unlink()
    assert sorted(outside_requests(browser)) == sorted(["https://example.com/a.png", *outside])
    assert results == ["failed"] * len(outside), f"a request outside the book was answered: {results}"
