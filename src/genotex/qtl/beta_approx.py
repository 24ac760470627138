"""Beta approximation of the permutation p-value (Ongen et al. 2016), as tensorQTL 1.0.10.

The permutation minimum p-values of a phenotype follow approximately a Beta(a, b)
distribution. An effective number of degrees of freedom (``true_df``) is found first so that the
moment-matched first shape parameter is 1; the Beta parameters are then fitted by maximum
likelihood and the nominal top p-value (at ``true_df``) is mapped through the Beta CDF.

tensorQTL fits one phenotype at a time with ``scipy.optimize.newton`` (secant) and
``scipy.optimize.minimize(method="Nelder-Mead")``; so do ``fit_beta`` and ``beta_approx_pval``
(scipy imported on first use). ``beta_approx_pvals`` fits many phenotypes at once: both solvers
are re-implemented step for step (same start points, updates, branch order, tolerances,
evaluation budgets and simplex sort) but vectorized across phenotypes, each keeping its own
solver state, so that one iteration is a few NumPy operations over the phenotypes still running
and one ``stdtr`` call covers all their permutations. Its results equal the one-phenotype
functions' bit for bit. A batch of one is slower than scipy (NumPy call overhead per iteration),
so the one-phenotype path stays on scipy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, loggamma

from genotex.qtl.regression import pval_from_r2

__all__ = [
    "BetaApprox",
    "BetaApproxBatch",
    "beta_approx_pval",
    "beta_approx_pvals",
    "beta_shape1_from_dof",
    "fit_beta",
]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]
Idx = NDArray[np.intp]
# objective of a batched minimization: (points (k, N), their rows (k,)) -> values (k,)
_Objective = Callable[[F64, Idx], F64]

_SECANT_MAXITER = 50  # tensorQTL's newton(..., maxiter=50)
_SECANT_EPS = 1e-4  # scipy newton: second secant point x0·(1 + 1e-4) ± 1e-4
# scipy _minimize_neldermead (adaptive=False): coefficients and initial simplex steps
_RHO, _CHI, _PSI, _SIGMA = 1, 2, 0.5, 0.5
_NONZDELT, _ZDELT = 0.05, 0.00025


def _shape1_rows(r2: F64, dof: F64) -> F64:
    """Moment-matched Beta shape 1 of each row's permutation p-values at its own ``dof``.

    ``r2`` is (k, n_perm) float64, ``dof`` (k,); returns (k,).
    """
    p = pval_from_r2(r2, dof[:, None])  # type: ignore[arg-type]  # broadcasts per row
    m = np.mean(p, axis=1)
    v = np.var(p, axis=1)
    return np.asarray(m * (m * (1.0 - m) / v - 1.0))


def beta_shape1_from_dof(r2_perm: ArrayLike, dof: float) -> float:
    """Moment-matched Beta shape 1 of the permutation p-values at ``dof``.

    ``m·(m(1 − m)/v − 1)`` with ``m``, ``v`` the mean and (ddof=0) variance of
    ``pval_from_r2(r2_perm, dof)``; ``r2_perm`` is (n_perm,).
    """
    r2 = np.asarray(r2_perm, dtype=np.float64)[None, :]
    with np.errstate(all="ignore"):
        return float(_shape1_rows(r2, np.array([dof], dtype=np.float64))[0])


def _beta_nll_sums(log_x: F64, log_1mx: F64, n: int, s1: F64, s2: F64) -> F64:
    """Beta negative log-likelihood from the data's sums of ``log x`` and ``log(1 − x)``.

    All arrays (k,): one fit per entry; ``n`` is the number of data points of every fit.
    """
    logbeta = loggamma(s1) + loggamma(s2) - loggamma(s1 + s2)
    return np.asarray((1.0 - s1) * log_x + (1.0 - s2) * log_1mx + n * logbeta)


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


@dataclass(frozen=True)
class BetaApproxBatch:
    """Beta fits of many phenotypes; every array has shape (n_genes,).

    Row ``i`` equals ``beta_approx_pval`` of phenotype ``i`` (see ``BetaApprox`` for the
    fields).
    """

    pval_beta: F64
    beta_shape1: F64
    beta_shape2: F64
    true_df: F64
    pval_true_df: F64
    secant_failed: Bool


def _secant_log_dof(r2: F64, dof_init: F64, *, tol: float) -> tuple[F64, Bool]:
    """Root of ``log shape1(exp x)`` per row by scipy ``newton``'s secant method.

    Returns (k,) roots ``x`` and (k,) ``failed`` where scipy raises ("Tolerance of … reached"
    or "Failed to converge"); ``x`` is NaN there.
    """

    def f(x: F64, rows: Idx) -> F64:
        return np.log(_shape1_rows(r2[rows], np.exp(x)))

    n = dof_init.size
    rows = np.arange(n)
    p0 = np.log(dof_init)
    p1 = p0 * (1 + _SECANT_EPS)
    p1 += np.where(p1 >= 0, _SECANT_EPS, -_SECANT_EPS)
    q0, q1 = f(p0, rows), f(p1, rows)
    swap = np.abs(q1) < np.abs(q0)
    p0, p1 = np.where(swap, p1, p0), np.where(swap, p0, p1)
    q0, q1 = np.where(swap, q1, q0), np.where(swap, q0, q1)
    x = np.full(n, np.nan)
    failed = np.zeros(n, dtype=bool)
    active = rows
    for _ in range(_SECANT_MAXITER):
        a0, a1, b0, b1 = p0[active], p1[active], q0[active], q1[active]
        flat = b1 == b0  # scipy: raise if p1 != p0, else return (p1 + p0)/2
        failed[active[flat & (a1 != a0)]] = True
        done = flat & ~(a1 != a0)
        x[active[done]] = (a1[done] + a0[done]) / 2.0
        p = np.where(np.abs(b1) > np.abs(b0),
                     (-b0 / b1 * a1 + a0) / (1 - b0 / b1),
                     (-b1 / b0 * a0 + a1) / (1 - b1 / b0))
        conv = ~flat & np.isclose(p, a1, rtol=0, atol=tol)
        x[active[conv]] = p[conv]
        go = ~flat & ~conv
        active = active[go]
        if active.size == 0:
            break
        p0[active], q0[active], p1[active] = a1[go], b1[go], p[go]
        q1[active] = f(p1[active], active)
    failed[active] = True  # maxiter reached: "Failed to converge"
    return x, failed


def _nm_iteration(fun: _Objective, sim: F64, fsim: F64, calls: Idx, rows: Idx,
                  max_calls: int) -> Bool:
    """One scipy Nelder–Mead iteration for each row, in place on ``sim`` (k, N+1, N),
    ``fsim`` (k, N+1) and the evaluation counts ``calls`` (k,).

    A row whose budget runs out mid-iteration stops there, as scipy's ``_MaxFuncCallError``
    does (a shrink may be left half done). Returns (k,) True where the iteration completed.
    """
    k, n1, dim = sim.shape
    alive = np.ones(k, dtype=bool)

    def call(x: F64, want: Bool) -> tuple[Bool, F64]:
        ok = want & (calls < max_calls)
        alive[want & ~ok] = False
        calls[ok] += 1
        fx = np.full(k, np.nan)
        if ok.any():
            fx[ok] = fun(np.ascontiguousarray(x[ok]), rows[ok])
        return ok, fx

    xbar = np.add.reduce(sim[:, :-1], axis=1) / dim
    worst = sim[:, -1].copy()
    xr = (1 + _RHO) * xbar - _RHO * worst
    xe = (1 + _RHO * _CHI) * xbar - _RHO * _CHI * worst
    xc = (1 + _PSI * _RHO) * xbar - _PSI * _RHO * worst
    xcc = (1 - _PSI) * xbar + _PSI * worst
    ok, fxr = call(xr, alive.copy())
    ok_e, fxe = call(xe, ok & (fxr < fsim[:, 0]))
    rest = ok & ~(fxr < fsim[:, 0])
    contract = rest & ~(fxr < fsim[:, -2])
    outside = contract & (fxr < fsim[:, -1])
    ok_c, fxc = call(xc, outside)
    ok_cc, fxcc = call(xcc, contract & ~outside)
    shrink = (ok_c & ~(fxc <= fxr)) | (ok_cc & ~(fxcc < fsim[:, -1]))
    for use, xn, fn in ((ok_e & (fxe < fxr), xe, fxe),
                        ((ok_e & ~(fxe < fxr)) | (rest & (fxr < fsim[:, -2])), xr, fxr),
                        (ok_c & (fxc <= fxr), xc, fxc),
                        (ok_cc & (fxcc < fsim[:, -1]), xcc, fxcc)):
        sim[use, -1] = xn[use]
        fsim[use, -1] = fn[use]
    for j in range(1, n1):
        s = shrink & alive
        sim[s, j] = sim[s, 0] + _SIGMA * (sim[s, j] - sim[s, 0])
        ok_s, fs = call(sim[:, j], s)
        fsim[ok_s, j] = fs[ok_s]
    return alive


def _sort_simplex(sim: F64, fsim: F64) -> tuple[F64, F64]:
    order = np.argsort(fsim, axis=1)  # scipy's np.argsort(fsim), row by row
    return np.take_along_axis(sim, order[:, :, None], axis=1), np.take_along_axis(fsim, order, 1)


def _nelder_mead(fun: _Objective, x0: F64, *, tol: float) -> F64:
    """Minimize ``fun`` from each row of ``x0`` (k, N) as scipy ``minimize(method="Nelder-Mead",
    tol=tol)`` does one row at a time (xatol = fatol = tol, maxiter = maxfev = 200·N).

    Returns (k, N): scipy's ``res.x`` per row.
    """
    k, dim = x0.shape
    max_calls = 200 * dim
    sim = np.repeat(x0[:, None, :], dim + 1, axis=1)
    for j in range(dim):
        y = sim[:, j + 1, j]
        sim[:, j + 1, j] = np.where(y != 0, (1 + _NONZDELT) * y, _ZDELT)
    rows = np.arange(k)
    fsim = np.stack([fun(np.ascontiguousarray(sim[:, j]), rows) for j in range(dim + 1)], 1)
    calls = np.full(k, dim + 1)
    sim, fsim = _sort_simplex(*_sort_simplex(sim, fsim))  # scipy sorts twice here
    iterations = np.ones(k, dtype=np.intp)
    active = rows
    while True:
        active = active[(calls[active] < max_calls) & (iterations[active] < max_calls)]
        s, fs = sim[active], fsim[active]
        done = ((np.max(np.abs(s[:, 1:] - s[:, :1]), axis=(1, 2), initial=-np.inf) <= tol)
                & (np.max(np.abs(fs[:, :1] - fs[:, 1:]), axis=1, initial=-np.inf) <= tol))
        active, s, fs = active[~done], s[~done], fs[~done]
        if active.size == 0:
            return np.asarray(sim[:, 0])
        c = calls[active]
        completed = _nm_iteration(fun, s, fs, c, active, max_calls)
        calls[active] = c
        iterations[active[completed]] += 1
        sim[active], fsim[active] = _sort_simplex(s, fs)


def _shape_fit_start(r2: F64, true_df: F64) -> tuple[F64, F64, F64]:
    """Method-of-moments start (k, 2) of the (shape1, shape2) fit and the data's (k,) sums of
    ``log p`` and ``log(1 − p)``, with ``p = pval_from_r2(r2, true_df)`` per row."""
    p = pval_from_r2(r2, true_df[:, None])  # type: ignore[arg-type]  # broadcasts per row
    m, v = np.mean(p, axis=1), np.var(p, axis=1)
    s1 = m * (m * (1 - m) / v - 1)
    s2 = s1 * (1 / m - 1)
    return np.stack([s1, s2], axis=1), np.sum(np.log(p), axis=1), np.sum(np.log(1.0 - p), axis=1)


def _fit_rows(r2: F64, dof_init: F64, *, tol: float) -> tuple[F64, F64, F64, Bool]:
    """``fit_beta`` of every row of ``r2`` (k, n_perm); returns (k,) s1, s2, true_df, failed."""
    x, failed = _secant_log_dof(r2, dof_init, tol=tol)
    true_df = np.exp(x)
    if failed.any():  # tensorQTL: Nelder–Mead on |shape1(df) − 1| from dof_init
        bad = np.flatnonzero(failed)
        r2_bad = r2[bad]

        def off_one(df: F64, rows: Idx) -> F64:
            return np.abs(_shape1_rows(r2_bad[rows], df[:, 0]) - 1)

        true_df[bad] = _nelder_mead(off_one, dof_init[bad, None], tol=tol)[:, 0]
    start, log_p, log_1mp = _shape_fit_start(r2, true_df)
    n = r2.shape[1]

    def nll(s: F64, rows: Idx) -> F64:
        return _beta_nll_sums(log_p[rows], log_1mp[rows], n, s[:, 0], s[:, 1])

    shapes = _nelder_mead(nll, start, tol=tol)
    return shapes[:, 0], shapes[:, 1], true_df, failed


def _pval_beta(r2_top: F64, s1: F64, s2: F64, true_df: F64) -> tuple[F64, F64]:
    """(pval_beta, pval_true_df): the top r² at ``true_df`` through the Beta(s1, s2) CDF."""
    p_top = pval_from_r2(r2_top, true_df)  # type: ignore[arg-type]
    return np.asarray(betainc(s1, s2, p_top)), p_top  # = stats.beta.cdf(p_top, s1, s2)


def beta_approx_pvals(
    r2_perm: ArrayLike, r2_top: ArrayLike, *, dof_init: ArrayLike, tol: float = 1e-4
) -> BetaApproxBatch:
    """Beta-approximated permutation p-values of many phenotypes at once.

    Parameters
    ----------
    r2_perm
        (n_genes, n_perm) permutation maxima of r², one row per phenotype (float32 or float64;
        computed in float64).
    r2_top
        (n_genes,) squared correlation of each phenotype's top variant.
    dof_init
        Starting degrees of freedom, a scalar or (n_genes,) (``n − 2 − k``; ``0.25·dof`` in
        grouped mode).
    tol
        Tolerance of the secant step and of both Nelder–Mead fits.

    Returns
    -------
    BetaApproxBatch
        (n_genes,) arrays; row ``i`` equals ``beta_approx_pval(r2_perm[i], r2_top[i],
        dof_init=dof_init[i])``.

    References
    ----------
    tensorQTL ``core.calculate_beta_approx_pval`` / ``core.fit_beta_parameters`` (1.0.10),
    with scipy 1.x ``optimize.newton`` (secant) and ``_minimize_neldermead`` reproduced per row.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> r2 = np.max(rng.standard_normal((3, 50, 200)) ** 2, axis=1) / 100
    >>> res = beta_approx_pvals(r2, [0.1, 0.2, 0.4], dof_init=95)
    >>> res.pval_beta.shape, bool(np.all(np.diff(res.pval_beta) < 0))
    ((3,), True)
    """
    r2 = np.ascontiguousarray(r2_perm, dtype=np.float64)
    if r2.ndim != 2:
        raise ValueError(f"r2_perm must be (n_genes, n_perm), got shape {r2.shape}")
    n = r2.shape[0]
    top = np.broadcast_to(np.asarray(r2_top, dtype=np.float64), (n,))
    dof = np.broadcast_to(np.asarray(dof_init, dtype=np.float64), (n,)).copy()
    if n == 0:
        empty = np.empty(0)
        return BetaApproxBatch(empty, empty, empty, empty, empty, np.zeros(0, dtype=bool))
    with np.errstate(all="ignore"):
        s1, s2, true_df, failed = _fit_rows(r2, dof, tol=tol)
        pval_beta, p_top = _pval_beta(top, s1, s2, true_df)
    return BetaApproxBatch(pval_beta, s1, s2, true_df, p_top, failed)


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
    import scipy.optimize  # ~0.1–0.4 s to import: only the one-phenotype path pays it

    r2 = np.asarray(r2_perm, dtype=np.float64)
    failed = False
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            x = scipy.optimize.newton(
                lambda x: np.log(beta_shape1_from_dof(r2, np.exp(x))),
                np.log(dof_init), tol=tol, maxiter=_SECANT_MAXITER,
            )
            true_df = float(np.exp(x))
        except Exception:  # tensorQTL catches everything here
            failed = True
            res = scipy.optimize.minimize(
                lambda x: np.abs(beta_shape1_from_dof(r2, x[0]) - 1), dof_init,
                method="Nelder-Mead", tol=tol,
            )
            true_df = float(res.x[0])
        start, log_p, log_1mp = _shape_fit_start(r2[None, :], np.array([true_df]))
        res = scipy.optimize.minimize(
            lambda s: _beta_nll_sums(log_p, log_1mp, r2.size, s[:1], s[1:])[0], start[0],
            method="Nelder-Mead", tol=tol,
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
    pval_beta, p_top = _pval_beta(np.array([r2_top]), np.array([s1]), np.array([s2]),
                                  np.array([true_df]))
    return BetaApprox(float(pval_beta[0]), s1, s2, true_df, float(p_top[0]), failed)
