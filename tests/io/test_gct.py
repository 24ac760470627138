from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genotex.errors import InputError
from genotex.io.gct import read_gct, write_gct

from .conftest import truncate, write_text


def _matrix(values: np.ndarray) -> pd.DataFrame:
    n_genes, n_samples = values.shape
    return pd.DataFrame(
        values,
        index=pd.Index([f"ENSG{i:011d}.1" for i in range(n_genes)], name="Name"),
        columns=[f"GTEX-{j:04d}-0001-SM-A" for j in range(n_samples)],
    )


@settings(max_examples=25, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)),
                     elements=st.floats(-1e12, 1e12, allow_nan=False)))
def test_write_gct__round_trips_floats_exactly(tmp_path_factory, values) -> None:
    path = tmp_path_factory.mktemp("gct") / "m.gct.gz"
    matrix = _matrix(values)
    write_gct(matrix, path)
    pd.testing.assert_frame_equal(read_gct(path), matrix)


def test_write_gct__integers_stay_integers(tmp: Path) -> None:
    matrix = _matrix(np.arange(6, dtype=np.int64).reshape(3, 2))
    write_gct(matrix, tmp / "c.gct")
    lines = (tmp / "c.gct").read_text().splitlines()
    assert lines[:2] == ["#1.2", "3\t2"]
    assert lines[3].split("\t")[2:] == ["0", "1"]
    got = read_gct(tmp / "c.gct")
    assert (got.dtypes == np.int64).all()
    pd.testing.assert_frame_equal(got, matrix)


def test_write_gct__deterministic_gzip_bytes(tmp: Path) -> None:
    matrix = _matrix(np.ones((2, 2)))
    write_gct(matrix, tmp / "a.gct.gz")
    write_gct(matrix, tmp / "b.gct.gz")
    assert (tmp / "a.gct.gz").read_bytes() == (tmp / "b.gct.gz").read_bytes()


def test_read_gct__samples_subset_and_description(tmp: Path) -> None:
    matrix = _matrix(np.arange(6.0).reshape(2, 3))
    write_gct(matrix, tmp / "m.gct", description={matrix.index[0]: "DDX11L1"})
    cols = list(matrix.columns[[2, 0]])
    got = read_gct(tmp / "m.gct", samples=cols, keep_description=True)
    assert list(got.columns) == ["Description", *cols]
    assert got["Description"].tolist() == ["DDX11L1", matrix.index[1]]
    np.testing.assert_array_equal(got[cols].to_numpy(), matrix[cols].to_numpy())


GOOD = "#1.2\n2\t2\nName\tDescription\tS1\tS2\nG1\tA\t1\t2\nG2\tB\t3\t4\n"


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        (GOOD.replace("#1.2", "#1.3"), "not '#1.2'", 1),
        (GOOD.replace("2\t2\n", "3\t2\n", 1), "says 3 genes", 2),
        (GOOD.replace("2\t2\n", "2\t5\n", 1), "says 5 samples", 2),
        (GOOD.replace("G2\t", "G1\t"), "duplicate gene ID", 5),
        (GOOD.replace("S2\n", "S1\n"), "duplicate sample ID", None),
        (GOOD.replace("\t4\n", "\tfour\n"), "non-numeric expression value 'four'", 5),
        (GOOD.replace("\t3\t", "\t\t"), "missing value", 5),
        (GOOD.replace("Name\t", "Gene\t"), "not ['Name', 'Description']", 3),
    ],
)
def test_read_gct__bad_input_names_file_and_line(tmp: Path, text, needle, line) -> None:
    path = write_text(tmp / "bad.gct", text)
    with pytest.raises(InputError, match=r"bad\.gct") as info:
        read_gct(path)
    assert needle in str(info.value)
    assert info.value.line == line
    assert "fix:" in str(info.value)


def test_read_gct__unknown_samples(tmp: Path) -> None:
    path = write_text(tmp / "m.gct", GOOD)
    with pytest.raises(InputError, match=r"m.gct: 1 requested sample\(s\) not in the file: 'S9'"):
        read_gct(path, samples=["S1", "S9"])


def test_read_gct__truncated_gzip(tmp: Path) -> None:
    write_gct(_matrix(np.random.default_rng(0).normal(size=(400, 20))), tmp / "m.gct.gz")
    with pytest.raises(InputError, match=r"truncated_m\.gct\.gz: compressed stream is truncated"):
        read_gct(truncate(tmp / "m.gct.gz"))


def test_write_gct__rejects_nan(tmp: Path) -> None:
    with pytest.raises(InputError, match="NaN"):
        write_gct(_matrix(np.array([[np.nan]])), tmp / "n.gct")
