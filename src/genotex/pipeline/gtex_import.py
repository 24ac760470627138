"""Build a release from GTEx's own release files (``genotex store import-gtex``).

Accepted files (GTEx v8 names and columns, see ``GTEX_API.md`` §3.2):

* ``*_gene_median_tpm.gct(.gz)``: GCT, one column per tissue (``SMTSD`` names or tissue IDs)
  → ``median_expression``;
* ``*_gene_tpm*.gct(.gz)``: GCT, one column per sample (any number of files, e.g. per tissue)
  → ``sample_expression`` (tissue of each sample from the sample attributes);
* ``*SampleAttributesDS.txt`` → ``samples`` (RNA-seq samples; ``has_genotype`` for donors with a
  ``SMAFRZE == "WGS"`` sample); ``*SubjectPhenotypesDS.txt`` → ``donors``;
* ``<Tissue>.v8.egenes.txt.gz`` → ``egenes`` (+ ``variants`` with rsIDs, and ``genes`` when no
  annotation is given);
* ``<Tissue>.v8.signif_variant_gene_pairs.txt.gz`` → ``signif_pairs``;
* ``<Tissue>.allpairs.txt.gz`` or ``<Tissue>.fastqtl.gz`` (FastQTL all-pairs layout) →
  ``nominal_pairs`` (chromosome from the variant ID; ``-nan`` read as missing).

The tissue of a per-tissue file is the part of its name before the first dot. Tissues that are
not GTEx v8 tissue IDs get a plain row (name = ID with spaces, grey colour, no ontology ID).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io.attributes import read_sample_attributes
from genotex.io.gct import read_gct
from genotex.pipeline.release import donors_table, genes_table, tissue_id_of_samples
from genotex.schema import donor_id
from genotex.store.writer import TableInput, TableParts, build_release
from genotex.tissues import TISSUES

PathLike = str | Path

_NA = ["", "NA", "nan", "-nan", "NaN", "inf", "-inf"]
_ALLPAIRS_COLUMNS = ("gene_id", "variant_id", "tss_distance", "ma_samples", "ma_count", "maf",
                     "pval_nominal", "slope", "slope_se")
_PAIR_COLUMNS = ("tss_distance", "maf", "pval_nominal", "slope", "slope_se", "ma_samples",
                 "ma_count")


@dataclass(frozen=True)
class GtexReleaseFiles:
    """GTEx release files to import; every one is optional."""

    median_tpm: Path | None = None
    gene_tpm: tuple[Path, ...] = ()
    sample_attributes: Path | None = None
    subject_attributes: Path | None = None
    annotation: Path | None = None
    egenes: tuple[Path, ...] = ()
    signif_pairs: tuple[Path, ...] = ()
    allpairs: tuple[Path, ...] = ()


def find_gtex_files(folder: PathLike) -> GtexReleaseFiles:
    """Collect GTEx release files in ``folder`` (recursively) by their GTEx names."""
    root = Path(folder)

    def glob(*patterns: str) -> tuple[Path, ...]:
        return tuple(sorted({p for pat in patterns for p in root.rglob(pat)}))

    def one(*patterns: str) -> Path | None:
        found = glob(*patterns)
        return found[0] if found else None

    return GtexReleaseFiles(
        median_tpm=one("*gene_median_tpm.gct*"),
        gene_tpm=glob("*gene_tpm*.gct*"),
        sample_attributes=one("*SampleAttributesDS.txt*"),
        subject_attributes=one("*SubjectPhenotypesDS.txt*"),
        egenes=glob("*.egenes.txt*"),
        signif_pairs=glob("*.signif_variant_gene_pairs.txt*"),
        allpairs=glob("*.allpairs.txt*", "*.fastqtl.gz"),
    )


def tissue_of_file(path: PathLike) -> str:
    """``Whole_Blood.v8.egenes.txt.gz`` → ``Whole_Blood``."""
    return Path(path).name.split(".", 1)[0]


def _tissue_rows(tissue_ids: Iterable[str]) -> pd.DataFrame:
    known = {t.tissue_site_detail_id: t for t in TISSUES}
    rows = []
    for tid in sorted(set(tissue_ids)):
        t = known.get(tid)
        rows.append({
            "tissue_id": tid,
            "tissue_name": t.tissue_site_detail if t else tid.replace("_", " "),
            "tissue_site": t.tissue_site if t else tid.split("_", 1)[0],
            "abbreviation": t.abbreviation if t else tid.upper()[:8],
            "color_hex": (t.color_hex if t else "AAAAAA").lstrip("#"),
            "ontology_id": t.ontology_id if t else ""})
    return pd.DataFrame(rows)


def _read_tsv(path: Path, **kwargs: object) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep="\t", na_values=_NA, keep_default_na=False,
                           **kwargs)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, f"cannot read as a GTEx tab-separated table ({exc})",
                         "pass the file as downloaded from the GTEx portal") from exc


def _need(frame: pd.DataFrame, path: Path, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(path, f"lacks the column(s) {missing}",
                         "pass the GTEx v8 file with its header line")


def _pairs(frame: pd.DataFrame, tissue: str) -> pd.DataFrame:
    out = frame[["gene_id", "variant_id"]].astype(str).assign(tissue_id=tissue)
    for col in _PAIR_COLUMNS:
        out[col] = frame.get(col, np.nan)
    out["tss_distance"] = pd.to_numeric(out["tss_distance"]).astype(np.int64)
    for col in ("ma_samples", "ma_count"):
        out[col] = pd.array(pd.to_numeric(out[col]).round(), dtype="Int64")
    for col in ("maf", "pval_nominal", "slope", "slope_se"):
        out[col] = pd.to_numeric(out[col]).astype(np.float64)
    return out


def _egenes(paths: tuple[Path, ...]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(egenes, variants seen in them, genes seen in them)."""
    frames, variants, genes = [], [], []
    for path in paths:
        e = _read_tsv(path)
        _need(e, path, ("gene_id", "variant_id", "pval_nominal", "slope", "pval_beta", "qval",
                        "pval_nominal_threshold"))
        tissue = tissue_of_file(path)
        out = e[["gene_id", "variant_id"]].astype(str).assign(tissue_id=tissue)
        for col in ("pval_nominal", "slope", "pval_beta", "qval", "pval_nominal_threshold",
                    "slope_se", "pval_perm"):
            out[col] = pd.to_numeric(e[col]) if col in e else np.nan
        out["log2_afc"] = pd.to_numeric(e["log2_aFC"]) if "log2_aFC" in e else np.nan
        out["num_var"] = pd.array(e["num_var"] if "num_var" in e else [None] * len(e),
                                  dtype="Int64")
        frames.append(out)
        rs = next((c for c in e.columns if c.startswith("rs_id_dbSNP")), None)
        variants.append(pd.DataFrame({
            "variant_id": e["variant_id"].astype(str),
            "rs_id": e[rs].astype(object).where(e[rs].notna() & (e[rs] != "."), None)
            if rs else None,
            "maf": pd.to_numeric(e["maf"]) if "maf" in e else np.nan}))
        if {"gene_chr", "gene_start", "gene_end", "strand"} <= set(e.columns):
            g = pd.DataFrame({
                "gene_id": e["gene_id"].astype(str),
                "gene_name": e["gene_name"].astype(str) if "gene_name" in e else e["gene_id"],
                "gene_type": e["gene_type"].astype(str) if "gene_type" in e else "",
                "chrom": e["gene_chr"].astype(str), "start": e["gene_start"].astype(np.int64),
                "end": e["gene_end"].astype(np.int64), "strand": e["strand"].astype(str)})
            g["tss"] = np.where(g["strand"] == "-", g["end"], g["start"])
            genes.append(g)
    return _cat(frames), _cat(variants), _cat(genes)


