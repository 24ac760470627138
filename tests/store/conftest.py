"""Fixtures of the store tests: one tiny release built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from genotex.store import Store
from genotex.testing import build_tiny_release


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder written from :func:`genotex.testing.tiny_release_tables`."""
    return build_tiny_release(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="session")
def tiny_store(tiny_release: Path) -> Store:
    store = Store(tiny_release)
    yield store
    store.close()
