"""The simulated cohort in memory: :func:`simulate_cohort` and the :class:`Cohort` it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.schema import TRUTH_EQTL_COLUMNS, TRUTH_SQTL_COLUMNS
from genotex.simulate.config import SimulationConfig
from genotex.simulate.donors import simulate_donors, simulate_samples
from genotex.simulate.expression import (
    EqtlPlan,
    Programmes,
    assign_programmes,
    eqtl_log_multiplier,
    plan_eqtls,
    simulate_tissue_expression,
)
from genotex.simulate.genes import exonic_length, sample_real_genes, simulate_exons, synthetic_genes
from genotex.simulate.genotypes import Genotypes, simulate_genotypes
from genotex.simulate.splicing import SplicingPlan, plan_splicing, simulate_tissue_splicing


@dataclass(frozen=True)
class TissueData:
    """One tissue's matrices; columns are the tissue's sample IDs."""

    #: (n_genes, n_samples) int64 read counts, index ``Name`` (gene_id).
    reads: pd.DataFrame
    #: (n_genes, n_samples) float64 TPM, each column summing to 1e6.
    tpm: pd.DataFrame
    #: (n_introns, n_samples) int64 junction reads, index leafcutter intron ID.
    junction_numerators: pd.DataFrame
    #: (n_introns, n_samples) int64 reads of the intron's cluster.
    junction_denominators: pd.DataFrame


@dataclass(frozen=True)
class Cohort:
    """A simulated GTEx-like cohort (everything :func:`write_cohort` writes, plus the truth)."""

    config: SimulationConfig
    #: SubjectPhenotypesDS: ``SUBJID, SEX, AGE, DTHHRDY``.
    donors: pd.DataFrame
    #: (n_donors,) bool: donors with WGS genotypes (in the VCF).
    genotyped: NDArray[np.bool_]
    #: SampleAttributesDS columns plus ``tissue_id`` and ``donor_index``.
    samples: pd.DataFrame
    #: :data:`genotex.schema.GENE_COLUMNS`.
    genes: pd.DataFrame
    #: ``gene_id, exon_number, start, end``.
    exons: pd.DataFrame
    genotypes: Genotypes
    #: ``gene_id, programme, base, sex_effect``.
    programmes: pd.DataFrame
    #: leafcutter introns: ``intron_id, cluster_id, gene_id, chrom, start, end, strand``.
    introns: pd.DataFrame
    #: tissue_id → its matrices, in the order of ``config.tissue_ids``.
    tissues: Mapping[str, TissueData]
    #: :data:`genotex.schema.TRUTH_EQTL_COLUMNS` (effect_size = log2 aFC of the ALT allele).
    truth_eqtls: pd.DataFrame
    #: :data:`genotex.schema.TRUTH_SQTL_COLUMNS` (effect_size = ln intron weight per ALT).
    truth_sqtls: pd.DataFrame
    #: ``gene_id, gene_name, tissue_id, log2_fold_change``.
    tissue_specific_genes: pd.DataFrame

    @property
    def genotyped_donors(self) -> list[str]:
        """IDs of the donors with genotypes, in VCF sample order."""
        return self.donors["SUBJID"][self.genotyped].tolist()

    @property
    def sample_participant_lookup(self) -> pd.Series:
        """sample_id → participant_id (index ``sample_id``)."""
        return pd.Series(
            self.samples["SAMPID"].map(lambda s: "-".join(s.split("-")[:2])).to_numpy(),
            index=pd.Index(self.samples["SAMPID"].to_numpy(), name="sample_id"),
            name="participant_id",
        )


def _genes(config: SimulationConfig) -> pd.DataFrame:
    if config.annotation is None:
        return synthetic_genes(config.n_genes, config.chromosomes, seed=config.seed)
    from genotex.io.gtf import read_gene_annotation

    return sample_real_genes(
        read_gene_annotation(config.annotation), config.n_genes, config.chromosomes,
        seed=config.seed,
    )


def _truth_eqtls(plan: EqtlPlan, config: SimulationConfig, genes: pd.DataFrame,
                 variants: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, (g, v, cls) in enumerate(plan.causal.itertuples(index=False, name=None)):
        for j, tissue in enumerate(config.tissue_ids):
            if plan.effects[i, j] != 0:
                rows.append((tissue, genes["gene_id"].iat[g], variants["variant_id"].iat[v],
                             cls, float(plan.effects[i, j])))
    return pd.DataFrame(rows, columns=list(TRUTH_EQTL_COLUMNS))


def _truth_sqtls(plan: SplicingPlan, config: SimulationConfig,
                 variants: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for tissue in config.tissue_ids:
        for cluster, intron, v, beta in plan.sqtls.itertuples(index=False, name=None):
            rows.append((tissue, plan.introns["gene_id"].iat[intron], cluster,
                         plan.introns["intron_id"].iat[intron], variants["variant_id"].iat[v],
                         float(beta)))
    return pd.DataFrame(rows, columns=list(TRUTH_SQTL_COLUMNS))


def _tissue(config: SimulationConfig, tissue_id: str, samples: pd.DataFrame,
            female: NDArray[np.bool_], genes: pd.DataFrame, length: NDArray[np.float64],
            programmes: Programmes, plan: EqtlPlan, splicing: SplicingPlan,
            genotypes: Genotypes) -> TissueData:
    rows = samples[samples["tissue_id"] == tissue_id]
    ids = pd.Index(rows["SAMPID"].to_numpy())
    eqtl_log = eqtl_log_multiplier(plan, config.tissue_ids.index(tissue_id), genotypes.haplotypes,
                                   len(genes))
    counts, tpm = simulate_tissue_expression(config, tissue_id, rows, female, length, programmes,
                                             eqtl_log)
    name = pd.Index(genes["gene_id"].to_numpy(), name="Name")
    reads = pd.DataFrame(counts, index=name, columns=ids)
    num, den = simulate_tissue_splicing(config, tissue_id, splicing, reads,
                                        rows["donor_index"].to_numpy(), genotypes.dosages)
    intron = pd.Index(splicing.introns["intron_id"].to_numpy(), name="chrom")
    return TissueData(
        reads=reads, tpm=pd.DataFrame(tpm, index=name, columns=ids),
        junction_numerators=pd.DataFrame(num, index=intron, columns=ids),
        junction_denominators=pd.DataFrame(den, index=intron, columns=ids),
    )


def simulate_cohort(
    config: SimulationConfig | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
) -> Cohort:
    """Simulate a GTEx-like cohort in memory (no files; see :func:`write_cohort`).

    Parameters
    ----------
    config
        Sizes, rates and the seed; ``None`` uses the defaults.
    on_step
        Called with a short label as each part starts (progress reporting).

    Examples
    --------
    >>> cohort = simulate_cohort(SimulationConfig(n_donors=12, n_genes=20, variants_per_chrom=200,
    ...                                           tissues=("Lung",), chromosomes=("chr22",)))
    >>> cohort.tissues["Lung"].tpm.sum().round(6).unique().tolist()
    [1000000.0]
    """
    config = config or SimulationConfig()
    step = on_step or (lambda _label: None)
    step("donors and samples")
    donors, genotyped = simulate_donors(config)
    samples = simulate_samples(config, donors)
    step("genes")
    genes = _genes(config)
    exons = simulate_exons(genes, seed=config.seed)
    length = exonic_length(genes, exons)
    step("genotypes")
    genotypes = simulate_genotypes(
        config.chromosomes, config.variants_per_chrom, genotyped, seed=config.seed,
        min_maf=config.min_maf, mean_block_variants=config.mean_block_variants,
        founders_per_block=config.founders_per_block, mutation_rate=config.mutation_rate,
        missing_rate=config.missing_rate,
    )
    dosages = genotypes.dosages
    af = dosages[:, genotyped].mean(axis=1) / 2
    maf = np.minimum(af, 1 - af)
    step("eQTLs and splicing")
    programmes = assign_programmes(config, genes)
    plan = plan_eqtls(config, genes, programmes, genotypes.variants, maf, dosages)
    splicing = plan_splicing(config, genes, exons, programmes.table["programme"].to_numpy(), maf,
                             genotypes.variants)
    female = donors["SEX"].to_numpy() == 2
    tissues = {}
    for tissue_id in config.tissue_ids:
        step(f"expression: {tissue_id}")
        tissues[tissue_id] = _tissue(config, tissue_id, samples, female, genes, length,
                                     programmes, plan, splicing, genotypes)
    return Cohort(
        config=config, donors=donors, genotyped=genotyped, samples=samples, genes=genes,
        exons=exons, genotypes=genotypes, programmes=programmes.table,
        introns=splicing.introns, tissues=MappingProxyType(tissues),
        truth_eqtls=_truth_eqtls(plan, config, genes, genotypes.variants),
        truth_sqtls=_truth_sqtls(splicing, config, genotypes.variants),
        tissue_specific_genes=programmes.tissue_specific,
    )
