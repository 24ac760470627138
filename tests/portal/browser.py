"""Helpers of the browser tests: a uvicorn server on 127.0.0.1 and Debian's headless Chromium."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from genotex.api import create_app
from genotex.config import Settings
from genotex.store import Store

CHROMIUM = Path("/usr/bin/chromium")
#: Flags keeping Chromium off the network and quiet (no sandbox: tests may run as root).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars")


def chromium() -> Path | None:
    """Debian's Chromium, or ``None`` when it is not installed."""
    if CHROMIUM.is_file():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """Serve ``create_app(settings, store=store)`` on 127.0.0.1 in a thread; yield its URL."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings or Settings(), store=store), host="127.0.0.1",
                            port=port,
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def dump_dom(url: str, profile: Path, *, budget_ms: int = 5000, width: int = 1280,
             height: int = 1200, screenshot: Path | None = None) -> str:
    """The DOM after the page's scripts ran (``--virtual-time-budget``), optionally a PNG."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium")
    args = [str(exe), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}"]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    else:
        args.append("--dump-dom")
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


@contextmanager
def serve_for_browser(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """:func:`serve` for a browser test; skips it when Debian's Chromium is not installed."""
    if chromium() is None:
        pytest.skip("Debian package chromium is not installed (apt-get install -y chromium)")
    with serve(store, settings) as url:
        yield url
