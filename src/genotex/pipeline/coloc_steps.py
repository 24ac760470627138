"""Pipeline step ``coloc``: one GWAS against every tissue's cis-eQTLs, in one call.

For each GWAS locus (a region, windows around lead variants, or every genome-wide significant
signal found automatically), every tissue's genes whose cis window overlaps the locus are
colocalized with the trait by :func:`genotex.coloc.coloc_abf` (or, with ``method="susie"``, by
:func:`genotex.coloc.coloc_susie` over SuSiE fits of both traits). Inputs are the files the
cis-QTL pipeline writes per tissue (:mod:`genotex.pipeline.qtl_steps`):

``<dir>/<prefix>.cis_qtl.txt.gz`` (or ``.parquet``)
    one row per gene with its top variant and ``qval``: which genes are eGenes, where they are
    (TSS = position of the top variant − ``start_distance``) and which chromosome file to open;
``<dir>/<prefix>.cis_qtl_pairs.<chrom>.parquet``
    every nominal (gene, variant) pair; only the locus's genes are read (pyarrow filters);
``<dir>/<prefix>.expression.bed.gz`` (optional)
    its header gives the tissue's sample size ``N``.

With ``method="susie"`` both traits are fine-mapped from summary statistics with
:func:`genotex.qtl.susie_rss` and an LD matrix computed from the genotype file (``variants``
must then be a VCF/PLINK file): the GWAS once per locus over its harmonised variants (its
``N``), each tissue's gene over the variants of its nominal pairs (z = slope/SE, the tissue's
in-sample ``N``). :func:`genotex.coloc.coloc_susie` then tests every pair of credible sets
(GWAS × eQTL); all pairs go to ``<output stem>.susie_pairs.parquet`` and the ``coloc`` table
keeps, per locus × tissue × gene, the pair with the highest PP.H4. A gene (or a locus) whose
fit finds no credible set gets no row (SuSiE saw no signal to colocalize; coloc.susie returns
nothing then either); the ``messages`` count them.

GWAS alleles are harmonised to the release's variants (the genotype file, a release
``variants`` table, or the variants the eQTL files tested) with
:func:`genotex.coloc.harmonize_gwas`, so that both traits' effects are per ALT allele.

Outputs: ``output`` (Parquet, the release store's ``coloc`` columns
:data:`COLOC_COLUMNS`), ``<output stem>.harmonization.json`` (the column mapping found in the
GWAS file, the conversions made and the harmonisation counts) and, optionally,
``<output stem>.snps.parquet`` (the per-SNP table of each locus's best gene in every tissue).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from genotex.coloc import coloc_abf, coloc_susie, harmonize_gwas
from genotex.errors import InputError
from genotex.io._checks import read_head_lines
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.qtl_steps import read_egenes
from genotex.qtl import SusieResult, ld_matrix, susie_rss

__all__ = [
    "COLOC_COLUMNS",
    "SUSIE_PAIR_COLUMNS",
    "ColocOutputs",
    "Locus",
    "TissueQtl",
    "find_loci",
    "parse_region",
    "read_gene_pairs",
    "resolve_qtl_dirs",
    "run_coloc",
    "variant_positions",
]

PathLike = str | Path
#: Columns of the release store's ``coloc`` table, in order.
COLOC_COLUMNS = ("tissue_id", "gene_id", "trait_id", "nsnps", "pp_h0", "pp_h1", "pp_h2",
                 "pp_h3", "pp_h4", "lead_variant_id", "qtl_type", "phenotype_id")
#: Genome-wide significance, the default threshold of automatic loci.
GENOME_WIDE = 5e-8
_REGION = re.compile(r"^(?:chr)?([0-9XYMT]+):([0-9,]+)-([0-9,]+)$", re.IGNORECASE)
_POS_ID = re.compile(r"^(?:chr)?([0-9XYMT]+)[:_]([0-9]+)(?:[:_]([ACGTN]+)[:_]([ACGTN]+))?",
                     re.IGNORECASE)
_PAIR_COLUMNS = ["phenotype_id", "variant_id", "af", "pval_nominal", "slope", "slope_se"]


# ------------------------------------------------------------------------------ the inputs
@dataclass(frozen=True)
class TissueQtl:
    """Where one tissue's cis-QTL outputs are: ``<directory>/<prefix>.*``."""

    tissue_id: str
    directory: Path
    prefix: str
    #: ``"eqtl"`` (phenotypes are genes) or ``"sqtl"`` (leafcutter introns of the genes)
    qtl_type: str = "eqtl"

    @property
    def key(self) -> str:
        """Unique per tissue and QTL type (a tissue may have both eQTLs and sQTLs)."""
        return f"{self.qtl_type}:{self.tissue_id}"

    def gene_of(self, phenotype_id: str) -> str:
        """The gene of a phenotype: itself, or an intron ID's last field (``…:clu_1_+:ENSG…``)."""
        return phenotype_id.rsplit(":", 1)[-1] if self.qtl_type == "sqtl" else phenotype_id

    @property
    def egenes_path(self) -> Path:
        """The permutation table (``.parquet`` preferred, else ``.txt.gz``)."""
        parquet = self.directory / f"{self.prefix}.cis_qtl.parquet"
        return parquet if parquet.is_file() else self.directory / f"{self.prefix}.cis_qtl.txt.gz"

    def nominal_path(self, chrom: str) -> Path:
        """``<prefix>.cis_qtl_pairs.<chrom>.parquet``."""
        return self.directory / f"{self.prefix}.cis_qtl_pairs.{chrom}.parquet"

    def nominal_paths(self) -> dict[str, Path]:
        """Every chromosome's nominal-pairs file present, by chromosome."""
        head = f"{self.prefix}.cis_qtl_pairs."
        return {p.name[len(head):-len(".parquet")]: p
                for p in sorted(self.directory.glob(f"{head}*.parquet"))}

    @property
    def signif_path(self) -> Path:
        """``<prefix>.signif_variant_gene_pairs.parquet``."""
        return self.directory / f"{self.prefix}.signif_variant_gene_pairs.parquet"

    @property
    def expression_bed(self) -> Path:
        """The mapped phenotypes' BED (gives the sample size): ``<prefix>.expression.bed.gz``,
        or ``<prefix>.leafcutter.bed.gz`` for sQTLs."""
        name = "leafcutter" if self.qtl_type == "sqtl" else "expression"
        return self.directory / f"{self.prefix}.{name}.bed.gz"


