"""Headless Chromium driven over the DevTools protocol on a pipe, serving the built book with the network blocked.

Run as a script, this file is the launcher: inside a fresh network namespace (``unshare -n``, or
``unshare -rn`` when not root) it brings the loopback interface up, serves a folder on 127.0.0.1 and starts
Chromium with ``--remote-debugging-pipe``. The test process talks to Chromium over two pipes (file
descriptors 3 and 4 on Chromium's side), which cross the namespace boundary where a TCP port would not. In
the namespace only loopback exists, so nothing outside this machine can be reached. Where namespaces are
unavailable, the same launcher runs in the host's network and only Chromium's flags block the network (a
dead proxy for everything but loopback, and no name resolution).

Only the standard library is used: no Selenium, no chromedriver, no websocket client. The module also holds
what the book checks share: where the book is built, which pages the toc lists, and ``run_chromium``.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"

# Flags for every headless run: no background traffic, and no network except loopback even outside a namespace.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
KEYS = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40, "Tab": 9, "Enter": 13}


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


def chapter_pages() -> list[str]:
    return [p for p in toc_pages() if p.startswith("notebooks/")]


def run_chromium(exe: str, *args: str) -> str:
    """One headless Chromium run (e.g. --dump-dom or --screenshot of a URL); returns its stdout."""
    with tempfile.TemporaryDirectory() as profile_dir:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"chromium failed: {proc.stderr[-2000:]}"
    return proc.stdout


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


def loopback_up() -> None:
    """Bring the loopback interface up (a new network namespace starts with it down)."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def _launch(argv: list[str]) -> int:
    """Launcher: ``--fds R W --serve DIR [--loopback-up] -- CHROMIUM ARGS``; prints the server's port."""
    split = argv.index("--")
    opts, chromium = argv[:split], argv[split + 1 :]
    read_fd, write_fd = (int(v) for v in opts[opts.index("--fds") + 1 : opts.index("--fds") + 3])
    read_fd, write_fd = os.dup(read_fd), os.dup(write_fd)  # out of the way before taking 3 and 4
    os.dup2(read_fd, 3)
    os.dup2(write_fd, 4)
    if "--loopback-up" in opts:
        loopback_up()
    handler = functools.partial(QuietHandler, directory=opts[opts.index("--serve") + 1])
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(httpd.server_address[1], flush=True)
    return subprocess.run(chromium, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


class DevToolsError(RuntimeError):
    pass


class Browser:
    """One headless Chromium serving ``root`` on its own loopback; ``isolate`` runs both in a network namespace."""

    def __init__(self, chromium: str, root: Path, isolate: bool = True, timeout: float = 60.0):
        self.timeout = timeout
        self.prefix, self.why_not_isolated = namespace_command() if isolate else ([], "not requested")
        self._profile = tempfile.TemporaryDirectory()
        to_chromium, self._out = os.pipe()
        self._in, from_chromium = os.pipe()
        cmd = [
            *self.prefix,
            sys.executable,
            __file__,
            "--fds",
            str(to_chromium),
            str(from_chromium),
            "--serve",
            str(root),
            *(["--loopback-up"] if self.prefix else []),
            "--",
            chromium,
            *CHROMIUM_FLAGS,
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile.name}",
            "--window-size=1280,1600",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, text=True, pass_fds=(to_chromium, from_chromium), start_new_session=True
        )
        os.close(to_chromium)
        os.close(from_chromium)
        port = self.proc.stdout.readline().strip()
        if not port.isdigit():
            self.close()
            raise DevToolsError(f"the launcher did not start (exit code {self.proc.poll()}): {port!r}")
        self.base = f"http://127.0.0.1:{port}"
        self._buffer, self._next_id, self.events = b"", 0, []
        self.session = None
        self.call("Browser.getVersion")

    @property
    def isolated(self) -> bool:
        return bool(self.prefix)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._in], [], [], remaining)[0]:
                raise DevToolsError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise DevToolsError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send one DevTools command and wait for its result; events that arrive meanwhile go to ``events``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session or (session is None and self.session and not method.startswith(("Browser.", "Target."))):
            message["sessionId"] = session or self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        """Wait for (and consume) the next event ``method`` of the current page."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == self.session:
                    self.events.remove(event)
                    return event["params"]
            self.events.append(self._read(deadline))

    def open(self, path: str, javascript: bool = True) -> None:
        """Load ``path`` (relative to the served folder) in a fresh tab and wait for its load event."""
        if self.session:
            self.call("Target.closeTarget", targetId=self._target)
        self.events.clear()
        self._target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=self._target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.call(f"{domain}.enable")
        if not javascript:
            self.call("Emulation.setScriptExecutionDisabled", value=True)
        self.call("Page.navigate", url=f"{self.base}/{path}")
        self.wait_event("Page.loadEventFired")

    def requests(self) -> list[str]:
        """URLs the current page has requested so far."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def evaluate(self, expression: str):
        """Evaluate JavaScript in the page (promises awaited) and return its value."""
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:200]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def rect(self, selector: str) -> dict:
        """Scroll the element into view and return its bounding box in viewport pixels."""
        return self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"
        )

    def press(self, key: str, shift: bool = False) -> None:
        """Press and release a key in the focused element, as a reader would."""
        code = KEYS[key]
        for kind in ("rawKeyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
                nativeVirtualKeyCode=code,
                modifiers=8 if shift else 0,
            )

    def mouse(self, x: float, y: float, click: bool = False) -> None:
        """Move the mouse to (x, y), and click there when asked."""
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        if click:
            for kind in ("mousePressed", "mouseReleased"):
                self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def screenshot(self, clip: dict) -> bytes:
        """A PNG of the area ``clip`` (x, y, width, height in viewport pixels, as ``rect`` gives them)."""
        scroll = self.evaluate("({x: window.scrollX, y: window.scrollY})")
        clip = {**clip, "x": clip["x"] + scroll["x"], "y": clip["y"] + scroll["y"], "scale": 1}
        return base64.b64decode(self.call("Page.captureScreenshot", format="png", clip=clip)["data"])

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                os.write(self._out, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
                self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, 9)  # the launcher's own process group: Chromium and its helpers
            self.proc.wait()
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1:]))
