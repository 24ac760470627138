from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from genotex.qtl.regression import associate, pval_from_r2, pval_from_t, tstat_from_r
from genotex.qtl.residualize import Residualizer

SEEDS = st.integers(0, 10_000)
Problem = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]


def _naive_ols(g: np.ndarray, y: np.ndarray, c: np.ndarray) -> tuple[float, float, float]:
    """slope, se, p of g in y ~ 1 + C + g by least squares."""
    x = np.column_stack([np.ones(len(y)), c, g])
    beta, _rss, *_ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(y) - x.shape[1]
    sigma2 = float(np.sum((y - x @ beta) ** 2)) / dof
    cov = sigma2 * np.linalg.inv(x.T @ x)
    se = float(np.sqrt(cov[-1, -1]))
    t = beta[-1] / se
    return float(beta[-1]), se, float(2 * stats.t.sf(abs(t), dof))


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS)
def test_associate__equals_naive_least_squares(small_problem: Problem, seed: int) -> None:
    g, y, c = small_problem(seed)
    a = associate(g, y, Residualizer(c))
    for v in range(g.shape[0]):
        for p in range(y.shape[0]):
            slope, se, pval = _naive_ols(g[v], y[p], c)
            np.testing.assert_allclose(a.slope[v, p], slope, rtol=1e-8, atol=1e-12)
            np.testing.assert_allclose(a.slope_se[v, p], se, rtol=1e-8)
            np.testing.assert_allclose(a.pval[v, p], pval, rtol=1e-7, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, scale=st.floats(0.01, 100), shift=st.floats(-50, 50))
def test_associate__tstat_invariant_to_affine_phenotype(
    small_problem: Problem, seed: int, scale: float, shift: float
) -> None:
    g, y, c = small_problem(seed)
    r = Residualizer(c)
    a = associate(g, y, r)
    b = associate(g, scale * y + shift, r)
    np.testing.assert_allclose(b.tstat, a.tstat, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(b.slope, scale * a.slope, rtol=1e-7, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, perm_seed=SEEDS)
def test_associate__invariant_to_sample_order(
    small_problem: Problem, seed: int, perm_seed: int
) -> None:
    g, y, c = small_problem(seed)
    o = np.random.default_rng(perm_seed).permutation(g.shape[1])
    a = associate(g, y, Residualizer(c))
    b = associate(g[:, o], y[:, o], Residualizer(c[o]))
    np.testing.assert_allclose(b.tstat, a.tstat, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b.pval, a.pval, rtol=1e-7, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS)
def test_associate__pvalues_in_unit_interval(small_problem: Problem, seed: int) -> None:
    g, y, c = small_problem(seed, n=12, n_cov=5)
    p = associate(g, y, Residualizer(c)).pval
    assert ((p >= 0) & (p <= 1)).all()


def test_associate__constant_variant_is_nan(small_problem: Problem) -> None:
    g, y, c = small_problem(0)
    g[3] = 1.0
    a = associate(g, y, Residualizer(c))
    assert np.isnan(a.pval[3]).all()
    assert np.isfinite(a.pval[[0, 1, 2]]).all()


def test_pval_from_r2__agrees_with_t_route() -> None:
    r = np.array([-0.9, -0.1, 0.0, 0.3, 0.99])
    np.testing.assert_allclose(pval_from_r2(r**2, 37), pval_from_t(tstat_from_r(r, 37), 37),
                               rtol=1e-12)
