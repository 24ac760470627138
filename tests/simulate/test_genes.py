from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.schema import GENE_COLUMNS, GRCH38_CHROM_LENGTHS
from genotex.simulate import Cohort, SimulationConfig, simulate_cohort
from genotex.simulate.genes import exonic_length, simulate_exons, synthetic_genes

GENE_ID_RE = re.compile(r"^ENSG000001\d{5}\.\d+$")


def test_synthetic_genes__gencode_like() -> None:
    genes = synthetic_genes(500, ("chr20", "chr21", "chr22"), seed=3)
    assert list(genes.columns) == list(GENE_COLUMNS)
    assert genes["gene_id"].str.match(GENE_ID_RE).all()
    assert genes["gene_id"].is_unique and genes["gene_name"].is_unique
    assert 0.5 < (genes["gene_type"] == "protein_coding").mean() < 0.7
    assert set(genes["chrom"]) == {"chr20", "chr21", "chr22"}
    assert (genes["end"] >= genes["start"]).all()
    assert (genes["end"] <= genes["chrom"].map(GRCH38_CHROM_LENGTHS)).all()
    tss = np.where(genes["strand"] == "+", genes["start"], genes["end"])
    assert (genes["tss"].to_numpy() == tss).all()
    for _, grp in genes.groupby("chrom"):
        assert grp["start"].is_monotonic_increasing


def test_simulate_exons__inside_genes_and_ordered() -> None:
    genes = synthetic_genes(200, ("chr22",), seed=3)
    exons = simulate_exons(genes, seed=3)
    merged = exons.merge(genes, on="gene_id", suffixes=("", "_gene"))
    assert (merged["start"] >= merged["start_gene"]).all()
    assert (merged["end"] <= merged["end_gene"]).all()
    assert (exons["end"] >= exons["start"]).all()
    for _, grp in exons.groupby("gene_id"):
        assert (grp["start"].to_numpy()[1:] > grp["end"].to_numpy()[:-1]).all()
    first = exons.groupby("gene_id")["start"].min().reindex(genes["gene_id"])
    last = exons.groupby("gene_id")["end"].max().reindex(genes["gene_id"])
    assert (first.to_numpy() == genes["start"].to_numpy()).all()
    assert (last.to_numpy() == genes["end"].to_numpy()).all()
    assert (exonic_length(genes, exons) > 0).all()


def test_simulate_cohort__real_annotation(shared_data: Path) -> None:
    pytest.importorskip("genotex.io.gtf")
    path = shared_data / "gencode_v26_genes.tsv.gz"
    cohort = simulate_cohort(SimulationConfig(
        n_donors=20, n_genes=50, variants_per_chrom=300, annotation=path,
        tissues=("Lung",), chromosomes=("chr21", "chr22"),
    ))
    real = pd.read_csv(path, sep="\t")
    genes = cohort.genes
    assert len(genes) == 50 and set(genes["chrom"]) <= {"chr21", "chr22"}
    merged = genes.merge(real, on="gene_id", suffixes=("", "_real"))
    assert len(merged) == 50
    assert (merged["start"] == merged["start_real"]).all()
    assert (merged["gene_name"] == merged["gene_name_real"]).all()


def test_simulate_cohort__genes_independent_of_donors(small_cohort: Cohort) -> None:
    other = simulate_cohort(SimulationConfig(
        seed=7, n_donors=20, n_genes=120, variants_per_chrom=100, tissues=("Lung",),
        chromosomes=("chr21", "chr22"),
    ))
    pd.testing.assert_frame_equal(other.genes, small_cohort.genes)
