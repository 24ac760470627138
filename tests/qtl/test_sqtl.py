from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from genotex.io.leafcutter import read_leafcutter_counts
from genotex.qtl.sqtl import (
    ClusterGenes,
    excision_fractions,
    filter_introns,
    map_clusters_to_genes,
    normalize_excision_ratios,
    parse_intron_ids,
    qqnorm,
    sqtl_phenotypes,
)

LEAFCUTTER = Path(__file__).resolve().parents[1] / "reference" / "leafcutter"


@pytest.fixture(scope="module")
def counts() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_leafcutter_counts(LEAFCUTTER / "lung_perind.counts.gz")


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(LEAFCUTTER / name, sep="\t", index_col=3)


def _introns(num: pd.DataFrame):
    return parse_intron_ids(num.index.to_numpy())


def _assert_normalized_match(got: np.ndarray, ref: np.ndarray, imputed: np.ndarray) -> None:
    """Equal except where samples were imputed (z = 0 ties, ordered by rounding noise in
    leafcutter): there genotex gives the tie group's average-rank score, which must lie
    within the reference's scores of that group in the same sample."""
    ok = ~imputed
    assert ok.mean() > 0.98
    np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-12, atol=1e-12)
    for j in np.flatnonzero(imputed.any(0)):
        grp = ref[imputed[:, j], j]
        assert np.all(got[imputed[:, j], j] >= grp.min() - 1e-12)
        assert np.all(got[imputed[:, j], j] <= grp.max() + 1e-12)


def test_filter_introns__matches_gtex_filter_counts(counts) -> None:
    num, den = counts
    f = filter_introns(num.to_numpy(), den.to_numpy(), _introns(num).chrom)
    expect = (LEAFCUTTER / "filtered_introns.txt").read_text().split()
    assert num.index[f.keep].tolist() == expect
    ids = num.index
    assert f.low_complexity[ids.get_loc("chr22:40005000:40005900:clu_904_+")]
    assert not any(i.startswith("chrY:") for i in expect)


def test_normalize_excision_ratios__matches_leafcutter_prepare_phenotype_table(counts) -> None:
    num, den = counts
    res = normalize_excision_ratios(num.to_numpy(), den.to_numpy(), _introns(num).chrom)
    ids = num.index[res.intron_index]
    phen = _table("prepare_unfiltered.phen.tsv.gz")
    qq = _table("prepare_unfiltered.qqnorm.tsv.gz")
    assert ids.tolist() == phen.index.tolist()  # same introns, input order
    assert "chr22:40000000:40000900:clu_903_+" not in ids  # std < 0.005
    assert not any(":clu_901_" in i for i in ids)  # > 40 % of samples without reads
    assert any(":clu_902_" in i for i in ids)  # 20 % imputed
    assert any(i.startswith("chrY:") for i in ids)  # "chrY" is not in ["X", "Y"]
    np.testing.assert_allclose(res.ratios, phen.iloc[:, 3:].to_numpy(), rtol=1e-15)
    got = pd.DataFrame(res.normalized, index=ids, columns=num.columns).loc[qq.index]
    imputed = pd.DataFrame(den.to_numpy()[res.intron_index] < 1, index=ids).loc[qq.index]
    _assert_normalized_match(got.to_numpy(), qq.iloc[:, 3:].to_numpy(), imputed.to_numpy())


@pytest.mark.parametrize("strict", [True, False])
def test_map_clusters_to_genes__matches_gtex(counts, strict: bool) -> None:
    num, _ = counts
    exons = pd.read_csv(LEAFCUTTER / "exons.tsv", sep="\t")
    got = map_clusters_to_genes(_introns(num), exons["chr"], exons["start"], exons["end"],
                                exons["gene_id"], strict=strict)
    name = "strict" if strict else "nonstrict"
    ref = pd.read_csv(LEAFCUTTER / f"clusters_to_genes.{name}.tsv", sep="\t", index_col=0)
    expect = {k: sorted(v.split(",")) for k, v in ref["genes"].items()}
    assert got.genes_of() == expect
    assert ("ENSGFAKE2" in got.gene_id) is not strict


