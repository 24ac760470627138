"""Pipeline step ``multitissue``: METASOFT across tissues and pairwise eQTL sharing (π1).

For each eGene's top variants (the union over tissues of every eGene's lead variant, as the
GTEx multi-tissue eQTL analysis does; or every significant pair), the slope and its standard
error are collected from each tissue's nominal pairs (``<prefix>.cis_qtl_pairs.<chr>.parquet``,
read with a pyarrow filter on the genes) and meta-analysed with
:func:`genotex.qtl.metasoft.metasoft` (FE, RE, RE2, m-values). The same lookups give, for every
discovery tissue, the p-values of its eGenes' top variants in every other tissue, from which
:func:`genotex.qtl.sharing.pairwise_pi1` estimates the fraction of shared eQTLs.

Outputs in ``output``:

``metasoft.parquet``
    the release store's ``metasoft`` layout (:data:`METASOFT_COLUMNS`): one row per gene ×
    variant × tissue where tested; ``meta_p`` is the RE2 p-value, ``nes``/``se``/``pval`` the
    tissue's slope, its SE and nominal p-value, ``m_value`` the posterior probability of an
    effect in the tissue.
``metasoft_summary.parquet``
    one row per gene × variant: ``n_tissues``, FE / RE / RE2 effects and p-values, Cochran's
    ``q`` and its p-value, ``i_square`` (percent) and ``tau_square``.
``pi1.parquet`` and ``pi1.tsv``
    tissue × tissue π1 (rows: discovery tissue, columns: replication tissue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.coloc_steps import (
    TissueQtl,
    read_gene_pairs,
    resolve_qtl_dirs,
    variant_positions,
)
from genotex.pipeline.qtl_steps import read_egenes
from genotex.qtl.metasoft import MetasoftResult, metasoft
from genotex.qtl.sharing import pairwise_pi1

__all__ = ["METASOFT_COLUMNS", "MultitissueOutputs", "collect_pairs", "run_multitissue",
           "top_pairs"]

PathLike = str | Path
#: Columns of the release store's ``metasoft`` table, in order.
METASOFT_COLUMNS = ("gene_id", "variant_id", "meta_p", "tissue_id", "m_value", "pval", "se",
                    "nes")
_SUMMARY = {"n_studies": "n_tissues", "beta_fe": "beta_fe", "se_fe": "se_fe",
            "pvalue_fe": "pval_fe", "beta_re": "beta_re", "se_re": "se_re",
            "pvalue_re": "pval_re", "stat1_re2": "stat1_re2", "stat2_re2": "stat2_re2",
            "pvalue_re2": "pval_re2", "q": "q", "pvalue_q": "pval_q", "i_square": "i_square",
            "tau_square": "tau_square"}


@dataclass(frozen=True)
class MultitissueOutputs:
    """What :func:`run_multitissue` wrote, and the tables themselves."""

    metasoft_path: Path
    summary_path: Path
    pi1_path: Path
    pi1_tsv: Path
    metasoft: pd.DataFrame
    summary: pd.DataFrame
    pi1: pd.DataFrame


def top_pairs(tissues: list[TissueQtl], *, top_variants: Literal["egene_lead", "all_signif"],
              fdr: float) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The (gene, variant) pairs to meta-analyse, and each tissue's eGene leads.

    Returns the union of pairs (``gene_id, variant_id``, sorted) and, per tissue, its eGenes'
    lead pairs (``gene_id, variant_id``) used for π1.
    """
    leads: dict[str, pd.DataFrame] = {}
    parts = []
    for t in tissues:
        eg = read_egenes(t.egenes_path)
        eg = eg.loc[eg["qval"] <= fdr]
        leads[t.tissue_id] = pd.DataFrame({"gene_id": eg.index.astype(str).to_numpy(),
                                           "variant_id": eg["variant_id"].astype(str).to_numpy()})
        if top_variants == "egene_lead":
            parts.append(leads[t.tissue_id])
        elif top_variants == "all_signif":
            if not t.signif_path.is_file():
                raise InputError(t.signif_path, f"no significant pairs for {t.tissue_id}",
                                 "run `genotex qtl signif-pairs`, or use egene_lead")
            sig = pd.read_parquet(t.signif_path, columns=["gene_id", "variant_id"])
            parts.append(sig.astype(str))
        else:
            raise InputError(None, f"top_variants {top_variants!r}",
                             "use 'egene_lead' or 'all_signif'")
    pairs = (pd.concat(parts, ignore_index=True).drop_duplicates()
             .sort_values(["gene_id", "variant_id"], ignore_index=True))
    return pairs, leads


