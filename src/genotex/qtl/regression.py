"""Shared regression kernels: residual correlations and the t statistics built from them.

For a variant g and phenotype y with covariates C, OLS of ``y ~ 1 + C + g`` gives the same
coefficient, t statistic and p-value as the correlation ``r`` of the residualized vectors:
``t = r·sqrt(dof/(1 − r²))``, ``slope = r·sd(ỹ)/sd(g̃)``, ``slope_se = slope/t``, with
``dof = n − 2 − k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from genotex.qtl.residualize import Residualizer

__all__ = [
    "Association",
    "ResidualRows",
    "associate",
    "association_from_r",
    "complement_rows",
    "pval_from_r2",
    "pval_from_t",
    "residualize_rows",
    "tstat_from_r",
]


@dataclass(frozen=True)
class ResidualRows:
    """Residualized rows scaled to unit norm, plus their sample variances before scaling.

    ``unit`` has shape (n_rows, n_samples) (NaN rows for constant inputs); ``var`` has shape
    (n_rows,) and is the ``ddof=1`` variance of the residuals.
    """

    unit: NDArray[np.floating]
    var: NDArray[np.floating]


def residualize_rows(
    matrix: ArrayLike, residualizer: Residualizer, *, overwrite: bool = False,
    chunk_rows: int = 2048,
) -> ResidualRows:
    """Residualize rows, then center and scale each to unit Euclidean norm.

    The same arithmetic as ``residualizer.transform`` followed by centering and scaling, done
    in place over chunks of ``chunk_rows`` rows so the temporaries stay in cache (one pass
    over memory instead of one per step).

    Parameters
    ----------
    matrix
        (n_rows, n_samples) genotypes (imputed) or phenotypes.
    residualizer
        Covariates to project out; its dtype sets the precision.
    overwrite
        Reuse ``matrix`` as the output when it is already a C-contiguous array of the
        residualizer's dtype (its values are lost); otherwise a copy is made.
    chunk_rows
        Rows per chunk (speed only).

    Returns
    -------
    ResidualRows
        A row that is constant after residualization becomes NaN (0/0), as in tensorQTL.

    Examples
    --------
    >>> rr = residualize_rows([[1.0, 2.0, 3.0]], Residualizer.intercept_only(3))
    >>> np.round(rr.unit, 4).tolist(), rr.var.tolist()
    ([[-0.7071, 0.0, 0.7071]], [1.0])
    """
    m = np.atleast_2d(np.asarray(matrix))
    if m.shape[1] != residualizer.n_samples:
        raise ValueError(f"matrix has {m.shape[1]} samples, covariates "
                         f"{residualizer.n_samples}")
    dt = residualizer.dtype
    own = overwrite and m.dtype == dt and m.flags.c_contiguous and m.flags.writeable
    unit = m if own else np.array(m, dtype=dt, order="C")
    ss = np.empty(unit.shape[0], dtype=dt)
    q = residualizer.Q
    step = max(1, int(chunk_rows))
    with np.errstate(invalid="ignore", divide="ignore"):
        for lo in range(0, unit.shape[0], step):
            c = unit[lo:lo + step]
            c -= c.mean(1, keepdims=True)
            if residualizer.n_covariates > 0:
                c -= (c @ q) @ q.T
            c -= c.mean(1, keepdims=True)
            s = ss[lo:lo + step]
            np.einsum("ij,ij->i", c, c, out=s)
            c /= np.sqrt(s)[:, None]
    n = unit.shape[1]
    return ResidualRows(unit, ss / (n - 1))


def complement_rows(matrix: ArrayLike, residualizer: Residualizer, *,
                    out: NDArray[np.floating] | None = None) -> ResidualRows:
    """:func:`residualize_rows` in the residual space's own coordinates.

    ``unit`` has shape (n_rows, n − 1 − k) (:meth:`Residualizer.complement`): dot products of
    these rows equal those of :func:`residualize_rows`' rows (up to rounding) with fewer
    entries per row. ``var`` is the same ``ddof=1`` residual variance. ``out``: an optional
    (n_rows, n − 1 − k) array to write the rows into.

    Examples
    --------
    >>> rr = complement_rows([[1.0, 2.0, 3.0]], Residualizer.intercept_only(3))
    >>> rr.unit.shape, round(float(np.linalg.norm(rr.unit)), 12), rr.var.tolist()
    ((1, 2), 1.0, [1.0])
    """
    unit = residualizer.complement(matrix, out=out)
    ss = np.einsum("ij,ij->i", unit, unit)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit /= np.sqrt(ss)[:, None]
    return ResidualRows(unit, ss / (residualizer.n_samples - 1))


def tstat_from_r(r: ArrayLike, dof: float) -> NDArray[np.float64]:
    """``t = r·sqrt(dof/(1 − r²))`` in float64 (r = ±1 gives ±inf).

    Examples
    --------
    >>> float(tstat_from_r(0.6, 16))
    3.0
    """
    r64 = np.asarray(r, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(r64 * np.sqrt(dof / (1.0 - r64 * r64)))


def pval_from_t(t: ArrayLike, dof: float) -> NDArray[np.float64]:
    """Two-sided Student-t p-value ``2·T_dof.cdf(−|t|)``.

    Examples
    --------
    >>> round(float(pval_from_t(2.0, 10)), 6)
    0.073388
    """
    return np.asarray(2.0 * special.stdtr(dof, -np.abs(np.asarray(t, dtype=np.float64))))


def pval_from_r2(r2: ArrayLike, dof: float) -> NDArray[np.float64]:
    """p-value of a squared correlation: ``2·T_dof.cdf(−sqrt(dof·r²/(1 − r²)))``.

    ``dof`` may be fractional (the beta approximation's effective dof).

    Examples
    --------
    >>> round(float(pval_from_r2(0.36, 16)), 6) == round(float(pval_from_t(3.0, 16)), 6)
    True
    """
    r2 = np.asarray(r2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.sqrt(dof * r2 / (1.0 - r2))
    return np.asarray(2.0 * special.stdtr(dof, -t))


@dataclass(frozen=True)
class Association:
    """Per (variant, phenotype) statistics; every array has shape (n_variants, n_phenotypes)."""

    r: NDArray[np.floating]
    tstat: NDArray[np.float64]
    slope: NDArray[np.float64]
    slope_se: NDArray[np.float64]
    pval: NDArray[np.float64]
    dof: int


def association_from_r(
    r: NDArray[np.floating], var_g: ArrayLike, var_y: ArrayLike, dof: int
) -> Association:
    """Statistics from correlations and residual variances (broadcasting over the arrays).

    Parameters
    ----------
    r
        (n_variants, n_phenotypes) or flat (n_pairs,) residual correlations.
    var_g, var_y
        residual variances of genotypes and phenotypes, broadcastable against ``r``.
    dof
        ``n − 2 − k``.
    """
    t = tstat_from_r(r, dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.asarray(r, dtype=np.float64) * np.sqrt(
            np.asarray(var_y, dtype=np.float64) / np.asarray(var_g, dtype=np.float64)
        )
        se = slope / t
    return Association(r, t, slope, se, pval_from_t(t, dof), dof)


def associate(
    genotypes: ArrayLike, phenotypes: ArrayLike, residualizer: Residualizer
) -> Association:
    """All-by-all association of variants and phenotypes (covariates projected out).

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) imputed dosages.
    phenotypes
        (n_phenotypes, n_samples) normalized expression, same sample order.
    residualizer
        Covariates; ``Residualizer.intercept_only(n)`` for none.

    Returns
    -------
    Association
        Arrays of shape (n_variants, n_phenotypes). Constant variants give NaN.

    References
    ----------
    tensorQTL ``core.calculate_corr`` and ``cis.calculate_cis_nominal``.

    Examples
    --------
    >>> g = np.array([[0.0, 1.0, 2.0, 1.0, 0.0]])
    >>> y = np.array([[0.1, 1.2, 1.9, 0.8, 0.2]])
    >>> a = associate(g, y, Residualizer.intercept_only(5))
    >>> round(float(a.slope[0, 0]), 4), a.dof
    (0.8714, 3)
    """
    gr = residualize_rows(genotypes, residualizer)
    yr = residualize_rows(phenotypes, residualizer)
    r = gr.unit @ yr.unit.T
    return association_from_r(r, gr.var[:, None], yr.var[None, :], residualizer.dof)
