"""TMM normalization factors and normalized counts per million, exactly as edgeR computes them.

References
----------
Robinson & Oshlack (2010), Genome Biology 11:R25. Reproduces Bioconductor edgeR 3.40.2
``calcNormFactors.default(method="TMM")`` with ``.calcFactorTMM`` and ``.calcFactorQuantile``,
and ``cpm.DGEList(normalized.lib.sizes=TRUE)``; pyqtl ``qtl.norm.edger_calcnormfactors`` /
``edger_cpm`` (used by the GTEx pipeline) are the same arithmetic without edgeR's special cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from genotex.errors import InputError

__all__ = ["edger_cpm", "tmm_norm_factors"]

def _as_counts(counts: ArrayLike | pd.DataFrame) -> NDArray[np.float64]:
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim != 2:
        raise InputError(None, f"counts must be a 2-D genes × samples matrix, got {y.ndim}-D",
                         "pass one row per gene and one column per sample")
    if np.isnan(y).any():
        raise InputError(None, "NA counts not permitted", "replace missing counts by 0")
    if (y < 0).any():
        raise InputError(None, "negative counts not permitted", "pass raw read counts")
    return y


def _reference_column(y: NDArray[np.float64], lib_size: NDArray[np.float64]) -> int:
    """edgeR's choice of reference sample (0-based); ``y`` has no all-zero rows."""
    # .calcFactorQuantile: quantile type 7 of the raw counts, then / lib.size
    f75 = np.percentile(y, 75, axis=0) / lib_size
    if np.median(f75) < 1e-20:
        return int(np.argmax(np.sqrt(y).sum(axis=0)))
    return int(np.argmin(np.abs(f75 - np.mean(f75))))


