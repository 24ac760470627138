from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import genotex.store.writer as writer
from genotex.errors import InputError
from genotex.store import build_release, current_release, read_manifest, verify_release
from genotex.testing import tiny_release_tables


def test_build_release__writes_every_given_table_and_manifest(tiny_release: Path) -> None:
    manifest = read_manifest(tiny_release)
    assert manifest["dataset_id"] == "genotex_tiny_v1"
    assert set(manifest["tables"]) == set(tiny_release_tables())
    assert (tiny_release / "sample_expression" / "tissue_id=Lung" / "part-0.parquet").is_file()
    assert not (tiny_release / "coloc.parquet").exists()  # absent table stays absent
    assert current_release(tiny_release.parent) == "genotex_tiny_v1"


def test_build_release__manifest_checksums_and_rows_verify(tiny_release: Path) -> None:
    verify_release(tiny_release)
    manifest = read_manifest(tiny_release)
    for table in manifest["tables"].values():
        for rel, meta in table["files"].items():
            data = (tiny_release / rel).read_bytes()
            assert hashlib.sha256(data).hexdigest() == meta["sha256"]
            assert pq.read_metadata(tiny_release / rel).num_rows == meta["rows"]
    assert manifest["tables"]["genes"]["rows"] == 6


def test_verify_release__detects_a_changed_file(tmp_path: Path) -> None:
    release = build_release(tmp_path, "r1", {"genes": tiny_release_tables()["genes"]})
    (release / "genes.parquet").write_bytes(b"tampered")
    with pytest.raises(InputError, match="checksum mismatch"):
        verify_release(release)


def test_build_release__parquet_opens_without_genotex(tiny_release: Path) -> None:
    con = duckdb.connect()
    glob = str(tiny_release / "sample_expression" / "*" / "*.parquet")
    n = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
                    [glob]).fetchone()[0]
    assert n == len(tiny_release_tables()["sample_expression"])
    genes = pq.read_table(tiny_release / "genes.parquet")
    assert genes.column_names[:2] == ["gene_id", "gene_name"]


def test_build_release__catalogue_views_use_relative_paths(tmp_path: Path) -> None:
    release = build_release(tmp_path / "a", "r1", tiny_release_tables())
    moved = release.rename(tmp_path / "moved")
    con = duckdb.connect(str(moved / "catalogue.duckdb"), read_only=True)
    con.execute(f"SET file_search_path = '{moved}'")
    assert con.execute("SELECT count(*) FROM genes").fetchone()[0] == 6
    assert con.execute("SELECT count(*) FROM coloc").fetchone()[0] == 0  # absent → empty view
    con.close()


def test_build_release__parquet_bytes_are_deterministic(tmp_path: Path) -> None:
    tables = tiny_release_tables()
    shuffled = {k: v.sample(frac=1.0, random_state=1) for k, v in tables.items()}
    a = build_release(tmp_path, "a", tables)
    b = build_release(tmp_path, "b", shuffled)
    ma, mb = read_manifest(a)["tables"], read_manifest(b)["tables"]
    assert {k: v["files"] for k, v in ma.items()} == {k: v["files"] for k, v in mb.items()}


def test_build_release__failure_midway_leaves_no_folder(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = writer._write_parquet

    def flaky(table, path):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(table, path)

    monkeypatch.setattr(writer, "_write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        build_release(tmp_path, "r1", tiny_release_tables())
    assert list(tmp_path.iterdir()) == []


def test_build_release__refuses_existing_unless_overwrite(tmp_path: Path) -> None:
    genes = tiny_release_tables()["genes"]
    build_release(tmp_path, "r1", {"genes": genes})
    with pytest.raises(InputError, match="already exists"):
        build_release(tmp_path, "r1", {"genes": genes})
    build_release(tmp_path, "r1", {"genes": genes.iloc[:2]}, overwrite=True)
    assert read_manifest(tmp_path / "r1")["tables"]["genes"]["rows"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "r1"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop(columns="gene_name"), "missing required column"),
        (lambda df: df.assign(extra=1), "unknown column"),
        (lambda df: df.assign(start=df["start"].astype(str)), "column 'start' has dtype"),
        (lambda df: df.assign(start=df["start"] + 0.5), "column 'start' has dtype"),
        (lambda df: pd.concat([df, df.iloc[:1]]), "duplicate key"),
        (lambda df: df.assign(gene_id=None), "missing values"),
    ],
)
def test_build_release__rejects_bad_tables_with_a_fix(tmp_path: Path, change, message) -> None:
    genes = change(tiny_release_tables()["genes"])
    with pytest.raises(InputError, match=message) as info:
        build_release(tmp_path, "r1", {"genes": genes})
    assert "fix:" in str(info.value) and "table 'genes'" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_build_release__rejects_unknown_table_and_bad_dataset_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown table"):
        build_release(tmp_path, "r1", {"gnees": pd.DataFrame()})
    with pytest.raises(InputError, match="invalid datasetId"):
        build_release(tmp_path, "../evil", {})


def test_build_release__rejects_unsafe_partition_values(tmp_path: Path) -> None:
    expr = tiny_release_tables()["sample_expression"].assign(tissue_id="../x")
    with pytest.raises(InputError, match="partition folder"):
        build_release(tmp_path, "r1", {"sample_expression": expr})


def test_build_release__empty_table_from_an_empty_list(tmp_path: Path) -> None:
    """``pd.DataFrame([], columns=...)`` has object columns; an empty table still builds."""
    empty_ld = pd.DataFrame([], columns=["gene_id", "variant_id_1", "variant_id_2", "r2"])
    release = build_release(tmp_path, "empty_ld", {"ld": empty_ld})
    table = pq.read_table(next(release.glob("ld*")))
    assert table.num_rows == 0
    assert str(table.schema.field("r2").type) == "double"