def resolve_qtl_dirs(qtl_dirs: Mapping[str, PathLike | tuple[PathLike, str]], *,
                     qtl_type: str = "eqtl") -> list[TissueQtl]:
    """Tissue → ``dir`` or ``(dir, prefix)`` (prefix defaults to the tissue ID), checked.

    Raises :class:`InputError` when a directory or its permutation table is missing.
    """
    if not qtl_dirs:
        raise InputError(None, "no eQTL directories given",
                         "pass at least one TISSUE=DIR[:PREFIX] (qtl_dirs={tissue: dir})")
    out = []
    for tissue, spec in qtl_dirs.items():
        directory, prefix = (spec if isinstance(spec, tuple) else (spec, tissue))
        q = TissueQtl(str(tissue), Path(directory), str(prefix), qtl_type)
        if not q.directory.is_dir():
            raise InputError(q.directory, f"eQTL directory of {tissue} not found",
                             "pass the --output-dir of `genotex qtl` for that tissue")
        if not q.egenes_path.is_file():
            raise InputError(q.egenes_path, f"no cis-QTL permutation table for {tissue}",
                             "run `genotex qtl cis-permute` with this prefix, or give "
                             "TISSUE=DIR:PREFIX with the prefix used")
        out.append(q)
    return out


def variant_positions(variant_ids: pd.Series | Sequence[str]) -> pd.DataFrame:
    """``chrom, pos, ref, alt`` parsed from GTEx IDs ``chr_pos_ref_alt_b38`` (vectorised).

    >>> variant_positions(["chr1_100_A_G_b38"]).values.tolist()
    [['chr1', 100, 'A', 'G']]
    """
    ids = pd.Series(np.asarray(variant_ids, dtype=object))
    parts = ids.str.split("_", n=4, expand=True)
    if parts.shape[1] < 4:
        parts = parts.reindex(columns=range(4))
    pos = pd.to_numeric(parts[1], errors="coerce").fillna(-1).astype(np.int64)
    return pd.DataFrame({"chrom": parts[0].to_numpy(), "pos": pos.to_numpy(),
                         "ref": parts[2].to_numpy(), "alt": parts[3].to_numpy()})


def read_gene_pairs(path: PathLike, genes: Iterable[str],
                    columns: Sequence[str] = tuple(_PAIR_COLUMNS)) -> pd.DataFrame:
    """Nominal pairs of some genes only, read with a pyarrow filter (row-group pruning)."""
    wanted = sorted(set(genes))
    if not wanted:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    table = pq.read_table(path, columns=list(columns), filters=[("phenotype_id", "in", wanted)])
    return table.to_pandas()


# ------------------------------------------------------------------------------- loci
@dataclass(frozen=True)
class Locus:
    """A GWAS locus: ``chrom:start-end`` (1-based, inclusive), and its lead variant if known."""

    chrom: str
    start: int
    end: int
    lead_variant_id: str | None = None

    def __str__(self) -> str:
        return f"{self.chrom}:{self.start}-{self.end}"


def parse_region(text: str) -> Locus:
    """``chr1:1,000-2,000`` (or ``1:1000-2000``) → :class:`Locus`.

    >>> str(parse_region("22:1,000-2,000"))
    'chr22:1000-2000'
    """
    m = _REGION.match(text.strip())
    if m is None:
        raise InputError(None, f"region {text!r} is not chrom:start-end",
                         "write it like chr22:16000000-17000000")
    start, end = int(m[2].replace(",", "")), int(m[3].replace(",", ""))
    if end < start:
        raise InputError(None, f"region {text!r} ends before it starts", "swap start and end")
    return Locus(f"chr{m[1].upper()}", start, end)


