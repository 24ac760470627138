"""prepare_expression / phenotype_positions / expression_bed against the gtex-pipeline script."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.expression.prepare import (
    expression_bed,
    phenotype_positions,
    prepare_expression,
)

REF = Path(__file__).resolve().parents[1] / "reference" / "gtex_pipeline"
CASES = {
    "tmm_default": ("a", {"tpm_threshold": 0.1, "count_threshold": 6,
                          "sample_frac_threshold": 0.2, "normalization_method": "tmm"}),
    "tmm_strict": ("b", {"tpm_threshold": 0.5, "count_threshold": 10,
                         "sample_frac_threshold": 0.3, "normalization_method": "tmm"}),
    "qn_default": ("a", {"tpm_threshold": 0.1, "count_threshold": 6,
                         "sample_frac_threshold": 0.2, "normalization_method": "qn"}),
}


def _inputs(key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    tpm = pd.read_csv(REF / f"input_{key}.tpm.tsv.gz", sep="\t", index_col=0)
    counts = pd.read_csv(REF / f"input_{key}.counts.tsv.gz", sep="\t", index_col=0)
    return tpm, counts


def _run_case(case: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    key, opts = CASES[case]
    tpm, counts = _inputs(key)
    ids_file = REF / f"{case}.sample_ids.txt"
    samples = ids_file.read_text().split() if ids_file.exists() else None
    norm = prepare_expression(tpm, counts, samples=samples, **opts)
    lookup = pd.read_csv(REF / f"{case}.sample_participant_lookup.tsv", sep="\t", header=None,
                         index_col=0, dtype=str).iloc[:, 0]
    genes = pd.read_csv(REF / "genes.tsv", sep="\t")
    got = expression_bed(norm, genes, sample_to_participant=lookup)
    expected = pd.read_csv(REF / f"{case}.expression.bed.gz", sep="\t")
    return got, expected


@pytest.mark.parametrize("case", list(CASES))
def test_expression_bed__matches_gtex_pipeline_script(case: str) -> None:
    got, expected = _run_case(case)
    # the script names the 4th column gene_id; genotex uses schema.BED_COORD_COLUMNS
    expected = expected.rename(columns={"gene_id": "phenotype_id"})
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got.iloc[:, :4], expected.iloc[:, :4], check_dtype=False)
    np.testing.assert_allclose(got.iloc[:, 4:].to_numpy(float),
                               expected.iloc[:, 4:].to_numpy(float), rtol=1e-6, atol=1e-12)


def test_prepare_expression__filter_before_int_but_tmm_on_all_genes() -> None:
    tpm, counts = _inputs("a")
    norm = prepare_expression(tpm, counts)
    assert 0 < len(norm) < len(tpm)
    # TMM on the kept genes only would change the values: the reference does it on all genes
    kept = norm.index
    alt = prepare_expression(tpm.loc[kept], counts.loc[kept])
    assert not np.allclose(norm.to_numpy(), alt.to_numpy())


def test_prepare_expression__rejects_mismatched_inputs() -> None:
    tpm, counts = _inputs("a")
    with pytest.raises(InputError, match="sample IDs"):
        prepare_expression(tpm, counts.iloc[:, ::-1])
    with pytest.raises(InputError, match="gene IDs"):
        prepare_expression(tpm, counts.iloc[::-1])
    with pytest.raises(InputError, match="requested samples"):
        prepare_expression(tpm, counts, samples=["nope"])
    with pytest.raises(ValueError, match="normalization_method"):
        prepare_expression(tpm, counts, normalization_method="upperquartile")  # type: ignore[arg-type]


def test_phenotype_positions__strand_aware_tss_and_chromosome_filter() -> None:
    genes = pd.DataFrame({"gene_id": ["p", "m", "y", "x"],
                          "chrom": ["chr3", "chr3", "chrY", "chrX"],
                          "start": [1000, 10, 5, 7], "end": [2000, 1500, 9, 70],
                          "strand": ["+", "-", "+", "-"]})
    got = phenotype_positions(genes, ["p", "m", "y", "x"])
    assert got["phenotype_id"].tolist() == ["p", "m", "x"]
    assert got[["start", "end"]].to_numpy().tolist() == [[999, 1000], [1499, 1500], [69, 70]]
    everything = phenotype_positions(genes, ["p", "m", "y", "x"], chromosomes=None)
    assert everything["phenotype_id"].tolist() == ["p", "m", "x", "y"]


def test_phenotype_positions__rejects_bad_annotation() -> None:
    genes = pd.DataFrame({"gene_id": ["a", "a"], "chrom": ["chr1"] * 2, "start": [1, 2],
                          "end": [3, 4], "strand": ["+", "+"]})
    with pytest.raises(InputError, match="duplicated"):
        phenotype_positions(genes, ["a"])
    with pytest.raises(InputError, match="strand"):
        phenotype_positions(genes.assign(gene_id=["a", "b"], strand=["+", "."]), ["a"])
    with pytest.raises(InputError, match="lacks columns"):
        phenotype_positions(genes.drop(columns="strand"), ["a"])


def test_expression_bed__missing_participant_is_an_error() -> None:
    genes = pd.DataFrame({"gene_id": ["a"], "chrom": ["chr1"], "start": [5], "end": [9],
                          "strand": ["+"]})
    norm = pd.DataFrame({"s1": [0.1], "s2": [0.2]}, index=["a"])
    with pytest.raises(InputError, match="participant"):
        expression_bed(norm, genes, sample_to_participant={"s1": "P1"})
