"""Fixtures of the book checks: the built book, Chromium, a local server and an offline DevTools browser.

Without Chromium the browser checks skip with the reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import fcntl
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


def build_book() -> tuple[int, str]:
    """`jupyter-book build` of the whole book, strict (-W): its return code and its log."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--all", "-W", "--keep-going"]
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book, built once per test run. Under pytest-xdist (`make test-book` runs 2 workers) every worker asks
    for it: the first to take the lock builds, and the others wait and reuse its result (the run's id, which
    xdist gives every worker of one run, marks which run built it)."""
    BUILD.mkdir(exist_ok=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    done, log_file = BUILD / "build.done", BUILD / "build.log"
    with open(BUILD / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if run is None or not done.exists() or done.read_text().split()[0] != run:
            code, log = build_book()
            log_file.write_text(log)
            done.write_text(f"{run} {code}")
        code = int(done.read_text().split()[1])
    assert code == 0, f"book build failed (log in _build/build.log):\n{log_file.read_text()[-6000:]}"
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