def find_loci(gwas: pd.DataFrame, *, p_threshold: float = GENOME_WIDE,
              window: int = 500_000) -> list[Locus]:
    """Independent loci: the most significant variant, ±``window``, repeatedly.

    Variants with ``p_value < p_threshold`` are taken best first; each new lead opens a locus
    ``[pos − window, pos + window]`` and every significant variant inside it is absorbed.

    Parameters
    ----------
    gwas
        ``chromosome``, ``base_pair_location``, ``p_value`` (and ``variant_id``/``rsid`` to name
        the lead), as :func:`genotex.io.sumstats.read_gwas_sumstats` returns.
    """
    sig = gwas.loc[gwas["p_value"] < p_threshold].sort_values("p_value", kind="stable")
    taken = np.zeros(len(sig), dtype=bool)
    chrom = sig["chromosome"].to_numpy()
    pos = sig["base_pair_location"].to_numpy(np.int64)
    loci = []
    for i in range(len(sig)):
        if taken[i]:
            continue
        taken |= (chrom == chrom[i]) & (np.abs(pos - pos[i]) <= window)
        loci.append(Locus(str(chrom[i]), max(1, int(pos[i]) - window), int(pos[i]) + window))
    return sorted(loci, key=lambda x: (x.chrom, x.start))


def lead_loci(gwas: pd.DataFrame, leads: Sequence[str], *, window: int = 500_000) -> list[Locus]:
    """One locus ±``window`` around each lead: a GTEx variant ID, ``chr:pos``, or an rsID."""
    loci = []
    for lead in leads:
        m = _POS_ID.match(lead)
        if m is not None:
            chrom, pos = f"chr{m[1].upper()}", int(m[2])
        else:
            hit = gwas.loc[(gwas["rsid"] == lead) | (gwas["variant_id"] == lead)]
            if hit.empty:
                raise InputError(None, f"lead variant {lead!r} is not in the GWAS file",
                                 "give a chr_pos_ref_alt_b38 ID, chr:pos, or an rsID present "
                                 "in the file")
            chrom, pos = str(hit["chromosome"].iat[0]), int(hit["base_pair_location"].iat[0])
        loci.append(Locus(chrom, max(1, pos - window), pos + window,
                          lead if lead.count("_") >= 3 else None))
    return loci


# ------------------------------------------------------------------------- per tissue
@dataclass
class _TissueIndex:
    """One tissue's genes (chromosome, TSS, q-value) and sample size, read once."""

    qtl: TissueQtl
    genes: pd.DataFrame
    n_samples: int | None

    @classmethod
    def load(cls, qtl: TissueQtl, n_samples: int | None) -> _TissueIndex:
        egenes = read_egenes(qtl.egenes_path)
        top = variant_positions(egenes["variant_id"].astype(str))
        genes = pd.DataFrame({"gene_id": egenes.index.to_numpy(), "chrom": top["chrom"].to_numpy(),
                              "tss": top["pos"].to_numpy() - egenes["start_distance"].to_numpy(
                                  np.int64), "qval": egenes["qval"].to_numpy(np.float64)})
        if n_samples is None and qtl.expression_bed.is_file():
            header = read_head_lines(qtl.expression_bed, 1)[0].rstrip("\n").split("\t")
            n_samples = len(header) - 4
        return cls(qtl, genes, n_samples)

    def genes_near(self, locus: Locus, *, cis_window: int, fdr: float | None) -> list[str]:
        g = self.genes
        ok = ((g["chrom"] == locus.chrom) & (g["tss"] + cis_window >= locus.start)
              & (g["tss"] - cis_window <= locus.end))
        if fdr is not None:
            ok &= g["qval"] <= fdr
        return g.loc[ok, "gene_id"].astype(str).tolist()

    def pairs_in(self, locus: Locus, genes: list[str]) -> pd.DataFrame:
        path = self.qtl.nominal_path(locus.chrom)
        if not genes or not path.is_file():
            return pd.DataFrame(columns=[*_PAIR_COLUMNS, "pos"])
        pairs = read_gene_pairs(path, genes)
        pairs["pos"] = variant_positions(pairs["variant_id"])["pos"].to_numpy()
        keep = (pairs["pos"] >= locus.start) & (pairs["pos"] <= locus.end)
        return pairs.loc[keep].reset_index(drop=True)


# ------------------------------------------------------------------------ variants
def _variants_in(variants: PathLike | pd.DataFrame | None, locus: Locus,
                 pairs: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, Any]:
    """Release variants of the locus (``variant_id chrom pos ref alt alt_freq``) + dosages."""
    if variants is None:
        ids = pd.unique(pd.concat([p["variant_id"] for p in pairs])) if pairs else []
        af = pd.concat([p[["variant_id", "af"]] for p in pairs]).drop_duplicates("variant_id") \
            if pairs else pd.DataFrame({"variant_id": [], "af": []})
        v = variant_positions(pd.Series(ids, dtype=object))
        v.insert(0, "variant_id", np.asarray(ids, dtype=object))
        v["alt_freq"] = af.set_index("variant_id")["af"].reindex(v["variant_id"]).to_numpy()
        return v, None
    if isinstance(variants, pd.DataFrame):
        v = variants.loc[(variants["chrom"] == locus.chrom) & (variants["pos"] >= locus.start)
                         & (variants["pos"] <= locus.end)].reset_index(drop=True)
        if "alt_freq" not in v and "variant_id" in v:
            known = pd.concat([p[["variant_id", "af"]] for p in pairs]) if pairs else None
            if known is not None:
                v["alt_freq"] = known.drop_duplicates("variant_id").set_index("variant_id")[
                    "af"].reindex(v["variant_id"]).to_numpy()
        return v, None
    from genotex.io import open_genotypes

    with open_genotypes(variants) as reader:
        chunk = reader.read_region(locus.chrom, locus.start, locus.end)
    v = chunk.variants.copy()
    with np.errstate(invalid="ignore"):
        v["alt_freq"] = np.nanmean(chunk.dosages, axis=1) / 2 if len(v) else []
    return v, chunk.dosages


