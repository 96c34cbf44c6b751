"""Build the book with warnings as errors, then open every page in headless Chromium.

The build executes every notebook. The browser check serves _build/html on 127.0.0.1 and, for each page,
loads it, dumps the rendered DOM, saves a screenshot under _build/screenshots, and checks that chapter pages
show their figures (every image is served and decodes) and no error output. Without Chromium the browser
tests skip with the reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--hide-scrollbars",
]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


def chapter_pages() -> list[str]:
    return [p for p in toc_pages() if p.startswith("notebooks/")]


@pytest.fixture(scope="session")
def built_book() -> Path:
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--all", "-W", "--keep-going"]
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000)
    log = proc.stdout + proc.stderr
    (BUILD / "build.log").parent.mkdir(exist_ok=True)
    (BUILD / "build.log").write_text(log)
    assert proc.returncode == 0, f"book build failed (log in _build/build.log):\n{log[-6000:]}"
    return HTML


def test_every_toc_page_is_built(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").exists(), f"{page}.html missing"
    assert (built_book / "index.html").exists()


class PageParser(HTMLParser):
    """Collects image sources (and those inside cells tagged static-equivalent), and counts output blocks
    that signal errors."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.static_images: list[str] = []
        self.static_cells = 0
        self.error_blocks = 0
        self._divs: list[bool] = []  # for each open div: does it open a static-equivalent cell?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "div":
            static = "tag_static-equivalent" in cls.split()
            self.static_cells += static
            self._divs.append(static)
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
            if any(self._divs):
                self.static_images.append(attrs["src"])
        if "output" in cls and ("traceback" in cls or "error" in cls.split()):
            self.error_blocks += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (make test installs Debian's chromium under CI)")
        pytest.skip("chromium not found: install Debian's chromium to run the browser check")
    return exe


@pytest.fixture(scope="session")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def run_chromium(exe: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile_dir:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"chromium failed: {proc.stderr[-2000:]}"
    return proc.stdout


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
        # Interactive figures are paired with a static equivalent that the HTML book shows.
        if "widgets." in source and "_explorer(" in source:
            assert parser.static_cells, f"{page}: an interactive figure has no cell tagged static-equivalent"
            assert parser.static_images, f"{page}: the static equivalent of an interactive figure shows no image"
    else:
        # Prose pages paste figures glued in the notebooks (the introduction's gallery): each one is there.
        pasted = len(re.findall(r"^(?:```|:::)\{glue:any\}", (ROOT / f"{page}.md").read_text(), re.MULTILINE))
        assert len(set(figures)) >= pasted, f"{page}: {len(set(figures))} figures rendered for {pasted} pasted"
