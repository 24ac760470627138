"""``genotex simulate``: write the simulated GTEx-like cohort."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def _csv(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=None, show_default="20240101",
              help="Random seed; the same options and seed give byte-identical files.")
@click.option("--donors", type=int, default=None, show_default="120", help="Number of donors.")
@click.option("--genes", type=int, default=None, show_default="400", help="Number of genes.")
@click.option("--variants-per-chrom", type=int, default=None, show_default="5000",
              help="Variants per chromosome (after the MAF ≥ 0.01 floor).")
@click.option("--chromosomes", default=None, show_default="chr20,chr21,chr22",
              help="Comma-separated chromosomes to simulate.")
@click.option("--tissues", default=None,
              show_default="Adipose_Subcutaneous,Brain_Cortex,Lung,Muscle_Skeletal,Thyroid,"
              "Whole_Blood",
              help="Comma-separated GTEx tissue IDs, or 'all' for the 54 GTEx v8 tissues.")
@click.option("--annotation", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Take real genes from this GTF or gene TSV (sampled down to "
              "--genes) instead of a synthetic annotation.")
@click.option("--quiet", is_flag=True, help="No progress bars and no summary.")
def simulate(
    outdir: Path, seed: int | None, donors: int | None, genes: int | None,
    variants_per_chrom: int | None, chromosomes: str | None, tissues: str | None,
    annotation: Path | None, quiet: bool,
) -> None:
    """Write a simulated GTEx-like cohort (the pipeline's input files) to OUTDIR.

    \b
    Written under OUTDIR:
      annotation/genes.gtf.gz                   genes (GENCODE-like, or --annotation)
      genotypes/cohort.vcf.gz(.tbi)             phased genotypes of the genotyped donors
      genotypes/cohort.{bed,bim,fam}            the same as PLINK 1
      metadata/SampleAttributesDS.txt           GTEx sample attributes (tissue, RIN, batch…)
      metadata/SubjectPhenotypesDS.txt          donors: SEX, AGE, DTHHRDY
      metadata/sample_participant_lookup.txt    sample → donor
      metadata/genotyped_participants.txt       donors with genotypes
      expression/<tissue>.gene_{tpm,reads}.gct.gz   per-tissue TPM and read counts (GCT)
      splicing/<tissue>_perind.counts.gz        leafcutter junction counts
      truth/{eqtls,sqtls,...}.tsv               what was planted, to check the pipeline
      simulation.json                           the settings, seed and genotex version

    \b
    Example:
      genotex simulate demo-data --donors 200 --tissues Whole_Blood,Lung --seed 1
    """
    from genotex.simulate import SimulationConfig
    from genotex.simulate import simulate as run_simulation

    given: dict[str, Any] = {
        "seed": seed, "n_donors": donors, "n_genes": genes,
        "variants_per_chrom": variants_per_chrom, "chromosomes": _csv(chromosomes),
        "tissues": tissues if tissues == "all" else _csv(tissues), "annotation": annotation,
    }
    try:
        config = SimulationConfig(**{k: v for k, v in given.items() if v is not None})
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    files = run_simulation(outdir, config, progress=not quiet)
    if quiet:
        return
    summary = files.summary
    click.echo(f"Wrote {len(files.paths())} files to {outdir}")
    click.echo(f"  donors: {summary['donors']} ({summary['genotyped_donors']} genotyped)")
    click.echo(f"  genes: {summary['genes']}; variants: {summary['variants']} on "
               f"{', '.join(summary['chromosomes'])}")  # type: ignore[arg-type]
    click.echo("  samples per tissue:")
    for tissue, n in summary["samples_per_tissue"].items():  # type: ignore[attr-defined]
        click.echo(f"    {tissue:<40} {n}")
    classes = ", ".join(f"{k} {v}" for k, v in summary["eqtls_by_class"].items())  # type: ignore[attr-defined]
    click.echo(f"  planted eQTLs: {summary['egenes']} eGenes ({classes})")
    click.echo(f"  splicing: {summary['intron_clusters']} intron clusters, "
               f"{summary['sqtls']} with a planted sQTL")
    click.echo(f"  truth: {files.truth_eqtls.parent}")

