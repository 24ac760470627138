"""Pipeline steps of the expression half: files in, files out, each step atomic.

Each function reads its inputs through :mod:`genotex.io`, calls the pure kernels of
:mod:`genotex.expression`, and writes its outputs through :func:`staged_outputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from genotex.errors import InputError, blame
from genotex.expression.factors import (
    combine_covariates,
    genotype_pcs,
    hidden_factors,
    ld_prune,
)
from genotex.expression.prepare import expression_bed, prepare_expression
from genotex.io.attributes import read_sample_participant_lookup, read_subject_attributes
from genotex.io.bed import read_phenotype_bed, write_phenotype_bed
from genotex.io.covariates import read_covariates, write_covariates
from genotex.io.gct import read_gct
from genotex.io.genotypes import open_genotypes
from genotex.io.gtf import read_gene_annotation
from genotex.pipeline.atomic import staged_outputs

PathLike = str | Path


@dataclass(frozen=True)
class PreparedExpression:
    """What :func:`prepare_tissue_expression` wrote."""

    bed: Path
    n_genes: int
    n_samples: int
    n_samples_dropped: int


def _genotyped(genotypes: PathLike) -> tuple[list[str], list[str]]:
    """Sample IDs and chromosomes of a genotype file (its VCF/PLINK sample names are donors)."""
    with open_genotypes(genotypes) as reader:
        chroms = list(reader.variant_table.chroms)
        return list(reader.samples), chroms


def prepare_tissue_expression(
    *,
    tpm_gct: PathLike,
    counts_gct: PathLike,
    annotation: PathLike,
    sample_participant_lookup: PathLike,
    genotypes: PathLike,
    output_prefix: PathLike,
    tpm_threshold: float = 0.1,
    count_threshold: float = 6,
    sample_frac_threshold: float = 0.2,
    normalization_method: Literal["tmm", "qn"] = "tmm",
) -> PreparedExpression:
    """GTEx ``eqtl_prepare_expression.py`` on files: write ``<prefix>.expression.bed.gz`` (+ .tbi).

    Only samples whose donor is in the genotype file are used (GTEx: donors with WGS), and
    only genes on chromosomes the genotype file has. Columns are renamed to donor IDs.
    """
    lookup = read_sample_participant_lookup(sample_participant_lookup)
    donors, chroms = _genotyped(genotypes)
    tpm = read_gct(tpm_gct)
    counts = read_gct(counts_gct)
    unknown = tpm.columns.difference(lookup.index)
    if len(unknown):
        raise InputError(sample_participant_lookup, f"{len(unknown)} samples of {tpm_gct} are "
                         f"not in the lookup (e.g. {unknown[0]!r})",
                         "add a 'sample_id<TAB>participant_id' line for every expression sample")
    genotyped = set(donors)
    keep = [s for s in tpm.columns if lookup[s] in genotyped]
    if not keep:
        raise InputError(genotypes, f"no donor of the samples in {tpm_gct} has genotypes",
                         "check that the VCF/PLINK sample IDs are GTEx donor IDs (GTEX-XXXX)")
    with blame(f"{tpm_gct} / {counts_gct}"):
        normalized = prepare_expression(
            tpm, counts, tpm_threshold=tpm_threshold, count_threshold=count_threshold,
        sample_frac_threshold=sample_frac_threshold, normalization_method=normalization_method,
        samples=keep)
    genes = read_gene_annotation(annotation)
    bed = expression_bed(normalized, genes, sample_to_participant=lookup.loc[keep],
                         chromosomes=chroms)
    if bed.columns[4:].duplicated().any():
        dup = bed.columns[4:][bed.columns[4:].duplicated()][0]
        raise InputError(tpm_gct, f"donor {dup} has more than one sample in this tissue",
                         "keep one RNA-seq sample per donor and tissue")
    prefix = Path(output_prefix)
    name = f"{prefix.name}.expression.bed.gz"
    with staged_outputs(prefix.parent) as stage:
        values = bed.set_index("phenotype_id").iloc[:, 3:]
        write_phenotype_bed(stage / name, bed.iloc[:, :4], values)
    return PreparedExpression(bed=prefix.parent / name, n_genes=len(bed), n_samples=len(keep),
                              n_samples_dropped=tpm.shape[1] - len(keep))


def compute_genotype_pcs(
    *,
    genotypes: PathLike,
    output: PathLike,
    n_pcs: int = 5,
    min_maf: float = 0.05,
    chunk_size: int = 20_000,
) -> Path:
    """Genotype PCs of all donors from LD-pruned common variants (GTEx: PLINK + smartpca).

    Streams the genotypes chunk by chunk; only the pruned variants are kept in memory.
    Writes a covariates file (``PC1 … PCk`` × donors).
    """
    kept: list[np.ndarray] = []
    with open_genotypes(genotypes) as reader:
        samples = list(reader.samples)
        for chunk in reader.iter_chunks(chunk_size):
            g = chunk.dosages
            af = np.nanmean(g, axis=1) / 2
            common = np.minimum(af, 1 - af) >= min_maf
            g = g[common]
            if len(g):
                kept.append(g[ld_prune(g)].astype(np.float32))
    if not kept:
        raise InputError(genotypes, f"no variant with MAF >= {min_maf}",
                         "lower --min-maf or check the genotype file")
    pcs = genotype_pcs(np.concatenate(kept), n_pcs=n_pcs).to_frame(samples, prefix="PC")
    out = Path(output)
    with staged_outputs(out.parent) as stage:
        write_covariates(stage / out.name, pcs.T)
    return out


def _known_covariates(
    subject_attributes: PathLike | None, donors: Sequence[str]
) -> list[pd.DataFrame]:
    """Sex as a 0/1 covariate row (GTEx's ``sex`` covariate) when subject attributes are given."""
    if subject_attributes is None:
        return []
    subjects = read_subject_attributes(subject_attributes).set_index("SUBJID")
    missing = pd.Index(donors).difference(subjects.index)
    if len(missing):
        raise InputError(subject_attributes,
                         f"{len(missing)} donors missing (e.g. {missing[0]!r})",
                         "add a row for every donor in the expression BED")
    sex = subjects.loc[list(donors), "SEX"].astype(float).to_numpy() - 1.0
    return [pd.DataFrame([sex], index=["sex"], columns=list(donors))]


def tissue_covariates(
    *,
    expression_bed_path: PathLike,
    genotype_pcs_path: PathLike | None,
    output: PathLike,
    subject_attributes: PathLike | None = None,
    n_hidden: int | None = None,
    hidden_method: Literal["sample_size", "buja_eyuboglu"] = "sample_size",
    seed: int = 0,
) -> Path:
    """One tissue's covariates: genotype PCs, hidden factors (PCA), sex; colinear rows dropped."""
    bed = read_phenotype_bed(expression_bed_path)
    donors = list(bed.values.columns)
    factors = hidden_factors(bed.values.to_numpy(), n_factors=n_hidden, method=hidden_method,
                             seed=seed).to_frame(donors, prefix="InferredCov")
    pcs = None
    if genotype_pcs_path is not None:
        pcs = read_covariates(genotype_pcs_path, samples=donors).T
    combined = combine_covariates(pcs, factors, _known_covariates(subject_attributes, donors))
    out = Path(output)
    with staged_outputs(out.parent) as stage:
        write_covariates(stage / out.name, combined.T)
    return out
