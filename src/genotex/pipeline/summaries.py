"""Tissue expression summaries of a cohort as Parquet (what the portal's expression views show).

Reads each tissue's TPM GCT and the GTEx attribute tables, calls the pure kernels of
:mod:`genotex.expression.summaries` / :mod:`genotex.expression.specificity`, and writes::

    <output_dir>/median_tpm.parquet             gene_id, tissue_id, median_tpm (long)
    <output_dir>/gene_median_tpm.gct.gz         the same as GTEx ships it (genes × tissues GCT)
    <output_dir>/median_tpm_by_sex.parquet      gene_id, tissue_id, sex, median_tpm
    <output_dir>/sample_tpm/tissue_id=<T>/part-0.parquet   gene_id, sample_id, tpm (violins)
    <output_dir>/top_expressed_genes.parquet    tissue_id, rank, gene_id, median_tpm
    <output_dir>/tissue_specificity.parquet     gene_id, tau
    <output_dir>/tissue_specificity_by_tissue.parquet  gene_id, tissue_id, median_tpm, tsi, zscore
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from genotex.errors import InputError
from genotex.expression.specificity import tau, tsi, zscore_specificity
from genotex.expression.summaries import (
    median_tpm,
    sex_stratified_median_tpm,
    top_expressed_genes,
    tpm_long,
)
from genotex.io.attributes import read_sample_attributes, read_subject_attributes
from genotex.io.gct import read_gct, write_gct
from genotex.io.gtf import read_gene_annotation
from genotex.pipeline.atomic import staged_outputs
from genotex.schema import donor_id
from genotex.tissues import TISSUES

PathLike = str | Path
SEX_LABELS = {1: "male", 2: "female"}


@dataclass(frozen=True)
class ExpressionSummaries:
    """Where :func:`summarize_expression` wrote, and how much."""

    output_dir: Path
    n_genes: int
    n_tissues: int
    n_samples: int


def tissue_id_of_samples(sample_attributes: pd.DataFrame, path: PathLike) -> pd.Series:
    """Sample ID → GTEx tissue ID, from the ``SMTSD`` (detailed tissue name) column."""
    by_name = {t.tissue_site_detail: t.tissue_site_detail_id for t in TISSUES}
    names = sample_attributes.set_index("SAMPID")["SMTSD"]
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise InputError(path, f"unknown SMTSD tissue names {unknown[:3]}",
                         "use the GTEx v8 tissue names (e.g. 'Adipose - Subcutaneous')")
    return names.map(by_name)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def _median_long(median: pd.DataFrame) -> pd.DataFrame:
    out = median.rename_axis(index="gene_id", columns="tissue_id").stack().rename("median_tpm")
    return out.reset_index()


def _specificity(median: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tau per gene and TSI/z-score per gene and tissue; NaN with a single tissue."""
    long_spec = _median_long(median)
    if median.shape[1] < 2:
        long_spec["tsi"] = long_spec["zscore"] = np.nan
        return pd.DataFrame({"gene_id": median.index, "tau": np.nan}), long_spec
    long_spec["tsi"] = _median_long(tsi(median))["median_tpm"].to_numpy()
    long_spec["zscore"] = _median_long(zscore_specificity(median))["median_tpm"].to_numpy()
    tau_values = np.asarray(tau(median.to_numpy()), dtype=np.float64)
    return pd.DataFrame({"gene_id": median.index, "tau": tau_values}), long_spec


def summarize_expression(
    *,
    tpm_gcts: Mapping[str, PathLike],
    sample_attributes: PathLike,
    subject_attributes: PathLike,
    annotation: PathLike,
    output_dir: PathLike,
    top_n: int = 50,
) -> ExpressionSummaries:
    """Median TPM (overall and by sex), per-sample TPM, top genes and tissue specificity.

    ``tpm_gcts`` maps tissue ID → TPM GCT of that tissue's samples (all must share genes).
    """
    samples = read_sample_attributes(sample_attributes)
    tissue_of = tissue_id_of_samples(samples, sample_attributes)
    subjects = read_subject_attributes(subject_attributes).set_index("SUBJID")
    genes = read_gene_annotation(annotation).set_index("gene_id")
    per_tissue = {tissue: read_gct(path) for tissue, path in tpm_gcts.items()}
    tpm = pd.concat(list(per_tissue.values()), axis=1, join="outer")
    if tpm.isna().to_numpy().any():
        raise InputError(next(iter(tpm_gcts.values())), "the tissues' TPM files hold different "
                         "genes", "give GCT files over the same gene set")
    missing = tpm.columns.difference(tissue_of.index)
    if len(missing):
        raise InputError(sample_attributes, f"{len(missing)} TPM samples have no attributes "
                         f"(e.g. {missing[0]!r})", "add a row per RNA-seq sample")
    sex_of = pd.Series({s: SEX_LABELS.get(int(subjects.loc[donor_id(s), "SEX"]), "unknown")
                        for s in tpm.columns})
    median = median_tpm(tpm, tissue_of.loc[tpm.columns])
    by_sex = sex_stratified_median_tpm(tpm, tissue_of.loc[tpm.columns], sex_of)
    by_sex_long = (by_sex.rename_axis(index="gene_id").stack(["tissue", "sex"])
                   .rename("median_tpm").reset_index().rename(columns={"tissue": "tissue_id"}))
    top = top_expressed_genes(median, n=top_n).rename(columns={"tissue": "tissue_id"})
    specific, long_spec = _specificity(median)
    out = Path(output_dir)
    with staged_outputs(out) as stage:
        _write_parquet(_median_long(median), stage / "median_tpm.parquet")
        names = genes["gene_name"].reindex(median.index).fillna("")
        write_gct(median, stage / "gene_median_tpm.gct.gz", description=names)
        _write_parquet(by_sex_long, stage / "median_tpm_by_sex.parquet")
        _write_parquet(top, stage / "top_expressed_genes.parquet")
        _write_parquet(specific, stage / "tissue_specificity.parquet")
        _write_parquet(long_spec, stage / "tissue_specificity_by_tissue.parquet")
        for tissue, values in per_tissue.items():
            long = tpm_long(values, tissue_of)[["gene_id", "sample_id", "tpm"]]
            _write_parquet(long, stage / "sample_tpm" / f"tissue_id={tissue}" / "part-0.parquet")
    return ExpressionSummaries(output_dir=out, n_genes=len(median), n_tissues=median.shape[1],
                               n_samples=tpm.shape[1])
