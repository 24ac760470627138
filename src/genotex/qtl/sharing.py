"""eQTL sharing between tissues: pairwise π1 (Storey's 1 − π0 on replication p-values).

For a discovery tissue i and a replication tissue j, π1(i, j) is the fraction of tissue i's
eGenes whose top variant (in tissue i) is associated with the gene in tissue j, estimated as
``1 − π0`` of the nominal p-values of those gene–variant pairs in tissue j (GTEx 2015/2017
sharing figures).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.qvalue import pi0est

__all__ = ["pairwise_pi1", "pi1"]


def pi1(pvalues: ArrayLike, *, lambda_: ArrayLike | float | None = None,
        min_pvalues: int = 10) -> float:
    """``1 − π0`` of replication p-values (NaN ignored); NaN with fewer than ``min_pvalues``.

    Where qvalue's estimate of π0 is ≤ 0 (it refuses those), π1 is 1.

    Parameters
    ----------
    pvalues
        (m,) p-values in the replication tissue.
    lambda_
        As :func:`genotex.qtl.qvalue.pi0est` (default: the smoother over 0.05…0.95).
    min_pvalues
        Fewest finite p-values for an estimate.

    Examples
    --------
    >>> round(pi1(np.r_[np.full(50, 1e-6), np.linspace(0.01, 1, 50)], lambda_=0.5), 2)
    0.5
    """
    p = np.asarray(pvalues, dtype=np.float64)
    p = p[np.isfinite(p)]
    if p.size < min_pvalues:
        return float("nan")
    try:
        return 1.0 - float(pi0est(p, lambda_=lambda_).pi0)
    except ValueError as exc:  # qvalue refuses π0 ≤ 0: every test replicates
        if "pi0 <= 0" in str(exc):
            return 1.0
        raise


def pairwise_pi1(pvalues: ArrayLike, is_egene: ArrayLike, *,
                 lambda_: ArrayLike | float | None = None,
                 min_pvalues: int = 10) -> NDArray[np.float64]:
    """π1 for every (discovery, replication) pair of tissues.

    Parameters
    ----------
    pvalues
        (n_tissues, n_tissues, n_genes): ``pvalues[i, j, g]`` is the nominal p-value in tissue
        ``j`` of gene ``g`` with tissue ``i``'s top variant for it; NaN where not tested.
    is_egene
        (n_tissues, n_genes) bool: gene ``g`` is an eGene of tissue ``i`` (e.g. q < 0.05).
    lambda_, min_pvalues
        As :func:`pi1`.

    Returns
    -------
    (n_tissues, n_tissues) π1, rows = discovery tissue, columns = replication tissue; NaN
    where too few p-values. The diagonal is the tissue against itself.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    egene = np.asarray(is_egene, dtype=bool)
    n = p.shape[0]
    if p.ndim != 3 or p.shape[1] != n or egene.shape != (n, p.shape[2]):
        raise ValueError("pvalues must be (n_tissues, n_tissues, n_genes) and is_egene "
                         "(n_tissues, n_genes)")
    out = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            out[i, j] = pi1(p[i, j, egene[i]], lambda_=lambda_, min_pvalues=min_pvalues)
    return out
