"""A release made by the pipeline from a small simulated 2-tissue cohort (real nominal pairs,
eGenes, LD and mapping inputs), and a GWAS built from one of its planted eQTLs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from genotex.io import open_genotypes
from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.release import ReleaseInputs, TissueQtlOutputs, build_cohort_release
from genotex.pipeline.summaries import summarize_expression
from genotex.simulate import SimulationConfig, simulate
from genotex.testing import map_simulated_tissue

TISSUES = ("Lung", "Whole_Blood")
DATASET_ID = "genotex_coloc_test_v1"


@dataclass(frozen=True)
class ColocRelease:
    release: Path
    egenes: pd.DataFrame  # tissue_id, gene_id, variant_id, pval_nominal, qval
    variants: pd.DataFrame  # variant_id, chrom, pos, ref, alt
    dosages: np.ndarray  # (n_variants, n_samples)


def build(root: Path) -> ColocRelease:
    """Simulate 120 donors × 30 genes × 400 chr22 variants in 2 tissues; map; build a release."""
    config = SimulationConfig(n_donors=120, n_genes=30, variants_per_chrom=400, tissues=TISSUES,
                              chromosomes=("chr22",), seed=5, max_tissue_fraction=1.0)
    cohort = simulate(root / "cohort", config, progress=False)
    pcs = compute_genotype_pcs(genotypes=cohort.plink_prefix, output=root / "pcs.txt", n_pcs=3)
    qtl, egenes = {}, []
    for t in TISSUES:
        m = map_simulated_tissue(cohort, t, root / t, genotype_pcs=pcs, n_perm=100)
        # mapping inputs of the first tissue only: the store keys qtl_phenotypes by
        # (phenotype_id, sample_id), so a second tissue's rows would collide
        first = t == TISSUES[0]
        qtl[t] = TissueQtlOutputs(egenes=m.egenes, signif_pairs=m.signif_pairs,
                                  nominal_pairs=m.nominal_pairs,
                                  expression_bed=m.bed if first else None,
                                  covariates=m.covariates if first else None)
        table = pd.read_csv(m.egenes, sep="\t")
        egenes.append(table.assign(tissue_id=t).rename(columns={"phenotype_id": "gene_id"}))
    summarize_expression(tpm_gcts=cohort.gene_tpm, sample_attributes=cohort.sample_attributes,
                         subject_attributes=cohort.subject_phenotypes,
                         annotation=cohort.genes_gtf, output_dir=root / "summaries")
    inputs = ReleaseInputs(annotation=cohort.genes_gtf, genotypes=cohort.vcf,
                           sample_attributes=cohort.sample_attributes,
                           subject_attributes=cohort.subject_phenotypes,
                           summaries_dir=root / "summaries", qtl=qtl)
    release = build_cohort_release(inputs, root=root / "releases", dataset_id=DATASET_ID)
    with open_genotypes(cohort.vcf) as reader:
        chunk = next(reader.iter_chunks(100_000))
    return ColocRelease(release, pd.concat(egenes, ignore_index=True), chunk.variants,
                        chunk.dosages.astype(np.float64))


def gwas_from(c: ColocRelease, causal: str, *, h2: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """GWAS-SSF table of a quantitative trait driven by ``causal`` (in-sample regression)."""
    g = np.where(np.isnan(c.dosages), np.nanmean(c.dosages, axis=1, keepdims=True), c.dosages)
    x = g[c.variants["variant_id"].tolist().index(causal)]
    rng = np.random.default_rng(seed)
    y = np.sqrt(h2) * (x - x.mean()) / x.std() + np.sqrt(1 - h2) * rng.standard_normal(x.size)
    gc = g - g.mean(1, keepdims=True)
    sxx = (gc**2).sum(1)
    keep = sxx > 0
    gc, sxx, v = gc[keep], sxx[keep], c.variants.loc[keep]
    beta = gc @ (y - y.mean()) / sxx
    resid = ((y - y.mean())[None, :] - beta[:, None] * gc) ** 2
    se = np.sqrt(resid.sum(1) / (x.size - 2) / sxx)
    return pd.DataFrame({
        "chromosome": v["chrom"].str.removeprefix("chr"), "base_pair_location": v["pos"],
        "effect_allele": v["alt"], "other_allele": v["ref"], "beta": beta,
        "standard_error": se, "effect_allele_frequency": g[keep].mean(1) / 2,
        "p_value": 2 * stats.t.sf(np.abs(beta / se), x.size - 2), "n": x.size})
