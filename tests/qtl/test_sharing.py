"""Pairwise π1 recovers planted eQTL sharing between tissues."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from genotex.qtl.sharing import pairwise_pi1, pi1


def test_pi1__recovers_planted_fraction() -> None:
    rng = np.random.default_rng(0)
    n, shared = 4000, 0.6
    active = rng.random(n) < shared
    z = rng.normal(np.where(active, 5.0, 0.0))
    p = 2 * stats.norm.sf(np.abs(z))
    assert pi1(p) == pytest.approx(shared, abs=0.04)
    assert pi1(p, lambda_=0.85) == pytest.approx(shared, abs=0.05)


def test_pi1__nan_with_too_few_pvalues() -> None:
    assert np.isnan(pi1([0.1, np.nan, 0.2]))


def test_pairwise_pi1__recovers_planted_sharing_matrix() -> None:
    rng = np.random.default_rng(1)
    n_tissues, n_genes = 3, 3000
    share = np.array([[1.0, 0.7, 0.3], [0.7, 1.0, 0.5], [0.3, 0.5, 1.0]])
    egene = rng.random((n_tissues, n_genes)) < 0.5
    pvals = np.empty((n_tissues, n_tissues, n_genes))
    for i in range(n_tissues):
        for j in range(n_tissues):
            active = rng.random(n_genes) < share[i, j]
            z = rng.normal(np.where(active, 6.0, 0.0))
            pvals[i, j] = 2 * stats.norm.sf(np.abs(z))
    pvals[0, 1, :10] = np.nan
    got = pairwise_pi1(pvals, egene, lambda_=0.5)  # fixed λ: lower variance than the smoother
    np.testing.assert_allclose(got, share, atol=0.05)


def test_pairwise_pi1__checks_shapes() -> None:
    with pytest.raises(ValueError, match="n_tissues"):
        pairwise_pi1(np.zeros((2, 3, 4)), np.zeros((2, 4), dtype=bool))
