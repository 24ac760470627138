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


def test_store_index__builds_checks_and_reports_damage(tmp_path: Path) -> None:
    from genotex.testing import build_tiny_release

    release = build_tiny_release(tmp_path)
    runner = CliRunner()
    built = runner.invoke(main, ["store", "index", str(release)])
    assert built.exit_code == 0 and "serving" in built.output, built.output
    checked = runner.invoke(main, ["store", "index", "--check", str(release)])
    assert checked.exit_code == 0 and "complete and current" in checked.output
    victim = release / "serving" / "median.value.npy"
    victim.write_bytes(victim.read_bytes()[:-1])
    damaged = runner.invoke(main, ["store", "index", "--check", str(release)])
    assert damaged.exit_code != 0
    assert "truncated" in damaged.output + str(damaged.exception)


def test_serve__builds_a_missing_serving_index_before_the_workers(tmp_path: Path,
                                                                  monkeypatch) -> None:
    import uvicorn

    from genotex.api import app as app_module
    from genotex.api.app import ENV_SERVING_INDEX
    from genotex.store.serving import check_serving_index
    from genotex.testing import build_tiny_release

    release = build_tiny_release(tmp_path / "releases")
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    for name in ("ENV_RELEASES", "ENV_DATASET_ID", "ENV_REQUEST_TIMEOUT", "ENV_SERVING_INDEX"):
        monkeypatch.setenv(getattr(app_module, name), "")  # _serve sets them; undone after
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "releases"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "building the serving index" in result.output
    assert calls and calls[0]["workers"] == 2
    check_serving_index(release)
    import os

    assert os.environ[ENV_SERVING_INDEX] == "1"
