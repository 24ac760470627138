from __future__ import annotations

import numpy as np
from scipy import stats

from genotex.qtl.beta_approx import beta_approx_pval, beta_shape1_from_dof, fit_beta


def _null_r2_perm(seed: int, n_var: int = 200, n: int = 80, n_perm: int = 500) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((n_var, n))
    g = (g - g.mean(1, keepdims=True)) / np.linalg.norm(g, axis=1, keepdims=True)
    y = rng.standard_normal((n_perm, n))
    y = (y - y.mean(1, keepdims=True)) / np.linalg.norm(y - y.mean(1, keepdims=True), axis=1,
                                                         keepdims=True)
    return ((g @ y.T) ** 2).max(0)


def test_fit_beta__true_df_makes_shape1_one() -> None:
    r2 = _null_r2_perm(0)
    s1, s2, true_df, failed = fit_beta(r2, dof_init=78)
    assert not failed
    assert abs(beta_shape1_from_dof(r2, true_df) - 1) < 1e-3
    assert s1 > 0 and s2 > 0


def test_beta_approx_pval__close_to_empirical_under_null() -> None:
    r2 = _null_r2_perm(1)
    for q in (0.1, 0.5, 0.9):
        r2_top = float(np.quantile(r2, 1 - q))
        b = beta_approx_pval(r2, r2_top, dof_init=78)
        assert abs(b.pval_beta - q) < 0.05
        assert 0 <= b.pval_beta <= 1


def test_fit_beta__falls_back_when_secant_fails() -> None:
    r2 = np.full(100, 0.2)  # zero variance: the log-shape root does not exist
    *_, failed = fit_beta(r2, dof_init=50)
    assert failed


def test_beta_approx_pval__pval_true_df_uses_true_df() -> None:
    r2 = _null_r2_perm(2)
    b = beta_approx_pval(r2, 0.3, dof_init=78)
    t = np.sqrt(b.true_df * 0.3 / 0.7)
    np.testing.assert_allclose(b.pval_true_df, 2 * stats.t.cdf(-t, b.true_df), rtol=1e-12)
    np.testing.assert_allclose(b.pval_beta,
                               stats.beta.cdf(b.pval_true_df, b.beta_shape1, b.beta_shape2))
