from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.expression import prepare_expression
from genotex.io.bed import read_phenotype_bed
from genotex.io.covariates import read_covariates
from genotex.io.gct import read_gct
from genotex.pipeline.expression_steps import (
    compute_genotype_pcs,
    prepare_tissue_expression,
    tissue_covariates,
)
from genotex.simulate import CohortFiles, SimulationConfig, simulate

TISSUE = "Lung"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> CohortFiles:
    config = SimulationConfig(n_donors=60, n_genes=50, variants_per_chrom=400,
                              tissues=(TISSUE,), chromosomes=("chr21", "chr22"), seed=7)
    return simulate(tmp_path_factory.mktemp("cohort"), config, progress=False)


def _prepare(cohort: CohortFiles, out: Path, **kwargs: object):
    return prepare_tissue_expression(
        tpm_gct=cohort.gene_tpm[TISSUE], counts_gct=cohort.gene_reads[TISSUE],
        annotation=cohort.genes_gtf, sample_participant_lookup=cohort.sample_participant_lookup,
        genotypes=cohort.vcf, output_prefix=out / TISSUE, **kwargs)


def test_prepare_tissue_expression__equals_kernel_on_genotyped_donors(
    cohort: CohortFiles, tmp_path: Path
) -> None:
    result = _prepare(cohort, tmp_path)
    assert result.bed == tmp_path / f"{TISSUE}.expression.bed.gz"
    assert (tmp_path / f"{TISSUE}.expression.bed.gz.tbi").is_file()
    assert not list(tmp_path.glob(".staging-*"))
    bed = read_phenotype_bed(result.bed)
    genotyped = set(cohort.genotyped_participants.read_text().split())
    assert set(bed.values.columns) <= genotyped
    assert result.n_samples == bed.values.shape[1]
    lookup = pd.read_csv(cohort.sample_participant_lookup, sep="\t", header=None, index_col=0)[1]
    tpm, counts = read_gct(cohort.gene_tpm[TISSUE]), read_gct(cohort.gene_reads[TISSUE])
    samples = [s for s in tpm.columns if lookup[s] in genotyped]
    expected = prepare_expression(tpm, counts, samples=samples).set_axis(
        [lookup[s] for s in samples], axis=1)
    got = bed.values.set_axis(bed.values.index.astype(str))
    pd.testing.assert_frame_equal(got.sort_index(), expected.loc[got.index].sort_index(),
                                  check_names=False, rtol=1e-12)
    assert bed.positions["end"].sub(bed.positions["start"]).eq(1).all()


def test_prepare_tissue_expression__unknown_sample_names_the_lookup(
    cohort: CohortFiles, tmp_path: Path
) -> None:
    lookup = tmp_path / "lookup.txt"
    lines = cohort.sample_participant_lookup.read_text().splitlines()
    lookup.write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(InputError, match=r"lookup\.txt"):
        prepare_tissue_expression(
            tpm_gct=cohort.gene_tpm[TISSUE], counts_gct=cohort.gene_reads[TISSUE],
            annotation=cohort.genes_gtf, sample_participant_lookup=lookup,
            genotypes=cohort.vcf, output_prefix=tmp_path / TISSUE)


def test_covariates__pcs_hidden_factors_and_sex(cohort: CohortFiles, tmp_path: Path) -> None:
    bed = _prepare(cohort, tmp_path).bed
    pcs = compute_genotype_pcs(genotypes=cohort.plink_prefix, output=tmp_path / "pcs.txt",
                               n_pcs=3)
    pc_table = read_covariates(pcs)
    assert list(pc_table.columns) == ["PC1", "PC2", "PC3"]
    np.testing.assert_allclose(np.linalg.norm(pc_table.to_numpy(), axis=0), 1.0)
    out = tissue_covariates(expression_bed_path=bed, genotype_pcs_path=pcs,
                            output=tmp_path / "cov.txt",
                            subject_attributes=cohort.subject_phenotypes, n_hidden=4)
    cov = read_covariates(out)
    assert list(cov.columns) == ["PC1", "PC2", "PC3", "InferredCov1", "InferredCov2",
                                 "InferredCov3", "InferredCov4", "sex"]
    assert list(cov.index) == list(read_phenotype_bed(bed).values.columns)
    assert set(np.unique(cov["sex"])) <= {0.0, 1.0}


def test_summarize_expression__parquet_tables_readable_by_duckdb(tmp_path: Path) -> None:
    import duckdb

    from genotex.pipeline.summaries import summarize_expression

    config = SimulationConfig(n_donors=40, n_genes=30, variants_per_chrom=100,
                              tissues=("Lung", "Whole_Blood", "Testis"), chromosomes=("chr22",))
    files = simulate(tmp_path / "cohort", config, progress=False)
    result = summarize_expression(
        tpm_gcts=files.gene_tpm, sample_attributes=files.sample_attributes,
        subject_attributes=files.subject_phenotypes, annotation=files.genes_gtf,
        output_dir=tmp_path / "summaries", top_n=5)
    assert (result.n_genes, result.n_tissues) == (30, 3)
    out = result.output_dir
    con = duckdb.connect()
    medians = con.execute(
        f"select tissue_id, count(*) from '{out}/median_tpm.parquet' group by 1 order by 1"
    ).fetchall()
    assert medians == [("Lung", 30), ("Testis", 30), ("Whole_Blood", 30)]
    n = con.execute(f"select count(*) from read_parquet('{out}/sample_tpm/*/*.parquet', "
                    "hive_partitioning=true) where tissue_id='Lung'").fetchone()
    assert n is not None and n[0] == 30 * read_gct(files.gene_tpm["Lung"]).shape[1]
    sexes = con.execute(f"select distinct sex from '{out}/median_tpm_by_sex.parquet' "
                        "where tissue_id='Testis'").fetchall()
    assert sexes == [("male",)]
    top = pd.read_parquet(out / "top_expressed_genes.parquet")
    assert top.groupby("tissue_id").size().eq(5).all()
    tau_values = pd.read_parquet(out / "tissue_specificity.parquet")["tau"]
    assert tau_values.between(0, 1).all()
    assert read_gct(out / "gene_median_tpm.gct.gz").shape == (30, 3)
