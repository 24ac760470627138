"""Median TPM, long-form TPM, top expressed genes and sex-stratified medians."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.expression.summaries import (
    median_tpm,
    sex_stratified_median_tpm,
    top_expressed_genes,
    tpm_long,
)


@pytest.fixture
def tpm() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.gamma(1.0, 10.0, size=(6, 9)),
                        index=[f"g{i}" for i in range(6)],
                        columns=[f"s{j}" for j in range(9)])


TISSUE = {f"s{j}": t for j, t in enumerate(["Lung"] * 4 + ["Liver"] * 3 + ["Heart"] * 2)}
SEX = {f"s{j}": ("male" if j % 2 else "female") for j in range(9)}


def test_median_tpm__equals_per_tissue_numpy_median(tpm: pd.DataFrame) -> None:
    got = median_tpm(tpm, TISSUE)
    assert got.columns.tolist() == ["Lung", "Liver", "Heart"]
    np.testing.assert_allclose(got["Lung"], np.median(tpm.iloc[:, :4], axis=1))
    np.testing.assert_allclose(got["Heart"], np.median(tpm.iloc[:, 7:], axis=1))


def test_median_tpm__unlabelled_sample_is_an_error(tpm: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no tissue"):
        median_tpm(tpm, {"s0": "Lung"})


def test_tpm_long__one_row_per_gene_and_sample(tpm: pd.DataFrame) -> None:
    long = tpm_long(tpm, TISSUE)
    assert long.columns.tolist() == ["gene_id", "sample_id", "tissue", "tpm"]
    assert len(long) == tpm.size
    back = long.pivot(index="gene_id", columns="sample_id", values="tpm")
    pd.testing.assert_frame_equal(back.loc[tpm.index, tpm.columns], tpm, check_names=False)


def test_top_expressed_genes__ranks_and_mito_filter() -> None:
    med = pd.DataFrame({"Lung": [5.0, 900.0, 20.0, 20.0], "Liver": [50.0, 800.0, 1.0, 0.0]},
                       index=["g1", "MT-CO1", "g3", "g4"])
    top = top_expressed_genes(med, n=3)
    assert top[top.tissue == "Lung"].gene_id.tolist() == ["MT-CO1", "g3", "g4"]
    chrom = {"g1": "chr1", "MT-CO1": "chrM", "g3": "chr2", "g4": "chr3"}
    top = top_expressed_genes(med, n=2, exclude_mito=True, gene_chrom=chrom)
    assert top[top.tissue == "Liver"].gene_id.tolist() == ["g1", "g3"]
    assert top["rank"].tolist() == [1, 2, 1, 2]
    with pytest.raises(ValueError, match="gene_chrom"):
        top_expressed_genes(med, exclude_mito=True)


def test_sex_stratified_median_tpm__medians_within_each_pair(tpm: pd.DataFrame) -> None:
    got = sex_stratified_median_tpm(tpm, TISSUE, SEX)
    assert got.columns.names == ["tissue", "sex"]
    np.testing.assert_allclose(got[("Lung", "female")], np.median(tpm[["s0", "s2"]], axis=1))
    np.testing.assert_allclose(got[("Liver", "male")], np.median(tpm[["s5"]], axis=1))
    assert len(got.columns) == 6
