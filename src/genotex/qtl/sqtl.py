"""sQTL phenotypes from leafcutter intron counts: filters, excision-ratio normalization, genes.

The steps of GTEx's ``cluster_prepare_fastqtl.py`` on in-memory tables (introns × samples):

1. :func:`filter_introns`: GTEx ``filter_counts`` (≤ 50 % zero fractions, enough distinct
   values, no low-complexity introns, no chrY);
2. :func:`normalize_excision_ratios`: leafcutter ``prepare_phenotype_table.py``
   (``(num + 0.5)/(den + 0.5)``, missing rules, row standardization, per-sample qqnorm);
3. :func:`map_clusters_to_genes`: clusters to genes by splice sites matching exon boundaries;
4. :func:`sqtl_phenotypes`: one phenotype per (intron, gene) at the gene's TSS, IDs
   ``chr:start:end:clu_N_strand:gene_id``, sorted as the GTEx BED, and the phenotype groups.

Intron IDs are leafcutter's ``chrom:start:end:clu_<n>_<strand>``; ``start`` is the upstream
exon's last base and ``end`` the downstream exon's first base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

__all__ = [
    "ClusterGenes",
    "ExcisionRatios",
    "IntronFilter",
    "Introns",
    "SqtlPhenotypes",
    "excision_fractions",
    "filter_introns",
    "map_clusters_to_genes",
    "normalize_excision_ratios",
    "parse_intron_ids",
    "qqnorm",
    "sqtl_phenotypes",
]

_INTRON_ID = re.compile(r"^([^:]+):(\d+):(\d+):(clu_\d+_([^:]+))$")


@dataclass(frozen=True)
class Introns:
    """Parsed intron IDs; every array has shape (n_introns,).

    ``cluster`` is ``clu_<n>_<strand>``; ``cluster_key`` is ``chrom:clu_<n>_<strand>`` (a
    cluster number is unique only within a chromosome).
    """

    chrom: NDArray[np.str_]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    cluster: NDArray[np.str_]
    strand: NDArray[np.str_]

    @property
    def cluster_key(self) -> NDArray[np.str_]:
        return np.char.add(np.char.add(self.chrom, ":"), self.cluster)


def parse_intron_ids(intron_ids: ArrayLike) -> Introns:
    """Split ``chrom:start:end:clu_<n>_<strand>`` IDs.

    Examples
    --------
    >>> i = parse_intron_ids(["chr1:100:200:clu_3_+"])
    >>> i.chrom.tolist(), i.start.tolist(), i.cluster.tolist(), i.cluster_key.tolist()
    (['chr1'], [100], ['clu_3_+'], ['chr1:clu_3_+'])
    """
    ids = [str(s) for s in np.asarray(intron_ids, dtype=object).ravel()]
    parts = []
    for s in ids:
        m = _INTRON_ID.match(s)
        if m is None:
            raise ValueError(f"intron ID {s!r} is not 'chrom:start:end:clu_<n>_<strand>'")
        parts.append(m.groups())
    if not parts:
        e = np.array([], dtype=str)
        return Introns(e, np.array([], np.int64), np.array([], np.int64), e, e)
    chrom, start, end, clu, strand = zip(*parts, strict=True)
    return Introns(np.array(chrom), np.array(start, dtype=np.int64),
                   np.array(end, dtype=np.int64), np.array(clu), np.array(strand))


def excision_fractions(numerators: ArrayLike, denominators: ArrayLike) -> NDArray[np.float64]:
    """``num/den``, and 0 where the cluster has no reads (GTEx ``filter_counts``).

    Examples
    --------
    >>> excision_fractions([[1, 0]], [[4, 0]]).tolist()
    [[0.25, 0.0]]
    """
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, 0.0)


@dataclass(frozen=True)
class IntronFilter:
    """GTEx intron filter; every array has shape (n_introns,).

    ``keep`` = ``zero_fraction ≤ max`` and ``n_distinct ≥ min`` and not ``low_complexity``
    and not on chrY.
    """

    keep: NDArray[np.bool_]
    zero_fraction: NDArray[np.float64]
    n_distinct: NDArray[np.int64]
    low_complexity: NDArray[np.bool_]


def filter_introns(
    numerators: ArrayLike,
    denominators: ArrayLike,
    chrom: ArrayLike,
    *,
    max_zero_fraction: float = 0.5,
    min_distinct: int | None = None,
    drop_chroms: tuple[str, ...] = ("chrY", "Y"),
) -> IntronFilter:
    """Drop introns with mostly zero, too few distinct, or low-complexity excision fractions.

    Parameters
    ----------
    numerators, denominators
        (n_introns, n_samples) intron reads and cluster reads.
    chrom
        (n_introns,) chromosome of each intron.
    max_zero_fraction
        Keep introns whose fraction is 0 in at most this share of samples.
    min_distinct
        Minimum number of distinct fraction values; default ``max(10, floor(0.1·n))``.
    drop_chroms
        Chromosomes removed (GTEx drops chrY).

    Notes
    -----
    Low complexity: with z-scores of the fractions (row mean, ``ddof=1`` SD),
    ``#{|z| < 0.25} ≥ n − 3`` and ``#{|z| > 6} ≤ 3``.

    References
    ----------
    gtex-pipeline ``qtl/leafcutter/src/cluster_prepare_fastqtl.py`` ``filter_counts``.

    Examples
    --------
    >>> num = np.array([[0, 0, 0, 5] * 5, list(range(20))])
    >>> f = filter_introns(num, num + 30, ["chr1", "chr1"])
    >>> f.keep.tolist(), f.n_distinct.tolist()
    ([False, True], [2, 20])
    """
    frac = excision_fractions(numerators, denominators)
    n = frac.shape[1]
    zero = (frac == 0).sum(1) / n
    distinct = np.array([np.unique(r).size for r in frac], dtype=np.int64)
    need = max(10, int(np.floor(0.1 * n))) if min_distinct is None else min_distinct
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (frac - frac.mean(1, keepdims=True)) / frac.std(1, ddof=1, keepdims=True)
    low = ((np.abs(z) < 0.25).sum(1) >= n - 3) & ((np.abs(z) > 6).sum(1) <= 3)
    on_dropped = np.isin(np.asarray(chrom).astype(str), list(drop_chroms))
    keep = (zero <= max_zero_fraction) & (distinct >= need) & ~low & ~on_dropped
    return IntronFilter(keep, zero, distinct, low)


def qqnorm(x: ArrayLike) -> NDArray[np.float64]:
    """Normal scores of each column: ``Φ⁻¹((rank − a)/(n + 1 − 2a))``, ``a = 3/8`` if n ≤ 10.

    Ranks average ties (``scipy.stats.rankdata``); ``n`` is the number of rows.

    Parameters
    ----------
    x
        (n, n_columns) values, or (n,).

    References
    ----------
    leafcutter ``prepare_phenotype_table.py`` ``qqnorm`` (Blom's a = 3/8 for small n).

    Examples
    --------
    >>> np.round(qqnorm([3.0, 1.0, 2.0]), 4).tolist()
    [0.8694, -0.8694, 0.0]
    """
    from scipy.stats import rankdata  # here: scipy.stats takes ~0.4 s to import

    m = np.asarray(x, dtype=np.float64)
    n = m.shape[0]
    a = 3.0 / 8.0 if n <= 10 else 0.5
    ranks = rankdata(m, axis=0)
    return np.asarray(ndtri((ranks - a) / (n + 1.0 - 2.0 * a)))  # = stats.norm.ppf


@dataclass(frozen=True)
class ExcisionRatios:
    """Normalized excision ratios of the introns that pass leafcutter's checks.

    ``intron_index`` (n_kept,) indexes the input rows, in input order; ``ratios``
    (n_kept, n_samples) are ``(num + 0.5)/(den + 0.5)`` with missing values set to the row
    mean (leafcutter's ``.phen_`` files); ``normalized`` (n_kept, n_samples) are the rows
    standardized and then qqnormed per sample across all kept introns (``.qqnorm_`` files).
    Imputed samples get ``z = 0`` exactly, so they tie (average rank) within a sample; in
    leafcutter their order depends on floating-point noise.
    """

    intron_index: NDArray[np.int64]
    ratios: NDArray[np.float64]
    normalized: NDArray[np.float64]


def normalize_excision_ratios(
    numerators: ArrayLike,
    denominators: ArrayLike,
    chrom: ArrayLike,
    *,
    blacklist_chroms: tuple[str, ...] = ("X", "Y"),
    max_missing_fraction: float = 0.4,
    min_std: float = 0.005,
) -> ExcisionRatios:
    """leafcutter's ``prepare_phenotype_table.py`` normalization of intron counts.

    Parameters
    ----------
    numerators, denominators
        (n_introns, n_samples) intron reads and cluster reads.
    chrom
        (n_introns,) chromosome names as written in the intron IDs.
    blacklist_chroms
        Chromosomes skipped, compared literally: the default ``("X", "Y")`` does **not**
        match ``chrX``/``chrY`` (leafcutter's behaviour with chr-prefixed names).
    max_missing_fraction
        An intron with more than this share of samples with ``den < 1`` is skipped.
    min_std
        An intron whose imputed ratios have ``std (ddof=0) < min_std`` is skipped.

    Returns
    -------
    ExcisionRatios

    References
    ----------
    Li et al. 2018 (leafcutter) ``scripts/prepare_phenotype_table.py`` at 2c9907e.

    Examples
    --------
    >>> num = np.array([[1, 5, 9, 2], [0, 0, 0, 0], [3, 1, 4, 8]])
    >>> den = np.array([[10, 10, 10, 10], [0, 0, 10, 10], [9, 9, 9, 9]])
    >>> res = normalize_excision_ratios(num, den, ["chr1"] * 3)
    >>> res.intron_index.tolist(), res.normalized.shape
    ([0, 2], (2, 4))
    """
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    n = num.shape[1]
    missing = den < 1
    ratio = np.where(missing, 0.0, (num + 0.5) / (den + 0.5))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = ratio.sum(1) / (~missing).sum(1)
    imputed = np.where(missing, mean[:, None], ratio)
    ok = ~np.isin(np.asarray(chrom).astype(str), list(blacklist_chroms))
    ok &= missing.sum(1) <= max_missing_fraction * n
    with np.errstate(invalid="ignore"):
        ok &= ~(imputed.std(1) < min_std)
    idx = np.flatnonzero(ok)
    kept = imputed[idx]
    z = (kept - kept.mean(1, keepdims=True)) / kept.std(1, keepdims=True)
    # an imputed sample sits exactly at the row mean: z = 0 (leafcutter gets ±1e-16 noise,
    # so its ranks among such ties depend on rounding)
    z[missing[idx]] = 0.0
    normalized = qqnorm(z) if idx.size else z
    return ExcisionRatios(idx.astype(np.int64), kept, normalized)


@dataclass(frozen=True)
class ClusterGenes:
    """Cluster → gene assignments, one row per pair; arrays have shape (n_pairs,).

    Sorted by ``cluster_key`` (``chrom:clu_<n>_<strand>``), then ``gene_id``.
    """

    cluster_key: NDArray[np.str_]
    gene_id: NDArray[np.str_]

    def genes_of(self) -> dict[str, list[str]]:
        """``cluster_key → [gene_id, ...]``."""
        out: dict[str, list[str]] = {}
        for c, g in zip(self.cluster_key.tolist(), self.gene_id.tolist(), strict=True):
            out.setdefault(c, []).append(g)
        return out


def map_clusters_to_genes(
    introns: Introns,
    exon_chrom: ArrayLike,
    exon_start: ArrayLike,
    exon_end: ArrayLike,
    exon_gene_id: ArrayLike,
    *,
    strict: bool = True,
) -> ClusterGenes:
    """Assign intron clusters to genes whose exon boundaries match the clusters' splice sites.

    An intron's 5′ site matches when its ``start`` equals an exon ``end``; its 3′ site when its
    ``end`` equals an exon ``start`` (same chromosome; strand is not compared). With
    ``strict=True`` (the GTEx default) a cluster is assigned to a gene only when the cluster
    has both a 5′ and a 3′ match to that gene (possibly by different introns); otherwise any
    match assigns it (the v8-era ``map_clusters_to_genes.R`` behaviour).

    Parameters
    ----------
    introns
        Parsed intron IDs (:func:`parse_intron_ids`), all introns of the clusters.
    exon_chrom, exon_start, exon_end, exon_gene_id
        (n_exons,) exons of the collapsed annotation, 1-based inclusive.

    References
    ----------
    gtex-pipeline ``cluster_prepare_fastqtl.py`` ``map_cluster_to_genes``.

    Examples
    --------
    >>> i = parse_intron_ids(["chr1:200:300:clu_1_+", "chr1:200:400:clu_1_+"])
    >>> cg = map_clusters_to_genes(i, ["chr1"] * 3, [100, 300, 400], [200, 350, 500],
    ...                            ["G1", "G1", "G1"])
    >>> cg.cluster_key.tolist(), cg.gene_id.tolist()
    (['chr1:clu_1_+'], ['G1'])
    """
    ec = np.asarray(exon_chrom).astype(str)
    es = np.asarray(exon_start, dtype=np.int64)
    ee = np.asarray(exon_end, dtype=np.int64)
    eg = np.asarray(exon_gene_id).astype(str)
    by_end: dict[tuple[str, int], set[str]] = {}
    by_start: dict[tuple[str, int], set[str]] = {}
    for c, s, e, g in zip(ec.tolist(), es.tolist(), ee.tolist(), eg.tolist(), strict=True):
        by_end.setdefault((c, e), set()).add(g)
        by_start.setdefault((c, s), set()).add(g)
    five: dict[str, set[str]] = {}
    three: dict[str, set[str]] = {}
    keys = introns.cluster_key.tolist()
    for k, c, s, e in zip(keys, introns.chrom.tolist(), introns.start.tolist(),
                          introns.end.tolist(), strict=True):
        five.setdefault(k, set()).update(by_end.get((c, s), ()))
        three.setdefault(k, set()).update(by_start.get((c, e), ()))
    pairs: list[tuple[str, str]] = []
    for k in sorted(five):
        genes = five[k] & three[k] if strict else five[k] | three[k]
        pairs.extend((k, g) for g in sorted(genes))
    return ClusterGenes(np.array([p[0] for p in pairs], dtype=np.str_),
                        np.array([p[1] for p in pairs], dtype=np.str_))


@dataclass(frozen=True)
class SqtlPhenotypes:
    """The sQTL phenotype table (GTEx ``<prefix>.leafcutter.bed``) and its groups.

    Rows are (intron, gene) pairs positioned at the gene's TSS; every array has
    n_phenotypes rows. ``phenotype_id`` is ``chrom:start:end:clu_<n>_<strand>:gene_id``;
    ``intron_index`` indexes the rows of the ``values`` given to :func:`sqtl_phenotypes`;
    ``chrom``, ``start``, ``end`` are the TSS BED interval; ``values`` is
    (n_phenotypes, n_samples). ``group_order`` orders the rows of the phenotype-groups file
    (``phenotype_id → gene_id``, sorted by gene).
    """

    phenotype_id: NDArray[np.str_]
    gene_id: NDArray[np.str_]
    intron_index: NDArray[np.int64]
    chrom: NDArray[np.str_]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    values: NDArray[np.float64]
    group_order: NDArray[np.int64]


def _chrom_rank(chrom: str) -> tuple[int, str]:
    c = chrom.removeprefix("chr")
    if c.isdigit():
        return int(c), ""
    return (23, "") if c == "X" else (24, c)


def sqtl_phenotypes(
    intron_ids: ArrayLike,
    values: ArrayLike,
    cluster_genes: ClusterGenes,
    tss_gene_id: ArrayLike,
    tss_chrom: ArrayLike,
    tss_start: ArrayLike,
    tss_end: ArrayLike,
) -> SqtlPhenotypes:
    """Expand normalized introns into per-gene phenotypes at the genes' TSSs.

    Introns are first ordered by (chromosome, start, end) with chrX after the autosomes;
    an intron whose cluster has several genes gives one phenotype per gene; introns of
    clusters without a gene are discarded. Rows are then sorted by TSS (start, end) within
    each chromosome, keeping that order for ties.

    Parameters
    ----------
    intron_ids
        (n_introns,) leafcutter intron IDs of the rows of ``values``.
    values
        (n_introns, n_samples) normalized excision ratios.
    cluster_genes
        :func:`map_clusters_to_genes` output.
    tss_gene_id, tss_chrom, tss_start, tss_end
        (n_genes,) each gene's TSS as a BED interval (``start = TSS − 1``, ``end = TSS``).

    References
    ----------
    gtex-pipeline ``cluster_prepare_fastqtl.py`` (BED sort, "adding TSSs", groups).

    Examples
    --------
    >>> cg = ClusterGenes(np.array(["chr1:clu_1_+"]), np.array(["G1"]))
    >>> p = sqtl_phenotypes(["chr1:200:300:clu_1_+", "chr2:5:9:clu_2_-"], np.eye(2), cg,
    ...                     ["G1"], ["chr1"], [99], [100])
    >>> p.phenotype_id.tolist(), p.start.tolist()
    (['chr1:200:300:clu_1_+:G1'], [99])
    """
    ids = np.asarray(intron_ids).astype(str)
    vals = np.asarray(values, dtype=np.float64)
    introns = parse_intron_ids(ids)
    order = sorted(range(ids.size), key=lambda i: (_chrom_rank(str(introns.chrom[i])),
                                                   int(introns.start[i]), int(introns.end[i])))
    tss = {g: (c, int(s), int(e)) for g, c, s, e in zip(
        np.asarray(tss_gene_id).astype(str).tolist(), np.asarray(tss_chrom).astype(str).tolist(),
        np.asarray(tss_start).tolist(), np.asarray(tss_end).tolist(), strict=True)}
    genes_of = cluster_genes.genes_of()
    keys = introns.cluster_key
    rows: list[tuple[int, str]] = [(i, g) for i in order for g in genes_of.get(str(keys[i]), [])]
    missing = sorted({g for _, g in rows if g not in tss})
    if missing:
        raise ValueError(f"no TSS for genes {missing[:5]}")
    chrom_first: dict[str, int] = {}
    for _, g in rows:
        chrom_first.setdefault(tss[g][0], len(chrom_first))
    final = sorted(range(len(rows)), key=lambda k: (chrom_first[tss[rows[k][1]][0]],
                                                    tss[rows[k][1]][1], tss[rows[k][1]][2]))
    rows = [rows[k] for k in final]
    pid = np.array([f"{ids[i]}:{g}" for i, g in rows], dtype=str)
    gid = np.array([g for _, g in rows], dtype=str)
    return SqtlPhenotypes(
        pid, gid, np.array([i for i, _ in rows], dtype=np.int64),
        np.array([tss[g][0] for g in gid.tolist()], dtype=str),
        np.array([tss[g][1] for g in gid.tolist()], dtype=np.int64),
        np.array([tss[g][2] for g in gid.tolist()], dtype=np.int64),
        vals[[i for i, _ in rows]] if rows else np.empty((0, vals.shape[1])),
        np.argsort(gid, kind="stable").astype(np.int64),
    )
