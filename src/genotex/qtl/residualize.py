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
        self._covariates = c
        if self.n_covariates > 0:
            q, _ = np.linalg.qr(c - c.mean(0))
            self.Q: NDArray[np.floating] = q.astype(self.dtype, copy=False)
        else:
            self.Q = np.zeros((self.n_samples, 0), dtype=self.dtype)
        self.dof = self.n_samples - 2 - self.n_covariates
        self._wy: tuple[NDArray[np.floating], NDArray[np.floating]] | None = None
        self._float64: Residualizer | None = None

    @property
    def n_complement(self) -> int:
        """Dimension of the residual space: ``n − 1 − k`` (intercept and covariates removed)."""
        return self.n_samples - 1 - self.n_covariates

    def _compact_wy(self) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        """``(V, T)``: the Householder QR of ``[1, C]`` as ``Q_full = I − V T Vᵀ`` (LAPACK
        ``geqrf`` + ``larft``), V (n_samples, 1 + k) unit lower trapezoidal, T upper
        triangular; the last ``n − 1 − k`` columns of ``Q_full`` span the residual space."""
        if self._wy is None:
            c = np.asarray(self._covariates, dtype=np.float64)
            a = np.column_stack([np.ones(self.n_samples), c - c.mean(0)])
            h, tau = np.linalg.qr(a, mode="raw")
            p = a.shape[1]
            v = np.tril(h.T, -1) + np.eye(self.n_samples, p)
            t = np.zeros((p, p))
            for i in range(p):
                t[i, i] = tau[i]
                t[:i, i] = -tau[i] * (t[:i, :i] @ (v[:, :i].T @ v[:, i]))
            self._wy = v.astype(self.dtype), t.astype(self.dtype)
        return self._wy

    def complement(self, matrix: ArrayLike,
                   out: NDArray[np.floating] | None = None) -> NDArray[np.floating]:
        """Coordinates of the residualized rows in an orthonormal basis of the residual space.

        Residualizing two rows and taking their dot product (or norms) gives the same value as
        doing so on these coordinates, which have ``n − 1 − k`` entries instead of ``n``: the
        genotype × phenotype products of the permutation pass run on them (fewer
        multiply–adds, same correlations up to rounding).

        Parameters
        ----------
        matrix
            (n_rows, n_samples) rows (raw: no centering needed).
        out
            Optional (n_rows, n_complement) array of ``self.dtype`` to write into.

        Returns
        -------
        (n_rows, n_complement) ``(M Q_full)[:, 1 + k:]`` with ``Q_full`` the full Householder
        factor of ``[1, C]``.
        """
        m = np.atleast_2d(np.asarray(matrix, dtype=self.dtype))
        if m.shape[1] != self.n_samples:
            raise ValueError(f"matrix has {m.shape[1]} samples, covariates {self.n_samples}")
        v, t = self._compact_wy()
        p = v.shape[1]
        res = np.empty((m.shape[0], self.n_complement), dtype=self.dtype) if out is None else out
        vt_tail = v[p:].T
        for lo in range(0, m.shape[0], 2048):
            c = m[lo:lo + 2048]
            w = (c @ v) @ t
            np.matmul(w, vt_tail, out=res[lo:lo + 2048])
            np.subtract(c[:, p:], res[lo:lo + 2048], out=res[lo:lo + 2048])
        return res

    def in_float64(self) -> Residualizer:
        """The same projection (same covariate values) computed in float64; ``self`` when
        already float64. Built once and kept."""
        if self.dtype == np.float64:
            return self
        if self._float64 is None:
            self._float64 = Residualizer(self._covariates, dtype=np.float64)
        return self._float64

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
