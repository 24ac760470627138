"""Dependencies shared by the routes: the release store and the ``datasetId`` check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from genotex.store import Store

#: GTEx dataset IDs that clients send by default; they address the served release.
GTEX_DATASET_ALIASES = ("gtex_v8", "gtex_v10")


async def get_store(request: Request) -> Store:
    """The release this app serves (set by :func:`genotex.api.app.create_app`).

    This and the other cheap dependencies are ``async``: FastAPI would run a plain ``def``
    dependency in its thread pool, one thread hop per dependency per request.
    """
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


async def check_dataset(
    store: StoreDep,
    datasetId: Annotated[str | None, Query(
        description="Unique identifier of a dataset. The served release's datasetId; GTEx's "
                    "'gtex_v8' and 'gtex_v10' are accepted as aliases of it.")] = None,
) -> Store:
    """Accept the served release's datasetId (or a GTEx alias); 422 for anything else."""
    allowed = (store.dataset_id, *GTEX_DATASET_ALIASES)
    if datasetId is not None and datasetId not in allowed:
        expected = ", ".join(f"'{a}'" for a in allowed)
        raise RequestValidationError([{
            "type": "enum", "loc": ("query", "datasetId"), "input": datasetId,
            "msg": f"Input should be {expected}", "ctx": {"expected": expected},
        }])
    return store


DatasetStoreDep = Annotated[Store, Depends(check_dataset)]
