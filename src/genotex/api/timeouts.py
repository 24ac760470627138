"""Request timeouts: a request still querying after N seconds is interrupted and answers 503.

Route handlers run synchronous DuckDB queries in FastAPI's thread pool, where cancelling the
awaiting coroutine would not stop the query. Instead, :class:`QueryTimeout` (a plain ASGI
middleware) registers, through :data:`genotex.store.queries.CURSOR_WATCH`, every DuckDB cursor
the request opens; a timer fires after ``seconds`` and calls ``interrupt()`` on them (and on any
cursor opened later by the same request). The interrupted query raises in its thread, and the
middleware answers ``503 {"detail": "..."}`` with ``Retry-After`` instead of a 500, unless the
response had already started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from typing import Any

import duckdb
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genotex.store.queries import CURSOR_WATCH

logger = logging.getLogger("genotex.api")


class _Watch:
    """The cursors of one request; interrupts them (and later ones) once expired."""

    def __init__(self) -> None:
        self.cursors: list[duckdb.DuckDBPyConnection] = []
        self.expired = False
        self._lock = threading.Lock()

    def __call__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self.cursors.append(cursor)
            expired = self.expired
        if expired:
            cursor.interrupt()

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            cursors = list(self.cursors)
        for cursor in cursors:
            with contextlib.suppress(duckdb.Error):  # closed: that query has finished
                cursor.interrupt()


class QueryTimeout:
    """ASGI middleware interrupting the DuckDB queries of HTTP requests older than ``seconds``.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    seconds
        Longest time a request may spend; ``None`` or ``<= 0`` disables the timeout.
    """

    def __init__(self, app: ASGIApp, *, seconds: float | None) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.seconds or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        watch = _Watch()
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        timer = asyncio.get_running_loop().call_later(self.seconds, watch.expire)
        token = CURSOR_WATCH.set(watch)
        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            if not watch.expired or started:
                raise
            logger.warning("request timed out after %ss: %s %s", self.seconds,
                           scope.get("method"), scope.get("path"))
            await _send_json(send, 503, {
                "detail": f"The request took longer than {self.seconds:g} s and was stopped; "
                          "narrow it (fewer genes or tissues, a smaller page) or retry later."})
        finally:
            timer.cancel()
            CURSOR_WATCH.reset(token)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        (b"retry-after", b"5")]})
    await send({"type": "http.response.body", "body": data})
