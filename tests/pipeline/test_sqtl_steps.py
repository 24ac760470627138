from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genotex.io import read_phenotype_bed
from genotex.pipeline.sqtl_steps import map_sgenes, prepare_sqtl_phenotypes

from .qtl_cohort import TISSUE, Tissue, mapped_tissue


@pytest.fixture(scope="module")
def tissue(tmp_path_factory: pytest.TempPathFactory) -> Tissue:
    return mapped_tissue(tmp_path_factory)


def test_prepare_sqtl_phenotypes__bed_groups_then_sgenes(tissue: Tissue, tmp_path: Path) -> None:
    c = tissue.cohort
    ph = prepare_sqtl_phenotypes(counts=c.leafcutter_counts[TISSUE], annotation=c.genes_gtf,
                                 output_dir=tmp_path, prefix=TISSUE,
                                 sample_participant_lookup=c.sample_participant_lookup,
                                 genotypes=c.plink_prefix)
    assert ph.bed.name == "Lung.leafcutter.bed.gz"
    assert ph.n_phenotypes > 0 and ph.n_genes <= ph.n_phenotypes <= 2 * ph.n_introns
    bed = read_phenotype_bed(ph.bed)
    groups = pd.read_csv(ph.groups, sep="\t", header=None, names=["phenotype_id", "gene_id"])
    assert set(groups["phenotype_id"]) == set(bed.positions["phenotype_id"])
    assert (groups["phenotype_id"].str.rsplit(":", n=1).str[1] == groups["gene_id"]).all()
    res = map_sgenes(phenotypes=ph, genotypes=c.plink_prefix, covariates=tissue.out / "pcs.txt",
                     output_dir=tmp_path, prefix=f"{TISSUE}.sqtl", n_perm=200, seed=1,
                     maf_threshold=0.01)
    table = pd.read_parquet(res.parquet)
    assert {"group_id", "group_size", "qval", "pval_beta"} <= set(table.columns)
    assert table["group_id"].is_unique and len(table) <= ph.n_genes
    assert res.n_egenes > 0


def test_adaptive_permutations__grouped_rows_equal_exact_runs_of_their_num_perm(
        tissue: Tissue, tmp_path: Path) -> None:
    """sQTL groups (best intron per cluster) in the adaptive mode: each stage takes the next
    permutations of the same matrix, so a group that stopped after m permutations has the
    numbers of the exact mode run with m permutations."""
    import numpy as np

    from genotex.pipeline.qtl_steps import cis_permutations
    from genotex.qtl import AdaptivePermutations

    c = tissue.cohort
    ph = prepare_sqtl_phenotypes(counts=c.leafcutter_counts[TISSUE], annotation=c.genes_gtf,
                                 output_dir=tmp_path, prefix=TISSUE,
                                 sample_participant_lookup=c.sample_participant_lookup,
                                 genotypes=c.plink_prefix)
    kw = dict(phenotype_bed=ph.bed, genotypes=c.plink_prefix, covariates=tissue.out / "pcs.txt",
              output_dir=tmp_path, seed=1, maf_threshold=0.01, groups=ph.groups)
    fast = pd.read_parquet(cis_permutations(
        prefix="a", n_perm=300, adaptive=AdaptivePermutations(min_perm=30), **kw).parquet)
    assert fast["group_id"].is_unique
    assert set(fast["num_perm"]) <= {30, 90, 270, 300} and fast["num_perm"].nunique() > 1
    for m, rows in fast.groupby("num_perm"):
        exact = pd.read_parquet(cis_permutations(prefix=f"e{m}", n_perm=int(m), **kw).parquet)
        assert set(fast["group_id"]) == set(exact["group_id"])
        e = exact.set_index("group_id").loc[rows["group_id"]]
        for col in ("pval_perm", "pval_beta", "beta_shape1", "true_df"):
            np.testing.assert_allclose(rows[col].to_numpy(), e[col].to_numpy(), rtol=1e-6,
                                       err_msg=f"{col} after {m} permutations")
        np.testing.assert_array_equal(rows["variant_id"].to_numpy(), e["variant_id"].to_numpy())
