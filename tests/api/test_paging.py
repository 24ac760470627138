from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genotex.api.paging import Paging, envelope, gtex_error
from genotex.store import Page


@given(total=st.integers(0, 10_000), size=st.integers(1, 500), page=st.integers(0, 50))
def test_envelope__paging_math(total: int, size: int, page: int) -> None:
    info = envelope(Page([], total), Paging(page, size))["paging_info"]
    assert info == {"numberOfPages": math.ceil(total / size), "page": page,
                    "maxItemsPerPage": size, "totalNumberOfItems": total}


def test_envelope__matches_recorded_gene_search_shape(gtex_api_dir: Path) -> None:
    recorded = json.loads(
        (gtex_api_dir / "gtex_query__api_v2_reference_geneSearch-84bc16.json").read_text())
    ours = envelope(Page([{"x": 1}], 2), Paging(0, 1))
    assert list(ours) == list(recorded)
    assert ours["paging_info"] == recorded["paging_info"]


def test_paging__walks_every_item_once(client) -> None:  # type: ignore[no-untyped-def]
    seen, page = [], 0
    while True:
        body = client.get("/api/v2/dataset/sample", params={"page": page,
                                                             "itemsPerPage": 4}).json()
        seen += [r["sampleId"] for r in body["data"]]
        page += 1
        if page >= body["paging_info"]["numberOfPages"]:
            break
    assert len(seen) == len(set(seen)) == body["paging_info"]["totalNumberOfItems"] == 15


def test_paging__page_past_the_end_is_empty(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v2/dataset/subject", params={"page": 99}).json()
    assert body["data"] == [] and body["paging_info"]["totalNumberOfItems"] == 6


def test_paging__negative_page_gives_recorded_422(client, gtex_api_dir: Path) -> None:  # type: ignore[no-untyped-def]
    recorded = json.loads((gtex_api_dir / "error_422_reference_gene.json").read_text())
    r = client.get("/api/v2/reference/gene",
                   params={"geneId": "CRP", "gencodeVersion": "v26",
                           "genomeBuild": "GRCh38/hg38", "page": -1, "itemsPerPage": 250})
    assert r.status_code == recorded["status"] == 422
    assert r.headers["content-type"] == "application/json"
    assert r.json() == recorded["body"]


@pytest.mark.parametrize("items", [100_001, 10**9])
def test_paging__items_per_page_above_gtex_max_is_422(client, items: int) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/dataset/subject", params={"itemsPerPage": items})
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["query", "itemsPerPage"]
    assert error["type"] == "value_error.number.not_le"
    assert error["ctx"] == {"limit_value": 100_000}


def test_paging__settings_lower_the_maximum(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(api_max_items_per_page=5)
    assert client.get("/api/v2/dataset/subject", params={"itemsPerPage": 5}).status_code == 200
    r = client.get("/api/v2/dataset/subject", params={"itemsPerPage": 6})
    assert r.status_code == 422
    assert r.json()["detail"][0]["ctx"] == {"limit_value": 5}


def test_paging__zero_items_per_page_is_422(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/dataset/subject", params={"itemsPerPage": 0})
    assert r.json()["detail"][0]["type"] == "value_error.number.not_ge"


def test_gtex_error__missing_and_type_errors() -> None:
    assert gtex_error({"type": "missing", "loc": ("query", "geneId"), "msg": "Field required"}
                      ) == {"loc": ["query", "geneId"], "msg": "field required",
                            "type": "value_error.missing"}
    assert gtex_error({"type": "int_parsing", "loc": ("query", "page"), "msg": "x"}
                      )["type"] == "type_error.integer"
