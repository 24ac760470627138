from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genotex.errors import InputError
from genotex.io.bed import read_phenotype_bed, write_phenotype_bed

from .conftest import truncate, write_text


def _positions(n: int, *, six: bool = False) -> pd.DataFrame:
    starts = np.arange(n) * 1000 + 100
    pos = pd.DataFrame({"chrom": ["chr1"] * (n - n // 2) + ["chr2"] * (n // 2),
                        "start": starts, "end": starts + 1,
                        "phenotype_id": [f"ENSG{i:011d}.1" for i in range(n)]})
    if six:
        pos["gid"] = pos["phenotype_id"]
        pos["strand"] = "+"
    return pos


@settings(max_examples=20, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)),
                     elements=st.floats(-1e6, 1e6, allow_nan=False)), six=st.booleans())
def test_write_phenotype_bed__round_trip_full_precision(tmp_path_factory, values, six) -> None:
    path = tmp_path_factory.mktemp("bed") / "p.bed.gz"
    pos = _positions(values.shape[0], six=six)
    vals = pd.DataFrame(values, index=pos["phenotype_id"], columns=[f"S{j}" for j in
                                                                       range(values.shape[1])])
    write_phenotype_bed(path, pos, vals)
    got = read_phenotype_bed(path)
    np.testing.assert_array_equal(got.values.to_numpy(), values)
    assert list(got.positions.columns) == list(pos.columns)
    assert (got.positions["start"].to_numpy() == pos["start"].to_numpy()).all()
    assert list(got.values.index) == list(pos["phenotype_id"])
    assert Path(str(path) + ".tbi").is_file()


def test_write_phenotype_bed__deterministic_bytes(tmp_path: Path) -> None:
    pos = _positions(3)
    vals = pd.DataFrame({"S1": [0.1, 0.2, 0.3]}, index=pos["phenotype_id"])
    write_phenotype_bed(tmp_path / "a.bed.gz", pos, vals)
    write_phenotype_bed(tmp_path / "b.bed.gz", pos, vals)
    assert (tmp_path / "a.bed.gz").read_bytes() == (tmp_path / "b.bed.gz").read_bytes()


def test_write_phenotype_bed__tabix_lists_region(tmp_path: Path) -> None:
    if shutil.which("tabix") is None:
        pytest.skip("tabix is not installed")
    pos = _positions(4)
    vals = pd.DataFrame({"S1": [1.0, 2.0, 3.0, 4.0]}, index=pos["phenotype_id"])
    write_phenotype_bed(tmp_path / "p.bed.gz", pos, vals)
    out = subprocess.run(["tabix", str(tmp_path / "p.bed.gz"), "chr2:2000-5000"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert [line.split("\t")[3] for line in out] == list(pos["phenotype_id"][2:])
    header = subprocess.run(["tabix", "-H", str(tmp_path / "p.bed.gz")], capture_output=True,
                            text=True, check=True).stdout
    assert header.startswith("#chr\tstart\tend\tphenotype_id\tS1")


HEAD = "#chr\tstart\tend\tphenotype_id\tS1\tS2\n"


@pytest.mark.parametrize(
    ("body", "needle", "line"),
    [
        ("chr1\t5\t6\tA\t1\t2\nchr1\t1\t2\tB\t1\t2\n", "not sorted by position", 3),
        ("chr1\t1\t2\tA\t1\t2\nchr2\t1\t2\tB\t1\t2\nchr1\t9\t10\tC\t1\t2\n", "not contiguous", 4),
        ("chr1\t1\t2\tA\t1\t2\nchr1\t3\t4\tA\t1\t2\n", "duplicate phenotype ID", 3),
        ("chr1\t1\t2\tA\t1\tx\n", "non-numeric phenotype value 'x'", 2),
        ("chr1\t1\t2\tA\t1\tNA\n", "missing value", 2),
        ("1\t1\t2\tA\t1\t2\n", "without the 'chr' prefix", None),
    ],
)
def test_read_phenotype_bed__bad_input(tmp_path: Path, body, needle, line) -> None:
    path = write_text(tmp_path / "bad.bed", HEAD + body)
    with pytest.raises(InputError, match=r"bad\.bed") as info:
        read_phenotype_bed(path)
    assert needle in str(info.value)
    assert info.value.line == line


def test_read_phenotype_bed__wrong_header_and_truncation(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"h.bed:1: header"):
        read_phenotype_bed(write_text(tmp_path / "h.bed", "chr1\t1\t2\tA\t1\n"))
    pos = _positions(300)
    vals = pd.DataFrame(np.random.default_rng(1).normal(size=(300, 50)), index=pos["phenotype_id"])
    vals.columns = [f"S{j}" for j in range(50)]
    write_phenotype_bed(tmp_path / "p.bed.gz", pos, vals)
    with pytest.raises(InputError, match=r"truncated_p\.bed\.gz: compressed stream is truncated"):
        read_phenotype_bed(truncate(tmp_path / "p.bed.gz"))


def test_read_phenotype_bed__geuvadis(geuvadis_dir: Path) -> None:
    bed = read_phenotype_bed(geuvadis_dir / "genes.50percent.chr22.bed.gz")
    assert bed.values.shape == (608, 358)
    assert list(bed.positions.columns) == ["chrom", "start", "end", "phenotype_id", "gid",
                                           "strand"]
    assert (bed.positions["chrom"] == "chr22").all()
    assert bed.values.dtypes.eq(np.float64).all()
