from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.genotype_stats import allele_stats, impute_mean, is_monomorphic, maf_mask


def test_impute_mean__uses_non_missing_mean_per_variant() -> None:
    g = np.array([[0.0, np.nan, 2.0, 2.0], [np.nan, np.nan, np.nan, np.nan]])
    out = impute_mean(g)
    np.testing.assert_allclose(out[0], [0, 4 / 3, 2, 2])
    assert np.isnan(out[1]).all()
    assert np.isnan(g[0, 1])  # input untouched


def test_impute_mean__keeps_float32() -> None:
    assert impute_mean(np.array([[0, np.nan, 1]], dtype=np.float32)).dtype == np.float32


def test_allele_stats__alt_major_counts_from_2n() -> None:
    s = allele_stats([[2, 2, 1, 0], [1, 1, 1, 1]])
    # af = 5/8 > 0.5: minor (REF) samples are g < 1.5, count = 2n − trunc(Σ_{g>0.5} g)
    assert s.af.tolist() == [0.625, 0.5]
    assert s.ma_samples.tolist() == [2, 4]
    assert s.ma_count.tolist() == [3, 4]


def test_allele_stats__truncates_imputed_sums() -> None:
    s = allele_stats([[0.7, 0.7, 0.0, 0.0, 0.0]])
    assert s.ma_samples[0] == 2
    assert s.ma_count[0] == 1  # trunc(1.4), not round


def test_maf_mask__threshold_inclusive_and_zero_keeps_all() -> None:
    af = np.array([0.0, 0.05, 0.95, 0.2])
    assert maf_mask(af, 0.05).tolist() == [False, True, True, True]
    assert maf_mask(af, 0).all()


def test_is_monomorphic__detects_all_het() -> None:
    assert is_monomorphic([[1, 1], [2, 2], [0, 1]]).tolist() == [True, True, False]


def _prepare_cis_output_stats(g: np.ndarray) -> tuple[int, int, float]:
    """tensorQTL ``prepare_cis_output``'s statistics of one top variant, written out."""
    n2 = 2 * g.size
    af = float(np.sum(g)) / n2
    s = float(np.sum(g[g > 0.5]))
    if af <= 0.5:
        return int(np.sum(g > 0.5)), int(s), af
    return int(np.sum(g < 1.5)), int(n2 - s), af


def test_allele_stats__top_variant_follows_prepare_cis_output() -> None:
    rng = np.random.default_rng(4)
    g = rng.binomial(2, rng.uniform(0.05, 0.95, (400, 1)), (400, 31)).astype(np.float32)
    g[::3, :4] = rng.uniform(0, 2, (134, 4)).astype(np.float32)  # imputed-like dosages
    g[1::7, 0] = np.float32(0.7) + np.float32(0.3)  # sums landing on (or next to) integers
    g[2::5, 1:3] = np.float32(1) / np.float32(3)
    st = allele_stats(g, top_variant=True)
    want = np.array([_prepare_cis_output_stats(row) for row in g])
    np.testing.assert_array_equal(st.ma_samples, want[:, 0])
    np.testing.assert_array_equal(st.ma_count, want[:, 1])
    np.testing.assert_array_equal(st.af, want[:, 2].astype(np.float32))
    assert (allele_stats(g).ma_count != st.ma_count).any()  # the nominal formula differs


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), nan_rows=st.booleans())
def test_masked_row_sums__equal_where_sums(seed: int, nan_rows: bool) -> None:
    from genotex.qtl.genotype_stats import _masked_row_sums

    rng = np.random.default_rng(seed)
    g = (rng.integers(0, 3, (7, 40)) + rng.uniform(-0.3, 0.3, (7, 40))).astype(np.float32)
    g = np.clip(g, 0, 2)
    if nan_rows:
        g[[1, 4], [3, 0]] = np.nan  # not imputed: an unselected NaN is left out
        g[5] = np.nan
    mask = g > 0.5
    np.testing.assert_array_equal(_masked_row_sums(g, mask),
                                  np.where(mask, g, 0).sum(1, dtype=np.float64))