def test_sqtl_phenotypes__matches_gtex_bed_and_groups(counts) -> None:
    num, den = counts
    introns = _introns(num)
    f = filter_introns(num.to_numpy(), den.to_numpy(), introns.chrom)
    fnum, fden = num[f.keep], den[f.keep]
    norm_ = normalize_excision_ratios(fnum.to_numpy(), fden.to_numpy(), introns.chrom[f.keep])
    exons = pd.read_csv(LEAFCUTTER / "exons.tsv", sep="\t")
    cg = map_clusters_to_genes(introns, exons["chr"], exons["start"], exons["end"],
                               exons["gene_id"])
    tss = pd.read_csv(LEAFCUTTER / "tss.tsv", sep="\t")
    ph = sqtl_phenotypes(fnum.index[norm_.intron_index], norm_.normalized, cg,
                         tss["gene_id"], tss["chr"], tss["start"], tss["end"])
    bed = pd.read_csv(LEAFCUTTER / "leafcutter.bed.tsv.gz", sep="\t")
    assert ph.phenotype_id.tolist() == bed["ID"].tolist()
    assert ph.chrom.tolist() == bed["#chr"].tolist()
    np.testing.assert_array_equal(ph.start, bed["start"])
    np.testing.assert_array_equal(ph.end, bed["end"])
    imputed = fden.to_numpy()[norm_.intron_index][ph.intron_index] < 1
    _assert_normalized_match(ph.values, bed.iloc[:, 4:].to_numpy(), imputed)
    groups = pd.read_csv(LEAFCUTTER / "phenotype_groups.txt", sep="\t", header=None)
    assert ph.phenotype_id[ph.group_order].tolist() == groups[0].tolist()
    assert ph.gene_id[ph.group_order].tolist() == groups[1].tolist()
    assert (bed["ID"].str.endswith(":ENSGFAKE1")).sum() >= 1  # a cluster with two genes


def test_parse_intron_ids__rejects_malformed() -> None:
    with pytest.raises(ValueError, match="clu_"):
        parse_intron_ids(["chr1:10:20:cluster1"])


def test_sqtl_phenotypes__gene_without_tss_is_an_error() -> None:
    cg = ClusterGenes(np.array(["chr1:clu_1_+"]), np.array(["G1"]))
    with pytest.raises(ValueError, match="no TSS"):
        sqtl_phenotypes(["chr1:5:9:clu_1_+"], np.ones((1, 3)), cg, ["G2"], ["chr1"], [0], [1])


def _random_counts(seed: int, n_introns: int = 12, n: int = 25):
    rng = np.random.default_rng(seed)
    den = rng.poisson(rng.uniform(0.5, 60, (n_introns, 1)), (n_introns, n))
    num = rng.binomial(den, rng.uniform(0.05, 0.95, (n_introns, 1)))
    return num, den


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_normalize_excision_ratios__sample_permutation_equivariant(seed: int) -> None:
    num, den = _random_counts(seed)
    chrom = ["chr1"] * num.shape[0]
    perm = np.random.default_rng(seed + 1).permutation(num.shape[1])
    a = normalize_excision_ratios(num, den, chrom)
    b = normalize_excision_ratios(num[:, perm], den[:, perm], chrom)
    np.testing.assert_array_equal(a.intron_index, b.intron_index)
    np.testing.assert_allclose(a.normalized[:, perm], b.normalized, rtol=1e-12, atol=1e-12)
    fa = filter_introns(num, den, chrom)
    fb = filter_introns(num[:, perm], den[:, perm], chrom)
    np.testing.assert_array_equal(fa.keep, fb.keep)
    assert (fa.zero_fraction[fa.keep] <= 0.5).all()
    frac = excision_fractions(num, den)
    assert ((frac >= 0) & (frac <= 1)).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 10_000))
def test_qqnorm__normal_scores_of_ranks(n: int, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal((n, 3))
    q = qqnorm(x)
    a = 3 / 8 if n <= 10 else 0.5
    expect = norm.ppf((np.arange(1, n + 1) - a) / (n + 1 - 2 * a))
    np.testing.assert_allclose(np.sort(q, axis=0), np.tile(expect[:, None], 3), rtol=1e-12)
    np.testing.assert_array_equal(np.argsort(q, axis=0), np.argsort(x, axis=0))
