"""Build the book with warnings as errors, then open every page in headless Chromium.

The build executes every notebook. The browser check serves _build/html on 127.0.0.1 and, for each page,
loads it, dumps the rendered DOM, saves a screenshot under _build/screenshots, and checks that chapter pages
show their figures (every image is served and decodes) and no error output. Chromium runs with the network
blocked (bookcheck.CHROMIUM_FLAGS). Without Chromium the browser tests skip with the reason, except under
CI=true, where they must run. Fixtures are in conftest.py; test_interactive.py moves every control.
"""

from __future__ import annotations

import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bookcheck import BUILD, CHROMIUM_FLAGS, HTML, ROOT, SCREENSHOTS, chapter_pages, run_chromium, toc_pages  # noqa: F401


def test_every_toc_page_is_built(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").exists(), f"{page}.html missing"
    assert (built_book / "index.html").exists()


class PageParser(HTMLParser):
    """Collects image sources (and those inside cells tagged static-equivalent), counts the HTML players in such
    cells, and counts output blocks that signal errors."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.static_images: list[str] = []
        self.static_cells = 0
        self.static_players = 0
        self.error_blocks = 0
        self._divs: list[bool] = []  # for each open div: does it open a static-equivalent cell?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "div":
            static = "tag_static-equivalent" in cls.split()
            self.static_cells += static
            self._divs.append(static)
        if tag == "div" and "tu-player" in cls.split() and any(self._divs):
            self.static_players += 1
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
            if any(self._divs):
                self.static_images.append(attrs["src"])
        if "output" in cls and ("traceback" in cls or "error" in cls.split()):
            self.error_blocks += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, f"{url}: HTTP {response.status}"
        return response.read()


@pytest.mark.parametrize("page", toc_pages())
def test_page_renders_in_chromium(page, chromium, server):
    url = f"{server}/{page}.html"
    dom = run_chromium(chromium, "--virtual-time-budget=5000", "--dump-dom", url)
    assert "<article" in dom and "</html>" in dom, f"{page}: the page did not render"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{Path(page).name}.png"
    run_chromium(chromium, "--window-size=1280,2400", f"--screenshot={shot}", url)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{page}: no screenshot"

    parser = PageParser()
    parser.feed(dom)
    assert parser.error_blocks == 0, f"{page}: shows {parser.error_blocks} error output(s)"
    assert "Traceback (most recent call last)" not in dom, f"{page}: shows a traceback"
    figures = [src for src in parser.images if "_images/" in src or src.startswith("data:image")]
    base = f"{server}/{page}.html"
    for src in figures:
        if not src.startswith("data:image"):
            body = fetch(urllib.request.urljoin(base, src))
            assert body[:8] == b"\x89PNG\r\n\x1a\n" or body.lstrip()[:4] in (b"<svg", b"<?xm"), f"{page}: {src} is not an image"
    if page.startswith("notebooks/"):
        # Every figure that the chapter's source shows (plt.show() or glue) is on the page.
        source = (ROOT / f"{page}.py").read_text()
        shows = source.count("plt.show()") + source.count("plotting.glue(")
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
