"""Fixtures of the API tests: an in-process client over a tiny release (no server, no network)."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from genotex.api import create_app
from genotex.config import Settings
from genotex.store import Store
from genotex.testing import build_tiny_release

with warnings.catch_warnings():  # older/newer starlette may warn about its httpx backend
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def api_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(build_tiny_release(tmp_path_factory.mktemp("api-releases")),
                  serving_index=True)  # the hot lookups go through the serving index
    yield store
    store.close()


@pytest.fixture(scope="session")
def client(api_store: Store) -> TestClient:
    return TestClient(create_app(Settings(), store=api_store))


@pytest.fixture(scope="session")
def make_client(api_store: Store):  # type: ignore[no-untyped-def]
    """Build a client with other settings over the same release."""

    def make(**settings: object) -> TestClient:
        return TestClient(create_app(Settings(**settings), store=api_store))

    return make


@pytest.fixture(scope="session")
def expected_columns(shared_data: Path) -> dict[str, list[list[str]]]:
    """API path → field lists observed on live GTEx responses by gtexr's tests."""
    path = shared_data / "gtex_api" / "expected_response_columns_from_gtexr_tests.tsv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    out: dict[str, list[list[str]]] = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.setdefault(row["api_path"], []).append(row["expected_columns_in_order"].split(","))
    return out


@pytest.fixture(scope="session")
def gtex_api_dir(shared_data: Path) -> Path:
    path = shared_data / "gtex_api"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path
