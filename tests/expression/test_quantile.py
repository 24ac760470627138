"""Quantile normalization (preprocessCore semantics as pyqtl implements them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genotex.errors import InputError
from genotex.expression.quantile import normalize_quantiles


def _naive(m: np.ndarray) -> np.ndarray:
    """Direct transcription of the algorithm, loop by loop."""
    q = np.sort(m, axis=0).mean(axis=1)
    out = np.empty_like(m)
    for j in range(m.shape[1]):
        order = np.argsort(m[:, j], kind="stable")
        vals = m[order, j]
        i = 0
        while i < len(vals):
            k = i
            while k + 1 < len(vals) and vals[k + 1] == vals[i]:
                k += 1
            out[order[i:k + 1], j] = np.median(q[i:k + 1])
            i = k + 1
    return out


@settings(max_examples=50, deadline=None)
@given(m=arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 5)),
                elements=st.integers(0, 6).map(float)))
def test_normalize_quantiles__matches_naive_loop(m: np.ndarray) -> None:
    np.testing.assert_allclose(normalize_quantiles(m), _naive(m), rtol=1e-12)


def test_normalize_quantiles__columns_share_one_distribution_without_ties() -> None:
    m = np.random.default_rng(0).normal(size=(50, 6))
    out = normalize_quantiles(m)
    sorted_cols = np.sort(out, axis=0)
    np.testing.assert_allclose(sorted_cols, sorted_cols[:, [0]].repeat(6, axis=1))


def test_normalize_quantiles__keeps_labels_and_rejects_nan() -> None:
    df = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["a", "b"], columns=["x", "y"])
    assert normalize_quantiles(df).index.tolist() == ["a", "b"]
    with pytest.raises(InputError, match="NaN"):
        normalize_quantiles(np.array([[1.0, np.nan], [2.0, 3.0]]))
