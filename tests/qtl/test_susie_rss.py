from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.susie import SusieResult, susie
from genotex.qtl.susie_rss import ld_matrix, susie_rss, susie_suff_stat

RSS = Path(__file__).resolve().parents[1] / "reference" / "susier_rss"
CASES = ["one_causal", "two_causal"]
FITS = ["z_n", "z_n_em", "bhat", "z_only"]


@dataclass(frozen=True)
class Case:
    g: np.ndarray
    y: np.ndarray
    sumstats: pd.DataFrame

    @property
    def R(self) -> np.ndarray:
        return ld_matrix(self.g.T)


def _case(name: str) -> Case:
    d = pd.read_csv(RSS / name / "inputs.tsv.gz", sep="\t")
    return Case(d.filter(regex=r"^g\d+$").to_numpy(float), d["y"].to_numpy(),
                pd.read_csv(RSS / name / "sumstats.tsv", sep="\t"))


def _fit(case: Case, fit: str) -> SusieResult:
    s = case.sumstats
    n = case.y.size
    kw: dict[str, Any] = {"L": 10}
    if fit == "z_n":
        return susie_rss(s["z"], case.R, n=n, **kw)
    if fit == "z_n_em":
        return susie_rss(s["z"], case.R, n=n, estimate_prior_method="EM", **kw)
    if fit == "bhat":
        return susie_rss(None, case.R, bhat=s["bhat"], shat=s["shat"], n=n,
                         var_y=float(np.var(case.y, ddof=1)), estimate_residual_variance=True,
                         **kw)
    return susie_rss(s["z"], case.R, **kw)


def _reference(case: str, fit: str) -> dict[str, Any]:
    folder = RSS / case
    m = pd.read_csv(folder / f"{fit}.matrices.tsv.gz", sep="\t")
    mats = {q: grp.sort_values("effect").drop(columns=["quantity", "effect"]).to_numpy(float)
            for q, grp in m.groupby("quantity")}
    scal = pd.read_csv(folder / f"{fit}.scalars.tsv", sep="\t").set_index("key")["value"]
    return {**mats, "pip": mats["pip"][0],
            "effects": pd.read_csv(folder / f"{fit}.effects.tsv", sep="\t"),
            "elbo": pd.read_csv(folder / f"{fit}.elbo.tsv", sep="\t")["elbo"].to_numpy(),
            "scalars": scal.astype(float).to_dict(),
            "sets": pd.read_csv(folder / f"{fit}.sets.tsv", sep="\t", dtype={"variables": str})}


@pytest.mark.parametrize("fit", FITS)
@pytest.mark.parametrize("name", CASES)
def test_susie_rss__matches_susier(name: str, fit: str) -> None:
    got = _fit(_case(name), fit)
    ref = _reference(name, fit)
    assert got.niter == ref["scalars"]["niter"]
    assert got.converged == bool(ref["scalars"]["converged"])
    tol = {"rtol": 1e-6, "atol": 1e-6}
    np.testing.assert_allclose(got.pip, ref["pip"], **tol)
    np.testing.assert_allclose(got.alpha, ref["alpha"], **tol)
    np.testing.assert_allclose(got.mu, ref["mu"], **tol)
    np.testing.assert_allclose(got.mu2, ref["mu2"], **tol)
    np.testing.assert_allclose(got.lbf_variable, ref["lbf_variable"], **tol)
    np.testing.assert_allclose(got.V, ref["effects"]["V"], **tol)
    np.testing.assert_allclose(got.lbf, ref["effects"]["lbf"], **tol)
    np.testing.assert_allclose(got.KL, ref["effects"]["KL"], **tol)
    np.testing.assert_allclose(got.elbo, ref["elbo"], rtol=1e-8)
    assert got.sigma2 == pytest.approx(ref["scalars"]["sigma2"], rel=1e-8)
    sets = ref["sets"]
    assert len(got.sets) == len(sets) > 0
    for i, row in enumerate(sets.itertuples()):
        assert got.sets.sets[i].tolist() == [int(v) - 1 for v in str(row.variables).split(",")]
        assert got.sets.effect_index[i] == row.cs_index - 1
        assert got.sets.coverage[i] == pytest.approx(row.coverage, rel=1e-6)
        assert got.sets.min_abs_corr[i] == pytest.approx(row.min_abs_corr, rel=1e-9)
        assert got.sets.median_abs_corr[i] == pytest.approx(row.median_abs_corr, rel=1e-9)


