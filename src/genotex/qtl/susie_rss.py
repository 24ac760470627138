"""SuSiE from summary statistics (susieR 0.12.35 ``susie_rss`` and ``susie_suff_stat``).

GWAS loci and published eQTLs come as z-scores (or effects and standard errors) with an LD
matrix instead of genotypes and phenotypes. ``susie_rss`` turns them into the sufficient
statistics ``XᵀX``, ``Xᵀy``, ``yᵀy`` and ``n`` of a standardized regression and runs the same
IBSS as :func:`genotex.qtl.susie.susie` on them: the single-effect regressions need only
``Xᵀr = Xᵀy − XᵀX b̄``, and the ELBO the expected residual sum of squares in the same terms.
The prior-variance optimizer (Brent on log V), the log Bayes factors, the null check, the
PIPs and the credible-set rules are those of :mod:`genotex.qtl.susie`, imported, not copied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.susie import (
    CredibleSets,
    EffectsState,
    PriorMethod,
    SusieResult,
    collect_credible_sets,
    single_effect_from_xty,
    susie_pip,
)

__all__ = ["ld_matrix", "susie_rss", "susie_suff_stat"]


@dataclass
class _SSState(EffectsState):
    XtXr: NDArray[np.float64]  # (p,) XᵀX · b̄


def _update_effects_ss(xtx: NDArray[np.float64], xty: NDArray[np.float64],
                       d: NDArray[np.float64], s: _SSState, prior: NDArray[np.float64],
                       method: PriorMethod) -> None:
    """One IBSS sweep on sufficient statistics (susieR ``update_each_effect_ss``), in place."""
    for j in range(s.alpha.shape[0]):
        s.XtXr = s.XtXr - xtx @ (s.alpha[j] * s.mu[j])
        xtr = xty - s.XtXr
        alpha, mu, mu2, lbf, lbf_model, v = single_effect_from_xty(
            xtr, d, float(s.V[j]), s.sigma2, prior, method)
        s.alpha[j], s.mu[j], s.mu2[j], s.lbf_variable[j] = alpha, mu, mu2, lbf
        s.V[j], s.lbf[j] = v, lbf_model
        eb, eb2 = alpha * mu, alpha * mu2
        s.KL[j] = -lbf_model - 0.5 / s.sigma2 * (-2 * float(np.sum(eb * xtr))
                                                 + float(np.sum(d * eb2)))
        s.XtXr = s.XtXr + xtx @ (s.alpha[j] * s.mu[j])


def _er2_ss(xtx: NDArray[np.float64], xty: NDArray[np.float64], d: NDArray[np.float64],
            s: _SSState, yty: float) -> float:
    """Expected residual sum of squares from sufficient statistics (susieR ``get_ER2_ss``)."""
    b = s.alpha * s.mu
    xb2 = float(np.sum((b @ xtx) * b))
    betabar = b.sum(0)
    return float(yty - 2 * np.sum(betabar * xty) + np.sum(betabar * (xtx @ betabar)) - xb2
                 + np.sum(d * (s.alpha * s.mu2)))


def _elbo_ss(xtx: NDArray[np.float64], xty: NDArray[np.float64], d: NDArray[np.float64],
             s: _SSState, yty: float, n: float) -> float:
    eloglik = (-n / 2 * math.log(2 * math.pi * s.sigma2)
               - _er2_ss(xtx, xty, d, s, yty) / (2 * s.sigma2))
    return eloglik - float(np.sum(s.KL))


def _corr_sets(alpha: NDArray[np.float64], V: NDArray[np.float64], xtx: NDArray[np.float64],
               *, coverage: float, min_abs_corr: float, n_purity: int, seed: int | None
               ) -> CredibleSets:
    """``susie_get_cs(Xcorr = cov2cor(XtX))``: purity from the LD matrix's entries."""
    diag = np.diag(xtx)
    if np.all((diag == 0) | (diag == 1)):
        corr = xtx
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 1.0 / np.sqrt(diag)
        corr = xtx * scale[:, None] * scale[None, :]
        np.fill_diagonal(corr, 1.0)

    def purity(pos: NDArray[np.int64]) -> tuple[float, float, float]:
        sub = np.abs(corr[np.ix_(pos, pos)])
        v = sub[np.triu_indices(pos.size, k=1)]
        return float(v.min()), float(v.sum() / v.size), float(np.median(v))

    return collect_credible_sets(alpha, V, purity, coverage=coverage,
                                 min_abs_corr=min_abs_corr, n_purity=n_purity, seed=seed)


