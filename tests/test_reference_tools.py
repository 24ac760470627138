"""The reference tools read the files genotex writes, and agree with genotex on them.

FastQTL (Debian ``fastqtl``) and QTLtools (Debian ``qtltools``) map the simulated cohort's
expression BED + VCF + covariates written by genotex; FastQTL's nominal model is tensorQTL's,
so its p-values must equal genotex's. Skipped where the tools are not installed.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.qtl_steps import cis_nominal
from genotex.simulate import SimulationConfig, simulate
from genotex.testing import prepare_simulated_tissue

TISSUE = "Whole_Blood"


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("interop")
    files = simulate(root / "cohort", SimulationConfig(
        n_donors=90, n_genes=30, variants_per_chrom=600, tissues=(TISSUE,),
        chromosomes=("chr22",), seed=5), progress=False)
    pcs = compute_genotype_pcs(genotypes=files.vcf, output=root / "pcs.txt", n_pcs=3)
    bed, cov = prepare_simulated_tissue(files, TISSUE, root, genotype_pcs=pcs, n_hidden=3)
    cis_nominal(phenotype_bed=bed, genotypes=files.vcf, covariates=cov, output_dir=root,
                prefix=TISSUE)
    return {"root": root, "vcf": files.vcf, "bed": bed, "cov": cov,
            "pairs": root / f"{TISSUE}.cis_qtl_pairs.chr22.parquet"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {name.lower()})")
    return path


def test_fastqtl__reads_genotex_files_and_agrees_on_nominal_pvalues(mapped) -> None:
    out = mapped["root"] / "fastqtl.txt.gz"
    subprocess.run([_tool("fastQTL"), "--vcf", str(mapped["vcf"]), "--bed", str(mapped["bed"]),
                    "--cov", str(mapped["cov"]), "--region", "chr22", "--out", str(out)],
                   check=True, capture_output=True)
    with gzip.open(out, "rt") as fh:
        ref = pd.read_csv(fh, sep="\t", header=None,
                          names=["phenotype_id", "variant_id", "tss_distance", "ma_samples",
                                 "ma_count", "maf", "pval_nominal", "slope", "slope_se"])
    ours = pd.read_parquet(mapped["pairs"])
    merged = ref.merge(ours, on=["phenotype_id", "variant_id"], suffixes=("_ref", ""))
    assert len(merged) == len(ref) == len(ours)
    finite = np.isfinite(merged["pval_nominal"])
    np.testing.assert_allclose(-np.log10(merged.loc[finite, "pval_nominal"]),
                               -np.log10(merged.loc[finite, "pval_nominal_ref"]),
                               rtol=1e-4, atol=1e-5)  # FastQTL prints 6 significant digits
    np.testing.assert_allclose(merged.loc[finite, "slope"], merged.loc[finite, "slope_ref"],
                               rtol=1e-4, atol=1e-6)


def test_qtltools__reads_genotex_files(mapped) -> None:
    out = mapped["root"] / "qtltools.txt"
    subprocess.run([_tool("QTLtools"), "cis", "--vcf", str(mapped["vcf"]), "--bed",
                    str(mapped["bed"]), "--cov", str(mapped["cov"]), "--nominal", "1",
                    "--out", str(out)], check=True, capture_output=True)
    rows = pd.read_csv(out, sep=" ", header=None)
    ours = pd.read_parquet(mapped["pairs"])
    assert set(rows[0]) == set(ours["phenotype_id"])  # same phenotypes, read from our BED
    assert len(rows) == len(ours)  # same cis variants, read from our VCF