def test_susie_suff_stat__equals_individual_level_susie() -> None:
    """With XᵀX, Xᵀy, yᵀy of the centered data, the fit is ``susie``'s (no σ² floor)."""
    case = _case("two_causal")
    x = case.g - case.g.mean(0)
    y = case.y - case.y.mean()
    a = susie_suff_stat(x.T @ x, x.T @ y, float(y @ y), y.size, L=5,
                        estimate_prior_method="EM")
    b = susie(case.g, case.y, L=5, estimate_prior_method="EM", residual_variance_lowerbound=0)
    np.testing.assert_allclose(a.alpha, b.alpha, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(a.elbo, b.elbo, rtol=1e-9)
    assert [s.tolist() for s in a.sets.sets] == [s.tolist() for s in b.sets.sets]
    assert np.isnan(a.intercept) and a.fitted.size == 0


def test_susie_rss__input_errors() -> None:
    r = np.eye(3)
    with pytest.raises(ValueError, match="either z"):
        susie_rss(np.ones(3), r, bhat=np.ones(3), shat=np.ones(3))
    with pytest.raises(ValueError, match="R"):
        susie_rss(np.ones(3), np.eye(4), n=10)
    with pytest.raises(ValueError, match="positive"):
        susie_rss(None, r, bhat=np.ones(3), shat=np.array([1.0, 0.0, 1.0]), n=10)
    with pytest.raises(ValueError, match="greater than 1"):
        susie_rss(np.ones(3), r, n=1)


def test_susie_rss__ld_mismatch_does_not_converge_as_in_susier() -> None:
    """z-scores impossible under R (three variants at r = 0.99, one with the opposite sign):
    susieR warns that IBSS did not converge in 100 iterations, with V = (26.73618, 26.82083)."""
    r = np.full((3, 3), 0.99)
    np.fill_diagonal(r, 1.0)
    fit = susie_rss(np.array([6.0, -6.0, 6.0]), r, n=10_000, L=2)
    assert not fit.converged and fit.niter == 100
    np.testing.assert_allclose(fit.V, [26.73618, 26.82083], rtol=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), sign=st.sampled_from([-1.0, 1.0]))
def test_susie_rss__pips_invariant_to_allele_coding(seed: int, sign: float) -> None:
    """Flipping a variant's allele flips its z and its row/column of R: PIPs unchanged."""
    rng = np.random.default_rng(seed)
    g = rng.binomial(2, 0.3, size=(12, 150)).astype(float)
    g[1] = np.where(rng.random(150) < 0.9, g[0], g[1])
    g = g[g.std(1) > 0]
    y = g[0] * 0.5 + rng.standard_normal(150)
    gc = g - g.mean(1, keepdims=True)
    beta = gc @ (y - y.mean()) / (gc**2).sum(1)
    se = np.sqrt(((y - y.mean())[None] - beta[:, None] * gc) ** 2).sum(1) / 148
    z = beta / np.sqrt(se / (gc**2).sum(1))
    r = ld_matrix(g)
    flip = np.ones(z.size)
    flip[0] = sign
    a = susie_rss(z, r, n=150, L=3)
    b = susie_rss(z * flip, r * np.outer(flip, flip), n=150, L=3)
    np.testing.assert_allclose(a.pip, b.pip, rtol=1e-7, atol=1e-10)
    assert ((a.pip >= 0) & (a.pip <= 1)).all()
    assert (np.diff(a.elbo) > -1e-6 * np.abs(a.elbo[1:])).all()


def test_ld_matrix__unit_diagonal_and_imputes_missing() -> None:
    g = np.array([[0, 1, 2, np.nan], [0, 1, 2, 1], [2, 1, 0, 1]], dtype=float)
    r = ld_matrix(g)
    np.testing.assert_allclose(np.diag(r), 1.0)
    np.testing.assert_allclose(r[1, 2], -1.0)
    np.testing.assert_allclose(r, r.T)


def test_susie_rss__public_name() -> None:
    import genotex.qtl

    assert genotex.qtl.susie_rss is susie_rss
