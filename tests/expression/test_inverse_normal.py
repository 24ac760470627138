"""Inverse normal transform: reference formula, ties, NaN policies and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import norm, rankdata

from genotex.expression.inverse_normal import inverse_normal_transform

_rows = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 30)),
               elements=st.integers(-20, 20).map(float))


def test_inverse_normal_transform__matches_pyqtl_formula() -> None:
    rng = np.random.default_rng(3)
    m = rng.gamma(1.0, 5.0, size=(20, 17)).round(1)
    expected = norm.ppf(rankdata(m, axis=1) / (m.shape[1] + 1))
    np.testing.assert_allclose(inverse_normal_transform(m), expected, rtol=1e-12)


def test_inverse_normal_transform__ties_get_average_rank() -> None:
    got = inverse_normal_transform(np.array([[1.0, 2.0, 2.0, 3.0]]))[0]
    assert got[1] == got[2]
    np.testing.assert_allclose(got[1], norm.ppf(2.5 / 5))


def test_inverse_normal_transform__nan_propagates_to_the_row() -> None:
    got = inverse_normal_transform(np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]]))
    assert np.isnan(got[0]).all()
    assert np.isfinite(got[1]).all()


def test_inverse_normal_transform__nan_omit_ranks_the_rest() -> None:
    got = inverse_normal_transform(np.array([[1.0, np.nan, 3.0, 2.0]]), nan_policy="omit")[0]
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[[0, 3, 2]], norm.ppf(np.array([1, 2, 3]) / 4))


def test_inverse_normal_transform__keeps_labels_and_handles_series() -> None:
    df = pd.DataFrame([[3.0, 1.0, 2.0]], index=["g"], columns=["a", "b", "c"])
    out = inverse_normal_transform(df)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == ["a", "b", "c"]
    s = inverse_normal_transform(df.loc["g"])
    assert isinstance(s, pd.Series) and s.name == "g"
    np.testing.assert_allclose(s.to_numpy(), out.loc["g"].to_numpy())


def test_inverse_normal_transform__rejects_bad_policy_and_shape() -> None:
    with pytest.raises(ValueError, match="nan_policy"):
        inverse_normal_transform([[1.0, 2.0]], nan_policy="raise")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1-D or 2-D"):
        inverse_normal_transform(np.zeros((2, 2, 2)))


@settings(max_examples=60, deadline=None)
@given(m=_rows)
def test_inverse_normal_transform__preserves_rank_order_and_ties(m: np.ndarray) -> None:
    q = inverse_normal_transform(m)
    for x, y in zip(m, q, strict=True):
        i, j = np.triu_indices(x.size, 1)
        assert np.all(np.sign(x[i] - x[j]) == np.sign(y[i] - y[j]))


@settings(max_examples=60, deadline=None)
@given(m=_rows, scale=st.floats(0.1, 10), shift=st.floats(-100, 100))
def test_inverse_normal_transform__invariant_to_monotone_transforms(
    m: np.ndarray, scale: float, shift: float
) -> None:
    q = inverse_normal_transform(m)
    np.testing.assert_array_equal(inverse_normal_transform(np.exp(m / 10) * scale + shift), q)
