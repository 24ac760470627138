"""Covariates for QTL mapping: genotype PCs, hidden expression factors, and their combination.

References
----------
gtex-pipeline ``genotype/compute_genotype_pcs.py`` (PLINK ``--indep-pairwise 200 100 0.1``,
EIGENSOFT ``smartpca``), ``qtl/README.md`` (PEER factor counts by sample size),
``qtl/src/combine_covariates.py`` (colinear covariates dropped). Hidden factors are PCs, not
PEER: Zhou et al. (2022) Genome Biology 23:210 (PCAForQTL, Buja–Eyuboglu choice of K).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.errors import InputError

__all__ = [
    "PCAResult",
    "buja_eyuboglu_count",
    "colinear_covariates",
    "combine_covariates",
    "genotype_pcs",
    "hidden_factor_count",
    "hidden_factors",
    "ld_prune",
]


@dataclass(frozen=True)
class PCAResult:
    """Principal components of samples.

    Attributes
    ----------
    scores
        (n_samples, k) component values per sample.
    explained_variance_ratio
        (k,) share of the total variance each component explains.
    """

    scores: NDArray[np.float64]
    explained_variance_ratio: NDArray[np.float64]

    def to_frame(self, samples: Sequence[str], *, prefix: str) -> pd.DataFrame:
        """Covariates × samples table with rows ``<prefix>1 … <prefix>k`` (the file layout).

        >>> PCAResult(np.eye(2), np.array([0.6, 0.4])).to_frame(["a", "b"], prefix="PC")
               a    b
        PC1  1.0  0.0
        PC2  0.0  1.0
        """
        k = self.scores.shape[1]
        return pd.DataFrame(self.scores.T, index=[f"{prefix}{i + 1}" for i in range(k)],
                            columns=list(samples))


def _orient(u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fix SVD signs: the largest-magnitude entry of each column is positive."""
    idx = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[idx, np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    return np.asarray(u * signs, dtype=np.float64)


def _standardize_dosages(dosages: ArrayLike) -> NDArray[np.float64]:
    """(n_variants, n_samples) → standardized polymorphic variants, NaN mean-imputed."""
    g = np.asarray(dosages, dtype=np.float64)
    if g.ndim != 2:
        raise InputError(None, f"dosages must be variants × samples, got {g.ndim}-D",
                         "pass one row per variant")
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isnan(g).all(axis=1, keepdims=True), 0.0, g), axis=1)
    p = mean / 2
    g = np.where(np.isnan(g), mean[:, None], g)
    poly = (p > 0) & (p < 1) & (g.std(axis=1) > 0)
    g, p = g[poly], p[poly]
    return np.asarray((g - 2 * p[:, None]) / np.sqrt(2 * p * (1 - p))[:, None], dtype=np.float64)


def genotype_pcs(dosages: ArrayLike, *, n_pcs: int = 5) -> PCAResult:
    """Top genotype principal components (EIGENSOFT-style standardization, no outlier removal).

    Parameters
    ----------
    dosages
        (n_variants, n_samples) ALT dosages in [0, 2], NaN = missing (mean-imputed). Pass
        LD-pruned, common variants (see :func:`ld_prune`); monomorphic variants are ignored.
    n_pcs
        Number of components (GTEx v8 used 5).

    Returns
    -------
    :class:`PCAResult` with ``scores`` (n_samples, n_pcs): unit-norm eigenvectors of the
    sample × sample genetic relationship matrix (smartpca's ``.evec`` values), each oriented so
    its largest entry is positive. Each variant is centered at 2p and scaled by sqrt(2p(1−p)).

    Examples
    --------
    >>> g = np.array([[0, 0, 2, 2], [0, 1, 2, 2], [2, 2, 0, 0], [1, 0, 1, 2]], dtype=float)
    >>> r = genotype_pcs(g, n_pcs=1)
    >>> r.scores.shape, bool(np.sign(r.scores[0, 0]) != np.sign(r.scores[3, 0]))
    ((4, 1), True)
    """
    x = _standardize_dosages(dosages).T
    if x.shape[1] == 0:
        raise InputError(None, "no polymorphic variant to compute genotype PCs from",
                         "pass common variants")
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    k = min(n_pcs, u.shape[1])
    var = s**2
    return PCAResult(_orient(u[:, :k]), var[:k] / var.sum())


