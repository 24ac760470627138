"""Where a release's files live.

A release is one folder ``<root>/<datasetId>/``::

    genotex_demo_v1/
      manifest.json                 schema version, datasetId, created, sha256 + rows per file
      catalogue.duckdb              DuckDB views over the Parquet (relative paths)
      genes.parquet  variants.parquet  tissues.parquet  donors.parquet  samples.parquet
      median_expression.parquet  egenes.parquet  signif_pairs.parquet  ...
      sample_expression/tissue_id=Lung/part-0.parquet            (Hive partitions)
      nominal_pairs/tissue_id=Lung/chrom=chr1/part-0.parquet

``<root>/CURRENT`` holds the datasetId of the default release. Tables that a release does not
provide are simply absent.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from genotex.errors import InputError
from genotex.store.tables import TableSpec

MANIFEST = "manifest.json"
CATALOGUE = "catalogue.duckdb"
CURRENT = "CURRENT"
PART_FILE = "part-0.parquet"

_DATASET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PARTITION_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$")


def check_dataset_id(dataset_id: str) -> str:
    """Return ``dataset_id`` if it is a safe folder name, else raise :class:`InputError`.

    >>> check_dataset_id("genotex_demo_v1")
    'genotex_demo_v1'
    """
    if not isinstance(dataset_id, str) or not _DATASET_ID.match(dataset_id):
        raise InputError(
            None,
            f"invalid datasetId {dataset_id!r}",
            "use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        )
    return dataset_id


def check_partition_value(table: str, column: str, value: object) -> str:
    """Return ``value`` as a string if it can name a Hive partition folder."""
    text = str(value)
    if not _PARTITION_VALUE.match(text):
        raise InputError(
            f"table '{table}'",
            f"column '{column}' value {text!r} cannot name a partition folder",
            "use letters, digits, '_', '.', '+' or '-' in partition columns",
        )
    return text


def release_dir(root: str | Path, dataset_id: str) -> Path:
    """The folder of release ``dataset_id`` under ``root``."""
    return Path(root) / check_dataset_id(dataset_id)


def table_relpath(spec: TableSpec) -> str:
    """Path of a table relative to the release folder: a file, or a folder when partitioned.

    >>> from genotex.store.tables import get_table
    >>> table_relpath(get_table("genes")), table_relpath(get_table("nominal_pairs"))
    ('genes.parquet', 'nominal_pairs')
    """
    return spec.name if spec.partition_by else f"{spec.name}.parquet"


def table_glob(spec: TableSpec) -> str:
    """Glob (relative to the release folder) matching every Parquet file of a table.

    >>> from genotex.store.tables import get_table
    >>> table_glob(get_table("nominal_pairs"))
    'nominal_pairs/*/*/*.parquet'
    """
    if not spec.partition_by:
        return table_relpath(spec)
    return "/".join([spec.name, *("*" for _ in spec.partition_by), "*.parquet"])


def partition_relpath(spec: TableSpec, values: tuple[str, ...]) -> str:
    """Relative path of the Parquet file of one partition."""
    parts = [f"{col}={check_partition_value(spec.name, col, v)}"
             for col, v in zip(spec.partition_by, values, strict=True)]
    return "/".join([spec.name, *parts, PART_FILE])


def list_releases(root: str | Path) -> list[str]:
    """DatasetIds of the complete releases under ``root`` (folders holding a manifest)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir()
        if p.is_dir() and _DATASET_ID.match(p.name) and (p / MANIFEST).is_file()
    )


def current_release(root: str | Path) -> str | None:
    """The datasetId named by ``<root>/CURRENT``, or ``None`` when there is none."""
    path = Path(root) / CURRENT
    if not path.is_file():
        return None
    return check_dataset_id(path.read_text(encoding="utf-8").strip())


def set_current(root: str | Path, dataset_id: str) -> Path:
    """Point ``<root>/CURRENT`` at an existing release, atomically (temp file + rename)."""
    root = Path(root)
    if not (release_dir(root, dataset_id) / MANIFEST).is_file():
        raise InputError(
            root / dataset_id, "no complete release here", "build it with build_release first"
        )
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT.", dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(dataset_id + "\n")
    os.replace(tmp, root / CURRENT)
    return root / CURRENT


_DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN"}


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_sql(spec: TableSpec, location: str | None) -> str:
    """``CREATE VIEW`` statement exposing a table's Parquet files in spec column order.

    ``location`` is the table's glob (relative or absolute); ``None`` gives an empty view with
    the right column types, used for tables a release does not provide.

    >>> from genotex.store.tables import get_table
    >>> sql = view_sql(get_table("median_expression"), "median_expression.parquet")
    >>> for part in sql.split(" FROM "):
    ...     print(part)
    CREATE VIEW "median_expression" AS SELECT "gene_id", "tissue_id", "median_tpm"
    read_parquet('median_expression.parquet')
    """
    if location is None:
        cols = ", ".join(
            f'CAST(NULL AS {_DUCKDB_TYPES[str(c.type)]}) AS "{c.name}"' for c in spec.columns
        )
        return f'CREATE VIEW "{spec.name}" AS SELECT {cols} WHERE false'
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    options = ""
    if spec.partition_by:
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in spec.partition_by)
        options = f", hive_partitioning = true, hive_types = {{{types}}}"
    source = f"read_parquet({_quote_literal(location)}{options})"
    return f'CREATE VIEW "{spec.name}" AS SELECT {cols} FROM {source}'
