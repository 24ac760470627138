from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from genotex.cli import main
from genotex.io.bed import read_phenotype_bed
from genotex.io.covariates import read_covariates
from genotex.simulate import CohortFiles, SimulationConfig, simulate


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> CohortFiles:
    config = SimulationConfig(n_donors=50, n_genes=40, variants_per_chrom=300,
                              tissues=("Lung", "Thyroid"), chromosomes=("chr22",), seed=3)
    return simulate(tmp_path_factory.mktemp("cohort"), config, progress=False)


def _run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_expression_prepare_covariates_summarize__end_to_end(
    cohort: CohortFiles, tmp_path: Path
) -> None:
    _run("genotypes", "pcs", cohort.vcf, tmp_path / "pcs.txt", "--n-pcs", 3)
    out = _run("expression", "prepare", cohort.gene_tpm["Lung"], cohort.gene_reads["Lung"],
               cohort.genes_gtf, cohort.sample_participant_lookup, cohort.vcf, "Lung",
               "-o", tmp_path, "--tpm_threshold", 0.5, "--normalization_method", "qn")
    assert "Lung.expression.bed.gz" in out
    bed = tmp_path / "Lung.expression.bed.gz"
    _run("expression", "covariates", bed, tmp_path / "cov.txt", "--genotype-pcs",
         tmp_path / "pcs.txt", "--subjects", cohort.subject_phenotypes, "--n-hidden", 2)
    cov = read_covariates(tmp_path / "cov.txt")
    assert list(cov.index) == list(read_phenotype_bed(bed).values.columns)
    out = _run("expression", "summarize", tmp_path / "summ",
               "--tpm", f"Lung={cohort.gene_tpm['Lung']}",
               "--tpm", f"Thyroid={cohort.gene_tpm['Thyroid']}",
               "--samples", cohort.sample_attributes, "--subjects", cohort.subject_phenotypes,
               "--annotation", cohort.genes_gtf)
    assert "40 genes × 2 tissues" in out
    assert (tmp_path / "summ" / "median_tpm.parquet").is_file()


def test_expression_prepare__bad_input_is_one_line_naming_the_files(
    cohort: CohortFiles, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, [
        "expression", "prepare", str(cohort.gene_tpm["Lung"]), str(cohort.gene_reads["Thyroid"]),
        str(cohort.genes_gtf), str(cohort.sample_participant_lookup), str(cohort.vcf), "Lung",
        "-o", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "Thyroid.gene_reads.gct.gz" in lines[0] and "fix:" in lines[0]
    assert "Traceback" not in result.output
