"""Storey q-values (R ``qvalue``), per-gene nominal thresholds and significant pairs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from genotex.qtl.regression import pval_from_r2

__all__ = [
    "DEFAULT_LAMBDA",
    "NominalThresholds",
    "Pi0Estimate",
    "QValueResult",
    "nominal_thresholds",
    "pi0est",
    "qvalue",
    "qvalues",
    "significant_pairs",
]

#: R's ``seq(0.05, 0.95, 0.05)``, computed as R computes it (``from + (0:n)·by``).
DEFAULT_LAMBDA = 0.05 + np.arange(19) * 0.05


@dataclass(frozen=True)
class Pi0Estimate:
    """π0 and its ingredients; ``pi0_lambda`` and ``pi0_smooth`` have the shape of ``lambdas``."""

    pi0: float
    lambdas: NDArray[np.float64]
    pi0_lambda: NDArray[np.float64]
    pi0_smooth: NDArray[np.float64] | None


def _smoothing_spline_fit(x: NDArray[np.float64], y: NDArray[np.float64],
                          df: float) -> NDArray[np.float64]:
    """Fitted values of the natural cubic smoothing spline with ``trace(hat) = df``.

    Reinsch form ``f = (I + λ Q R⁻¹ Qᵀ)⁻¹ y`` with knots at every (distinct, sorted) x, the
    same function space and penalty as R ``smooth.spline`` with all knots; λ is solved so the
    equivalent degrees of freedom equal ``df`` exactly (R stops its spar search near it).
    """
    n = x.size
    h = np.diff(x)
    q = np.zeros((n, n - 2))
    r = np.zeros((n - 2, n - 2))
    for j in range(1, n - 1):
        q[j - 1, j - 1] = 1 / h[j - 1]
        q[j, j - 1] = -1 / h[j - 1] - 1 / h[j]
        q[j + 1, j - 1] = 1 / h[j]
        r[j - 1, j - 1] = (h[j - 1] + h[j]) / 3
        if j < n - 2:
            r[j - 1, j] = r[j, j - 1] = h[j] / 6
    k = q @ np.linalg.solve(r, q.T)
    eye = np.eye(n)

    def excess(log_lam: float) -> float:
        return float(np.trace(np.linalg.inv(eye + np.exp(log_lam) * k))) - df

    log_lam = brentq(excess, -40.0, 40.0, xtol=1e-12, rtol=1e-14)
    return np.linalg.solve(eye + np.exp(log_lam) * k, y)


def brentq(f: Callable[[float], float], a: float, b: float, *, xtol: float = 2e-12,
           rtol: float = 8.881784197001252e-16, maxiter: int = 100) -> float:
    """A root of ``f`` in ``[a, b]`` by Brent's method, step for step as ``scipy.optimize.brentq``.

    The same float operations in the same order as SciPy's C ``brentq``, so the root is the
    same to the bit; here because importing ``scipy.optimize`` costs ~0.1–0.3 s of start-up
    and q-values need only this one solver. ``f(a)`` and ``f(b)`` must differ in sign.

    References
    ----------
    Brent (1973), *Algorithms for Minimization without Derivatives*, ch. 4; SciPy
    ``scipy/optimize/Zeros/brentq.c``.

    Examples
    --------
    >>> brentq(lambda x: x * x - 2.0, 0.0, 2.0)
    1.4142135623731364
    """
    xpre, xcur = float(a), float(b)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = _finite(f(xpre)), _finite(f(xcur))
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    if (fpre < 0) == (fcur < 0):
        raise ValueError("f(a) and f(b) must have different signs")
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and (fpre < 0) != (fcur < 0):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):  # good short step
                spre, scur = scur, stry
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = _finite(f(xcur))
    raise RuntimeError(f"brentq: no convergence in {maxiter} iterations")


def _finite(value: float) -> float:
    if np.isnan(value):
        raise ValueError("the function value is NaN; the root search cannot continue")
    return float(value)


def pi0est(pvalues: ArrayLike, *, lambda_: ArrayLike | float | None = None,
           smooth_df: float = 3) -> Pi0Estimate:
    """Proportion of true nulls, as R ``qvalue::pi0est`` (``pi0.method = "smoother"``).

    Parameters
    ----------
    pvalues
        (m,) p-values in [0, 1]; NaN are ignored.
    lambda_
        One λ: ``π0 = min(#{p ≥ λ}/(m(1 − λ)), 1)``. A grid (≥ 4 values; default
        ``seq(0.05, 0.95, 0.05)``): π0(λ) is smoothed by a cubic smoothing spline with
        ``smooth_df`` degrees of freedom and π0 is its value at the largest λ, capped at 1.

    References
    ----------
    StoreyLab/qvalue ``R/pi0est.R`` (Storey & Tibshirani 2003).

    Examples
    --------
    >>> p = np.linspace(0.001, 1, 1000) ** 1.5
    >>> round(pi0est(p, lambda_=0.5).pi0, 4)
    0.742
    """
    p = np.asarray(pvalues, dtype=np.float64)
    p = p[~np.isnan(p)]
    if p.size == 0 or p.min() < 0 or p.max() > 1:
        raise ValueError("p-values not in valid range [0, 1]")
    lam = np.sort(np.atleast_1d(np.asarray(DEFAULT_LAMBDA if lambda_ is None else lambda_,
                                           dtype=np.float64)))
    if 1 < lam.size < 4:
        raise ValueError(f"length(lambda)={lam.size}; a lambda grid needs at least 4 values")
    if lam.min() < 0 or lam.max() >= 1:
        raise ValueError("lambda must be within [0, 1)")
    counts = (p[:, None] >= lam[None, :]).sum(0)
    pi0_lambda = counts / (p.size * (1 - lam))
    smooth = None
    if lam.size == 1:
        pi0 = min(float(pi0_lambda[0]), 1.0)
    else:
        smooth = _smoothing_spline_fit(lam, pi0_lambda, smooth_df)
        pi0 = min(float(smooth[-1]), 1.0)
    if pi0 <= 0:
        raise ValueError("the estimated pi0 <= 0; check the p-values or use another lambda")
    return Pi0Estimate(pi0, lam, pi0_lambda, smooth)


@dataclass(frozen=True)
class QValueResult:
    """``qvalues`` has the shape of the input p-values (NaN where p is NaN)."""

    qvalues: NDArray[np.float64]
    pi0: float


def qvalue(pvalues: ArrayLike, lambda_: ArrayLike | float | None = None, *,
           smooth_df: float = 3, pi0: float | None = None) -> QValueResult:
    """Storey q-values as R ``qvalue::qvalue(p, lambda=…)$qvalues`` (``pfdr = FALSE``).

    ``q = π0 · min(1, cummin over decreasing p of p·m/rank)`` — π0 multiplies *after* the
    cap at 1, as in R (pyqtl caps after multiplying).

    Parameters
    ----------
    pvalues
        (m,) p-values; NaN are kept as NaN and not counted in m.
    lambda_
        ``None`` (smoother over the default grid), one value (GTEx used 0.85), or a grid.
    pi0
        Use this π0 instead of estimating it.

    References
    ----------
    StoreyLab/qvalue ``R/qvalue.R``; tensorQTL ``post.calculate_qvalues``.

    Examples
    --------
    >>> res = qvalue([0.01, 0.02, 0.5, 0.9], pi0=1.0)
    >>> res.qvalues.tolist()
    [0.04, 0.04, 0.6666666666666666, 0.9]
    """
    p_in = np.asarray(pvalues, dtype=np.float64)
    ok = ~np.isnan(p_in)
    p = p_in[ok]
    if p.size == 0 or p.min() < 0 or p.max() > 1:
        raise ValueError("p-values not in valid range [0, 1]")
    if pi0 is None:
        pi0 = pi0est(p, lambda_=lambda_, smooth_df=smooth_df).pi0
    elif not 0 < pi0 <= 1:
        raise ValueError("pi0 must be in (0, 1]")
    m = p.size
    o = np.argsort(-p, kind="stable")
    i = np.arange(m, 0, -1)
    q = np.minimum(1.0, np.minimum.accumulate(p[o] * m / i))
    out = np.full(p_in.shape, np.nan)
    qq = np.empty(m)
    qq[o] = pi0 * q
    out[ok] = qq
    return QValueResult(out, float(pi0))


qvalues = qvalue


@dataclass(frozen=True)
class NominalThresholds:
    """Per-phenotype nominal p-value thresholds (n_phenotypes,) and the genome-wide cut-off.

    ``pval_threshold`` is the min-p threshold on the beta-approximated scale; both are NaN when
    no phenotype is significant (tensorQTL then adds no threshold column).
    """

    pval_nominal_threshold: NDArray[np.float64]
    pval_threshold: float


def nominal_thresholds(
    pval_beta: ArrayLike,
    qval: ArrayLike,
    beta_shape1: ArrayLike,
    beta_shape2: ArrayLike,
    *,
    fdr: float = 0.05,
    corrected: bool = False,
    true_df: ArrayLike | None = None,
    dof: float | None = None,
) -> NominalThresholds:
    """Per-gene nominal p-value thresholds from the genome-wide min-p cut-off.

    ``p_t = (max{pval_beta : q ≤ fdr} + min{pval_beta : q > fdr}) / 2`` (``p_t`` = the first
    term if every phenotype is significant), then ``threshold_g = BetaPPF(p_t; a_g, b_g)``.

    By default this reproduces tensorQTL/FastQTL, whose threshold lives on the ``true_df``
    p-value scale but is compared with nominal p-values computed with ``dof = n − 2 − k``
    (gtex-v8#4, fastqtl#20). ``corrected=True`` maps it back as QTLtools does: the ``true_df``
    p-value is turned into r² (via the F(1, true_df) quantile) and r² into a p-value with
    ``dof`` degrees of freedom; it needs ``true_df`` and ``dof``.

    Parameters
    ----------
    pval_beta, qval, beta_shape1, beta_shape2
        (n_phenotypes,) columns of the permutation pass and its q-values.

    References
    ----------
    tensorQTL ``post.calculate_qvalues``; qtltools ``scripts/qtltools_runFDR_cis.R``.

    Examples
    --------
    >>> t = nominal_thresholds([1e-8, 0.2], [0.001, 0.3], [1.0, 1.0], [100.0, 100.0])
    >>> f"{t.pval_threshold:.5f}"
    '0.10000'
    """
    pb = np.asarray(pval_beta, dtype=np.float64)
    q = np.asarray(qval, dtype=np.float64)
    sig = q <= fdr
    if not sig.any():
        return NominalThresholds(np.full(pb.shape, np.nan), float("nan"))
    lb = float(np.max(pb[sig]))
    rest = pb[q > fdr]
    p_t = (lb + float(np.min(rest))) / 2 if rest.size else lb
    thr = np.asarray(special.betaincinv(beta_shape1, beta_shape2, p_t), dtype=np.float64)
    if corrected:
        if true_df is None or dof is None:
            raise ValueError("corrected=True needs true_df and dof")
        tdf = np.asarray(true_df, dtype=np.float64)
        f = special.fdtri(1, tdf, 1 - thr)  # = stats.f.isf(thr, 1, tdf)
        thr = pval_from_r2(f / (tdf + f), dof)
    return NominalThresholds(thr, p_t)


def significant_pairs(
    pair_phenotype: ArrayLike,
    pval_nominal: ArrayLike,
    pval_nominal_threshold: ArrayLike,
    qval: ArrayLike,
    *,
    fdr: float = 0.05,
) -> NDArray[np.bool_]:
    """Mask of nominal pairs that are significant: gene ``q ≤ fdr`` and ``p < threshold``.

    Parameters
    ----------
    pair_phenotype
        (n_pairs,) index of each pair's phenotype (or group, in grouped mode) into the
        per-phenotype arrays.
    pval_nominal
        (n_pairs,) nominal p-values.
    pval_nominal_threshold, qval
        (n_phenotypes,) thresholds and q-values.

    Returns
    -------
    (n_pairs,) boolean mask; the comparison is strict (``<``), NaN p-values are never kept.

    References
    ----------
    tensorQTL ``post.get_significant_pairs``; FastQTL ``annotate_outputs.py``.

    Examples
    --------
    >>> significant_pairs([0, 0, 1], [1e-5, 1e-3, 1e-9], [1e-3, 1e-2], [0.01, 0.2]).tolist()
    [True, False, False]
    """
    idx = np.asarray(pair_phenotype, dtype=np.int64)
    p = np.asarray(pval_nominal, dtype=np.float64)
    thr = np.asarray(pval_nominal_threshold, dtype=np.float64)[idx]
    keep = np.asarray(qval, dtype=np.float64)[idx] <= fdr
    return np.asarray(keep & (p < thr))
