from __future__ import annotations

import json
from pathlib import Path

import pytest

from genotex.errors import InputError
from genotex.store import Store, build_release, read_manifest
from genotex.testing import tiny_release_tables


def test_read_manifest__refuses_unknown_schema_version(tmp_path: Path) -> None:
    release = build_release(tmp_path, "r1", {"genes": tiny_release_tables()["genes"]})
    path = release / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = "99.0"
    path.write_text(json.dumps(manifest))
    with pytest.raises(InputError, match=r"schema version '99\.0' is not supported"):
        read_manifest(release)
    with pytest.raises(InputError, match="fix: rebuild"):
        Store(release)


def test_read_manifest__names_a_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a genotex release"):
        read_manifest(tmp_path)