def _cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _signif(path: Path) -> pd.DataFrame:
    frame = _read_tsv(path)
    _need(frame, path, ("gene_id", "variant_id", "tss_distance", "pval_nominal", "slope"))
    out = _pairs(frame, tissue_of_file(path))
    for col in ("pval_nominal_threshold", "min_pval_nominal", "pval_beta"):
        out[col] = pd.to_numeric(frame.get(col, np.nan)).astype(np.float64)
    return out


def _allpairs(path: Path) -> pd.DataFrame:
    """``nominal_pairs`` rows of one tissue's all-pairs file (one TableParts piece)."""
    frames = []
    for chunk in _read_tsv(path, chunksize=500_000):
        _need(chunk, path, _ALLPAIRS_COLUMNS)
        out = _pairs(chunk, tissue_of_file(path))
        out["chrom"] = out["variant_id"].str.split("_").str[0]
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def _allpairs_variants(paths: tuple[Path, ...]) -> pd.DataFrame:
    """Distinct ``variant_id`` (with ``maf``) of the all-pairs files, read two columns at a
    time so the pairs themselves are loaded only while the release is written."""
    seen: list[pd.DataFrame] = []
    for path in paths:
        for chunk in _read_tsv(path, chunksize=2_000_000, usecols=["variant_id", "maf"]):
            seen.append(chunk.drop_duplicates("variant_id"))
        seen = [pd.concat(seen, ignore_index=True).drop_duplicates("variant_id")]
    out = _cat(seen)
    return out.assign(variant_id=out["variant_id"].astype(str),
                      maf=pd.to_numeric(out["maf"]).astype(np.float64))


