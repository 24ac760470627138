"""Intron clusters (leafcutter-style) with Dirichlet-multinomial junction counts and sQTLs.

A cluster is 2–4 introns of one gene that share splice sites: an alternative 3′ acceptor
(2 introns), or a cassette of one or two exons with the skipping intron (3 or 4 introns).
Intron coordinates follow leafcutter: ``start`` = the upstream exon's last base, ``end`` =
the downstream exon's first base (1-based), so ``map_clusters_to_genes`` finds the gene.
A sample's cluster reads are proportional to its gene's read count; intron usage is
``Dirichlet(c · ψ_s)``-multinomial, where an sQTL multiplies one intron's weight by
``exp(effect_size · dosage)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.simulate._random import rng
from genotex.simulate.config import SimulationConfig
from genotex.tissues import TISSUES

INTRON_COLUMNS = ("intron_id", "cluster_id", "gene_id", "chrom", "start", "end", "strand")
#: Dirichlet concentration of per-sample intron usage (smaller = more overdispersed).
CONCENTRATION = 40.0
#: Junction reads of a cluster per gene read.
JUNCTION_FRACTION = 0.3
_TISSUE_INDEX = {t.tissue_site_detail_id: i for i, t in enumerate(TISSUES)}


@dataclass(frozen=True)
class SplicingPlan:
    """Introns, their baseline usage and planted sQTLs."""

    #: (n_introns, 7) :data:`INTRON_COLUMNS`, sorted by chrom, cluster, start, end.
    introns: pd.DataFrame
    #: (n_introns,) baseline usage ψ (sums to 1 within a cluster).
    psi: NDArray[np.float64]
    #: ``cluster_id, intron_index, variant_index, effect_size`` (ln weight per ALT allele).
    sqtls: pd.DataFrame


def _cluster_introns(gen: np.random.Generator, starts: NDArray, ends: NDArray) -> list[tuple]:
    n = len(starts)
    kind = gen.choice(["alt3", "cassette", "double"], p=[0.25, 0.5, 0.25]) if n >= 4 else (
        gen.choice(["alt3", "cassette"], p=[0.3, 0.7]) if n == 3 else "alt3")
    if kind == "alt3":
        i = int(gen.integers(0, n - 1))
        width = ends[i + 1] - starts[i + 1]
        shift = int(max(1, min(width // 2, gen.integers(4, 61))))
        return [(ends[i], starts[i + 1]), (ends[i], starts[i + 1] + shift)]
    m = 2 if kind == "cassette" else 3
    i = int(gen.integers(0, n - m))
    return [(ends[j], starts[j + 1]) for j in range(i, i + m)] + [(ends[i], starts[i + m])]


def plan_splicing(
    config: SimulationConfig, genes: pd.DataFrame, exons: pd.DataFrame,
    programme: NDArray[np.str_], maf: NDArray[np.float64], variants: pd.DataFrame,
) -> SplicingPlan:
    """Pick spliced genes (expressed, ≥2 exons), build their clusters and plant sQTLs."""
    gen = rng(config.seed, "splicing_structure")
    by_gene = {gid: grp for gid, grp in exons.groupby("gene_id", sort=False)}
    n_exons = np.array([len(by_gene.get(g, ())) for g in genes["gene_id"]])
    eligible = np.flatnonzero(np.isin(programme, ["housekeeping", "broad"]) & (n_exons >= 2))
    n_pick = round(config.splice_fraction * len(genes))
    picked = np.sort(gen.choice(eligible, size=min(n_pick, len(eligible)), replace=False))
    rows: list[tuple[object, ...]] = []
    psi: list[NDArray[np.float64]] = []
    sqtls: list[tuple[object, ...]] = []
    pos = variants["pos"].to_numpy()
    chroms = variants["chrom"].to_numpy()
    for k, g in enumerate(picked, start=1):
        gene = genes.iloc[g]
        ex = by_gene[gene["gene_id"]]
        introns = _cluster_introns(gen, ex["start"].to_numpy(), ex["end"].to_numpy())
        cluster = f"clu_{k}_{gene['strand']}"
        first = len(rows)
        for s, e in sorted(introns):
            rows.append((f"{gene['chrom']}:{s}:{e}:{cluster}", f"{gene['chrom']}:{cluster}",
                         gene["gene_id"], gene["chrom"], int(s), int(e), gene["strand"]))
        psi.extend(gen.dirichlet(np.full(len(introns), 2.0)))
        near = np.flatnonzero((chroms == gene["chrom"]) & (maf >= 0.05)
                              & (pos >= gene["start"] - 50_000) & (pos <= gene["end"] + 50_000))
        if gen.random() < config.sqtl_fraction and len(near):
            beta = float(gen.choice([-1.0, 1.0]) * min(3.0, 0.6 + gen.exponential(0.6)))
            sqtls.append((f"{gene['chrom']}:{cluster}", first + int(gen.integers(0, len(introns))),
                          int(gen.choice(near)), round(beta, 4)))
    introns_df = pd.DataFrame(rows, columns=list(INTRON_COLUMNS))
    introns_df = introns_df.astype({"start": np.int64, "end": np.int64})
    sqtl_df = pd.DataFrame(sqtls, columns=["cluster_id", "intron_index", "variant_index",
                                           "effect_size"])
    return SplicingPlan(introns=introns_df, psi=np.asarray(psi, dtype=np.float64), sqtls=sqtl_df)


def simulate_tissue_splicing(
    config: SimulationConfig, tissue_id: str, plan: SplicingPlan, gene_counts: pd.DataFrame,
    donor: NDArray[np.int64], dosages: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Junction numerators and cluster denominators of one tissue.

    Parameters
    ----------
    gene_counts
        (n_genes, n_samples) read counts of the tissue, index gene_id.
    donor
        (n_samples,) donor row of each sample.
    dosages
        (n_variants, n_donors) ALT dosages.

    Returns
    -------
    (n_introns, n_samples) int64 numerators and denominators (the cluster's total reads).
    """
    gen = rng(config.seed, "splicing", _TISSUE_INDEX[tissue_id])
    introns = plan.introns
    n_s = len(donor)
    num = np.zeros((len(introns), n_s), dtype=np.int64)
    den = np.zeros_like(num)
    log_w = np.log(plan.psi)[:, None] + gen.normal(0, 0.15, size=(len(introns), 1))
    log_w = np.repeat(log_w, n_s, axis=1)
    for _, row in plan.sqtls.iterrows():
        log_w[row["intron_index"]] += row["effect_size"] * dosages[row["variant_index"], donor]
    for _, idx in introns.groupby("cluster_id", sort=False).indices.items():
        gid = introns["gene_id"].iat[idx[0]]
        reads = gen.poisson(JUNCTION_FRACTION * gene_counts.loc[gid].to_numpy(dtype=float))
        w = np.exp(log_w[idx] - log_w[idx].max(axis=0))
        alpha = CONCENTRATION * w / w.sum(axis=0)
        g = gen.standard_gamma(alpha)  # Dirichlet draws, one column per sample
        p = g / g.sum(axis=0, keepdims=True)
        counts = gen.multinomial(reads, p.T).T
        num[idx] = counts
        den[idx] = counts.sum(axis=0)
    return num, den