def susie_suff_stat(
    XtX: ArrayLike,
    Xty: ArrayLike,
    yty: float,
    n: float,
    *,
    L: int = 10,
    scaled_prior_variance: float = 0.2,
    residual_variance: float | None = None,
    prior_weights: ArrayLike | None = None,
    estimate_residual_variance: bool = True,
    estimate_prior_variance: bool = True,
    estimate_prior_method: PriorMethod = "optim",
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-3,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
    prior_tol: float = 1e-9,
    check_prior: bool = False,
    n_purity: int = 100,
    seed: int | None = 0,
) -> SusieResult:
    """SuSiE on sufficient statistics, as susieR's ``susie_suff_stat``.

    Parameters
    ----------
    XtX
        (p, p) ``XᵀX`` of the centered design (symmetrized if it is not).
    Xty
        (p,) ``Xᵀy`` of the centered design and response; NaN → 0.
    yty, n
        ``yᵀy`` of the centered response and the sample size (> 1).
    L, scaled_prior_variance, prior_weights, estimate_prior_variance, estimate_prior_method
        As :func:`genotex.qtl.susie.susie`; the initial prior variance is
        ``scaled_prior_variance · yty/(n − 1)``.
    residual_variance
        Initial σ² (default ``yty/(n − 1)``); updated to ``E[RSS]/n`` after each sweep when
        ``estimate_residual_variance``.
    standardize
        Scale the variables to unit variance (``diag(XtX)/(n − 1)``).
    max_iter, tol, coverage, min_abs_corr, prior_tol, n_purity, seed
        As :func:`genotex.qtl.susie.susie`; set purity comes from ``cov2cor(XtX)``.
    check_prior
        Raise ``ValueError`` when a prior variance exceeds ``100 · max|z|²`` (a sign that
        the summary statistics and the LD matrix disagree).

    Returns
    -------
    SusieResult
        ``intercept`` is NaN and ``fitted`` empty (no individual-level data);
        ``column_scale`` (p,) the scales used.

    References
    ----------
    Zou, Carbonetto, Wang & Stephens (2022) PLoS Genet 18:e1010299; susieR 0.12.35
    ``susie_suff_stat``, ``update_each_effect_ss``, ``get_ER2_ss``.
    """
    xtx = np.array(XtX, dtype=np.float64)
    xty = np.array(Xty, dtype=np.float64).ravel()
    if xtx.ndim != 2 or xtx.shape != (xty.size, xty.size):
        raise ValueError(f"XtX {xtx.shape} must be (p, p) with Xty of length p = {xty.size}")
    if n <= 1:
        raise ValueError("n must be greater than 1")
    if np.isnan(xtx).any() or np.isinf(xty).any():
        raise ValueError("XtX must not contain NaN and Xty must be finite")
    if estimate_prior_method not in ("EM", "optim", "none"):
        raise ValueError(f"unknown estimate_prior_method {estimate_prior_method!r}")
    if not np.array_equal(xtx, xtx.T):
        xtx = (xtx + xtx.T) / 2
    xty[np.isnan(xty)] = 0.0
    p = xty.size
    if standardize:
        csd = np.sqrt(np.diag(xtx) / (n - 1))
        csd[csd == 0] = 1.0
        xtx = (xtx / csd).T / csd
        xty = xty / csd
    else:
        csd = np.ones(p)
    d = np.diag(xtx).copy()
    var_y = yty / (n - 1)
    prior = (np.full(p, 1.0 / p) if prior_weights is None
             else np.asarray(prior_weights, dtype=np.float64) / np.sum(prior_weights))
    ll = min(L, p)
    sigma2 = var_y if residual_variance is None else float(residual_variance)
    s = _SSState.initial(ll, p, prior_variance=scaled_prior_variance * var_y, sigma2=sigma2,
                         XtXr=np.zeros(p))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (xty / d) / np.sqrt(s.sigma2 / d)
    zm = float(np.max(np.abs(z[~np.isnan(z)])))
    method: PriorMethod = estimate_prior_method if estimate_prior_variance else "none"
    elbo = [-np.inf]
    converged = False
    for _ in range(max_iter):
        _update_effects_ss(xtx, xty, d, s, prior, method)
        if check_prior and np.any(100 * zm**2 < s.V):
            raise ValueError("the estimated prior variance is unreasonably large: the summary "
                             "statistics and the LD matrix probably disagree")
        elbo.append(_elbo_ss(xtx, xty, d, s, yty, n))
        if math.isinf(elbo[-1]):
            raise ValueError("the objective became infinite: check the input")
        if elbo[-1] - elbo[-2] < tol:
            converged = True
            break
        if estimate_residual_variance:
            s.sigma2 = _er2_ss(xtx, xty, d, s, yty) / n
            if s.sigma2 < 0:
                raise ValueError("estimating the residual variance failed: it is negative")
    sets = _corr_sets(s.alpha, s.V, xtx, coverage=coverage, min_abs_corr=min_abs_corr,
                      n_purity=n_purity, seed=seed)
    return SusieResult(
        s.alpha, s.mu, s.mu2, s.lbf_variable, s.lbf, s.KL, s.V, s.sigma2,
        np.asarray(elbo[1:]), len(elbo) - 1, converged,
        susie_pip(s.alpha, s.V, prior_tol=prior_tol), sets, math.nan, np.empty(0), csd,
    )


