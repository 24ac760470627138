"""``genotex run CONFIG``: build a whole release as one resumable Dask workflow."""

from __future__ import annotations

import logging
from pathlib import Path

import click


def _parse_memory(value: str | None) -> float | None:
    if value is None:
        return None
    from dask.utils import parse_bytes

    return float(parse_bytes(value))


def _init_demo(config: Path) -> None:
    from genotex.pipeline.demo import DEMO_DATASET_ID, demo_release_config
    from genotex.pipeline.workflow import write_release_config
    from genotex.simulate import SimulationConfig, simulate

    root = config.resolve().parent
    files = simulate(root / "cohort", SimulationConfig(), progress=False)
    cfg = demo_release_config(files, output=root / "out", dataset_id=DEMO_DATASET_ID)
    click.echo(f"wrote {write_release_config(cfg, config)} (cohort in {root / 'cohort'})")


@click.command("run")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--init-demo", is_flag=True,
              help="Simulate a demo cohort beside CONFIG and write CONFIG pointing at it.")
@click.option("--dry-run", is_flag=True,
              help="Print the task graph with expected time and peak memory, run nothing.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Address of an existing Dask scheduler [default: start a LocalCluster].")
@click.option("--workers", type=int, default=None,
              help="LocalCluster worker processes [default: one per core].")
@click.option("--threads-per-worker", type=int, default=1, show_default=True,
              help="Threads of each LocalCluster worker.")
@click.option("--memory-limit", default=None, metavar="4GiB",
              help="Memory of each LocalCluster worker [default: RAM / workers].")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def run(config: Path, init_demo: bool, dry_run: bool, scheduler: str | None,
        workers: int | None, threads_per_worker: int, memory_limit: str | None,
        quiet: bool) -> None:
    """Build the release CONFIG describes (TOML), skipping every task already done.

    \b
    Each task (per tissue: expression → covariates → cis nominal → permutations →
    significant pairs → independent eQTLs; per release: genotype PCs, summaries, the store)
    runs on Dask and records a manifest entry under <output>/.genotex/manifest; a rerun skips
    tasks whose inputs, parameters and genotex version are unchanged, so a killed run resumes
    where it stopped and a changed parameter reruns only the tasks it affects.

    \b
      genotex run --init-demo release.toml     write a config for a simulated cohort
      genotex run release.toml --dry-run       plan: tasks, expected time, peak memory
      genotex run release.toml                 run on a LocalCluster (all cores)
      genotex run release.toml --scheduler tcp://head:8786   run on an existing cluster
    """
    from genotex.pipeline.runner import RunOptions, worker_memory
    from genotex.pipeline.runner import dry_run as plan_only
    from genotex.pipeline.workflow import load_release_config, run_workflow

    if init_demo:
        _init_demo(config)
        return
    for name in ("distributed", "distributed.worker", "distributed.scheduler", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cfg = load_release_config(config)
    if dry_run:
        memory = _parse_memory(memory_limit)
        if memory is None and scheduler:
            from distributed import Client

            with Client(scheduler, timeout="30s") as client:
                memory = worker_memory(client)
        elif memory is None:
            import psutil

            memory = psutil.virtual_memory().total / max(workers or _cores(), 1)
        plan_only(cfg, worker_memory_bytes=memory, echo=click.echo)
        if memory:
            click.echo(f"fits: each worker has {memory / 2**30:.1f} GiB")
        return
    options = RunOptions(scheduler=scheduler, n_workers=workers,
                         threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                         progress=not quiet)
    run_workflow(cfg, options=options, echo=click.echo)


def _cores() -> int:
    import os

    return os.cpu_count() or 1
