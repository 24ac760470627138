"""The release workflow: plan, dry run, resume, parameter changes, kill + restart, real cluster."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from genotex.errors import InputError
from genotex.pipeline.config import load_release_config
from genotex.pipeline.manifest import read_entry
from genotex.pipeline.plan import check_memory, plan_release
from genotex.pipeline.runner import RunOptions, dry_run, run_release
from genotex.pipeline.workflow import (
    ReleaseConfig,
    ReleaseParameters,
    cohort_release_config,
    write_release_config,
)
from genotex.simulate import CohortFiles, SimulationConfig, simulate

TINY = SimulationConfig(n_donors=100, n_genes=50, variants_per_chrom=500,
                        tissues=("Lung", "Whole_Blood"), chromosomes=("chr21", "chr22"), seed=5)
PARAMS = ReleaseParameters(n_perm=100, split_nominal="chromosome", qvalue_lambda=0.5)
THREADS = RunOptions(n_workers=2, processes=False, progress=False, dashboard=False)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> CohortFiles:
    return simulate(tmp_path_factory.mktemp("cohort"), TINY, progress=False)


@pytest.fixture(scope="module")
def reference(cohort: CohortFiles, tmp_path_factory: pytest.TempPathFactory) -> ReleaseConfig:
    """One uninterrupted run (threads), shared by the comparisons below."""
    config = _config(cohort, tmp_path_factory.mktemp("reference"))
    run_release(config, options=THREADS, echo=lambda _: None)
    return config


def _config(cohort: CohortFiles, out: Path) -> ReleaseConfig:
    return cohort_release_config(cohort, output=out, dataset_id="tiny_v1", parameters=PARAMS)


def _release_checksums(config: ReleaseConfig) -> dict[str, object]:
    manifest = config.releases_root / config.dataset_id / "manifest.json"
    return dict(json.loads(manifest.read_text())["tables"])


def _quiet(_: str) -> None:
    return None


def test_write_release_config__roundtrips(cohort: CohortFiles, tmp_path: Path) -> None:
    config = _config(cohort, tmp_path / "out")
    loaded = load_release_config(write_release_config(config, tmp_path / "release.toml"))
    assert replace(loaded, source=None) == config


def test_load_release_config__unknown_parameter_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('dataset_id = "x"\noutput = "o"\n[inputs]\n[tissues]\n'
                    "[parameters]\nwindoww = 3\n")
    with pytest.raises(InputError, match="lacks 'genotypes'"):
        load_release_config(path)


def test_dry_run__prints_every_task_with_time_and_memory(cohort: CohortFiles,
                                                          tmp_path: Path) -> None:
    config = _config(cohort, tmp_path)
    lines: list[str] = []
    plan = dry_run(config, worker_memory_bytes=8e9, echo=lines.append)
    text = "\n".join(lines)
    ids = [t.task_id for t in plan.tasks]
    assert ids[0] == "genotype_pcs" and ids[-1] == "release"
    for tissue in ("Lung", "Whole_Blood"):
        for step in ("expression", "covariates", "nominal/chr21", "nominal/chr22",
                     "permutations", "signif_pairs", "independent"):
            assert f"{tissue}/{step}" in ids
            assert f"{tissue}/{step}" in text
    assert "MiB" in text and "to run" in text
    assert all(t.cost.seconds > 0 and t.cost.peak_bytes > 0 for t in plan.tasks)
    positions = {t: i for i, t in enumerate(ids)}
    assert all(positions[d] < positions[t.task_id] for t in plan.tasks for d in t.deps)


def test_check_memory__refuses_a_plan_that_cannot_fit(cohort: CohortFiles,
                                                      tmp_path: Path) -> None:
    plan = plan_release(_config(cohort, tmp_path))
    with pytest.raises(InputError, match="--memory-limit"):
        check_memory(plan, 300e6)
    check_memory(plan, 64e9)


def test_run_release__rerun_skips_everything(reference: ReleaseConfig) -> None:
    report = run_release(reference, options=THREADS, echo=_quiet)
    assert report.ran == []
    assert len(report.skipped) == len(plan_release(reference).tasks)


def test_run_release__parameter_change_reruns_exactly_the_affected_tasks(
        cohort: CohortFiles, tmp_path: Path) -> None:
    config = _config(cohort, tmp_path)
    assert run_release(config, options=THREADS, echo=_quiet).skipped == []
    # a new FDR reruns the permutation pass and everything after it, nothing else
    changed = run_release(config.with_parameters(fdr=0.1), options=THREADS, echo=_quiet)
    tissues = ("Lung", "Whole_Blood")
    assert set(changed.ran) == {f"{t}/{s}" for t in tissues
                                for s in ("permutations", "signif_pairs", "independent",
                                          "finemap", "sqtl")
                                } | {"multitissue", "release"}
    hidden = run_release(config.with_parameters(fdr=0.1, n_hidden=2), options=THREADS,
                         echo=_quiet)
    assert set(hidden.ran) == {f"{t}/{s}" for t in tissues
                               for s in ("covariates", "nominal/chr21", "nominal/chr22",
                                         "permutations", "signif_pairs", "independent",
                                         "finemap", "sqtl")
                               } | {"multitissue", "release"}


def test_run_release__per_chromosome_permutations_give_the_same_release(
        cohort: CohortFiles, reference: ReleaseConfig, tmp_path: Path) -> None:
    config = _config(cohort, tmp_path).with_parameters(split_permutations="chromosome")
    ids = {t.task_id for t in plan_release(config).tasks}
    assert {"Lung/permutations/chr21", "Lung/permutations/chr22", "Lung/permutations",
            "Lung/independent/chr21", "Lung/independent"} <= ids
    report = run_release(config, options=THREADS, echo=_quiet)
    assert report.egenes == run_release(reference, options=THREADS, echo=_quiet).egenes
    assert sum(report.egenes.values()) > 0  # q-values merged over chromosomes, signals found
    assert any(r.outputs for r in report.results if r.task_id == "Lung/independent")
    assert _release_checksums(config) == _release_checksums(reference)


def _genotex(*args: str) -> list[str]:
    return [sys.executable, "-m", "genotex", *args]


def test_run__sigkill_then_restart_gives_the_same_release_and_recomputes_nothing(
        cohort: CohortFiles, reference: ReleaseConfig, tmp_path: Path) -> None:
    config = _config(cohort, tmp_path / "out")
    toml = write_release_config(config, tmp_path / "release.toml")
    n_tasks = len(plan_release(config).tasks)
    stop_after = random.Random().randint(1, n_tasks - 2)
    manifest = config.state_dir / "manifest"
    proc = subprocess.Popen(_genotex("run", str(toml), "--workers", "2", "--quiet"),
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if manifest.is_dir() and len(list(manifest.glob("*.json"))) >= stop_after:
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = {p.stem: json.loads(p.read_text()) for p in manifest.glob("*.json")}
    assert finished, "the run was killed before any task finished"
    rerun = subprocess.run(_genotex("run", str(toml), "--workers", "2", "--quiet"),
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    for name, entry in finished.items():  # nothing that had finished ran again
        now = read_entry(config.state_dir, entry["task_id"])
        assert now is not None and now.run_id == entry["run_id"], name
        assert now.finished == entry["finished"]
    assert _release_checksums(config) == _release_checksums(reference)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_release__on_a_real_dask_cluster_gives_the_local_release(
        cohort: CohortFiles, reference: ReleaseConfig, tmp_path: Path) -> None:
    from distributed import Client

    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = (tmp_path / "cluster.log").open("w")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=logs, stderr=logs,
                              cwd=tmp_path)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", "127.0.0.1", "--memory-limit", "2GiB",
                 "--local-directory", str(tmp_path / "scratch")],
                stdout=logs, stderr=logs, cwd=tmp_path))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        config = _config(cohort, tmp_path / "out")
        report = run_release(config, options=RunOptions(scheduler=address, progress=False),
                             echo=_quiet)
        assert report.skipped == []
        assert {r.worker.rsplit(":", 1)[0] for r in report.results} == {"tcp://127.0.0.1"}
        assert _release_checksums(config) == _release_checksums(reference)
    finally:
        for proc in procs:  # the processes this test started, and only those
            proc.kill()
            proc.wait()
        logs.close()
