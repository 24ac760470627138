"""The release manifest: schema version, datasetId, creation time, checksums and row counts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from genotex.errors import InputError
from genotex.schema import SCHEMA_VERSION
from genotex.store.layout import MANIFEST

#: Schema versions this genotex can read.
READABLE_SCHEMA_VERSIONS = frozenset({SCHEMA_VERSION})


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(release: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` (sorted keys, stable formatting)."""
    path = release / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(release: str | Path) -> dict[str, Any]:
    """Read and check a release manifest; refuse schema versions this genotex cannot read."""
    path = Path(release) / MANIFEST
    if not path.is_file():
        raise InputError(
            release, "not a genotex release (no manifest.json)",
            "point at a folder written by genotex.store.build_release",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"manifest is not valid JSON ({exc.msg})",
                         "rebuild the release", line=exc.lineno) from exc
    version = manifest.get("schema_version")
    if version not in READABLE_SCHEMA_VERSIONS:
        raise InputError(
            path,
            f"release schema version {version!r} is not supported by this genotex "
            f"(reads {sorted(READABLE_SCHEMA_VERSIONS)})",
            "rebuild the release with this genotex, or install the genotex version that wrote it",
        )
    return dict(manifest)


def verify_release(release: str | Path) -> None:
    """Recompute every file's SHA-256 and row count; raise :class:`InputError` on a mismatch."""
    release = Path(release)
    manifest = read_manifest(release)
    for name, table in manifest["tables"].items():
        for rel, meta in table["files"].items():
            path = release / rel
            if not path.is_file():
                raise InputError(path, f"file of table '{name}' is missing",
                                 "restore it or rebuild the release")
            if sha256_file(path) != meta["sha256"]:
                raise InputError(path, f"checksum mismatch in table '{name}'",
                                 "the file changed after the build; rebuild the release")
