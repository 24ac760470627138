"""Assemble a release (``genotex.store``) from a cohort's input files and the pipeline's outputs.

The release tables come from:

* genes: the gene annotation; variants: the genotype file (with cohort MAF);
* tissues: :data:`genotex.tissues.TISSUES` for the tissues with samples;
* donors / samples: the GTEx subject and sample attribute tables;
* sample_expression / median_expression: the tissue summaries of
  :func:`genotex.pipeline.summaries.summarize_expression`;
* egenes, signif_pairs, nominal_pairs, independent_eqtls: each tissue's cis-QTL outputs, when
  given (see :class:`TissueQtlOutputs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from genotex.io.attributes import read_sample_attributes, read_subject_attributes
from genotex.io.genotypes import open_genotypes
from genotex.io.gtf import read_gene_annotation
from genotex.pipeline.summaries import SEX_LABELS, tissue_id_of_samples
from genotex.schema import GENE_COLUMNS, donor_id
from genotex.store.writer import build_release
from genotex.tissues import get_tissue

PathLike = str | Path

#: GTEx DTHHRDY codes → the portal's hardyScale labels.
HARDY_SCALE = {0: "Ventilator case", 1: "Fast death - violent",
               2: "Fast death - natural causes", 3: "Intermediate death", 4: "Slow death"}


@dataclass(frozen=True)
class TissueQtlOutputs:
    """One tissue's cis-QTL result files (any may be absent)."""

    egenes: Path | None = None
    signif_pairs: Path | None = None
    nominal_pairs: tuple[Path, ...] = ()
    independent: Path | None = None


@dataclass(frozen=True)
class ReleaseInputs:
    """Everything a release is built from."""

    annotation: Path
    genotypes: Path
    sample_attributes: Path
    subject_attributes: Path
    summaries_dir: Path
    qtl: Mapping[str, TissueQtlOutputs] = field(default_factory=dict)


def genes_table(annotation: PathLike) -> pd.DataFrame:
    """The ``genes`` table from a GTF or gene TSV."""
    return read_gene_annotation(annotation)[list(GENE_COLUMNS)]


def variants_table(genotypes: PathLike, *, chunk_size: int = 50_000) -> pd.DataFrame:
    """The ``variants`` table, with the cohort's minor allele frequency (streamed)."""
    frames = []
    with open_genotypes(genotypes) as reader:
        for chunk in reader.iter_chunks(chunk_size):
            af = np.nanmean(chunk.dosages, axis=1) / 2
            frames.append(chunk.variants.assign(maf=np.minimum(af, 1 - af).astype(np.float64)))
    return pd.concat(frames, ignore_index=True)


def donors_table(subject_attributes: PathLike) -> pd.DataFrame:
    subjects = read_subject_attributes(subject_attributes)
    hardy = pd.to_numeric(subjects["DTHHRDY"], errors="coerce")
    return pd.DataFrame({
        "donor_id": subjects["SUBJID"].astype(str),
        "sex": subjects["SEX"].astype(int).map(SEX_LABELS),
        "age_bracket": subjects["AGE"].astype(str),
        "hardy_scale": hardy.map(HARDY_SCALE).astype(object).where(hardy.notna(), None),
    })


def samples_table(sample_attributes: PathLike, genotyped: set[str]) -> pd.DataFrame:
    attrs = read_sample_attributes(sample_attributes)
    tissue = tissue_id_of_samples(attrs, sample_attributes)
    donors = attrs["SAMPID"].map(donor_id)
    return pd.DataFrame({
        "sample_id": attrs["SAMPID"].astype(str),
        "donor_id": donors,
        "tissue_id": tissue.to_numpy(),
        "has_genotype": donors.isin(genotyped).to_numpy(),
        "rin": pd.to_numeric(attrs["SMRIN"], errors="coerce").astype(np.float64),
        "ischemic_time": pd.to_numeric(attrs["SMTSISCH"], errors="coerce").round()
        .astype("Int64"),
        "data_type": "RNASEQ",
    })


def tissues_table(tissue_ids: list[str]) -> pd.DataFrame:
    rows = []
    for tissue_id in sorted(tissue_ids):
        t = get_tissue(tissue_id)
        rows.append({"tissue_id": t.tissue_site_detail_id, "tissue_name": t.tissue_site_detail,
                     "tissue_site": t.tissue_site, "abbreviation": t.abbreviation,
                     "color_hex": t.color_hex.lstrip("#"), "ontology_id": t.ontology_id})
    return pd.DataFrame(rows)


def expression_tables(summaries_dir: PathLike) -> dict[str, pd.DataFrame]:
    """``median_expression`` and ``sample_expression`` from the tissue summaries."""
    root = Path(summaries_dir)
    median = pd.read_parquet(root / "median_tpm.parquet")
    frames = []
    for part in sorted((root / "sample_tpm").glob("tissue_id=*/*.parquet")):
        frame = pd.read_parquet(part)
        frames.append(frame.assign(tissue_id=part.parent.name.split("=", 1)[1]))
    sample = pd.concat(frames, ignore_index=True)[["gene_id", "sample_id", "tissue_id", "tpm"]]
    return {"median_expression": median[["gene_id", "tissue_id", "median_tpm"]],
            "sample_expression": sample}


def release_tables(inputs: ReleaseInputs) -> dict[str, pd.DataFrame]:
    """Every table of the release, as DataFrames in the store's schemas."""
    variants = variants_table(inputs.genotypes)
    with open_genotypes(inputs.genotypes) as reader:
        genotyped = set(reader.samples)
    samples = samples_table(inputs.sample_attributes, genotyped)
    tables = {
        "genes": genes_table(inputs.annotation),
        "variants": variants,
        "donors": donors_table(inputs.subject_attributes),
        "samples": samples,
        "tissues": tissues_table(sorted(samples["tissue_id"].unique())),
        **expression_tables(inputs.summaries_dir),
    }
    return tables


def build_cohort_release(
    inputs: ReleaseInputs,
    *,
    root: PathLike,
    dataset_id: str,
    overwrite: bool = True,
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Build (atomically) and return the release folder ``<root>/<dataset_id>``."""
    return build_release(root, dataset_id, release_tables(inputs), overwrite=overwrite,
                         metadata=dict(metadata or {}), make_current=True)