def susie_rss(
    z: ArrayLike | None,
    R: ArrayLike,
    *,
    n: float | None = None,
    bhat: ArrayLike | None = None,
    shat: ArrayLike | None = None,
    var_y: float | None = None,
    L: int = 10,
    prior_variance: float = 50.0,
    estimate_residual_variance: bool = False,
    check_prior: bool = True,
    **options: object,
) -> SusieResult:
    """Fine-map from z-scores (or effects and SEs) and an LD matrix, as susieR ``susie_rss``.

    Parameters
    ----------
    z
        (p,) z-scores of the variants' marginal associations (NaN → 0); None when ``bhat``
        and ``shat`` are given instead.
    R
        (p, p) LD (correlation) matrix of the same variants, same allele coding as ``z``;
        ideally in-sample (from the genotypes of the study that gave ``z``).
    n
        Sample size. With ``n``, z-scores are shrunk by ``√((n−1)/(z² + n − 2))`` (the PVE
        adjustment) and SuSiE runs on ``XᵀX = (n−1)R``, ``Xᵀy = √(n−1) z``, ``yᵀy = n−1``;
        with ``bhat``, ``shat`` and ``var_y`` too, effects are on the original scale.
        Without ``n``: ``XᵀX = R``, ``Xᵀy = z``, ``n = 2``, ``yᵀy = 1`` and a prior variance of
        ``prior_variance`` (susieR's large-n approximation; giving ``n`` is recommended).
    bhat, shat
        (p,) effects and standard errors (``z = bhat/shat``); ``shat`` may be a scalar.
    var_y
        Variance of the response (with ``shat`` and ``n``).
    L
        Number of single effects.
    prior_variance
        Prior effect variance when ``n`` is not given (z-score scale).
    estimate_residual_variance
        susieR's default False: σ² stays 1 (right for out-of-sample LD); True only with
        in-sample LD.
    check_prior
        Raise ``ValueError`` when a prior variance exceeds ``100 · max|z|²``.
    **options
        Passed to :func:`susie_suff_stat` (``estimate_prior_method``, ``max_iter``, ``tol``,
        ``coverage``, ``min_abs_corr``, ``prior_weights``, …).

    Returns
    -------
    SusieResult
        As :func:`susie_suff_stat`; the credible sets' purity comes from ``R``.

    References
    ----------
    Zou et al. (2022) PLoS Genet 18:e1010299; susieR 0.12.35 ``susie_rss``.

    Examples
    --------
    >>> R = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> fit = susie_rss(np.array([8.0, 7.2, 0.3]), R, n=500, L=2)
    >>> [s.tolist() for s in fit.sets.sets], bool(fit.pip[0] > fit.pip[1] > fit.pip[2])
    ([[0]], True)
    """
    r = np.array(R, dtype=np.float64)
    if (z is None) == (bhat is None or shat is None):
        raise ValueError("give either z or (bhat, shat), not both")
    if z is None:
        b = np.asarray(bhat, dtype=np.float64).ravel()
        sh = np.broadcast_to(np.asarray(shat, dtype=np.float64), b.shape).astype(np.float64)
        if np.isnan(b).any() or np.isnan(sh).any():
            raise ValueError("bhat and shat cannot have missing values")
        if np.any(sh <= 0):
            raise ValueError("shat must be positive")
        zz = b / sh
    else:
        zz = np.array(z, dtype=np.float64).ravel()
        sh = None
    if r.ndim != 2 or r.shape != (zz.size, zz.size):
        raise ValueError(f"R {r.shape} must be ({zz.size}, {zz.size}), one row per variant")
    zz[np.isnan(zz)] = 0.0
    common = {"L": L, "estimate_residual_variance": estimate_residual_variance,
              "check_prior": check_prior, **options}
    if n is None:
        return susie_suff_stat(r, zz, 1.0, 2, scaled_prior_variance=prior_variance,
                               standardize=False, **common)  # type: ignore[arg-type]
    if n <= 1:
        raise ValueError("n must be greater than 1")
    adj = (n - 1) / (zz**2 + n - 2)
    zz = np.sqrt(adj) * zz
    if sh is not None and var_y is not None:
        xtx_diag = var_y * adj / sh**2
        xtx = (r * np.sqrt(xtx_diag)).T * np.sqrt(xtx_diag)
        xtx = (xtx + xtx.T) / 2
        xty = zz * np.sqrt(adj) * var_y / sh
    else:
        xtx, xty, var_y = (n - 1) * r, math.sqrt(n - 1) * zz, 1.0
    return susie_suff_stat(xtx, xty, (n - 1) * var_y, n, **common)  # type: ignore[arg-type]


def ld_matrix(dosages: ArrayLike) -> NDArray[np.float64]:
    """Pearson correlation between variants (rows), missing calls mean-imputed.

    Parameters
    ----------
    dosages
        (n_variants, n_samples) ALT dosages, NaN = missing; no constant rows.

    Returns
    -------
    (n_variants, n_variants) correlation matrix with an exact unit diagonal.

    Examples
    --------
    >>> ld_matrix([[0, 1, 2, 1], [0, 1, 2, 2]]).round(3).tolist()
    [[1.0, 0.853], [0.853, 1.0]]
    """
    x = np.array(dosages, dtype=np.float64)
    x = np.where(np.isnan(x), np.nanmean(x, axis=1, keepdims=True), x)
    x -= x.mean(axis=1, keepdims=True)
    u = x / np.sqrt((x * x).sum(axis=1))[:, None]
    r = np.clip(u @ u.T, -1.0, 1.0)
    np.fill_diagonal(r, 1.0)
    return np.asarray(r)
