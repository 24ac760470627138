"""Start-up cost of the command line: ``genotex --help`` loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyarrow", "scipy", "pydantic_settings", "numpy")


def test_cli_help__imports_no_heavy_library() -> None:
    code = ("import sys\n"
            "from click.testing import CliRunner\n"
            "from genotex.cli import main\n"
            "result = CliRunner().invoke(main, ['--help'])\n"
            "assert result.exit_code == 0 and 'genotex' in result.output, result.output\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_import_genotex__tissues_without_pandas() -> None:
    code = ("import sys, genotex\n"
            "assert len(genotex.TISSUES) == 54\n"
            "print('pandas' in sys.modules)\n"
            "print(genotex.tissue_table().shape, 'pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["False", "(54, 10) True"]
