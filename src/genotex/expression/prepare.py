"""QTL-ready expression for one tissue, exactly as the GTEx v8 pipeline prepares it.

References
----------
broadinstitute/gtex-pipeline ``qtl/src/eqtl_prepare_expression.py`` @ 728ea22
(``prepare_expression`` and its ``__main__``), with pyqtl ``qtl.norm`` and
``qtl.io.gtf_to_tss_bed`` / ``sort_bed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.expression.filters import expressed_genes_mask
from genotex.expression.inverse_normal import inverse_normal_transform
from genotex.expression.quantile import normalize_quantiles
from genotex.expression.tmm import edger_cpm
from genotex.schema import BED_COORD_COLUMNS, chrom_sort_key

__all__ = ["DEFAULT_BED_CHROMOSOMES", "expression_bed", "phenotype_positions",
           "prepare_expression"]

#: Chromosomes the GTEx script keeps by default (``--chrs``), in output order.
DEFAULT_BED_CHROMOSOMES: Final[tuple[str, ...]] = (
    *(f"chr{i}" for i in range(1, 23)), "chrX",
)


def _check_pair(tpm: pd.DataFrame, counts: pd.DataFrame) -> None:
    if not counts.columns.equals(tpm.columns):
        raise InputError(None, "sample IDs in the TPM and read-count matrices differ",
                         "use the same sample columns in the same order in both")
    if not counts.index.equals(tpm.index):
        raise InputError(None, "gene IDs in the TPM and read-count matrices differ",
                         "use the same gene rows in the same order in both")


def prepare_expression(
    tpm: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    tpm_threshold: float = 0.1,
    count_threshold: float = 6,
    sample_frac_threshold: float = 0.2,
    normalization_method: Literal["tmm", "qn"] = "tmm",
    samples: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Filter genes and normalize expression as ``eqtl_prepare_expression.py`` does.

    ``tmm``: TMM factors and library sizes from **all** genes (:func:`edger_cpm`), then the
    gene filter (:func:`expressed_genes_mask`), then a per-gene inverse normal transform.
    ``qn``: quantile-normalize the TPM of the kept genes, then the inverse normal transform.

    Parameters
    ----------
    tpm
        (n_genes, n_samples) TPM, indexed by gene ID, one column per RNA-seq sample.
    counts
        (n_genes, n_samples) read counts with the same index and columns as ``tpm``.
    tpm_threshold, count_threshold, sample_frac_threshold
        Gene filter: ``>= tpm_threshold`` TPM and ``>= count_threshold`` reads, each in
        ``>= sample_frac_threshold`` of the samples.
    normalization_method
        ``"tmm"`` (GTEx default) or ``"qn"`` (case-insensitive).
    samples
        Restrict to these sample columns first (the script's ``--sample_ids``; GTEx passes the
        samples whose donor has genotypes). The matrices' column order is kept, as the
        script's ``read_gct(usecols=...)`` keeps the file order. ``None`` keeps all.

    Returns
    -------
    (n_kept_genes, n_samples) float64 DataFrame of normal scores, rows in input order.

    Raises
    ------
    InputError
        Mismatched genes or samples between the two matrices, or unknown ``samples``.
    ValueError
        An unsupported ``normalization_method``.

    Examples
    --------
    >>> genes = ["g1", "g2", "g3"]
    >>> counts = pd.DataFrame([[10, 20, 30, 40], [0, 0, 0, 8], [5, 9, 7, 6]], index=genes,
    ...                       columns=["s1", "s2", "s3", "s4"])
    >>> tpm = counts / 2.0
    >>> prepare_expression(tpm, counts, sample_frac_threshold=0.5).round(3)
           s1     s2     s3     s4
    g1 -0.842 -0.253  0.253  0.842
    g3  0.842  0.253 -0.253 -0.842
    """
    _check_pair(tpm, counts)
    if samples is not None:
        missing = pd.Index(samples).difference(tpm.columns)
        if len(missing):
            raise InputError(None, f"{len(missing)} requested samples are not in the "
                             f"expression matrices (e.g. {missing[0]!r})",
                             "list only sample IDs present in the TPM and count matrices")
        keep = tpm.columns.isin(list(samples))
        tpm, counts = tpm.loc[:, keep], counts.loc[:, keep]
    mask = expressed_genes_mask(tpm, counts, tpm_threshold=tpm_threshold,
                                count_threshold=count_threshold,
                                sample_frac_threshold=sample_frac_threshold)
    method = normalization_method.lower()
    if method == "tmm":
        cpm = pd.DataFrame(edger_cpm(counts.to_numpy()), index=counts.index,
                           columns=counts.columns)
        return inverse_normal_transform(cpm.loc[mask])
    if method == "qn":
        return inverse_normal_transform(normalize_quantiles(tpm.loc[mask]))
    raise ValueError(f"unsupported normalization_method {normalization_method!r}; "
                     "use 'tmm' or 'qn'")


