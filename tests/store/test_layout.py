from __future__ import annotations

from pathlib import Path

import pytest

from genotex.errors import InputError
from genotex.store import build_release, current_release, list_releases, set_current
from genotex.testing import tiny_release_tables


def test_set_current__points_at_a_release_atomically(tmp_path: Path) -> None:
    genes = tiny_release_tables()["genes"]
    build_release(tmp_path, "r1", {"genes": genes})
    build_release(tmp_path, "r2", {"genes": genes})
    assert current_release(tmp_path) == "r1"  # the first build becomes current
    set_current(tmp_path, "r2")
    assert current_release(tmp_path) == "r2"
    assert list_releases(tmp_path) == ["r1", "r2"]
    with pytest.raises(InputError, match="no complete release"):
        set_current(tmp_path, "r3")


def test_list_releases__ignores_half_built_folders(tmp_path: Path) -> None:
    (tmp_path / ".r9.building-x").mkdir()
    (tmp_path / "r8").mkdir()  # no manifest
    assert list_releases(tmp_path) == []
    assert current_release(tmp_path) is None
