"""cis nominal pass: every (phenotype, variant) pair in the phenotype's cis window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.genotype_stats import allele_stats, impute_mean, is_monomorphic, maf_mask
from genotex.qtl.regression import association_from_r, residualize_rows
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows, window_blocks

__all__ = ["CisNominalResult", "PreparedGenotypes", "map_cis_nominal", "prepare_genotypes"]


@dataclass(frozen=True)
class PreparedGenotypes:
    """Per-variant quantities shared by every phenotype; arrays have n_variants rows.

    ``imputed`` (n_variants, n_samples) mean-imputed dosages ((0, n_samples) when not kept:
    ``prepare_genotypes(keep_imputed=False)``); ``unit`` the residualized rows scaled to unit
    norm (NaN for constant variants); ``var`` their ddof=1 variances; ``af``,
    ``ma_samples``, ``ma_count`` allele statistics; ``keep`` the MAF filter;
    ``monomorphic`` constant dosage rows.
    """

    imputed: NDArray[np.floating]
    unit: NDArray[np.floating]
    var: NDArray[np.floating]
    af: NDArray[np.float32]
    ma_samples: NDArray[np.int32]
    ma_count: NDArray[np.int32]
    keep: NDArray[np.bool_]
    monomorphic: NDArray[np.bool_]


def prepare_genotypes(
    genotypes: ArrayLike, residualizer: Residualizer, *, maf_threshold: float = 0.0,
    minor_allele_counts: bool = True, keep_imputed: bool = True,
) -> PreparedGenotypes:
    """Impute, summarize, filter and residualize a genotype matrix once for all phenotypes.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages in [0, 2], NaN = missing.
    residualizer
        Covariates to project out.
    maf_threshold
        In-sample MAF filter on the imputed dosages (``maf ≥ threshold``; 0 keeps all).
    minor_allele_counts
        Compute ``ma_samples``/``ma_count`` for every variant (False: only ``af``, the counts
        are left zero; the permutation pass needs them for the top variants only).
    keep_imputed
        Keep the imputed dosages (``imputed``); without them the residualization reuses their
        memory (no second copy of the matrix).
    """
    g = impute_mean(genotypes)
    if minor_allele_counts:
        st = allele_stats(g)
        af, ma_s, ma_c = st.af, st.ma_samples, st.ma_count
    else:
        af = (g.sum(1, dtype=np.float64) / (2 * g.shape[1])).astype(np.float32)
        ma_s = ma_c = np.zeros(g.shape[0], dtype=np.int32)
    monomorphic = is_monomorphic(g)
    rows = residualize_rows(g, residualizer, overwrite=not keep_imputed)
    imputed = g if keep_imputed else np.empty((0, g.shape[1]), dtype=g.dtype)
    return PreparedGenotypes(
        imputed, rows.unit, rows.var, af, ma_s, ma_c, maf_mask(af, maf_threshold), monomorphic,
    )


@dataclass(frozen=True)
class CisNominalResult:
    """All tested pairs, ordered by phenotype then variant; arrays have shape (n_pairs,).

    ``phenotype_index`` and ``variant_index`` index the input phenotype and genotype rows.
    Columns follow tensorQTL's ``cis_qtl_pairs`` file (``pval_nominal``, ``slope``,
    ``slope_se``, ``af``, ``ma_samples``, ``ma_count``) plus ``tstat``; constant
    (monomorphic) variants that pass the MAF filter give NaN statistics, as in tensorQTL.
    """

    phenotype_index: NDArray[np.int64]
    variant_index: NDArray[np.int64]
    tstat: NDArray[np.float64]
    slope: NDArray[np.float64]
    slope_se: NDArray[np.float64]
    pval_nominal: NDArray[np.float64]
    af: NDArray[np.float32]
    ma_samples: NDArray[np.int32]
    ma_count: NDArray[np.int32]
    dof: int


def map_cis_nominal(
    genotypes: ArrayLike,
    phenotypes: ArrayLike,
    windows: CisWindows,
    residualizer: Residualizer,
    *,
    maf_threshold: float = 0.0,
    max_phenotypes_per_block: int = 64,
) -> CisNominalResult:
    """Nominal association of each phenotype with every variant in its cis window.

    Each variant is imputed and residualized once; phenotypes with overlapping windows are
    computed together in one matrix product over the union of their windows.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages in [0, 2], NaN = missing, sorted by position.
    phenotypes
        (n_phenotypes, n_samples) normalized expression, same sample order.
    windows
        cis window of each phenotype as row ranges of ``genotypes`` (``cis_windows``).
    residualizer
        Covariates (``Residualizer.intercept_only(n)`` for none); sets dof and precision.
    maf_threshold
        In-sample MAF filter (``maf ≥ threshold``), 0 = off.
    max_phenotypes_per_block
        Phenotypes per matrix product (memory/speed trade-off only).

    Returns
    -------
    CisNominalResult
        Constant phenotypes and empty windows contribute no pairs.

    References
    ----------
    tensorQTL ``cis.map_nominal`` / ``calculate_cis_nominal`` (Taylor-Weiner et al. 2019).

    Examples
    --------
    >>> g = np.array([[0.0, 1, 2, 1, 0, 2], [1, 1, 1, 1, 1, 1]])
    >>> y = np.array([[0.1, 1.2, 1.9, 0.8, 0.2, 2.2]])
    >>> w = CisWindows(np.array([0]), np.array([2]))
    >>> res = map_cis_nominal(g, y, w, Residualizer.intercept_only(6))
    >>> res.variant_index.tolist(), bool(np.isnan(res.pval_nominal[1]))
    ([0, 1], True)
    """
    y = np.asarray(phenotypes)
    if windows.start.shape != (y.shape[0],):
        raise ValueError("windows must have one entry per phenotype")
    prep = prepare_genotypes(genotypes, residualizer, maf_threshold=maf_threshold,
                             keep_imputed=False)
    yr = residualize_rows(y, residualizer)
    constant = (y == y[:, :1]).all(1)
    active = CisWindows(np.where(constant, 0, windows.start), np.where(constant, 0, windows.stop))
    r_parts: dict[int, NDArray[np.floating]] = {}
    v_parts: dict[int, NDArray[np.int64]] = {}
    for block in window_blocks(active, max_phenotypes=max_phenotypes_per_block):
        r = prep.unit[block.start:block.stop] @ yr.unit[block.phenotypes].T
        for j, p in enumerate(block.phenotypes.tolist()):
            lo, hi = int(active.start[p]) - block.start, int(active.stop[p]) - block.start
            keep = np.flatnonzero(prep.keep[block.start + lo:block.start + hi]) + lo
            r_parts[p] = r[keep, j]
            v_parts[p] = keep + block.start
    order = sorted(r_parts)
    pidx = np.concatenate(
        [np.full(v_parts[p].size, p, dtype=np.int64) for p in order] or [np.empty(0, np.int64)]
    )
    vidx = np.concatenate([v_parts[p] for p in order] or [np.empty(0, np.int64)])
    rr = np.concatenate([r_parts[p] for p in order] or [np.empty(0)])
    a = association_from_r(rr, prep.var[vidx], yr.var[pidx], residualizer.dof)
    return CisNominalResult(
        pidx, vidx, a.tstat, a.slope, a.slope_se, a.pval,
        prep.af[vidx], prep.ma_samples[vidx], prep.ma_count[vidx], residualizer.dof,
    )
