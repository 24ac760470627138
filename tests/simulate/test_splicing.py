from __future__ import annotations

import re

import numpy as np

from genotex.schema import TRUTH_SQTL_COLUMNS
from genotex.simulate import Cohort

INTRON_RE = re.compile(r"^(chr[0-9XY]+):(\d+):(\d+):(clu_\d+_[+-])$")


def test_plan_splicing__clusters_share_splice_sites(small_cohort: Cohort) -> None:
    introns = small_cohort.introns
    parts = introns["intron_id"].str.extract(INTRON_RE)
    assert parts.notna().all().all()
    assert introns["intron_id"].is_unique
    assert (parts[1].astype(int) == introns["start"]).all()
    assert (parts[2].astype(int) == introns["end"]).all()
    exons = small_cohort.exons
    ends = set(zip(exons["gene_id"], exons["end"], strict=True))
    genes = small_cohort.genes.set_index("gene_id")
    for cluster, grp in introns.groupby("cluster_id"):
        assert 2 <= len(grp) <= 4, cluster
        assert grp["gene_id"].nunique() == 1
        gene = genes.loc[grp["gene_id"].iat[0]]
        assert (grp["start"] > gene["start"]).all() and (grp["end"] < gene["end"]).all()
        assert (grp["start"] < grp["end"]).all()
        sites = np.concatenate([grp["start"], grp["end"]])
        assert len(set(sites)) < len(sites)  # introns share splice sites
        # leafcutter convention: intron start = an exon's last base
        assert all((g, s) in ends for g, s in zip(grp["gene_id"], grp["start"], strict=True))


def test_simulate_tissue_splicing__numerators_and_denominators(small_cohort: Cohort) -> None:
    introns = small_cohort.introns
    for data in small_cohort.tissues.values():
        num, den = data.junction_numerators, data.junction_denominators
        assert num.index.equals(den.index) and num.columns.equals(data.reads.columns)
        assert (num.to_numpy() >= 0).all() and (num.to_numpy() <= den.to_numpy()).all()
        sums = num.groupby(introns["cluster_id"].to_numpy()).sum()
        firsts = den.groupby(introns["cluster_id"].to_numpy()).first()
        assert (sums.to_numpy() == firsts.to_numpy()).all()
        assert den.to_numpy().mean() > 10


def test_planted_sqtls__truth_consistent_and_detectable(small_cohort: Cohort) -> None:
    truth = small_cohort.truth_sqtls
    assert list(truth.columns) == list(TRUTH_SQTL_COLUMNS)
    assert len(truth) > 0
    introns = small_cohort.introns.set_index("intron_id")
    assert (introns.loc[truth["intron_id"], "cluster_id"].to_numpy() == truth["cluster_id"]).all()
    assert (introns.loc[truth["intron_id"], "gene_id"].to_numpy() == truth["gene_id"]).all()
    index = {v: i for i, v in enumerate(small_cohort.genotypes.variants["variant_id"])}
    donor_of = small_cohort.samples.set_index("SAMPID")["donor_index"]
    signs = []
    for row in truth[truth["effect_size"].abs() >= 1].itertuples(index=False):
        data = small_cohort.tissues[row.tissue_id]
        num = data.junction_numerators.loc[row.intron_id].to_numpy(dtype=float)
        den = data.junction_denominators.loc[row.intron_id].to_numpy(dtype=float)
        ratio = (num + 0.5) / (den + 0.5)
        x = small_cohort.genotypes.dosages[index[row.variant_id],
                                           donor_of.loc[data.reads.columns].to_numpy()]
        if x.std() > 0:
            signs.append(np.sign(np.corrcoef(x, ratio)[0, 1]) == np.sign(row.effect_size))
    assert len(signs) >= 5 and np.mean(signs) > 0.85
