"""Fixtures for the qtl kernels: the committed tensorQTL reference case and small problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows, cis_windows

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
WINDOW = 200_000  # the window used by tests/reference/tensorqtl/regenerate.py
NPERM = 1000
SEED = 123
MAF_PERM = 0.05


@dataclass(frozen=True)
class TensorQTLCase:
    genotypes: np.ndarray  # (n_variants, n_samples), NaN = missing
    phenotypes: np.ndarray  # (n_phenotypes, n_samples)
    covariates: np.ndarray  # (n_samples, n_covariates)
    variant_ids: np.ndarray
    variant_pos: np.ndarray
    phenotype_ids: np.ndarray
    phenotype_start: np.ndarray
    phenotype_end: np.ndarray
    windows: CisWindows
    residualizer: Residualizer
    directory: Path

    def read(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.directory / f"{name}.parquet")


@pytest.fixture(scope="session")
def tqtl_case() -> TensorQTLCase:
    """The simulated cohort of tests/reference/tensorqtl and tensorQTL 1.0.10's outputs."""
    directory = REFERENCE / "tensorqtl"
    d = np.load(directory / "inputs.npz")
    g = d["genotypes"].astype(np.float64)
    g[d["genotypes"] == -9] = np.nan
    vid = np.array([f"chr{c}_{p}" for c, p in zip(d["variant_chrom"], d["variant_pos"],
                                                   strict=True)])
    pid = np.array([f"P{i:02d}" for i in range(d["phenotypes"].shape[0])])
    windows = cis_windows(d["variant_chrom"], d["variant_pos"], d["phenotype_chrom"],
                          d["phenotype_start"], d["phenotype_end"], window=WINDOW)
    return TensorQTLCase(
        g, d["phenotypes"].astype(np.float64), d["covariates"].astype(np.float64), vid,
        d["variant_pos"], pid, d["phenotype_start"], d["phenotype_end"], windows,
        Residualizer(d["covariates"].astype(np.float64)), directory,
    )


def _small_problem(seed: int, n: int = 40, n_variants: int = 12, n_cov: int = 3,
                  n_pheno: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random genotypes (variants × samples), phenotypes and covariates (samples × k)."""
    rng = np.random.default_rng(seed)
    g = rng.binomial(2, rng.uniform(0.1, 0.5, (n_variants, 1)), (n_variants, n)).astype(float)
    g[:, 0] = 0
    g[:, 1] = 1  # never constant
    c = rng.standard_normal((n, n_cov))
    y = rng.standard_normal((n_pheno, n)) + 0.5 * g[:n_pheno] + (c @ rng.random((n_cov, 1))).T
    return g, y, c


@pytest.fixture(scope="session")
def small_problem() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Factory ``small_problem(seed, n=40, n_variants=12, n_cov=3, n_pheno=2)``."""
    return _small_problem
