"""``genotex run``: the dry run through the CLI, and its refusal of a plan that cannot fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from genotex.cli import main
from genotex.pipeline.workflow import (
    ReleaseParameters,
    cohort_release_config,
    write_release_config,
)
from genotex.simulate import SimulationConfig, simulate

TINY = SimulationConfig(n_donors=40, n_genes=20, variants_per_chrom=200, tissues=("Lung",),
                        chromosomes=("chr22",), seed=3)


@pytest.fixture(scope="module")
def toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    files = simulate(root / "cohort", TINY, progress=False)
    config = cohort_release_config(files, output=root / "out", dataset_id="cli_v1",
                                   parameters=ReleaseParameters(n_perm=50))
    return write_release_config(config, root / "release.toml")


def test_run__dry_run_prints_the_plan(toml: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(toml), "--dry-run", "--memory-limit", "4GiB"])
    assert result.exit_code == 0, result.output
    for task in ("genotype_pcs", "Lung/expression", "Lung/covariates", "Lung/nominal",
                 "Lung/permutations", "Lung/signif_pairs", "Lung/independent", "summaries",
                 "release"):
        assert task in result.output
    assert "fits: each worker has 4.0 GiB" in result.output
    assert not (toml.parent / "out" / "releases").exists()


def test_run__dry_run_refuses_a_plan_that_cannot_fit(toml: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(toml), "--dry-run", "--memory-limit", "64MiB"])
    assert result.exit_code == 1
    assert "needs about" in result.output and "--memory-limit" in result.output


def test_run__missing_config_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "release config not found" in result.output


def test_run__init_demo_writes_a_loadable_config(tmp_path: Path) -> None:
    from genotex.pipeline.config import load_release_config

    toml = tmp_path / "demo" / "release.toml"
    result = CliRunner().invoke(main, ["run", "--init-demo", str(toml)])
    assert result.exit_code == 0, result.output
    config = load_release_config(toml)
    assert config.dataset_id == "genotex_demo_v1" and len(config.tissues) == 6
    assert config.output == tmp_path / "demo" / "out"
