"""``genotex demo``, ``genotex serve`` and ``genotex store …``: build releases and serve them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

_DIR = click.Path(file_okay=False, path_type=Path)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _serve(releases: Path, dataset_id: str | None, host: str, port: int, *, workers: int = 1,
           timeout: float = 30.0, serving_index: bool = True) -> None:
    """Run uvicorn over the app factory ``genotex.api.app:create_app_from_env``.

    The release is opened first (a missing or unreadable release fails here, not in each
    worker), and its serving index is checked and, when missing or stale, built once here
    (workers only memory-map it); the choice travels to the workers as ``GENOTEX_SERVE_*``
    environment variables.
    """
    import os

    import uvicorn

    from genotex.api.app import (
        ENV_DATASET_ID,
        ENV_RELEASES,
        ENV_REQUEST_TIMEOUT,
        ENV_SERVING_INDEX,
    )
    from genotex.store.queries import Store
    from genotex.store.serving import StaleIndexError, ensure_serving_index

    store = Store.open(releases, dataset_id, in_memory=False)  # a check; workers index it
    name = store.path.name
    store.close()
    if serving_index:
        try:
            ensure_serving_index(store.path, build=False)
        except StaleIndexError as exc:
            click.echo(f"building the serving index ({exc.problem}) ...")
            ensure_serving_index(store.path)
    os.environ.update({ENV_RELEASES: str(Path(releases).resolve()), ENV_DATASET_ID: name,
                       ENV_REQUEST_TIMEOUT: str(timeout),
                       ENV_SERVING_INDEX: "1" if serving_index else "0"})
    click.echo(f"serving {name} on http://{host}:{port}/  "
               f"(API: http://{host}:{port}/api/v2/, docs: http://{host}:{port}/docs; "
               f"{workers} worker{'s' if workers > 1 else ''}, {timeout:g} s request timeout)  "
               "— Ctrl+C stops")
    uvicorn.run("genotex.api.app:create_app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning")


@click.command()
@click.option("--data-dir", type=_DIR, default=None,
              help="Where the cohort, pipeline outputs and release go "
              "[default: $GENOTEX_DATA_DIR or ./genotex-data].")
@click.option("--seed", type=int, default=None, help="Simulator seed (default: Settings.seed).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the release on --host:--port when the pipeline is done.")
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: 8000].")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def demo(data_dir: Path | None, seed: int | None, serve: bool, host: str | None,
         port: int | None, quiet: bool) -> None:
    """Simulate a GTEx-like cohort, run the pipeline, build a release and serve it.

    \b
    Stages (each written atomically under --data-dir):
      cohort/      the simulated input files (GCT, VCF, PLINK, GTF, GTEx attribute tables)
      pipeline/    genotype PCs; per tissue the QTL-ready expression BED and covariates;
                   tissue summaries (median TPM, per-sample TPM, top genes, tau)
      releases/    the release store (Parquet + DuckDB catalogue + manifest)
    then serves the GTEx-API-v2-compatible API on http://127.0.0.1:8000/api/v2/.
    """
    from genotex.config import Settings
    from genotex.pipeline.demo import run_demo
    from genotex.simulate import SimulationConfig

    settings = Settings()
    root = data_dir or settings.data_dir
    config = SimulationConfig(seed=settings.seed if seed is None else seed)
    result = run_demo(root, config=config, progress=not quiet, echo=click.echo)
    click.echo(f"release ready: {result.release_dir} ({len(result.tissues)} tissues)")
    if serve:
        _serve(result.releases_root, None, host or settings.host, port or settings.port)


@click.command("serve")
@click.argument("releases_arg", metavar="[RELEASES]", required=False, type=_DIR)
@click.option("--releases", type=_DIR, default=None,
              help="Folder of releases (same as RELEASES) [default: $GENOTEX_DATA_DIR/releases].")
@click.option("--dataset-id", default=None, help="Release to serve [default: CURRENT].")
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="uvicorn worker processes, each with its own read-only DuckDB connection.")
@click.option("--timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds a request may spend querying before it is interrupted (503); "
              "0 = no limit.")
@click.option("--serving-index/--no-serving-index", default=True, show_default=True,
              help="Answer single-gene/variant lookups from the release's memory-mapped "
              "serving index (built into RELEASE/serving/ when missing or stale).")
def serve_command(releases_arg: Path | None, releases: Path | None, dataset_id: str | None,
                  host: str | None, port: int | None, workers: int, timeout: float,
                  serving_index: bool) -> None:
    """Serve a release: the GTEx Portal API v2 under /api/v2/, OpenAPI docs at /docs.

    \b
    RELEASES is a folder of releases (one subfolder per datasetId, CURRENT names the default).
    Each worker process opens the release read-only: DuckDB views over its Parquet files,
    external file access limited to the release folder. Controlled data needs a token from
    `genotex auth add` (tokens file: $GENOTEX_CONTROLLED_TOKENS_FILE or
    $GENOTEX_DATA_DIR/controlled_tokens.tsv).
    """
    from genotex.config import Settings

    settings = Settings()
    _serve(releases_arg or releases or settings.data_dir / "releases", dataset_id,
           host or settings.host, port or settings.port, workers=workers, timeout=timeout,
           serving_index=serving_index)


@click.group()
def store() -> None:
    """Build, list and verify releases (folders of Parquet + manifest + DuckDB catalogue).

    \b
    A release is plain Parquet; query it without genotex, e.g.
      duckdb -c "select * from 'releases/genotex_demo_v1/median_expression/*.parquet' limit 5"
    """


@store.command("build")
@click.argument("releases", type=_DIR)
@click.option("--dataset-id", required=True, help="Release name, e.g. genotex_demo_v1.")
@click.option("--annotation", type=_FILE, required=True, help="Gene GTF (or gene TSV).")
@click.option("--genotypes", type=click.Path(path_type=Path), required=True,
              help="VCF/BCF/PLINK of the donors (variants table and genotyped donors).")
@click.option("--samples", type=_FILE, required=True, help="GTEx SampleAttributesDS table.")
@click.option("--subjects", type=_FILE, required=True, help="GTEx SubjectPhenotypesDS table.")
@click.option("--summaries", type=click.Path(exists=True, file_okay=False, path_type=Path),
              required=True, help="Output folder of 'genotex expression summarize'.")
@click.option("--qtl-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder of the cis-QTL outputs (<Tissue>.cis_qtl.txt.gz, "
              "pairs, independent, expression BED, covariates; searched recursively).")
@click.option("--max-ld-variants", type=click.IntRange(2, 1000), default=50, show_default=True,
              help="Lead variants per gene kept for LD and the eQTL calculator's dosages.")
def store_build(releases: Path, dataset_id: str, annotation: Path, genotypes: Path,
                samples: Path, subjects: Path, summaries: Path, qtl_dir: Path | None,
                max_ld_variants: int) -> None:
    """Assemble a release from a cohort's files and the pipeline's outputs (atomic)."""
    from genotex.pipeline.release import ReleaseInputs, build_cohort_release, find_qtl_outputs

    inputs = ReleaseInputs(annotation=annotation, genotypes=genotypes, sample_attributes=samples,
                           subject_attributes=subjects, summaries_dir=summaries,
                           qtl=find_qtl_outputs(qtl_dir) if qtl_dir else {},
                           max_ld_variants=max_ld_variants)
    path = build_cohort_release(inputs, root=releases, dataset_id=dataset_id)
    click.echo(f"built {path}")
    _build_index(path)


@store.command("import-gtex")
@click.argument("releases", type=_DIR)
@click.option("--dataset-id", required=True, help="Release name, e.g. gtex_v8_import.")
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder searched (recursively) for GTEx files by their names.")
@click.option("--median-tpm", type=_FILE, default=None, help="*_gene_median_tpm.gct(.gz).")
@click.option("--gene-tpm", type=_FILE, multiple=True, help="*_gene_tpm.gct(.gz) (repeatable).")
@click.option("--samples", type=_FILE, default=None, help="SampleAttributesDS table.")
@click.option("--subjects", type=_FILE, default=None, help="SubjectPhenotypesDS table.")
@click.option("--annotation", type=_FILE, default=None,
              help="Gene GTF or TSV [default: genes of the egenes files].")
@click.option("--egenes", type=_FILE, multiple=True, help="<Tissue>.v8.egenes.txt.gz.")
@click.option("--signif-pairs", type=_FILE, multiple=True,
              help="<Tissue>.v8.signif_variant_gene_pairs.txt.gz.")
@click.option("--allpairs", type=_FILE, multiple=True,
              help="<Tissue>.allpairs.txt.gz or <Tissue>.fastqtl.gz.")
@click.option("--overwrite", is_flag=True, help="Replace a release of the same datasetId.")
def store_import_gtex(releases: Path, dataset_id: str, folder: Path | None,
                      median_tpm: Path | None, gene_tpm: tuple[Path, ...], samples: Path | None,
                      subjects: Path | None, annotation: Path | None,
                      egenes: tuple[Path, ...], signif_pairs: tuple[Path, ...],
                      allpairs: tuple[Path, ...], overwrite: bool) -> None:
    """Build a release from GTEx's own release files (explicit files override --folder's)."""
    import dataclasses

    from genotex.pipeline.gtex_import import (
        GtexReleaseFiles,
        find_gtex_files,
        import_gtex_release,
    )

    files = find_gtex_files(folder) if folder else GtexReleaseFiles()
    given: dict[str, Any] = {
        "median_tpm": median_tpm, "gene_tpm": gene_tpm, "sample_attributes": samples,
        "subject_attributes": subjects, "annotation": annotation, "egenes": egenes,
        "signif_pairs": signif_pairs, "allpairs": allpairs}
    files = dataclasses.replace(files, **{k: v for k, v in given.items() if v})
    path = import_gtex_release(files, root=releases, dataset_id=dataset_id,
                               overwrite=overwrite)
    click.echo(f"built {path}")
    _build_index(path)


@store.command("list")
@click.argument("releases", type=_DIR)
def store_list(releases: Path) -> None:
    """List the releases under RELEASES (* marks CURRENT)."""
    from genotex.store.layout import current_release, list_releases

    current = current_release(releases)
    for name in list_releases(releases):
        click.echo(f"{'*' if name == current else ' '} {name}")


def _build_index(release: Path) -> None:
    """The serving index of a freshly built release (so the first ``serve`` starts at once)."""
    from genotex.store.serving_build import build_serving_index

    click.echo(f"serving index: {build_serving_index(release)}")


@store.command("index")
@click.argument("release", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", is_flag=True,
              help="Only check the index (checksums included); exit 1 when stale or damaged.")
def store_index(release: Path, check: bool) -> None:
    """Build (or check) RELEASE's serving index: memory-mapped arrays answering single-gene and
    single-variant lookups (genotex serve builds it on first use)."""
    from genotex.store.serving import check_serving_index
    from genotex.store.serving_build import build_serving_index

    if check:
        check_serving_index(release.resolve(), checksums=True)
        click.echo(f"{release}: serving index is complete and current")
        return
    click.echo(f"built {build_serving_index(release, log=click.echo)}")


@store.command("verify")
@click.argument("release", type=click.Path(exists=True, file_okay=False, path_type=Path))
def store_verify(release: Path) -> None:
    """Check every file of RELEASE against the checksums in its manifest."""
    from genotex.store.manifest import verify_release

    verify_release(release)
    click.echo(f"{release}: all checksums match")
