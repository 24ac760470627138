from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from genotex.qtl.beta_approx import (
    BetaApproxBatch,
    beta_approx_pval,
    beta_approx_pvals,
    beta_shape1_from_dof,
    fit_beta,
)


def _null_r2_perm(seed: int, n_var: int = 200, n: int = 80, n_perm: int = 500) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((n_var, n))
    g = (g - g.mean(1, keepdims=True)) / np.linalg.norm(g, axis=1, keepdims=True)
    y = rng.standard_normal((n_perm, n))
    y = (y - y.mean(1, keepdims=True)) / np.linalg.norm(y - y.mean(1, keepdims=True), axis=1,
                                                         keepdims=True)
    return ((g @ y.T) ** 2).max(0)


def _null_r2_batch(seed: int, n_genes: int, n_perm: int, n: int) -> np.ndarray:
    """(n_genes, n_perm) null maxima of r² over 1–60 independent variants, n samples."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_genes):
        z = rng.standard_normal((n_perm, int(rng.integers(1, 60))))
        rows.append((z * z / (n - 2 + z * z)).max(1))
    return np.array(rows)


def _assert_batch_equals_scalar(r2: np.ndarray, r2_top: np.ndarray, dof_init: float) -> None:
    """The batched fit equals the one-phenotype (scipy.optimize) fit of each row, bit for bit."""
    got = beta_approx_pvals(r2, r2_top, dof_init=dof_init)
    for i in range(len(r2)):
        want = beta_approx_pval(r2[i], float(r2_top[i]), dof_init=dof_init)
        for name in ("pval_beta", "beta_shape1", "beta_shape2", "true_df", "pval_true_df",
                     "secant_failed"):
            np.testing.assert_array_equal(getattr(got, name)[i], getattr(want, name),
                                          err_msg=f"row {i}: {name}")


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


@pytest.mark.parametrize(("n_perm", "n", "grouped"),
                         [(1000, 100, False), (1000, 100, True), (100, 900, False), (20, 30, True),
                          (20, 12, False)])
def test_beta_approx_pvals__equals_scalar_row_by_row(n_perm: int, n: int, grouped: bool) -> None:
    r2 = _null_r2_batch(n_perm + n, 12, n_perm, n)
    r2_top = np.random.default_rng(n).uniform(0, 0.6, len(r2))
    _assert_batch_equals_scalar(r2, r2_top, 0.25 * (n - 2) if grouped else n - 2)


def test_beta_approx_pvals__equals_scalar_with_ties_and_float32() -> None:
    r2 = _null_r2_batch(3, 8, 200, 60)
    r2_top = np.linspace(0.05, 0.5, len(r2))
    _assert_batch_equals_scalar(np.round(r2, 3), r2_top, 58)
    _assert_batch_equals_scalar(r2.astype(np.float32), r2_top, 58)


def test_beta_approx_pvals__secant_failure_falls_back_like_scalar() -> None:
    r2 = _null_r2_batch(4, 4, 100, 50)
    r2[1] = 0.2  # zero variance: log shape1 is NaN, the secant never converges
    r2[2, :50], r2[2, 50:] = 0.3, 0.1  # two values
    r2[3, :60] = 0.15  # ties in most permutations
    _assert_batch_equals_scalar(r2, np.full(4, 0.25), 48)
    _assert_batch_equals_scalar(np.full((2, 50), 0.2), np.full(2, 0.25), 40)
    assert beta_approx_pvals(r2, np.full(4, 0.25), dof_init=48).secant_failed[1]


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_perm=st.integers(20, 300), n=st.integers(8, 1000),
       grouped=st.booleans())
def test_beta_approx_pvals__equals_scalar_property(seed: int, n_perm: int, n: int,
                                                   grouped: bool) -> None:
    r2 = _null_r2_batch(seed, 3, n_perm, n)
    r2_top = np.random.default_rng(seed).uniform(0, 0.8, len(r2))
    _assert_batch_equals_scalar(r2, r2_top, 0.25 * (n - 2) if grouped else n - 2)


def test_beta_approx_pvals__per_gene_dof_init_equals_one_call_per_gene() -> None:
    r2 = _null_r2_batch(5, 3, 150, 40)
    dof = np.array([38.0, 9.5, 20.0])
    got = beta_approx_pvals(r2, [0.1, 0.2, 0.3], dof_init=dof)
    for i in range(3):
        one = beta_approx_pvals(r2[i:i + 1], [0.1, 0.2, 0.3][i], dof_init=dof[i])
        assert got.true_df[i] == one.true_df[0]
        assert got.pval_beta[i] == one.pval_beta[0]


def test_beta_approx_pvals__shapes_and_dtypes() -> None:
    r2 = _null_r2_batch(6, 5, 50, 40).astype(np.float32)
    got = beta_approx_pvals(r2, np.full(5, 0.2, dtype=np.float32), dof_init=38)
    assert isinstance(got, BetaApproxBatch)
    for name in ("pval_beta", "beta_shape1", "beta_shape2", "true_df", "pval_true_df"):
        arr = getattr(got, name)
        assert arr.shape == (5,) and arr.dtype == np.float64, name
    assert got.secant_failed.shape == (5,) and got.secant_failed.dtype == np.bool_
    assert np.all((got.pval_beta >= 0) & (got.pval_beta <= 1))


def test_beta_approx_pvals__empty_batch() -> None:
    got = beta_approx_pvals(np.empty((0, 100)), np.empty(0), dof_init=50)
    assert got.pval_beta.shape == got.true_df.shape == got.secant_failed.shape == (0,)


def test_beta_approx_pvals__rejects_one_dimensional_r2() -> None:
    with pytest.raises(ValueError, match="n_genes, n_perm"):
        beta_approx_pvals(np.ones(10) * 0.1, [0.2], dof_init=50)


_IMPORT_WITHOUT_SCIPY_OPTIMIZE = """
import importlib.abc, sys, types
from pathlib import Path
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[:2] == ["scipy", "optimize"]:
            raise ImportError("scipy.optimize is blocked")
sys.meta_path.insert(0, Block())
import genotex
pkg = types.ModuleType("genotex.qtl")  # skip genotex/qtl/__init__.py: only the module's imports
pkg.__path__ = [str(Path(genotex.__file__).parent / "qtl")]
sys.modules["genotex.qtl"] = pkg
import numpy as np
from genotex.qtl.beta_approx import beta_approx_pvals
r2 = np.stack([np.full(100, 0.2), np.linspace(0.01, 0.2, 100)])
print(beta_approx_pvals(r2, [0.3, 0.3], dof_init=50).secant_failed.tolist())
"""


def test_beta_approx_pvals__runs_without_scipy_optimize() -> None:
    out = subprocess.run([sys.executable, "-c", _IMPORT_WITHOUT_SCIPY_OPTIMIZE],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[True, False]"  # the Nelder–Mead fallback ran too
