from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.genotype_stats import impute_mean
from genotex.qtl.residualize import Residualizer
from genotex.qtl.trans import (
    TransPairs,
    apply_trans_permutations,
    concat_trans_pairs,
    filter_cis,
    fit_trans_permutations,
    leave_one_out_max,
    map_trans,
    r_threshold,
    trans_max_r2,
    trans_permutation_phenotypes,
)

if TYPE_CHECKING:
    from tests.qtl.conftest import TensorQTLCase

PVAL = 1e-3  # tests/reference/tensorqtl_trans/regenerate.py
MAF = 0.05
NPERMS = 200
SEED = 7


def _ref(case: TensorQTLCase, name: str) -> pd.DataFrame:
    return pd.read_parquet(case.directory.parent / "tensorqtl_trans" / f"{name}.parquet")


def _pairs_frame(case: TensorQTLCase, got: TransPairs) -> pd.DataFrame:
    return pd.DataFrame({
        "variant_id": case.variant_ids[got.variant_index],
        "phenotype_id": case.phenotype_ids[got.phenotype_index],
        "pval": got.pval, "b": got.b, "b_se": got.b_se, "r2": got.r2, "af": got.af,
    })


def _compare_pairs(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    key = ["variant_id", "phenotype_id"]
    m = got.merge(ref, on=key, how="outer", suffixes=("", "_ref"), indicator=True)
    # only borderline pairs (float32 in tensorQTL) may fall on different sides of the cut
    odd = m[m["_merge"] != "both"]
    assert odd[["pval", "pval_ref"]].min(axis=1).gt(0.9 * PVAL).all(), odd
    both = m[m["_merge"] == "both"]
    assert len(both) >= 0.98 * len(ref)
    np.testing.assert_allclose(-np.log10(both["pval"]), -np.log10(both["pval_ref"]), rtol=1e-5)
    for col in ("b", "b_se", "r2"):
        np.testing.assert_allclose(both[col], both[f"{col}_ref"], rtol=2e-5)
    np.testing.assert_allclose(both["af"], both["af_ref"], rtol=1e-6)


def test_map_trans__matches_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    got = map_trans(case.genotypes, case.phenotypes, case.residualizer,
                    pval_threshold=PVAL, maf_threshold=MAF)
    assert got.dof == 93
    _compare_pairs(_pairs_frame(case, got), _ref(case, "trans_pairs"))


def test_map_trans__chunked_matches_tensorqtl_batches(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    parts = [map_trans(case.genotypes[lo:lo + 700], case.phenotypes, case.residualizer,
                       pval_threshold=PVAL, maf_threshold=MAF, variant_offset=lo)
             for lo in range(0, case.genotypes.shape[0], 700)]
    got = concat_trans_pairs(parts)
    assert got.n_variants_tested == 2791  # tensorQTL: "2791 variants passed MAF >= 0.05"
    _compare_pairs(_pairs_frame(case, got), _ref(case, "trans_pairs"))


def test_filter_cis__matches_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    d = np.load(case.directory / "inputs.npz")
    pairs = map_trans(case.genotypes, case.phenotypes, case.residualizer,
                      pval_threshold=PVAL, maf_threshold=MAF)
    kept = filter_cis(pairs, d["variant_chrom"], d["variant_pos"], d["phenotype_chrom"],
                      d["phenotype_start"], d["phenotype_end"], window=200_000)
    assert 0 < len(kept) < len(pairs)
    _compare_pairs(_pairs_frame(case, kept), _ref(case, "trans_pairs_filtered"))


def _polymorphic(g: np.ndarray) -> np.ndarray:
    gi = impute_mean(g)
    return ~(gi == gi[:, :1]).all(1)


def test_trans_permutations__match_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    perms = trans_permutation_phenotypes(100, n_permutations=NPERMS, seed=SEED)
    g = case.genotypes[_polymorphic(case.genotypes)]
    max_r2 = np.maximum(trans_max_r2(g[:1000], perms, case.residualizer, maf_threshold=MAF),
                        trans_max_r2(g[1000:], perms, case.residualizer, maf_threshold=MAF))
    fit = fit_trans_permutations(max_r2, dof=case.residualizer.dof)
    ref = _ref(case, "permutations_polymorphic").iloc[0]
    np.testing.assert_allclose(fit.minp_empirical, ref["minp_empirical"], rtol=1e-4)
    np.testing.assert_allclose(fit.true_df, ref["true_df"], rtol=1e-3)
    np.testing.assert_allclose([fit.beta_shape1, fit.beta_shape2],
                               [ref["beta_shape1"], ref["beta_shape2"]], rtol=2e-3)
    pairs = map_trans(case.genotypes, case.phenotypes, case.residualizer,
                      pval_threshold=PVAL, maf_threshold=MAF)
    pv = apply_trans_permutations(pairs, fit)
    got = _pairs_frame(case, pairs).assign(pval_perm=pv.pval_perm, pval_beta=pv.pval_beta,
                                           pval_true_df=pv.pval_true_df)
    m = got.merge(_ref(case, "trans_pairs_perm"), on=["variant_id", "phenotype_id"],
                  suffixes=("", "_ref"))
    assert len(m) >= 125
    close = np.isclose(m["pval_perm"], m["pval_perm_ref"], rtol=0, atol=1.5 / (NPERMS + 1))
    assert close.all()
    np.testing.assert_allclose(m["pval_true_df"], m["pval_true_dof"], rtol=2e-3)
    np.testing.assert_allclose(m["pval_beta"], m["pval_beta_ref"], rtol=5e-3, atol=1e-4)


def test_trans_max_r2__all_het_variant_gives_nan_like_tensorqtl(
    tqtl_case: TensorQTLCase,
) -> None:
    case = tqtl_case
    perms = trans_permutation_phenotypes(100, n_permutations=NPERMS, seed=SEED)
    got = trans_max_r2(case.genotypes, perms, case.residualizer, maf_threshold=MAF)
    ref = _ref(case, "permutations").iloc[0]
    assert np.isnan(got).all() and np.isnan(ref["minp_empirical"]).all()


def test_leave_one_out_max__matches_tensorqtl_by_chromosome(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    d = np.load(case.directory / "inputs.npz")
    perms = trans_permutation_phenotypes(100, n_permutations=NPERMS, seed=SEED)
    chrom_max = np.stack([
        trans_max_r2(case.genotypes[d["variant_chrom"] == c], perms, case.residualizer,
                     maf_threshold=MAF) for c in (1, 2)
    ])
    loo = leave_one_out_max(chrom_max)
    np.testing.assert_array_equal(loo[0], chrom_max[1])
    ref = _ref(case, "permutations_by_chr").set_index("chrom")
    for i, c in enumerate(("chr1", "chr2")):
        fit_nan = np.isnan(loo[i]).all()
        assert fit_nan == np.isnan(ref.loc[c, "minp_empirical"]).all()


def test_trans_permutation_phenotypes__legacy_seed_stream() -> None:
    p = trans_permutation_phenotypes(10, n_permutations=4, seed=3)
    np.random.seed(3)  # noqa: NPY002 (tensorQTL uses the global legacy RNG)
    q = np.tile(np.sort(p[0]), (4, 1))
    for i in range(4):
        np.random.shuffle(q[i])  # noqa: NPY002
    np.testing.assert_array_equal(p, q)


def test_r_threshold__inverts_pvalue() -> None:
    from genotex.qtl.regression import pval_from_t, tstat_from_r

    for dof in (10, 93, 500):
        for p in (1e-2, 1e-5, 1e-12):
            r = r_threshold(p, dof)
            assert float(pval_from_t(tstat_from_r(r, dof), dof)) == pytest.approx(p, rel=1e-8)


def _problem(seed: int, n: int = 30, nv: int = 25, npheno: int = 4):
    rng = np.random.default_rng(seed)
    g = rng.binomial(2, 0.35, (nv, n)).astype(float)
    g[rng.random(g.shape) < 0.03] = np.nan
    c = rng.standard_normal((n, 2))
    y = rng.standard_normal((npheno, n))
    y[0] += np.nan_to_num(g[3], nan=0.6)
    return g, y, Residualizer(c)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), chunk=st.integers(1, 25))
def test_map_trans__chunked_equals_unchunked(seed: int, chunk: int) -> None:
    g, y, r = _problem(seed)
    whole = map_trans(g, y, r, pval_threshold=0.2, maf_threshold=0.05)
    parts = concat_trans_pairs([
        map_trans(g[lo:lo + chunk], y, r, pval_threshold=0.2, maf_threshold=0.05,
                  variant_offset=lo, max_variants_per_block=3)
        for lo in range(0, g.shape[0], chunk)
    ])
    np.testing.assert_array_equal(parts.variant_index, whole.variant_index)
    np.testing.assert_array_equal(parts.phenotype_index, whole.phenotype_index)
    np.testing.assert_allclose(parts.pval, whole.pval, rtol=1e-12)
    assert parts.n_variants_tested == whole.n_variants_tested
    assert ((whole.pval >= 0) & (whole.pval <= 0.2 * (1 + 1e-9))).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_map_trans__equals_ols_per_pair(seed: int) -> None:
    g, y, r = _problem(seed, nv=6, npheno=2)
    res = map_trans(g, y, r, pval_threshold=1.0, maf_threshold=0.0)
    gi = impute_mean(g)
    c = np.column_stack([np.ones(g.shape[1]), r.Q])  # spans [1, covariates]
    for v, p, b, se in zip(res.variant_index, res.phenotype_index, res.b, res.b_se,
                           strict=True):
        x = np.column_stack([c, gi[v]])
        coef, rss, *_ = np.linalg.lstsq(x, y[p], rcond=None)
        sigma2 = rss[0] / (x.shape[0] - x.shape[1])
        cov = sigma2 * np.linalg.inv(x.T @ x)
        assert b == pytest.approx(coef[-1], rel=1e-8, abs=1e-12)
        assert se == pytest.approx(np.sqrt(cov[-1, -1]), rel=1e-8)
