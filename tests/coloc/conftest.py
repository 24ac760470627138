"""Fixtures for the coloc tests: coloc's own test datasets from ../shared/data/coloc."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def coloc_dir(shared_data: Path) -> Path:
    path = shared_data / "coloc"
    if not (path / "coloc_vignette_expected_results.json").is_file():
        pytest.skip("coloc reference data is absent from ../shared/data/coloc")
    return path


@pytest.fixture(scope="session")
def coloc_expected(coloc_dir: Path) -> dict[str, Any]:
    return json.loads((coloc_dir / "coloc_vignette_expected_results.json").read_text())


@pytest.fixture(scope="session")
def coloc_datasets(coloc_dir: Path) -> dict[str, dict[str, Any]]:
    """coloc_test_data D1–D4 as coloc dataset lists (beta, varbeta, snp, position, MAF, N, sdY)."""
    meta = json.loads((coloc_dir / "coloc_test_data_meta.json").read_text())
    out = {}
    for key in ("D1", "D2", "D3", "D4"):
        table = pd.read_csv(coloc_dir / f"coloc_test_data_{key}.tsv", sep="\t")
        d: dict[str, Any] = {col: table[col].to_numpy() for col in table.columns}
        d.update({k: meta[key][k] for k in ("N", "sdY", "type")})
        out[key] = d
    return out
