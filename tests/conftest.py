"""Shared fixtures: where ../shared/data is, and where the Debian example data is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same drawn examples on every run (a red build is then reproducible); a
# developer's `make test` draws new ones each time. `.ci/run` sets HYPOTHESIS_PROFILE=ci.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
GEUVADIS_TARBALL = Path("/usr/share/doc/qtltools/examples/examples.tar.xz")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the project; tests that need it skip cleanly where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project")
    return SHARED_DATA


@pytest.fixture(scope="session")
def geuvadis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GEUVADIS chr22 example of Debian's ``qtltools-example``, extracted once per session."""
    import tarfile

    if not GEUVADIS_TARBALL.is_file():
        pytest.skip("Debian package qtltools-example is not installed (apt-get install it)")
    out = tmp_path_factory.mktemp("geuvadis")
    with tarfile.open(GEUVADIS_TARBALL) as tar:
        tar.extractall(out, filter="data")
    return out
