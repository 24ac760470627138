from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from genotex.cli import main


def test_demo_no_serve_then_store_list_and_verify(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GENOTEX_DATA_DIR", str(tmp_path))
    import genotex.pipeline.demo as demo_module
    from genotex.simulate import SimulationConfig

    small = SimulationConfig(n_donors=40, n_genes=30, variants_per_chrom=200,
                             tissues=("Lung",), chromosomes=("chr22",))
    real = demo_module.run_demo
    monkeypatch.setattr(demo_module, "run_demo",
                        lambda root, **kw: real(root, **{**kw, "config": small}))
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--no-serve", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "release ready" in result.output
    listed = runner.invoke(main, ["store", "list", str(tmp_path / "releases")])
    assert listed.output.strip() == "* genotex_demo_v1"
    verified = runner.invoke(main, ["store", "verify",
                                    str(tmp_path / "releases" / "genotex_demo_v1")])
    assert verified.exit_code == 0 and "checksums match" in verified.output
