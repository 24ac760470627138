"""Request timeouts (DuckDB ``interrupt()`` → 503) and the environment-driven app factory."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from genotex.api import create_app
from genotex.api.app import create_app_from_env
from genotex.config import Settings
from genotex.store import Page, Store
from genotex.testing import TINY_DATASET_ID, build_tiny_release

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SLOW_SQL = "SELECT sum(a * b) AS s FROM range(100000000) x(a), range(100000) y(b)"


@pytest.fixture()
def slow_store(tmp_path: Path, monkeypatch) -> Store:  # type: ignore[no-untyped-def]
    store = Store(build_tiny_release(tmp_path))

    def slow_search(query: str, **_: object) -> Page:
        return Page(store._rows(SLOW_SQL, []), 1)

    monkeypatch.setattr(store, "gene_search", slow_search)
    return store


def test_query_timeout__interrupts_duckdb_and_answers_503(slow_store: Store) -> None:
    client = TestClient(create_app(Settings(), store=slow_store, request_timeout_s=0.3))
    t0 = time.perf_counter()
    r = client.get("/api/v2/reference/geneSearch", params={"geneId": "CRP"})
    elapsed = time.perf_counter() - t0
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert "longer than 0.3 s" in r.json()["detail"]
    assert elapsed < 5
    # fast requests on the same app are unaffected
    ok = client.get("/api/v2/reference/gene", params={"geneId": "CRP"})
    assert ok.status_code == 200 and ok.json()["data"]


def test_query_timeout__other_errors_still_raise(slow_store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(query: str, **_: object) -> Page:
        raise RuntimeError("boom")

    monkeypatch.setattr(slow_store, "gene_search", broken)
    client = TestClient(create_app(Settings(), store=slow_store, request_timeout_s=5),
                        raise_server_exceptions=False)
    assert client.get("/api/v2/reference/geneSearch",
                      params={"geneId": "CRP"}).status_code == 500


def test_create_app_from_env__reads_serve_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    build_tiny_release(tmp_path)
    monkeypatch.setenv("GENOTEX_SERVE_RELEASES", str(tmp_path))
    monkeypatch.setenv("GENOTEX_SERVE_DATASET_ID", TINY_DATASET_ID)
    monkeypatch.setenv("GENOTEX_REQUEST_TIMEOUT_S", "7")
    monkeypatch.setenv("GENOTEX_API_MAX_ITEMS_PER_PAGE", "10")
    app = create_app_from_env()
    assert app.state.store.dataset_id == TINY_DATASET_ID
    assert app.state.settings.api_max_items_per_page == 10
    assert [m.kwargs for m in app.user_middleware if m.cls.__name__ == "QueryTimeout"] == [
        {"seconds": 7.0}]
    client = TestClient(app)
    assert client.get("/api/v2/dataset/tissueSiteDetail",
                      params={"itemsPerPage": 11}).status_code == 422
    app.state.store.close()
