"""Assemble a release (``genotex.store``) from a cohort's input files and the pipeline's outputs.

The release tables come from:

* genes: the gene annotation; variants: the genotype file (with cohort MAF);
* tissues: :data:`genotex.tissues.TISSUES` for the tissues with samples;
* donors / samples: the GTEx subject and sample attribute tables;
* sample_expression / median_expression: the tissue summaries of
  :func:`genotex.pipeline.summaries.summarize_expression`;
* egenes, signif_pairs, nominal_pairs, independent_eqtls: each tissue's cis-QTL outputs, when
  given (see :class:`TissueQtlOutputs`), with ``tss_distance`` strand-aware as in GTEx
  (positive downstream of the TSS) and ``maf = min(af, 1 - af)``;
* ld and dosages: the genotypes of each gene's *lead variants* (eGene top variant, independent
  signals and its most significant pairs, at most ``max_ld_variants`` per gene), r² between
  every two of them; dosages serve the eQTL calculator (``association/dyneqtl``);
* qtl_phenotypes / qtl_covariates: each tissue's normalized expression BED and covariates (the
  inputs of the mapping), so that dyneqtl recomputes exactly the pipeline's regression;
* finemapping: each tissue's SuSiE summary (``<prefix>.SuSiE_summary.parquet`` of
  :func:`genotex.pipeline.susie_steps.finemap_egenes`: the credible-set members, their PIP and
  set number), when given or found beside the tissue's cis-QTL files;
* metasoft: the store-layout ``metasoft.parquet`` of
  :func:`genotex.pipeline.multitissue.run_multitissue`;
* coloc: the Parquet tables :func:`genotex.pipeline.coloc_steps.run_coloc` writes (one per
  GWAS; with ``method="susie"`` each tissue × gene row is its best credible-set pair).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from genotex.io.attributes import read_sample_attributes, read_subject_attributes
from genotex.io.bed import read_phenotype_bed
from genotex.io.covariates import read_covariates
from genotex.io.genotypes import open_genotypes
from genotex.io.gtf import read_gene_annotation
from genotex.pipeline.qtl_steps import read_egenes
from genotex.pipeline.summaries import SEX_LABELS, tissue_id_of_samples
from genotex.schema import GENE_COLUMNS, donor_id
from genotex.store.writer import TableInput, TableParts, build_release
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
    expression_bed: Path | None = None
    covariates: Path | None = None
    finemapping: Path | None = None
    sgenes: Path | None = None
    sqtl_pairs: Path | None = None


@dataclass(frozen=True)
class ReleaseInputs:
    """Everything a release is built from.

    ``coloc``: :func:`~genotex.pipeline.coloc_steps.run_coloc` outputs (Parquet, one per GWAS);
    ``metasoft``: :func:`~genotex.pipeline.multitissue.run_multitissue`'s ``metasoft.parquet``;
    ``finemapping``: tissue → ``<prefix>.SuSiE_summary.parquet`` (added to, and overriding,
    the ``finemapping`` file of each tissue's :class:`TissueQtlOutputs`).
    """

    annotation: Path
    genotypes: Path
    sample_attributes: Path
    subject_attributes: Path
    summaries_dir: Path
    qtl: Mapping[str, TissueQtlOutputs] = field(default_factory=dict)
    max_ld_variants: int = 50
    coloc: Sequence[Path] = ()
    metasoft: Path | None = None
    finemapping: Mapping[str, Path] = field(default_factory=dict)


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


def expression_tables(summaries_dir: PathLike) -> dict[str, TableInput]:
    """``median_expression`` and ``sample_expression`` from the tissue summaries.

    ``sample_expression`` (GTEx: ~1 billion rows) is handed over one tissue at a time
    (:class:`genotex.store.TableParts`), so the store build never holds it whole.
    """
    root = Path(summaries_dir)
    median = pd.read_parquet(root / "median_tpm.parquet")
    by_tissue: dict[str, list[Path]] = {}
    for part in sorted((root / "sample_tpm").glob("tissue_id=*/*.parquet")):
        by_tissue.setdefault(part.parent.name.split("=", 1)[1], []).append(part)

    def tissue_samples(tissue: str, parts: list[Path]) -> pd.DataFrame:
        frames = [pd.read_parquet(p).assign(tissue_id=tissue) for p in parts]
        return pd.concat(frames, ignore_index=True)[["gene_id", "sample_id", "tissue_id", "tpm"]]

    pieces = [functools.partial(tissue_samples, t, parts) for t, parts in by_tissue.items()]
    return {"median_expression": median[["gene_id", "tissue_id", "median_tpm"]],
            "sample_expression": TableParts(pieces)}


def release_tables(inputs: ReleaseInputs) -> dict[str, TableInput]:
    """Every table of the release in the store's schemas: DataFrames, and the two big
    partitioned tables (per-sample TPM, all nominal pairs) as :class:`TableParts` that
    load one tissue (× chromosome) at a time while the release is written."""
    variants = variants_table(inputs.genotypes)
    with open_genotypes(inputs.genotypes) as reader:
        genotyped = set(reader.samples)
    samples = samples_table(inputs.sample_attributes, genotyped)
    genes = genes_table(inputs.annotation)
    tables: dict[str, TableInput] = {
        "genes": genes,
        "variants": variants,
        "donors": donors_table(inputs.subject_attributes),
        "samples": samples,
        "tissues": tissues_table(sorted(samples["tissue_id"].unique())),
        **expression_tables(inputs.summaries_dir),
    }
    if inputs.qtl:
        qtl = qtl_tables(inputs.qtl, genes)
        tables.update(qtl)
        tables["nominal_pairs"] = nominal_pairs_parts(inputs.qtl, genes)
        lead = lead_variants(qtl, max_per_gene=inputs.max_ld_variants)
        tables.update(ld_tables(inputs.genotypes, lead))
        tables.update(mapping_input_tables(inputs.qtl))
    tables.update(result_tables(inputs))
    return tables


def result_tables(inputs: ReleaseInputs) -> dict[str, pd.DataFrame]:
    """``finemapping``, ``metasoft`` and ``coloc`` from the downstream analyses' files."""
    from genotex.pipeline.coloc_steps import COLOC_COLUMNS
    from genotex.pipeline.multitissue import METASOFT_COLUMNS

    tables: dict[str, pd.DataFrame] = {}
    susie = {t: q.finemapping for t, q in inputs.qtl.items() if q.finemapping is not None}
    susie.update(inputs.finemapping)
    if susie:
        tables["finemapping"] = finemapping_table(susie)
    if inputs.metasoft is not None:
        tables["metasoft"] = pd.read_parquet(inputs.metasoft, columns=list(METASOFT_COLUMNS))
    if inputs.coloc:
        # files of older genotex versions lack qtl_type/phenotype_id: those rows are eQTLs
        frames = [pd.read_parquet(p).reindex(columns=list(COLOC_COLUMNS)) for p in inputs.coloc]
        coloc = pd.concat(frames, ignore_index=True)
        coloc["qtl_type"] = coloc["qtl_type"].fillna("eqtl")
        coloc["phenotype_id"] = coloc["phenotype_id"].fillna(coloc["gene_id"])
        tables["coloc"] = coloc.drop_duplicates(
            ["trait_id", "tissue_id", "qtl_type", "phenotype_id", "lead_variant_id"],
            keep="last")
    return tables


def finemapping_table(summaries: Mapping[str, PathLike]) -> pd.DataFrame:
    """The ``finemapping`` table from each tissue's SuSiE summary (tensorQTL layout).

    ``set_id`` is the credible set's SuSiE effect number (tensorQTL's ``cs_id``; GTEx numbers
    sets within a gene), ``set_size`` its number of variants, ``method`` ``"SuSiE"``.
    """
    frames = []
    for tissue, path in sorted(summaries.items()):
        s = pd.read_parquet(path, columns=["phenotype_id", "variant_id", "pip", "cs_id"])
        set_id = pd.to_numeric(s["cs_id"].astype(str).str.removeprefix("L")).astype(np.int64)
        size = s.groupby(["phenotype_id", set_id])["variant_id"].transform("size")
        frames.append(pd.DataFrame({
            "tissue_id": tissue, "gene_id": s["phenotype_id"].astype(str).to_numpy(),
            "variant_id": s["variant_id"].astype(str).to_numpy(), "method": "SuSiE",
            "pip": s["pip"].to_numpy(np.float64), "set_id": set_id.to_numpy(),
            "set_size": size.to_numpy(np.int64)}))
    return pd.concat(frames, ignore_index=True)


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


# --------------------------------------------------------------------------- QTL tables
def tss_distance(pos: pd.Series, gene_ids: pd.Series, genes: pd.DataFrame) -> np.ndarray:
    """Variant position minus the gene's TSS, sign flipped on '-' strand genes (GTEx).

    >>> g = pd.DataFrame({"gene_id": ["A", "B"], "tss": [100, 100], "strand": ["+", "-"]})
    >>> tss_distance(pd.Series([90, 90]), pd.Series(["A", "B"]), g).tolist()
    [-10, 10]
    """
    lookup = genes.set_index("gene_id")
    tss = lookup["tss"].reindex(gene_ids.to_numpy()).to_numpy(dtype=np.float64)
    sign = np.where(lookup["strand"].reindex(gene_ids.to_numpy()).to_numpy() == "-", -1, 1)
    dist = (pos.to_numpy(dtype=np.float64) - tss) * sign
    return np.nan_to_num(dist, nan=0).astype(np.int64)


def _variant_pos(variant_ids: pd.Series) -> pd.Series:
    return pd.to_numeric(variant_ids.str.split("_").str[1], errors="coerce")


def _pair_stats(frame: pd.DataFrame, genes: pd.DataFrame, gene_col: str) -> pd.DataFrame:
    """The pair-statistics columns of a release table from a tensorQTL-style frame."""
    af_or_maf = frame["af"] if "af" in frame else frame["maf"]
    af = af_or_maf.to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "gene_id": frame[gene_col].astype(str).to_numpy(),
        "variant_id": frame["variant_id"].astype(str).to_numpy(),
        "tss_distance": tss_distance(_variant_pos(frame["variant_id"]), frame[gene_col], genes),
        "maf": np.minimum(af, 1 - af),
        "pval_nominal": frame["pval_nominal"].to_numpy(dtype=np.float64),
        "slope": frame["slope"].to_numpy(dtype=np.float64),
        "slope_se": frame["slope_se"].to_numpy(dtype=np.float64),
        "ma_samples": pd.array(frame["ma_samples"], dtype="Int64"),
        "ma_count": pd.array(frame["ma_count"], dtype="Int64"),
    })


