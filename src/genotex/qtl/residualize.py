"""Covariate removal by projection onto the orthogonal complement of the centered covariates."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["Residualizer"]


class Residualizer:
    """Project covariates (and the intercept) out of rows of a matrix.

    ``Q`` is the thin QR factor of the column-centered covariates; centering stands in for
    the intercept (Frisch–Waugh–Lovell), so residuals equal those of OLS on ``[1, C]``.

    Parameters
    ----------
    covariates
        (n_samples, n_covariates) covariate matrix without an intercept column; zero columns
        means intercept only. Must not contain NaN.
    dtype
        Floating type of the projection and of every transformed matrix (``np.float64`` by
        default; ``np.float32`` reproduces tensorQTL's GPU precision and is faster).

    Attributes
    ----------
    Q
        (n_samples, n_covariates) orthonormal basis of the centered covariates.
    dof
        Residual degrees of freedom of the genotype test, ``n − 2 − k``. Every covariate column
        counts, including constant or colinear ones (as in tensorQTL).

    References
    ----------
    tensorQTL ``core.Residualizer`` (Taylor-Weiner et al. 2019).

    Examples
    --------
    >>> c = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> r = Residualizer(c)
    >>> r.dof
    1
    >>> np.allclose(r.transform(np.array([[1.0, 3.0, 5.0, 7.0]])), 0)
    True
    """

    def __init__(self, covariates: ArrayLike, *, dtype: DTypeLike = np.float64) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating type, got {self.dtype}")
        c = np.asarray(covariates, dtype=self.dtype)
        if c.ndim != 2:
            raise ValueError(f"covariates must be 2-D (samples × covariates), got shape {c.shape}")
        if np.isnan(c).any():
            raise ValueError("covariates contain NaN; impute or drop them before mapping")
        self.n_samples, self.n_covariates = c.shape
        if self.n_covariates > 0:
            q, _ = np.linalg.qr(c - c.mean(0))
            self.Q: NDArray[np.floating] = q.astype(self.dtype, copy=False)
        else:
            self.Q = np.zeros((self.n_samples, 0), dtype=self.dtype)
        self.dof = self.n_samples - 2 - self.n_covariates

    @classmethod
    def intercept_only(cls, n_samples: int, *, dtype: DTypeLike = np.float64) -> Residualizer:
        """A residualizer that only centers rows (no covariates); ``dof = n − 2``."""
        return cls(np.empty((n_samples, 0)), dtype=dtype)

    def transform(self, matrix: ArrayLike) -> NDArray[np.floating]:
        """Residualize the rows of ``matrix``.

        Parameters
        ----------
        matrix
            (n_rows, n_samples) rows are variants or phenotypes; a 1-D (n_samples,) vector is
            treated as one row and a 1-D result is returned.

        Returns
        -------
        (n_rows, n_samples) ``M0 − (M0 Q) Qᵀ`` with ``M0`` the row-centered matrix, in
        ``self.dtype``.
        """
        m = np.asarray(matrix, dtype=self.dtype)
        one = m.ndim == 1
        m2 = m[None, :] if one else m
        m0 = m2 - m2.mean(1, keepdims=True)
        if m0.shape[1] != self.n_samples:
            raise ValueError(f"matrix has {m0.shape[1]} samples, covariates {self.n_samples}")
        if self.n_covariates > 0:
            m0 = m0 - (m0 @ self.Q) @ self.Q.T
        return m0[0] if one else m0