def phenotype_positions(
    genes: pd.DataFrame,
    gene_ids: Sequence[str] | pd.Index,
    *,
    chromosomes: Sequence[str] | None = DEFAULT_BED_CHROMOSOMES,
) -> pd.DataFrame:
    """BED coordinates of each gene's TSS, sorted as pyqtl ``sort_bed`` sorts them.

    Parameters
    ----------
    genes
        Annotation with columns ``gene_id, chrom, start, end, strand`` (1-based inclusive,
        one row per gene: the GTEx collapsed model's ``transcript`` lines).
    gene_ids
        The phenotypes to place (e.g. the index of :func:`prepare_expression`'s result);
        IDs absent from ``genes`` are dropped, as the script's inner merge drops them.
    chromosomes
        Chromosomes to keep, in output order (default ``chr1``–``chr22``, ``chrX``, as the
        script's ``--chrs`` default). ``None`` keeps every chromosome, ordered by
        :func:`genotex.schema.chrom_sort_key` (pyqtl's key would fail on chrY/chrM).

    Returns
    -------
    DataFrame with columns ``chrom, start, end, phenotype_id``: ``end`` is the TSS
    (``start`` on ``+``, ``end`` on ``-``) and ``start = tss - 1`` (0-based half-open).
    Rows are sorted by chromosome, start, end; ties keep the annotation order.

    Raises
    ------
    InputError
        Missing columns, duplicated gene IDs, or a strand other than ``+``/``-``.

    Examples
    --------
    >>> genes = pd.DataFrame({"gene_id": ["a", "b", "c"], "chrom": ["chr2", "chr10", "chr2"],
    ...                       "start": [500, 100, 50], "end": [900, 400, 80],
    ...                       "strand": ["-", "+", "+"]})
    >>> phenotype_positions(genes, ["a", "b", "c"])
       chrom  start  end phenotype_id
    0   chr2     49   50            c
    1   chr2    899  900            a
    2  chr10     99  100            b
    """
    missing = {"gene_id", "chrom", "start", "end", "strand"}.difference(genes.columns)
    if missing:
        raise InputError(None, f"gene annotation lacks columns {sorted(missing)}",
                         "pass gene_id, chrom, start, end and strand")
    if genes["gene_id"].duplicated().any():
        dup = genes.loc[genes["gene_id"].duplicated(), "gene_id"].iloc[0]
        raise InputError(None, f"duplicated gene ID {dup!r} in the annotation",
                         "use the collapsed gene model (one transcript line per gene)")
    strand = genes["strand"].astype(str)
    if not strand.isin(["+", "-"]).all():
        bad = genes.loc[~strand.isin(["+", "-"]), "gene_id"].iloc[0]
        raise InputError(None, f"gene {bad!r} has no strand (+/-)", "fix the annotation")
    tss = np.where(strand == "+", genes["start"], genes["end"]).astype(np.int64)
    bed = pd.DataFrame({"chrom": genes["chrom"].astype(str).to_numpy(), "start": tss - 1,
                        "end": tss, "phenotype_id": genes["gene_id"].astype(str).to_numpy()})
    bed = bed[bed["phenotype_id"].isin(pd.Index(gene_ids).astype(str))]
    if chromosomes is not None:
        order = {c: i for i, c in enumerate(chromosomes)}
        bed = bed[bed["chrom"].isin(order)]
        rank = bed["chrom"].map(order).to_numpy()
    else:
        rank = np.array([chrom_sort_key(c) for c in bed["chrom"]], dtype=np.int64)
    ix = np.lexsort((bed["end"].to_numpy(), bed["start"].to_numpy(), bed["chrom"].to_numpy(),
                     rank))
    return bed.iloc[ix].reset_index(drop=True)


def expression_bed(
    normalized: pd.DataFrame,
    genes: pd.DataFrame,
    *,
    sample_to_participant: Mapping[str, str] | pd.Series | None = None,
    chromosomes: Sequence[str] | None = DEFAULT_BED_CHROMOSOMES,
) -> pd.DataFrame:
    """Assemble the phenotype BED table: TSS coordinates followed by one column per donor.

    Parameters
    ----------
    normalized
        (n_genes, n_samples) result of :func:`prepare_expression`.
    genes
        Gene annotation, as for :func:`phenotype_positions`.
    sample_to_participant
        Sample ID → participant (VCF) ID; every sample must be present. ``None`` keeps the
        sample IDs.
    chromosomes
        As for :func:`phenotype_positions`.

    Returns
    -------
    DataFrame with columns ``#chr, start, end, phenotype_id`` (``schema.BED_COORD_COLUMNS``)
    then the participants, sorted by TSS: the table the GTEx script bgzips.

    Examples
    --------
    >>> genes = pd.DataFrame({"gene_id": ["a", "b"], "chrom": ["chr1", "chr1"],
    ...                       "start": [500, 100], "end": [900, 400], "strand": ["+", "+"]})
    >>> norm = pd.DataFrame({"s1": [0.5, -0.5]}, index=["a", "b"])
    >>> expression_bed(norm, genes, sample_to_participant={"s1": "GTEX-1"})
       #chr  start  end phenotype_id  GTEX-1
    0  chr1     99  100            b    -0.5
    1  chr1    499  500            a     0.5
    """
    pos = phenotype_positions(genes, normalized.index, chromosomes=chromosomes)
    values = normalized.loc[pos["phenotype_id"]]
    if sample_to_participant is not None:
        lookup = pd.Series(sample_to_participant, dtype=object)
        absent = normalized.columns.difference(lookup.index)
        if len(absent):
            raise InputError(None, f"{len(absent)} samples have no participant ID "
                             f"(e.g. {absent[0]!r})",
                             "add every expression sample to the sample→participant lookup")
        values = values.set_axis(lookup.loc[normalized.columns].to_numpy(), axis=1)
    bed = pos.set_axis(list(BED_COORD_COLUMNS), axis=1)
    return pd.concat([bed, values.reset_index(drop=True)], axis=1)