def _egenes_frame(tissue: str, path: Path) -> pd.DataFrame:
    e = read_egenes(path)
    return pd.DataFrame({
        "tissue_id": tissue, "gene_id": e.index.to_numpy(dtype=object),
        "variant_id": e["variant_id"].astype(str).to_numpy(),
        "pval_nominal": e["pval_nominal"].to_numpy(np.float64),
        "slope": e["slope"].to_numpy(np.float64), "pval_beta": e["pval_beta"].to_numpy(np.float64),
        "qval": e["qval"].to_numpy(np.float64),
        "pval_nominal_threshold": e["pval_nominal_threshold"].to_numpy(np.float64),
        "num_var": pd.array(e["num_var"], dtype="Int64"),
        "slope_se": e["slope_se"].to_numpy(np.float64),
        "pval_perm": e["pval_perm"].to_numpy(np.float64),
    })


def _signif_frame(tissue: str, path: Path, genes: pd.DataFrame) -> pd.DataFrame:
    p = pd.read_parquet(path)
    out = _pair_stats(p, genes, "gene_id").assign(tissue_id=tissue)
    for col in ("pval_nominal_threshold", "min_pval_nominal", "pval_beta"):
        out[col] = p[col].to_numpy(np.float64)
    return out


def _nominal_frame(tissue: str, path: Path, genes: pd.DataFrame) -> pd.DataFrame:
    """One tensorQTL ``cis_qtl_pairs.<chrom>.parquet`` file as ``nominal_pairs`` rows."""
    chrom = genes.set_index("gene_id")["chrom"]
    out = _pair_stats(pd.read_parquet(path), genes, "phenotype_id").assign(tissue_id=tissue)
    out["chrom"] = chrom.reindex(out["gene_id"]).fillna("chrUn").to_numpy()
    return out


