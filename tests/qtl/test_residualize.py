from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.residualize import Residualizer


def _ols_residuals(m: np.ndarray, c: np.ndarray) -> np.ndarray:
    x = np.column_stack([np.ones(c.shape[0]), c])
    beta, *_ = np.linalg.lstsq(x, m.T, rcond=None)
    return (m.T - x @ beta).T


def test_residualizer__equals_ols_on_intercept_and_covariates() -> None:
    rng = np.random.default_rng(0)
    c = rng.standard_normal((50, 4))
    m = rng.standard_normal((7, 50)) + 3
    r = Residualizer(c)
    np.testing.assert_allclose(r.transform(m), _ols_residuals(m, c), atol=1e-12)
    assert r.dof == 50 - 2 - 4


def test_residualizer__vector_input_gives_vector() -> None:
    rng = np.random.default_rng(1)
    c = rng.standard_normal((20, 2))
    y = rng.standard_normal(20)
    r = Residualizer(c)
    np.testing.assert_allclose(r.transform(y), r.transform(y[None, :])[0])


def test_residualizer__float32_option_close_to_float64() -> None:
    rng = np.random.default_rng(2)
    c = rng.standard_normal((30, 3))
    m = rng.standard_normal((5, 30))
    a = Residualizer(c, dtype=np.float32).transform(m)
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, Residualizer(c).transform(m), atol=1e-5)


def test_residualizer__intercept_only_centers() -> None:
    r = Residualizer.intercept_only(4)
    assert r.dof == 2
    np.testing.assert_allclose(r.transform([[1.0, 2, 3, 6]]), [[-2.0, -1, 0, 3]])


def test_residualizer__rejects_nan_and_bad_shapes() -> None:
    with pytest.raises(ValueError, match="NaN"):
        Residualizer(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        Residualizer(np.ones(3))
    with pytest.raises(ValueError, match="samples"):
        Residualizer(np.ones((3, 1))).transform(np.ones((1, 4)))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(6, 40), k=st.integers(0, 4), seed=st.integers(0, 2**32 - 1))
def test_complement__same_dot_products_as_the_residuals(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((n, k))
    m = rng.standard_normal((5, n)) * rng.uniform(0.1, 10, (5, 1)) + rng.normal(0, 5, (5, 1))
    r = Residualizer(c)
    full, comp = r.transform(m), r.complement(m)
    assert comp.shape == (5, n - 1 - k) == (5, r.n_complement)
    np.testing.assert_allclose(comp @ comp.T, full @ full.T, atol=1e-9 * np.abs(m).max() ** 2)


def test_complement__writes_into_out_and_float32() -> None:
    rng = np.random.default_rng(3)
    r = Residualizer(rng.standard_normal((30, 2)), dtype=np.float32)
    m = rng.standard_normal((4, 30)).astype(np.float32)
    out = np.full((6, r.n_complement), np.nan, dtype=np.float32)
    got = r.complement(m, out=out[:4])
    assert got.dtype == np.float32 and np.shares_memory(got, out)
    np.testing.assert_allclose(out[:4] @ out[:4].T, r.transform(m) @ r.transform(m).T,
                               atol=1e-4)
    assert np.isnan(out[4:]).all()


def test_in_float64__same_covariates_in_float64_built_once() -> None:
    c = np.random.default_rng(3).standard_normal((20, 3))
    r32 = Residualizer(c, dtype=np.float32)
    r64 = r32.in_float64()
    assert r64.dtype == np.float64 and r32.in_float64() is r64 and r64.in_float64() is r64
    np.testing.assert_array_equal(r64._covariates, c.astype(np.float32))
    assert r64.dof == r32.dof
