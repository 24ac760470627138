"""Tissue-level expression summaries the portal shows: median TPM, violins, top genes.

References
----------
GTEx ``GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz`` (per-tissue medians)
and the GTEx API v2 ``/expression/geneExpression``, ``/expression/medianGeneExpression`` and
``/expression/topExpressedGene`` (``filterMtGene``) endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from genotex.errors import InputError

__all__ = ["median_tpm", "sex_stratified_median_tpm", "top_expressed_genes", "tpm_long"]


def _labels(tpm: pd.DataFrame, by: Mapping[str, str] | pd.Series, what: str) -> pd.Series:
    labels = pd.Series(by, dtype=object)
    absent = tpm.columns.difference(labels.index)
    if len(absent):
        raise InputError(None, f"{len(absent)} samples have no {what} (e.g. {absent[0]!r})",
                         f"give every TPM sample column a {what}")
    return labels.loc[tpm.columns]


def median_tpm(tpm: pd.DataFrame, tissue_of_sample: Mapping[str, str] | pd.Series) -> pd.DataFrame:
    """Median TPM of each gene in each tissue (the GTEx ``gene_median_tpm`` table).

    Parameters
    ----------
    tpm
        (n_genes, n_samples) TPM indexed by gene ID.
    tissue_of_sample
        Sample ID → tissue ID (e.g. SMTSD or its short name), for every column of ``tpm``.

    Returns
    -------
    (n_genes, n_tissues) float64, tissues in order of first appearance among the samples.
    NaN TPM values are skipped.

    Examples
    --------
    >>> tpm = pd.DataFrame([[1.0, 3.0, 10.0], [0.0, 2.0, 4.0]], index=["g1", "g2"],
    ...                    columns=["s1", "s2", "s3"])
    >>> median_tpm(tpm, {"s1": "Liver", "s2": "Liver", "s3": "Lung"})
        Liver  Lung
    g1    2.0  10.0
    g2    1.0   4.0
    """
    tissues = _labels(tpm, tissue_of_sample, "tissue")
    out = tpm.T.groupby(tissues.to_numpy(), sort=False).median().T.astype(np.float64)
    out.columns.name = None
    return out


def tpm_long(tpm: pd.DataFrame, tissue_of_sample: Mapping[str, str] | pd.Series) -> pd.DataFrame:
    """Per-sample TPM in long form for violin plots: one row per (gene, sample).

    Returns
    -------
    DataFrame with columns ``gene_id, sample_id, tissue, tpm`` (n_genes · n_samples rows),
    sorted by gene, then tissue, then sample (each gene's values for one tissue contiguous).

    Examples
    --------
    >>> tpm = pd.DataFrame([[1.0, 3.0]], index=["g1"], columns=["s1", "s2"])
    >>> tpm_long(tpm, {"s1": "Lung", "s2": "Liver"})
      gene_id sample_id tissue  tpm
    0      g1        s2  Liver  3.0
    1      g1        s1   Lung  1.0
    """
    tissues = _labels(tpm, tissue_of_sample, "tissue")
    n_genes, n_samples = tpm.shape
    out = pd.DataFrame({
        "gene_id": np.repeat(tpm.index.to_numpy(), n_samples),
        "sample_id": np.tile(tpm.columns.to_numpy(), n_genes),
        "tissue": np.tile(tissues.to_numpy(), n_genes),
        "tpm": tpm.to_numpy(dtype=np.float64).ravel(),
    })
    return out.sort_values(["gene_id", "tissue", "sample_id"], kind="stable").reset_index(
        drop=True)


def top_expressed_genes(
    median: pd.DataFrame,
    *,
    n: int = 50,
    exclude_mito: bool = False,
    gene_chrom: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """The ``n`` genes with the highest median TPM in each tissue (GTEx ``topExpressedGene``).

    Parameters
    ----------
    median
        (n_genes, n_tissues) median TPM (:func:`median_tpm`).
    n
        Genes per tissue.
    exclude_mito
        Leave out mitochondrial genes (the API's ``filterMtGene``): genes on ``chrM`` (or
        ``MT``) according to ``gene_chrom``, which is then required.
    gene_chrom
        Gene ID → chromosome.

    Returns
    -------
    DataFrame with columns ``tissue, rank, gene_id, median_tpm``; rank 1 is the highest
    median; ties keep the gene order of ``median``.

    Examples
    --------
    >>> med = pd.DataFrame({"Liver": [5.0, 90.0, 20.0]}, index=["g1", "MT-CO1", "g3"])
    >>> top_expressed_genes(med, n=2, exclude_mito=True,
    ...                     gene_chrom={"g1": "chr1", "MT-CO1": "chrM", "g3": "chr2"})
      tissue  rank gene_id  median_tpm
    0  Liver     1      g3        20.0
    1  Liver     2      g1         5.0
    """
    if exclude_mito:
        if gene_chrom is None:
            raise ValueError("exclude_mito=True needs gene_chrom (gene ID → chromosome)")
        chrom = pd.Series(gene_chrom, dtype=object).reindex(median.index)
        median = median.loc[~chrom.isin(["chrM", "MT", "chrMT", "M"]).to_numpy()]
    frames = []
    for tissue in median.columns:
        col = median[tissue].dropna().sort_values(ascending=False, kind="stable").iloc[:n]
        frames.append(pd.DataFrame({"tissue": tissue, "rank": np.arange(1, len(col) + 1),
                                    "gene_id": col.index.to_numpy(),
                                    "median_tpm": col.to_numpy(dtype=np.float64)}))
    if not frames:
        return pd.DataFrame(columns=["tissue", "rank", "gene_id", "median_tpm"])
    return pd.concat(frames, ignore_index=True)


def sex_stratified_median_tpm(
    tpm: pd.DataFrame,
    tissue_of_sample: Mapping[str, str] | pd.Series,
    sex_of_sample: Mapping[str, str] | pd.Series,
) -> pd.DataFrame:
    """Median TPM per gene, tissue and sex.

    Parameters
    ----------
    tpm
        (n_genes, n_samples) TPM.
    tissue_of_sample, sex_of_sample
        Sample ID → tissue, and sample ID → sex label (e.g. ``"male"``/``"female"``).

    Returns
    -------
    (n_genes, n_tissue_sex_pairs) with two-level columns ``(tissue, sex)``; only pairs that
    have samples appear.

    Examples
    --------
    >>> tpm = pd.DataFrame([[1.0, 3.0, 8.0]], index=["g1"], columns=["a", "b", "c"])
    >>> out = sex_stratified_median_tpm(tpm, dict.fromkeys("abc", "Lung"),
    ...                                 {"a": "female", "b": "female", "c": "male"})
    >>> out.loc["g1", ("Lung", "female")], out.loc["g1", ("Lung", "male")]
    (np.float64(2.0), np.float64(8.0))
    """
    tissues = _labels(tpm, tissue_of_sample, "tissue")
    sexes = _labels(tpm, sex_of_sample, "sex")
    out = tpm.T.groupby([tissues.to_numpy(), sexes.to_numpy()], sort=True).median().T
    out.columns = out.columns.set_names(["tissue", "sex"])
    return out.astype(np.float64)