def _variants(seen: pd.DataFrame, pair_tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    ids = [seen] + [t[["variant_id", "maf"]].assign(rs_id=None) for t in pair_tables]
    v = pd.concat(ids, ignore_index=True)
    v = v.sort_values("rs_id", na_position="last").drop_duplicates("variant_id")
    parts = v["variant_id"].str.split("_", expand=True)
    ok = parts.shape[1] >= 4
    if not ok:
        return pd.DataFrame()
    v = v.assign(chrom=parts[0], pos=pd.to_numeric(parts[1], errors="coerce"),
                 ref=parts[2], alt=parts[3])
    v = v[v["pos"].notna()].astype({"pos": np.int64})
    v["rs_id"] = v["rs_id"].astype(object).where(v["rs_id"].notna(), None)
    return v[["variant_id", "chrom", "pos", "ref", "alt", "rs_id", "maf"]]


def _samples(path: Path) -> tuple[pd.DataFrame, set[str]]:
    attrs = read_sample_attributes(path)
    freeze = attrs["SMAFRZE"].astype(str) if "SMAFRZE" in attrs else pd.Series("RNASEQ",
                                                                               attrs.index)
    genotyped = set(attrs.loc[freeze == "WGS", "SAMPID"].map(donor_id))
    rna = attrs[freeze.isin(["RNASEQ", "nan"]).to_numpy()]
    tissue = tissue_id_of_samples(rna, path)
    donors = rna["SAMPID"].map(donor_id)
    out = pd.DataFrame({
        "sample_id": rna["SAMPID"].astype(str).to_numpy(), "donor_id": donors.to_numpy(),
        "tissue_id": tissue.to_numpy(),
        "has_genotype": donors.isin(genotyped).to_numpy(),
        "rin": pd.to_numeric(rna.get("SMRIN"), errors="coerce").astype(np.float64).to_numpy()
        if "SMRIN" in rna else np.nan,
        "ischemic_time": pd.array(pd.to_numeric(rna["SMTSISCH"], errors="coerce").round(),
                                  dtype="Int64") if "SMTSISCH" in rna else None,
        "data_type": "RNASEQ"})
    return out, genotyped


def _median(path: Path) -> pd.DataFrame:
    gct = read_gct(path)
    by_name = {t.tissue_site_detail: t.tissue_site_detail_id for t in TISSUES}
    gct.columns = [by_name.get(c, c) for c in gct.columns]
    long = gct.rename_axis("gene_id").reset_index().melt(
        id_vars="gene_id", var_name="tissue_id", value_name="median_tpm")
    return long.astype({"median_tpm": np.float64})


def _sample_tpm(path: Path, samples: pd.DataFrame) -> pd.DataFrame:
    """``sample_expression`` rows of one gene TPM GCT (one TableParts piece: GTEx v10 has a
    GCT per tissue; v8's single GCT of all samples is one piece)."""
    tissue = samples.set_index("sample_id")["tissue_id"]
    gct = read_gct(path)
    keep = [c for c in gct.columns if c in tissue.index]
    long = gct[keep].rename_axis("gene_id").reset_index().melt(
        id_vars="gene_id", var_name="sample_id", value_name="tpm")
    return long.assign(tissue_id=long["sample_id"].map(tissue)).astype({"tpm": np.float64})


def gtex_tables(files: GtexReleaseFiles) -> dict[str, TableInput]:
    """Release tables (the store's schemas) from GTEx release files; all pairs and per-sample
    TPM as :class:`genotex.store.TableParts` (one file loaded at a time while writing)."""
    tables: dict[str, TableInput] = {}
    egenes, egene_variants, egene_genes = _egenes(files.egenes)
    if not egenes.empty:
        tables["egenes"] = egenes
    pair_tables: list[pd.DataFrame] = []  # variant_id + maf of every pair table
    if files.signif_pairs:
        signif = pd.concat([_signif(p) for p in files.signif_pairs], ignore_index=True)
        tables["signif_pairs"] = signif
        pair_tables.append(signif)
    if files.allpairs:
        tables["nominal_pairs"] = TableParts([functools.partial(_allpairs, p)
                                              for p in files.allpairs])
        pair_tables.append(_allpairs_variants(files.allpairs))
    variants = _variants(egene_variants if not egene_variants.empty else
                         pd.DataFrame(columns=["variant_id", "rs_id", "maf"]), pair_tables)
    if not variants.empty:
        tables["variants"] = variants
    if files.annotation is not None:
        tables["genes"] = genes_table(files.annotation)
    elif not egene_genes.empty:
        tables["genes"] = egene_genes.drop_duplicates("gene_id")
    if files.subject_attributes is not None:
        tables["donors"] = donors_table(files.subject_attributes)
    tissue_ids: set[str] = {tissue_of_file(p) for p in (*files.egenes, *files.signif_pairs,
                                                         *files.allpairs)}
    if files.sample_attributes is not None:
        samples, _genotyped = _samples(files.sample_attributes)
        tables["samples"] = samples
        tissue_ids |= set(samples["tissue_id"])
        if files.gene_tpm:
            tables["sample_expression"] = TableParts([
                functools.partial(_sample_tpm, p, samples) for p in files.gene_tpm])
    if files.median_tpm is not None:
        median = _median(files.median_tpm)
        tables["median_expression"] = median
        tissue_ids |= set(median["tissue_id"])
    tables["tissues"] = _tissue_rows(tissue_ids)
    return tables


def import_gtex_release(
    files: GtexReleaseFiles,
    *,
    root: PathLike,
    dataset_id: str,
    overwrite: bool = False,
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Build (atomically) a release ``<root>/<dataset_id>`` from GTEx release files."""
    meta = {"description": "imported from GTEx release files", "gencode_version": "v26",
            "genome_build": "GRCh38/hg38", "dbsnp_build": 151, "organization": "GTEx Consortium",
            **dict(metadata or {})}
    return build_release(root, dataset_id, gtex_tables(files), overwrite=overwrite,
                         metadata=meta)
