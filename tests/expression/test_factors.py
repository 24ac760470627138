"""Genotype PCs, LD pruning, hidden factors and covariate combination."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.errors import InputError
from genotex.expression.factors import (
    PCAResult,
    buja_eyuboglu_count,
    colinear_covariates,
    combine_covariates,
    genotype_pcs,
    hidden_factor_count,
    hidden_factors,
    ld_prune,
)


def _two_populations(seed: int = 0, n: int = 60, m: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pop = np.repeat([0, 1], n // 2)
    p = np.clip(rng.uniform(0.1, 0.9, size=(m, 1)) + rng.normal(0, 0.2, (m, 1)) * (pop - 0.5),
                0.02, 0.98)
    return rng.binomial(2, p).astype(float), pop


def test_genotype_pcs__equals_eigenvectors_of_the_grm() -> None:
    g, _ = _two_populations()
    p = g.mean(axis=1) / 2
    x = ((g - 2 * p[:, None]) / np.sqrt(2 * p * (1 - p))[:, None]).T
    w, v = np.linalg.eigh(x @ x.T)
    top = v[:, np.argsort(w)[::-1][:3]]
    got = genotype_pcs(g, n_pcs=3).scores
    np.testing.assert_allclose(np.abs(got.T @ top), np.eye(3), atol=1e-8)


def test_genotype_pcs__first_pc_separates_populations() -> None:
    g, pop = _two_populations()
    pc1 = genotype_pcs(g, n_pcs=2).scores[:, 0]
    assert abs(np.corrcoef(pc1, pop)[0, 1]) > 0.95


def test_genotype_pcs__ignores_monomorphic_and_imputes_missing() -> None:
    g, _ = _two_populations(m=100)
    with_junk = np.vstack([g, np.zeros((5, g.shape[1])), np.full((2, g.shape[1]), np.nan)])
    np.testing.assert_allclose(genotype_pcs(with_junk).scores, genotype_pcs(g).scores)
    g_missing = g.copy()
    g_missing[3, 5] = np.nan
    assert np.isfinite(genotype_pcs(g_missing).scores).all()
    with pytest.raises(InputError, match="polymorphic"):
        genotype_pcs(np.zeros((3, 4)))


def test_ld_prune__keeps_no_pair_above_threshold_within_window() -> None:
    rng = np.random.default_rng(5)
    base = rng.binomial(2, 0.4, size=(30, 80)).astype(float)
    g = np.repeat(base, 3, axis=0)              # blocks of 3 identical variants
    g[1::3] = np.where(rng.random(g[1::3].shape) < 0.1, 2 - g[1::3], g[1::3])
    keep = ld_prune(g, window=20, step=10, r2_threshold=0.2)
    kept = np.flatnonzero(keep)
    assert set(range(0, 90, 3)) <= set(kept.tolist())   # first of each block survives
    r = np.corrcoef(g[kept])
    near = np.abs(kept[:, None] - kept[None, :]) < 10
    assert np.all((r**2)[near & ~np.eye(kept.size, dtype=bool)] <= 0.2)


def test_ld_prune__drops_monomorphic() -> None:
    g = np.array([[0, 1, 2, 0], [1, 1, 1, 1], [2, 0, 1, 1]], dtype=float)
    np.testing.assert_array_equal(ld_prune(g, r2_threshold=0.99), [True, False, True])


@pytest.mark.parametrize(("n", "k"), [(1, 15), (149, 15), (150, 30), (249, 30), (250, 45),
                                      (349, 45), (350, 60), (10_000, 60)])
def test_hidden_factor_count__gtex_sample_size_rule(n: int, k: int) -> None:
    assert hidden_factor_count(n) == k


def _planted(k: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(300, k)) * 1.5
    factors = rng.normal(size=(k, 80))
    return loadings @ factors + rng.normal(size=(300, 80))


def test_buja_eyuboglu_count__finds_planted_factors_and_is_seeded() -> None:
    x = _planted(3)
    assert buja_eyuboglu_count(x, seed=1) == 3
    assert buja_eyuboglu_count(x, seed=7) == buja_eyuboglu_count(x, seed=7)


def test_hidden_factors__methods_and_cap() -> None:
    x = _planted(3)
    assert hidden_factors(x).scores.shape == (80, 15)
    be = hidden_factors(x, method="buja_eyuboglu", seed=1)
    assert be.scores.shape == (80, 3)
    assert hidden_factors(x[:, :10], n_factors=50).scores.shape == (10, 9)
    with pytest.raises(ValueError, match="method"):
        hidden_factors(x, method="peer")  # type: ignore[arg-type]


def test_hidden_factors__scores_are_prcomp_scores() -> None:
    x = _planted(2)
    f = hidden_factors(x, n_factors=2, scale=False)
    centered = (x - x.mean(axis=1, keepdims=True)).T
    vt = np.linalg.svd(centered, full_matrices=False)[2]
    np.testing.assert_allclose(np.abs(f.scores), np.abs(centered @ vt[:2].T), atol=1e-9)
    assert np.all(np.diff(f.explained_variance_ratio) <= 0)


def test_combine_covariates__order_subset_and_colinear_drop() -> None:
    samples = [f"s{i}" for i in range(1, 11)]
    rng = np.random.default_rng(0)
    geno = PCAResult(rng.normal(size=(11, 2)), np.array([0.5, 0.3])).to_frame(
        [*samples, "s11"], prefix="PC")
    hidden = pd.DataFrame(rng.normal(size=(2, 10)), index=["InferredCov1", "InferredCov2"],
                          columns=samples)
    known = pd.DataFrame([[1, 2, 1, 2, 2, 1, 1, 1, 1, 1], [3] * 10], index=["sex", "platform"],
                         columns=samples[::-1])
    dup = (hidden.loc[["InferredCov1"]] * 2 + 1).set_axis(["copy"])
    out = combine_covariates(geno, hidden, [known, dup], tolerance=1e-8)
    assert out.index.tolist() == ["PC1", "PC2", "InferredCov1", "InferredCov2", "sex"]
    assert out.columns.tolist() == samples
    assert out.loc["sex"].tolist() == [1.0] * 5 + [2.0, 2.0, 1.0, 2.0, 1.0]
    # GTEx's own tolerance (eps · k) drops the constant but here keeps the rescaled copy
    assert "platform" not in combine_covariates(geno, hidden, [known, dup]).index


def test_colinear_covariates__default_is_the_gtex_rule() -> None:
    rng = np.random.default_rng(4)
    c = pd.DataFrame(np.vstack([rng.normal(size=(3, 9)), np.ones(9), rng.normal(size=(1, 9))]))
    m = c.T.to_numpy()
    _, r = np.linalg.qr(m - m.mean(axis=0))
    expected = np.abs(np.diag(r)) < np.finfo(np.float64).eps * m.shape[1]
    np.testing.assert_array_equal(colinear_covariates(c), expected)
    assert colinear_covariates(c).tolist() == [False, False, False, True, False]
    wide = pd.DataFrame(rng.normal(size=(6, 4)))
    assert colinear_covariates(wide).tolist() == [False] * 3 + [True] * 3


def test_combine_covariates__errors() -> None:
    hidden = pd.DataFrame([[0.1, 0.2]], index=["F1"], columns=["a", "b"])
    with pytest.raises(InputError, match="lack sample"):
        combine_covariates(None, hidden, pd.DataFrame([[1]], index=["sex"], columns=["a"]))
    with pytest.raises(InputError, match="non-numeric"):
        combine_covariates(None, hidden,
                           pd.DataFrame([["x", "y"]], index=["batch"], columns=["a", "b"]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_colinear_covariates__flags_linear_combinations(seed: int, a: float, b: float) -> None:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(3, 12))
    c = np.vstack([c, a * c[0] + b * c[1] + 4.0, np.full(12, 7.0)])
    flags = colinear_covariates(pd.DataFrame(c), tolerance=1e-8)
    assert flags.tolist() == [False, False, False, True, True]
