"""Tissue specificity: tau, TSI, z-score, and recovery of planted genes in the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genotex.errors import InputError
from genotex.expression.specificity import tau, tissue_specific_genes, tsi, zscore_specificity
from genotex.expression.summaries import median_tpm

_expr = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 12)),
               elements=st.floats(0, 1e5, allow_nan=False))


def _tspex_tau(x: np.ndarray) -> float:
    """tspex ``tau`` on one vector after its log=True transform (log1p for ln(x + 1))."""
    x = np.log1p(x)
    if not np.any(x):
        return 0.0
    return float(np.sum(1 - x / np.max(x)) / (len(x) - 1))


@settings(max_examples=80, deadline=None)
@given(m=_expr)
def test_tau__in_unit_interval_and_matches_tspex(m: np.ndarray) -> None:
    t = tau(m)
    assert np.all((t >= 0) & (t <= 1 + 1e-12))
    np.testing.assert_allclose(t, [_tspex_tau(row) for row in m], rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), i=st.integers(0, 59), level=st.floats(1e-3, 1e6))
def test_tau__one_hot_is_one_and_constant_is_zero(n: int, i: int, level: float) -> None:
    one_hot = np.zeros(n)
    one_hot[i % n] = level
    assert tau(one_hot, log=False)[0] == pytest.approx(1.0)
    assert tau(one_hot)[0] == pytest.approx(1.0)
    assert tau(np.full(n, level))[0] == pytest.approx(0.0, abs=1e-12)


def test_tau__series_for_frames_and_input_checks() -> None:
    med = pd.DataFrame({"A": [1.0, 0.0], "B": [1.0, 5.0]}, index=["g", "h"])
    out = tau(med)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["g", "h"]
    with pytest.raises(InputError, match="two tissues"):
        tau(np.array([[1.0]]))
    with pytest.raises(InputError, match="non-negative"):
        tau(np.array([[1.0, -1.0]]))


def test_tsi_and_zscore__tspex_formulas() -> None:
    med = pd.DataFrame({"A": [1.0, 2.0], "B": [3.0, 2.0], "C": [0.0, 2.0]})
    np.testing.assert_allclose(tsi(med).to_numpy(), [[0.25, 0.75, 0.0], [1 / 3] * 3])
    x = np.array([1.0, 3.0, 0.0])
    z = (x - x.mean()) / x.std(ddof=1)
    np.testing.assert_allclose(zscore_specificity(med, transform=False, log=False).iloc[0], z)
    bound = 2 / np.sqrt(3)
    np.testing.assert_allclose(zscore_specificity(med, log=False).iloc[0],
                               (z + bound) / (2 * bound))
    assert (zscore_specificity(med).iloc[1] == 0).all()


def test_tissue_specific_genes__unknown_tissue() -> None:
    with pytest.raises(InputError, match="unknown tissue"):
        tissue_specific_genes(pd.DataFrame({"A": [1.0], "B": [2.0]}), "C")


@pytest.fixture(scope="module")
def cohort_medians() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    from genotex.simulate.cohort import simulate_cohort
    from genotex.simulate.config import SimulationConfig

    cohort = simulate_cohort(SimulationConfig(
        n_donors=30, n_genes=300, variants_per_chrom=200, chromosomes=("chr22",),
        tissues=("Lung", "Liver", "Whole_Blood", "Brain_Cortex", "Muscle_Skeletal", "Thyroid")))
    tpm = pd.concat([d.tpm for d in cohort.tissues.values()], axis=1)
    labels = pd.concat([pd.Series(t, index=d.tpm.columns) for t, d in cohort.tissues.items()])
    programme = cohort.programmes.set_index("gene_id")["programme"]
    return median_tpm(tpm, labels), cohort.tissue_specific_genes, programme


def test_tau__ranks_planted_specific_genes_above_housekeeping(
    cohort_medians: tuple[pd.DataFrame, pd.DataFrame, pd.Series],
) -> None:
    med, _, programme = cohort_medians
    t = tau(med)
    prog = programme.reindex(t.index)
    specific = t[prog == "tissue_specific"].to_numpy()
    housekeeping = t[prog == "housekeeping"].to_numpy()
    assert specific.size >= 10 and housekeeping.size >= 10
    auc = np.mean(specific[:, None] > housekeeping[None, :])
    assert auc > 0.95


def test_tissue_specific_genes__recovers_planted_genes(
    cohort_medians: tuple[pd.DataFrame, pd.DataFrame, pd.Series],
) -> None:
    med, truth, _ = cohort_medians
    for tissue in ("Liver", "Thyroid"):
        found = set(tissue_specific_genes(med, tissue).index)
        planted = set(truth.loc[truth.tissue_id == tissue, "gene_id"])
        assert found, tissue
        assert len(found & planted) / len(found) >= 0.8
