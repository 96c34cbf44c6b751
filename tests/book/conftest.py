"""Fixtures of the book checks: the built book, Chromium, a local server and an offline DevTools browser.

Without Chromium the browser checks skip with the reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from bookcheck import BUILD, HTML, ROOT, Browser, DevToolsError, QuietHandler


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


@pytest.fixture(scope="session")
def browser(chromium, built_book):
    """Chromium driven over the DevTools protocol, in a network namespace with only loopback where possible."""
    try:
        b = Browser(chromium, built_book)
    except DevToolsError as err:  # a namespace that unshare grants but Chromium cannot run in
        b = Browser(chromium, built_book, isolate=False)
        b.why_not_isolated = f"Chromium did not start in it: {err}"
    if not b.isolated:
        warnings.warn(
            f"no network namespace ({b.why_not_isolated}): the browser checks block the network "
            "with Chromium's flags only",
            stacklevel=1,
        )
    yield b
    b.close()
