"""Headless Chromium driven through the DevTools protocol, with the standard library only.

Chromium started with ``--remote-debugging-pipe`` reads protocol commands from
its file descriptor 3 and writes replies and events to descriptor 4, each
message a JSON object ending in a NUL byte. :class:`Browser` starts it with
two pipes in those places, and :class:`Page` opens one tab, records what the
page logs and every request it makes, and lets a test evaluate JavaScript,
press keys, move the mouse and take screenshots.

The browser runs with a fresh profile, no GPU, no sandbox (containers), and
every background service that would reach the network turned off.
"""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio")
REPLY_TIMEOUT = 60.0  # seconds: only a guard against a hung browser, never a measurement


class BrowserError(RuntimeError):
    pass


def _move_above(fd, lowest):
    """``fd`` duplicated to a descriptor above ``lowest`` (the original closed)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest + 1)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium; use as a context manager."""

    def __init__(self, executable=CHROMIUM):
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Keep the browser's ends clear of 3 and 4, the descriptors they are moved to.
        to_browser_read, from_browser_write = (_move_above(fd, 9) for fd in (to_browser_read,
                                                                              from_browser_write))
        def put_pipes_at_3_and_4():  # runs in the child, just before the browser starts
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [str(executable), *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
             "about:blank"],
            preexec_fn=put_pipes_at_3_and_4, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, method, params=None, session=None):
        """Send one command and wait for its reply; returns the reply's ``result``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self._read_until(lambda m: m.get("id") == self._next_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method, session=None):
        """Wait for an event named ``method`` (one already received counts)."""
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                self.events.remove(event)
                return event
        event = self._read_until(lambda m: m.get("method") == method and m.get("sessionId") == session)
        self.events.remove(event)
        return event

    def _read_until(self, wanted):
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("the browser did not answer")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("the browser closed its pipe")
            self._buffer += chunk

    def new_page(self, width, height):
        return Page(self, width, height)

    def close(self):
        try:
            if self.process.poll() is None:
                self.send("Browser.close")
                self.process.wait(timeout=30)
        except (BrowserError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab of ``width`` x ``height`` CSS pixels that records console messages, errors and requests."""

    def __init__(self, browser, width, height):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.resize(width, height)

    def call(self, method, params=None):
        return self.browser.send(method, params, self.session)

    def resize(self, width, height, mobile=False):
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def open(self, path):
        """Load the file at ``path`` and wait for its load event."""
        self.call("Page.navigate", {"url": Path(path).resolve().as_uri()})
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression):
        """The value of a JavaScript expression (JSON-serialisable values)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _events(self, method):
        return [e["params"] for e in self.browser.events
                if e.get("method") == method and e.get("sessionId") == self.session]

    def problems(self):
        """Console errors and warnings, uncaught exceptions and log errors, as text."""
        found = [f"console.{p['type']}: {p['args']}" for p in self._events("Runtime.consoleAPICalled")
                 if p["type"] in ("error", "warning", "assert")]
        found += [f"exception: {p['exceptionDetails']}" for p in self._events("Runtime.exceptionThrown")]
        found += [f"log {p['entry']['level']}: {p['entry']['text']}" for p in self._events("Log.entryAdded")
                  if p["entry"]["level"] in ("error", "warning")]
        return found

    def requested_urls(self):
        return [p["request"]["url"] for p in self._events("Network.requestWillBeSent")]

    def key(self, key, code, key_code):
        """Press and release one key (e.g. 'End', 'End', 35) on the focused element."""
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                 "windowsVirtualKeyCode": key_code})

    def mouse(self, kind, x, y):
        """A mouse event at (x, y) in CSS pixels of the viewport: 'mouseMoved', 'mousePressed', ..."""
        params = {"type": kind, "x": x, "y": y}
        if kind in ("mousePressed", "mouseReleased"):
            params.update(button="left", clickCount=1)
        self.call("Input.dispatchMouseEvent", params)

    def screenshot(self):
        """The viewport as PNG bytes (encoded for speed: one scanline filter, quick to read back)."""
        shot = self.call("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
        return base64.b64decode(shot["data"])
