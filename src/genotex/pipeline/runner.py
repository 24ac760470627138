"""Run a planned release on Dask: skip what the manifest says is done, record what finishes.

:func:`run_task` is what a Dask worker executes for one task: it compares the task's key with
the manifest entry, returns at once when they match and the outputs are intact, and otherwise
runs the step (sampling the process's RSS for the peak), fingerprints the outputs and writes
the entry atomically. A run killed at any moment loses at most the tasks in flight.

:func:`run_release` plans the release, submits every task to a Dask client with its
dependencies (a ``LocalCluster`` of processes by default, or ``scheduler=tcp://…``), shows one
progress bar per stage and returns a :class:`RunReport`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from genotex import __version__
from genotex.pipeline.config import ReleaseConfig
from genotex.pipeline.manifest import (
    TaskEntry,
    fingerprint,
    input_files,
    read_entry,
    write_entry,
)
from genotex.pipeline.plan import Plan, Task, check_memory, format_plan, plan_release

__all__ = ["RunOptions", "RunReport", "TaskResult", "plan_status", "run_release", "run_task"]

STAGES = ("genotype_pcs", "expression", "covariates", "nominal", "permutations", "qvalues",
          "signif_pairs", "independent", "concat", "finemap", "sqtl", "multitissue", "summaries",
          "release")


@dataclass(frozen=True)
class TaskResult:
    """What a task returns to the scheduler (and to the tasks after it)."""

    task_id: str
    kind: str
    tissue: str | None
    status: str  # "ran" | "skipped"
    outputs: list[str]
    seconds: float
    peak_rss_bytes: int
    rss_increase_bytes: int
    summary: dict[str, Any]
    worker: str = ""


@contextmanager
def _peak_rss(interval: float = 0.02) -> Iterator[dict[str, int]]:
    """Sample this process's RSS in a thread; yields a dict filled with start and peak."""
    import psutil

    proc = psutil.Process()
    box = {"start": proc.memory_info().rss}
    box["peak"] = box["start"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(interval):
            box["peak"] = max(box["peak"], proc.memory_info().rss)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        stop.set()
        thread.join()
        box["peak"] = max(box["peak"], proc.memory_info().rss)


_BLAS_LOCK = threading.Lock()
_BLAS_STATE: dict[str, Any] = {"users": 0, "limiter": None}


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """One BLAS/OpenMP thread while any task runs in this process.

    The summation order of a multi-threaded BLAS depends on its thread count, so results
    would differ in the last bits between a LocalCluster, an in-process run and a cluster's
    workers; with one BLAS thread per task every layout writes byte-identical files, and the
    parallelism comes from the workers. Reference-counted, so concurrent tasks in one worker
    (threads) keep the limit until the last one ends.

    threadpoolctl lets a single thread set OpenBLAS's (process-wide) limit and silently
    ignores the others; a thread that set it outside a ``with`` (the CLI's ``--threads``, or
    any earlier caller in this process) keeps that right for good, so the limit is taken
    over explicitly here and released when the last task ends.
    """
    import scipy.linalg  # noqa: F401  load scipy's own BLAS now, so that the limit covers it
    from threadpoolctl import OpenBLASController, threadpool_limits

    release = getattr(OpenBLASController, "clear_controlling_thread", None)  # ≥ 3.6
    with _BLAS_LOCK:
        if _BLAS_STATE["users"] == 0:
            if release is not None:
                release(force=True)
            _BLAS_STATE["limiter"] = threadpool_limits(limits=1)
        _BLAS_STATE["users"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_STATE["users"] -= 1
            if _BLAS_STATE["users"] == 0:
                _BLAS_STATE["limiter"].restore_original_limits()
                _BLAS_STATE["limiter"] = None
                if release is not None:
                    release(force=True)


def _entry_is_current(entry: TaskEntry | None, task: Task) -> bool:
    return entry is not None and entry.key == task.key and entry.outputs_intact()


def run_task(config: ReleaseConfig, task: Task, run_id: str, *upstream: TaskResult) -> TaskResult:
    """Execute one task on a worker (or skip it when its manifest entry matches)."""
    from genotex.pipeline.tasks import execute

    state = config.state_dir
    entry = read_entry(state, task.task_id)
    if entry is not None and _entry_is_current(entry, task):
        return TaskResult(task.task_id, task.kind, task.tissue, "skipped",
                          [o["path"] for o in entry.outputs], entry.seconds,
                          entry.peak_rss_bytes, int(entry.summary.get("_rss_increase", 0)),
                          {k: v for k, v in entry.summary.items() if not k.startswith("_")},
                          _worker())
    up = {r.task_id: r for r in upstream}
    started = time.time()
    t0 = time.perf_counter()
    with _single_threaded_blas(), _peak_rss() as rss:
        outputs, summary = execute(config, task, up)
    seconds = time.perf_counter() - t0
    inputs = _input_fingerprints(config, task)
    new = TaskEntry(
        task_id=task.task_id, key=task.key, inputs=inputs, parameters=task.parameters,
        outputs=[fingerprint(p).as_dict() for p in outputs], genotex_version=__version__,
        run_id=run_id, started=started, finished=time.time(), seconds=seconds,
        peak_rss_bytes=rss["peak"],
        summary={**summary, "_rss_increase": rss["peak"] - rss["start"]})
    write_entry(state, new)
    return TaskResult(task.task_id, task.kind, task.tissue, "ran", [str(p) for p in outputs],
                      seconds, rss["peak"], rss["peak"] - rss["start"], summary, _worker())


def _worker() -> str:
    """The address of the Dask worker running this task ("" outside a worker)."""
    from distributed import get_worker

    try:
        return str(get_worker().address)
    except ValueError:
        return ""


def _input_fingerprints(config: ReleaseConfig, task: Task) -> list[dict[str, Any]]:
    """Fingerprints of the external inputs and of the upstream tasks' outputs, with the
    SHA-256 taken from the hash cache / upstream entries where size and mtime match."""
    try:
        cache: dict[str, Any] = json.loads(
            (config.state_dir / "input_hashes.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    files = [f for path in task.inputs for f in input_files(path)]
    for dep in task.deps:
        entry = read_entry(config.state_dir, dep)
        for out in entry.outputs if entry is not None else []:
            cache[out["path"]] = out
            files.append(Path(out["path"]))
    return [fingerprint(f, cache).as_dict() for f in sorted(set(files)) if f.is_file()]


# --------------------------------------------------------------------------- orchestration
@dataclass(frozen=True)
class RunOptions:
    """How to run: where the cluster is, or how to start a local one."""

    scheduler: str | None = None
    n_workers: int | None = None
    threads_per_worker: int = 1
    memory_limit: str | float | None = None
    processes: bool = True
    progress: bool = True
    dashboard: bool = True


@dataclass
class RunReport:
    """The final report of a run."""

    run_id: str
    results: list[TaskResult]
    seconds: float
    dashboard: str | None
    release_dir: Path | None
    egenes: dict[str, int] = field(default_factory=dict)

    @property
    def ran(self) -> list[str]:
        return [r.task_id for r in self.results if r.status == "ran"]

    @property
    def skipped(self) -> list[str]:
        return [r.task_id for r in self.results if r.status == "skipped"]

    def format(self) -> str:
        lines = [f"run {self.run_id}: {len(self.ran)} tasks run, {len(self.skipped)} skipped, "
                 f"{self.seconds:.1f} s wall"]
        for r in self.results:
            lines.append(f"  {r.task_id:<36} {r.status:<8} {r.seconds:8.2f} s "
                         f"peak {r.peak_rss_bytes / 2**20:7.0f} MiB")
        if self.egenes:
            lines.append("eGenes (q ≤ FDR): " + ", ".join(f"{t} {n}"
                                                           for t, n in sorted(self.egenes.items())))
        if self.release_dir is not None:
            lines.append(f"release: {self.release_dir}")
        return "\n".join(lines)


def plan_status(plan: Plan, config: ReleaseConfig) -> dict[str, str]:
    """``done`` where the manifest entry matches the task's key, else ``to run``."""
    return {t.task_id: "done" if _entry_is_current(read_entry(config.state_dir, t.task_id), t)
            else "to run" for t in plan.tasks}


def _clean_staging(root: Path) -> None:
    """Remove staging folders left by a killed run (never under its final names)."""
    if not root.is_dir():
        return
    for stage in root.rglob(".staging-*"):
        if stage.is_dir():
            shutil.rmtree(stage, ignore_errors=True)
    for tmp in root.rglob(".tmp-*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


@contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Keep distributed's INFO chatter (worker start/stop, cancellations) off the console."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.scheduler",
                                              "distributed.worker", "distributed.core",
                                              "distributed.nanny", "distributed.deploy.spec")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def _client(options: RunOptions, config: ReleaseConfig) -> Iterator[Any]:
    """A client of ``options.scheduler``, or of a LocalCluster closed on exit."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        with Client(options.scheduler, timeout="30s") as client:
            yield client
        return
    n = options.n_workers or max(1, (os.cpu_count() or 1) // max(options.threads_per_worker, 1))
    scratch = config.state_dir / "dask-scratch"
    with LocalCluster(
        n_workers=n, threads_per_worker=options.threads_per_worker,
        processes=options.processes, memory_limit=options.memory_limit or "auto",
        dashboard_address=":0",  # a free port: never "port 8787 in use"
        local_directory=str(scratch), silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        yield client


def worker_memory(client: Any) -> float | None:
    """The smallest ``memory_limit`` among the client's workers (bytes), None if unlimited."""
    limits = [w.get("memory_limit") or 0
              for w in client.scheduler_info().get("workers", {}).values()]
    limits = [m for m in limits if m]
    return float(min(limits)) if limits else None


def _bars(plan: Plan, enabled: bool) -> dict[str, Any]:
    from tqdm.auto import tqdm

    counts: dict[str, int] = {}
    for t in plan.tasks:
        counts[t.kind] = counts.get(t.kind, 0) + 1
    return {kind: tqdm(total=counts[kind], desc=f"{kind:<13}", unit="task", position=i,
                       disable=not enabled, leave=True, dynamic_ncols=True)
            for i, kind in enumerate(k for k in STAGES if k in counts)}


def _submit(client: Any, config: ReleaseConfig, plan: Plan, run_id: str) -> dict[str, Any]:
    futures: dict[str, Any] = {}
    for t in plan.tasks:
        deps = [futures[d] for d in t.deps]
        futures[t.task_id] = client.submit(run_task, config, t, run_id, *deps,
                                           key=f"{t.task_id}-{t.key[:12]}-{run_id}", pure=False,
                                           retries=0)
    return futures


def run_release(
    config: ReleaseConfig,
    *,
    options: RunOptions | None = None,
    echo: Callable[[str], None] = print,
    plan: Plan | None = None,
) -> RunReport:
    """Plan the release, check memory, run every task on Dask and return the report.

    Raises
    ------
    InputError
        When a task cannot fit a worker's memory (before anything runs), or from a step.
    """
    from distributed import as_completed

    options = options or RunOptions()
    plan = plan or plan_release(config)
    _clean_staging(config.output)
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    t0 = time.perf_counter()
    with _quiet_dask_logs(), _client(options, config) as client:
        check_memory(plan, worker_memory(client))
        dashboard = client.dashboard_link if options.dashboard else None
        n = len(client.scheduler_info().get("workers", {}))
        echo(f"running {len(plan.tasks)} tasks on {n} Dask workers"
             + (f"; dashboard: {dashboard}" if dashboard else ""))
        futures = _submit(client, config, plan, run_id)
        bars = _bars(plan, options.progress)
        results: dict[str, TaskResult] = {}
        try:
            for future in as_completed(list(futures.values())):
                res: TaskResult = future.result()
                results[res.task_id] = res
                bars[res.kind].update(1)
        finally:
            for bar in bars.values():
                bar.close()
            if not options.scheduler:
                client.cancel(list(futures.values()))
    ordered = [results[t.task_id] for t in plan.tasks]
    report = RunReport(run_id, ordered, time.perf_counter() - t0, dashboard,
                       config.releases_root / config.dataset_id,
                       {r.tissue or "": int(r.summary.get("egenes", 0)) for r in ordered
                        if r.task_id == f"{r.tissue}/permutations"})
    _write_report(config, report)
    return report


def _write_report(config: ReleaseConfig, report: RunReport) -> Path:
    runs = config.state_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"{report.run_id}.json"
    body = {"run_id": report.run_id, "seconds": report.seconds, "dashboard": report.dashboard,
            "egenes": report.egenes, "tasks": [asdict(r) for r in report.results]}
    path.write_text(json.dumps(body, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def dry_run(config: ReleaseConfig, *, worker_memory_bytes: float | None,
            echo: Callable[[str], None] = print) -> Plan:
    """Print the task graph with expected time and peak memory; refuse a plan that cannot fit."""
    plan = plan_release(config)
    echo(format_plan(plan, plan_status(plan, config)))
    check_memory(plan, worker_memory_bytes)
    return plan
