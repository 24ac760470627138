from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.cis_permutation import (
    AdaptivePermutations,
    map_cis_permutations,
    permutation_indices,
)
from genotex.qtl.regression import associate
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows

if TYPE_CHECKING:
    from tests.qtl.conftest import TensorQTLCase

NPERM, SEED, MAF = 1000, 123, 0.05  # as in tests/reference/tensorqtl/regenerate.py


def _check_against(got, ref, case: TensorQTLCase) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_array_equal(case.phenotype_ids[got.phenotype_index], ref.index)
    np.testing.assert_array_equal(case.variant_ids[got.variant_index], ref["variant_id"])
    for col in ("num_var", "ma_samples", "ma_count", "pval_perm"):
        np.testing.assert_array_equal(getattr(got, col), ref[col], err_msg=col)
    np.testing.assert_allclose(got.af, ref["af"], rtol=1e-6)
    for col in ("pval_nominal", "pval_true_df"):
        np.testing.assert_allclose(-np.log10(getattr(got, col)), -np.log10(ref[col]),
                                   rtol=1e-5, err_msg=col)
    for col in ("slope", "slope_se", "beta_shape1", "beta_shape2", "true_df"):
        np.testing.assert_allclose(getattr(got, col), ref[col], rtol=1e-5, err_msg=col)
    np.testing.assert_allclose(got.pval_beta, ref["pval_beta"], rtol=1e-4)


def test_map_cis_permutations__matches_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    got = map_cis_permutations(case.genotypes, case.phenotypes, case.windows, case.residualizer,
                               n_perm=NPERM, seed=SEED, maf_threshold=MAF)
    _check_against(got, case.read("cis_permutation"), case)
    assert (got.group_index == -1).all()
    assert (got.group_size == 1).all()


