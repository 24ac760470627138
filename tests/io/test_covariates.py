from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genotex.errors import InputError
from genotex.io.covariates import read_covariates, write_covariates

from .conftest import write_text


@settings(max_examples=20, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(3, 8), st.integers(1, 3)),
                     elements=st.floats(-1e9, 1e9, allow_nan=False)),
       orientation=st.sampled_from(["covariates_by_samples", "samples_by_covariates"]))
def test_write_covariates__round_trip_either_orientation(tmp_path_factory, values,
                                                         orientation) -> None:
    path = tmp_path_factory.mktemp("cov") / "c.txt.gz"
    cov = pd.DataFrame(values, index=[f"S{i}" for i in range(values.shape[0])],
                       columns=[f"PC{j}" for j in range(values.shape[1])])
    write_covariates(path, cov, orientation=orientation)
    pd.testing.assert_frame_equal(read_covariates(path), cov)
    pd.testing.assert_frame_equal(read_covariates(path, samples=list(cov.index[::-1])),
                                  cov.iloc[::-1])


def test_read_covariates__orientation_from_samples(tmp_path: Path) -> None:
    # 2 samples x 3 covariates: shape alone would guess wrong; the samples argument decides
    path = write_text(tmp_path / "c.txt", "sample\tPC1\tPC2\tPC3\nA\t1\t2\t3\nB\t4\t5\t6\n")
    got = read_covariates(path, samples=["B", "A"])
    assert list(got.columns) == ["PC1", "PC2", "PC3"]
    assert got.loc["B"].tolist() == [4.0, 5.0, 6.0]


def test_read_covariates__missing_samples_named(tmp_path: Path) -> None:
    path = write_text(tmp_path / "c.txt", "ID\tA\tB\nPC1\t1\t2\n")
    wanted = ["A", *[f"X{i}" for i in range(7)]]
    with pytest.raises(InputError, match=r"c.txt: 7 requested sample\(s\) not in the file: "
                       r"'X0', 'X1', 'X2', 'X3', 'X4' \(and 2 more\)"):
        read_covariates(path, samples=wanted)


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ("ID\tA\tB\tC\nPC1\t1\t2\t3\nsex\tmale\t1\t2\n", "non-numeric covariate value 'male'", 3),
        ("ID\tA\tB\tC\nPC1\t1\tNA\t3\n", "missing value", 2),
        ("ID\tA\tA\tC\nPC1\t1\t2\t3\n", "duplicate column ID", None),
        ("ID\tA\tB\tC\nPC1\t1\t2\t3\nPC1\t1\t2\t3\n", "duplicate row ID", 3),
    ],
)
def test_read_covariates__bad_input(tmp_path: Path, text, needle, line) -> None:
    path = write_text(tmp_path / "bad.txt", text)
    with pytest.raises(InputError, match=r"bad\.txt") as info:
        read_covariates(path)
    assert needle in str(info.value)
    assert info.value.line == line


def test_read_covariates__geuvadis_space_separated(geuvadis_dir: Path) -> None:
    cov = read_covariates(geuvadis_dir / "genes.covariates.pc50.txt.gz")
    assert cov.shape == (358, 53)
    assert cov.index[0] == "HG00096"
    assert cov.dtypes.eq(np.float64).all()


@settings(max_examples=20, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)),
                     elements=st.floats(-1e300, 1e300, allow_nan=False)))
def test_read_covariates__numeric_fast_path_equals_general_path(tmp_path_factory,
                                                                values) -> None:
    """A tab-separated all-number file (one-step parse) reads as the same file written with
    spaces, or with a quoted cell (both parsed and checked cell by cell), to the bit."""
    d = tmp_path_factory.mktemp("cov")
    rows = [[repr(float(v)) for v in row] for row in values]
    names = [f"S{j}" for j in range(values.shape[1])]
    header, body = ["ID", *names], [[f"PC{i}", *r] for i, r in enumerate(rows)]
    tab = write_text(d / "tab.txt", "".join("\t".join(r) + "\n" for r in [header, *body]))
    space = write_text(d / "space.txt", "".join(" ".join(r) + "\n" for r in [header, *body]))
    body[0][0] = '"PC0"'
    quoted = write_text(d / "q.txt", "".join("\t".join(r) + "\n" for r in [header, *body]))
    fast = read_covariates(tab)
    assert fast.to_numpy().tobytes() == values.T.tobytes()
    for other in (space, quoted):
        pd.testing.assert_frame_equal(read_covariates(other), fast, check_exact=True)
    pd.testing.assert_frame_equal(read_covariates(tab, samples=names[::-1]),
                                  read_covariates(space, samples=names[::-1]), check_exact=True)


def test_read_covariates__na_row_id_is_not_taken_as_a_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "c.txt", "ID\tA\tB\nNA\t1\t2\n")
    assert read_covariates(path).shape == (2, 1)  # the general reader decides, as before
