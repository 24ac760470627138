from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.simulate import CohortFiles, SimulationConfig, simulate

pytest.importorskip("genotex.io.gtf")
pytest.importorskip("genotex.io.leafcutter")

TINY = SimulationConfig(
    seed=11, n_donors=24, n_genes=40, variants_per_chrom=300,
    tissues=("Lung", "Whole_Blood"), chromosomes=("chr22",),
)


def _digests(files: CohortFiles) -> dict[str, str]:
    return {
        str(p.relative_to(files.outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files.paths()
    }


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> CohortFiles:
    return simulate(tmp_path_factory.mktemp("tiny"), TINY, progress=False)


def test_write_cohort__layout(tiny_files: CohortFiles) -> None:
    out = tiny_files.outdir
    expected = {
        "annotation/genes.gtf.gz", "genotypes/cohort.vcf.gz", "genotypes/cohort.vcf.gz.tbi",
        "genotypes/cohort.bed", "genotypes/cohort.bim", "genotypes/cohort.fam",
        "metadata/SampleAttributesDS.txt", "metadata/SubjectPhenotypesDS.txt",
        "metadata/sample_participant_lookup.txt", "metadata/genotyped_participants.txt",
        "expression/Lung.gene_tpm.gct.gz", "expression/Lung.gene_reads.gct.gz",
        "expression/Whole_Blood.gene_tpm.gct.gz", "expression/Whole_Blood.gene_reads.gct.gz",
        "splicing/Lung_perind.counts.gz", "splicing/Whole_Blood_perind.counts.gz",
        "truth/eqtls.tsv", "truth/sqtls.tsv", "truth/tissue_specific_genes.tsv",
        "truth/gene_programmes.tsv", "simulation.json",
    }
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == expected
    assert {str(p.relative_to(out)) for p in tiny_files.paths()} == expected


def test_simulate__same_seed_gives_identical_files(
    tiny_files: CohortFiles, tmp_path: Path
) -> None:
    again = simulate(tmp_path / "again", TINY, progress=False)
    assert _digests(again) == _digests(tiny_files)


def test_simulate__different_seed_gives_different_files(
    tiny_files: CohortFiles, tmp_path: Path
) -> None:
    import dataclasses

    other = simulate(tmp_path / "other", dataclasses.replace(TINY, seed=12), progress=False)
    a, b = _digests(tiny_files), _digests(other)
    assert a["genotypes/cohort.vcf.gz"] != b["genotypes/cohort.vcf.gz"]
    assert a["expression/Lung.gene_reads.gct.gz"] != b["expression/Lung.gene_reads.gct.gz"]


def test_write_cohort__files_read_back(tiny_files: CohortFiles) -> None:
    from genotex.io.attributes import read_sample_attributes, read_sample_participant_lookup
    from genotex.io.gct import read_gct

    tpm = read_gct(tiny_files.gene_tpm["Lung"])
    reads = read_gct(tiny_files.gene_reads["Lung"])
    assert tpm.shape == reads.shape and tpm.shape[0] == 40
    np.testing.assert_allclose(tpm.sum(axis=0), 1e6, rtol=1e-4)
    assert (reads.to_numpy() >= 0).all()
    attrs = read_sample_attributes(tiny_files.sample_attributes)
    lookup = read_sample_participant_lookup(tiny_files.sample_participant_lookup)
    assert set(tpm.columns) <= set(lookup.index)
    assert len(attrs) == len(lookup)
    genotyped = tiny_files.genotyped_participants.read_text().split()
    with gzip.open(tiny_files.vcf, "rt") as fh:
        header = next(line for line in fh if line.startswith("#CHROM"))
    assert header.rstrip("\n").split("\t")[9:] == genotyped
    assert len(genotyped) < 24  # some donors have RNA-seq only
    record = json.loads(tiny_files.simulation_json.read_text())
    assert record["seed"] == 11 and record["config"]["n_donors"] == 24
    truth = pd.read_csv(tiny_files.truth_eqtls, sep="\t")
    assert set(truth["tissue_id"]) <= {"Lung", "Whole_Blood"}
    with gzip.open(tiny_files.leafcutter_counts["Lung"], "rt") as fh:
        first = fh.readline().split()
        row = fh.readline().split()
    assert first[0] == "chrom" and first[1:] == list(tpm.columns)
    assert ":clu_" in row[0] and "/" in row[1]


def test_write_cohort__bcftools_and_plink2_read_the_genotypes(tiny_files: CohortFiles,
                                                              tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("bcftools") is None or shutil.which("plink2") is None:
        pytest.skip("bcftools / plink2 not on PATH (apt-get install bcftools plink2)")
    n_vcf = subprocess.run(["bcftools", "view", "-H", "-r", "chr22", str(tiny_files.vcf)],
                           check=True, capture_output=True, text=True).stdout.count("\n")
    assert n_vcf == 300  # the .tbi index answers region queries
    out = tmp_path / "freq"
    subprocess.run(["plink2", "--bfile", str(tiny_files.plink_prefix), "--freq", "--out",
                    str(out)], check=True, capture_output=True)
    freq = pd.read_csv(f"{out}.afreq", sep="\t")
    maf = np.minimum(freq["ALT_FREQS"], 1 - freq["ALT_FREQS"])
    assert len(freq) == 300 and maf.min() >= 0.01
