"""Rank-based inverse normal transform (INT) of each row, as the GTEx pipeline applies it.

References
----------
broadinstitute/pyqtl ``qtl.norm.inverse_normal_transform`` (used by gtex-pipeline
``eqtl_prepare_expression.py``): ``Φ⁻¹(rank / (n + 1))`` with average ranks for ties.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri
from scipy.stats import rankdata

__all__ = ["inverse_normal_transform"]


def _int_rows(m: NDArray[np.float64], nan_policy: str) -> NDArray[np.float64]:
    if nan_policy == "propagate":
        # scipy rankdata(nan_policy="propagate"): a row holding a NaN becomes all NaN
        r = rankdata(m, axis=1)
        return np.asarray(ndtri(r / (m.shape[1] + 1)), dtype=np.float64)
    if nan_policy == "omit":
        r = rankdata(m, axis=1, nan_policy="omit")
        n_obs = np.sum(~np.isnan(m), axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(ndtri(r / (n_obs + 1)), dtype=np.float64)
    raise ValueError(f"nan_policy must be 'propagate' or 'omit', not {nan_policy!r}")


def inverse_normal_transform(
    matrix: ArrayLike | pd.DataFrame | pd.Series,
    *,
    nan_policy: Literal["propagate", "omit"] = "propagate",
) -> pd.DataFrame | pd.Series | NDArray[np.float64]:
    """Map each row to standard normal quantiles of its ranks: ``Φ⁻¹(rank / (n + 1))``.

    Parameters
    ----------
    matrix
        (n_genes, n_samples) values, one gene per row (a 1-D input is one row). DataFrames and
        Series keep their labels.
    nan_policy
        ``"propagate"`` (default, the reference behaviour of pyqtl with scipy ≥ 1.10): a row
        containing any NaN comes out all NaN. ``"omit"``: NaNs stay NaN and the other values of
        the row are ranked among themselves, with ``n`` the number of non-NaN values.

    Returns
    -------
    (n_genes, n_samples) float64 normal scores. Tied values get their average rank and so
    identical scores. No Blom (3/8) offset is used: this is not FastQTL's ``--normal``.

    References
    ----------
    pyqtl ``qtl.norm.inverse_normal_transform``; GTEx Consortium (2020) Science 369:1318.

    Examples
    --------
    >>> inverse_normal_transform([[3.0, 1.0, 2.0], [5.0, 5.0, 1.0]]).round(4)
    array([[ 0.6745, -0.6745,  0.    ],
           [ 0.3186,  0.3186, -0.6745]])
    >>> inverse_normal_transform([1.0, np.nan, 2.0], nan_policy="omit").round(4)
    array([-0.4307,     nan,  0.4307])
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim == 1:
        out = _int_rows(m[np.newaxis, :], nan_policy)[0]
    elif m.ndim == 2:
        out = _int_rows(m, nan_policy) if m.size else m.copy()
    else:
        raise ValueError(f"expected a 1-D or 2-D input, got {m.ndim}-D")
    if isinstance(matrix, pd.DataFrame):
        return pd.DataFrame(out, index=matrix.index, columns=matrix.columns)
    if isinstance(matrix, pd.Series):
        return pd.Series(out, index=matrix.index, name=matrix.name)
    return out
