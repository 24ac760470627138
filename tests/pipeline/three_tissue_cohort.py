"""Three simulated tissues on chr22, mapped once per session; shared by the coloc and
multi-tissue pipeline tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.io import open_genotypes
from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.qtl_steps import read_egenes
from genotex.simulate import SimulationConfig, simulate
from genotex.testing import map_simulated_tissue

TISSUES = ("Lung", "Muscle_Skeletal", "Whole_Blood")


@dataclass(frozen=True)
class Cohort:
    """The mapped tissues under ``root/<tissue>`` plus the simulator's truth and genotypes."""

    root: Path
    vcf: Path
    truth: pd.DataFrame
    variants: pd.DataFrame
    dosages: np.ndarray  # (n_variants, n_samples) float64

    @property
    def qtl_dirs(self) -> dict[str, Path]:
        return {t: self.root / t for t in TISSUES}

    def egenes(self, tissue: str) -> pd.DataFrame:
        return read_egenes(self.root / tissue / f"{tissue}.cis_qtl.txt.gz")


def mapped_cohort(factory: pytest.TempPathFactory) -> Cohort:
    """200 donors, 100 genes, 2,000 chr22 variants, 3 tissues (seed 2 plants a strong
    opposite-direction eQTL); expression prep, nominal, 200 permutations, significant pairs.

    Built once per session: cached on the session's ``tmp_path_factory``.
    """
    cached = getattr(factory, "_genotex_three_tissues", None)
    if cached is None:
        cached = _build(factory.mktemp("three_tissues"))
        setattr(factory, "_genotex_three_tissues", cached)  # noqa: B010
    return cached  # type: ignore[no-any-return]


def _build(root: Path) -> Cohort:
    config = SimulationConfig(n_donors=200, n_genes=100, variants_per_chrom=2000,
                              tissues=TISSUES, chromosomes=("chr22",), seed=2,
                              max_tissue_fraction=1.0)
    files = simulate(root / "cohort", config, progress=False)
    pcs = compute_genotype_pcs(genotypes=files.plink_prefix, output=root / "pcs.txt", n_pcs=3)
    for t in TISSUES:
        map_simulated_tissue(files, t, root / t, genotype_pcs=pcs)
    with open_genotypes(files.vcf) as reader:
        chunk = next(reader.iter_chunks(100_000))
    truth = pd.read_csv(files.truth_eqtls, sep="\t")
    return Cohort(root, files.vcf, truth, chunk.variants, chunk.dosages.astype(np.float64))
