"""Write one release atomically: validate, write Parquet into a temp folder, rename."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from genotex import __version__
from genotex.errors import InputError
from genotex.schema import SCHEMA_VERSION
from genotex.store import layout
from genotex.store.manifest import sha256_file, write_manifest
from genotex.store.tables import TABLES, TableSpec

ROW_GROUP_SIZE = 65_536
#: Smaller row groups for tables read one gene at a time from Parquet (per-sample TPM is too
#: big to index in memory): a single-gene lookup decodes ~25 genes' rows per tissue file.
ROW_GROUP_SIZE_BY_TABLE = {"sample_expression": 8_192}


@dataclass(frozen=True)
class TableParts:
    """A partitioned table handed over piece by piece, so that it never sits in memory whole.

    ``pieces`` yields zero-argument callables, each returning a DataFrame in the table's
    schema that holds *whole* partitions (e.g. one tissue's pairs of one chromosome for
    ``nominal_pairs``): each piece is loaded, validated, sorted and written before the next
    one is loaded, so peak memory is that of the largest piece. A partition found in two
    pieces is an error (its file would have to be rewritten).

    >>> parts = TableParts([lambda: pd.DataFrame({"x": [1]})])
    >>> [f() for f in parts.pieces][0]["x"].tolist()
    [1]
    """

    pieces: Iterable[Callable[[], pd.DataFrame]]


TableInput: TypeAlias = pd.DataFrame | TableParts


def _dtype_problem(series: pd.Series, typ: pa.DataType) -> str | None:
    """Why ``series`` cannot be stored as ``typ`` (None when it can).

    An empty column can be stored as any type: pandas gives empty frames ``object`` columns.
    """
    if series.empty:
        return None
    dtype = series.dtype
    if pa.types.is_string(typ):
        if pd.api.types.is_object_dtype(dtype):
            ok = pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
        else:
            ok = pd.api.types.is_string_dtype(dtype)
        return None if ok else "strings"
    if pa.types.is_boolean(typ):
        return None if pd.api.types.is_bool_dtype(dtype) else "booleans"
    if pd.api.types.is_bool_dtype(dtype):
        return "numbers, not booleans"
    if pa.types.is_integer(typ):
        return None if pd.api.types.is_integer_dtype(dtype) else (
            "integers (use pandas dtype 'Int64' where values are missing)"
        )
    return None if pd.api.types.is_numeric_dtype(dtype) else "numbers"


def _check_frame(spec: TableSpec, frame: object) -> pd.DataFrame:
    where = f"table '{spec.name}'"
    if not isinstance(frame, pd.DataFrame):
        raise InputError(where, f"expected a pandas DataFrame, got {type(frame).__name__}",
                         "pass one DataFrame per table")
    unknown = [c for c in frame.columns if c not in spec.column_names]
    if unknown:
        raise InputError(where, f"unknown column(s) {unknown}",
                         f"drop or rename them; columns are {list(spec.column_names)}")
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise InputError(where, f"missing required column(s) {missing}",
                         f"add them; required columns are {list(spec.required)}")
    for col in spec.columns:
        if col.name in frame.columns:
            problem = _dtype_problem(frame[col.name], col.type)
            if problem:
                raise InputError(where, f"column '{col.name}' has dtype "
                                 f"{frame[col.name].dtype}", f"it must hold {problem}")
    for key in dict.fromkeys((*spec.key, *spec.partition_by, *spec.sort_by)):
        if frame[key].isna().any():
            raise InputError(where, f"column '{key}' has missing values",
                             "fill or drop those rows; key columns cannot be empty")
    if spec.key and frame.duplicated(list(spec.key)).any():
        dup = frame.loc[frame.duplicated(list(spec.key)), list(spec.key)].iloc[0].tolist()
        raise InputError(where, f"duplicate key {dup} in columns {list(spec.key)}",
                         "make each row's key unique")
    return frame


def to_arrow(spec: TableSpec, frame: object) -> pa.Table:
    """Validate a DataFrame against a table spec and convert it to a sorted Arrow table.

    Optional columns that are absent are filled with nulls. Raises :class:`InputError` naming
    the table, the column and the fix on any mismatch.
    """
    df = _check_frame(spec, frame)
    arrays = []
    for col in spec.columns:
        if col.name in df.columns:
            try:
                arrays.append(pa.array(df[col.name], type=col.type, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise InputError(f"table '{spec.name}'", f"column '{col.name}': {exc}",
                                 f"convert it to {col.type}") from exc
        else:
            arrays.append(pa.nulls(len(df), type=col.type))
    table = pa.Table.from_arrays(arrays, schema=spec.arrow_schema())
    return table.sort_by([(c, "ascending") for c in spec.sort_by])


def _write_parquet(table: pa.Table, path: Path, *, row_group_size: int = ROW_GROUP_SIZE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table, path, compression="zstd", row_group_size=row_group_size,
        write_statistics=True, use_dictionary=True,
    )


def _partitions(spec: TableSpec, table: pa.Table) -> list[tuple[tuple[str, ...], pa.Table]]:
    """Split ``table`` by its partition columns, in sorted order, dropping those columns."""
    keys = table.select(list(spec.partition_by)).group_by(list(spec.partition_by)).aggregate([])
    combos = sorted(zip(*(keys.column(c).to_pylist() for c in spec.partition_by), strict=True))
    out = []
    for combo in combos:
        mask = None
        for col, value in zip(spec.partition_by, combo, strict=True):
            m = pc.equal(table.column(col), value)
            mask = m if mask is None else pc.and_(mask, m)
        part = table.filter(mask).drop_columns(list(spec.partition_by))
        out.append((tuple(str(v) for v in combo), part))
    return out


def _write_partitions(release: Path, spec: TableSpec, table: pa.Table,
                      files: dict[str, dict[str, Any]]) -> None:
    """Write each partition of ``table`` to its file, recording it in ``files``."""
    for values, part in _partitions(spec, table):
        rel = layout.partition_relpath(spec, values)
        if rel in files:
            where = dict(zip(spec.partition_by, values, strict=True))
            raise InputError(None, f"partition {where} of table {spec.name} comes "
                             "in two pieces",
                             "give each partition whole in one TableParts piece")
        _write_parquet(part, release / rel, row_group_size=ROW_GROUP_SIZE_BY_TABLE.get(
            spec.name, ROW_GROUP_SIZE))
        files[rel] = {"rows": part.num_rows, "sha256": sha256_file(release / rel),
                      "bytes": (release / rel).stat().st_size}


def _write_table(release: Path, spec: TableSpec, table: pa.Table | TableParts) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    if isinstance(table, TableParts):
        if not spec.partition_by:
            raise InputError(None, f"table {spec.name} is not partitioned",
                             "pass it as one DataFrame, not as TableParts")
        for load in table.pieces:
            _write_partitions(release, spec, to_arrow(spec, load()), files)
    elif spec.partition_by:
        _write_partitions(release, spec, table, files)
    else:
        rel = layout.table_relpath(spec)
        _write_parquet(table, release / rel)
        files[rel] = {"rows": table.num_rows, "sha256": sha256_file(release / rel),
                      "bytes": (release / rel).stat().st_size}
    if not files:
        (release / spec.name).mkdir()
    return {
        "path": layout.table_relpath(spec),
        "glob": layout.table_glob(spec),
        "partition_by": list(spec.partition_by),
        "rows": sum(meta["rows"] for meta in files.values()),
        "files": dict(sorted(files.items())),
    }


def _write_catalogue(release: Path, tables: Mapping[str, Mapping[str, Any]]) -> None:
    """DuckDB file with one view per table, over relative paths (``file_search_path``)."""
    con = duckdb.connect(str(release / layout.CATALOGUE))
    try:
        con.execute("SET file_search_path = ?", [str(release)])
        for name, spec in TABLES.items():
            entry = tables.get(name)
            location = entry["glob"] if entry and entry["files"] else None
            con.execute(layout.view_sql(spec, location))
    finally:
        con.close()


def build_release(
    root: str | Path,
    dataset_id: str,
    tables: Mapping[str, TableInput],
    *,
    overwrite: bool = False,
    metadata: Mapping[str, Any] | None = None,
    make_current: bool | None = None,
    created: datetime | None = None,
) -> Path:
    """Write a release folder ``<root>/<dataset_id>/`` atomically and return its path.

    Parameters
    ----------
    root
        Folder holding releases (created if needed).
    dataset_id
        Release name, served as ``datasetId`` (e.g. ``genotex_demo_v1``).
    tables
        Table name (see :data:`genotex.store.tables.TABLES`) → DataFrame with that table's
        columns, or (partitioned tables) :class:`TableParts` written piece by piece. Tables
        left out are absent from the release.
    overwrite
        Replace an existing release of the same name (the swap is two renames).
    metadata
        Free-form release facts kept in the manifest (``description``, ``display_name``,
        ``gencode_version``, ``genome_build``, ``dbsnp_build``, ``organization``).
    make_current
        Point ``<root>/CURRENT`` at this release; by default only when no CURRENT exists.
    created
        Timestamp recorded in the manifest (default: now, UTC).

    Raises
    ------
    InputError
        On an unknown table, a missing/extra column, a wrong dtype, a missing key or a
        duplicate key: before anything is written for DataFrames; for a :class:`TableParts`
        piece when it is loaded (the half-built release is then removed).
    """
    dataset_id = layout.check_dataset_id(dataset_id)
    root = Path(root)
    final = root / dataset_id
    if final.exists() and not overwrite:
        raise InputError(final, "a release with this datasetId already exists",
                         "pass overwrite=True or choose a new datasetId")
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise InputError(None, f"unknown table(s) {unknown}",
                         f"use table names from {list(TABLES)}")
    arrow: dict[str, pa.Table | TableParts] = {
        name: t if isinstance(t, TableParts) else to_arrow(TABLES[name], t)
        for name in TABLES if name in tables for t in [tables[name]]}
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dataset_id}.building-", dir=root))
    try:
        entries = {name: _write_table(tmp, TABLES[name], t) for name, t in arrow.items()}
        when = (created or datetime.now(UTC)).isoformat(timespec="seconds")
        write_manifest(tmp, {
            "schema_version": SCHEMA_VERSION,
            "dataset_id": dataset_id,
            "created": when,
            "generator": f"genotex {__version__}",
            "metadata": dict(metadata or {}),
            "tables": entries,
        })
        _write_catalogue(tmp, entries)
        _swap_into_place(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if make_current or (make_current is None and layout.current_release(root) is None):
        layout.set_current(root, dataset_id)
    return final


def _swap_into_place(tmp: Path, final: Path) -> None:
    if not final.exists():
        tmp.rename(final)
        return
    old = final.with_name(f".{final.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
    final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
