"""METASOFT FE / RE / RE2 / m-values against the published definitions on simulated data."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from genotex.qtl.metasoft import (
    han_eskin_tabulated_pvalue,
    metasoft,
    mvalues_exact,
    mvalues_mcmc,
)


def planted(seed: int, n_tissues: int = 8, n_pairs: int = 40, share: float = 0.5):
    """Effects of 0.4 in a random subset of tissues (per pair), se 0.05–0.1, some missing."""
    rng = np.random.default_rng(seed)
    active = rng.random((n_tissues, n_pairs)) < share
    se = rng.uniform(0.05, 0.1, (n_tissues, n_pairs))
    slope = np.where(active, 0.4, 0.0) + rng.normal(0, se)
    return slope, se, active


def test_metasoft__fe_is_inverse_variance_meta_analysis() -> None:
    slope, se, _ = planted(0)
    slope[2, :5] = np.nan
    res = metasoft(slope, se, mvalues=False)
    for j in range(slope.shape[1]):
        ok = np.isfinite(slope[:, j])
        w = 1 / se[ok, j] ** 2
        b = np.sum(w * slope[ok, j]) / w.sum()
        assert res.beta_fe[j] == pytest.approx(b)
        assert res.se_fe[j] == pytest.approx(1 / np.sqrt(w.sum()))
        assert res.pvalue_fe[j] == pytest.approx(2 * stats.norm.sf(abs(b) * np.sqrt(w.sum())))
        q = np.sum(w * (slope[ok, j] - b) ** 2)
        assert res.q[j] == pytest.approx(q)
        assert res.n_studies[j] == ok.sum()
        k = ok.sum()
        tau2 = max((q - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()), 0)  # DL, textbook form
        assert res.tau_square[j] == pytest.approx(tau2, abs=1e-12)


def test_metasoft__re2_statistic_at_least_fe_statistic() -> None:
    slope, se, _ = planted(1, n_pairs=200)
    res = metasoft(slope, se, mvalues=False)
    np.testing.assert_allclose(res.stat1_re2, res.z_fe**2, rtol=1e-9)
    assert np.all(res.stat1_re2 + res.stat2_re2 >= res.z_fe**2 - 1e-9)
    assert np.all(res.stat2_re2 >= 0)
    s = res.stat1_re2 + res.stat2_re2
    asymptotic = 0.5 * stats.chi2.sf(s, 1) + 0.5 * stats.chi2.sf(s, 2)
    np.testing.assert_allclose(res.pvalue_re2, asymptotic)


def test_metasoft__re2_ml_matches_numerical_maximum() -> None:
    rng = np.random.default_rng(5)
    se = rng.uniform(0.05, 0.2, 10)
    slope = rng.normal(0.3, 0.25, 10) + rng.normal(0, se)
    res = metasoft(slope[:, None], se[:, None], mvalues=False)

    def nll(par):
        mu, tau2 = par[0], np.exp(par[1])
        v = se**2 + tau2
        return np.sum(0.5 * np.log(v) + (slope - mu) ** 2 / (2 * v))

    fit = optimize.minimize(nll, [0.3, np.log(0.05)], method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    mu, tau2 = fit.x[0], np.exp(fit.x[1])
    v = se**2
    f1 = np.sum(np.log(v / (v + tau2)))
    f3 = np.sum((slope - res.beta_fe[0]) ** 2 / v)
    f4 = np.sum((slope - mu) ** 2 / (v + tau2))
    assert res.stat2_re2[0] == pytest.approx(f1 + f3 - f4, rel=1e-4)


def test_metasoft__re_uses_dl_tau() -> None:
    slope, se, _ = planted(2)
    res = metasoft(slope, se, mvalues=False)
    w = 1 / (se**2 + res.tau_square)
    np.testing.assert_allclose(res.beta_re, (w * slope).sum(0) / w.sum(0))
    assert np.all(res.pvalue_re >= res.pvalue_fe - 1e-12)  # RE is conservative


def brute_force_mvalues(slope, se, alpha=1.0, beta=1.0, sigma=0.2):
    """The published model written directly: N(0, v) nulls, shared N(0, σ²) effect for the rest."""
    k = len(slope)
    post = np.zeros(k)
    total = 0.0
    for config in itertools.product([0, 1], repeat=k):
        h = np.array(config, dtype=bool)
        m = h.sum()
        logp = special.betaln(m + alpha, k - m + beta) - special.betaln(alpha, beta)
        logp += stats.norm.logpdf(slope[~h], 0, se[~h]).sum()
        if m:
            cov = np.diag(se[h] ** 2) + sigma**2
            logp += stats.multivariate_normal(np.zeros(m), cov).logpdf(slope[h])
        p = np.exp(logp)
        total += p
        post += p * h
    return post / total


def test_mvalues_exact__equals_the_model_written_out() -> None:
    rng = np.random.default_rng(3)
    se = rng.uniform(0.05, 0.15, 6)
    slope = np.array([0.3, 0.25, 0.0, 0.05, 0.35, -0.02]) + rng.normal(0, se)
    got = mvalues_exact(slope[:, None], se[:, None])[:, 0]
    np.testing.assert_allclose(got, brute_force_mvalues(slope, se), rtol=1e-8)


def test_metasoft__mvalues_recover_planted_sharing() -> None:
    slope, se, active = planted(4, n_tissues=10, n_pairs=30)
    res = metasoft(slope, se)
    assert res.mvalues is not None
    z = np.abs(slope / se)
    strong, clear_null = active & (z > 5), ~active & (z < 1)
    assert strong.sum() > 50 and clear_null.sum() > 50
    assert np.all(res.mvalues[strong] > 0.9)
    assert np.mean(res.mvalues[clear_null] < 0.1) > 0.9
    assert np.all(res.mvalues[clear_null] < 0.5)
    assert np.mean((res.mvalues > 0.5) == active) > 0.95


def test_mvalues_mcmc__agrees_with_exact() -> None:
    slope, se, _ = planted(6, n_tissues=9, n_pairs=6)
    exact = mvalues_exact(slope, se)
    mcmc = mvalues_mcmc(slope, se, n_sample=6000, burnin=500, seed=1)
    np.testing.assert_allclose(mcmc, exact, atol=0.05)
    again = mvalues_mcmc(slope, se, n_sample=6000, burnin=500, seed=1)
    np.testing.assert_array_equal(mcmc, again)


def test_metasoft__missing_tissues_and_method_switch() -> None:
    slope, se, _ = planted(7, n_tissues=14, n_pairs=4)
    slope[0, 0] = np.nan
    se[1, 1] = np.nan
    res = metasoft(slope, se, mcmc_sample=2000, mcmc_burnin=200)  # 13-14 tissues → MCMC
    assert res.mvalues is not None
    assert np.isnan(res.mvalues[0, 0]) and np.isnan(res.mvalues[1, 1])
    assert np.isnan(res.pvalue_studies[0, 0])
    assert list(res.n_studies) == [13, 13, 14, 14]
    assert np.all(np.isfinite(res.mvalues[2:, :]))


def test_metasoft__single_study_has_no_heterogeneity() -> None:
    res = metasoft([[0.2], [np.nan]], [[0.1], [np.nan]])
    assert res.n_studies[0] == 1
    assert res.beta_fe[0] == pytest.approx(0.2)
    assert np.isnan(res.q[0]) and np.isnan(res.pvalue_re2[0])


def test_han_eskin_tabulated_pvalue__identity_table_keeps_asymptotic() -> None:
    grid = np.arange(331) / 10
    asym = 0.5 * stats.chi2.sf(grid, 1) + 0.5 * stats.chi2.sf(grid, 2)
    table = np.tile(asym, (3, 1))
    s = np.array([0.0, 3.14, 12.0, 40.0, 5.0])
    k = np.array([2, 3, 4, 4, 9])
    want = 0.5 * stats.chi2.sf(s, 1) + 0.5 * stats.chi2.sf(s, 2)
    np.testing.assert_allclose(han_eskin_tabulated_pvalue(s, k, table), want, rtol=1e-12)
    np.testing.assert_allclose(han_eskin_tabulated_pvalue(s, k, table / 2)[:4], want[:4] / 2)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 10))
def test_metasoft__pvalues_in_range_and_scale_invariant(seed: int, scale: float) -> None:
    slope, se, _ = planted(seed, n_tissues=5, n_pairs=5)
    a = metasoft(slope, se, mvalues=False)
    b = metasoft(slope * scale, se * scale, mvalues=False)
    for p in (a.pvalue_fe, a.pvalue_re, a.pvalue_re2, a.pvalue_q):
        assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(b.pvalue_fe, a.pvalue_fe, rtol=1e-8)
    np.testing.assert_allclose(b.i_square, a.i_square, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(b.stat1_re2 + b.stat2_re2, a.stat1_re2 + a.stat2_re2, rtol=1e-6)
