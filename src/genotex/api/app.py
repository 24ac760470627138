"""``create_app``: the FastAPI application serving one release through GTEx API v2 paths."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from genotex import __version__
from genotex.api.paging import validation_error_handler
from genotex.api.routes import (
    association,
    dataset,
    dynamic,
    expression,
    genotex,
    reference,
    service,
)
from genotex.config import Settings
from genotex.portal import mount_portal
from genotex.store import Store

#: Longest accepted query string (bytes): room for 60,000 GENCODE IDs, not for abuse.
MAX_QUERY_BYTES = 2_000_000
#: Subfolder of ``Settings.data_dir`` holding releases when no store is passed.
RELEASES_SUBDIR = "releases"


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the API app.

    Parameters
    ----------
    settings
        Limits and paths; default ``Settings()`` (environment ``GENOTEX_*``).
    store
        The release to serve; default: the CURRENT release under
        ``settings.data_dir / "releases"``.

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
    app.middleware("http")(_bound_request_size)
    for module in (service, reference, dataset, expression, association, dynamic, genotex):
        app.include_router(module.router)
    _add_v2_docs_aliases(app)
    mount_portal(app)  # the HTML portal at /, over the same store
    return app


async def _bound_request_size(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse over-long query strings (414) and request bodies (413) before any work."""
    if len(request.scope.get("query_string", b"")) > MAX_QUERY_BYTES:
        return JSONResponse(status_code=414, content={"detail": "Query string too long."})
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_QUERY_BYTES:
        return JSONResponse(status_code=413, content={"detail": "Request body too large."})
    return await call_next(request)


def _add_v2_docs_aliases(app: FastAPI) -> None:
    """Serve the OpenAPI document and docs under ``/api/v2/`` too, as GTEx does."""

    @app.get("/api/v2/openapi.json", include_in_schema=False)
    def openapi_v2() -> dict[str, Any]:
        return app.openapi()

    @app.get("/api/v2/docs", include_in_schema=False)
    def docs_v2() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/v2/openapi.json", title="genotex API")
