"""Build the book with warnings as errors, then open every page in headless Chromium.

The build executes every notebook. The browser check shows _build/html in one Chromium driven by Playwright and,
for each page, loads it, reads the rendered DOM, saves a screenshot under _build/screenshots, and checks that
chapter pages show their figures (every image is served and decodes) and no error output. Chromium runs with the
network blocked (bookcheck). Without Chromium the browser tests skip with the reason, except under CI=true,
where they must run. Fixtures are in conftest.py; test_interactive.py moves every control.
"""

from __future__ import annotations

import base64
import contextlib
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bookcheck import HTML, ROOT, SCREENSHOTS, toc_pages
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def test_every_toc_page_is_built(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").exists(), f"{page}.html missing"
    assert (built_book / "index.html").exists()


WIDGETS = ("tu-player", "tu-magnifier")  # the HTML players and magnifiers of tutorial_utils.widgets


class PageParser(HTMLParser):
    """Collects image sources (and those inside cells tagged static-equivalent), counts the HTML players in such
    cells, and counts output blocks that signal errors. ``figures`` are the images outside players and
    magnifiers: the matplotlib figures (a player's frames and a magnifier's panels are not figures)."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.figures: list[str] = []
        self.static_images: list[str] = []
        self.static_cells = 0
        self.static_players = 0
        self.error_blocks = 0
        self._divs: list[tuple[bool, bool]] = []  # for each open div: (a static-equivalent cell?, a widget?)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "div":
            static = "tag_static-equivalent" in cls.split()
            self.static_cells += static
            self._divs.append((static, any(w in cls.split() for w in WIDGETS)))
        if tag == "div" and "tu-player" in cls.split() and any(s for s, _ in self._divs):
            self.static_players += 1
        if tag == "img" and attrs.get("src"):
            src = attrs["src"]
            self.images.append(src)
            if any(s for s, _ in self._divs):
                self.static_images.append(src)
            if not any(w for _, w in self._divs) and ("_images/" in src or src.startswith("data:image")):
                self.figures.append(src)
        if "output" in cls and ("traceback" in cls or "error" in cls.split()):
            self.error_blocks += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()


def test_figures_are_matplotlib_images_not_player_frames_or_magnifier_panels():
    """A page whose only images are a player's frame and a magnifier's panel shows no figure (the count used to
    include them, so a chapter could pass with no matplotlib figure on the page)."""
    frame = "data:image/png;base64,iVBORw0KGgo="
    page = (
        f'<div class="cell tag_static-equivalent"><div class="tu-player" id="tu-p"><div class="tu-live">'
        f'<img src="{frame}"></div></div></div><div class="tu-magnifier"><figure><div class="tu-mag-stage">'
        f'<img src="{frame}"></div></figure></div>'
    )
    parser = PageParser()
    parser.feed(page)
    assert len(parser.images) == 2 and parser.static_images == [frame] and parser.static_players == 1
    assert parser.figures == []
    parser = PageParser()
    parser.feed(page + '<div class="cell_output"><img src="../_images/fig.png"></div>')
    assert parser.figures == ["../_images/fig.png"]


# A fetch by the page itself, so the file comes the way the page's own images come: through the browser's route.
FETCH_JS = """async (url) => {
  const response = await fetch(url), bytes = new Uint8Array(await response.arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return {status: response.status, body: btoa(text)};
}"""


def fetch(browser, url: str) -> bytes:
    """The body the browser is served for ``url``, which must answer 200."""
    response = browser.page.evaluate(FETCH_JS, url)
    assert response["status"] == 200, f"{url}: HTTP {response['status']}"
    return base64.b64decode(response["body"])


@pytest.mark.parametrize("page", toc_pages())
def test_page_renders_in_chromium(page, browser):
    """Each page loads in the session's Chromium (one browser for every page, not two launches per page)."""
    browser.open(f"{page}.html")
    dom = browser.evaluate("document.documentElement.outerHTML")
    assert "<article" in dom and "</html>" in dom, f"{page}: the page did not render"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{Path(page).name}.png"
    shot.write_bytes(browser.page.screenshot())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{page}: no screenshot"

    parser = PageParser()
    parser.feed(dom)
    assert parser.error_blocks == 0, f"{page}: shows {parser.error_blocks} error output(s)"
    assert "Traceback (most recent call last)" not in dom, f"{page}: shows a traceback"
    figures = parser.figures
    for src in figures:
        if not src.startswith("data:image"):
            body = fetch(browser, urllib.parse.urljoin(browser.page.url, src))
            assert body[:8] == b"\x89PNG\r\n\x1a\n" or body.lstrip()[:4] in (b"<svg", b"<?xm"), (
                f"{page}: {src} is not an image"
            )
    if page.startswith("notebooks/"):
        # Every figure that the chapter's source shows (plt.show() or a glued figure) is on the page; glued
        # tables and numbers (display=False) are not figures.
        source = (ROOT / f"{page}.py").read_text()
        shows = source.count("plt.show()") + len(re.findall(r"plotting\.glue\(\"\w+\", fig\b", source))
        assert shows and len(set(figures)) >= shows, f"{page}: {len(set(figures))} figures rendered for {shows} shown"
        # Interactive figures are paired with a static equivalent that the HTML book shows: an HTML player of
        # precomputed frames (widgets.frame_player), which works without a kernel.
        if "widgets." in source and "_explorer(" in source:
            assert parser.static_cells, f"{page}: an interactive figure has no cell tagged static-equivalent"
            assert parser.static_players, f"{page}: the static equivalent of an interactive figure is no HTML player"
            assert parser.static_images, f"{page}: the static equivalent of an interactive figure shows no image"
    else:
        # Prose pages paste figures glued in the notebooks (the introduction's gallery): each one is there.
        pasted = len(re.findall(r"^(?:```|:::)\{glue:any\}", (ROOT / f"{page}.md").read_text(), re.MULTILINE))
        assert len(set(figures)) >= pasted, f"{page}: {len(set(figures))} figures rendered for {pasted} pasted"


def test_audio_chapter_has_playable_embedded_wav_players(browser):
    """Chapter 08's players render as <audio controls> elements whose sources are embedded WAV files (base64
    data URIs that decode to a RIFF/WAVE header and a readable PCM stream), and Chromium loads each one's
    metadata (a positive duration), which it only does for media it can play."""
    import base64
    import io
    import json
    import wave

    page = "notebooks/08_audio"
    dom = browser.open(f"{page}.html").content()
    players = re.findall(r"<audio\b([^>]*)>(.*?)</audio>", dom, flags=re.DOTALL)
    assert len(players) >= 10, f"{page}: {len(players)} <audio> elements, expected a player per output"
    for attrs, inner in players:
        assert "controls" in attrs, f"{page}: an <audio> element without controls"
        sources = re.findall(r'<source\b[^>]*\bsrc="data:audio/wav;base64,([^"]+)"', inner)
        assert len(sources) == 1, f"{page}: an <audio> element without one embedded WAV source: {inner[:200]}"
        data = base64.b64decode(sources[0], validate=True)
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", f"{page}: not a RIFF/WAVE file: {data[:12]!r}"
        with wave.open(io.BytesIO(data)) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getframerate() >= 8000
            assert wav.getnframes() > 0 and len(wav.readframes(wav.getnframes())) == 2 * wav.getnframes()
    # Playable: a probe page next to the chapter (same origin) loads it in a frame and asks Chromium for each
    # player's duration; the probe is written into the served build and removed again.
    probe = HTML / "_audio_probe.html"
    probe.write_text(
        "<!DOCTYPE html><html><body><iframe id='f' src='notebooks/08_audio.html'></iframe><script>"
        "document.getElementById('f').addEventListener('load', async () => {"
        " const audios = [...document.getElementById('f').contentDocument.querySelectorAll('audio')];"
        " const durations = await Promise.all(audios.map(a => new Promise(done => {"
        "  if (a.readyState >= 1) { done(a.duration); return; }"
        "  a.addEventListener('loadedmetadata', () => done(a.duration));"
        "  a.addEventListener('error', () => done(-1));"
        "  a.preload = 'metadata'; a.load(); })));"
        " const out = document.createElement('pre'); out.id = 'durations';"
        " out.textContent = JSON.stringify(durations); document.body.appendChild(out); });"
        "</script></body></html>"
    )
    try:
        browser.open(probe.name)
        with contextlib.suppress(PlaywrightTimeoutError):  # no report in time: the assertion below says so
            browser.page.wait_for_selector("#durations", state="attached", timeout=20_000)
        probed = browser.page.content()
    finally:
        probe.unlink()
    found = re.search(r'<pre id="durations">(.*?)</pre>', probed, flags=re.DOTALL)
    assert found, f"{page}: the probe page reported no durations (the players did not load)"
    durations = json.loads(found.group(1))
    assert len(durations) == len(players), (
        f"{page}: the probe saw {len(durations)} players, the page has {len(players)}"
    )
    assert all(isinstance(d, (int, float)) and d > 0 for d in durations), (
        f"{page}: players Chromium could not load: {durations}"
    )
