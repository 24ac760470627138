"""coloc.susie over susieR credible sets: coloc's printed values and a planted two-signal locus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.coloc import coloc_abf, coloc_bf_bf, coloc_susie, logbf_to_pp, susie_credible_sets
from genotex.errors import InputError

REF = Path(__file__).resolve().parents[1] / "reference" / "coloc_susie"


def load(name: str) -> tuple[np.ndarray, list[str], list[int]]:
    """susieR lbf_variable rows of the credible sets, the SNP ids and the 0-based CS rows."""
    table = pd.read_csv(REF / f"{name}.lbf.tsv.gz", sep="\t")
    return table.iloc[:, 1:].to_numpy(), list(table.columns[1:]), list(range(len(table)))


def test_coloc_susie__matches_coloc_vignette_d3_d4(coloc_expected) -> None:
    lbf3, snps3, cs3 = load("D3")
    lbf4, snps4, cs4 = load("D4")
    res = coloc_susie(lbf3, lbf4, snps1=snps3, snps2=snps4, cs1=cs3, cs2=cs4)
    expected = coloc_expected["coloc.susie(runsusie(D3), runsusie(D4))"]["rows"]
    assert len(res.summary) == len(expected)
    for (_, got), want in zip(res.summary.iterrows(), expected, strict=True):
        assert (got["hit1"], got["hit2"]) == (want["hit1"], want["hit2"])
        for h in range(5):
            # susieR 0.12.35 gives coloc's printed numbers to their 7 significant digits
            assert got[f"PP.H{h}.abf"] == pytest.approx(want[f"PP.H{h}"], rel=1e-6)
    assert res.priors["p12"] == 5e-6
    assert list(res.results.columns) == ["snp", "SNP.PP.H4.row1", "SNP.PP.H4.row2"]


def test_coloc_susie__finds_both_planted_shared_signals() -> None:
    lbf1, snps1, cs1 = load("sim_T1")
    lbf2, snps2, cs2 = load("sim_T2")
    res = coloc_susie(lbf1, lbf2, snps1=snps1, snps2=snps2, cs1=cs1, cs2=cs2).summary
    same = res[res["hit1"] == res["hit2"]]
    assert sorted(same["hit1"]) == ["s120", "s40"]  # the planted causal variants
    assert (same["PP.H4.abf"] > 0.99).all()
    cross = res[res["hit1"] != res["hit2"]]
    assert len(cross) == 2 and (cross["PP.H3.abf"] > 0.99).all()


def test_coloc_bf_bf__single_signal_equals_coloc_abf_with_p12() -> None:
    rng = np.random.default_rng(0)
    snps = [f"s{i}" for i in range(30)]
    d1 = {"snp": snps, "beta": rng.normal(0, 0.1, 30), "varbeta": np.full(30, 0.01),
          "type": "cc"}
    d2 = {**d1, "beta": rng.normal(0, 0.1, 30)}
    abf = coloc_abf(d1, d2, p12=5e-6)
    res = coloc_bf_bf(abf.results["lABF.df1"].to_numpy()[None, :],
                      abf.results["lABF.df2"].to_numpy()[None, :], snps1=snps, snps2=snps)
    np.testing.assert_allclose(res.summary.iloc[0, 3:8].to_numpy(np.float64),
                               abf.summary.iloc[1:].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(res.results["SNP.PP.H4.abf"], abf.results["SNP.PP.H4"])


def test_coloc_bf_bf__trims_signals_outside_shared_snps() -> None:
    bf1 = np.array([[20.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 15.0]])
    bf2 = np.array([[0.0, 0.0, 0.0, 18.0]])
    res = coloc_bf_bf(bf1, bf2, snps1=["a", "b", "c", "d"], snps2=["x", "b", "c", "d"])
    assert res.summary[["idx1", "idx2"]].values.tolist() == [[1, 0]]
    kept = coloc_bf_bf(bf1, bf2, snps1=["a", "b", "c", "d"], snps2=["x", "b", "c", "d"],
                       trim_by_posterior=False)
    assert len(kept.summary) == 2


def test_coloc_susie__no_credible_sets_gives_empty_summary() -> None:
    res = coloc_susie(np.zeros((2, 3)), np.zeros((2, 3)), snps1=["a", "b", "c"],
                      snps2=["a", "b", "c"], cs1=[], cs2=[0])
    assert res.summary.empty


def test_coloc_bf_bf__rejects_disjoint_snps() -> None:
    with pytest.raises(InputError, match="share no SNPs"):
        coloc_bf_bf(np.zeros((1, 2)), np.zeros((1, 2)), snps1=["a", "b"], snps2=["c", "d"])


def test_logbf_to_pp__rows_sum_to_one() -> None:
    pp = logbf_to_pp(np.array([[1.0, 2.0, 0.0], [5.0, 0.0, 0.0]]), 1e-4, last_is_null=True)
    np.testing.assert_allclose(pp.sum(1), 1.0)
    assert pp[0, 2] > 0.99  # the null dominates small BFs under p = 1e-4


def test_susie_credible_sets__matches_susier_cs_index(coloc_dir) -> None:
    alpha = pd.read_csv(REF / "D3.alpha.tsv.gz", sep="\t")
    ld = pd.read_csv(coloc_dir / "coloc_test_data_LD_D3_D4.tsv.gz", sep="\t", index_col=0)
    ld = ld.loc[alpha.columns, alpha.columns].to_numpy()
    index, sets = susie_credible_sets(alpha.to_numpy(), ld=ld)
    _, _, cs = load("D3")
    assert index == cs  # susieR kept effects 1 and 2 (1-based)
    assert all(alpha.to_numpy()[i, s].sum() >= 0.95 for i, s in zip(index, sets, strict=True))