def nominal_pairs_parts(qtl: Mapping[str, TissueQtlOutputs], genes: pd.DataFrame
                        ) -> TableParts:
    """All nominal pairs of every tissue, one tensorQTL per-chromosome file per piece (the
    store's tissue × chromosome partitions), loaded only while the release is written."""
    files = [(tissue, path) for tissue, out in sorted(qtl.items())
             for path in out.nominal_pairs]
    return TableParts([functools.partial(_nominal_frame, tissue, path, genes)
                       for tissue, path in files])


def _independent_frame(tissue: str, path: Path, genes: pd.DataFrame) -> pd.DataFrame:
    p = pd.read_csv(path, sep="\t")
    out = _pair_stats(p, genes, "phenotype_id").assign(tissue_id=tissue)
    out["rank"] = p["rank"].to_numpy(np.int64)
    return out


def _intron_gene(phenotype_ids: pd.Series) -> pd.Series:
    """The gene of leafcutter sQTL phenotype IDs ``chr:start:end:clu_N_strand:gene_id``."""
    return phenotype_ids.astype(str).str.rsplit(":", n=1).str[-1]


def _sgenes_frame(tissue: str, path: Path) -> pd.DataFrame:
    """One row per gene (the permutation group): its best intron and variant."""
    e = read_egenes(path)
    gene = (e["group_id"].astype(str) if "group_id" in e
            else _intron_gene(e.index.to_series()))
    return pd.DataFrame({
        "tissue_id": tissue, "phenotype_id": e.index.to_numpy(dtype=object),
        "gene_id": gene.to_numpy(dtype=object),
        "variant_id": e["variant_id"].astype(str).to_numpy(),
        "pval_nominal": e["pval_nominal"].to_numpy(np.float64),
        "slope": e["slope"].to_numpy(np.float64), "pval_beta": e["pval_beta"].to_numpy(np.float64),
        "qval": e["qval"].to_numpy(np.float64),
        "pval_nominal_threshold": e["pval_nominal_threshold"].to_numpy(np.float64),
        "n_phenotypes": pd.array(e["group_size"] if "group_size" in e else [pd.NA] * len(e),
                                 dtype="Int64"),
    })