def ld_prune(
    dosages: ArrayLike, *, window: int = 200, step: int = 100, r2_threshold: float = 0.1
) -> NDArray[np.bool_]:
    """Greedy LD pruning of one chunk of position-sorted variants (like PLINK --indep-pairwise).

    Windows of ``window`` consecutive variants start every ``step`` variants. Within each
    window, variants are visited in order; a variant still kept removes every later kept
    variant whose squared correlation with it exceeds ``r2_threshold``. Monomorphic variants
    are removed. Unlike PLINK, the earlier variant of a pair is kept (PLINK keeps the one with
    the higher MAF), and windows count variants, not kilobases.

    Parameters
    ----------
    dosages
        (n_variants, n_samples) dosages of one chromosome chunk, sorted by position;
        NaN = missing (mean-imputed).
    window, step, r2_threshold
        GTEx used 200, 100 and 0.1.

    Returns
    -------
    (n_variants,) boolean mask of the variants kept.

    Examples
    --------
    >>> g = np.array([[0, 1, 2, 1], [0, 1, 2, 1], [2, 0, 1, 1], [1, 1, 1, 1]], dtype=float)
    >>> ld_prune(g, r2_threshold=0.5)
    array([ True, False,  True, False])
    """
    g = np.asarray(dosages, dtype=np.float64)
    mean = np.nanmean(np.where(np.isnan(g).all(axis=1, keepdims=True), 0.0, g), axis=1)
    g = np.where(np.isnan(g), mean[:, None], g)
    centered = g - g.mean(axis=1, keepdims=True)
    norm = np.sqrt((centered**2).sum(axis=1))
    keep = norm > 0
    z = np.divide(centered, norm[:, None], out=np.zeros_like(centered), where=keep[:, None])
    m = g.shape[0]
    for start in range(0, max(m - 1, 1), step):
        idx = np.arange(start, min(start + window, m))
        idx = idx[keep[idx]]
        if idx.size < 2:
            continue
        r2 = (z[idx] @ z[idx].T) ** 2
        alive = np.ones(idx.size, dtype=bool)
        for i in range(idx.size):
            if alive[i]:
                later = np.arange(idx.size) > i
                alive &= ~(later & (r2[i] > r2_threshold))
        keep[idx[~alive]] = False
    return np.asarray(keep, dtype=np.bool_)


def hidden_factor_count(n_samples: int) -> int:
    """Number of hidden factors GTEx used for a tissue with ``n_samples`` samples.

    15 if N < 150, 30 if N < 250, 45 if N < 350, else 60 (gtex-pipeline ``qtl/README.md``).

    >>> [hidden_factor_count(n) for n in (70, 150, 300, 700)]
    [15, 30, 45, 60]
    """
    if n_samples < 150:
        return 15
    if n_samples < 250:
        return 30
    if n_samples < 350:
        return 45
    return 60


def _features(expression: ArrayLike, *, scale: bool) -> NDArray[np.float64]:
    """(n_genes, n_samples) → (n_samples, n_genes) centered (and scaled) feature matrix."""
    x = np.asarray(expression, dtype=np.float64).T
    if np.isnan(x).any():
        raise InputError(None, "expression contains NaN", "drop or impute missing values first")
    x = x - x.mean(axis=0)
    if scale:
        sd = x.std(axis=0, ddof=1)
        x = x[:, sd > 0] / sd[sd > 0]
    return np.asarray(x, dtype=np.float64)


def _pve(x: NDArray[np.float64]) -> NDArray[np.float64]:
    s2 = np.linalg.svd(x, compute_uv=False) ** 2
    return np.asarray(s2 / s2.sum(), dtype=np.float64)


def buja_eyuboglu_count(
    expression: ArrayLike,
    *,
    n_permutations: int = 20,
    alpha: float = 0.05,
    seed: int = 0,
    scale: bool = True,
) -> int:
    """Number of expression PCs that beat permuted data (Buja & Eyuboglu 1992, as PCAForQTL).

    Each permutation shuffles every gene across samples independently and recomputes the
    share of variance of each PC. PC k's p-value is ``(#{perm: pve_k ≥ observed pve_k} + 1) /
    (n_permutations + 1)``; K is the number of leading PCs before the first with p > alpha.

    Parameters
    ----------
    expression
        (n_genes, n_samples) normalized expression.
    n_permutations, alpha
        PCAForQTL ``runBE`` defaults (B = 20, alpha = 0.05).
    seed
        Seed of ``numpy.random.default_rng``: the same seed gives the same K.
    scale
        Scale genes to unit variance before PCA (``prcomp(scale.=TRUE)``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> signal = np.outer(rng.normal(size=200), rng.normal(size=40)) * 2
    >>> buja_eyuboglu_count(signal + rng.normal(size=(200, 40)))
    1
    """
    x = _features(expression, scale=scale)
    observed = _pve(x)
    rng = np.random.default_rng(seed)
    exceed = np.zeros_like(observed)
    for _ in range(n_permutations):
        perm = rng.permuted(x, axis=0)
        exceed += _pve(perm)[: observed.size] >= observed
    pvals = (exceed + 1) / (n_permutations + 1)
    above = np.flatnonzero(pvals > alpha)
    return int(above[0]) if above.size else int(observed.size)


