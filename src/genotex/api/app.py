"""``create_app``: the FastAPI application serving one release through GTEx API v2 paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from genotex import __version__
from genotex.api.fastlane import FastLane
from genotex.api.paging import validation_error_handler
from genotex.api.routes import (
    association,
    coloc,
    dataset,
    dynamic,
    expression,
    genotex,
    reference,
    service,
)
from genotex.api.timeouts import QueryTimeout
from genotex.config import Settings
from genotex.portal import mount_portal
from genotex.store import Store

#: Longest accepted query string (bytes): room for 60,000 GENCODE IDs, not for abuse.
MAX_QUERY_BYTES = 2_000_000
#: Subfolder of ``Settings.data_dir`` holding releases when no store is passed.
RELEASES_SUBDIR = "releases"
#: Default longest time (seconds) one request may spend querying before it answers 503.
DEFAULT_REQUEST_TIMEOUT_S = 30.0
#: Environment read by :func:`create_app_from_env` (set by ``genotex serve`` for its workers).
ENV_RELEASES = "GENOTEX_SERVE_RELEASES"
ENV_DATASET_ID = "GENOTEX_SERVE_DATASET_ID"
ENV_REQUEST_TIMEOUT = "GENOTEX_REQUEST_TIMEOUT_S"
ENV_SERVING_INDEX = "GENOTEX_SERVE_SERVING_INDEX"


def create_app(settings: Settings | None = None, *, store: Store | None = None,
               request_timeout_s: float | None = DEFAULT_REQUEST_TIMEOUT_S,
               fast_lane: bool = True) -> FastAPI:
    """Build the API app.

    Parameters
    ----------
    settings
        Limits and paths; default ``Settings()`` (environment ``GENOTEX_*``).
    store
        The release to serve; default: the CURRENT release under
        ``settings.data_dir / "releases"``.
    request_timeout_s
        A request whose DuckDB queries run longer is interrupted and answers 503 (see
        :mod:`genotex.api.timeouts`); ``None`` or 0 disables the timeout.
    fast_lane
        Answer plainly valid hot lookups from the store's serving index before FastAPI's
        routing (:mod:`genotex.api.fastlane`; same answers, a fraction of the CPU).

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from genotex.testing import build_tiny_release
    >>> app = create_app(store=Store(build_tiny_release(tempfile.mkdtemp())))
    >>> TestClient(app).get("/api/v2/reference/gene", params={"geneId": "CRP"}).json()[
    ...     "paging_info"]["totalNumberOfItems"]
    1
    """
    settings = settings or Settings()
    if store is None:
        store = Store.open(settings.data_dir / RELEASES_SUBDIR)
    app = FastAPI(
        title="genotex API",
        version=__version__,
        summary="GTEx Portal API v2-compatible access to a genotex release.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
    )
    app.state.settings = settings
    app.state.store = store
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    if fast_lane:
        app.add_middleware(FastLane, store=store,
                           max_items_per_page=settings.api_max_items_per_page)
    app.add_middleware(_BoundRequestSize)
    app.add_middleware(QueryTimeout, seconds=request_timeout_s)
    for module in (service, reference, dataset, expression, association, dynamic, genotex):
        app.include_router(module.router)
    app.include_router(coloc.router)
    _add_v2_docs_aliases(app)
    mount_portal(app)  # the HTML portal at /, over the same store
    return app


def create_app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` and its worker processes (``genotex serve``).

    Reads ``GENOTEX_*`` settings, plus ``GENOTEX_SERVE_RELEASES`` (folder of releases;
    default ``$GENOTEX_DATA_DIR/releases``), ``GENOTEX_SERVE_DATASET_ID`` (default: the
    CURRENT release), ``GENOTEX_REQUEST_TIMEOUT_S`` (default 30; 0 disables) and
    ``GENOTEX_SERVE_SERVING_INDEX`` (default 1: answer the hot lookups from the release's
    serving index, see :mod:`genotex.store.serving`; 0: DuckDB only). Each worker process
    opens its own read-only :class:`~genotex.store.Store`.
    """
    settings = Settings()
    root = Path(os.environ.get(ENV_RELEASES) or settings.data_dir / RELEASES_SUBDIR)
    serving = os.environ.get(ENV_SERVING_INDEX, "1") not in ("0", "false", "")
    store = Store.open(root, os.environ.get(ENV_DATASET_ID) or None, serving_index=serving)
    timeout = float(os.environ.get(ENV_REQUEST_TIMEOUT) or DEFAULT_REQUEST_TIMEOUT_S)
    return create_app(settings, store=store, request_timeout_s=timeout)


class _BoundRequestSize:
    """Refuse over-long query strings (414) and request bodies (413) before any work.

    A plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task per request).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = None
            if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
                problem = (414, "Query string too long.")
            else:
                length = Headers(scope=scope).get("content-length", "0")
                if not length.isdigit() or int(length) > MAX_QUERY_BYTES:
                    problem = (413, "Request body too large.")
            if problem is not None:
                response = JSONResponse(status_code=problem[0], content={"detail": problem[1]})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _add_v2_docs_aliases(app: FastAPI) -> None:
    """Serve the OpenAPI document and docs under ``/api/v2/`` too, as GTEx does."""

    @app.get("/api/v2/openapi.json", include_in_schema=False)
    def openapi_v2() -> dict[str, Any]:
        return app.openapi()

    @app.get("/api/v2/docs", include_in_schema=False)
    def docs_v2() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/v2/openapi.json", title="genotex API")
