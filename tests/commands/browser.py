"""Open an HTML page in headless Chromium and list what went wrong with it.

Standard library only (and matplotlib to read the screenshot). Chromium runs with
--remote-debugging-pipe: it reads NUL-terminated JSON commands of the DevTools protocol
(https://chromedevtools.github.io/devtools-protocol/) on its fd 3 and writes the replies and
events on its fd 4. Events tell what the command-line flags cannot: the level of each console
message (--enable-logging prints them all alike), exceptions, failed loads (a missing image
logs nothing there), and every request the page made.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

# As root in a closed network: no sandbox, and none of Chromium's own connections.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]
WIDTH = 1280  # CSS pixels; the device scale factor is 1, so one CSS pixel is one screenshot pixel
MAX_HEIGHT = 16384  # Chromium's largest texture; a plot below it is checked in the DOM only

# Runs in the page after the load event: waits for every image to decode, then measures.
_MEASURE = """(async () => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; };
  const images = await Promise.all([...document.images].map(async (img) => {
    const decoded = await img.decode().then(() => true, () => false);
    return {alt: img.alt, decoded, complete: img.complete, naturalWidth: img.naturalWidth,
            naturalHeight: img.naturalHeight, ...box(img)};
  }));
  const tables = [...document.querySelectorAll('table')].map((t) => ({
    rows: t.rows.length, cells: t.querySelectorAll('td').length, ...box(t)}));
  const root = document.documentElement;
  return {images, tables, text: document.body ? document.body.innerText.length : 0,
          width: Math.max(root.scrollWidth, 1), height: Math.max(root.scrollHeight, 1)};
})()"""


def find_chromium() -> str | None:
    """Debian's `chromium` (or Ubuntu's `chromium-browser`) on the PATH, else None."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


