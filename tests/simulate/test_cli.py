from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from genotex.cli import main


def test_simulate_cli__help_teaches_the_layout() -> None:
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    for text in ("expression/", "genotypes/cohort.vcf.gz", "truth/", "--tissues"):
        assert text in result.output


def test_simulate_cli__rejects_unknown_tissue(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(tmp_path), "--tissues", "Nope"])
    assert result.exit_code == 2
    assert "unknown tissue" in result.output


def test_simulate_cli__writes_a_tiny_cohort(tmp_path: Path) -> None:
    pytest.importorskip("genotex.io.gtf")
    pytest.importorskip("genotex.io.leafcutter")
    out = tmp_path / "cohort"
    result = CliRunner().invoke(main, [
        "simulate", str(out), "--seed", "3", "--donors", "20", "--genes", "30",
        "--variants-per-chrom", "200", "--chromosomes", "chr21", "--tissues", "Lung,Thyroid",
    ])
    assert result.exit_code == 0, result.output
    assert "donors: 20" in result.output and "planted eQTLs" in result.output
    assert (out / "expression" / "Thyroid.gene_tpm.gct.gz").is_file()
    assert (out / "simulation.json").is_file()
