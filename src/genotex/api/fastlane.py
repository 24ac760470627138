"""The fast lane: the hot single-gene/variant GETs answered before FastAPI's routing.

FastAPI spends about 150 µs of CPU per request on routing (a regular expression per route,
in order), dependency solving and parameter validation: more than the serving-index lookup
itself (:mod:`genotex.store.serving`). :class:`FastLane`, a plain ASGI middleware, answers
``geneExpression`` (no ``attributeSubset``), ``medianGeneExpression`` and ``singleTissueEqtl``
directly when the query string is plainly valid: known parameters with in-range values, at
most :data:`~genotex.api.paging.MAX_INLINE_KEYS` genes or variants, and a store with a serving
index. Anything else (a malformed or out-of-range value, a repeated scalar, an unusual
parameter, another method or path) goes on to FastAPI, which answers or refuses it exactly as
before; tests compare both paths on valid and invalid requests. Parameters that GTEx and the
routes ignore are ignored here too.

Its answers carry ``ETag`` (the serving index's fingerprint of the release tables, with the
genotex version: a URL's answer changes only when either does) and ``Cache-Control: public,
max-age=600``; a request whose ``If-None-Match`` names that ETag gets ``304 Not Modified``
without a body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from genotex import __version__
from genotex.api.deps import GTEX_DATASET_ALIASES
from genotex.api.paging import (
    DEFAULT_ITEMS_PER_PAGE,
    GTEX_MAX_ITEMS_PER_PAGE,
    MAX_INLINE_KEYS,
    MAX_PAGE,
    Paging,
    envelope,
)
from genotex.store import Page, Store

Params = dict[str, list[str]]
#: Most tissue IDs a request may list (as the routes' ``max_length``).
MAX_TISSUES = 1_000
#: ``Cache-Control`` of the fast lane's answers (a release never changes in place).
CACHE_CONTROL = b"public, max-age=600"


def _int(values: list[str] | None, default: int, low: int, high: int) -> int | None:
    """One plain decimal in [low, high], the default when absent, else ``None``."""
    if values is None:
        return default
    if len(values) != 1 or not (values[0].isascii() and values[0].isdigit()):
        return None
    number = int(values[0])
    return number if low <= number <= high else None


class FastLane:
    """ASGI middleware answering the hot lookups from the serving index (module docstring).

    Parameters
    ----------
    app
        The wrapped app (FastAPI), which answers every request the fast lane does not.
    store
        The served release; without a serving index every request goes on to ``app``.
    max_items_per_page
        The ``itemsPerPage`` bound (``Settings.api_max_items_per_page``).
    """

    def __init__(self, app: ASGIApp, *, store: Store, max_items_per_page: int) -> None:
        self.app = app
        self.store = store
        self.max_items = min(GTEX_MAX_ITEMS_PER_PAGE, max_items_per_page)
        self.datasets = frozenset((store.dataset_id, *GTEX_DATASET_ALIASES))
        fingerprint = "" if store.serving is None else store.serving.meta["fingerprint"]
        self.etag = ('"' + hashlib.sha256(f"{fingerprint} {__version__}".encode())
                     .hexdigest()[:32] + '"').encode()
        self.routes: dict[str, Callable[[Params, Paging], Page | None]] = {
            "/api/v2/expression/geneExpression": self._gene_expression,
            "/api/v2/expression/medianGeneExpression": self._median_expression,
            "/api/v2/association/singleTissueEqtl": self._eqtls,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET"
                and self.store.serving is not None):
            route = self.routes.get(scope["path"])
            if route is not None:
                body = self._answer(route, scope.get("query_string", b""))
                if body is not None:
                    await self._send(scope, send, body)
                    return
        await self.app(scope, receive, send)

    async def _send(self, scope: Scope, send: Send, body: bytes) -> None:
        headers = [(b"etag", self.etag), (b"cache-control", CACHE_CONTROL)]
        if self._not_modified(scope):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"), *headers]})
        await send({"type": "http.response.body", "body": body})

    def _not_modified(self, scope: Scope) -> bool:
        """``If-None-Match`` lists this ETag (weak or strong) or ``*``."""
        for name, value in scope.get("headers", ()):
            if name == b"if-none-match":
                tags = {t.strip().removeprefix(b"W/") for t in value.split(b",")}
                if self.etag in tags or b"*" in tags:
                    return True
        return False

    def _answer(self, route: Callable[[Params, Paging], Page | None],
                query: bytes) -> bytes | None:
        params: Params = {}
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            params.setdefault(key, []).append(value)
        page = _int(params.get("page"), 0, 0, MAX_PAGE)
        per_page = _int(params.get("itemsPerPage"), DEFAULT_ITEMS_PER_PAGE, 1, self.max_items)
        dataset = params.get("datasetId")
        if page is None or per_page is None or (dataset is not None and (
                len(dataset) != 1 or dataset[0] not in self.datasets)):
            return None
        tissues = params.get("tissueSiteDetailId")
        if tissues is not None and len(tissues) > MAX_TISSUES:
            return None
        paging = Paging(page, per_page)
        result = route(params, paging)
        if result is None:
            return None
        return orjson.dumps(envelope(result, paging), option=orjson.OPT_SERIALIZE_NUMPY)

    def _gene_expression(self, params: Params, paging: Paging) -> Page | None:
        genes = params.get("gencodeId")
        serving = self.store.serving
        if (not genes or len(genes) > MAX_INLINE_KEYS or "attributeSubset" in params
                or serving is None or not serving.has_expression):
            return None
        return self.store.gene_expression(genes, params.get("tissueSiteDetailId"),
                                          page=paging.page, items_per_page=paging.items_per_page)

    def _median_expression(self, params: Params, paging: Paging) -> Page | None:
        genes = params.get("gencodeId")
        serving = self.store.serving
        if not genes or len(genes) > MAX_INLINE_KEYS or serving is None or not serving.has_median:
            return None
        return self.store.median_expression(genes, params.get("tissueSiteDetailId"),
                                            page=paging.page,
                                            items_per_page=paging.items_per_page)

    def _eqtls(self, params: Params, paging: Paging) -> Page | None:
        genes, variants = params.get("gencodeId"), params.get("variantId")
        serving = self.store.serving
        keys = len(genes or ()) + len(variants or ())
        if (serving is None or not serving.has_pairs or not 0 < keys <= MAX_INLINE_KEYS
                or (not serving.has_rs and any(v.lower().startswith("rs")
                                               for v in variants or ()))):
            return None
        return self.store.single_tissue_eqtls(
            gene_ids=genes, variant_ids=variants, tissues=params.get("tissueSiteDetailId"),
            page=paging.page, items_per_page=paging.items_per_page)