@dataclass
class PageCheck:
    """What one page did in the browser: its measurements, screenshot and problems."""

    url: str
    images: list[dict]
    tables: list[dict]
    text: int  # characters of visible text
    screenshot: np.ndarray  # (H, W, 3) floats in [0, 1]
    problems: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium with a fresh empty profile; `check(path)` opens one page in a tab."""

    def __init__(self, executable: str, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="rnnlab-chromium-")
        self._log = tempfile.TemporaryFile()
        commands_r, self._commands = os.pipe()  # we write, Chromium reads on its fd 3
        self._replies, replies_w = os.pipe()  # Chromium writes on its fd 4, we read
        commands_r, replies_w = _above_4(commands_r), _above_4(replies_w)
        args = [*FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"]
        # subprocess cannot put a pipe on a given fd number; bash's redirections can (dash's
        # take one digit only, and these numbers may have two).
        script = f'exec "$@" 3<&{commands_r} 4>&{replies_w} {commands_r}<&- {replies_w}>&-'
        self.process = subprocess.Popen(
            ["bash", "-c", script, "bash", executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            pass_fds=(commands_r, replies_w),
            start_new_session=True,  # its helper processes go with it in close()
        )
        os.close(commands_r)
        os.close(replies_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self.version = self.send("Browser.getVersion")["product"]

    # --- the protocol ---------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its reply; events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        """The first event `method` of the session, kept or still to come."""
        while True:
            for event in self._events:
                if event["method"] == method and event.get("sessionId") == session:
                    return event
            self._events.append(self._read())

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer within {self.timeout:.0f} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                self._log.seek(0)
                tail = self._log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"Chromium closed the pipe; its log ends:\n{tail}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    # --- one page -------------------------------------------------------------------------

    def check(self, path: Path) -> PageCheck:
        """Open `path` from file:// in a new tab; measure, screenshot and list its problems."""
        url = Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        session = session["sessionId"]
        try:
            for domain in ("Runtime", "Log", "Network", "Page"):
                self.send(f"{domain}.enable", session=session)
            metrics = {"width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False}
            self.send("Emulation.setDeviceMetricsOverride", metrics, session)
            self._events = [e for e in self._events if e.get("sessionId") != session]
            self.send("Page.navigate", {"url": url}, session)
            self.wait_for("Page.loadEventFired", session)
            found = self.send(
                "Runtime.evaluate",
                {"expression": _MEASURE, "awaitPromise": True, "returnByValue": True},
                session,
            )
            if "exceptionDetails" in found:
                raise RuntimeError(f"measuring {url} failed: {found['exceptionDetails']}")
            page = found["result"]["value"]
            height = min(page["height"], MAX_HEIGHT)
            clip = {"x": 0, "y": 0, "width": page["width"], "height": height, "scale": 1}
            shot = self.send(
                "Page.captureScreenshot",
                {"format": "png", "clip": clip, "captureBeyondViewport": True},
                session,
            )
        finally:
            self.send("Target.closeTarget", {"targetId": target})
        events = [e for e in self._events if e.get("sessionId") == session]
        self._events = []  # the rest: the closed tab's and the browser's own, of no use now
        check = PageCheck(
            url, page["images"], page["tables"], page["text"], _decode_png(shot["data"])
        )
        check.problems = _problems(check, events)
        for ref in outside_references(Path(path).read_text(encoding="utf-8")):
            check.problems.append(f"the HTML refers to a file outside it: {ref[:120]}")
        return check

    def close(self) -> None:
        os.close(self._commands)  # Chromium exits when its pipe closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self._replies)
        self._log.close()
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _above_4(fd: int) -> int:
    """The same pipe end on a number from 10 up, clear of the 3 and 4 it is redirected to."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def _decode_png(data: str) -> np.ndarray:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(base64.b64decode(data)), format="png")  # (H, W, 4) in [0, 1]
    return pixels[..., :3]


# --- the verdict ------------------------------------------------------------------------------


def is_blank(pixels: np.ndarray) -> bool:
    """One flat colour, near enough: fewer than 0.5% of pixels away from the commonest value."""
    if pixels.size == 0:
        return True
    grey = pixels.mean(axis=-1)  # (H, W)
    background = np.bincount(np.round(grey * 100).astype(int).ravel()).argmax() / 100
    return np.mean(np.abs(grey - background) > 0.05) < 0.005 or grey.std() < 0.01


def _problems(check: PageCheck, events: list[dict]) -> list[str]:
    problems = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            problems.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            problems.append(f"uncaught exception: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            problems.append(f"browser log error: {entry['text']} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            request = params["request"]["url"]
            if request != check.url and not request.startswith("data:"):
                problems.append(f"the page loads another resource: {request[:120]}")
        elif method == "Network.loadingFailed":
            problems.append(f"a load failed: {params.get('errorText')}")
    for image in check.images:
        name = image["alt"] or "an image without alt"
        if not (image["complete"] and image["decoded"] and image["naturalWidth"] > 0):
            problems.append(f"image '{name}' did not load")
        elif image["width"] < 50 or image["height"] < 50:
            problems.append(f"image '{name}' is drawn {image['width']}x{image['height']} px")
        elif image["y"] + image["height"] <= len(check.screenshot) and is_blank(
            _crop(check.screenshot, image)
        ):
            problems.append(f"image '{name}' is blank on the screenshot")
    for k, table in enumerate(check.tables, start=1):
        if table["rows"] < 2 or table["cells"] == 0 or table["height"] <= 0:
            problems.append(f"table {k} has no data rows ({table['rows']} rows)")
    if check.text == 0:
        problems.append("the page shows no text")
    if is_blank(check.screenshot):
        problems.append("the screenshot is blank")
    return problems


class _References(HTMLParser):
    """Collects what a page would fetch: src/href of loading tags, url() and @import in CSS."""

    LOADING = {"script", "img", "link", "iframe", "source", "video", "audio", "embed", "object"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag in self.LOADING and name in ("src", "href", "data", "srcset") and value:
                self.found.append(value)
            elif name == "style" and value:
                self.handle_data(value)

    def handle_data(self, data):
        self.found += re.findall(r"url\(\s*['\"]?([^'\")\s]+)", data)
        self.found += re.findall(r"@import\s+['\"]([^'\"]+)", data)


def outside_references(page: str) -> list[str]:
    """Everything the page's HTML or CSS would load that is not embedded in it (data: URIs)."""
    parser = _References()
    parser.feed(page)
    return [ref for ref in parser.found if not ref.startswith(("data:", "#"))]


def _crop(pixels: np.ndarray, box: dict) -> np.ndarray:
    top, left = int(box["y"]), int(box["x"])
    return pixels[top : top + int(box["height"]), left : left + int(box["width"])]
