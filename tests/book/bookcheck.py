"""Headless Chromium driven by Playwright, showing the built book with the network blocked.

Playwright for Python (sync API) drives Debian's chromium through ``executable_path``: no browser of
Playwright's own is downloaded or needed. The browser reaches no server. Every request for ``BOOK_URL`` is
answered by Playwright from the served folder (a route on every browser context, answering as a static file
server would), and every other request is aborted. Behind that route stand two more walls:

* where the machine allows it, Playwright's Node.js driver, and Chromium with it, run in a network namespace of
  their own (``unshare -n``, or ``unshare -rn`` when not root) in which no interface is up: the driver talks to
  this process over its standard input and output and to Chromium over a pipe, so neither needs a socket;
* Chromium's flags send every request but loopback ones to a dead proxy and resolve no host name.

The module also holds what the book checks share: where the book is built and which pages the toc lists.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import playwright
import yaml
from playwright.sync_api import BrowserContext, Page, Playwright, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"

# Where the browser finds the served folder. A .localhost name never leaves the machine (RFC 6761) and, like
# 127.0.0.1, makes a secure context; no request for it reaches a server: the route answers them all.
BOOK_URL = "http://book.localhost"

# Chromium's own wall, whatever the namespace: no background traffic, a dead proxy for every request but loopback
# ones, and no name resolution. (Playwright adds --headless, --no-sandbox and its own defaults.)
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


def chapter_pages() -> list[str]:
    return [p for p in toc_pages() if p.startswith("notebooks/")]


def find_chromium() -> str | None:
    """Debian's chromium (or a chromium-browser elsewhere) on the PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def namespace_command() -> tuple[list[str], str]:
    """The ``unshare`` prefix that gives a process its own network namespace, or [] and the reason there is none."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return [], "unshare not found"
    tried = []
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        proc = subprocess.run([*prefix, "true"], capture_output=True, text=True)
        if proc.returncode == 0:
            return prefix, ""
        tried.append(f"{' '.join(prefix[1:])}: {proc.stderr.strip() or proc.returncode}")
    return [], "; ".join(tried)


def isolated_node(prefix: list[str], folder: Path, node: str) -> Path:
    """A script in ``folder`` that runs Node.js ``node`` behind ``prefix`` (``unshare -n``): Playwright starts it
    in place of Node.js for its driver when PLAYWRIGHT_NODEJS_PATH names it."""
    script = folder / "node"
    script.write_text(f'#!/bin/sh\nexec {shlex.join([*prefix, "--", str(node)])} "$@"\n')
    script.chmod(0o755)
    return script


class Browser:
    """Headless Chromium showing the folder ``root`` at BOOK_URL, one page at a time; ``isolate`` runs it in a
    network namespace where the machine allows it (``isolated`` says whether it does, ``why_not_isolated`` why
    not)."""

    def __init__(self, chromium: str, root: Path, isolate: bool = True, timeout: float = 60.0):
        self.root, self.timeout, self.base = Path(root).resolve(), timeout, BOOK_URL
        self.prefix, self.why_not_isolated = namespace_command() if isolate else ([], "not requested")
        self._scratch = tempfile.TemporaryDirectory()
        self._contexts: dict[tuple[bool, bool], BrowserContext] = {}
        self.page: Page | None = None
        self._requests: list[str] = []
        try:
            self._start(chromium)
        except Exception as err:  # a namespace that unshare grants but the driver or Chromium cannot run in
            if not self.prefix:
                self._scratch.cleanup()
                raise
            self.prefix, self.why_not_isolated = [], f"Playwright's driver or Chromium did not start in it: {err}"
            self._start(chromium)

    def _start(self, chromium: str) -> None:
        """Start Playwright's driver (in the namespace, if there is one) and launch Chromium from it."""
        saved = os.environ.get("PLAYWRIGHT_NODEJS_PATH")
        if self.prefix:
            node = saved or str(Path(playwright.__file__).parent / "driver" / "node")
            os.environ["PLAYWRIGHT_NODEJS_PATH"] = str(isolated_node(self.prefix, Path(self._scratch.name), node))
        try:
            self._playwright: Playwright = sync_playwright().start()
        finally:
            if saved is None:
                os.environ.pop("PLAYWRIGHT_NODEJS_PATH", None)
            else:
                os.environ["PLAYWRIGHT_NODEJS_PATH"] = saved
        try:
            self.browser = self._playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS, timeout=self.timeout * 1000
            )
        except BaseException:
            self._playwright.stop()
            raise

    @property
    def isolated(self) -> bool:
        return bool(self.prefix)

    @contextlib.contextmanager
    def serving(self, root: Path) -> Iterator[None]:
        """Show the folder ``root`` in place of the book's for the pages opened in the block (a planted page's):
        Playwright's sync API runs one driver, and so one Browser, per thread."""
        book, self.root = self.root, Path(root).resolve()
        try:
            yield
        finally:
            self.root = book

    def _file(self, url: str) -> Path | None:
        """The file under ``root`` that a URL of the book names (index.html for a folder), or None if none."""
        path = (self.root / unquote(urlsplit(url).path).lstrip("/")).resolve()
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_relative_to(self.root) and path.is_file() else None

    def _serve(self, route: Route) -> None:
        """Answer a request for the book from ``root`` as a static file server would (404 for a file it lacks),
        and abort every other request."""
        url = route.request.url
        if not url.startswith(self.base + "/"):
            route.abort("blockedbyclient")
        elif (path := self._file(url)) is not None:
            route.fulfill(path=path)  # with the Content-Type of the file's extension
        else:
            route.fulfill(status=404, body="not found")

    def _context(self, javascript: bool, mobile: bool) -> BrowserContext:
        """The browser context for pages with or without JavaScript, on a desktop or a phone: made once each, since
        a context takes longer to make than a page, and routed through ``_serve``."""
        if (javascript, mobile) not in self._contexts:
            context = self.browser.new_context(device_scale_factor=1, is_mobile=mobile, java_script_enabled=javascript)
            context.set_default_timeout(self.timeout * 1000)
            context.route("**/*", self._serve)
            self._contexts[javascript, mobile] = context
        return self._contexts[javascript, mobile]

    def open(
        self, path: str, javascript: bool = True, width: int = 1280, height: int = 1600, mobile: bool = False
    ) -> Page:
        """Load ``path`` (relative to the served folder) in a fresh page with a ``width`` x ``height`` window (a
        phone's when ``mobile``), wait for its load event, and return the page."""
        if self.page is not None:
            self.page.close()
        self.page = self._context(javascript, mobile).new_page()
        self.page.set_viewport_size({"width": width, "height": height})
        self._requests = []
        self.page.on("request", lambda request: self._requests.append(request.url))
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        return self.page

    def requests(self) -> list[str]:
        """URLs the current page has requested so far (those the route aborted included)."""
        return list(self._requests)

    def evaluate(self, expression: str):
        """Evaluate JavaScript in the page (promises awaited) and return its value."""
        return self.page.evaluate(expression)

    def rect(self, selector: str) -> dict:
        """Scroll the element into view and return its bounding box in viewport pixels."""
        return self.page.evaluate(
            """(selector) => { const e = document.querySelector(selector); e.scrollIntoView({block: 'center'});
               const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; }""",
            selector,
        )

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()
            self._scratch.cleanup()
