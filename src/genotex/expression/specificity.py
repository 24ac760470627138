"""Tissue-specificity scores of genes from their per-tissue median expression.

References
----------
Yanai et al. (2005) Bioinformatics 21:650 (tau); Julien et al. (2012) PLoS Biol (TSI);
Kryuchkova-Mostacci & Robinson-Rechavi (2017) Brief Bioinform 18:205 (benchmark, z-score);
formulas as apcamargo/tspex ``tspex/core/specificity_functions.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.errors import InputError

__all__ = ["tau", "tissue_specific_genes", "tsi", "zscore_specificity"]


def _matrix(x: ArrayLike | pd.DataFrame, *, log: bool) -> NDArray[np.float64]:
    m = np.asarray(x, dtype=np.float64)
    if m.ndim == 1:
        m = m[np.newaxis, :]
    if m.ndim != 2:
        raise InputError(None, f"expected genes × tissues, got {m.ndim}-D", "pass a 2-D table")
    if np.isnan(m).any() or (m < 0).any():
        raise InputError(None, "expression must be non-negative and not NaN",
                         "pass median TPM (or another non-negative measure)")
    return np.log1p(m) if log else m


def tau(
    median_tpm: ArrayLike | pd.DataFrame, *, log: bool = True
) -> pd.Series | NDArray[np.float64]:
    """Tau tissue-specificity index of each gene, 0 (ubiquitous) to 1 (one tissue).

    ``x̂ = x / max(x)``; ``tau = Σ(1 − x̂) / (n − 1)`` over the n tissues; 0 for a gene with
    no expression anywhere.

    Parameters
    ----------
    median_tpm
        (n_genes, n_tissues) non-negative expression, e.g. :func:`median_tpm`; a 1-D input is
        one gene.
    log
        Transform to ``ln(x + 1)`` first (default, computed with ``log1p``; tspex ``log=True``
        uses the natural log too,
        and tau does not depend on the base). ``False`` uses the raw values.

    Returns
    -------
    (n_genes,) float64; a Series indexed by gene for a DataFrame input.

    Raises
    ------
    InputError
        Fewer than two tissues, negative or NaN values.

    Examples
    --------
    >>> tau([[0.0, 0.0, 50.0], [8.0, 8.0, 8.0], [0.0, 0.0, 0.0]])
    array([1., 0., 0.])
    """
    m = _matrix(median_tpm, log=log)
    n = m.shape[1]
    if n < 2:
        raise InputError(None, "tau needs at least two tissues", "add tissues")
    mx = m.max(axis=1, keepdims=True)
    xhat = np.divide(m, mx, out=np.ones_like(m), where=mx > 0)
    out = (1 - xhat).sum(axis=1) / (n - 1)
    if isinstance(median_tpm, pd.DataFrame):
        return pd.Series(out, index=median_tpm.index, name="tau")
    return out


def tsi(median_tpm: pd.DataFrame, *, log: bool = False) -> pd.DataFrame:
    """Tissue specificity index: each tissue's share of the gene's total, ``x_i / Σx``.

    Returns (n_genes, n_tissues) in [0, 1]; rows of genes with no expression are 0 (tspex).

    >>> tsi(pd.DataFrame({"A": [3.0, 0.0], "B": [1.0, 0.0]}, index=["g", "h"]))
          A     B
    g  0.75  0.25
    h  0.00  0.00
    """
    m = _matrix(median_tpm, log=log)
    total = m.sum(axis=1, keepdims=True)
    out = np.divide(m, total, out=np.zeros_like(m), where=total > 0)
    return pd.DataFrame(out, index=median_tpm.index, columns=median_tpm.columns)


def zscore_specificity(
    median_tpm: pd.DataFrame, *, transform: bool = True, log: bool = True
) -> pd.DataFrame:
    """Z-score of each tissue within its gene, ``(x_i − mean) / sd(ddof=1)``.

    With ``transform`` (default, as tspex) the score is mapped to [0, 1] by
    ``(z + (n−1)/√n) / (2(n−1)/√n)``, the bounds of a z-score over n values. Genes with sd 0
    get 0 in every tissue (tspex).

    >>> zscore_specificity(pd.DataFrame({"A": [0.0], "B": [0.0], "C": [9.0]}), log=False)
          A     B    C
    0  0.25  0.25  1.0
    """
    m = _matrix(median_tpm, log=log)
    n = m.shape[1]
    sd = m.std(axis=1, ddof=1, keepdims=True)
    z = np.divide(m - m.mean(axis=1, keepdims=True), sd, out=np.zeros_like(m), where=sd > 0)
    if transform:
        bound = (n - 1) / np.sqrt(n)
        z = np.where(sd > 0, (z + bound) / (2 * bound), 0.0)
    return pd.DataFrame(z, index=median_tpm.index, columns=median_tpm.columns)


def tissue_specific_genes(
    median_tpm: pd.DataFrame,
    tissue: str,
    *,
    min_tau: float = 0.8,
    min_tpm: float = 1.0,
    log: bool = True,
) -> pd.DataFrame:
    """Genes specific to ``tissue``: high tau, and ``tissue`` is where they are highest.

    Parameters
    ----------
    median_tpm
        (n_genes, n_tissues) median TPM.
    tissue
        A column of ``median_tpm``.
    min_tau
        Minimum tau (0.8 is the usual cut-off in the benchmark of Kryuchkova-Mostacci 2017).
    min_tpm
        Minimum median TPM in ``tissue``.

    Returns
    -------
    DataFrame indexed by gene with columns ``tau, median_tpm, tsi, zscore`` (the tissue's TSI
    and transformed z-score), sorted by decreasing tau then decreasing median TPM.

    Examples
    --------
    >>> med = pd.DataFrame({"Liver": [300.0, 10.0, 0.0], "Lung": [0.5, 10.0, 40.0],
    ...                     "Heart": [0.0, 10.0, 0.0]}, index=["ALB", "ACTB", "SFTPC"])
    >>> tissue_specific_genes(med, "Liver").index.tolist()
    ['ALB']
    """
    if tissue not in median_tpm.columns:
        raise InputError(None, f"unknown tissue {tissue!r}", "use a column of median_tpm")
    t = pd.Series(tau(median_tpm.to_numpy(), log=log), index=median_tpm.index, name="tau")
    values = median_tpm[tissue]
    is_max = values.to_numpy() >= median_tpm.to_numpy().max(axis=1)
    keep = (t.to_numpy() >= min_tau) & is_max & (values.to_numpy() >= min_tpm)
    out = pd.DataFrame({
        "tau": t[keep],
        "median_tpm": values[keep].astype(np.float64),
        "tsi": tsi(median_tpm.loc[keep])[tissue],
        "zscore": zscore_specificity(median_tpm.loc[keep], log=log)[tissue],
    })
    return out.sort_values(["tau", "median_tpm"], ascending=False, kind="stable")
