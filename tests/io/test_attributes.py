from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.io.attributes import (
    read_sample_attributes,
    read_sample_participant_lookup,
    read_subject_attributes,
    write_sample_attributes,
    write_sample_participant_lookup,
    write_subject_attributes,
)

from .conftest import write_text

SAMPLES = pd.DataFrame({
    "SAMPID": ["GTEX-1117F-0226-SM-5GZZ7", "GTEX-111CU-0126-SM-5GZWZ"],
    "SMTS": ["Adipose Tissue", "Muscle"],
    "SMTSD": ["Adipose - Subcutaneous", "Muscle - Skeletal"],
    "SMRIN": [6.8, 7.1],
    "EXTRA": ["x", "y"],
})
SUBJECTS = pd.DataFrame({"SUBJID": ["GTEX-1117F", "GTEX-111CU"], "SEX": [2, 1],
                         "AGE": ["60-69", "50-59"], "DTHHRDY": [4, 0]})


@pytest.mark.parametrize("name", ["s.txt", "s.txt.gz"])
def test_write_sample_attributes__round_trip(tmp_path: Path, name: str) -> None:
    write_sample_attributes(SAMPLES, tmp_path / name)
    got = read_sample_attributes(tmp_path / name)
    assert list(got.index) == list(SAMPLES["SAMPID"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), SAMPLES, check_dtype=False)
    assert got["SMRIN"].dtype.kind == "f"


def test_write_subject_attributes__round_trip(tmp_path: Path) -> None:
    write_subject_attributes(SUBJECTS, tmp_path / "p.txt")
    got = read_subject_attributes(tmp_path / "p.txt")
    assert got.loc["GTEX-1117F", "SEX"] == 2
    assert got.loc["GTEX-111CU", "AGE"] == "50-59"


def test_read_sample_attributes__missing_id_column(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.txt", "SMTS\tSMRIN\nMuscle\t7\n")
    with pytest.raises(InputError, match=r"s.txt:1: no 'SAMPID' column"):
        read_sample_attributes(path)


def test_read_subject_attributes__duplicate_ids(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.txt", "SUBJID\tSEX\nA\t1\nB\t2\nA\t1\n")
    with pytest.raises(InputError, match=r"p.txt:4: duplicate subject ID \(SUBJID\): 'A'"):
        read_subject_attributes(path)


def test_write_sample_participant_lookup__round_trip(tmp_path: Path) -> None:
    lookup = pd.Series(["GTEX-1117F", "GTEX-1117F"],
                       index=pd.Index(["GTEX-1117F-0226-SM-5GZZ7", "GTEX-1117F-0426-SM-5EGHI"],
                                      name="sample_id"), name="participant_id")
    write_sample_participant_lookup(lookup, tmp_path / "l.txt")
    assert (tmp_path / "l.txt").read_text().splitlines()[0] == (
        "GTEX-1117F-0226-SM-5GZZ7\tGTEX-1117F")
    pd.testing.assert_series_equal(read_sample_participant_lookup(tmp_path / "l.txt"), lookup)


def test_read_sample_participant_lookup__bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"l1.txt: expected 2 tab-separated columns"):
        read_sample_participant_lookup(write_text(tmp_path / "l1.txt", "a\tb\tc\n"))
    with pytest.raises(InputError, match=r"l2.txt:2: duplicate sample ID"):
        read_sample_participant_lookup(write_text(tmp_path / "l2.txt", "a\tp\na\tq\n"))
