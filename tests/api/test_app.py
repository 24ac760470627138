from __future__ import annotations

from pathlib import Path

import pytest

import genotex.api.app as app_module
from genotex.api import create_app
from genotex.config import Settings
from genotex.errors import InputError
from genotex.testing import build_tiny_release


def test_create_app__serves_openapi_and_docs(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    assert "/api/v2/association/singleTissueEqtl" in spec["paths"]
    assert client.get("/api/v2/openapi.json").json() == spec
    assert client.get("/docs").status_code == 200
    assert client.get("/api/v2/docs").status_code == 200
    assert "PaginatedResponse_Gene_" in spec["components"]["schemas"]


def test_create_app__opens_current_release_from_settings(tmp_path: Path) -> None:
    build_tiny_release(tmp_path / "releases")
    app = create_app(Settings(data_dir=tmp_path))
    assert app.state.store.dataset_id == "genotex_tiny_v1"


def test_create_app__no_release_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no CURRENT release"):
        create_app(Settings(data_dir=tmp_path))


def test_create_app__read_only(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/v2/reference/gene", params={"geneId": "CRP"}).status_code == 405
    assert client.delete("/api/v2/dataset/sample").status_code == 405


def test_create_app__bounds_request_size(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(app_module, "MAX_QUERY_BYTES", 100)
    assert client.get("/api/v2/reference/gene?geneId=" + "A" * 101).status_code == 414
    r = client.post("/api/v2/reference/gene?geneId=CRP", content=b"x" * 101)
    assert r.status_code == 413


def test_create_app__unknown_params_ignored(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/reference/gene", params={"geneId": "CRP", ".multi": "explode",
                                                     "format": "json", "foo": "bar"})
    assert r.status_code == 200 and r.json()["paging_info"]["totalNumberOfItems"] == 1


def test_create_app__unknown_dataset_is_422_gtex_aliases_accepted(client) -> None:  # type: ignore[no-untyped-def]
    ok = client.get("/api/v2/dataset/subject", params={"datasetId": "gtex_v8"})
    assert ok.status_code == 200
    bad = client.get("/api/v2/dataset/subject", params={"datasetId": "x' OR 1=1 --"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "datasetId"]
    assert bad.json()["detail"][0]["type"] == "type_error.enum"
