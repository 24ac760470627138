"""METASOFT multi-tissue meta-analysis: FE, RE, RE2 (Han–Eskin) and m-values.

Every variant–gene pair is meta-analysed across the tissues where it was tested. Inputs are
(n_tissues, n_pairs) arrays of ``slope`` and ``slope_se`` with NaN where a pair was not tested in
a tissue, as gtex-pipeline ``metasoft_prepare_input.py`` lays them out (one row per pair, one
column per tissue — here transposed so tissues are the first axis).

The Han–Eskin RE2 p-value is the **asymptotic** one (½χ²₁ + ½χ²₂). METASOFT corrects it by
ratio interpolation in the tabulated null distribution ``HanEskinPvalueTable.txt``, which is not
shipped with genotex; pass that table as ``pvalue_table`` to get METASOFT's tabulated p-value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "MetasoftResult",
    "han_eskin_tabulated_pvalue",
    "metasoft",
    "mvalues_exact",
    "mvalues_mcmc",
]

_LOG_SQRT2PI = 0.5 * np.log(2 * np.pi)
_ML_CHANGE_RATIO = 1e-5
_TABLE_MAX_THRESHOLD = 33.0
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class MetasoftResult:
    """Per-pair meta-analysis; (n_pairs,) arrays unless stated, NaN where undefined.

    Attributes
    ----------
    n_studies
        Number of tissues with a finite slope and positive se.
    beta_fe, se_fe, z_fe, pvalue_fe
        Inverse-variance fixed effects.
    q, pvalue_q, i_square, tau_square
        Cochran's Q (χ²_{k−1} p-value), I² in percent, DerSimonian–Laird τ² (k ≥ 2).
    beta_re, se_re, pvalue_re
        Random effects with the DL τ² (METASOFT's conservative RE).
    stat1_re2, stat2_re2, pvalue_re2
        Han–Eskin RE2 mean-effect and heterogeneity parts, and the p-value of their sum
        (asymptotic, or tabulated when a table is given).
    pvalue_studies
        (n_tissues, n_pairs) per-tissue two-sided p-values of ``slope/slope_se``.
    mvalues
        (n_tissues, n_pairs) posterior probability that the effect exists in each tissue
        (None when not computed).
    """

    n_studies: NDArray[np.int64]
    beta_fe: F64
    se_fe: F64
    z_fe: F64
    pvalue_fe: F64
    q: F64
    pvalue_q: F64
    i_square: F64
    tau_square: F64
    beta_re: F64
    se_re: F64
    pvalue_re: F64
    stat1_re2: F64
    stat2_re2: F64
    pvalue_re2: F64
    pvalue_studies: F64
    mvalues: F64 | None


def _re2_ml(beta: F64, var: F64, valid: NDArray[np.bool_], beta0: F64, tau0: F64,
            max_iter: int) -> tuple[F64, F64]:
    """Iterative ML of (β, τ²) as ``MetaSnp.computeHanEskin``, vectorized over pairs."""
    mu, tau = beta0.copy(), tau0.copy()
    ll = np.full(mu.shape, -np.inf)
    active = np.isfinite(mu) & np.isfinite(tau)
    b = np.where(valid, beta, 0.0)
    v = np.where(valid, var, 1.0)
    for _ in range(max_iter):
        if not active.any():
            break
        w = np.where(valid, 1.0 / (v + tau), 0.0)
        new_mu = (w * b).sum(0) / w.sum(0)
        w2 = w**2
        new_tau = np.maximum((w2 * ((b - new_mu) ** 2 - v)).sum(0) / w2.sum(0), 0.0)
        # MetaSnp's log-likelihood, sign convention included (+½log(2π(v+τ²)))
        new_ll = np.where(valid, 0.5 * np.log(2 * np.pi * (v + new_tau))
                          - (b - new_mu) ** 2 / (2 * (v + new_tau)), 0.0).sum(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ch_mu = np.abs((new_mu - mu) / mu)
            ch_tau = np.abs((new_tau - tau) / tau)
        decreased = active & (new_ll - ll < 0)
        move = active & ~decreased
        mu = np.where(move, new_mu, mu)
        tau = np.where(move, new_tau, tau)
        ll = np.where(move, new_ll, ll)
        # NaN changes (0/0) compare False, as in Java
        active = move & ((ch_mu > _ML_CHANGE_RATIO) | (ch_tau > _ML_CHANGE_RATIO))
    return mu, tau


def _asymptotic_re2(s: F64 | float) -> F64:
    return np.asarray(0.5 * special.chdtrc(1, s) + 0.5 * special.chdtrc(2, s), dtype=np.float64)


def han_eskin_tabulated_pvalue(stat: ArrayLike, n_studies: ArrayLike,
                               pvalue_table: ArrayLike) -> F64:
    """METASOFT's tabulated RE2 p-value: asymptotic p × interpolated (table / asymptotic).

    Parameters
    ----------
    stat
        (n,) RE2 statistics S = S₁ + S₂.
    n_studies
        (n,) number of studies of each statistic.
    pvalue_table
        (n_rows, n_columns) null p-values of S, row r for ``r + 2`` studies, column c for
        ``S = c/10`` (METASOFT ``HanEskinPvalueTable.txt``). Rows beyond the table keep the
        asymptotic p-value.
    """
    s = np.asarray(stat, dtype=np.float64)
    k = np.asarray(n_studies, dtype=np.int64)
    table = np.asarray(pvalue_table, dtype=np.float64)
    n_rows, n_cols = table.shape
    asym = _asymptotic_re2(s)
    out = asym.copy()
    for i in np.flatnonzero((k >= 2) & (k - 2 < n_rows) & np.isfinite(s)):
        row = table[k[i] - 2]
        lo = max(0, int(np.floor(s[i] * 10)))
        hi = max(0, int(np.ceil(s[i] * 10)))
        if hi < n_cols:
            r_lo = row[lo] / _asymptotic_re2(np.float64(lo / 10))
            r_hi = row[hi] / _asymptotic_re2(np.float64(hi / 10))
            ratio = r_lo + (r_hi - r_lo) * (s[i] - lo / 10) / 0.1
        else:
            ratio = row[n_cols - 1] / _asymptotic_re2(np.float64(_TABLE_MAX_THRESHOLD))
        out[i] = ratio * asym[i]
    return out


def _config_loglik(beta: F64, t: F64, configs: F64, prior_var: float, log_prior: F64) -> F64:
    """(n_pairs, n_configs) log p(data | config) + log prior, ``MetaSnp`` formulas.

    ``beta``, ``t`` are (n_pairs, k) effects and precisions; ``configs`` (n_configs, k) 0/1.
    """
    null_terms = 0.5 * np.log(t) - _LOG_SQRT2PI - t * beta**2 / 2
    null = null_terms @ (1 - configs).T
    m = configs.sum(1)
    sum_t = t @ configs.T
    sum_tm = (t * beta) @ configs.T
    sum_tmm = (t * beta**2) @ configs.T
    sum_logt = np.log(t) @ configs.T
    with np.errstate(divide="ignore", invalid="ignore"):
        beta_joint = sum_tm / sum_t
        t_final = 1.0 / (1.0 / sum_t + prior_var)
        log_scale = (-(m - 1) * _LOG_SQRT2PI + 0.5 * sum_logt - 0.5 * np.log(sum_t)
                     - (sum_tmm - sum_tm**2 / sum_t) / 2)
        log_joint = 0.5 * np.log(t_final) - _LOG_SQRT2PI - t_final * beta_joint**2 / 2
    alt = np.where(m > 0, log_joint + log_scale, 0.0)
    return null + alt + log_prior[m.astype(np.int64)]


def _log_prior_config(k: int, alpha: float, beta: float) -> F64:
    """log P(one configuration with m effects), m = 0..k: Beta-binomial without the binomial."""
    m = np.arange(k + 1)
    return special.betaln(m + alpha, k - m + beta) - special.betaln(alpha, beta)


def mvalues_exact(slope: ArrayLike, slope_se: ArrayLike, *, prior_alpha: float = 1.0,
                  prior_beta: float = 1.0, prior_sigma: float = 0.2) -> F64:
    """m-values by enumerating all 2^k effect configurations (``MetaSnp.computeMvalues``).

    Parameters
    ----------
    slope, slope_se
        (k, n_pairs) effects and standard errors, all finite (one missing-pattern group).
    prior_alpha, prior_beta
        Beta prior on the fraction of tissues with an effect.
    prior_sigma
        Prior SD of the effect shared by the tissues that have one.

    Returns
    -------
    (k, n_pairs) posterior probabilities that each tissue has an effect.
    """
    b = np.asarray(slope, dtype=np.float64).T
    t = 1.0 / np.asarray(slope_se, dtype=np.float64).T ** 2
    k = b.shape[1]
    configs = ((np.arange(2**k)[:, None] >> np.arange(k)) & 1).astype(np.float64)
    ll = _config_loglik(b, t, configs, prior_sigma**2, _log_prior_config(k, prior_alpha,
                                                                          prior_beta))
    w = np.exp(ll - ll.max(1, keepdims=True))
    return ((w @ configs) / w.sum(1, keepdims=True)).T


def mvalues_mcmc(slope: ArrayLike, slope_se: ArrayLike, *, prior_alpha: float = 1.0,
                 prior_beta: float = 1.0, prior_sigma: float = 0.2, n_sample: int = 10_000,
                 burnin: int = 1_000, prob_random: float = 0.01, max_num_flip: float = 0.1,
                 seed: int = 0) -> F64:
    """m-values by a Metropolis chain over configurations (``computeMvaluesMCMC``).

    Same model and moves as METASOFT (flip up to ``max(⌊max_num_flip·k⌋, 1)`` random tissues,
    or with probability ``prob_random`` propose a uniformly random configuration), run for all
    pairs at once with NumPy's generator (so not METASOFT's Java random stream). Arguments as
    :func:`mvalues_exact`; ``slope``/``slope_se`` are (k, n_pairs) and all finite.
    """
    b = np.asarray(slope, dtype=np.float64).T
    t = 1.0 / np.asarray(slope_se, dtype=np.float64).T ** 2
    n, k = b.shape
    rng = np.random.default_rng(seed)
    log_prior = _log_prior_config(k, prior_alpha, prior_beta)
    var = prior_sigma**2
    max_flip = max(int(np.floor(max_num_flip * k)), 1) if max_num_flip < 1 else int(max_num_flip)
    rows = np.arange(n)

    null_terms = 0.5 * np.log(t) - _LOG_SQRT2PI - t * b**2 / 2

    def loglik(h: F64) -> F64:
        """log p(data | one configuration per pair) + log prior; h is (n_pairs, k) 0/1."""
        m = h.sum(1)
        sum_t = (t * h).sum(1)
        sum_tm = (t * b * h).sum(1)
        sum_tmm = (t * b**2 * h).sum(1)
        sum_logt = (np.log(t) * h).sum(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            beta_joint = sum_tm / sum_t
            t_final = 1.0 / (1.0 / sum_t + var)
            alt = (0.5 * np.log(t_final) - _LOG_SQRT2PI - t_final * beta_joint**2 / 2
                   - (m - 1) * _LOG_SQRT2PI + 0.5 * sum_logt - 0.5 * np.log(sum_t)
                   - (sum_tmm - sum_tm**2 / sum_t) / 2)
        alt = np.where(m > 0, alt, 0.0)
        return ((1 - h) * null_terms).sum(1) + alt + log_prior[m.astype(np.int64)]

    h = rng.integers(0, 2, size=(n, k)).astype(np.float64)
    current = loglik(h)
    counts = np.zeros((n, k))
    for it in range(burnin + n_sample):
        randomize = np.asarray(rng.random(n) <= prob_random, dtype=bool)
        n_flip = np.minimum(rng.integers(0, max_flip, size=n) + 1, k)
        order = np.argsort(rng.random((n, k)), axis=1)
        flip = np.zeros((n, k), dtype=bool)
        flip[rows[:, None], order] = np.arange(k)[None, :] < n_flip[:, None]
        proposal = np.where(flip, 1.0 - h, h)
        proposal[randomize] = rng.integers(0, 2, size=(int(randomize.sum()), k))
        nxt = loglik(proposal)
        accept = (nxt > current) | (rng.random(n) < np.exp(np.minimum(nxt - current, 0.0)))
        h[accept] = proposal[accept]
        current = np.where(accept, nxt, current)
        if it >= burnin:
            counts += h
    return (counts / n_sample).T


def _mvalues(slope: F64, se: F64, valid: NDArray[np.bool_], *, method: str, exact_max: int,
             prior: dict[str, float], mcmc: dict[str, float | int]) -> F64:
    """m-values grouped by missing-data pattern; NaN for untested tissues."""
    out = np.full(slope.shape, np.nan)
    patterns, inverse = np.unique(valid.T, axis=0, return_inverse=True)
    for g, pattern in enumerate(patterns):
        cols = np.flatnonzero(inverse.ravel() == g)
        rows = np.flatnonzero(pattern)
        if rows.size == 0:
            continue
        b = slope[np.ix_(rows, cols)]
        s = se[np.ix_(rows, cols)]
        if method == "exact" or (method == "auto" and rows.size <= exact_max):
            m = mvalues_exact(b, s, **prior)
        else:
            m = mvalues_mcmc(b, s, **prior, **mcmc)  # type: ignore[arg-type]
        out[np.ix_(rows, cols)] = m
    return out


def metasoft(
    slope: ArrayLike, slope_se: ArrayLike, *, mvalues: bool = True,
    mvalue_method: Literal["auto", "exact", "mcmc"] = "auto", exact_max_studies: int = 12,
    prior_alpha: float = 1.0, prior_beta: float = 1.0, prior_sigma: float = 0.2,
    mcmc_sample: int = 10_000, mcmc_burnin: int = 1_000, prob_random: float = 0.01,
    max_num_flip: float = 0.1, seed: int = 100, pvalue_table: ArrayLike | None = None,
    max_iter: int = 10_000,
) -> MetasoftResult:
    """METASOFT meta-analysis of each variant–gene pair across tissues.

    Parameters
    ----------
    slope, slope_se
        (n_tissues, n_pairs) effect sizes and standard errors; NaN (or se ≤ 0) where the pair
        was not tested in that tissue.
    mvalues
        Compute m-values (the slow part).
    mvalue_method
        ``"exact"`` enumeration of 2^k configurations, ``"mcmc"``, or ``"auto"``: exact up to
        ``exact_max_studies`` tissues, MCMC above.
    prior_alpha, prior_beta, prior_sigma
        m-value priors (METASOFT defaults 1, 1, 0.2).
    mcmc_sample, mcmc_burnin, prob_random, max_num_flip, seed
        MCMC settings (METASOFT defaults; GTEx ran with ``-seed 100``).
    pvalue_table
        METASOFT's ``HanEskinPvalueTable`` as an array (see
        :func:`han_eskin_tabulated_pvalue`); without it the RE2 p-value is asymptotic.
    max_iter
        Cap on the RE2 maximum-likelihood iterations.

    Returns
    -------
    MetasoftResult

    References
    ----------
    Han & Eskin (2011) AJHG 88:586 (RE2); Han & Eskin (2012) PLoS Genet 8:e1002555
    (m-values); METASOFT ``MetaSnp.java``.

    Examples
    --------
    >>> res = metasoft([[0.5], [0.4], [0.0]], [[0.1], [0.1], [0.1]])
    >>> round(float(res.beta_fe[0]), 4), [round(float(m), 2) for m in res.mvalues[:, 0]]
    (0.3, [1.0, 1.0, 0.01])
    """
    beta = np.atleast_2d(np.asarray(slope, dtype=np.float64))
    se = np.atleast_2d(np.asarray(slope_se, dtype=np.float64))
    if beta.shape != se.shape:
        raise ValueError(f"slope {beta.shape} and slope_se {se.shape} differ in shape")
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(beta) & np.isfinite(se) & (se > 0)
    k = valid.sum(0)
    var = np.where(valid, se, 1.0) ** 2
    w = np.where(valid, 1.0 / var, 0.0)
    b = np.where(valid, beta, 0.0)
    sw, swb, sw2 = w.sum(0), (w * b).sum(0), (w**2).sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta_fe = swb / sw
        se_fe = 1.0 / np.sqrt(sw)
        z_fe = swb / np.sqrt(sw)
        q = (w * (b - beta_fe) ** 2).sum(0)
        two = k >= 2
        q = np.where(two, q, np.nan)
        i2 = np.maximum((q - (k - 1)) / q * 100.0, 0.0)
        wbar = sw / k
        sw2_var = (sw2 - k * wbar**2) / (k - 1)
        u = (k - 1) * (wbar - sw2_var / (k * wbar))
        tau2 = np.where(two, np.maximum((q - (k - 1)) / u, 0.0), np.nan)
        w_re = np.where(valid, 1.0 / (var + tau2), 0.0)
        beta_re = (w_re * b).sum(0) / w_re.sum(0)
        se_re = 1.0 / np.sqrt(w_re.sum(0))
        z_re = (w_re * b).sum(0) / np.sqrt(w_re.sum(0))
    mu, tau_ml = _re2_ml(beta, var, valid, beta_fe, tau2, max_iter)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(valid, np.log(var / (var + tau_ml)), 0.0).sum(0)
        f2 = (w * b**2).sum(0)
        f3 = (w * (b - beta_fe) ** 2).sum(0)
        f4 = np.where(valid, (b - mu) ** 2 / (var + tau_ml), 0.0).sum(0)
    stat1 = np.where(two, f2 - f3, np.nan)
    stat2 = np.where(two, np.maximum(f1 + f3 - f4, 0.0), np.nan)
    if pvalue_table is None:
        p_re2 = _asymptotic_re2(stat1 + stat2)
    else:
        p_re2 = han_eskin_tabulated_pvalue(stat1 + stat2, k, pvalue_table)
    with np.errstate(invalid="ignore"):
        p_studies = np.where(valid, special.chdtrc(1, (beta / se) ** 2), np.nan)
    mv = None
    if mvalues:
        mv = _mvalues(beta, se, valid, method=mvalue_method, exact_max=exact_max_studies,
                      prior={"prior_alpha": prior_alpha, "prior_beta": prior_beta,
                             "prior_sigma": prior_sigma},
                      mcmc={"n_sample": mcmc_sample, "burnin": mcmc_burnin,
                            "prob_random": prob_random, "max_num_flip": max_num_flip,
                            "seed": seed})
    return MetasoftResult(
        n_studies=k.astype(np.int64), beta_fe=beta_fe, se_fe=se_fe, z_fe=z_fe,
        pvalue_fe=special.chdtrc(1, z_fe**2), q=q, pvalue_q=special.chdtrc(k - 1, q),
        i_square=np.where(two, i2, np.nan), tau_square=tau2, beta_re=beta_re, se_re=se_re,
        pvalue_re=special.chdtrc(1, z_re**2), stat1_re2=stat1, stat2_re2=stat2,
        pvalue_re2=p_re2, pvalue_studies=p_studies, mvalues=mv,
    )
