from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.cis_nominal import map_cis_nominal
from genotex.qtl.regression import associate
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows

if TYPE_CHECKING:
    from tests.qtl.conftest import TensorQTLCase


def test_map_cis_nominal__matches_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    ref = case.read("cis_nominal")
    got = map_cis_nominal(case.genotypes, case.phenotypes, case.windows, case.residualizer)
    np.testing.assert_array_equal(case.phenotype_ids[got.phenotype_index], ref["phenotype_id"])
    np.testing.assert_array_equal(case.variant_ids[got.variant_index], ref["variant_id"])
    np.testing.assert_array_equal(
        case.variant_pos[got.variant_index] - case.phenotype_start[got.phenotype_index],
        ref["start_distance"],
    )
    np.testing.assert_array_equal(got.ma_samples, ref["ma_samples"])
    np.testing.assert_array_equal(got.ma_count, ref["ma_count"])
    np.testing.assert_allclose(got.af, ref["af"], rtol=1e-6)
    expect_p = ref["pval_nominal"].to_numpy()
    nan = np.isnan(expect_p)
    assert nan.sum() >= 3  # the monomorphic and all-het variants of the fixture
    np.testing.assert_array_equal(np.isnan(got.pval_nominal), nan)
    # tensorQTL correlates in float32: −log10 p agrees to 1e-5 relative (atol for p ≈ 1)
    np.testing.assert_allclose(-np.log10(got.pval_nominal[~nan]), -np.log10(expect_p[~nan]),
                               rtol=1e-5, atol=1e-5)
    se = ref["slope_se"].to_numpy()[~nan]
    np.testing.assert_allclose(got.slope_se[~nan], se, rtol=1e-5)
    assert np.max(np.abs(got.slope[~nan] - ref["slope"].to_numpy()[~nan]) / se) < 1e-4


def test_map_cis_nominal__maf_filter_drops_pairs(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    all_pairs = map_cis_nominal(case.genotypes, case.phenotypes, case.windows, case.residualizer)
    kept = map_cis_nominal(case.genotypes, case.phenotypes, case.windows, case.residualizer,
                           maf_threshold=0.05)
    maf = np.minimum(all_pairs.af, 1 - all_pairs.af)
    assert kept.pval_nominal.size == int((maf >= np.float32(0.05)).sum())
    # only the all-heterozygous variants (MAF 0.5, constant) survive the filter as NaN rows
    nan = np.isnan(kept.pval_nominal)
    assert nan.any()
    assert (kept.af[nan] == 0.5).all()


def test_map_cis_nominal__blocked_equals_one_at_a_time(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    a = map_cis_nominal(case.genotypes, case.phenotypes, case.windows, case.residualizer,
                        max_phenotypes_per_block=1)
    b = map_cis_nominal(case.genotypes, case.phenotypes, case.windows, case.residualizer,
                        max_phenotypes_per_block=64)
    np.testing.assert_array_equal(a.variant_index, b.variant_index)
    np.testing.assert_allclose(a.tstat, b.tstat, rtol=1e-10, equal_nan=True)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000))
def test_map_cis_nominal__equals_full_association_inside_windows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, nv, npheno = 30, 25, 6
    g = rng.binomial(2, 0.3, (nv, n)).astype(float)
    g[:, :2] = [0, 1]
    g[rng.random(g.shape) < 0.05] = np.nan
    y = rng.standard_normal((npheno, n))
    c = rng.standard_normal((n, 2))
    start = rng.integers(0, nv, npheno)
    w = CisWindows(start, np.minimum(start + rng.integers(0, 10, npheno), nv))
    r = Residualizer(c)
    got = map_cis_nominal(g, y, w, r, max_phenotypes_per_block=int(rng.integers(1, 5)))
    gi = np.where(np.isnan(g), np.nanmean(g, 1, keepdims=True), g)
    full = associate(gi, y, r)
    np.testing.assert_allclose(got.tstat, full.tstat[got.variant_index, got.phenotype_index],
                               rtol=1e-9, atol=1e-12)
    assert got.pval_nominal.size == int(w.size.sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_prepare_genotypes__without_imputed_same_rows_one_copy_less(dtype: type) -> None:
    from genotex.qtl.cis_nominal import prepare_genotypes

    rng = np.random.default_rng(4)
    g = rng.binomial(2, 0.3, (30, 25)).astype(np.float32)
    g[3, 4] = np.nan
    g[7] = 1.0  # monomorphic: flagged before its memory is reused
    r = Residualizer(rng.standard_normal((25, 2)), dtype=dtype)
    kept = prepare_genotypes(g, r, maf_threshold=0.05)
    lean = prepare_genotypes(g, r, maf_threshold=0.05, keep_imputed=False)
    assert lean.imputed.shape == (0, 25) and kept.imputed.shape == (30, 25)
    for f in ("unit", "var", "af", "ma_samples", "ma_count", "keep", "monomorphic"):
        np.testing.assert_array_equal(getattr(lean, f), getattr(kept, f), err_msg=f)
    assert lean.monomorphic[7]
