"""Per-variant genotype summaries: mean imputation, allele frequency, minor-allele counts."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["AlleleStats", "allele_stats", "impute_mean", "is_monomorphic", "maf_mask"]


def impute_mean(genotypes: ArrayLike) -> NDArray[np.floating]:
    """Replace missing dosages by the mean of the variant's non-missing samples.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages in [0, 2], NaN = missing.

    Returns
    -------
    (n_variants, n_samples) a new float array (float32 input stays float32, anything else
    becomes float64). A variant missing in every sample stays NaN.

    References
    ----------
    tensorQTL ``core.impute_mean``; FastQTL ``imputeGenotypes``.

    Examples
    --------
    >>> impute_mean([[0.0, np.nan, 2.0, 1.0]]).tolist()
    [[0.0, 1.0, 2.0, 1.0]]
    """
    g: NDArray[np.floating] = np.array(
        genotypes, dtype=np.float32 if np.asarray(genotypes).dtype == np.float32 else np.float64)
    miss = np.isnan(g)
    if miss.any():
        np.copyto(g, 0, where=miss)
        n_ok = g.shape[1] - miss.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = g.sum(1, dtype=np.float64) / n_ok
        np.copyto(g, mu[:, None].astype(g.dtype), where=miss)
    return g


@dataclass(frozen=True)
class AlleleStats:
    """ALT allele frequency and minor-allele counts; every array has shape (n_variants,)."""

    af: NDArray[np.float32]
    ma_samples: NDArray[np.int32]
    ma_count: NDArray[np.int32]


_STATS_ROWS = 1024


def allele_stats(genotypes: ArrayLike, *, top_variant: bool = False) -> AlleleStats:
    """Allele frequency, minor-allele samples and counts of imputed dosages.

    ``af = Σg / 2n``. If ``af ≤ 0.5``: ``ma_samples = #{g > 0.5}`` and
    ``ma_count = trunc(Σ_{g>0.5} g)``; otherwise ``ma_samples = #{g < 1.5}`` and
    ``ma_count = 2n − trunc(Σ_{g>0.5} g)`` (the sum is truncated, not rounded, as in tensorQTL).

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) imputed dosages (no NaN).
    top_variant
        The formulas of tensorQTL's permutation table (its top variants) instead of its
        nominal pairs: each row summed in the dosages' own precision (``np.sum`` of the row's
        selected values) and ``ma_count = trunc(2n − Σ_{g>0.5} g)`` when ``af > 0.5``. Only
        fractional (e.g. imputed) dosages can tell the two apart.

    References
    ----------
    tensorQTL ``core.get_allele_stats`` (the cis_qtl_pairs columns) and
    ``cis.prepare_cis_output`` (``top_variant``).

    Examples
    --------
    >>> s = allele_stats([[0, 1, 2, 2], [0, 0, 1, 0]])
    >>> s.af.tolist(), s.ma_samples.tolist(), s.ma_count.tolist()
    ([0.625, 0.125], [2, 1], [3, 1])
    >>> allele_stats([[2, 2, 1.5, 0.7]], top_variant=True).ma_count.tolist()
    [1]
    """
    g = np.asarray(genotypes)
    if g.dtype.kind != "f":
        g = g.astype(np.float64)
    if g.shape[0] > _STATS_ROWS:  # in blocks: the temporaries stay small (no page faults)
        parts = [allele_stats(g[lo:lo + _STATS_ROWS], top_variant=top_variant)
                 for lo in range(0, g.shape[0], _STATS_ROWS)]
        return AlleleStats(*(np.concatenate([getattr(p, f.name) for p in parts])
                             for f in fields(AlleleStats)))
    n2 = 2 * g.shape[1]
    high = g > 0.5
    high_sum = _masked_row_sums(g, high)
    if not top_variant:
        af = g.sum(1, dtype=np.float64) / n2
        a = np.trunc(high_sum).astype(np.int64)
        ma_count = np.where(af <= 0.5, a, n2 - a)
    else:
        af = g.sum(1).astype(np.float64) / n2
        # a sum close to an integer may truncate differently when summed in the dosages'
        # precision over the selected values alone: those rows are redone one by one
        # (integer dosages sum exactly)
        near = np.abs(high_sum - np.round(high_sum)) < 1e-3
        for i in np.flatnonzero(near).tolist():
            row = g[i]
            if np.any(row != np.floor(row)):
                high_sum[i] = float(np.sum(row[high[i]]))
        ma_count = np.trunc(np.where(af <= 0.5, high_sum, n2 - high_sum)).astype(np.int64)
    ma_samples = np.where(af <= 0.5, high.sum(1), (g < 1.5).sum(1))
    return AlleleStats(af.astype(np.float32), ma_samples.astype(np.int32),
                       ma_count.astype(np.int32))


def _masked_row_sums(g: NDArray[np.floating], mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``Σ_j g[i, j]·mask[i, j]`` per row in float64: the row sums of ``where(mask, g, 0)``.

    Multiplying by the mask is ~8× faster than ``np.where`` and gives the same values (the
    same summands in the same order); rows holding NaN (not imputed) fall back to ``where``,
    which leaves an unselected NaN out.
    """
    sums = np.multiply(g, mask).sum(1, dtype=np.float64)
    bad = np.flatnonzero(np.isnan(sums))
    if bad.size:
        sums[bad] = np.where(mask[bad], g[bad], 0).sum(1, dtype=np.float64)
    return sums


def maf_mask(af: ArrayLike, threshold: float) -> NDArray[np.bool_]:
    """Variants whose minor allele frequency ``min(af, 1 − af)`` is ``≥ threshold``.

    The comparison is done in float32, as tensorQTL does, so boundary cases agree with it.
    A threshold ``≤ 0`` keeps every variant.

    Parameters
    ----------
    af
        (n_variants,) ALT allele frequency.

    Examples
    --------
    >>> maf_mask([0.01, 0.5, 0.995], 0.01).tolist()
    [True, True, False]
    """
    a = np.asarray(af, dtype=np.float32)
    if threshold <= 0:
        return np.ones(a.shape, dtype=bool)
    maf = np.where(a > 0.5, np.float32(1) - a, a)
    return np.asarray(maf >= np.float32(threshold))


def is_monomorphic(genotypes: ArrayLike) -> NDArray[np.bool_]:
    """Variants whose (imputed) dosage is identical in every sample, e.g. all 0 or all 1.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) imputed dosages.

    Examples
    --------
    >>> is_monomorphic([[1, 1, 1], [0, 1, 0]]).tolist()
    [True, False]
    """
    g = np.asarray(genotypes)
    return np.asarray((g == g[:, :1]).all(1))
