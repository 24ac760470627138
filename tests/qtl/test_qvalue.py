from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from genotex.qtl.qvalue import nominal_thresholds, pi0est, qvalue, significant_pairs

REF = Path(__file__).resolve().parents[1] / "reference" / "qvalue"


@pytest.fixture(scope="module")
def r_qvalue() -> tuple[pd.DataFrame, pd.DataFrame]:
    q = pd.read_csv(REF / "qvalues.tsv.gz", sep="\t", keep_default_na=False)
    pi0 = pd.read_csv(REF / "pi0.tsv", sep="\t", index_col=0, keep_default_na=False)
    return q, pi0


@pytest.mark.parametrize("name", ["mixture", "gtex_like", "uniform"])
def test_qvalue__fixed_lambda_equals_r_exactly(r_qvalue, name: str) -> None:  # type: ignore[no-untyped-def]
    q, pi0 = r_qvalue
    d = q[q["set"] == name]
    got = qvalue(d["p"].to_numpy(), 0.85)
    assert got.pi0 == pytest.approx(pi0.loc[name, "pi0_lambda085"], rel=1e-15)
    np.testing.assert_allclose(got.qvalues, d["qval_lambda085"], rtol=1e-14)


@pytest.mark.parametrize("name", ["mixture", "gtex_like", "uniform"])
def test_qvalue__smoother_close_to_r(r_qvalue, name: str) -> None:  # type: ignore[no-untyped-def]
    q, pi0 = r_qvalue
    d = q[q["set"] == name]
    got = qvalue(d["p"].to_numpy())
    # R's smooth.spline stops its spar search near df = 3; we solve df = 3 exactly
    assert got.pi0 == pytest.approx(pi0.loc[name, "pi0_smoother"], rel=2e-5)
    np.testing.assert_allclose(got.qvalues, d["qval_smoother"], rtol=2e-5)


@settings(max_examples=40, deadline=None)
@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=60), lam=st.floats(0.05, 0.9))
def test_qvalue__monotone_in_p_and_bounded(p: list[float], lam: float) -> None:
    arr = np.array(p)
    if np.mean(arr >= lam) == 0:
        return  # pi0 would be 0: R stops with an error, as we do
    res = qvalue(arr, lam)
    o = np.argsort(arr, kind="stable")
    assert np.all(np.diff(res.qvalues[o]) >= -1e-15)
    assert ((res.qvalues >= 0) & (res.qvalues <= res.pi0 + 1e-15)).all()


def test_qvalue__nan_passthrough() -> None:
    res = qvalue([0.01, np.nan, 0.5, 0.9], pi0=1.0)
    assert np.isnan(res.qvalues[1])
    np.testing.assert_allclose(res.qvalues[[0, 2, 3]], [0.03, 0.75, 0.9])


def test_pi0est__rejects_short_grid_and_bad_p() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        pi0est([0.1, 0.5], lambda_=[0.1, 0.2])
    with pytest.raises(ValueError, match="range"):
        pi0est([1.5])


def test_nominal_thresholds__reference_quirk_and_corrected() -> None:
    pb = np.array([1e-10, 1e-4, 0.03, 0.5, 0.9])
    q = np.array([1e-8, 1e-3, 0.04, 0.6, 0.9])
    s1 = np.array([1.0, 1.1, 0.9, 1.0, 1.05])
    s2 = np.array([300.0, 500.0, 200.0, 250.0, 400.0])
    t = nominal_thresholds(pb, q, s1, s2, fdr=0.05)
    assert t.pval_threshold == pytest.approx((0.03 + 0.5) / 2)
    np.testing.assert_allclose(t.pval_nominal_threshold, stats.beta.ppf(0.265, s1, s2))
    true_df = np.array([90.0, 95.0, 80.0, 85.0, 99.0])
    c = nominal_thresholds(pb, q, s1, s2, fdr=0.05, corrected=True, true_df=true_df, dof=93)
    # same |t|-equivalent r²: the corrected threshold is the true_df threshold moved to dof 93
    r2 = stats.f.isf(t.pval_nominal_threshold, 1, true_df)
    r2 = r2 / (true_df + r2)
    np.testing.assert_allclose(c.pval_nominal_threshold,
                               2 * stats.t.cdf(-np.sqrt(93 * r2 / (1 - r2)), 93), rtol=1e-10)
    assert (c.pval_nominal_threshold < t.pval_nominal_threshold)[true_df < 93].all()


def test_nominal_thresholds__none_significant_gives_nan() -> None:
    t = nominal_thresholds([0.5], [0.9], [1.0], [10.0])
    assert np.isnan(t.pval_threshold)
    assert np.isnan(t.pval_nominal_threshold).all()


def test_significant_pairs__strict_inequality() -> None:
    mask = significant_pairs([0, 0, 0, 1], [1e-3, 1e-4, np.nan, 1e-9], [1e-3, 0.1], [0.01, 0.01])
    assert mask.tolist() == [False, True, False, True]


@settings(max_examples=200, deadline=None)
@given(roots=st.lists(st.floats(-30, 30), min_size=1, max_size=3),
       a=st.floats(-40, -31), b=st.floats(31, 40), scale=st.floats(1e-3, 1e3),
       xtol=st.sampled_from([2e-12, 1e-12, 1e-6, 1e-3]), rtol=st.sampled_from([1e-14, 1e-8]))
def test_brentq__bit_identical_to_scipy(roots: list[float], a: float, b: float, scale: float,
                                        xtol: float, rtol: float) -> None:
    from scipy import optimize

    from genotex.qtl.qvalue import brentq

    def f(x: float) -> float:
        return scale * float(np.prod([x - r for r in roots])) + 0.1 * np.tanh(x)

    if f(a) * f(b) >= 0:
        with pytest.raises(ValueError, match="different signs"):
            brentq(f, a, b, xtol=xtol, rtol=rtol)
        return
    got = brentq(f, a, b, xtol=xtol, rtol=rtol)
    want = optimize.brentq(f, a, b, xtol=xtol, rtol=rtol)
    assert got == want or (np.isnan(got) and np.isnan(want))


def test_brentq__pi0_smoother_root_matches_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """pi0est's smoothing-spline solve gives the same π0 with SciPy's brentq, to the bit."""
    import sys

    from scipy import optimize

    qv = sys.modules["genotex.qtl.qvalue"]  # the package re-exports a function of that name
    p = np.random.default_rng(7).beta(0.4, 1.0, 5_000)
    ours = pi0est(p)
    monkeypatch.setattr(qv, "brentq", optimize.brentq)
    theirs = pi0est(p)
    assert ours.pi0 == theirs.pi0
    np.testing.assert_array_equal(ours.pi0_smooth, theirs.pi0_smooth)


def test_qvalue__import_does_not_load_scipy_optimize() -> None:
    import subprocess
    import sys

    code = ("import sys, genotex.qtl; "
            "sys.exit('scipy.optimize' in sys.modules or 'scipy.stats' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