def _sqtl_pairs_frame(tissue: str, path: Path, genes: pd.DataFrame) -> pd.DataFrame:
    """Significant variant–intron pairs; the distance is to the gene's TSS."""
    p = pd.read_parquet(path)
    intron = p["gene_id"].astype(str)  # GTEx's signif table names the phenotype gene_id
    out = _pair_stats(p.assign(gene_id=_intron_gene(intron)), genes, "gene_id")
    return out.assign(tissue_id=tissue, phenotype_id=intron.to_numpy())


def qtl_tables(qtl: Mapping[str, TissueQtlOutputs], genes: pd.DataFrame
               ) -> dict[str, pd.DataFrame]:
    """``egenes``, ``signif_pairs``, ``independent_eqtls``, ``sgenes`` and ``sqtls`` of all
    tissues (all nominal pairs: :func:`nominal_pairs_parts`)."""
    parts: dict[str, list[pd.DataFrame]] = {
        "egenes": [], "signif_pairs": [], "independent_eqtls": [], "sgenes": [], "sqtls": []}
    for tissue, out in sorted(qtl.items()):
        if out.egenes is not None:
            parts["egenes"].append(_egenes_frame(tissue, out.egenes))
        if out.signif_pairs is not None:
            parts["signif_pairs"].append(_signif_frame(tissue, out.signif_pairs, genes))
        if out.independent is not None:
            parts["independent_eqtls"].append(_independent_frame(tissue, out.independent, genes))
        if out.sgenes is not None:
            parts["sgenes"].append(_sgenes_frame(tissue, out.sgenes))
        if out.sqtl_pairs is not None:
            parts["sqtls"].append(_sqtl_pairs_frame(tissue, out.sqtl_pairs, genes))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()
            if frames}


def lead_variants(qtl: Mapping[str, pd.DataFrame], *, max_per_gene: int = 50
                  ) -> dict[str, list[str]]:
    """gene_id → its lead variants: eGene top variants (all tissues), independent signals,
    then its most significant pairs, at most ``max_per_gene`` (bounded LD and dosages)."""
    ranked: list[pd.DataFrame] = []
    for name, rank in (("egenes", 0), ("independent_eqtls", 1), ("signif_pairs", 2)):
        frame = qtl.get(name)
        if frame is None or frame.empty:
            continue
        if name == "egenes":
            frame = frame[frame["qval"] <= 0.05]
        ranked.append(frame[["gene_id", "variant_id", "pval_nominal"]].assign(rank=rank))
    if not ranked:
        return {}
    allv = (pd.concat(ranked).sort_values(["gene_id", "rank", "pval_nominal", "variant_id"])
            .drop_duplicates(["gene_id", "variant_id"]))
    return {g: list(f["variant_id"].head(max_per_gene)) for g, f in allv.groupby("gene_id")}


