"""One release as one resumable Dask workflow: ``genotex run CONFIG``.

The pieces: :mod:`~genotex.pipeline.config` (the TOML release config),
:mod:`~genotex.pipeline.plan` (tasks, keys, costs), :mod:`~genotex.pipeline.manifest` (per-task
entries), :mod:`~genotex.pipeline.tasks` (what each task calls) and
:mod:`~genotex.pipeline.runner` (Dask submission, skipping, progress, report).

>>> from genotex.pipeline.workflow import ReleaseParameters
>>> ReleaseParameters().n_perm
1000
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genotex.pipeline.config import (
    ReleaseConfig,
    ReleaseParameters,
    TissueInputs,
    load_release_config,
    release_config_toml,
)
from genotex.pipeline.plan import Plan, format_plan, plan_release
from genotex.pipeline.runner import RunOptions, RunReport, dry_run, run_release
from genotex.simulate import CohortFiles

__all__ = ["Plan", "ReleaseConfig", "ReleaseParameters", "RunOptions", "RunReport",
           "cohort_release_config", "dry_run", "format_plan", "load_release_config",
           "plan_release", "run_release", "run_workflow", "write_release_config"]


def cohort_release_config(
    files: CohortFiles,
    *,
    output: str | Path,
    dataset_id: str,
    parameters: ReleaseParameters | None = None,
    metadata: dict[str, str] | None = None,
) -> ReleaseConfig:
    """The release config of a simulated cohort (``genotex.simulate``'s files)."""
    return ReleaseConfig(
        dataset_id=dataset_id, output=Path(output).resolve(), genotypes=files.vcf,
        pca_genotypes=files.plink_prefix, annotation=files.genes_gtf,
        sample_attributes=files.sample_attributes, subject_attributes=files.subject_phenotypes,
        sample_participant_lookup=files.sample_participant_lookup,
        tissues={t: TissueInputs(files.gene_tpm[t], files.gene_reads[t],
                                 files.leafcutter_counts.get(t))
                 for t in sorted(files.gene_tpm)},
        parameters=parameters or ReleaseParameters(), metadata=metadata or {})


def write_release_config(config: ReleaseConfig, path: str | Path) -> Path:
    """Write ``config`` as TOML at ``path`` (paths relative to its folder where possible)."""
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(release_config_toml(config, relative_to=out.parent), encoding="utf-8")
    return out


def run_workflow(
    config: ReleaseConfig | str | Path,
    *,
    options: RunOptions | None = None,
    echo: Callable[[str], None] = print,
) -> RunReport:
    """Load the config (when a path), plan, run on Dask, print and return the report."""
    cfg = config if isinstance(config, ReleaseConfig) else load_release_config(config)
    report = run_release(cfg, options=options, echo=echo)
    echo(report.format())
    return report
