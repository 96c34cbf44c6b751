"""Fixtures of the book checks: the built book, Chromium, and an offline browser driven by Playwright.

Without Chromium the browser checks skip with the reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from bookcheck import BUILD, HTML, ROOT, Browser, find_chromium


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
    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (make test installs Debian's chromium under CI)")
        pytest.skip("chromium not found: install Debian's chromium to run the browser check")
    return exe


@pytest.fixture(scope="session")
def bare_browser(chromium):
    """Chromium driven by Playwright, started before the book is built: it shows the built book (_build/html),
    or another folder inside ``serving``, with the network blocked: in a network namespace with no interface up
    where possible, and always behind Playwright's route and Chromium's flags (bookcheck). One per worker:
    Playwright's sync API runs one driver per thread."""
    b = Browser(chromium, HTML)
    if not b.isolated:
        warnings.warn(
            f"no network namespace ({b.why_not_isolated}): the browser checks block the network "
            "with Playwright's route and Chromium's flags only",
            stacklevel=1,
        )
    yield b
    b.close()


@pytest.fixture(scope="session")
def browser(bare_browser, built_book):
    """The session's Chromium, once the book is built."""
    return bare_browser
