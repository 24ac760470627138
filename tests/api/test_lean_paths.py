"""The hot lookups' lean path (serving index, orjson, no response re-validation) answers
what the DuckDB path and the documented response models answer."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from genotex.api import create_app
from genotex.api.models import (
    GeneExpression,
    MedianGeneExpression,
    PaginatedResponse,
    SingleTissueEqtl,
)
from genotex.config import Settings
from genotex.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CRP = "ENSG00000132693.12"
CASES: list[tuple[str, dict[str, Any], type]] = [
    ("/api/v2/expression/geneExpression", {"gencodeId": CRP}, GeneExpression),
    ("/api/v2/expression/geneExpression",
     {"gencodeId": [CRP, "ENSG00000160791.17"], "tissueSiteDetailId": ["Lung", "Liver"],
      "itemsPerPage": 2, "page": 1}, GeneExpression),
    ("/api/v2/expression/geneExpression", {"gencodeId": CRP, "attributeSubset": "sex"},
     GeneExpression),
    ("/api/v2/expression/medianGeneExpression", {"gencodeId": CRP}, MedianGeneExpression),
    ("/api/v2/expression/medianGeneExpression",
     {"gencodeId": [CRP, "ENSG00000160791.17"], "tissueSiteDetailId": "UBERON:0013756"},
     MedianGeneExpression),
    ("/api/v2/association/singleTissueEqtl", {"gencodeId": CRP}, SingleTissueEqtl),
    ("/api/v2/association/singleTissueEqtl", {"variantId": "rs3091244"}, SingleTissueEqtl),
    ("/api/v2/association/singleTissueEqtl",
     {"variantId": ["chr1_159690000_C_T_b38", "rs3091244"], "tissueSiteDetailId": "Liver"},
     SingleTissueEqtl),
    ("/api/v2/association/singleTissueEqtl", {"tissueSiteDetailId": "Whole_Blood",
                                              "itemsPerPage": 1}, SingleTissueEqtl),
]


@pytest.fixture(scope="module")
def sql_client(api_store: Store) -> TestClient:
    """The same release without the serving index: every lookup runs DuckDB."""
    return TestClient(create_app(Settings(), store=Store(api_store.path)))


def test_api_store__uses_the_serving_index(api_store: Store) -> None:
    assert api_store.serving is not None and api_store.serving.has_expression


@pytest.mark.parametrize(("path", "params", "model"), CASES)
def test_lean_path__same_body_as_duckdb_path_and_model(client, sql_client, path: str,  # type: ignore[no-untyped-def]
                                                       params: dict[str, Any],
                                                       model: type) -> None:
    fast, plain = client.get(path, params=params), sql_client.get(path, params=params)
    assert fast.status_code == plain.status_code == 200
    assert fast.headers["content-type"] == "application/json"
    body = fast.json()
    assert body == plain.json()
    assert body["data"], "a case that finds nothing proves nothing"
    validated = PaginatedResponse[model].model_validate(body)  # type: ignore[valid-type]
    assert validated.model_dump(mode="json") == body


@pytest.mark.parametrize("params", [
    {"gencodeId": CRP, "page": -1}, {"gencodeId": CRP, "itemsPerPage": 0}, {},
    {"gencodeId": CRP, "datasetId": "gtex_v1"},
])
def test_lean_path__errors_unchanged(client, sql_client, params: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/v2/expression/geneExpression", "/api/v2/expression/medianGeneExpression"):
        fast, plain = client.get(path, params=params), sql_client.get(path, params=params)
        assert fast.status_code == plain.status_code == 422
        assert fast.json() == plain.json()


def test_openapi__hot_routes_keep_their_response_models(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    for path, name in (("/api/v2/expression/geneExpression", "GeneExpression"),
                       ("/api/v2/association/singleTissueEqtl", "SingleTissueEqtl")):
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert name in str(schema["schema"])


@pytest.fixture(scope="module")
def routed_client(api_store: Store) -> TestClient:
    """Serving index, but every request through FastAPI's routing (no fast lane)."""
    return TestClient(create_app(Settings(), store=api_store, fast_lane=False))


