"""The embedded default: simulate a GTEx-like cohort, run every pipeline stage, build a release.

``genotex demo`` (and ``make demo``) call :func:`run_demo`, then serve the release. Every stage
writes atomically (staged, then renamed into place), so an
interrupted demo loses nothing it finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tqdm.auto import tqdm

from genotex.pipeline.expression_steps import (
    compute_genotype_pcs,
    prepare_tissue_expression,
    tissue_covariates,
)
from genotex.pipeline.release import ReleaseInputs, build_cohort_release
from genotex.pipeline.summaries import summarize_expression
from genotex.simulate import CohortFiles, SimulationConfig, simulate

DEMO_DATASET_ID = "genotex_demo_v1"


@dataclass(frozen=True)
class DemoResult:
    """Where the demo's cohort, pipeline outputs and release are."""

    cohort_dir: Path
    pipeline_dir: Path
    release_dir: Path
    releases_root: Path
    tissues: tuple[str, ...]


def _pipeline_steps(files: CohortFiles, pipe: Path) -> list[tuple[str, Callable[[], object]]]:
    """The demo's pipeline as (label, action) pairs, in dependency order."""
    pcs = pipe / "genotype_pcs.txt"
    steps: list[tuple[str, Callable[[], object]]] = [
        ("genotype PCs", lambda: compute_genotype_pcs(genotypes=files.plink_prefix, output=pcs)),
    ]
    for tissue in sorted(files.gene_tpm):
        prefix = pipe / tissue / tissue
        steps.append((f"{tissue}: expression", partial(
            prepare_tissue_expression, tpm_gct=files.gene_tpm[tissue],
            counts_gct=files.gene_reads[tissue], annotation=files.genes_gtf,
            sample_participant_lookup=files.sample_participant_lookup, genotypes=files.vcf,
            output_prefix=prefix)))
        steps.append((f"{tissue}: covariates", partial(
            tissue_covariates, expression_bed_path=Path(f"{prefix}.expression.bed.gz"),
            genotype_pcs_path=pcs, output=Path(f"{prefix}.covariates.txt"),
            subject_attributes=files.subject_phenotypes)))
    steps.append(("tissue summaries", partial(
        summarize_expression, tpm_gcts=files.gene_tpm, sample_attributes=files.sample_attributes,
        subject_attributes=files.subject_phenotypes, annotation=files.genes_gtf,
        output_dir=pipe / "summaries")))
    return steps


def run_demo(
    data_dir: str | Path,
    *,
    config: SimulationConfig | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    """Simulate → expression prep + covariates per tissue → tissue summaries → release store."""
    config = config or SimulationConfig()
    root = Path(data_dir)
    echo(f"[1/3] simulating the demo cohort into {root / 'cohort'}")
    files = simulate(root / "cohort", config, progress=progress)  # seconds; byte-identical
    pipe = root / "pipeline"
    echo(f"[2/3] running the pipeline into {pipe}")
    with tqdm(_pipeline_steps(files, pipe), disable=not progress, unit="step") as bar:
        for label, action in bar:
            bar.set_description(label)
            action()
    releases = root / "releases"
    echo(f"[3/3] building release {DEMO_DATASET_ID} in {releases}")
    inputs = ReleaseInputs(annotation=files.genes_gtf, genotypes=files.vcf,
                           sample_attributes=files.sample_attributes,
                           subject_attributes=files.subject_phenotypes,
                           summaries_dir=pipe / "summaries")
    release = build_cohort_release(inputs, root=releases, dataset_id=DEMO_DATASET_ID,
                                   metadata={"description": "genotex demo: simulated GTEx-like "
                                             "cohort", "genome_build": "GRCh38"})
    return DemoResult(cohort_dir=files.outdir, pipeline_dir=pipe, release_dir=release,
                      releases_root=releases, tissues=tuple(sorted(files.gene_tpm)))