def test_map_cis_permutations__grouped_matches_tensorqtl(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    groups = case.phenotype_ids.copy()
    groups[5:8] = "G5"
    ref = case.read("cis_permutation_groups")
    got = map_cis_permutations(case.genotypes, case.phenotypes, case.windows, case.residualizer,
                               n_perm=NPERM, seed=SEED, maf_threshold=MAF, groups=groups)
    _check_against(got, ref, case)
    np.testing.assert_array_equal(got.group_size, ref["group_size"])
    np.testing.assert_array_equal(np.unique(groups)[got.group_index], ref["group_id"])


def test_map_cis_permutations__blocking_does_not_change_results(tqtl_case: TensorQTLCase) -> None:
    case = tqtl_case
    sub = slice(0, 12)
    w = CisWindows(case.windows.start[sub], case.windows.stop[sub])
    kw = dict(n_perm=50, seed=1, keep_r2_perm=True, beta_approx=False)
    a = map_cis_permutations(case.genotypes, case.phenotypes[sub], w, case.residualizer,
                             max_block_elements=1, **kw)  # one phenotype per product
    b = map_cis_permutations(case.genotypes, case.phenotypes[sub], w, case.residualizer, **kw)
    assert a.r2_perm is not None and b.r2_perm is not None
    np.testing.assert_allclose(a.r2_perm, b.r2_perm, rtol=1e-10)
    np.testing.assert_array_equal(a.variant_index, b.variant_index)


def test_map_cis_permutations__r2_perm_is_max_over_window_of_permuted_fit() -> None:
    rng = np.random.default_rng(5)
    n = 30
    g = rng.binomial(2, 0.4, (8, n)).astype(float)
    g[:, :2] = [0, 2]
    y = rng.standard_normal((1, n))
    c = rng.standard_normal((n, 2))
    r = Residualizer(c)
    perm = permutation_indices(n, 20, seed=3)
    got = map_cis_permutations(g, y, CisWindows(np.array([0]), np.array([8])), r,
                               perm_ix=perm, keep_r2_perm=True, beta_approx=False)
    yp = y[0][perm]
    expect = (associate(g, yp, r).r ** 2).max(0)
    assert got.r2_perm is not None
    np.testing.assert_allclose(got.r2_perm[0], expect, rtol=1e-10)
    assert np.isnan(got.pval_beta).all()


def test_map_cis_permutations__skips_phenotypes_without_valid_variants() -> None:
    g = np.ones((3, 10))  # all monomorphic
    y = np.arange(20.0).reshape(2, 10)
    got = map_cis_permutations(g, y, CisWindows(np.array([0, 0]), np.array([3, 0])),
                               Residualizer.intercept_only(10), n_perm=5)
    assert got.phenotype_index.size == 0


def test_permutation_indices__equals_legacy_global_rng() -> None:
    state = np.random.get_state()  # noqa: NPY002 (the legacy API is the reference)
    try:
        np.random.seed(123)  # noqa: NPY002
        expect = np.array([np.random.permutation(np.arange(17)) for _ in range(5)])  # noqa: NPY002
    finally:
        np.random.set_state(state)  # noqa: NPY002
    np.testing.assert_array_equal(permutation_indices(17, 5, seed=123), expect)


def test_map_cis_permutations__rejects_groups_with_different_windows() -> None:
    rng = np.random.default_rng(0)
    g = rng.binomial(2, 0.4, (6, 12)).astype(float)
    y = rng.standard_normal((2, 12))
    w = CisWindows(np.array([0, 1]), np.array([5, 6]))
    with pytest.raises(ValueError, match="share"):
        map_cis_permutations(g, y, w, Residualizer.intercept_only(12), n_perm=5,
                             groups=["a", "a"])



def test_adaptive_permutations__stages_and_settled() -> None:
    rule = AdaptivePermutations()
    assert rule.stages(1000) == [100, 300, 900, 1000]
    assert AdaptivePermutations(min_perm=100).stages(50) == [50]
    p = np.array([1e-8, 0.01, 0.03, 0.05, 0.08, 0.5])
    few, many = rule.settled(p, np.full(6, 100), 0.05), rule.settled(p, np.full(6, 10**6), 0.05)
    assert few.tolist() == [True, True, False, False, False, True]  # 3.7-fold margin at m=100
    assert many.tolist() == [True, True, True, False, True, True]
    assert rule.settled(p, np.full(6, 100), float("nan")).all()


def test_pack_genotypes__valid_rows_as_prepare_genotypes_and_same_mapping() -> None:
    from genotex.qtl.cis_nominal import prepare_genotypes
    from genotex.qtl.cis_permutation import pack_genotypes

    rng = np.random.default_rng(11)
    n = 40
    g = rng.binomial(2, 0.3, (30, n)).astype(np.float32)
    g[3] = 1.0  # monomorphic, passes the MAF filter
    g[7] = 0.0  # fails the MAF filter
    g[9, :39] = 0.0  # rare: fails at MAF 0.05
    g[12, [2, 5]] = np.nan  # missing genotypes are mean-imputed
    r = Residualizer(rng.standard_normal((n, 3)), dtype=np.float32)
    prep = prepare_genotypes(g, r, maf_threshold=0.05)
    packed = pack_genotypes(g, r, maf_threshold=0.05)
    valid = np.flatnonzero(prep.keep & ~prep.monomorphic)
    np.testing.assert_array_equal(packed.index, valid)
    assert not {3, 7, 9} & set(packed.index.tolist())
    # residual-space coordinates: same Gram matrix as the residualized rows
    full = prep.unit[valid]
    np.testing.assert_allclose(packed.unit @ packed.unit.T, full @ full.T, atol=2e-6)
    assert packed.unit.shape == (valid.size, r.n_complement)
    np.testing.assert_allclose(packed.var, prep.var[valid], rtol=1e-5)
    np.testing.assert_array_equal(packed.dosages, g)
    np.testing.assert_array_equal(packed.cs[[0, 4, 8, 30]], [0, 3, 6, valid.size])
    y = rng.standard_normal((3, n)).astype(np.float32)
    w = CisWindows(np.array([0, 5, 10]), np.array([20, 25, 30]))
    kw = dict(n_perm=40, seed=2, keep_r2_perm=True, maf_threshold=0.05)
    a = map_cis_permutations(g, y, w, r, **kw)
    b = map_cis_permutations(packed, y, w, r, **kw)
    assert a.r2_perm is not None and b.r2_perm is not None
    np.testing.assert_array_equal(a.r2_perm, b.r2_perm)
    np.testing.assert_array_equal(a.variant_index, b.variant_index)
    np.testing.assert_array_equal(a.num_var, [np.sum((valid >= s) & (valid < e))
                                              for s, e in zip(w.start, w.stop, strict=True)])
    np.testing.assert_array_equal(a.pval_beta, b.pval_beta)


@pytest.mark.parametrize("keep_views", [False, True])
def test_packed_window__slides_like_packing_each_range_afresh(keep_views: bool) -> None:
    from genotex.qtl.cis_permutation import PackedWindow, pack_genotypes

    rng = np.random.default_rng(5)
    n = 30
    g = rng.binomial(2, 0.3, (60, n)).astype(np.float32)
    g[::7] = 0.0  # monomorphic rows are packed out
    g[4, 3] = np.nan
    g[[16, 27, 44]] = g[15]  # twins within and across the windows
    r = Residualizer(rng.standard_normal((n, 2)), dtype=np.float32)
    win = PackedWindow(r, maf_threshold=0.05, keep_views=keep_views)
    win.ARENA_WINDOWS = 1  # type: ignore[misc]  # small arenas: new ones are started
    win.reserve(20)
    kept_views = []
    lo = hi = 0
    for new_lo, new_hi in [(0, 25), (10, 40), (40, 41), (41, 60), (45, 50)]:
        win.slide(new_lo - lo)
        if new_hi > max(hi, new_lo):
            win.extend(g[max(hi, new_lo):new_hi])
        lo, hi = new_lo, max(hi, new_hi)
        got = win.view(new_hi - new_lo)
        want = pack_genotypes(g[new_lo:new_hi], r, maf_threshold=0.05)
        for f in ("index", "cs", "nan"):
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f)
        assert got.dosages is not None
        np.testing.assert_array_equal(got.dosages[np.arange(got.n_variants)], want.dosages)
        np.testing.assert_allclose(got.unit, want.unit, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got.var, want.var, rtol=1e-6)
        kept_views.append((got, want))
    if keep_views:  # every view is still valid after all the slides
        for got, want in kept_views:
            np.testing.assert_allclose(got.unit, want.unit, rtol=1e-6, atol=1e-7)
    kept = win.view().copy()
    win.slide(win.n_variants)
    assert win.n_variants == 0 and kept.n_variants == 15
    assert kept.copy(dosages=False).dosages is None