def _tmm_factor(
    obs: NDArray[np.float64],
    ref: NDArray[np.float64],
    n_obs: float,
    n_ref: float,
    *,
    logratio_trim: float,
    sum_trim: float,
    do_weighting: bool,
    a_cutoff: float,
) -> float:
    """edgeR ``.calcFactorTMM`` for one sample against the reference sample."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.log2((obs / n_obs) / (ref / n_ref))
        abs_e = (np.log2(obs / n_obs) + np.log2(ref / n_ref)) / 2
        v = (n_obs - obs) / n_obs / obs + (n_ref - ref) / n_ref / ref
    fin = np.isfinite(log_r) & np.isfinite(abs_e) & (abs_e > a_cutoff)
    log_r, abs_e, v = log_r[fin], abs_e[fin], v[fin]
    # R: max(abs(logR)) of an empty vector is -Inf, so the factor is 1 as well
    if log_r.size == 0 or np.max(np.abs(log_r)) < 1e-6:
        return 1.0
    n = log_r.size
    lo_l = np.floor(n * logratio_trim) + 1
    hi_l = n + 1 - lo_l
    lo_s = np.floor(n * sum_trim) + 1
    hi_s = n + 1 - lo_s
    rank_r = rankdata(log_r)
    rank_e = rankdata(abs_e)
    keep = (rank_r >= lo_l) & (rank_r <= hi_l) & (rank_e >= lo_s) & (rank_e <= hi_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        if do_weighting:
            f = np.float64(np.nansum(log_r[keep] / v[keep])) / np.float64(np.nansum(1 / v[keep]))
        else:
            kept = log_r[keep][~np.isnan(log_r[keep])]
            f = np.float64(kept.mean()) if kept.size else np.float64(np.nan)
    if np.isnan(f):  # R: if(is.na(f)) f <- 0
        f = np.float64(0.0)
    return float(2.0**f)


def tmm_norm_factors(
    counts: ArrayLike | pd.DataFrame,
    *,
    ref_column: int | None = None,
    logratio_trim: float = 0.3,
    sum_trim: float = 0.05,
    do_weighting: bool = True,
    a_cutoff: float = -1e10,
) -> NDArray[np.float64]:
    """TMM normalization factors, one per sample, as edgeR ``calcNormFactors(method="TMM")``.

    Parameters
    ----------
    counts
        (n_genes, n_samples) non-negative read counts (a DataFrame or array). NaN and negative
        values raise :class:`~genotex.errors.InputError`, as edgeR stops on NA counts.
    ref_column
        0-based index of the reference sample. ``None`` (default) picks it as edgeR does: the
        sample whose upper-quartile fraction ``f75`` is closest to the mean ``f75`` (first on
        ties), or, when ``median(f75) < 1e-20``, the sample with the largest ``Σ sqrt(count)``.
    logratio_trim, sum_trim
        Fractions trimmed from each end of the M values (log ratios) and A values (average
        log expression); edgeR's ``logratioTrim`` and ``sumTrim``.
    do_weighting
        Precision-weight the trimmed mean of M values (edgeR ``doWeighting``).
    a_cutoff
        Genes with A value at or below this are ignored (edgeR ``Acutoff``).

    Returns
    -------
    (n_samples,) float64 factors whose product is 1. Library sizes are the column sums of
    *all* genes; genes with zero counts in every sample are dropped first. A sample whose M
    values are all below 1e-6 in absolute value, or whose weighted mean is NA, gets a raw
    factor of 1 before the rescaling (edgeR). With no non-zero gene or a single sample, every
    factor is 1.

    Raises
    ------
    InputError
        NaN or negative counts, a non-2-D input, or a sample with a total count of 0 (edgeR
        fails on it too: its upper-quartile fraction is undefined).

    References
    ----------
    Robinson & Oshlack (2010); edgeR 3.40.2 ``calcNormFactors.default``/``.calcFactorTMM``.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[10, 20], [30, 60], [5, 10], [0, 0]])
    >>> tmm_norm_factors(counts)
    array([1., 1.])
    >>> f = tmm_norm_factors([[10, 20, 5], [30, 55, 9], [5, 12, 4], [50, 90, 30]])
    >>> float(np.prod(f).round(12))
    1.0
    """
    y = _as_counts(counts)
    n_samples = y.shape[1]
    lib_size = y.sum(axis=0)
    y = y[(y > 0).sum(axis=1) > 0]
    if y.shape[0] == 0 or n_samples == 1:
        return np.ones(n_samples)
    if (lib_size == 0).any():
        bad = int(np.flatnonzero(lib_size == 0)[0])
        raise InputError(None, f"sample column {bad} has a total count of 0",
                         "drop samples without reads before TMM normalization")
    ref = _reference_column(y, lib_size) if ref_column is None else int(ref_column)
    f = np.array([
        _tmm_factor(y[:, i], y[:, ref], lib_size[i], lib_size[ref],
                    logratio_trim=logratio_trim, sum_trim=sum_trim,
                    do_weighting=do_weighting, a_cutoff=a_cutoff)
        for i in range(n_samples)
    ])
    return np.asarray(f / np.exp(np.mean(np.log(f))), dtype=np.float64)


def edger_cpm(
    counts: ArrayLike | pd.DataFrame,
    norm_factors: ArrayLike | None = None,
    *,
    normalized_lib_sizes: bool = True,
) -> pd.DataFrame | NDArray[np.float64]:
    """Counts per million with TMM-normalized library sizes (edgeR ``cpm``, no log).

    Parameters
    ----------
    counts
        (n_genes, n_samples) read counts. A DataFrame gives a DataFrame with the same labels.
    norm_factors
        (n_samples,) normalization factors; ``None`` computes :func:`tmm_norm_factors` on
        ``counts`` (all genes, as the GTEx pipeline does before filtering genes).
    normalized_lib_sizes
        Multiply the library sizes by the factors (edgeR ``normalized.lib.sizes=TRUE``);
        ``False`` gives plain CPM.

    Returns
    -------
    (n_genes, n_samples) ``count / (lib_size · factor) · 1e6`` with ``lib_size`` the column
    sums of ``counts``.

    References
    ----------
    edgeR ``cpm.DGEList``; pyqtl ``qtl.norm.edger_cpm``.

    Examples
    --------
    >>> edger_cpm(np.array([[1.0, 3.0], [3.0, 1.0]]), [1.0, 1.0])
    array([[250000., 750000.],
           [750000., 250000.]])
    """
    y = _as_counts(counts)
    lib_size = y.sum(axis=0)
    if normalized_lib_sizes:
        f = tmm_norm_factors(y) if norm_factors is None else np.asarray(norm_factors, float)
        if f.shape != (y.shape[1],):
            raise InputError(None, f"{f.size} normalization factors for {y.shape[1]} samples",
                             "pass one factor per sample column")
        lib_size = lib_size * f
    out = y / lib_size * 1e6
    if isinstance(counts, pd.DataFrame):
        return pd.DataFrame(out, index=counts.index, columns=counts.columns)
    return out
