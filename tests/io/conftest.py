"""Helpers for the io tests: writing small text / gzip files, truncating them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, gzipped when the name ends in .gz."""
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def truncate(path: Path, keep: float = 0.6) -> Path:
    """Cut a compressed file short, as an interrupted download would."""
    data = path.read_bytes()
    out = path.with_name("truncated_" + path.name)
    out.write_bytes(data[: max(20, int(len(data) * keep))])
    return out


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path
