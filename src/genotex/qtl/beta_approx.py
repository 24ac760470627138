"""Beta approximation of the permutation p-value (Ongen et al. 2016), as tensorQTL 1.0.10.

The permutation minimum p-values of a phenotype follow approximately a Beta(a, b)
distribution. An effective number of degrees of freedom (``true_df``) is found first so that the
moment-matched first shape parameter is 1; the Beta parameters are then fitted by maximum
likelihood and the nominal top p-value (at ``true_df``) is mapped through the Beta CDF.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, loggamma

from genotex.qtl.regression import pval_from_r2

__all__ = ["BetaApprox", "beta_approx_pval", "beta_shape1_from_dof", "fit_beta"]


def beta_shape1_from_dof(r2_perm: NDArray[np.floating], dof: float) -> float:
    """Moment-matched Beta shape 1 of the permutation p-values at ``dof``.

    ``m·(m(1 − m)/v − 1)`` with ``m``, ``v`` the mean and (ddof=0) variance of
    ``pval_from_r2(r2_perm, dof)``.
    """
    p = pval_from_r2(r2_perm, dof)
    m = np.mean(p)
    v = np.var(p)
    return float(m * (m * (1.0 - m) / v - 1.0))


def _beta_nll(x: NDArray[np.float64], s1: float, s2: float) -> float:
    return _beta_nll_sums(float(np.sum(np.log(x))), float(np.sum(np.log(1.0 - x))), len(x),
                          s1, s2)


def _beta_nll_sums(log_x: float, log_1mx: float, n: int, s1: float, s2: float) -> float:
    """``_beta_nll`` from the data's sums of ``log x`` and ``log(1 − x)`` (fixed in a fit)."""
    logbeta = loggamma(s1) + loggamma(s2) - loggamma(s1 + s2)
    return float((1.0 - s1) * log_x + (1.0 - s2) * log_1mx + n * logbeta)


@dataclass(frozen=True)
class BetaApprox:
    """Beta fit of one phenotype's permutations and the resulting p-value (all scalars).

    ``secant_failed`` is True when the log-dof secant solve raised and the Nelder–Mead
    fallback chose ``true_df`` (tensorQTL prints a WARNING in that case).
    """

    pval_beta: float
    beta_shape1: float
    beta_shape2: float
    true_df: float
    pval_true_df: float
    secant_failed: bool


def fit_beta(
    r2_perm: ArrayLike, *, dof_init: float, tol: float = 1e-4
) -> tuple[float, float, float, bool]:
    """Fit ``(shape1, shape2, true_df)`` to the permutation maxima of r².

    Parameters
    ----------
    r2_perm
        (n_perm,) maximum squared correlation over the window, one per permutation.
    dof_init
        Starting degrees of freedom (``n − 2 − k``; a quarter of it in grouped mode).
    tol
        Tolerance of the secant step and of both Nelder–Mead fits.

    Returns
    -------
    shape1, shape2, true_df, secant_failed

    References
    ----------
    tensorQTL ``core.fit_beta_parameters`` (1.0.10: the root of log shape1 in log dof by
    ``scipy.optimize.newton`` without derivative, i.e. the secant method; on any exception
    Nelder–Mead on ``|shape1(df) − 1|``); Ongen et al. 2016, Bioinformatics 32:1479.
    """
    r2 = np.asarray(r2_perm, dtype=np.float64)
    failed = False
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            x = scipy.optimize.newton(
                lambda x: np.log(beta_shape1_from_dof(r2, np.exp(x))),
                np.log(dof_init), tol=tol, maxiter=50,
            )
            true_df = float(np.exp(x))
        except Exception:  # tensorQTL catches everything here
            failed = True
            res = scipy.optimize.minimize(
                lambda x: np.abs(beta_shape1_from_dof(r2, x[0]) - 1), dof_init,
                method="Nelder-Mead", tol=tol,
            )
            true_df = float(res.x[0])
        p = pval_from_r2(r2, true_df)
        m, v = np.mean(p), np.var(p)
        s1 = m * (m * (1 - m) / v - 1)
        s2 = s1 * (1 / m - 1)
        sums = float(np.sum(np.log(p))), float(np.sum(np.log(1.0 - p))), len(p)
        res = scipy.optimize.minimize(
            lambda s: _beta_nll_sums(*sums, s[0], s[1]), [s1, s2], method="Nelder-Mead",
            tol=tol,
        )
    return float(res.x[0]), float(res.x[1]), true_df, failed


def beta_approx_pval(
    r2_perm: ArrayLike, r2_top: float, *, dof_init: float, tol: float = 1e-4
) -> BetaApprox:
    """Beta-approximated permutation p-value of the top association.

    Parameters
    ----------
    r2_perm
        (n_perm,) permutation maxima of r².
    r2_top
        Squared correlation of the top variant with the observed phenotype.
    dof_init
        Starting degrees of freedom (``n − 2 − k``; ``0.25·dof`` in grouped mode).

    Returns
    -------
    BetaApprox
        ``pval_true_df = pval_from_r2(r2_top, true_df)`` and
        ``pval_beta = BetaCDF(pval_true_df; shape1, shape2)``.

    References
    ----------
    tensorQTL ``core.calculate_beta_approx_pval``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> r2 = np.max(rng.standard_normal((50, 1000)) ** 2, axis=0) / 100
    >>> res = beta_approx_pval(r2, 0.4, dof_init=95)
    >>> 0 <= res.pval_beta <= 1 and res.true_df > 0
    True
    """
    s1, s2, true_df, failed = fit_beta(r2_perm, dof_init=dof_init, tol=tol)
    p_top = float(pval_from_r2(r2_top, true_df))
    pval_beta = float(betainc(s1, s2, p_top))  # = stats.beta.cdf(p_top, s1, s2), bit for bit
    return BetaApprox(pval_beta, s1, s2, true_df, p_top, failed)
