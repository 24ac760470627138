"""Quantile normalization to the average empirical distribution (``--normalization_method qn``).

References
----------
Bolstad et al. (2003) Bioinformatics 19:185. Reproduces pyqtl ``qtl.norm.normalize_quantiles``
(the GTEx pipeline's ``qn`` mode), which follows preprocessCore ``normalize.quantiles``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.errors import InputError

__all__ = ["normalize_quantiles"]


def _tie_medians(
    sorted_col: NDArray[np.float64], quantiles: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Quantile value for each sorted position; runs of equal values share their median."""
    m = sorted_col.size
    starts = np.flatnonzero(np.r_[True, sorted_col[1:] != sorted_col[:-1]])
    lengths = np.diff(np.r_[starts, m])
    # ``quantiles`` is non-decreasing, so the median of a run is its middle value (or the
    # mean of its two middle values)
    med = (quantiles[starts + (lengths - 1) // 2] + quantiles[starts + lengths // 2]) / 2
    return np.repeat(med, lengths)


def normalize_quantiles(matrix: ArrayLike | pd.DataFrame) -> pd.DataFrame | NDArray[np.float64]:
    """Give every column (sample) the same distribution: the mean of the sorted columns.

    Parameters
    ----------
    matrix
        (n_genes, n_samples) expression without NaN; a DataFrame keeps its labels.

    Returns
    -------
    (n_genes, n_samples) float64. The value at sorted position ``i`` of a column becomes the
    mean over samples of the ``i``-th smallest values; values tied within a column all get the
    median of the quantiles of their positions (preprocessCore's treatment of ties).

    Raises
    ------
    InputError
        NaN values (preprocessCore handles them by interpolation; pyqtl does not).

    Examples
    --------
    >>> normalize_quantiles(np.array([[5.0, 4.0, 3.0], [2.0, 1.0, 4.0], [3.0, 4.0, 6.0],
    ...                               [4.0, 2.0, 8.0]]))
    array([[5.66666667, 5.16666667, 2.        ],
           [2.        , 2.        , 3.        ],
           [3.        , 5.16666667, 4.66666667],
           [4.66666667, 3.        , 5.66666667]])
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise InputError(None, f"expected a genes × samples matrix, got {m.ndim}-D",
                         "pass one row per gene and one column per sample")
    if np.isnan(m).any():
        raise InputError(None, "quantile normalization input contains NaN",
                         "impute or drop genes with missing values first")
    order = np.argsort(m, axis=0, kind="stable")
    sorted_m = np.take_along_axis(m, order, axis=0)
    quantiles = sorted_m.mean(axis=1)
    out = np.empty_like(m)
    for j in range(m.shape[1]):
        out[order[:, j], j] = _tie_medians(sorted_m[:, j], quantiles)
    if isinstance(matrix, pd.DataFrame):
        return pd.DataFrame(out, index=matrix.index, columns=matrix.columns)
    return out
