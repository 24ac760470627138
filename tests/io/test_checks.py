from __future__ import annotations

import numpy as np
import pytest

from genotex.errors import InputError
from genotex.io import check_chrom_naming_matches
from genotex.io._checks import check_numeric, check_sorted, check_unique, chrom_style


def test_check_chrom_naming_matches__names_other_file_and_its_naming() -> None:
    check_chrom_naming_matches(["chr1", "chrX"], "a.bed", ["chr2"], "b.vcf.gz")
    with pytest.raises(InputError, match=r"^a\.bed: chromosome '1' is named without the 'chr' "
                       r"prefix but b\.vcf\.gz uses 'chr1' naming; fix: "):
        check_chrom_naming_matches(["1"], "a.bed", ["chr1", "chr2"], "b.vcf.gz")
    with pytest.raises(InputError, match=r"b\.vcf\.gz uses 'X' naming"):
        check_chrom_naming_matches(["chrX"], "a.bed", ["1", "X"], "b.vcf.gz")


def test_chrom_style__majority() -> None:
    assert chrom_style(["chr1", "chr2", "HLA-A"]) == "chr"
    assert chrom_style(["1", "MT"]) == "bare"


def test_check_sorted__reports_first_bad_line() -> None:
    check_sorted(np.array(["chr1", "chr1", "chr2"]), np.array([1, 5, 2]), "x")
    with pytest.raises(InputError, match=r"x:12: .* 3 comes after 5"):
        check_sorted(np.array(["chr1"] * 3), np.array([1, 5, 3]), "x", first_line=10)
    with pytest.raises(InputError, match=r"x:3: .*'chr1' are not contiguous"):
        check_sorted(np.array(["chr1", "chr2", "chr1"]), np.array([1, 1, 2]), "x", first_line=1)


def test_check_unique_and_numeric() -> None:
    with pytest.raises(InputError, match=r"x:6: duplicate gene ID: 'a'"):
        check_unique(["a", "b", "a"], "x", what="gene ID", first_line=4)
    import pandas as pd

    frame = pd.DataFrame({"A": ["1", "2"], "B": ["1.5", "x"]}, index=["r1", "r2"])
    with pytest.raises(InputError, match=r"x:3: non-numeric values 'x' in column 'B' \(row 'r2'\)"):
        check_numeric(frame, "x", first_line=2)
    assert check_numeric(frame.iloc[:1], "x").dtypes.tolist() == [np.int64, np.float64]


def test_check_numeric__all_float_columns_checked_at_once() -> None:
    import pandas as pd

    frame = pd.DataFrame({"A": [1.0, 2.5], "B": [0.5, np.nan], "C": [3.0, 4.0]},
                         index=["r1", "r2"])
    with pytest.raises(InputError, match=r"x:5: missing value \(NaN/empty\) in column 'B' "
                       r"\(row 'r2'\); fix: impute"):
        check_numeric(frame, "x", first_line=4, fix_nan="impute")
    got = check_numeric(frame, "x", allow_nan=True)
    pd.testing.assert_frame_equal(got, frame)
    got.iloc[0, 0] = 9.0
    assert frame.iloc[0, 0] == 1.0  # a copy, as the column-by-column path returns
