"""Fixtures of the portal tests: the tiny release (with eQTLs), one without eQTL tables and one
with an ambiguous gene symbol, each behind an in-process client (no server, no network)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from genotex.api import create_app
from genotex.config import Settings
from genotex.store import Store, build_release
from genotex.testing import build_tiny_release, tiny_release_tables

from . import coloc_release

with warnings.catch_warnings():  # older/newer starlette may warn about its httpx backend
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


#: Tables a release gains from QTL mapping (absent from an expression-only release).
QTL_TABLES = ("egenes", "signif_pairs", "nominal_pairs", "independent_eqtls", "sgenes", "sqtls",
              "finemapping", "metasoft", "coloc", "ld", "dosages", "qtl_phenotypes",
              "qtl_covariates")


@pytest.fixture(scope="session")
def portal_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(build_tiny_release(tmp_path_factory.mktemp("portal-releases")))
    yield store
    store.close()


@pytest.fixture(scope="session")
def portal(portal_store: Store) -> TestClient:
    return TestClient(create_app(Settings(), store=portal_store))


def _release(root: Path, dataset_id: str, tables: dict[str, pd.DataFrame]) -> Path:
    return build_release(root, dataset_id, tables, metadata={"description": dataset_id})


@pytest.fixture(scope="session")
def expression_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A release without eQTL tables (like the demo before QTL mapping)."""
    tables = {k: v for k, v in tiny_release_tables().items() if k not in QTL_TABLES}
    store = Store(_release(tmp_path_factory.mktemp("expr-only"), "expr_only_v1", tables))
    yield TestClient(create_app(Settings(), store=store))
    store.close()


@pytest.fixture(scope="session")
def ambiguous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A release where the symbol LOR names two genes."""
    tables = tiny_release_tables()
    genes = tables["genes"]
    extra = genes[genes["gene_name"] == "LOR"].copy()
    extra["gene_id"] = "ENSG00000999999.1"
    extra["chrom"] = "chr2"
    tables["genes"] = pd.concat([genes, extra], ignore_index=True)
    store = Store(_release(tmp_path_factory.mktemp("ambiguous"), "ambiguous_v1", tables))
    yield TestClient(create_app(Settings(), store=store))
    store.close()


#: Controlled-access token the portal tests' apps grant.
TOKEN = "portal-test-token"


@pytest.fixture(scope="session")
def portal_controlled(portal_store: Store) -> TestClient:
    """The tiny release behind an app that grants :data:`TOKEN`."""
    return TestClient(create_app(Settings(controlled_tokens=TOKEN), store=portal_store))


@pytest.fixture(scope="session")
def coloc_built(tmp_path_factory: pytest.TempPathFactory) -> coloc_release.ColocRelease:
    """A pipeline-built release of a simulated 2-tissue cohort (about 7 s)."""
    return coloc_release.build(tmp_path_factory.mktemp("coloc-release"))


@pytest.fixture(scope="session")
def coloc_store(coloc_built: coloc_release.ColocRelease) -> Iterator[Store]:
    store = Store(coloc_built.release)
    yield store
    store.close()


@pytest.fixture(scope="session")
def coloc_client(coloc_store: Store) -> TestClient:
    return TestClient(create_app(Settings(), store=coloc_store))


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where browser tests leave screenshots: $GENOTEX_TEST_ARTIFACTS, else the test's tmp."""
    folder = Path(os.environ.get("GENOTEX_TEST_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