def hidden_factors(
    expression: ArrayLike,
    *,
    n_factors: int | None = None,
    method: Literal["sample_size", "buja_eyuboglu"] = "sample_size",
    scale: bool = True,
    seed: int = 0,
    n_permutations: int = 20,
) -> PCAResult:
    """Hidden expression factors as principal components of the samples (PEER replacement).

    Parameters
    ----------
    expression
        (n_genes, n_samples) normalized expression (e.g. :func:`prepare_expression`).
    n_factors
        Number of factors; ``None`` chooses by ``method``: ``"sample_size"`` →
        :func:`hidden_factor_count`, ``"buja_eyuboglu"`` → :func:`buja_eyuboglu_count`
        (seeded with ``seed``). Capped at ``min(n_samples - 1, n_genes)``.
    scale
        Scale genes to unit variance before PCA.

    Returns
    -------
    :class:`PCAResult` with ``scores`` (n_samples, k): PC scores (``prcomp(...)$x``),
    oriented so each column's largest entry is positive.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> hidden_factors(rng.normal(size=(50, 20))).scores.shape
    (20, 15)
    """
    x = _features(expression, scale=scale)
    if n_factors is None:
        if method == "sample_size":
            n_factors = hidden_factor_count(x.shape[0])
        elif method == "buja_eyuboglu":
            n_factors = buja_eyuboglu_count(expression, n_permutations=n_permutations,
                                            seed=seed, scale=scale)
        else:
            raise ValueError(f"unknown method {method!r}; use 'sample_size' or 'buja_eyuboglu'")
    k = max(0, min(n_factors, x.shape[0] - 1, x.shape[1]))
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    var = s**2
    return PCAResult(_orient(u[:, :k]) * s[:k], var[:k] / var.sum())


def colinear_covariates(
    covariates: pd.DataFrame, *, tolerance: float | None = None
) -> NDArray[np.bool_]:
    """Which covariate rows are constant or linear combinations of earlier rows.

    ``C`` = covariates as (n_samples, k) float64; ``Q, R = qr(C − colmean(C))``; row j is
    colinear when ``|R_jj| < tolerance`` with, by default, ``tolerance = eps_float64 · k``
    (gtex-pipeline ``combine_covariates.py``).

    That default catches constant rows and exact copies reliably, but a linear combination
    computed in floating point often leaves ``|R_jj|`` around 1e-15, just above ``eps · k``, and
    is then kept (as GTEx keeps it). Pass a larger ``tolerance`` (e.g. ``1e-8``) to catch those.
    Rows beyond the number of samples are always colinear (GTEx's script fails there).

    >>> c = pd.DataFrame([[1, 2, 3, 4], [2, 4, 6, 8], [1, 1, 1, 1]], index=["a", "b", "k"])
    >>> colinear_covariates(c)
    array([False,  True,  True])
    """
    c = covariates.astype(np.float64).T.to_numpy()
    _, r = np.linalg.qr(c - np.mean(c, axis=0))
    tol = np.finfo(np.float64).eps * c.shape[1] if tolerance is None else tolerance
    # with more covariates than samples R is wide: the rows past n_samples are colinear
    diag = np.zeros(c.shape[1])
    diag[: min(c.shape)] = np.abs(np.diag(r))
    return diag < tol


def combine_covariates(
    genotype_pcs: pd.DataFrame | None,
    hidden_factors: pd.DataFrame,
    known: pd.DataFrame | Sequence[pd.DataFrame] = (),
    *,
    tolerance: float | None = None,
) -> pd.DataFrame:
    """One covariate table for mapping, as gtex-pipeline ``combine_covariates.py`` builds it.

    Rows are genotype PCs, then hidden factors, then each known-covariate table, all restricted
    to (and ordered as) the hidden factors' samples; constant and colinear rows are then
    dropped (:func:`colinear_covariates`).

    Parameters
    ----------
    genotype_pcs
        (n_pcs, n_donors) table (e.g. ``PCAResult.to_frame(..., prefix="PC")``), or ``None``.
    hidden_factors
        (k, n_samples) table; its columns define the samples.
    known
        One or more (m, ≥ n_samples) numeric tables (sex, PCR, platform…).
    tolerance
        Colinearity tolerance on ``|R_jj|``; ``None`` is GTEx's ``eps · k`` (see
        :func:`colinear_covariates`).

    Returns
    -------
    (n_covariates, n_samples) float64 table, the layout of ``<prefix>.combined_covariates.txt``.

    Raises
    ------
    InputError
        A table lacking some sample, or a non-numeric covariate.

    Examples
    --------
    >>> h = pd.DataFrame([[0.1, -0.2, 0.3]], index=["InferredCov1"], columns=["a", "b", "c"])
    >>> sex = pd.DataFrame([[1, 2, 1], [2, 2, 2]], index=["sex", "const"], columns=["a", "b", "c"])
    >>> combine_covariates(None, h, sex).index.tolist()
    ['InferredCov1', 'sex']
    """
    samples = hidden_factors.columns
    tables = [] if genotype_pcs is None else [genotype_pcs]
    tables.append(hidden_factors)
    tables.extend([known] if isinstance(known, pd.DataFrame) else list(known))
    parts = []
    for t in tables:
        absent = samples.difference(t.columns)
        if len(absent):
            raise InputError(None, f"covariates {list(t.index[:3])} lack sample {absent[0]!r}",
                             "give every covariate a value for each expression sample")
        try:
            parts.append(t[samples].astype(np.float64))
        except (TypeError, ValueError) as exc:
            raise InputError(None, f"non-numeric covariate in {list(t.index[:3])}: {exc}",
                             "encode categorical covariates as numbers (one-hot)") from exc
    combined = pd.concat(parts, axis=0)
    return combined.loc[~colinear_covariates(combined, tolerance=tolerance)]
