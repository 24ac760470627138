"""build_release with TableParts: partitioned tables written piece by piece."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.store import TableParts, build_release, read_manifest
from genotex.testing import tiny_release_tables


def _by_tissue(frame: pd.DataFrame) -> TableParts:
    return TableParts([lambda t=t: frame[frame["tissue_id"] == t]
                       for t in sorted(frame["tissue_id"].unique())])


def test_build_release__parts_give_the_same_files_as_one_frame(tmp_path: Path) -> None:
    tables = tiny_release_tables()
    whole = build_release(tmp_path / "a", "r1", tables)
    parts = build_release(tmp_path / "b", "r1", {
        **tables, "sample_expression": _by_tissue(tables["sample_expression"]),
        "nominal_pairs": _by_tissue(tables["nominal_pairs"])})
    a, b = read_manifest(whole)["tables"], read_manifest(parts)["tables"]
    for name in ("sample_expression", "nominal_pairs"):
        assert a[name] == b[name], name
        assert len(a[name]["files"]) > 1


def test_build_release__parts_are_loaded_one_at_a_time(tmp_path: Path) -> None:
    expr = tiny_release_tables()["sample_expression"]
    loaded: list[str] = []

    def piece(tissue: str) -> pd.DataFrame:
        loaded.append(tissue)
        written = list((tmp_path).rglob("sample_expression/tissue_id=*/*.parquet"))
        assert len(written) == len(loaded) - 1  # the previous pieces are already on disk
        return expr[expr["tissue_id"] == tissue]

    tissues = sorted(expr["tissue_id"].unique())
    build_release(tmp_path, "r1", {"sample_expression": TableParts(
        [lambda t=t: piece(t) for t in tissues])})
    assert loaded == tissues


def test_build_release__partition_in_two_pieces_is_refused(tmp_path: Path) -> None:
    expr = tiny_release_tables()["sample_expression"]
    half = len(expr) // 2
    split = TableParts([lambda: expr.iloc[:half], lambda: expr.iloc[half:]])
    with pytest.raises(InputError, match="comes in two pieces"):
        build_release(tmp_path, "r1", {"sample_expression": split})
    assert not list(tmp_path.iterdir())  # nothing half-built is left behind


def test_build_release__bad_piece_leaves_nothing(tmp_path: Path) -> None:
    expr = tiny_release_tables()["sample_expression"]
    bad = TableParts([lambda: expr.iloc[:3], lambda: expr.drop(columns="tpm")])
    with pytest.raises(InputError):
        build_release(tmp_path, "r1", {"sample_expression": bad})
    assert not list(tmp_path.iterdir())


def test_build_release__parts_of_an_unpartitioned_table_are_refused(tmp_path: Path) -> None:
    genes = tiny_release_tables()["genes"]
    with pytest.raises(InputError, match="not partitioned"):
        build_release(tmp_path, "r1", {"genes": TableParts([lambda: genes])})
