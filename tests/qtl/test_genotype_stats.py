from __future__ import annotations

import numpy as np

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