def _load_variant_table(variants: PathLike | pd.DataFrame | None) -> PathLike | pd.DataFrame | None:
    """A release ``variants`` table (Parquet/TSV) is read once; genotype files stay paths."""
    if variants is None or isinstance(variants, pd.DataFrame):
        return variants
    p = Path(variants)
    name = p.name.lower()
    if name.endswith(".parquet"):
        frame = pd.read_parquet(p)
    elif name.endswith((".tsv", ".tsv.gz", ".txt", ".txt.gz")):
        frame = pd.read_csv(p, sep="\t")
    else:
        return variants
    need = {"chrom", "pos", "ref", "alt", "variant_id"}
    if not need <= set(frame.columns):
        raise InputError(p, f"variants table lacks {sorted(need - set(frame.columns))}",
                         "give the release's variants table or a VCF/PLINK genotype file")
    return frame


# ------------------------------------------------------------------------------ coloc
@dataclass(frozen=True)
class ColocSettings:
    """Trait description and priors shared by every (tissue, gene) of a run."""

    trait_id: str
    trait_type: Literal["quant", "cc"]
    n: float | None
    case_fraction: float | None
    sdy: float | None
    p1: float
    p2: float
    p12: float
    qtl_sdy: float | None


def _gwas_dataset(g: pd.DataFrame, maf: np.ndarray, s: ColocSettings) -> dict[str, Any]:
    d: dict[str, Any] = {"snp": g["variant_id"].to_numpy(), "position": g["pos"].to_numpy(),
                         "beta": g["beta"].to_numpy(), "varbeta": g["standard_error"].to_numpy()
                         ** 2, "type": s.trait_type, "MAF": maf}
    if s.n is not None:
        d["N"] = s.n
    if s.trait_type == "quant" and s.sdy is not None:
        d["sdY"] = s.sdy
    if s.trait_type == "cc" and s.case_fraction is not None:
        d["s"] = s.case_fraction
    return d


def _qtl_n(maf: np.ndarray, varbeta: np.ndarray, n: int | None) -> int:
    """The tissue's N, else from the regression: var(β̂) ≈ 1 / (2 N f(1 − f)) at sdY = 1."""
    return n if n is not None else int(np.median(1.0 / (2 * maf * (1 - maf) * varbeta)))


def _qtl_dataset(p: pd.DataFrame, maf: np.ndarray, n: int | None,
                 s: ColocSettings) -> dict[str, Any]:
    d: dict[str, Any] = {"snp": p["variant_id"].to_numpy(), "position": p["pos"].to_numpy(),
                         "beta": p["slope"].to_numpy(np.float64),
                         "varbeta": p["slope_se"].to_numpy(np.float64) ** 2, "type": "quant",
                         "MAF": maf}
    d["N"] = _qtl_n(maf, d["varbeta"], n)
    if s.qtl_sdy is not None:
        d["sdY"] = s.qtl_sdy
    return d


def _coloc_gene(gw: pd.DataFrame, pairs: pd.DataFrame, n: int | None,
                s: ColocSettings) -> tuple[pd.Series, pd.DataFrame] | None:
    """coloc.abf of the GWAS and one gene's eQTL on their shared SNPs (None if none)."""
    p = pairs.loc[pairs["variant_id"].isin(gw.index)]
    maf = np.minimum(p["af"].to_numpy(np.float64), 1 - p["af"].to_numpy(np.float64))
    ok = (maf > 0) & (p["slope_se"].to_numpy() > 0)
    p, maf = p.loc[ok], maf[ok]
    if p.empty:
        return None
    g = gw.loc[p["variant_id"].to_numpy()].reset_index()
    res = coloc_abf(_gwas_dataset(g, maf, s), _qtl_dataset(p, maf, n, s),
                    p1=s.p1, p2=s.p2, p12=s.p12)
    return res.summary, res.results


def _snp_rows(results: pd.DataFrame, tissue: str, gene: str, trait: str,
              lead: str | None) -> pd.DataFrame:
    return pd.DataFrame({
        "trait_id": trait, "tissue_id": tissue, "gene_id": gene, "lead_variant_id": lead,
        "variant_id": results["snp"].to_numpy(), "pos": results["position"].to_numpy(),
        "z_gwas": results["z.df1"].to_numpy(), "z_eqtl": results["z.df2"].to_numpy(),
        "labf_gwas": results["lABF.df1"].to_numpy(), "labf_eqtl": results["lABF.df2"].to_numpy(),
        "snp_pp_h4": results["SNP.PP.H4"].to_numpy()})


#: Columns of ``<output stem>.susie_pairs.parquet`` (one row per GWAS × eQTL credible-set pair).
SUSIE_PAIR_COLUMNS = ("trait_id", "tissue_id", "gene_id", "lead_variant_id", "gwas_cs",
                      "eqtl_cs", "hit_gwas", "hit_eqtl", "nsnps", "pp_h0", "pp_h1", "pp_h2",
                      "pp_h3", "pp_h4")


