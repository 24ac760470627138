from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.errors import InputError
from genotex.io.leafcutter import (
    read_leafcutter_counts,
    read_leafcutter_numerators,
    write_leafcutter_counts,
    write_leafcutter_numerators,
)

from .conftest import write_text


def _counts(n_introns: int, n_samples: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = [f"chr1:{100 * i + 10}:{100 * i + 60}:clu_{i // 2 + 1}_{'+-'[i % 2]}"
             for i in range(n_introns)]
    cols = [f"GTEX-{j:04d}" for j in range(n_samples)]
    num = pd.DataFrame(rng.integers(0, 50, (n_introns, n_samples)), index=index, columns=cols)
    den = num + rng.integers(0, 50, (n_introns, n_samples))
    num.index.name = den.index.name = "intron_id"
    return num, den


@settings(max_examples=15, deadline=None)
@given(n_introns=st.integers(1, 8), n_samples=st.integers(1, 5), seed=st.integers(0, 99))
def test_write_leafcutter_counts__round_trip(tmp_path_factory, n_introns, n_samples,
                                             seed) -> None:
    path = tmp_path_factory.mktemp("lc") / "x_perind.counts.gz"
    num, den = _counts(n_introns, n_samples, seed)
    write_leafcutter_counts(path, num, den)
    got_num, got_den = read_leafcutter_counts(path)
    pd.testing.assert_frame_equal(got_num, num)
    pd.testing.assert_frame_equal(got_den, den)
    numers = path.with_name("x_perind_numers.counts.gz")
    write_leafcutter_numerators(numers, num)
    pd.testing.assert_frame_equal(read_leafcutter_numerators(numers), num)


def test_write_leafcutter_counts__leafcutter_layout(tmp_path: Path) -> None:
    num, den = _counts(2, 2, 0)
    write_leafcutter_counts(tmp_path / "p.txt", num, den)
    write_leafcutter_numerators(tmp_path / "n.txt", num)
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines[0] == "chrom GTEX-0000 GTEX-0001"
    assert lines[1].split(" ")[1] == f"{num.iloc[0, 0]}/{den.iloc[0, 0]}"
    assert (tmp_path / "n.txt").read_text().splitlines()[0] == "GTEX-0000 GTEX-0001"


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ("chrom A B\nchr1:1:5:clu_1_+ 1/2 3\n", "is not 'numerator/denominator'", 2),
        ("chrom A B\nchr1:1:5:clu_1_+ 1/2 x/3\n", "non-numeric numerator 'x'", 2),
        ("chrom A B\nchr1:1:5:clu_1_+ 1/2 5/3\n", "more reads than its cluster", 2),
        ("chrom A B\nchr1:1:5:clu_1_+ 1/2 1/3\nchr1:1:5:clu_1_+ 1/2 1/3\n", "duplicate intron", 3),
        ("chrom A B\nchr1-1-5 1/2 1/3\n", "is not 'chrom:start:end:clu_<n>_<strand>'", 2),
        ("chrom A B\n1:1:5:clu_1_+ 1/2 1/3\n", "without the 'chr' prefix", None),
        ("chrom A A\nchr1:1:5:clu_1_+ 1/2 1/3\n", "duplicate sample ID", None),
    ],
)
def test_read_leafcutter_counts__bad_input(tmp_path: Path, text, needle, line) -> None:
    path = write_text(tmp_path / "bad_perind.counts.gz", text)
    with pytest.raises(InputError, match=r"bad_perind\.counts\.gz") as info:
        read_leafcutter_counts(path)
    assert needle in str(info.value)
    assert info.value.line == line


def test_read_leafcutter_numerators__ratio_values_rejected(tmp_path: Path) -> None:
    path = write_text(tmp_path / "n.txt", "A B\nchr1:1:5:clu_1_+ 0.5 1\n")
    with pytest.raises(InputError, match="numerators must be non-negative integers"):
        read_leafcutter_numerators(path)
