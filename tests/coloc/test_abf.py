"""coloc.abf / finemap.abf against the values coloc prints for its own test data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from genotex.coloc import coloc_abf, combine_abf, finemap_abf, logdiff, logsum, sdy_est
from genotex.errors import InputError

PP = [f"PP.H{h}" for h in range(5)]


def assert_printed(got: float, expected: float, digits: int = 7) -> None:
    """``got`` rounds to ``expected`` as R prints it with ``digits`` significant digits."""
    exponent = int(np.floor(np.log10(abs(expected))))
    tol = 0.5 * 10.0 ** (exponent - digits + 1) * (1 + 1e-9)
    assert abs(got - expected) <= tol, (got, expected)


def assert_summary(summary: Any, expected: dict[str, Any]) -> None:
    if "nsnps" in expected:
        assert summary["nsnps"] == expected["nsnps"]
    for name in PP:
        assert_printed(summary[f"{name}.abf"], expected[name])


def as_pvalues(d: dict[str, Any]) -> dict[str, Any]:
    """The same dataset described by two-sided p-values, MAF and N only."""
    out = {k: d[k] for k in ("snp", "position", "MAF", "N", "type")}
    out["pvalues"] = 2 * stats.norm.sf(np.abs(d["beta"] / np.sqrt(d["varbeta"])))
    return out


@pytest.mark.parametrize(("pair", "key"), [
    (("D1", "D2"), "coloc.abf(D1, D2)"),
    (("D3", "D4"), "coloc.abf(D3, D4)"),
])
def test_coloc_abf__matches_coloc_vignette(coloc_datasets, coloc_expected, pair, key) -> None:
    res = coloc_abf(coloc_datasets[pair[0]], coloc_datasets[pair[1]])
    assert_summary(res.summary, coloc_expected[key])
    assert list(res.summary.index) == ["nsnps", *(f"{p}.abf" for p in PP)]


def test_coloc_abf__per_snp_table_matches_coloc(coloc_datasets, coloc_expected) -> None:
    expected = coloc_expected["coloc.abf(D1, D2)"]
    res = coloc_abf(coloc_datasets["D1"], coloc_datasets["D2"]).results.set_index("snp")
    for snp, pp in expected["SNP.PP.H4_top"].items():
        assert_printed(res.loc[snp, "SNP.PP.H4"], pp)
    assert_printed(res.loc["s105", "lABF.df1"], expected["lABF_s105"]["df1"])
    assert_printed(res.loc["s105", "lABF.df2"], expected["lABF_s105"]["df2"])
    ordered = res["SNP.PP.H4"].sort_values(ascending=False)
    n_cs = int(np.searchsorted(ordered.cumsum().to_numpy(), 0.95) + 1)
    assert list(ordered.index[:n_cs]) == expected["credible_set_95"]
    np.testing.assert_allclose(res["internal.sum.lABF"], res["lABF.df1"] + res["lABF.df2"])


def test_coloc_abf__p12_sensitivity_matches_coloc(coloc_datasets, coloc_expected) -> None:
    d1, d2 = coloc_datasets["D1"], coloc_datasets["D2"]
    assert_summary(coloc_abf(d1, d2, p12=1e-6).summary,
                   coloc_expected["coloc.abf(D1, D2, p12=1e-6)"])
    d1a = {**d1, "varbeta": d1["varbeta"] * np.sqrt(4), "N": d1["N"] / 4}
    d2a = {**d2, "varbeta": d2["varbeta"] * np.sqrt(2), "N": d2["N"] / 2}
    assert_summary(coloc_abf(d1a, d2a, p12=1e-6).summary,
                   coloc_expected["coloc.abf(D1a, D2a, p12=1e-6)"])


def test_finemap_abf__matches_coloc_rows(coloc_datasets, coloc_expected) -> None:
    fm = finemap_abf(coloc_datasets["D1"]).set_index("snp")
    for snp, row in coloc_expected["finemap.abf(D1) rows s21..s30"].items():
        assert_printed(fm.loc[snp, "V."], row["V"])
        assert_printed(fm.loc[snp, "z."], row["z"])
        assert_printed(fm.loc[snp, "r."], row["r"])
        assert_printed(fm.loc[snp, "lABF."], row["lABF"], digits=10)
        assert_printed(fm.loc[snp, "SNP.PP"], row["SNP.PP"])
    assert fm.index[-1] == "null"
    assert fm.loc["null", "prior"] == pytest.approx(1 - 500 * 1e-4)
    assert fm["SNP.PP"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("pair", "key"), [
    (("D1", "D2"), "coloc.abf(D1, D2)"),
    (("D3", "D4"), "coloc.abf(D3, D4)"),
])
def test_coloc_abf__from_pvalues_maf_n_within_1e3(coloc_datasets, coloc_expected, pair,
                                                   key) -> None:
    res = coloc_abf(as_pvalues(coloc_datasets[pair[0]]), as_pvalues(coloc_datasets[pair[1]]))
    for name in PP:
        assert res.summary[f"{name}.abf"] == pytest.approx(coloc_expected[key][name], abs=1e-3)
    assert "pvalues.df1" in res.results.columns


def test_coloc_abf__estimates_sdy_when_missing(coloc_datasets) -> None:
    d1 = {k: v for k, v in coloc_datasets["D1"].items() if k != "sdY"}
    res = coloc_abf(d1, coloc_datasets["D2"])
    expected = sdy_est(d1["varbeta"], d1["MAF"], d1["N"])
    assert res.sdY["df1"] == pytest.approx(expected)
    assert res.sdY["df2"] == coloc_datasets["D2"]["sdY"]
    assert 0.9 < expected < 1.6  # the simulated trait's sd is 1.1


def test_coloc_abf__case_control_from_pvalues_uses_s() -> None:
    d = {"snp": ["a", "b"], "pvalues": [1e-8, 0.5], "MAF": [0.3, 0.2], "N": 2000, "type": "cc",
         "s": 0.5}
    res = coloc_abf(d, d).results
    f = np.array([0.3, 0.2])
    np.testing.assert_allclose(res["V.df1"], 1 / (2 * 2000 * f * (1 - f) * 0.25))
    np.testing.assert_allclose(res["r.df1"], 0.04 / (0.04 + res["V.df1"]))


def test_coloc_abf__matches_by_snp_name_and_caps_priors() -> None:
    d1 = {"snp": ["a", "b", "c"], "beta": [0.3, 0.0, 0.1], "varbeta": [0.01] * 3, "type": "cc"}
    d2 = {"snp": ["c", "b"], "beta": [0.1, 0.2], "varbeta": [0.01] * 2, "type": "cc"}
    res = coloc_abf(d1, d2, p1=0.5, p12=0.5)
    assert list(res.results["snp"]) == ["b", "c"]
    assert res.priors["p1"] == 0.25 and res.priors["p2"] == 1e-4 and res.priors["p12"] == 1 / 3


@pytest.mark.parametrize(("change", "message"), [
    ({"beta": [0.1, np.nan]}, "missing values"),
    ({"snp": ["a", "a"]}, "duplicated snps"),
    ({"type": "binary"}, "type must be"),
    ({"varbeta": [0.0, 0.1]}, "zero values in varbeta"),
    ({"beta": [0.1, 0.2, 0.3]}, "lengths"),
])
def test_coloc_abf__rejects_bad_datasets(change, message) -> None:
    good = {"snp": ["a", "b"], "beta": [0.1, 0.2], "varbeta": [0.1, 0.1], "type": "cc"}
    with pytest.raises(InputError, match=message):
        coloc_abf({**good, **change}, good)


def test_coloc_abf__pvalue_input_needs_n_and_maf() -> None:
    d = {"snp": ["a"], "pvalues": [0.01], "type": "quant"}
    with pytest.raises(InputError, match="require pvalues and MAF"):
        coloc_abf(d, d)
    with pytest.raises(InputError, match="sample size N"):
        coloc_abf({**d, "MAF": [0.2]}, {**d, "MAF": [0.2]})


def test_logsum_logdiff__match_direct_computation() -> None:
    x = np.array([1.0, 2.0, 3.0])
    assert logsum(x) == pytest.approx(np.log(np.exp(x).sum()))
    assert logsum([1000.0, 1000.0]) == pytest.approx(1000 + np.log(2))
    assert logdiff(3.0, 1.0) == pytest.approx(np.log(np.exp(3) - np.exp(1)))
    assert logdiff(1.0, 3.0) == -np.inf


labfs = st.lists(st.floats(-5, 60), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(l1=labfs, data=st.data())
def test_combine_abf__pps_sum_to_one_and_swap_symmetric(l1, data) -> None:
    l2 = data.draw(st.lists(st.floats(-5, 60), min_size=len(l1), max_size=len(l1)))
    pp = combine_abf(l1, l2, p1=1e-4, p2=1e-4, p12=1e-5)
    assert pp.sum() == pytest.approx(1.0)
    assert np.all((pp >= 0) & (pp <= 1))
    swapped = combine_abf(l2, l1, p1=1e-4, p2=1e-4, p12=1e-5)
    np.testing.assert_allclose(swapped[[0, 2, 1, 3, 4]], pp, rtol=1e-9, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_coloc_abf__swapping_datasets_swaps_h1_h2(seed) -> None:
    rng = np.random.default_rng(seed)
    n = 20
    d1: dict[str, Any] = {"snp": [f"s{i}" for i in range(n)], "beta": rng.normal(0, 0.2, n),
                          "varbeta": rng.uniform(0.001, 0.02, n), "type": "quant", "sdY": 1.0}
    d2: dict[str, Any] = {**d1, "beta": rng.normal(0, 0.2, n), "type": "cc"}
    a = coloc_abf(d1, d2).summary.to_numpy()
    b = coloc_abf(d2, d1).summary.to_numpy()
    np.testing.assert_allclose(b[[0, 1, 3, 2, 4, 5]], a, rtol=1e-9, atol=1e-300)
    assert a[1:].sum() == pytest.approx(1.0)