class _SusieLocus:
    """One locus's LD (from the genotype file) and the GWAS's summary-statistic SuSiE fit."""

    def __init__(self, gw: pd.DataFrame, release: pd.DataFrame, dosages: np.ndarray,
                 s: ColocSettings, L: int) -> None:
        d = np.asarray(dosages, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            poly = np.nan_to_num(np.nanstd(d, axis=1)) > 0
        ids = release["variant_id"].astype(str).to_numpy()
        self.row = {v: i for i, v in enumerate(ids) if poly[i]}
        self.dosages, self.L = d, L
        g = gw.loc[[v for v in gw.index if v in self.row]]
        self.gwas_ids = g.index.to_numpy(dtype=str)
        z = g["beta"].to_numpy(np.float64) / g["standard_error"].to_numpy(np.float64)
        self.gwas = self.fit(self.gwas_ids, z, s.n) if len(g) else None

    def fit(self, ids: np.ndarray, z: np.ndarray, n: float | None) -> SusieResult | None:
        """susie_rss with the in-sample LD of ``ids``; None when the LD and z disagree."""
        r = ld_matrix(self.dosages[[self.row[v] for v in ids]])
        try:
            return susie_rss(z, r, n=n, L=self.L)
        except ValueError:
            return None

    def gene(self, pairs: pd.DataFrame, n: int | None, s: ColocSettings) -> pd.DataFrame | None:
        """coloc.susie summary (every credible-set pair) of the GWAS and one gene's eQTL."""
        if self.gwas is None or len(self.gwas.sets) == 0:
            return None
        p = pairs.loc[pairs["variant_id"].isin(self.row) & (pairs["slope_se"] > 0)]
        p = p.drop_duplicates("variant_id")
        if p.empty:
            return None
        af = p["af"].to_numpy(np.float64)
        se = p["slope_se"].to_numpy(np.float64)
        ids = p["variant_id"].to_numpy(dtype=str)
        fit = self.fit(ids, p["slope"].to_numpy(np.float64) / se,
                       _qtl_n(np.minimum(af, 1 - af), se**2, n))
        if fit is None or len(fit.sets) == 0:
            return None
        res = coloc_susie(self.gwas.lbf_variable, fit.lbf_variable, snps1=self.gwas_ids,
                          snps2=ids, cs1=self.gwas.sets.effect_index.tolist(),
                          cs2=fit.sets.effect_index.tolist(), p1=s.p1, p2=s.p2, p12=s.p12)
        return res.summary if len(res.summary) else None


def _susie_pair_rows(summary: pd.DataFrame, tissue: str, gene: str, trait: str,
                     lead: str) -> pd.DataFrame:
    pp = summary[[f"PP.H{h}.abf" for h in range(5)]].to_numpy(np.float64)
    return pd.DataFrame({
        "trait_id": trait, "tissue_id": tissue, "gene_id": gene, "lead_variant_id": lead,
        "gwas_cs": summary["idx1"].to_numpy(np.int64) + 1,
        "eqtl_cs": summary["idx2"].to_numpy(np.int64) + 1,
        "hit_gwas": summary["hit1"].astype(str).to_numpy(),
        "hit_eqtl": summary["hit2"].astype(str).to_numpy(),
        "nsnps": summary["nsnps"].to_numpy(np.int64),
        **{f"pp_h{h}": pp[:, h] for h in range(5)}})


@dataclass(frozen=True)
class ColocOutputs:
    """What :func:`run_coloc` computed and wrote.

    ``table`` has :data:`COLOC_COLUMNS` (one row per locus × tissue × gene); ``snps`` the
    per-SNP table (empty unless asked for); ``report`` the harmonisation counts summed over
    loci; ``column_map``/``notes`` how the GWAS file was read; ``messages`` what was skipped.
    With ``method="susie"``, ``pairs`` (:data:`SUSIE_PAIR_COLUMNS`, written to ``pairs_path``)
    has every GWAS × eQTL credible-set pair (``gwas_cs``/``eqtl_cs`` are 1-based SuSiE effect
    numbers, ``hit_*`` each set's top variant); ``table`` keeps the best PP.H4 pair.
    """

    path: Path
    report_path: Path
    snps_path: Path | None
    table: pd.DataFrame
    snps: pd.DataFrame
    loci: list[Locus]
    report: dict[str, int]
    column_map: dict[str, str]
    notes: list[str]
    messages: list[str] = field(default_factory=list)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs_path: Path | None = None


def _harmonize_locus(gwas: pd.DataFrame, variants: pd.DataFrame,
                     palindromic: Literal["drop", "frequency"]
                     ) -> tuple[pd.DataFrame, dict[str, int]]:
    res = harmonize_gwas(gwas.drop(columns=["variant_id"], errors="ignore"), variants,
                         palindromic=palindromic)
    t = res.table
    se = t["standard_error"].to_numpy(np.float64)
    ok = np.isfinite(se) & (se > 0) & np.isfinite(t["beta"].to_numpy(np.float64))
    report = dict(res.report)
    report["unusable_effect"] = int((~ok).sum())
    t = t.loc[ok].drop_duplicates("variant_id").set_index("variant_id")
    return t, report


def _row(qtl: TissueQtl, phenotype: str, s: ColocSettings, nsnps: int, pp: np.ndarray,
         lead: str) -> dict[str, Any]:
    return {"tissue_id": qtl.tissue_id, "gene_id": qtl.gene_of(phenotype),
            "trait_id": s.trait_id, "nsnps": nsnps,
            **{f"pp_h{h}": float(pp[h]) for h in range(5)}, "lead_variant_id": lead,
            "qtl_type": qtl.qtl_type, "phenotype_id": phenotype}


def _susie_locus(locus: Locus, gw: pd.DataFrame, release: pd.DataFrame, dosages: Any,
                 pairs: Mapping[str, pd.DataFrame], tissues: list[_TissueIndex],
                 s: ColocSettings, lead: str, *, L: int
                 ) -> tuple[list[dict[str, Any]], list[pd.DataFrame], list[str]]:
    """coloc.susie of one locus: best credible-set pair per tissue × gene, and every pair."""
    if dosages is None:
        raise InputError(None, "method 'susie' needs LD from the genotypes",
                         "pass the genotype file (VCF/PLINK) as variants (--variants)")
    ctx = _SusieLocus(gw, release, dosages, s, L)
    if ctx.gwas is None or len(ctx.gwas.sets) == 0:
        return [], [], [f"{locus}: SuSiE found no credible set for the GWAS trait"]
    rows, frames, skipped = [], [], 0
    for t in tissues:
        for gene, p in pairs[t.qtl.key].groupby("phenotype_id", sort=True):
            summary = ctx.gene(p, t.n_samples, s)
            if summary is None:
                skipped += 1
                continue
            frame = _susie_pair_rows(summary, t.qtl.tissue_id, str(gene), s.trait_id, lead)
            best = frame.iloc[int(np.argmax(frame["pp_h4"].to_numpy()))]
            rows.append(_row(t.qtl, str(gene), s, int(best["nsnps"]),
                             best[[f"pp_h{h}" for h in range(5)]].to_numpy(np.float64), lead))
            frames.append(frame)
    msg = [f"{locus}: {skipped} tissue × gene without an eQTL credible set (no row)"] \
        if skipped else []
    return rows, frames, msg


def _coloc_locus(locus: Locus, gwas: pd.DataFrame, tissues: list[_TissueIndex],
                 variants: PathLike | pd.DataFrame | None, s: ColocSettings, *, opts: dict[str, Any]
                 ) -> tuple[list[dict[str, Any]], list[pd.DataFrame], dict[str, int], list[str]]:
    """coloc of one locus; with ``opts["method"] == "susie"`` the frames are credible-set
    pairs, else (when asked) the per-SNP tables."""
    in_locus = gwas.loc[(gwas["chromosome"] == locus.chrom)
                        & (gwas["base_pair_location"] >= locus.start)
                        & (gwas["base_pair_location"] <= locus.end)]
    pairs = {t.qtl.key: t.pairs_in(locus, t.genes_near(
        locus, cis_window=opts["cis_window"], fdr=opts["egene_fdr"])) for t in tissues}
    release, dosages = _variants_in(variants, locus, [p for p in pairs.values() if len(p)])
    gw, report = _harmonize_locus(in_locus, release, opts["palindromic"])
    messages = []
    if gw.empty:
        messages.append(f"{locus}: no GWAS variant matched the release's variants")
        return [], [], report, messages
    lead = locus.lead_variant_id or str(gw["p_value"].idxmin())
    if opts["method"] == "susie":
        rows_s, frames, msg = _susie_locus(locus, gw, release, dosages, pairs, tissues, s, lead,
                                           L=opts["susie_L"])
        return rows_s, frames, report, msg
    rows, snps = [], []
    for t in tissues:
        tissue_pairs = pairs[t.qtl.key]
        best: tuple[float, pd.DataFrame | None] = (-1.0, None)
        for gene, p in tissue_pairs.groupby("phenotype_id", sort=True):
            out = _coloc_gene(gw, p, t.n_samples, s)
            if out is None:
                continue
            summary, results = out
            pp = summary.iloc[1:].to_numpy(np.float64)
            rows.append(_row(t.qtl, str(gene), s, int(summary["nsnps"]), pp, lead))
            if opts["snp_table"] and pp[4] > best[0]:
                best = (float(pp[4]), _snp_rows(results, t.qtl.tissue_id, str(gene),
                                                s.trait_id, lead))
        if best[1] is not None:
            snps.append(best[1])
    return rows, snps, report, messages


def lift_gwas(table: pd.DataFrame, chain_path: PathLike) -> pd.DataFrame:
    """GWAS positions lifted through a UCSC chain (e.g. hg19ToHg38); unmapped rows dropped.

    A note saying how many variants were lifted and dropped is added to ``table.attrs``.
    """
    from genotex.coloc.harmonize import liftover
    from genotex.io.sumstats import read_chain

    lifted = liftover(table["chromosome"], table["base_pair_location"], read_chain(chain_path))
    mapped = lifted["chrom"].notna().to_numpy() & (lifted["pos"].to_numpy() > 0)
    out = table.loc[mapped].copy()
    out["chromosome"] = lifted.loc[mapped, "chrom"].to_numpy()
    out["base_pair_location"] = lifted.loc[mapped, "pos"].to_numpy(np.int64)
    reverse = lifted.loc[mapped, "strand"].to_numpy() == "-"
    for column in ("effect_allele", "other_allele"):
        flipped = out[column].astype(str).str.upper().str.translate(_COMPLEMENT)
        out[column] = np.where(reverse, flipped, out[column])
    out.attrs = {**table.attrs, "notes": [*table.attrs.get("notes", []),
                 f"lifted {int(mapped.sum())} variants with {Path(chain_path).name}; "
                 f"{int((~mapped).sum())} unmapped dropped"]}
    return out


_COMPLEMENT = str.maketrans("ACGT", "TGCA")

#: Below this fraction of GWAS variants found in the release, the builds likely differ.
BUILD_MISMATCH_FRACTION = 0.2


def build_warnings(report: Mapping[str, int], *, lifted: bool) -> list[str]:
    """A message when few GWAS variants are in the release: a GRCh37 file on a GRCh38 release.

    >>> build_warnings({"n_gwas": 1000, "not_in_release": 950}, lifted=False)[0][:44]
    'only 5% of the GWAS variants in the loci are'
    """
    tested = report.get("n_gwas", 0)
    if tested < 20:  # too few variants to tell
        return []
    found = 1 - report.get("not_in_release", 0) / tested
    if found >= BUILD_MISMATCH_FRACTION:
        return []
    hint = ("check the chain file's direction" if lifted else
            "if the GWAS is on GRCh37, pass --liftover-chain hg19ToHg38.over.chain.gz")
    return [f"only {found:.0%} of the GWAS variants in the loci are in the release at the same "
            f"position and alleles (GRCh38): {hint}"]


def run_coloc(
    *,
    gwas: PathLike,
    qtl_dirs: Mapping[str, PathLike | tuple[PathLike, str]],
    output: PathLike,
    sqtl_dirs: Mapping[str, PathLike | tuple[PathLike, str]] | None = None,
    variants: PathLike | pd.DataFrame | None = None,
    region: str | None = None,
    lead_variants: Sequence[str] = (),
    window: int = 500_000,
    p_threshold: float = GENOME_WIDE,
    trait_id: str | None = None,
    n: float | None = None,
    trait_type: Literal["quant", "cc"] = "quant",
    case_fraction: float | None = None,
    sdy: float | None = None,
    p1: float = 1e-4,
    p2: float = 1e-4,
    p12: float = 1e-5,
    method: Literal["abf", "susie"] = "abf",
    susie_L: int = 10,
    egene_fdr: float | None = 0.05,
    liftover_chain: PathLike | None = None,
    cis_window: int = 1_000_000,
    qtl_sdy: float | None = 1.0,
    qtl_sample_sizes: Mapping[str, int] | None = None,
    palindromic: Literal["drop", "frequency"] = "drop",
    gwas_columns: Mapping[str, str] | None = None,
    snp_table: bool = False,
) -> ColocOutputs:
    """Colocalize GWAS loci with every tissue's eQTL genes and write the ``coloc`` table.

    Parameters
    ----------
    gwas
        GWAS summary statistics (GWAS-SSF or an ad-hoc layout; see
        :func:`genotex.io.sumstats.read_gwas_sumstats`), same genome build as the release.
    qtl_dirs
        Tissue → cis-QTL output directory, or ``(directory, prefix)``; the prefix defaults to
        the tissue ID.
    output
        Parquet file to write (store ``coloc`` columns).
    sqtl_dirs
        Tissue → sQTL output directory (or ``(directory, prefix)``) of the same layout (grouped
        permutations, nominal pairs per intron, ``<prefix>.leafcutter.bed.gz``): each sGene's
        introns are colocalized too, in the same call; their rows have ``qtl_type = "sqtl"``,
        the intron in ``phenotype_id`` and its gene in ``gene_id``.
    variants
        The release's variants to harmonise GWAS alleles to: a genotype file (VCF/PLINK, whose
        dosages also give ALT frequencies), a release ``variants`` table (Parquet/TSV), or
        None to use the variants the eQTL files tested.
    region, lead_variants
        The loci: one ``chrom:start-end`` region, or ±``window`` around each lead variant
        (GTEx ID, ``chr:pos`` or rsID). With neither, every independent signal with
        ``p < p_threshold`` gets a ±``window`` locus (automatic mode).
    trait_id
        Stored in ``trait_id`` (default: the GWAS file's name).
    n, trait_type, case_fraction, sdy
        GWAS sample size, ``"quant"``/``"cc"``, fraction of cases, trait SD (coloc's ``N``,
        ``type``, ``s``, ``sdY``). A quantitative trait needs ``sdy`` or ``n`` (then sdY is
        estimated from the SEs, the eQTL MAFs and N); ``n`` also defaults to the file's ``n``.
    p1, p2, p12
        coloc priors: a SNP is causal for the GWAS, for the eQTL, for both.
    method
        ``"abf"`` (coloc.abf: one causal variant per trait) or ``"susie"`` (coloc.susie over
        credible sets of :func:`genotex.qtl.susie_rss` fits of both traits, for loci with
        several signals; needs ``variants`` to be the genotype file, for LD).
    susie_L
        Maximum number of signals per trait and locus (SuSiE's ``L``; ``"susie"`` only).
    egene_fdr
        Only genes with ``qval ≤ egene_fdr`` in a tissue (its eGenes); None for every gene.
    cis_window
        The eQTL mapping window around the TSS: a gene enters a locus when TSS ± window
        overlaps it.
    qtl_sdy
        SD of the eQTL phenotype (1 for inverse-normal expression); None estimates it.
    qtl_sample_sizes
        Tissue → N; default from the header of ``<prefix>.expression.bed.gz``, else from the
        slopes' standard errors.
    palindromic
        A/T, C/G SNPs: ``"drop"`` or resolve by ``"frequency"`` (see harmonize_gwas).
    liftover_chain
        UCSC chain file lifting the GWAS positions to the release's build (GRCh37 → GRCh38
        with ``hg19ToHg38.over.chain.gz``); without it, a GWAS whose variants are mostly absent
        from the release gets a warning in ``messages`` (likely build mismatch).
    gwas_columns
        Explicit GWAS column mapping (``{field: column}``), overriding detection.
    snp_table
        Also write the per-SNP table (``SNP.PP.H4`` etc.) of each locus's best gene per tissue.

    Returns
    -------
    ColocOutputs
    """
    from genotex.io.sumstats import read_gwas_sumstats

    if method not in ("abf", "susie"):
        raise InputError(None, f"unknown method {method!r}", "use 'abf' or 'susie'")
    table = read_gwas_sumstats(gwas, columns=gwas_columns)
    if liftover_chain is not None:
        table = lift_gwas(table, liftover_chain)
    if n is None and table["n"].notna().any():
        n = float(table["n"].median())
    if trait_type == "quant" and sdy is None and n is None:
        raise InputError(gwas, "a quantitative trait needs its SD or its sample size",
                         "pass sdy (--sdy) or n (--n), or add an n column")
    if trait_type not in ("quant", "cc"):
        raise InputError(None, f"trait type {trait_type!r}", "use 'quant' or 'cc'")
    settings = ColocSettings(trait_id or Path(gwas).name.split(".")[0], trait_type, n,
                             case_fraction, sdy, p1, p2, p12, qtl_sdy)
    if region is not None:
        loci = [parse_region(region)]
    elif lead_variants:
        loci = lead_loci(table, lead_variants, window=window)
    else:
        loci = find_loci(table, p_threshold=p_threshold, window=window)
    sizes = qtl_sample_sizes or {}
    qtls = resolve_qtl_dirs(qtl_dirs) + (
        resolve_qtl_dirs(sqtl_dirs, qtl_type="sqtl") if sqtl_dirs else [])
    tissues = [_TissueIndex.load(q, sizes.get(q.tissue_id)) for q in qtls]
    release = _load_variant_table(variants)
    opts = {"cis_window": cis_window, "egene_fdr": egene_fdr, "palindromic": palindromic,
            "snp_table": snp_table and method == "abf", "method": method, "susie_L": susie_L}
    rows: list[dict[str, Any]] = []
    snps: list[pd.DataFrame] = []
    report: dict[str, int] = {}
    messages = [] if loci else [f"no GWAS variant with p < {p_threshold:g}: no locus to test"]
    for locus in loci:
        r, sn, rep, msg = _coloc_locus(locus, table, tissues, release, settings, opts=opts)
        rows += r
        snps += sn
        messages += msg
        for k, v in rep.items():
            report[k] = report.get(k, 0) + v
    messages += build_warnings(report, lifted=liftover_chain is not None)
    if method == "susie":
        return _write(output, rows, [], loci, report, table, messages, snp_table=False,
                      pairs=snps)
    return _write(output, rows, snps, loci, report, table, messages, snp_table=snp_table)


def _write(output: PathLike, rows: list[dict[str, Any]], snps: list[pd.DataFrame],
           loci: list[Locus], report: dict[str, int], gwas: pd.DataFrame, messages: list[str],
           *, snp_table: bool, pairs: list[pd.DataFrame] | None = None) -> ColocOutputs:
    out = Path(output)
    frame = pd.DataFrame(rows, columns=list(COLOC_COLUMNS)).astype(
        {"nsnps": np.int64, **{f"pp_h{h}": np.float64 for h in range(5)}})
    frame = frame.sort_values(["trait_id", "tissue_id", "gene_id"], kind="stable",
                              ignore_index=True)
    snp_frame = pd.concat(snps, ignore_index=True) if snps else pd.DataFrame()
    stem = out.name.removesuffix(".parquet")
    report_path = out.with_name(f"{stem}.harmonization.json")
    snps_path = out.with_name(f"{stem}.snps.parquet") if snp_table else None
    pairs_path = out.with_name(f"{stem}.susie_pairs.parquet") if pairs is not None else None
    pair_frame = (pd.concat(pairs, ignore_index=True) if pairs else
                  pd.DataFrame(columns=list(SUSIE_PAIR_COLUMNS)))
    column_map: dict[str, str] = dict(gwas.attrs.get("column_map", {}))
    notes: list[str] = list(gwas.attrs.get("notes", []))
    info = {"column_map": column_map, "notes": notes, "harmonization": report,
            "loci": [str(x) for x in loci], "messages": messages}
    with staged_outputs(out.parent) as stage:
        frame.to_parquet(stage / out.name, index=False)
        (stage / report_path.name).write_text(json.dumps(info, indent=2) + "\n")
        if snps_path is not None:
            snp_frame.to_parquet(stage / snps_path.name, index=False)
        if pairs_path is not None:
            pair_frame.to_parquet(stage / pairs_path.name, index=False)
    return ColocOutputs(path=out, report_path=report_path, snps_path=snps_path, table=frame,
                        snps=snp_frame, loci=loci, report=report,
                        column_map=column_map, notes=notes, messages=messages,
                        pairs=pair_frame if pairs is not None else pd.DataFrame(),
                        pairs_path=pairs_path)
