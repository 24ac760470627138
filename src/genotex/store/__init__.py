"""Release store: one release = a folder of Parquet tables + manifest + DuckDB catalogue.

Write with :func:`build_release`; read with :class:`Store` (read-only, parameterized queries).
"""

from __future__ import annotations

from genotex.store.layout import current_release, list_releases, set_current
from genotex.store.manifest import read_manifest, verify_release
from genotex.store.queries import Page, Store
from genotex.store.tables import TABLE_NAMES, TABLES, TableSpec
from genotex.store.writer import TableParts, build_release

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "Page",
    "Store",
    "TableParts",
    "TableSpec",
    "build_release",
    "current_release",
    "list_releases",
    "read_manifest",
    "set_current",
    "verify_release",
]
