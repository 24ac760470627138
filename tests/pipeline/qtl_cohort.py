"""A small simulated tissue mapped once per session, shared by the QTL pipeline tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.qtl_steps import CisPermutationOutputs, cis_permutations
from genotex.simulate import CohortFiles, SimulationConfig, simulate
from genotex.testing import prepare_simulated_tissue

TISSUE = "Lung"


@dataclass(frozen=True)
class Tissue:
    cohort: CohortFiles
    bed: Path
    cov: Path
    out: Path
    perm: CisPermutationOutputs


def mapped_tissue(factory: pytest.TempPathFactory) -> Tissue:
    """150 donors, 60 genes on chr21/chr22, 600 variants each; permutations at seed 1.

    Built once per session: cached on the session's ``tmp_path_factory`` (this helper may be
    loaded under two module names, by the pipeline and the CLI tests).
    """
    cached = getattr(factory, "_genotex_qtl_tissue", None)
    if cached is None:
        cached = _build(factory)
        setattr(factory, "_genotex_qtl_tissue", cached)  # noqa: B010
    return cached  # type: ignore[no-any-return]


def _build(factory: pytest.TempPathFactory) -> Tissue:
    config = SimulationConfig(n_donors=150, n_genes=60, variants_per_chrom=600,
                              tissues=(TISSUE,), chromosomes=("chr21", "chr22"), seed=3)
    cohort = simulate(factory.mktemp("qtl_cohort"), config, progress=False)
    out = factory.mktemp("qtl_tissue")
    pcs = compute_genotype_pcs(genotypes=cohort.plink_prefix, output=out / "pcs.txt", n_pcs=3)
    bed, cov = prepare_simulated_tissue(cohort, TISSUE, out, genotype_pcs=pcs, n_hidden=3)
    perm = cis_permutations(phenotype_bed=bed, genotypes=cohort.plink_prefix, covariates=cov,
                            output_dir=out, prefix=TISSUE, n_perm=200, seed=1,
                            maf_threshold=0.01)
    return Tissue(cohort, bed, cov, out, perm)
