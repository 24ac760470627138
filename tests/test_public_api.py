"""The curated public API: what `genotex.__all__` promises exists, and nothing private leaks."""

from __future__ import annotations

import importlib

import pytest

import genotex

SUBPACKAGES = ["io", "expression", "qtl", "simulate", "coloc", "store", "api"]


def test_all__names_exist() -> None:
    for name in genotex.__all__:
        assert hasattr(genotex, name), name


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_subpackage_all__names_exist_and_are_public(subpackage: str) -> None:
    module = importlib.import_module(f"genotex.{subpackage}")
    exported = getattr(module, "__all__", None)
    if exported is None:
        pytest.skip(f"genotex.{subpackage} exports nothing yet")
    for name in exported:
        assert not name.startswith("_") or name == "__version__", name
        assert hasattr(module, name), f"genotex.{subpackage}.{name}"
