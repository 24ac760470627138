"""Small computations the API does on request: clustering to Newick, expression PCA, eQTL tests.

Pure functions over arrays (no store, no request); the regression is the pipeline's own kernel
(:func:`genotex.qtl.associate`), so the eQTL calculator reproduces the mapped statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.cluster.hierarchy import ClusterNode, linkage, to_tree

from genotex.qtl import Residualizer, associate


def newick(values: ArrayLike, labels: Sequence[str]) -> str:
    """Average-linkage, Euclidean hierarchical clustering of rows, as a Newick tree.

    Branch lengths are half the merge distances (an ultrametric UPGMA tree).

    Parameters
    ----------
    values
        (n_items, n_features) matrix, one row per leaf.
    labels
        (n_items,) leaf names.

    Examples
    --------
    >>> newick([[0.0], [1.0], [5.0]], ["a", "b", "c"])
    '(c:2.250000,(a:0.500000,b:0.500000):1.750000);'
    """
    x = np.asarray(values, dtype=np.float64)
    if len(labels) == 1:
        return f"{labels[0]}:0;"
    tree = to_tree(linkage(x, method="average", metric="euclidean"))

    def walk(node: ClusterNode, parent_height: float) -> str:
        height = node.dist / 2  # ultrametric (UPGMA) node height; leaves sit at 0
        if node.is_leaf():
            text = labels[node.id]
        else:
            text = f"({walk(node.left, height)},{walk(node.right, height)})"
        return f"{text}:{parent_height - height:.6f}"

    body = f"({walk(tree.left, tree.dist / 2)},{walk(tree.right, tree.dist / 2)})"
    return body + ";"


def pca3(values: ArrayLike) -> NDArray[np.float64]:
    """First three principal-component scores of the rows of ``values``.

    ``values`` is (n_samples, n_genes), e.g. log10(TPM + 1); columns are centered, components
    signed so that each one's largest loading is positive (deterministic). Fewer than three
    components are padded with zeros. Returns (n_samples, 3).

    >>> pca3([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).round(3)[:, 0].tolist()
    [-1.414, 0.0, 1.414]
    """
    x = np.asarray(values, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    out = np.zeros((x.shape[0], 3))
    if x.size == 0:
        return out
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    k = min(3, len(s))
    for i in range(k):
        sign = 1.0 if vt[i, np.argmax(np.abs(vt[i]))] >= 0 else -1.0
        out[:, i] = sign * u[:, i] * s[i]
    return out


@dataclass(frozen=True)
class DynamicQtl:
    """One eQTL/sQTL test on request; counts come from dosages rounded to 0/1/2."""

    nes: float | None
    error: float | None
    t_statistic: float | None
    p_value: float | None
    maf: float
    genotypes: NDArray[np.int64]
    hom_ref: int
    het: int
    hom_alt: int


def dynamic_qtl(phenotype: ArrayLike, dosages: ArrayLike, covariates: ArrayLike) -> DynamicQtl:
    """Regress a phenotype on one variant's dosages with covariates (the mapping's model).

    Parameters
    ----------
    phenotype
        (n_samples,) normalized values.
    dosages
        (n_samples,) ALT dosages, NaN = missing (mean-imputed, as tensorQTL).
    covariates
        (n_samples, n_covariates); zero columns = intercept only.

    Examples
    --------
    >>> r = dynamic_qtl([0.1, 1.2, 1.9, 0.8, 0.2], [0, 1, 2, 1, 0], np.empty((5, 0)))
    >>> round(r.nes, 4), (r.hom_ref, r.het, r.hom_alt)
    (0.8714, (2, 2, 1))
    """
    y = np.asarray(phenotype, dtype=np.float64)
    g = np.asarray(dosages, dtype=np.float64)
    c = np.asarray(covariates, dtype=np.float64).reshape(len(y), -1)
    mean = np.nanmean(g) if np.isfinite(g).any() else 0.0
    g = np.where(np.isnan(g), mean, g)
    af = float(g.mean() / 2) if g.size else 0.0
    calls = np.clip(np.rint(g), 0, 2).astype(np.int64)
    counts = [int((calls == k).sum()) for k in (0, 1, 2)]
    stats: list[float | None] = [None] * 4
    if len(y) - 2 - c.shape[1] > 0 and np.ptp(g) > 0:
        a = associate(g[None, :], y[None, :], Residualizer(c))
        stats = [float(a.slope[0, 0]), float(a.slope_se[0, 0]), float(a.tstat[0, 0]),
                 float(a.pval[0, 0])]
    return DynamicQtl(stats[0], stats[1], stats[2], stats[3], min(af, 1 - af), calls, *counts)
