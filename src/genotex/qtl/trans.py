"""trans-QTL mapping: every variant of a genotype chunk against every phenotype, kept sparse.

The pipeline streams genotype chunks through :func:`map_trans` (each call is independent, so
chunked and unchunked runs give the same pairs), concatenates the parts with
:func:`concat_trans_pairs` and drops cis pairs with :func:`filter_cis`. The permutation
calibration of tensorQTL's ``trans.map_permutations`` is split the same way:
:func:`trans_permutation_phenotypes` makes the pseudo-phenotypes, :func:`trans_max_r2` reduces
one chunk to a per-permutation maximum, :func:`fit_trans_permutations` fits the Beta
distribution and :func:`apply_trans_permutations` turns pairs into permutation p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from genotex.qtl.beta_approx import fit_beta
from genotex.qtl.genotype_stats import impute_mean, maf_mask
from genotex.qtl.regression import pval_from_r2, pval_from_t, residualize_rows, tstat_from_r
from genotex.qtl.residualize import Residualizer

__all__ = [
    "TransPairs",
    "TransPermutationFit",
    "TransPermutationPvalues",
    "apply_trans_permutations",
    "concat_trans_pairs",
    "filter_cis",
    "fit_trans_permutations",
    "leave_one_out_max",
    "map_trans",
    "r_threshold",
    "trans_max_r2",
    "trans_permutation_phenotypes",
]


@dataclass(frozen=True)
class TransPairs:
    """Significant (variant, phenotype) pairs; every array has shape (n_pairs,).

    ``variant_index`` indexes the genotype rows given to :func:`map_trans` plus its
    ``variant_offset`` (so indices of streamed chunks are global); ``phenotype_index`` indexes
    the phenotype rows. Columns follow tensorQTL's sparse ``trans_qtl_pairs`` output
    (``pval``, ``b``, ``b_se``, ``r2``, ``af``) plus ``tstat``. Pairs are ordered by variant,
    then phenotype. ``n_variants_tested`` counts variants that passed the MAF filter.
    """

    variant_index: NDArray[np.int64]
    phenotype_index: NDArray[np.int64]
    tstat: NDArray[np.float64]
    pval: NDArray[np.float64]
    b: NDArray[np.float64]
    b_se: NDArray[np.float64]
    r2: NDArray[np.float64]
    af: NDArray[np.float32]
    dof: int
    n_variants_tested: int

    def __len__(self) -> int:
        return int(self.variant_index.size)

    def subset(self, mask: ArrayLike) -> TransPairs:
        """The pairs selected by a boolean mask or an index array of length ``n_pairs``."""
        m = np.asarray(mask)
        return TransPairs(
            self.variant_index[m], self.phenotype_index[m], self.tstat[m], self.pval[m],
            self.b[m], self.b_se[m], self.r2[m], self.af[m], self.dof, self.n_variants_tested,
        )


def r_threshold(pval_threshold: float, dof: float) -> float:
    """Smallest ``|r|`` whose two-sided t-test p-value is ``≤ pval_threshold``.

    ``t_t = −T_dof.ppf(p/2)``, ``r_t = t_t / sqrt(dof + t_t²)`` (tensorQTL ``map_trans``).

    Examples
    --------
    >>> r = r_threshold(0.05, 20)
    >>> round(float(pval_from_t(tstat_from_r(r, 20), 20)), 10)
    0.05
    """
    t = -special.stdtrit(dof, pval_threshold / 2)
    return float(t / np.sqrt(dof + t * t))


def map_trans(
    genotypes: ArrayLike,
    phenotypes: ArrayLike,
    residualizer: Residualizer,
    *,
    pval_threshold: float = 1e-5,
    maf_threshold: float = 0.05,
    variant_offset: int = 0,
    max_variants_per_block: int = 4096,
) -> TransPairs:
    """Associate one genotype chunk with all phenotypes and keep pairs with ``p ≤ threshold``.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages in [0, 2], NaN = missing (mean-imputed here).
    phenotypes
        (n_phenotypes, n_samples) normalized phenotypes, same sample order.
    residualizer
        Covariates to project out (``Residualizer.intercept_only(n)`` for none); sets
        ``dof = n − 2 − k`` and the precision of the correlations.
    pval_threshold
        Pairs with ``|r| ≥ r_threshold(pval_threshold, dof)`` are returned; the cut is on
        ``|r|`` as in tensorQTL, so a pair on the boundary may exceed it by rounding.
    maf_threshold
        In-sample MAF filter (``maf ≥ threshold``); tensorQTL's Python default 0.05
        (its CLI uses 0).
    variant_offset
        Added to ``variant_index`` (the chunk's first row in the whole genotype matrix).
    max_variants_per_block
        Rows per matrix product (memory only; results do not depend on it).

    Returns
    -------
    TransPairs
        ``b = r·sqrt(var_y/var_g)``, ``b_se = b/t``, ``r2 = r²``, ``af`` of the imputed dosages.

    References
    ----------
    tensorQTL ``trans.map_trans`` (sparse output, ``return_r2=True``).

    Examples
    --------
    >>> g = np.array([[0.0, 1, 2, 1, 0, 2, 1, 0], [0, 0, 1, 0, 0, 1, 0, 0]])
    >>> y = np.array([[0.1, 1.2, 1.9, 0.8, 0.2, 2.2, 1.1, -0.1]])
    >>> res = map_trans(g, y, Residualizer.intercept_only(8), pval_threshold=1e-3,
    ...                 maf_threshold=0.05)
    >>> res.variant_index.tolist(), bool(res.pval[0] < 1e-3)
    ([0], True)
    """
    y = np.asarray(phenotypes)
    g = impute_mean(genotypes)
    if g.ndim != 2 or y.ndim != 2 or g.shape[1] != y.shape[1]:
        raise ValueError(f"genotypes {g.shape} and phenotypes {y.shape} must share samples")
    dof = residualizer.dof
    af_all = (g.sum(1, dtype=np.float64) / (2 * g.shape[1])).astype(np.float32)
    tested = np.flatnonzero(maf_mask(af_all, maf_threshold))
    yr = residualize_rows(y, residualizer)
    r_t = r_threshold(pval_threshold, dof)
    vi, pi, rs = [], [], []
    for lo in range(0, tested.size, max_variants_per_block):
        rows = tested[lo:lo + max_variants_per_block]
        gr = residualize_rows(g[rows], residualizer)
        r = gr.unit @ yr.unit.T
        with np.errstate(invalid="ignore"):
            iv, ip = np.nonzero(np.abs(r) >= r_t)
        vi.append(rows[iv])
        pi.append(ip)
        rs.append((r[iv, ip].astype(np.float64), gr.var[iv].astype(np.float64)))
    v = np.concatenate(vi or [np.empty(0, np.int64)]).astype(np.int64)
    p = np.concatenate(pi or [np.empty(0, np.int64)]).astype(np.int64)
    r = np.concatenate([a for a, _ in rs] or [np.empty(0)])
    var_g = np.concatenate([b for _, b in rs] or [np.empty(0)])
    t = tstat_from_r(r, dof)
    b = r * np.sqrt(yr.var[p].astype(np.float64) / var_g)
    with np.errstate(invalid="ignore", divide="ignore"):
        b_se = b / t
    return TransPairs(v + variant_offset, p, t, pval_from_t(t, dof), b, b_se, r * r,
                      af_all[v], dof, int(tested.size))


def concat_trans_pairs(parts: Sequence[TransPairs]) -> TransPairs:
    """Concatenate the results of consecutive genotype chunks (same phenotypes and dof).

    Examples
    --------
    >>> g = np.array([[0.0, 1, 2, 1, 0, 2, 1, 0], [2, 1, 0, 1, 2, 0, 1, 2]])
    >>> y = np.array([[0.1, 1.2, 1.9, 0.8, 0.2, 2.2, 1.1, -0.1]])
    >>> r = Residualizer.intercept_only(8)
    >>> parts = [map_trans(g[i:i + 1], y, r, pval_threshold=1e-3, variant_offset=i)
    ...          for i in range(2)]
    >>> concat_trans_pairs(parts).variant_index.tolist()
    [0, 1]
    """
    if not parts:
        raise ValueError("no parts to concatenate")
    dofs = {p.dof for p in parts}
    if len(dofs) != 1:
        raise ValueError(f"parts have different dof: {sorted(dofs)}")

    def cat(name: str) -> Any:
        return np.concatenate([getattr(p, name) for p in parts])

    return TransPairs(
        cat("variant_index"), cat("phenotype_index"), cat("tstat"), cat("pval"), cat("b"),
        cat("b_se"), cat("r2"), cat("af"), parts[0].dof,
        sum(p.n_variants_tested for p in parts),
    )


def filter_cis(
    pairs: TransPairs,
    variant_chrom: ArrayLike,
    variant_pos: ArrayLike,
    phenotype_chrom: ArrayLike,
    phenotype_start: ArrayLike,
    phenotype_end: ArrayLike | None = None,
    *,
    window: int = 5_000_000,
) -> TransPairs:
    """Drop pairs whose variant lies on the phenotype's chromosome within ``±window``.

    A pair is cis when the chromosomes are equal and
    ``start − window ≤ pos ≤ end + window`` (closed interval, 1-based positions).

    Parameters
    ----------
    pairs
        Output of :func:`map_trans` / :func:`concat_trans_pairs`.
    variant_chrom, variant_pos
        (n_variants,) chromosome and position of every genotype row (global indexing).
    phenotype_chrom, phenotype_start, phenotype_end
        (n_phenotypes,) phenotype location; ``end`` defaults to ``start`` (a TSS).
    window
        Half-width in bp; tensorQTL's CLI uses 5 Mb.

    References
    ----------
    tensorQTL ``trans.filter_cis``.

    Examples
    --------
    >>> g = np.array([[0.0, 1, 2, 1, 0, 2, 1, 0], [2, 1, 0, 1, 2, 0, 1, 2]])
    >>> y = np.array([[0.1, 1.2, 1.9, 0.8, 0.2, 2.2, 1.1, -0.1]])
    >>> pairs = map_trans(g, y, Residualizer.intercept_only(8), pval_threshold=1e-3)
    >>> kept = filter_cis(pairs, ["1", "1"], [100, 9_000_000], ["1"], [200])
    >>> kept.variant_index.tolist()
    [1]
    """
    vchrom = np.asarray(variant_chrom)[pairs.variant_index]
    vpos = np.asarray(variant_pos, dtype=np.int64)[pairs.variant_index]
    start = np.asarray(phenotype_start, dtype=np.int64)
    end = start if phenotype_end is None else np.asarray(phenotype_end, dtype=np.int64)
    p = pairs.phenotype_index
    cis = ((vchrom == np.asarray(phenotype_chrom)[p]) & (vpos >= start[p] - window)
           & (vpos <= end[p] + window))
    return pairs.subset(~cis)


def trans_permutation_phenotypes(
    n_samples: int, *, n_permutations: int = 10_000, seed: int | None = None
) -> NDArray[np.float64]:
    """Shuffled normal quantiles ``Φ⁻¹(i/(n+1))``, one row per permutation.

    Uses NumPy's legacy ``RandomState(seed).shuffle`` row by row, so the rows equal
    tensorQTL's ``np.random.seed(seed)`` + ``np.random.shuffle`` for the same seed.

    Returns
    -------
    (n_permutations, n_samples) pseudo-phenotypes.

    References
    ----------
    tensorQTL ``trans.map_permutations`` (``permutations=None``).

    Examples
    --------
    >>> p = trans_permutation_phenotypes(5, n_permutations=3, seed=1)
    >>> p.shape, bool(np.allclose(np.sort(p, 1), np.sort(p[0])))
    ((3, 5), True)
    """
    q = special.ndtri(np.arange(1, n_samples + 1) / (n_samples + 1))
    perms = np.tile(q, (n_permutations, 1))
    rng = np.random.RandomState(seed)
    for i in range(n_permutations):
        rng.shuffle(perms[i])
    return perms


def trans_max_r2(
    genotypes: ArrayLike,
    permutations: ArrayLike,
    residualizer: Residualizer,
    *,
    maf_threshold: float = 0.05,
) -> NDArray[np.float64]:
    """Maximum squared correlation over one genotype chunk, for each pseudo-phenotype.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) dosages, NaN = missing.
    permutations
        (n_permutations, n_samples) from :func:`trans_permutation_phenotypes`.
    residualizer
        Covariates projected out of both.
    maf_threshold
        In-sample MAF filter, as in :func:`map_trans`.

    Returns
    -------
    (n_permutations,) ``max_v r²``; combine chunks with ``np.fmax``. A chunk with no
    variant passing the filter gives zeros. Constant variants give NaN (as in tensorQTL).
    """
    g = impute_mean(genotypes)
    af = (g.sum(1, dtype=np.float64) / (2 * g.shape[1])).astype(np.float32)
    keep = maf_mask(af, maf_threshold)
    perms = np.atleast_2d(np.asarray(permutations))
    if not keep.any():
        return np.zeros(perms.shape[0])
    gr = residualize_rows(g[keep], residualizer)
    pr = residualize_rows(perms, residualizer)
    r = gr.unit @ pr.unit.T
    return np.asarray((r * r).max(0), dtype=np.float64)


def leave_one_out_max(chrom_max_r2: ArrayLike) -> NDArray[np.float64]:
    """For each chromosome, the per-permutation maximum over all *other* chromosomes.

    Parameters
    ----------
    chrom_max_r2
        (n_chromosomes, n_permutations) per-chromosome maxima of r².

    Returns
    -------
    (n_chromosomes, n_permutations)

    Examples
    --------
    >>> leave_one_out_max([[0.1, 0.5], [0.3, 0.2], [0.2, 0.4]]).tolist()
    [[0.3, 0.4], [0.2, 0.5], [0.3, 0.5]]
    """
    m = np.asarray(chrom_max_r2, dtype=np.float64)
    out = np.empty_like(m)
    for i in range(m.shape[0]):
        out[i] = np.delete(m, i, axis=0).max(0)
    return out


@dataclass(frozen=True)
class TransPermutationFit:
    """Beta fit of the permutation maxima (tensorQTL ``map_permutations`` output).

    ``minp_true_df`` and ``minp_empirical`` have shape (n_permutations,): the permutation
    minimum p-values at ``true_df`` and at the nominal ``dof``.
    """

    beta_shape1: float
    beta_shape2: float
    true_df: float
    dof: int
    minp_true_df: NDArray[np.float64]
    minp_empirical: NDArray[np.float64]


def fit_trans_permutations(max_r2: ArrayLike, *, dof: int) -> TransPermutationFit:
    """Fit the Beta approximation to the per-permutation maxima of r².

    Parameters
    ----------
    max_r2
        (n_permutations,) maxima over all tested variants (``np.fmax`` of :func:`trans_max_r2`
        over chunks), or one row of :func:`leave_one_out_max`.
    dof
        ``n − 2 − k`` (``residualizer.dof``), the starting value of the true-df search.

    References
    ----------
    tensorQTL ``trans.map_permutations`` and ``core.fit_beta_parameters`` (tol 1e-4).
    """
    r2 = np.asarray(max_r2, dtype=np.float64)
    s1, s2, true_df, _ = fit_beta(r2, dof_init=dof, tol=1e-4)
    return TransPermutationFit(s1, s2, true_df, dof, pval_from_r2(r2, true_df),
                               pval_from_r2(r2, dof))


@dataclass(frozen=True)
class TransPermutationPvalues:
    """Permutation p-values of trans pairs; every array has shape (n_pairs,)."""

    pval_true_df: NDArray[np.float64]
    pval_perm: NDArray[np.float64]
    pval_beta: NDArray[np.float64]


def apply_trans_permutations(
    pairs: TransPairs, fit: TransPermutationFit
) -> TransPermutationPvalues:
    """Empirical and Beta-approximated permutation p-values of each pair.

    ``pval_perm = (#{minp_empirical ≤ pval} + 1)/(n_perm + 1)``,
    ``pval_true_df = p(r2; true_df)``, ``pval_beta = BetaCDF(pval_true_df)``.
    With per-chromosome fits, call it on the pairs of each phenotype chromosome.

    References
    ----------
    tensorQTL ``trans.apply_permutations``.
    """
    p_true = pval_from_r2(pairs.r2, fit.true_df)
    emp = np.sort(fit.minp_empirical)
    count = np.searchsorted(emp, pairs.pval, side="right")
    return TransPermutationPvalues(
        p_true, (count + 1) / (emp.size + 1),
        np.asarray(special.betainc(fit.beta_shape1, fit.beta_shape2, p_true)),
    )
