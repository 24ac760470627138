"""``genotex qtl``: cis-QTL mapping over files, with tensorQTL's option names and outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

_EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def _dtype(precision: str) -> type:
    import numpy as np

    return np.float32 if precision == "float32" else np.float64


def _inputs(f: Any) -> Any:
    f = click.option("--chunk-variants", type=int, default=20_000, show_default=True,
                     help="Largest span of variants held in memory at once (memory bound).")(f)
    f = click.option("--precision", type=click.Choice(["float64", "float32"]),
                     default="float64", show_default=True,
                     help="Regression precision; float32 is tensorQTL's and faster.")(f)
    f = click.option("--maf-threshold", type=float, default=0.0, show_default=True,
                     help="In-sample minor allele frequency filter (GTEx: 0.01).")(f)
    f = click.option("--window", type=int, default=1_000_000, show_default=True,
                     help="cis window: variants within this many bp of the TSS.")(f)
    f = click.option("--covariates", type=_EXISTING, default=None,
                     help="Covariates table (covariates × samples, GTEx/tensorQTL layout).")(f)
    f = click.option("--quiet", is_flag=True, help="No progress bar.")(f)
    f = click.argument("prefix")(f)
    f = click.argument("phenotypes", type=_EXISTING)(f)
    f = click.argument("genotypes", type=click.Path(exists=False, path_type=Path))(f)
    return f


def _output_dir() -> Any:
    return click.option("--output-dir", "-o", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True, help="Where outputs are written.")


def _threads() -> Any:
    return click.option("--threads", type=int, default=None,
                        help="BLAS threads (default: all cores).")


def _set_threads(threads: int | None) -> None:
    if threads is None:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)


@click.group()
def qtl() -> None:
    """cis-QTL mapping (tensorQTL's modes, as one subcommand each).

    \b
    Inputs (as tensorQTL takes them):
      GENOTYPES    VCF/BCF, PLINK 1 (.bed/.bim/.fam prefix) or PLINK 2 (.pgen prefix)
      PHENOTYPES   expression BED: #chr start end phenotype_id <samples…> (bgzipped)
      PREFIX       output file prefix
    \b
    The usual order:
      genotex qtl cis-nominal      all variant–gene pairs  → PREFIX.cis_qtl_pairs.<chr>.parquet
      genotex qtl cis-permute      eGenes with q-values    → PREFIX.cis_qtl.txt.gz
      genotex qtl signif-pairs     significant pairs       → PREFIX.signif_variant_gene_pairs.*
      genotex qtl cis-independent  independent signals     → PREFIX.cis_independent_qtl.txt.gz
    """


@qtl.command("cis-nominal")
@_inputs
@_output_dir()
@_threads()
@click.option("--force", is_flag=True, help="Recompute chromosomes whose file already exists.")
def cis_nominal_cmd(genotypes: Path, phenotypes: Path, prefix: str, covariates: Path | None,
                    window: int, maf_threshold: float, precision: str, chunk_variants: int,
                    quiet: bool, output_dir: Path, threads: int | None, force: bool) -> None:
    """Nominal p-values of every variant within --window of each phenotype.

    Writes one Parquet file per chromosome (tensorQTL's columns and dtypes). A chromosome
    whose file exists is skipped, so an interrupted run resumes where it stopped.

    \b
    Example:
      genotex qtl cis-nominal cohort.vcf.gz Lung.expression.bed.gz Lung \\
          --covariates Lung.covariates.txt --maf-threshold 0.01 -o results/
    """
    from genotex.pipeline.qtl_steps import cis_nominal

    _set_threads(threads)
    out = cis_nominal(phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
                      output_dir=output_dir, prefix=prefix, window=window,
                      maf_threshold=maf_threshold, chunk_variants=chunk_variants,
                      dtype=_dtype(precision), force=force,
                      progress=not quiet)
    skipped = f" ({len(out.skipped_chromosomes)} chromosomes already done)" \
        if out.skipped_chromosomes else ""
    click.echo(f"cis-nominal: {out.n_phenotypes} phenotypes, {out.n_pairs:,} pairs in "
               f"{len(out.files)} files{skipped} → {output_dir}/{prefix}.cis_qtl_pairs.*.parquet")


def _perm_options(f: Any) -> Any:
    f = click.option("--seed", type=int, default=None,
                     help="Seed of the permutations (tensorQTL's legacy NumPy draws).")(f)
    f = click.option("--permutations", "n_perm", type=int, default=1000, show_default=True,
                     help="Permutations per phenotype (GTEx v8 FastQTL: 1000; tensorQTL: "
                     "10000).")(f)
    f = click.option("--fdr", type=float, default=0.05, show_default=True,
                     help="FDR for calling eGenes (q-value).")(f)
    return f


@qtl.command("cis-permute")
@_inputs
@_output_dir()
@_threads()
@_perm_options
@click.option("--qvalue-lambda", type=float, default=None,
              help="λ for Storey's π0 (default: smoother as R qvalue; GTEx used 0.85).")
@click.option("--phenotype-groups", type=_EXISTING, default=None,
              help="Headerless 'phenotype_id<TAB>group_id' file (sQTL: introns of a cluster).")
def cis_permute_cmd(genotypes: Path, phenotypes: Path, prefix: str, covariates: Path | None,
                    window: int, maf_threshold: float, precision: str, chunk_variants: int,
                    quiet: bool, output_dir: Path, threads: int | None, seed: int | None,
                    n_perm: int, fdr: float, qvalue_lambda: float | None,
                    phenotype_groups: Path | None) -> None:
    """Permutation p-values (beta approximation), q-values and nominal thresholds.

    \b
    Example:
      genotex qtl cis-permute cohort.vcf.gz Lung.expression.bed.gz Lung \\
          --covariates Lung.covariates.txt --maf-threshold 0.01 --seed 1 \\
          --qvalue-lambda 0.85 -o results/
    """
    from genotex.pipeline.qtl_steps import cis_permutations

    _set_threads(threads)
    out = cis_permutations(
        phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
        output_dir=output_dir, prefix=prefix, n_perm=n_perm, seed=seed, window=window,
        maf_threshold=maf_threshold, groups=phenotype_groups, fdr=fdr,
        qvalue_lambda=qvalue_lambda, chunk_variants=chunk_variants, dtype=_dtype(precision),
        progress=not quiet)
    click.echo(f"cis-permute: {out.n_phenotypes} phenotypes, {out.n_egenes} eGenes at "
               f"FDR {fdr} (pi0 {out.pi0:.3f}) → {out.table}")


@qtl.command("signif-pairs")
@click.argument("prefix")
@_output_dir()
@click.option("--fdr", type=float, default=0.05, show_default=True,
              help="FDR used to call eGenes (must match cis-permute).")
@click.option("--phenotype-groups", type=_EXISTING, default=None,
              help="The groups file given to cis-permute, if any.")
def signif_pairs_cmd(prefix: str, output_dir: Path, fdr: float,
                     phenotype_groups: Path | None) -> None:
    """Significant variant–gene pairs from the outputs of cis-nominal and cis-permute.

    Reads PREFIX.cis_qtl.txt.gz and PREFIX.cis_qtl_pairs.*.parquet from --output-dir.

    \b
    Example:
      genotex qtl signif-pairs Lung -o results/
    """
    from genotex.pipeline.qtl_steps import significant_pairs

    nominal = sorted(output_dir.glob(f"{prefix}.cis_qtl_pairs.*.parquet"))
    if not nominal:
        raise click.UsageError(f"no {prefix}.cis_qtl_pairs.*.parquet in {output_dir}; "
                               "run `genotex qtl cis-nominal` first")
    out = significant_pairs(cis_results=output_dir / f"{prefix}.cis_qtl.txt.gz",
                            nominal_files=nominal, output_dir=output_dir, prefix=prefix,
                            fdr=fdr, groups=phenotype_groups)
    click.echo(f"signif-pairs: {out.n_phenotypes} eGenes, {out.n_pairs:,} significant pairs "
               f"→ {out.path}")


@qtl.command("cis-independent")
@_inputs
@_output_dir()
@_threads()
@_perm_options
@click.option("--cis-output", type=_EXISTING, default=None,
              help="Permutation table with q-values (default: OUTPUT_DIR/PREFIX.cis_qtl.txt.gz).")
def cis_independent_cmd(genotypes: Path, phenotypes: Path, prefix: str,
                        covariates: Path | None, window: int, maf_threshold: float,
                        precision: str, chunk_variants: int, quiet: bool, output_dir: Path,
                        threads: int | None, seed: int | None, n_perm: int, fdr: float,
                        cis_output: Path | None) -> None:
    """Conditionally independent eQTLs of each eGene (forward–backward, tensorQTL).

    Use the same --seed, --permutations, --window and --maf-threshold as cis-permute.

    \b
    Example:
      genotex qtl cis-independent cohort.vcf.gz Lung.expression.bed.gz Lung \\
          --covariates Lung.covariates.txt --seed 1 -o results/
    """
    from genotex.pipeline.qtl_steps import cis_independent

    _set_threads(threads)
    out = cis_independent(
        phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
        cis_results=cis_output or output_dir / f"{prefix}.cis_qtl.txt.gz",
        output_dir=output_dir, prefix=prefix, n_perm=n_perm, seed=seed, window=window,
        maf_threshold=maf_threshold, fdr=fdr, chunk_variants=chunk_variants,
        dtype=_dtype(precision), progress=not quiet)
    click.echo(f"cis-independent: {out.n_phenotypes} eGenes, {out.n_signals} independent "
               f"signals → {out.path}")


__all__ = ["qtl"]