def collect_pairs(tissues: list[TissueQtl], pairs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per tissue, the nominal ``slope, slope_se, pval_nominal`` of the given pairs.

    Each returned frame is aligned to ``pairs`` (same row order), NaN where the tissue did not
    test the pair. Only the chromosomes and genes of ``pairs`` are read.
    """
    chrom = variant_positions(pairs["variant_id"])["chrom"].to_numpy()
    key = pd.MultiIndex.from_frame(pairs[["gene_id", "variant_id"]])
    out = {}
    for t in tissues:
        files = t.nominal_paths()
        found = []
        for c in pd.unique(chrom):
            if str(c) not in files:
                continue
            genes = pairs.loc[chrom == c, "gene_id"]
            found.append(read_gene_pairs(files[str(c)], genes, columns=(
                "phenotype_id", "variant_id", "pval_nominal", "slope", "slope_se")))
        cols = ["slope", "slope_se", "pval_nominal"]
        if found:
            got = pd.concat(found, ignore_index=True).rename(columns={"phenotype_id": "gene_id"})
            got = got.set_index(["gene_id", "variant_id"])[cols].astype(np.float64)
            got = got[~got.index.duplicated()]
            out[t.tissue_id] = got.reindex(key).reset_index(drop=True)
        else:
            out[t.tissue_id] = pd.DataFrame(np.nan, index=range(len(pairs)), columns=cols)
    return out


def _long_table(pairs: pd.DataFrame, tissues: list[str], stats: dict[str, pd.DataFrame],
                res: MetasoftResult) -> pd.DataFrame:
    n_t, n_p = len(tissues), len(pairs)
    mv = res.mvalues if res.mvalues is not None else np.full((n_t, n_p), np.nan)
    frame = pd.DataFrame({
        "gene_id": np.tile(pairs["gene_id"].to_numpy(), n_t),
        "variant_id": np.tile(pairs["variant_id"].to_numpy(), n_t),
        "meta_p": np.tile(res.pvalue_re2, n_t),
        "tissue_id": np.repeat(np.asarray(tissues, dtype=object), n_p),
        "m_value": mv.ravel(),
        "pval": np.concatenate([stats[t]["pval_nominal"].to_numpy() for t in tissues]),
        "se": np.concatenate([stats[t]["slope_se"].to_numpy() for t in tissues]),
        "nes": np.concatenate([stats[t]["slope"].to_numpy() for t in tissues]),
    })
    frame = frame.loc[frame["nes"].notna() & frame["se"].notna()]
    return frame.sort_values(["gene_id", "variant_id", "tissue_id"], ignore_index=True)


def _summary_table(pairs: pd.DataFrame, res: MetasoftResult) -> pd.DataFrame:
    out = pairs[["gene_id", "variant_id"]].copy()
    for attr, name in _SUMMARY.items():
        out[name] = getattr(res, attr)
    return out


def _pi1_table(tissues: list[str], pairs: pd.DataFrame, stats: dict[str, pd.DataFrame],
               leads: dict[str, pd.DataFrame], lambda_: float | None) -> pd.DataFrame:
    """π1[i, j] from the p-values in tissue j of tissue i's eGene leads."""
    key = pd.MultiIndex.from_frame(pairs[["gene_id", "variant_id"]])
    genes = pd.Index(sorted(set(pairs["gene_id"])))
    n = len(tissues)
    p = np.full((n, n, len(genes)), np.nan)
    is_egene = np.zeros((n, len(genes)), dtype=bool)
    for i, ti in enumerate(tissues):
        lead = leads[ti]
        rows = key.get_indexer(pd.MultiIndex.from_frame(lead[["gene_id", "variant_id"]]))
        cols = genes.get_indexer(lead["gene_id"])
        ok = rows >= 0
        is_egene[i, cols[ok]] = True
        for j, tj in enumerate(tissues):
            p[i, j, cols[ok]] = stats[tj]["pval_nominal"].to_numpy()[rows[ok]]
    pi = pairwise_pi1(p, is_egene, lambda_=lambda_) if len(genes) else np.full((n, n), np.nan)
    frame = pd.DataFrame(pi, index=pd.Index(tissues, name="discovery_tissue"),
                         columns=list(tissues))
    return frame


def run_multitissue(
    *,
    qtl_dirs: Mapping[str, PathLike | tuple[PathLike, str]],
    output: PathLike,
    top_variants: Literal["egene_lead", "all_signif"] = "egene_lead",
    fdr: float = 0.05,
    mvalue_method: Literal["auto", "exact", "mcmc"] = "auto",
    exact_max_studies: int = 12,
    seed: int = 100,
    pi1_lambda: float | None = None,
) -> MultitissueOutputs:
    """METASOFT over the tissues' eGene top variants, and pairwise π1 sharing.

    Parameters
    ----------
    qtl_dirs
        Tissue → cis-QTL output directory, or ``(directory, prefix)`` (prefix defaults to
        the tissue ID); each needs ``<prefix>.cis_qtl.txt.gz`` and the nominal pairs.
    output
        Directory for ``metasoft.parquet``, ``metasoft_summary.parquet``, ``pi1.parquet`` and
        ``pi1.tsv``.
    top_variants
        ``"egene_lead"``: each eGene's lead variant in each tissue where it is an eGene (union
        over tissues); ``"all_signif"``: every significant pair of every tissue.
    fdr
        eGenes are genes with ``qval ≤ fdr``.
    mvalue_method, exact_max_studies, seed
        As :func:`genotex.qtl.metasoft.metasoft` (exact enumeration up to
        ``exact_max_studies`` tissues, MCMC above; GTEx ran METASOFT with ``-seed 100``).
    pi1_lambda
        Storey's λ for π0 (None: qvalue's smoother over 0.05…0.95; a fixed 0.5 is steadier
        with few eGenes).

    Returns
    -------
    MultitissueOutputs

    References
    ----------
    Han & Eskin (2011, 2012); GTEx Consortium (2017) Nature 550:204 (π1 sharing, METASOFT).
    """
    tissues = resolve_qtl_dirs(qtl_dirs)
    names = [t.tissue_id for t in tissues]
    pairs, leads = top_pairs(tissues, top_variants=top_variants, fdr=fdr)
    stats = collect_pairs(tissues, pairs)
    slope = np.vstack([stats[t]["slope"].to_numpy() for t in names]).reshape(len(names), -1)
    se = np.vstack([stats[t]["slope_se"].to_numpy() for t in names]).reshape(len(names), -1)
    res = metasoft(slope, se, mvalue_method=mvalue_method, exact_max_studies=exact_max_studies,
                   seed=seed)
    long = _long_table(pairs, names, stats, res)
    summary = _summary_table(pairs, res)
    pi1 = _pi1_table(names, pairs, stats, leads, pi1_lambda)
    out = Path(output)
    with staged_outputs(out) as stage:
        long.to_parquet(stage / "metasoft.parquet", index=False)
        summary.to_parquet(stage / "metasoft_summary.parquet", index=False)
        pi1.to_parquet(stage / "pi1.parquet")
        pi1.to_csv(stage / "pi1.tsv", sep="\t", float_format="%.6g")
    return MultitissueOutputs(metasoft_path=out / "metasoft.parquet",
                              summary_path=out / "metasoft_summary.parquet",
                              pi1_path=out / "pi1.parquet", pi1_tsv=out / "pi1.tsv",
                              metasoft=long, summary=summary, pi1=pi1)
