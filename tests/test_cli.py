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
