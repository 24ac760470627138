"""The GTEx expression filter: which genes are expressed enough to map QTLs for.

References
----------
broadinstitute/gtex-pipeline ``qtl/src/eqtl_prepare_expression.py`` (``prepare_expression``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from genotex.errors import InputError

__all__ = ["expressed_genes_mask"]


def expressed_genes_mask(
    tpm: ArrayLike | pd.DataFrame,
    counts: ArrayLike | pd.DataFrame,
    *,
    tpm_threshold: float = 0.1,
    count_threshold: float = 6,
    sample_frac_threshold: float = 0.2,
) -> NDArray[np.bool_]:
    """Genes with enough TPM and enough reads in enough samples (the GTEx v8 gene filter).

    A gene is kept when ``#{samples: TPM >= tpm_threshold} >= sample_frac_threshold · n``
    **and** ``#{samples: count >= count_threshold} >= sample_frac_threshold · n``. Both
    comparisons are ``>=`` as in the GTEx code (its help text says ">" for TPM). NaN never
    passes a threshold.

    Parameters
    ----------
    tpm
        (n_genes, n_samples) TPM (or other length-normalized expression).
    counts
        (n_genes, n_samples) read counts, same genes and samples in the same order.
    tpm_threshold, count_threshold, sample_frac_threshold
        The GTEx defaults are 0.1 TPM, 6 reads and 20 % of samples.

    Returns
    -------
    (n_genes,) boolean mask of the genes to keep.

    Raises
    ------
    InputError
        When the two matrices differ in shape, or (for DataFrames) in labels or their order.

    Examples
    --------
    >>> tpm = np.array([[0.0, 0.5, 1.0, 2.0, 0.0], [0.1, 0.0, 0.0, 0.0, 0.0]])
    >>> counts = np.array([[0, 6, 9, 12, 0], [10, 0, 0, 0, 0]])
    >>> expressed_genes_mask(tpm, counts)
    array([ True,  True])
    >>> expressed_genes_mask(tpm, counts, sample_frac_threshold=0.5)
    array([ True, False])
    """
    if isinstance(tpm, pd.DataFrame) and isinstance(counts, pd.DataFrame):
        if not tpm.columns.equals(counts.columns):
            raise InputError(None, "the TPM and read-count matrices have different samples",
                             "use the same sample columns in the same order in both")
        if not tpm.index.equals(counts.index):
            raise InputError(None, "the TPM and read-count matrices have different genes",
                             "use the same gene rows in the same order in both")
    t = np.asarray(tpm, dtype=np.float64)
    c = np.asarray(counts, dtype=np.float64)
    if t.ndim != 2 or t.shape != c.shape:
        raise InputError(None, f"TPM shape {t.shape} and read-count shape {c.shape} differ",
                         "pass two genes × samples matrices over the same genes and samples")
    need = sample_frac_threshold * t.shape[1]
    enough_tpm = (t >= tpm_threshold).sum(axis=1) >= need
    enough_reads = (c >= count_threshold).sum(axis=1) >= need
    return np.asarray(enough_tpm & enough_reads, dtype=np.bool_)
