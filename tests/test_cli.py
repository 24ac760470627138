from __future__ import annotations

from click.testing import CliRunner

from genotex.cli import main


def test_main_help__teaches_the_stages() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "genotex demo" in result.output


def test_main_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "genotex" in result.output


def test_main__numpy_huge_page_advice_off_unless_the_user_chose(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    assert CliRunner().invoke(main, ["store", "list", str(tmp_path)]).exit_code == 0
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0"
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    assert CliRunner().invoke(main, ["store", "list", str(tmp_path)]).exit_code == 0
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "1"
