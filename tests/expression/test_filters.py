"""The GTEx gene filter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.expression.filters import expressed_genes_mask


def test_expressed_genes_mask__thresholds_are_inclusive() -> None:
    # 10 samples, 20 % = 2 samples needed; exactly-at-threshold values count
    tpm = np.zeros((3, 10))
    counts = np.zeros((3, 10))
    tpm[0, :2], counts[0, :2] = 0.1, 6          # exactly at both thresholds in 2 samples: kept
    tpm[1, :1], counts[1, :2] = 5.0, 100        # TPM in only 1 sample: dropped
    tpm[2, :5], counts[2, :5] = 1.0, 5          # reads below 6 everywhere: dropped
    np.testing.assert_array_equal(expressed_genes_mask(tpm, counts), [True, False, False])


def test_expressed_genes_mask__fraction_uses_all_samples() -> None:
    tpm = np.array([[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]])
    counts = np.full_like(tpm, 10)
    assert expressed_genes_mask(tpm, counts, sample_frac_threshold=3 / 7)[0]
    assert not expressed_genes_mask(tpm, counts, sample_frac_threshold=0.5)[0]


def test_expressed_genes_mask__rejects_mismatched_frames() -> None:
    a = pd.DataFrame(np.ones((2, 3)), index=["g1", "g2"], columns=["s1", "s2", "s3"])
    with pytest.raises(InputError, match="different samples"):
        expressed_genes_mask(a, a[["s3", "s2", "s1"]])
    with pytest.raises(InputError, match="different genes"):
        expressed_genes_mask(a, a.iloc[::-1])
    with pytest.raises(InputError, match="shape"):
        expressed_genes_mask(np.ones((2, 3)), np.ones((2, 2)))
