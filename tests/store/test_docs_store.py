"""docs/store.md: its Python snippets run against a release, without genotex's readers."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "store.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_docs_store__python_snippets_run(tiny_release: Path) -> None:
    blocks = _blocks()
    assert len(blocks) >= 4
    ran = 0
    for code in blocks:
        if "import polars" in code and importlib.util.find_spec("polars") is None:
            continue
        scope: dict[str, object] = {"RELEASE": str(tiny_release),
                                    "GENE_ID": "ENSG00000132693.12"}
        exec(compile(code, str(DOC), "exec"), scope)  # our own documentation
        for name in ("top", "pairs", "medians", "egenes", "one_gene"):
            if name in scope:
                assert len(scope[name]) > 0, f"{name} is empty in:\n{code}"  # type: ignore[arg-type]
        ran += 1
    assert ran >= 3


def test_docs_store__lists_every_table() -> None:
    from genotex.store.tables import TABLE_NAMES

    text = DOC.read_text(encoding="utf-8")
    missing = [t for t in TABLE_NAMES if t not in text]
    assert not missing, f"docs/store.md does not mention {missing}"
    if importlib.util.find_spec("duckdb") is None:
        pytest.skip("duckdb not installed")