def _read_dosages(genotypes: PathLike, wanted: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """(variants x samples) dosages of ``wanted`` variants, streamed from the genotype file."""
    rows: list[np.ndarray] = []
    ids: list[str] = []
    with open_genotypes(genotypes) as reader:
        samples = list(reader.samples)
        for chunk in reader.iter_chunks(50_000):
            keep = chunk.variants["variant_id"].isin(wanted).to_numpy()
            if keep.any():
                rows.append(chunk.dosages[keep].astype(np.float64))
                ids += list(chunk.variants["variant_id"][keep])
    values = np.vstack(rows) if rows else np.empty((0, len(samples)))
    return pd.DataFrame(values, index=ids, columns=samples), samples


def _r2(dos: np.ndarray) -> np.ndarray:
    """Pairwise squared Pearson correlation of dosage rows (mean-imputed missing calls)."""
    x = np.where(np.isnan(dos), np.nanmean(dos, axis=1, keepdims=True), dos)
    x = x - x.mean(axis=1, keepdims=True)
    norm = np.sqrt((x * x).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        u = x / norm[:, None]
        return np.asarray(np.clip((u @ u.T) ** 2, 0.0, 1.0))


def ld_tables(genotypes: PathLike, lead: Mapping[str, list[str]]) -> dict[str, pd.DataFrame]:
    """``ld`` (r² of every two lead variants of a gene) and ``dosages`` (long form)."""
    wanted = {v for vs in lead.values() for v in vs}
    if not wanted:
        return {}
    dos, _samples = _read_dosages(genotypes, wanted)
    ld_rows: list[tuple[str, str, str, float]] = []
    for gene, variants in sorted(lead.items()):
        vs = sorted(v for v in set(variants) if v in dos.index)
        if len(vs) < 2:
            continue
        r2 = _r2(dos.loc[vs].to_numpy())
        i, j = np.triu_indices(len(vs), k=1)
        ld_rows += [(gene, vs[a], vs[b], float(r2[a, b])) for a, b in zip(i, j, strict=True)]
    ld = pd.DataFrame(ld_rows, columns=["gene_id", "variant_id_1", "variant_id_2", "r2"])
    long = dos.rename_axis("variant_id").reset_index().melt(
        id_vars="variant_id", var_name="sample_id", value_name="dosage")
    return {"ld": ld, "dosages": long}


def mapping_input_tables(qtl: Mapping[str, TissueQtlOutputs]) -> dict[str, pd.DataFrame]:
    """``qtl_phenotypes`` and ``qtl_covariates`` from each tissue's BED and covariate file."""
    phen, cov = [], []
    for tissue, out in sorted(qtl.items()):
        if out.expression_bed is None:
            continue
        bed = read_phenotype_bed(out.expression_bed)
        long = bed.values.rename_axis("phenotype_id").reset_index().melt(
            id_vars="phenotype_id", var_name="sample_id", value_name="value")
        phen.append(long.assign(tissue_id=tissue))
        if out.covariates is not None:
            c = read_covariates(out.covariates, samples=list(bed.values.columns))
            c = c.rename_axis("sample_id").reset_index().melt(
                id_vars="sample_id", var_name="covariate_id", value_name="value")
            cov.append(c.assign(tissue_id=tissue, covariate_id=c["covariate_id"].astype(str)))
    tables = {}
    if phen:
        tables["qtl_phenotypes"] = pd.concat(phen, ignore_index=True)
    if cov:
        tables["qtl_covariates"] = pd.concat(cov, ignore_index=True)
    return tables


def find_qtl_outputs(folder: PathLike) -> dict[str, TissueQtlOutputs]:
    """Each tissue's cis-QTL files under ``folder``, found by the pipeline's file names.

    A tissue is named by the prefix of its ``<prefix>.cis_qtl.txt.gz`` (searched recursively);
    beside it are ``<prefix>.signif_variant_gene_pairs.parquet``,
    ``<prefix>.cis_qtl_pairs.<chrom>.parquet``, ``<prefix>.cis_independent_qtl.txt.gz``,
    ``<prefix>.expression.bed.gz``, ``<prefix>.covariates.txt`` and
    ``<prefix>.SuSiE_summary.parquet`` (each optional).
    """
    out: dict[str, TissueQtlOutputs] = {}
    for egenes in sorted(Path(folder).rglob("*.cis_qtl.txt.gz")):
        prefix = egenes.name.removesuffix(".cis_qtl.txt.gz")
        d = egenes.parent

        def opt(name: str, d: Path = d) -> Path | None:
            return d / name if (d / name).is_file() else None

        out[prefix] = TissueQtlOutputs(
            egenes=egenes, signif_pairs=opt(f"{prefix}.signif_variant_gene_pairs.parquet"),
            nominal_pairs=tuple(sorted(d.glob(f"{prefix}.cis_qtl_pairs.*.parquet"))),
            independent=opt(f"{prefix}.cis_independent_qtl.txt.gz"),
            expression_bed=opt(f"{prefix}.expression.bed.gz"),
            covariates=opt(f"{prefix}.covariates.txt"),
            finemapping=opt(f"{prefix}.SuSiE_summary.parquet"))
    return out
