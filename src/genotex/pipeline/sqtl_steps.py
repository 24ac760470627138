"""sQTL phenotypes from leafcutter counts, then grouped permutations: sGenes.

:func:`prepare_sqtl_phenotypes` follows GTEx's ``cluster_prepare_fastqtl.py``: intron filter,
leafcutter excision-ratio normalization, clusters assigned to genes by splice sites matching
the annotation's exon boundaries, one phenotype per (intron, gene) at the gene's TSS. It writes
``<prefix>.leafcutter.bed.gz`` (tensorQTL BED) and ``<prefix>.leafcutter.phenotype_groups.txt``
(headerless ``phenotype_id<TAB>gene_id``). :func:`map_sgenes` runs the grouped permutation pass
on them (tensorQTL ``--phenotype_groups``): one row per gene, its best intron reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io import (
    open_genotypes,
    read_gene_annotation,
    read_leafcutter_counts,
    read_sample_participant_lookup,
    write_phenotype_bed,
)
from genotex.io.gtf_exons import read_exons
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.qtl_steps import CisPermutationOutputs, cis_permutations
from genotex.qtl import (
    filter_introns,
    map_clusters_to_genes,
    normalize_excision_ratios,
    sqtl_phenotypes,
)
from genotex.qtl.sqtl import parse_intron_ids

__all__ = ["SqtlPhenotypeOutputs", "map_sgenes", "prepare_sqtl_phenotypes"]

PathLike = str | Path


@dataclass(frozen=True)
class SqtlPhenotypeOutputs:
    """What :func:`prepare_sqtl_phenotypes` wrote and how many introns each step kept."""

    bed: Path
    groups: Path
    n_introns: int
    n_filtered: int
    n_normalized: int
    n_phenotypes: int
    n_genes: int


def _rename_samples(num: pd.DataFrame, den: pd.DataFrame, lookup: PathLike | None,
                    counts: PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    if lookup is None:
        return num, den
    table = read_sample_participant_lookup(lookup)
    unknown = [s for s in num.columns if s not in table.index]
    if unknown:
        raise InputError(lookup, f"{len(unknown)} samples of {counts} are not in the lookup "
                         f"(e.g. {unknown[0]!r})",
                         "add a 'sample_id<TAB>participant_id' line for every sample")
    donors = table.loc[list(num.columns)].astype(str).to_numpy()
    if len(set(donors)) != donors.size:
        raise InputError(counts, "two samples of one donor", "keep one sample per donor")
    return num.set_axis(donors, axis=1), den.set_axis(donors, axis=1)


def prepare_sqtl_phenotypes(
    *,
    counts: PathLike,
    annotation: PathLike,
    output_dir: PathLike,
    prefix: str,
    sample_participant_lookup: PathLike | None = None,
    genotypes: PathLike | None = None,
    strict_gene_match: bool = True,
) -> SqtlPhenotypeOutputs:
    """leafcutter ``_perind.counts.gz`` + gene GTF → sQTL phenotype BED and groups.

    Parameters
    ----------
    counts
        leafcutter ``<prefix>_perind.counts.gz`` (``num/den`` per intron and sample).
    annotation
        Gene GTF with exon lines (GTEx collapsed model); genes give the TSS, exons the splice
        sites.
    sample_participant_lookup
        ``sample_id<TAB>participant_id``: renames the count columns to donor IDs (the IDs of
        the genotype file), as GTEx does. ``None`` keeps the count file's IDs.
    genotypes
        Genotype file: samples without genotypes are dropped before normalization (GTEx
        normalizes the genotyped samples of the tissue).
    strict_gene_match
        A cluster maps to a gene only when both its 5′ and 3′ sites match the gene's exons.
    """
    num, den = read_leafcutter_counts(counts)
    num, den = _rename_samples(num, den, sample_participant_lookup, counts)
    if genotypes is not None:
        with open_genotypes(genotypes) as reader:
            genotyped = set(reader.samples)
        cols = [s for s in num.columns if s in genotyped]
        if not cols:
            raise InputError(counts, f"no sample has genotypes in {genotypes}",
                             "pass --sample-participant-lookup to map samples to donors")
        num, den = num[cols], den[cols]
    ids = num.index.to_numpy(dtype=str)
    chrom = parse_intron_ids(ids).chrom
    filt = filter_introns(num.to_numpy(), den.to_numpy(), chrom)
    keep = np.flatnonzero(filt.keep)
    ratios = normalize_excision_ratios(num.to_numpy()[keep], den.to_numpy()[keep], chrom[keep])
    kept_ids = ids[keep][ratios.intron_index]
    exons = read_exons(annotation)
    genes = read_gene_annotation(annotation)
    cg = map_clusters_to_genes(parse_intron_ids(kept_ids), exons["chrom"], exons["start"],
                               exons["end"], exons["gene_id"], strict=strict_gene_match)
    tss = genes["tss"].to_numpy(dtype=np.int64)
    pheno = sqtl_phenotypes(kept_ids, ratios.normalized, cg, genes["gene_id"], genes["chrom"],
                            tss - 1, tss)
    if pheno.phenotype_id.size == 0:
        raise InputError(counts, "no intron cluster maps to a gene of the annotation",
                         "use the annotation the junctions were called against")
    positions = pd.DataFrame({"chrom": pheno.chrom, "start": pheno.start, "end": pheno.end,
                              "phenotype_id": pheno.phenotype_id})
    values = pd.DataFrame(pheno.values, index=pheno.phenotype_id, columns=num.columns)
    bed_name = f"{prefix}.leafcutter.bed.gz"
    groups_name = f"{prefix}.leafcutter.phenotype_groups.txt"
    o = pheno.group_order
    with staged_outputs(output_dir) as stage:
        write_phenotype_bed(stage / bed_name, positions, values)
        (stage / groups_name).write_text("".join(
            f"{p}\t{g}\n" for p, g in zip(pheno.phenotype_id[o].tolist(),
                                          pheno.gene_id[o].tolist(), strict=True)))
    out = Path(output_dir)
    return SqtlPhenotypeOutputs(out / bed_name, out / groups_name, ids.size, keep.size,
                                ratios.intron_index.size, pheno.phenotype_id.size,
                                int(np.unique(pheno.gene_id).size))


def map_sgenes(
    *,
    phenotypes: SqtlPhenotypeOutputs,
    genotypes: PathLike,
    covariates: PathLike | None,
    output_dir: PathLike,
    prefix: str,
    n_perm: int = 1000,
    seed: int | None = None,
    window: int = 1_000_000,
    maf_threshold: float = 0.0,
    fdr: float = 0.05,
    qvalue_lambda: float | None = None,
    dtype: type = np.float64,
    progress: bool = False,
) -> CisPermutationOutputs:
    """Grouped permutation pass over :func:`prepare_sqtl_phenotypes`' outputs: sGenes.

    Writes ``<prefix>.cis_qtl.txt.gz`` (+ ``.parquet``) with one row per gene (``group_id``),
    its best intron as ``phenotype_id``, ``group_size`` and the q-values (the genes with
    ``qval ≤ fdr`` are the sGenes). Covariates must hold the donors of the BED (GTEx: genotype
    PCs + PEER factors of the splicing phenotypes).
    """
    return cis_permutations(
        phenotype_bed=phenotypes.bed, genotypes=genotypes, covariates=covariates,
        output_dir=output_dir, prefix=prefix, n_perm=n_perm, seed=seed, window=window,
        maf_threshold=maf_threshold, groups=phenotypes.groups, fdr=fdr,
        qvalue_lambda=qvalue_lambda, dtype=dtype, progress=progress)
