"""The embedded default: simulate a GTEx-like cohort and build its release through the workflow.

``genotex demo`` (and ``make demo``) call :func:`run_demo`: it simulates the cohort, writes a
release config (``<data_dir>/release.toml``) and runs it with
:func:`genotex.pipeline.runner.run_release` on a LocalCluster of at most two workers: the same
resumable Dask workflow as ``genotex run``. A second ``genotex demo`` skips every finished task.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genotex.pipeline.config import ReleaseConfig, ReleaseParameters
from genotex.pipeline.runner import RunOptions, RunReport, run_release
from genotex.pipeline.workflow import cohort_release_config, write_release_config
from genotex.simulate import CohortFiles, SimulationConfig, simulate

DEMO_DATASET_ID = "genotex_demo_v1"
#: The demo's mapping parameters: GTEx's, with fewer permutations (the beta approximation keeps
#: small p-values accurate) and the GTEx q-value λ for the small number of genes.
DEMO_PARAMETERS = ReleaseParameters(n_perm=200, seed=0, maf_threshold=0.01)
DEMO_METADATA = {"description": "genotex demo: simulated GTEx-like cohort",
                 "genome_build": "GRCh38"}


@dataclass(frozen=True)
class DemoResult:
    """Where the demo's cohort, pipeline outputs and release are."""

    cohort_dir: Path
    pipeline_dir: Path
    release_dir: Path
    releases_root: Path
    tissues: tuple[str, ...]
    report: RunReport | None = None


def demo_release_config(files: CohortFiles, *, output: Path,
                        dataset_id: str = DEMO_DATASET_ID) -> ReleaseConfig:
    """The demo's release config over a simulated cohort."""
    return cohort_release_config(files, output=output, dataset_id=dataset_id,
                                 parameters=DEMO_PARAMETERS, metadata=DEMO_METADATA)


def run_demo(
    data_dir: str | Path,
    *,
    config: SimulationConfig | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    n_workers: int | None = None,
) -> DemoResult:
    """Simulate → write ``release.toml`` → run the release workflow (≤ 2 local workers)."""
    config = config or SimulationConfig()
    root = Path(data_dir).resolve()
    echo(f"[1/3] simulating the demo cohort into {root / 'cohort'}")
    files = simulate(root / "cohort", config, progress=progress)  # seconds; byte-identical
    release_config = demo_release_config(files, output=root)
    toml = write_release_config(release_config, root / "release.toml")
    echo(f"[2/3] running the release workflow of {toml} (same as `genotex run {toml.name}`)")
    workers = n_workers or min(2, os.cpu_count() or 1)
    report = run_release(release_config, options=RunOptions(
        n_workers=workers, progress=progress, dashboard=progress), echo=echo)
    echo(f"[3/3] {report.format()}")
    return DemoResult(cohort_dir=files.outdir, pipeline_dir=release_config.pipeline_dir,
                      release_dir=release_config.releases_root / DEMO_DATASET_ID,
                      releases_root=release_config.releases_root,
                      tissues=tuple(sorted(files.gene_tpm)), report=report)
