"""TMM factors against edgeR, edgeR's special cases, and invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.errors import InputError
from genotex.expression.tmm import edger_cpm, tmm_norm_factors

EDGER = Path(__file__).resolve().parents[1] / "reference" / "edger"
CASES = ["poisson_gamma", "sparse_ties", "very_sparse"]


def _load(case: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = pd.read_csv(EDGER / f"{case}.counts.tsv.gz", sep="\t", index_col=0)
    expected = pd.read_csv(EDGER / f"{case}.tmm.tsv", sep="\t", index_col=0)
    return counts, expected


@pytest.mark.parametrize("case", CASES)
def test_tmm_norm_factors__matches_edger(case: str) -> None:
    counts, expected = _load(case)
    got = tmm_norm_factors(counts)
    np.testing.assert_allclose(got, expected["norm_factor"].to_numpy(), rtol=1e-6, atol=0)


@pytest.mark.parametrize("case", CASES)
def test_tmm_norm_factors__reference_column_as_edger(case: str) -> None:
    counts, expected = _load(case)
    ref = int(np.flatnonzero(expected["is_reference"].to_numpy())[0])
    default = tmm_norm_factors(counts)
    np.testing.assert_array_equal(tmm_norm_factors(counts, ref_column=ref), default)


def test_tmm_norm_factors__duplicate_of_reference_gets_same_factor() -> None:
    counts, expected = _load("sparse_ties")
    ref = int(np.flatnonzero(expected["is_reference"].to_numpy())[0])
    f = tmm_norm_factors(counts)
    twins = [j for j in range(counts.shape[1])
             if np.array_equal(counts.iloc[:, j], counts.iloc[:, ref])]
    assert len(twins) == 2
    assert f[twins[0]] == f[twins[1]]


def test_tmm_norm_factors__all_zero_rows_do_not_matter() -> None:
    counts, _ = _load("poisson_gamma")
    extra = pd.DataFrame(0, index=[f"Z{i}" for i in range(50)], columns=counts.columns)
    np.testing.assert_array_equal(tmm_norm_factors(pd.concat([counts, extra])),
                                  tmm_norm_factors(counts))


def test_tmm_norm_factors__single_sample_or_all_zero_is_one() -> None:
    np.testing.assert_array_equal(tmm_norm_factors(np.array([[3], [4]])), [1.0])
    np.testing.assert_array_equal(tmm_norm_factors(np.zeros((4, 3))), [1.0, 1.0, 1.0])


def test_tmm_norm_factors__no_overlapping_genes_gives_one_before_rescaling() -> None:
    # sample 2 shares no non-zero gene with the reference: empty M values, factor 1 (edgeR)
    counts = np.array([[5, 6, 0], [7, 8, 0], [0, 0, 9], [3, 3, 0], [6, 5, 0]])
    f = tmm_norm_factors(counts)
    assert np.isfinite(f).all()
    np.testing.assert_allclose(np.prod(f), 1.0)


@pytest.mark.parametrize(
    ("bad", "message"),
    [(np.array([[1.0, np.nan], [2.0, 3.0]]), "NA counts"),
     (np.array([[1.0, -1.0], [2.0, 3.0]]), "negative"),
     (np.array([[1.0, 0.0], [2.0, 0.0]]), "total count of 0"),
     (np.array([1.0, 2.0]), "2-D")],
)
def test_tmm_norm_factors__rejects_bad_counts(bad: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        tmm_norm_factors(bad)


def test_edger_cpm__dataframe_in_dataframe_out() -> None:
    counts, _ = _load("poisson_gamma")
    cpm = edger_cpm(counts)
    assert isinstance(cpm, pd.DataFrame)
    assert cpm.index.equals(counts.index) and cpm.columns.equals(counts.columns)
    f = tmm_norm_factors(counts)
    np.testing.assert_allclose(cpm.sum(axis=0).to_numpy(), 1e6 / f, rtol=1e-12)


def test_edger_cpm__plain_cpm_and_factor_count_check() -> None:
    y = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(edger_cpm(y, normalized_lib_sizes=False), [[25e4] * 2, [75e4] * 2])
    with pytest.raises(InputError, match="normalization factors"):
        edger_cpm(y, [1.0, 1.0, 1.0])


_matrices = st.integers(0, 2**32 - 1).map(
    lambda seed: np.random.default_rng(seed).poisson(
        np.random.default_rng(seed).gamma(0.8, 40, size=(60, 1)) + 0.5, size=(60, 6)
    ).astype(float)
)


@settings(max_examples=40, deadline=None)
@given(y=_matrices)
def test_tmm_norm_factors__multiply_to_one(y: np.ndarray) -> None:
    f = tmm_norm_factors(y)
    assert np.all(f > 0)
    np.testing.assert_allclose(np.prod(f), 1.0, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(y=_matrices, j=st.integers(0, 5), scale=st.sampled_from([2.0, 3.0, 10.0, 0.5]))
def test_tmm_norm_factors__invariant_to_scaling_a_sample(
    y: np.ndarray, j: int, scale: float
) -> None:
    # M and A values and the reference choice depend on proportions only, so the unweighted
    # trimmed mean is exactly invariant; the precision weights 1/v are not (see next test).
    scaled = y.copy()
    scaled[:, j] *= scale
    np.testing.assert_allclose(tmm_norm_factors(scaled, do_weighting=False),
                               tmm_norm_factors(y, do_weighting=False), rtol=1e-9)


def test_tmm_norm_factors__weighted_nearly_invariant_to_scaling_a_sample() -> None:
    counts, _ = _load("poisson_gamma")
    scaled = counts.copy()
    scaled.iloc[:, 4] *= 3
    np.testing.assert_allclose(tmm_norm_factors(scaled), tmm_norm_factors(counts), rtol=0.02)
