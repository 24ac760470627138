"""SuSiE fine-mapping (sum of single effects, IBSS), a port of susieR 0.12.35's ``susie``.

Individual-level data only (``X`` samples × variants, ``y`` samples), with the intercept and
column standardization of susieR's defaults. Both ways of estimating the prior variances are
available: ``"optim"`` (susieR's default: Brent's method on log V before the posterior is
computed, a line-by-line port of R's ``optimize``) and ``"EM"`` (after; what tensorQTL's torch
port uses). Credible sets and PIPs follow ``susie_get_cs`` and ``susie_get_pip``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.genotype_stats import impute_mean, is_monomorphic, maf_mask
from genotex.qtl.residualize import Residualizer

__all__ = [
    "CredibleSets",
    "FinemapResult",
    "SusieResult",
    "brent_fmin",
    "collect_credible_sets",
    "credible_sets",
    "finemap_phenotype",
    "susie",
    "susie_pip",
]

_LN_SQRT_2PI = 0.918938533204672741780329736406  # log(sqrt(2π)), as R's dnorm
PriorMethod = Literal["EM", "optim", "none"]


def brent_fmin(
    f: Callable[[float], float], lower: float, upper: float, *, tol: float = 1.4901161193847656e-08
) -> float:
    """Minimize ``f`` on ``[lower, upper]`` by Brent's golden-section/parabolic method.

    A transcription of R's ``Brent_fmin`` (``optimize``; also ``optim(method="Brent")``,
    whose ``tol`` is ``reltol = sqrt(.Machine$double.eps)``), so that the abscissa found is
    the one R finds, not merely one within the tolerance.

    Examples
    --------
    >>> round(brent_fmin(lambda x: (x - 1.5) ** 2, -30, 15), 6)
    1.5
    """
    c = (3.0 - math.sqrt(5.0)) * 0.5
    eps = math.sqrt(np.finfo(float).eps)
    a, b = lower, upper
    v = w = x = a + c * (b - a)
    d = e = 0.0
    fx = fv = fw = f(x)
    tol3 = tol / 3.0
    while True:
        xm = (a + b) * 0.5
        tol1 = eps * abs(x) + tol3
        t2 = tol1 * 2.0
        if abs(x - xm) <= t2 - (b - a) * 0.5:
            return x
        p = q = r = 0.0
        if abs(e) > tol1:  # fit a parabola
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = (q - r) * 2.0
            if q > 0.0:
                p = -p
            else:
                q = -q
            r = e
            e = d
        if abs(p) >= abs(q * 0.5 * r) or p <= q * (a - x) or p >= q * (b - x):
            e = (b - x) if x < xm else (a - x)  # golden-section step
            d = c * e
        else:  # parabolic-interpolation step
            d = p / q
            u = x + d
            if u - a < t2 or b - u < t2:
                d = tol1 if x < xm else -tol1
        if abs(d) >= tol1:  # noqa: SIM108 (kept as in R's optimize.c)
            u = x + d
        else:
            u = x + tol1 if d > 0.0 else x - tol1
        fu = f(u)
        if fu <= fx:
            if u < x:
                b = x
            else:
                a = x
            v, w, x = w, x, u
            fv, fw, fx = fw, fx, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v == x or v == w:  # noqa: SIM109
                v, fv = u, fu


def _lbf(v: float, betahat: NDArray[np.float64], shat2: NDArray[np.float64]
         ) -> NDArray[np.float64]:
    """log BF of each variable: log N(b̂; 0, V + s²) − log N(b̂; 0, s²) (R's dnorm)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        s1 = np.sqrt(v + shat2)
        s0 = np.sqrt(shat2)
        lbf = (-(_LN_SQRT_2PI + 0.5 * (betahat / s1) ** 2 + np.log(s1))
               + (_LN_SQRT_2PI + 0.5 * (betahat / s0) ** 2 + np.log(s0)))
    lbf[np.isinf(shat2)] = 0.0
    return np.asarray(lbf)


def _loglik(v: float, betahat: NDArray[np.float64], shat2: NDArray[np.float64],
            prior: NDArray[np.float64]) -> float:
    lbf = _lbf(v, betahat, shat2)
    m = lbf.max()
    return float(np.log(np.sum(np.exp(lbf - m) * prior)) + m)


@dataclass(frozen=True)
class _SER:
    alpha: NDArray[np.float64]
    mu: NDArray[np.float64]
    mu2: NDArray[np.float64]
    lbf: NDArray[np.float64]
    lbf_model: float
    V: float
    loglik: float


def single_effect_from_xty(
    xty: NDArray[np.float64], d: NDArray[np.float64], v: float, sigma2: float,
    prior: NDArray[np.float64], method: PriorMethod,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
           float, float]:
    """One single-effect posterior from ``X'r`` and ``d = diag(X'X)`` (each (p,)).

    Shared by the individual-level fit (susieR ``single_effect_regression``) and the
    sufficient-statistic / RSS fit (``single_effect_regression_ss``). Returns
    ``(alpha, mu, mu2, lbf, lbf_model, V)``, ``V`` updated by the prior ``method``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        betahat = xty / d
        shat2 = sigma2 / d
    if method == "optim":
        v = _optimize_v(betahat, shat2, prior, v)
    lbf = _lbf(v, betahat, shat2)
    m = float(lbf.max())
    w = np.exp(lbf - m) * prior
    sw = float(w.sum())
    alpha = w / sw
    with np.errstate(divide="ignore"):
        post_var = 1.0 / (np.float64(1.0) / np.float64(v) + d / sigma2)
    mu = post_var * xty / sigma2
    mu2 = post_var + mu * mu
    if method == "EM":
        v = _null_check(float(np.sum(alpha * mu2)), betahat, shat2, prior)
    return alpha, mu, mu2, lbf, m + math.log(sw), v


def _single_effect_regression(
    r: NDArray[np.float64], xs: NDArray[np.float64], d: NDArray[np.float64], v: float,
    sigma2: float, prior: NDArray[np.float64], method: PriorMethod,
) -> _SER:
    """susieR ``single_effect_regression`` on the standardized ``xs`` (n × p)."""
    alpha, mu, mu2, lbf, lbf_model, v = single_effect_from_xty(r @ xs, d, v, sigma2, prior,
                                                               method)
    loglik = lbf_model + float(np.sum(-(_LN_SQRT_2PI + 0.5 * r * r / sigma2
                                        + 0.5 * math.log(sigma2))))
    return _SER(alpha, mu, mu2, lbf, lbf_model, v, loglik)


def _null_check(v: float, betahat: NDArray[np.float64], shat2: NDArray[np.float64],
                prior: NDArray[np.float64]) -> float:
    if _loglik(0.0, betahat, shat2, prior) >= _loglik(v, betahat, shat2, prior):
        return 0.0
    return v


def _optimize_v(betahat: NDArray[np.float64], shat2: NDArray[np.float64],
                prior: NDArray[np.float64], v_init: float) -> float:
    """susieR ``optimize_prior_variance(optimize_V="optim")``: Brent on log V in [−30, 15]."""

    def neg(lv: float) -> float:
        val = -_loglik(math.exp(lv), betahat, shat2, prior)
        return val if math.isfinite(val) else float(np.finfo(float).max)

    lv = brent_fmin(neg, -30.0, 15.0)
    with np.errstate(divide="ignore"):
        lv_init = float(np.log(v_init))
    if neg(lv) > neg(lv_init):
        lv = lv_init
    return _null_check(math.exp(lv), betahat, shat2, prior)


@dataclass(frozen=True)
class CredibleSets:
    """Credible sets that pass the purity filter, ordered by decreasing ``min_abs_corr``.

    ``sets[i]`` are the 0-based variable indices (ascending) of set ``i``, which comes from
    effect ``effect_index[i]`` (0-based; susieR's ``cs_index`` minus one, names ``L<l+1>``).
    ``coverage`` is the summed α of each set; the purity arrays are the min, mean and median
    of the absolute correlations between distinct members (1 for a single variable).
    """

    sets: tuple[NDArray[np.int64], ...]
    effect_index: NDArray[np.int64]
    coverage: NDArray[np.float64]
    min_abs_corr: NDArray[np.float64]
    mean_abs_corr: NDArray[np.float64]
    median_abs_corr: NDArray[np.float64]
    requested_coverage: float

    def __len__(self) -> int:
        return len(self.sets)


@dataclass(frozen=True)
class SusieResult:
    """A SuSiE fit; ``L`` effects over ``p`` variables.

    ``alpha``, ``mu``, ``mu2``, ``lbf_variable`` have shape (L, p) (posterior inclusion
    probabilities, means and second moments of the effects on the *standardized* scale, and
    per-variable log Bayes factors); ``V``, ``lbf``, ``KL`` shape (L,); ``elbo`` shape
    (niter,); ``pip`` shape (p,). ``intercept`` and ``fitted`` ((n,)) are on the original
    scale of ``y``; ``column_scale`` (p,) are the standard deviations used to scale X.
    """

    alpha: NDArray[np.float64]
    mu: NDArray[np.float64]
    mu2: NDArray[np.float64]
    lbf_variable: NDArray[np.float64]
    lbf: NDArray[np.float64]
    KL: NDArray[np.float64]
    V: NDArray[np.float64]
    sigma2: float
    elbo: NDArray[np.float64]
    niter: int
    converged: bool
    pip: NDArray[np.float64]
    sets: CredibleSets
    intercept: float
    fitted: NDArray[np.float64]
    column_scale: NDArray[np.float64]


@dataclass
class EffectsState:
    """Mutable IBSS state of ``L`` single effects over ``p`` variables (susieR's fit list).

    ``alpha``, ``mu``, ``mu2``, ``lbf_variable`` (L, p); ``lbf``, ``KL``, ``V`` (L,).
    Subclasses add the fitted product the sweep keeps up to date.
    """

    alpha: NDArray[np.float64]
    mu: NDArray[np.float64]
    mu2: NDArray[np.float64]
    lbf_variable: NDArray[np.float64]
    lbf: NDArray[np.float64]
    KL: NDArray[np.float64]
    V: NDArray[np.float64]
    sigma2: float

    @classmethod
    def initial(cls, n_effects: int, p: int, *, prior_variance: float, sigma2: float,
                **fitted: NDArray[np.float64]) -> Self:
        """susieR's ``init_setup``: uniform alpha, zero effects, NaN Bayes factors."""
        return cls(np.full((n_effects, p), 1.0 / p), np.zeros((n_effects, p)),
                   np.zeros((n_effects, p)), np.full((n_effects, p), np.nan),
                   np.full(n_effects, np.nan), np.full(n_effects, np.nan),
                   np.full(n_effects, prior_variance), sigma2, **fitted)


@dataclass
class _State(EffectsState):
    Xr: NDArray[np.float64]  # (n,) X · b̄


def _er2(xs: NDArray[np.float64], d: NDArray[np.float64], y: NDArray[np.float64],
         s: _State) -> float:
    """Expected residual sum of squares (susieR ``get_ER2``)."""
    xr_l = (s.alpha * s.mu) @ xs.T
    return float(np.sum((y - s.Xr) ** 2) - np.sum(xr_l ** 2) + np.sum(d * (s.alpha * s.mu2)))


def _elbo(xs: NDArray[np.float64], d: NDArray[np.float64], y: NDArray[np.float64],
          s: _State) -> float:
    n = y.size
    eloglik = -(n / 2) * math.log(2 * math.pi * s.sigma2) - _er2(xs, d, y, s) / (2 * s.sigma2)
    return eloglik - float(np.sum(s.KL))


def _update_effects(xs: NDArray[np.float64], d: NDArray[np.float64], y: NDArray[np.float64],
                    s: _State, prior: NDArray[np.float64], method: PriorMethod) -> None:
    """One IBSS sweep over the L effects (susieR ``update_each_effect``), in place."""
    n = y.size
    for j in range(s.alpha.shape[0]):
        s.Xr = s.Xr - xs @ (s.alpha[j] * s.mu[j])
        r = y - s.Xr
        res = _single_effect_regression(r, xs, d, float(s.V[j]), s.sigma2, prior, method)
        s.alpha[j], s.mu[j], s.mu2[j] = res.alpha, res.mu, res.mu2
        s.V[j], s.lbf[j], s.lbf_variable[j] = res.V, res.lbf_model, res.lbf
        eb, eb2 = res.alpha * res.mu, res.alpha * res.mu2
        e_loglik = (-0.5 * n * math.log(2 * math.pi * s.sigma2)
                    - 0.5 / s.sigma2 * (float(r @ r) - 2 * float(r @ (xs @ eb))
                                        + float(np.sum(d * eb2))))
        s.KL[j] = -res.loglik + e_loglik
        s.Xr = s.Xr + xs @ eb


def _standardize(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                  NDArray[np.float64]]:
    """Centered, scaled columns, the scales (sd, 1 where 0) and ``d = colSums(xs²)``."""
    n = x.shape[0]
    cm = x.mean(0)
    sd = x.std(0, ddof=1)
    csd = np.where(sd == 0, 1.0, sd)
    d = (n * cm ** 2 + (n - 1) * sd ** 2 - n * cm ** 2) / csd ** 2
    return (x - cm) / csd, csd, d


def susie(
    X: ArrayLike,
    y: ArrayLike,
    *,
    L: int = 10,
    scaled_prior_variance: float = 0.2,
    prior_weights: ArrayLike | None = None,
    estimate_residual_variance: bool = True,
    estimate_prior_variance: bool = True,
    estimate_prior_method: PriorMethod = "optim",
    residual_variance_lowerbound: float | None = None,
    max_iter: int = 100,
    tol: float = 1e-3,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
    prior_tol: float = 1e-9,
    n_purity: int = 100,
    seed: int | None = 0,
) -> SusieResult:
    """Fit SuSiE by iterative Bayesian stepwise selection, as susieR's ``susie``.

    Parameters
    ----------
    X
        (n_samples, n_variables) design, e.g. residualized genotypes (samples × variants).
        Columns are centered and scaled to ``sd = 1`` (ddof=1; constant columns unscaled).
    y
        (n_samples,) response; centered (intercept fitted).
    L
        Number of single effects (capped at ``n_variables``).
    scaled_prior_variance
        Initial prior variance of each effect as a fraction of ``var(y)``.
    prior_weights
        (n_variables,) prior inclusion weights (normalized); uniform by default.
    estimate_residual_variance, estimate_prior_variance
        Update σ² after each sweep; update each ``V_l``.
    estimate_prior_method
        ``"optim"`` (susieR default), ``"EM"`` (tensorQTL) or ``"none"``.
    residual_variance_lowerbound
        Floor of σ²; ``None`` gives susieR's ``var(y)/1e4`` (tensorQTL: 0).
    max_iter, tol
        Iterations stop when the ELBO increases by less than ``tol`` (checked before the σ²
        update). ``converged`` is False if ``max_iter`` is reached first.
    coverage, min_abs_corr
        Credible-set coverage and purity threshold (``susie_get_cs``).
    prior_tol
        Effects with ``V ≤ prior_tol`` are left out of the PIPs.
    n_purity, seed
        Purity of a set larger than ``n_purity`` is computed on a random subset (R samples
        one with ``sample``; here a seeded NumPy generator, so it will not equal R's).

    Returns
    -------
    SusieResult

    References
    ----------
    Wang, Sarkar, Carbonetto & Stephens (2020) JRSS-B 82:1273; susieR 0.12.35 ``susie``,
    ``single_effect_regression``, ``optimize_prior_variance``, ``susie_get_cs``,
    ``susie_get_pip``; tensorQTL ``susie.susie`` (EM prior, no σ² floor).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((200, 20))
    >>> y = 1.0 * X[:, 3] + rng.standard_normal(200)
    >>> fit = susie(X, y, L=3)
    >>> fit.converged, [s.tolist() for s in fit.sets.sets], bool(fit.pip[3] > 0.99)
    (True, [[3]], True)
    """
    x = np.array(X, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64).ravel()
    if x.ndim != 2 or x.shape[0] != yy.size:
        raise ValueError(f"X {x.shape} must be (n_samples, n_variables) with y of length n")
    if not (np.isfinite(x).all() and np.isfinite(yy).all()):
        raise ValueError("X and y must not contain missing or infinite values")
    if estimate_prior_method not in ("EM", "optim", "none"):
        raise ValueError(f"unknown estimate_prior_method {estimate_prior_method!r}")
    n, p = x.shape
    mean_y = float(yy.mean())
    yc = yy - mean_y
    var_y = float(np.var(yc, ddof=1))
    lower = var_y / 1e4 if residual_variance_lowerbound is None else residual_variance_lowerbound
    xs, csd, d = _standardize(x)
    if prior_weights is None:
        prior = np.full(p, 1.0 / p)
    else:
        prior = np.asarray(prior_weights, dtype=np.float64)
        prior = prior / prior.sum()
    ll = min(L, p)
    s = _State.initial(ll, p, prior_variance=scaled_prior_variance * var_y, sigma2=var_y,
                       Xr=np.zeros(n))
    method: PriorMethod = estimate_prior_method if estimate_prior_variance else "none"
    elbo = [-np.inf]
    converged = False
    for _ in range(max_iter):
        _update_effects(xs, d, yc, s, prior, method)
        elbo.append(_elbo(xs, d, yc, s))
        if elbo[-1] - elbo[-2] < tol:
            converged = True
            break
        if estimate_residual_variance:
            s.sigma2 = max(lower, _er2(xs, d, yc, s) / n)
    sets = credible_sets(s.alpha, s.V, x, coverage=coverage, min_abs_corr=min_abs_corr,
                         n_purity=n_purity, seed=seed)
    intercept = mean_y - float(np.sum(x.mean(0) * ((s.alpha * s.mu).sum(0) / csd)))
    return SusieResult(
        s.alpha, s.mu, s.mu2, s.lbf_variable, s.lbf, s.KL, s.V, s.sigma2,
        np.asarray(elbo[1:]), len(elbo) - 1, converged,
        susie_pip(s.alpha, s.V, prior_tol=prior_tol), sets, intercept, s.Xr + mean_y, csd,
    )


def susie_pip(alpha: ArrayLike, V: ArrayLike, *, prior_tol: float = 1e-9) -> NDArray[np.float64]:
    """Posterior inclusion probabilities ``1 − Π_l (1 − α_l)`` over effects with ``V > tol``.

    Examples
    --------
    >>> susie_pip([[0.5, 0.5], [0.9, 0.1]], [1.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    a = np.atleast_2d(np.asarray(alpha, dtype=np.float64))
    keep = np.asarray(V, dtype=np.float64) > prior_tol
    if not keep.any():
        return np.zeros(a.shape[1])
    return np.asarray(1.0 - np.prod(1.0 - a[keep], axis=0))


def _in_cs(a: NDArray[np.float64], coverage: float) -> NDArray[np.int64]:
    """Smallest set of top-α variables reaching ``coverage`` (R ``in_CS_x``), sorted."""
    srt = np.sort(a)[::-1]
    k = int(np.sum(np.cumsum(srt) < coverage)) + 1
    order = np.argsort(-a, kind="stable")
    return np.sort(order[:k]).astype(np.int64)


def _purity(cols: NDArray[np.float64]) -> tuple[float, float, float]:
    """min / mean / median |corr| over distinct pairs of columns (upper triangle)."""
    if cols.shape[1] == 1:
        return 1.0, 1.0, 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.atleast_2d(np.corrcoef(cols, rowvar=False))
    v = np.abs(c[np.triu_indices(c.shape[0], k=1)])
    return float(v.min()), float(v.sum() / v.size), float(np.median(v))


def credible_sets(
    alpha: ArrayLike,
    V: ArrayLike,
    X: ArrayLike,
    *,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
    n_purity: int = 100,
    seed: int | None = 0,
) -> CredibleSets:
    """Credible sets of a SuSiE fit with purity, as susieR ``susie_get_cs(res, X=X)``.

    Parameters
    ----------
    alpha
        (L, p) posterior inclusion probabilities of each effect.
    V
        (L,) prior variances; effects with ``V ≤ 1e-9`` give no set.
    X
        (n_samples, p) the design whose column correlations define purity.
    coverage, min_abs_corr
        Target coverage; sets with ``min |corr| < min_abs_corr`` are dropped.
    n_purity, seed
        Purity of larger sets is computed on ``n_purity`` random members.

    Returns
    -------
    CredibleSets
        Duplicate sets keep their first effect (R ``!duplicated``); sets are ordered by
        decreasing ``min_abs_corr`` (stable).
    """
    x = np.asarray(X, dtype=np.float64)
    return collect_credible_sets(alpha, V, lambda pos: _purity(x[:, pos]), coverage=coverage,
                                 min_abs_corr=min_abs_corr, n_purity=n_purity, seed=seed)


def collect_credible_sets(
    alpha: ArrayLike,
    V: ArrayLike,
    purity: Callable[[NDArray[np.int64]], tuple[float, float, float]],
    *,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
    n_purity: int = 100,
    seed: int | None = 0,
) -> CredibleSets:
    """``susie_get_cs`` given how to measure purity (shared by ``susie`` and ``susie_rss``).

    ``purity(members)`` returns the min, mean and median absolute correlation between the
    (at most ``n_purity``, randomly drawn) ``members`` (0-based column indices) of a set, from
    the design's columns or from an LD matrix; single-member sets have purity 1.
    """
    a = np.atleast_2d(np.asarray(alpha, dtype=np.float64))
    include = np.asarray(V, dtype=np.float64) > 1e-9
    cs = [_in_cs(row, coverage) for row in a]
    seen: set[tuple[int, ...]] = set()
    rng = np.random.default_rng(seed)
    kept: list[tuple[int, NDArray[np.int64], tuple[float, float, float]]] = []
    for j, members in enumerate(cs):
        key = tuple(members.tolist())
        dup = key in seen
        seen.add(key)
        if not include[j] or dup:
            continue
        pos = members if members.size <= n_purity else rng.choice(members, n_purity,
                                                                  replace=False)
        pur = (1.0, 1.0, 1.0) if pos.size == 1 else purity(np.asarray(pos, dtype=np.int64))
        if pur[0] >= min_abs_corr:
            kept.append((j, members, pur))
    order = sorted(range(len(kept)), key=lambda i: -kept[i][2][0])  # stable
    kept = [kept[i] for i in order]
    return CredibleSets(
        tuple(m for _, m, _ in kept),
        np.array([j for j, _, _ in kept], dtype=np.int64),
        np.array([a[j, m].sum() for j, m, _ in kept], dtype=np.float64),
        np.array([q[0] for *_, q in kept], dtype=np.float64),
        np.array([q[1] for *_, q in kept], dtype=np.float64),
        np.array([q[2] for *_, q in kept], dtype=np.float64),
        coverage,
    )


@dataclass(frozen=True)
class FinemapResult:
    """SuSiE on one phenotype's cis window.

    ``variant_index`` (n_kept,) are the rows of the input genotypes that were fine-mapped
    (monomorphic and MAF-filtered rows removed); ``af`` (n_kept,) their ALT frequencies;
    ``fit`` the SuSiE result whose columns follow ``variant_index``.
    """

    variant_index: NDArray[np.int64]
    af: NDArray[np.float32]
    fit: SusieResult


def finemap_phenotype(
    genotypes: ArrayLike,
    phenotype: ArrayLike,
    residualizer: Residualizer,
    *,
    maf_threshold: float = 0.0,
    L: int = 10,
    scaled_prior_variance: float = 0.2,
    estimate_residual_variance: bool = True,
    estimate_prior_variance: bool = True,
    estimate_prior_method: PriorMethod = "EM",
    residual_variance_lowerbound: float | None = 0.0,
    max_iter: int = 200,
    tol: float = 1e-3,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
) -> FinemapResult | None:
    """Fine-map one phenotype as tensorQTL ``susie.map`` does for each phenotype.

    Genotypes are mean-imputed; constant variants (and those under ``maf_threshold``) are
    dropped; genotypes and phenotype are both residualized on the covariates; SuSiE then runs
    on ``X = residualized genotypesᵀ`` and ``y = residualized phenotype``. The defaults are
    tensorQTL's (EM prior, no σ² floor, ``max_iter=200``); pass
    ``estimate_prior_method="optim"`` and ``residual_variance_lowerbound=None`` for susieR's.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) dosages of the cis window, NaN = missing.
    phenotype
        (n_samples,) normalized phenotype, same sample order.
    residualizer
        Covariates to project out of both.

    Returns
    -------
    FinemapResult or None
        None when no variant is left to fine-map.

    References
    ----------
    tensorQTL ``susie.map``.
    """
    g = impute_mean(genotypes)
    af = (g.sum(1, dtype=np.float64) / (2 * g.shape[1])).astype(np.float32)
    keep = np.flatnonzero(~is_monomorphic(g) & maf_mask(af, maf_threshold))
    if keep.size == 0:
        return None
    gres = residualizer.transform(g[keep]).astype(np.float64)
    yres = residualizer.transform(np.asarray(phenotype)).astype(np.float64)
    fit = susie(gres.T, yres, L=L, scaled_prior_variance=scaled_prior_variance,
                estimate_residual_variance=estimate_residual_variance,
                estimate_prior_variance=estimate_prior_variance,
                estimate_prior_method=estimate_prior_method,
                residual_variance_lowerbound=residual_variance_lowerbound,
                max_iter=max_iter, tol=tol, coverage=coverage, min_abs_corr=min_abs_corr)
    return FinemapResult(keep.astype(np.int64), af[keep], fit)