@pytest.mark.parametrize(("twin_gather", "block"), [(1.1, 1 << 24), (1.1, 61 * 4), (100.0, 61 * 4)])
def test_twin_variants__share_products_and_give_the_unpacked_results(
        monkeypatch: pytest.MonkeyPatch, twin_gather: float, block: int) -> None:
    """Twins skipped by gathering (whole windows or 4-row chunks) or multiplied in place."""
    from genotex.qtl import cis_permutation
    from genotex.qtl.cis_nominal import prepare_genotypes
    from genotex.qtl.cis_permutation import pack_genotypes, scan_permutations

    monkeypatch.setattr(cis_permutation, "TWIN_GATHER", twin_gather)

    rng = np.random.default_rng(8)
    n = 50
    g = rng.binomial(2, rng.uniform(0.1, 0.5, (40, 1)), (40, n)).astype(np.float32)
    g[[7, 12, 30]] = g[3]  # perfect LD with variant 3
    g[21] = g[20]
    g[25, 4] = np.nan
    g[26] = g[25]  # the same missing call: still twins
    r = Residualizer(rng.standard_normal((n, 2)), dtype=np.float32)
    packed = pack_genotypes(g, r, maf_threshold=0.05)
    twin = {int(packed.index[i]): int(packed.index[j]) for i, j in enumerate(packed.rep)
            if i != j}
    assert twin == {7: 3, 12: 3, 30: 3, 21: 20, 26: 25}
    y = rng.standard_normal((2, n)).astype(np.float32)
    w = CisWindows(np.array([5, 0]), np.array([40, 28]))  # the first window starts past 3
    perm = permutation_indices(n, 60, seed=4)
    got = map_cis_permutations(packed, y, w, r, perm_ix=perm, keep_r2_perm=True,
                               max_block_elements=block)
    prep = prepare_genotypes(g, r, maf_threshold=0.05)
    for p in range(2):
        want = scan_permutations(prep, y[p:p + 1], CisWindows(w.start[p:p + 1],
                                                               w.stop[p:p + 1]), r, perm)[0]
        assert got.variant_index[p] == want.var_index
        assert got.r2_perm is not None
        np.testing.assert_allclose(got.r2_perm[p], want.r2_perm, rtol=2e-5)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(12, 60), k=st.integers(0, 4), seed=st.integers(0, 2**31 - 1))
def test_top_statistics__equal_float64_ols(n: int, k: int, seed: int) -> None:
    """r and sd ratio of the residuals, computed in float64 from float32 inputs: the same
    as ordinary least squares on ``[1, C]`` (slope = r · ratio)."""
    from genotex.qtl.cis_permutation import top_statistics

    rng = np.random.default_rng(seed)
    c = rng.standard_normal((n, k)).astype(np.float32)
    g = rng.binomial(2, 0.4, (3, n)).astype(np.float32)
    g[:, 0], g[:, 1] = 0, 2  # never monomorphic
    y = rng.standard_normal((3, n)).astype(np.float32)
    r, ratio = top_statistics(g, y, Residualizer(c, dtype=np.float32))
    design = np.column_stack([np.ones(n), c.astype(np.float64)])
    for i in range(3):
        x = np.column_stack([design, g[i].astype(np.float64)])
        slope = np.linalg.lstsq(x, y[i].astype(np.float64), rcond=None)[0][-1]
        gr = g[i] - design @ np.linalg.lstsq(design, g[i].astype(np.float64), rcond=None)[0]
        yr = y[i] - design @ np.linalg.lstsq(design, y[i].astype(np.float64), rcond=None)[0]
        np.testing.assert_allclose(r[i], gr @ yr / np.sqrt((gr @ gr) * (yr @ yr)), rtol=1e-9)
        np.testing.assert_allclose(r[i] * ratio[i], slope, rtol=1e-9, atol=1e-12)
