"""Paging parameters, the ``{"data", "paging_info"}`` envelope and GTEx-shaped 422 bodies.

GTEx runs FastAPI on pydantic v1, so its validation errors look like
``{"detail": [{"loc": ["query", "page"], "msg": "ensure this value is greater than or equal to
0", "type": "value_error.number.not_ge", "ctx": {"limit_value": 0}}]}``. genotex runs pydantic
v2 and rewrites its errors into that shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from genotex.store import Page

MAX_PAGE = 1_000_000
#: GTEx's own upper bound of ``itemsPerPage``; Settings.api_max_items_per_page may lower it.
GTEX_MAX_ITEMS_PER_PAGE = 100_000
DEFAULT_ITEMS_PER_PAGE = 250


@dataclass(frozen=True)
class Paging:
    page: int
    items_per_page: int


async def paging(
    request: Request,
    page: Annotated[int, Query(ge=0, le=MAX_PAGE,
                               description="The 0-based numeric ID of the page to retrieve")] = 0,
    itemsPerPage: Annotated[int, Query(ge=1, le=GTEX_MAX_ITEMS_PER_PAGE)] = (
        DEFAULT_ITEMS_PER_PAGE
    ),
) -> Paging:
    """The ``page``/``itemsPerPage`` query parameters, bounded as GTEx bounds them (422)."""
    limit = min(GTEX_MAX_ITEMS_PER_PAGE, request.app.state.settings.api_max_items_per_page)
    if itemsPerPage > limit:
        raise RequestValidationError([{
            "type": "less_than_equal", "loc": ("query", "itemsPerPage"),
            "msg": f"Input should be less than or equal to {limit}", "input": itemsPerPage,
            "ctx": {"le": limit},
        }])
    return Paging(page, itemsPerPage)


def envelope(result: Page, paging: Paging) -> dict[str, Any]:
    """Wrap one page of rows in GTEx's envelope.

    >>> envelope(Page([{"a": 1}], total=2), Paging(0, 1))["paging_info"]
    {'numberOfPages': 2, 'page': 0, 'maxItemsPerPage': 1, 'totalNumberOfItems': 2}
    """
    return {
        "data": result.rows,
        "paging_info": {
            "numberOfPages": math.ceil(result.total / paging.items_per_page),
            "page": paging.page,
            "maxItemsPerPage": paging.items_per_page,
            "totalNumberOfItems": result.total,
        },
    }


def json_page(result: Page, paging: Paging) -> Response:
    """:func:`envelope` serialized once with orjson: the lean path of the hot lookups.

    Returning a ``Response`` makes FastAPI skip re-validating the rows against the route's
    ``response_model`` (which stays in the OpenAPI document); the rows are built by the store
    with exactly the model's fields, and tests check that the body equals what the model
    would serialize.

    >>> json_page(Page([{"a": 1.5}], total=1), Paging(0, 250)).body
    b'{"data":[{"a":1.5}],"paging_info":{"numberOfPages":1,"page":0,"maxItemsPerPage":250,\
"totalNumberOfItems":1}}'
    """
    return Response(orjson.dumps(envelope(result, paging), option=orjson.OPT_SERIALIZE_NUMPY),
                    media_type="application/json")


#: Most keys (genes, variants) a lookup may hold to be answered on the event loop from the
#: serving index; larger requests (and any that need DuckDB) run in the thread pool.
MAX_INLINE_KEYS = 50


async def answer(inline: bool, query: Callable[[], Page], paging: Paging) -> Response:
    """Run ``query`` and wrap its page (:func:`json_page`).

    ``inline`` (a serving-index lookup of a few keys: tens of microseconds, no I/O beyond
    memory-mapped pages) runs it directly on the event loop, saving the thread-pool round
    trip; otherwise it runs in the thread pool, as FastAPI runs plain ``def`` routes.
    """
    page = query() if inline else await run_in_threadpool(query)
    return json_page(page, paging)


_LIMITS = {  # pydantic v2 type → (v1 type, v1 message template, ctx key)
    "greater_than_equal": ("value_error.number.not_ge",
                           "ensure this value is greater than or equal to {}", "ge"),
    "less_than_equal": ("value_error.number.not_le",
                        "ensure this value is less than or equal to {}", "le"),
    "greater_than": ("value_error.number.not_gt", "ensure this value is greater than {}", "gt"),
    "less_than": ("value_error.number.not_lt", "ensure this value is less than {}", "lt"),
    "too_short": ("value_error.list.min_items", "ensure this value has at least {} items",
                  "min_length"),
    "too_long": ("value_error.list.max_items", "ensure this value has at most {} items",
                 "max_length"),
    "string_too_short": ("value_error.any_str.min_length",
                         "ensure this value has at least {} characters", "min_length"),
    "string_too_long": ("value_error.any_str.max_length",
                        "ensure this value has at most {} characters", "max_length"),
}
_PLAIN = {
    "missing": ("value_error.missing", "field required"),
    "int_parsing": ("type_error.integer", "value is not a valid integer"),
    "int_from_float": ("type_error.integer", "value is not a valid integer"),
    "float_parsing": ("type_error.float", "value is not a valid float"),
    "bool_parsing": ("type_error.bool", "value could not be parsed to a boolean"),
}


def gtex_error(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic-v2 error as the pydantic-v1 error GTEx returns.

    >>> gtex_error({"type": "greater_than_equal", "loc": ("query", "page"), "msg": "x",
    ...             "ctx": {"ge": 0}})
    {'loc': ['query', 'page'], 'msg': 'ensure this value is greater than or equal to 0', \
'type': 'value_error.number.not_ge', 'ctx': {'limit_value': 0}}
    """
    kind, ctx = error.get("type", ""), dict(error.get("ctx") or {})
    out: dict[str, Any] = {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")}
    if kind in _LIMITS:
        v1, template, key = _LIMITS[kind]
        out.update(msg=template.format(ctx.get(key)), type=v1,
                   ctx={"limit_value": ctx.get(key)})
    elif kind in _PLAIN:
        out.update(msg=_PLAIN[kind][1], type=_PLAIN[kind][0])
    elif kind == "enum":
        out.update(msg=f"value is not a valid enumeration member; permitted: "
                       f"{ctx.get('expected', '')}", type="type_error.enum")
    elif kind == "string_pattern_mismatch":
        out.update(msg=f'string does not match regex "{ctx.get("pattern", "")}"',
                   type="value_error.str.regex", ctx={"pattern": ctx.get("pattern")})
    else:
        out["type"] = f"value_error.{kind}" if kind else "value_error"
    return out


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 with the GTEx (pydantic v1) body shape."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(status_code=422, content={"detail": [gtex_error(e) for e in errors]})