FAST_LANE_QUERIES = [
    "gencodeId=ENSG00000132693.12",
    "gencodeId=ENSG00000132693.12&gencodeId=ENSG00000160791.17&tissueSiteDetailId=Lung",
    "gencodeId=ENSG00000132693.12&tissueSiteDetailId=UBERON:0002107&page=0&itemsPerPage=1",
    "gencodeId=ENSG00000132693.12&page=1&itemsPerPage=1&datasetId=gtex_v8",
    "gencodeId=ENSG00000132693.12&datasetId=genotex_tiny_v1&unknown=1",
    "gencodeId=&tissueSiteDetailId=",
    "gencodeId=ENSG00000132693.12&page=-1", "gencodeId=ENSG00000132693.12&page=x",
    "gencodeId=ENSG00000132693.12&page=%2B1", "gencodeId=ENSG00000132693.12&page=1&page=2",
    "gencodeId=ENSG00000132693.12&itemsPerPage=0",
    "gencodeId=ENSG00000132693.12&itemsPerPage=100001",
    "gencodeId=ENSG00000132693.12&itemsPerPage=007",
    "gencodeId=ENSG00000132693.12&datasetId=gtex_v1", "gencodeId=ENSG00000132693.12&datasetId=",
    "gencodeId=ENSG00000132693.12&attributeSubset=sex",
    "gencodeId=ENSG00000132693.12&attributeSubset=nonsense", "",
    "variantId=rs3091244", "variantId=RS3091244&tissueSiteDetailId=Liver",
    "variantId=chr1_159690000_C_T_b38&gencodeId=ENSG00000132693.12",
    "variantId=x%27%20OR%20%271%27%3D%271", "gencodeId=%E2%80%AE%00rs1",
    "tissueSiteDetailId=Whole_Blood&itemsPerPage=2",
    "gencodeId=ENSG00000132693.12&tissueSiteDetailId=Not_A_Tissue",
    "variantId=rs3091244&tissueSiteDetailId=Lung&tissueSiteDetailId=Not_A_Tissue",
    "gencodeId=ENSG00000132693.12&tissueSiteDetailId=%C3%A9",
]
FAST_LANE_PATHS = ["/api/v2/expression/geneExpression", "/api/v2/expression/medianGeneExpression",
                   "/api/v2/association/singleTissueEqtl"]


@pytest.mark.parametrize("path", FAST_LANE_PATHS)
def test_fast_lane__same_status_and_body_as_fastapi_routes(client, routed_client,  # type: ignore[no-untyped-def]
                                                           path: str) -> None:
    answered = 0
    for query in FAST_LANE_QUERIES:
        fast, routed = client.get(f"{path}?{query}"), routed_client.get(f"{path}?{query}")
        assert (fast.status_code, fast.json()) == (routed.status_code, routed.json()), query
        assert fast.headers["content-type"] == routed.headers["content-type"]
        answered += fast.status_code == 200 and bool(fast.json()["data"])
    assert answered >= 3


def test_fast_lane__answers_before_routing(api_store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from genotex.api.fastlane import FastLane

    seen: list[str] = []
    real = FastLane._answer
    monkeypatch.setattr(FastLane, "_answer", lambda self, route, query: seen.append(
        query.decode()) or real(self, route, query))
    app_client = TestClient(create_app(Settings(), store=api_store))
    app_client.get("/api/v2/expression/medianGeneExpression",
                   params={"gencodeId": CRP, "page": "-1"})  # falls through: 422 by FastAPI
    assert app_client.get("/api/v2/expression/medianGeneExpression",
                          params={"gencodeId": CRP}).status_code == 200
    assert len(seen) == 2


def test_fast_lane__etag_and_not_modified(client) -> None:  # type: ignore[no-untyped-def]
    path = "/api/v2/expression/medianGeneExpression"
    first = client.get(path, params={"gencodeId": CRP})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=600"
    again = client.get(path, params={"gencodeId": CRP}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get(path, params={"gencodeId": CRP}, headers={"If-None-Match": '"x"'})
    assert other.status_code == 200 and other.json() == first.json()
    weak = client.get(path, params={"gencodeId": CRP}, headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
