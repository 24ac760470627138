"""GWAS summary statistics reader: GWAS-SSF, ad-hoc aliases, conversions and clear errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from genotex.errors import InputError
from genotex.io.sumstats import SUMSTATS_COLUMNS, read_chain, read_gwas_sumstats

SSF = (
    "chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\t"
    "effect_allele_frequency\tp_value\tvariant_id\trsid\tn\n"
    "1\t1000\tA\tG\t0.1\t0.02\t0.3\t5.7e-7\t1_1000_G_A\trs1\t5000\n"
    "1\t2000\tC\tT\t-0.05\t0.02\t0.9\t0.012\t1_2000_T_C\trs2\t5000\n"
    "X\t3000\tG\tA\t0.0\t0.03\t0.5\t1\tX_3000_A_G\trs3\t4000\n"
)


def write(tmp_path: Path, text: str, name: str = "gwas.tsv") -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def test_read_gwas_sumstats__gwas_ssf_gz(tmp_path: Path) -> None:
    t = read_gwas_sumstats(write(tmp_path, SSF, "gwas.tsv.gz"))
    assert list(t.columns) == list(SUMSTATS_COLUMNS)
    assert t["chromosome"].tolist() == ["chr1", "chr1", "chrX"]
    assert t["base_pair_location"].dtype == np.int64
    np.testing.assert_allclose(t["maf"], [0.3, 0.1, 0.5])
    assert t["n"].tolist() == [5000, 5000, 4000]
    assert t.attrs["column_map"]["standard_error"] == "standard_error"
    assert t.attrs["column_map"]["rsid"] == "rsid"


def test_read_gwas_sumstats__plink_whitespace_with_odds_ratio(tmp_path: Path) -> None:
    text = ("CHR  SNP  BP  A1  A2  FRQ  OR  SE  P\n"
            "22 rs10 16050075 a g 0.1 1.5 0.05 1e-10\n"
            "22 rs11 16050115 T C 0.2 0.8 0.04 2e-8\n")
    t = read_gwas_sumstats(write(tmp_path, text), n=1000)
    np.testing.assert_allclose(t["beta"], np.log([1.5, 0.8]))
    assert t["effect_allele"].tolist() == ["A", "T"]
    assert t["rsid"].tolist() == ["rs10", "rs11"]
    assert t.attrs["column_map"] == {
        "chromosome": "CHR", "base_pair_location": "BP", "effect_allele": "A1",
        "other_allele": "A2", "odds_ratio": "OR", "standard_error": "SE", "p_value": "P",
        "effect_allele_frequency": "FRQ", "rsid": "SNP"}
    assert "beta = log(odds_ratio)" in t.attrs["notes"]
    assert (t["n"] == 1000).all()


def test_read_gwas_sumstats__csv_aliases_and_log10p(tmp_path: Path) -> None:
    text = "MarkerName,chr,pos,EA,NEA,b,EAF,LOG10P\nrs1,chr2,10,A,C,0.2,0.4,8\n"
    t = read_gwas_sumstats(write(tmp_path, text, "g.csv"))
    assert t.loc[0, "p_value"] == pytest.approx(1e-8)
    assert t.loc[0, "standard_error"] == pytest.approx(0.2 / 5.730729, rel=1e-5)
    assert t.loc[0, "chromosome"] == "chr2"


def test_read_gwas_sumstats__variant_id_only(tmp_path: Path) -> None:
    text = "variant_id\tbeta\tse\nchr3:100:A:G\t0.1\t0.05\n3_200_C_T\t-0.2\t0.05\n"
    t = read_gwas_sumstats(write(tmp_path, text))
    assert t["base_pair_location"].tolist() == [100, 200]
    assert t["other_allele"].tolist() == ["A", "C"] and t["effect_allele"].tolist() == ["G", "T"]
    assert t.loc[1, "p_value"] == pytest.approx(2 * 3.167124e-05, rel=1e-5)


def test_read_gwas_sumstats__explicit_columns_override(tmp_path: Path) -> None:
    text = "c\tp0s\tx\ty\teff\tse\n1\t5\tA\tG\t0.1\t0.1\n"
    t = read_gwas_sumstats(write(tmp_path, text), columns={
        "chromosome": "c", "base_pair_location": "p0s", "effect_allele": "x",
        "other_allele": "y", "beta": "eff"})
    assert t.loc[0, "beta"] == 0.1


@pytest.mark.parametrize(("text", "message", "line"), [
    ("CHR\tBP\tA1\tA2\tP\n1\t1\tA\tG\t0.1\n", "no effect-size column", 1),
    ("CHR\tBP\tA1\tBETA\tSE\n1\t1\tA\t0.1\t0.1\n", "no other_allele column", 1),
    ("CHR\tBP\tA1\tA2\tBETA\tSE\n1\t1\tA\tG\t0.1\t0.1\n1\t2\tA\tG\tNA\t0.1\n",
     "missing value in column 'BETA'", 3),
    ("CHR\tBP\tA1\tA2\tBETA\tSE\n1\t1\tA\tG\tbig\t0.1\n", "non-numeric value 'big'", 2),
    ("CHR\tBP\tA1\tA2\tBETA\tSE\n1\t1\tA\tG\t0.1\t0.1\n1\t1\tA\tG\t0.2\t0.1\n",
     "duplicate variant", 3),
    ("CHR\tBP\tA1\tA2\tBETA\tP\n1\t1\tA\tG\t0.1\t1.5\n", "p_value 1.5 is not in", 2),
    ("CHR\tBP\tA1\tA2\tOR\tP\n1\t1\tA\tG\t-1\t0.5\n", "odds ratio -1 is not positive", 2),
    ("", "empty", 1),
])
def test_read_gwas_sumstats__clear_errors(tmp_path: Path, text: str, message: str,
                                          line: int) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_gwas_sumstats(write(tmp_path, text))
    assert err.value.line == line
    assert err.value.fix


def test_read_gwas_sumstats__drop_missing_reports(tmp_path: Path) -> None:
    text = "CHR\tBP\tA1\tA2\tBETA\tSE\n1\t1\tA\tG\t0.1\t0.1\n1\t2\tA\tG\tNA\t0.1\n"
    t = read_gwas_sumstats(write(tmp_path, text), drop_missing=True)
    assert len(t) == 1
    assert "dropped 1 rows with missing required values" in t.attrs["notes"]


def test_read_gwas_sumstats__missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_gwas_sumstats(tmp_path / "nope.tsv")


def test_read_chain__gz_and_errors(tmp_path: Path) -> None:
    text = "chain 10 chr1 1000 + 0 100 chr1 1000 + 10 110 1\n100\n"
    chain = read_chain(write(tmp_path, text, "a.chain.gz"))
    assert chain.blocks["chr1"]["q_start"].tolist() == [10]
    with pytest.raises(InputError, match="before a 'chain' header") as err:
        read_chain(write(tmp_path, "100 5 5\n", "b.chain"))
    assert err.value.path is not None and err.value.path.endswith("b.chain")
    assert err.value.line == 1
