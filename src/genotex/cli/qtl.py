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


class _QtlGroup(click.Group):
    """``genotex qtl GENOTYPES PHENOTYPES PREFIX --mode …`` is ``genotex qtl run …``.

    When the first argument is neither a subcommand nor an option, the arguments go to the
    ``run`` command, so tensorQTL's command line works after replacing its program name.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_QtlGroup)
def qtl() -> None:
    """QTL mapping: tensorQTL's command line, and one subcommand per step.

    \b
    tensorQTL drop-in (same option names, output files and columns):
      genotex qtl GENOTYPES PHENOTYPES PREFIX --covariates F \\
          --mode cis|cis_nominal|cis_independent|trans|cis_susie [--window …]
    (the same as `genotex qtl run …`; see `genotex qtl run --help`).

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
      genotex qtl cis-susie        fine-mapped eGenes      → PREFIX.SuSiE_summary.parquet
      genotex qtl trans            trans pairs             → PREFIX.trans_qtl_pairs.parquet
      genotex qtl sqtl-phenotypes  leafcutter → sQTL BED   → PREFIX.leafcutter.bed.gz + groups
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
    from genotex.cli import numpy_huge_pages
    from genotex.pipeline.qtl_steps import cis_nominal

    _set_threads(threads)
    numpy_huge_pages(enabled=True)
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
@click.option("--adaptive", is_flag=True,
              help="Adaptive permutations: after 100, 300, 900 … permutations a phenotype "
              "stops once its pval_beta is clearly above or below the current eGene "
              "threshold p* (|ln(p/p*)| > 3·sqrt((1 − p*)/(m·p*)) after m permutations); "
              "the same eGenes as the exact mode within ~1 %, 3–4× faster on a tissue's "
              "worth of genes; adds a num_perm column (docs/cis_mapping.md).")
def cis_permute_cmd(genotypes: Path, phenotypes: Path, prefix: str, covariates: Path | None,
                    window: int, maf_threshold: float, precision: str, chunk_variants: int,
                    quiet: bool, output_dir: Path, threads: int | None, seed: int | None,
                    n_perm: int, fdr: float, qvalue_lambda: float | None,
                    phenotype_groups: Path | None, adaptive: bool) -> None:
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
        progress=not quiet, adaptive=adaptive)
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

@qtl.command("cis-susie")
@_inputs
@_output_dir()
@_threads()
@click.option("--cis-output", type=_EXISTING, default=None,
              help="Permutation table with q-values (default: OUTPUT_DIR/PREFIX.cis_qtl.txt.gz).")
@click.option("--fdr", type=float, default=0.05, show_default=True,
              help="Fine-map phenotypes with qval ≤ FDR.")
@click.option("--max-effects", type=int, default=10, show_default=True,
              help="SuSiE L: most causal variants per phenotype.")
def cis_susie_cmd(genotypes: Path, phenotypes: Path, prefix: str, covariates: Path | None,
                  window: int, maf_threshold: float, precision: str, chunk_variants: int,
                  quiet: bool, output_dir: Path, threads: int | None, cis_output: Path | None,
                  fdr: float, max_effects: int) -> None:
    """SuSiE fine-mapping of each eGene's cis window (95 % credible sets, purity ≥ 0.5).

    Writes PREFIX.SuSiE_summary.parquet (tensorQTL's columns) and
    PREFIX.SuSiE_credible_sets.parquet (with α, coverage and purity of every set).
    """
    from genotex.pipeline.susie_steps import finemap_egenes

    del precision
    _set_threads(threads)
    out = finemap_egenes(
        phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
        cis_results=cis_output or output_dir / f"{prefix}.cis_qtl.txt.gz",
        output_dir=output_dir, prefix=prefix, fdr=fdr, window=window,
        maf_threshold=maf_threshold, L=max_effects, chunk_variants=chunk_variants,
        progress=not quiet)
    click.echo(f"cis-susie: {out.n_phenotypes} phenotypes, {out.n_credible_sets} credible sets"
               f" ({out.n_not_converged} fits did not converge) → {out.summary}")


@qtl.command("trans")
@_inputs
@_output_dir()
@_threads()
@click.option("--pval-threshold", type=float, default=1e-5, show_default=True,
              help="Keep pairs with p ≤ this.")
@click.option("--return-r2", is_flag=True, help="Add the r2 column.")
@click.option("--no-cis-filter", is_flag=True,
              help="Keep pairs within 5 Mb of the phenotype (dropped by default).")
def trans_cmd(genotypes: Path, phenotypes: Path, prefix: str, covariates: Path | None,
              window: int, maf_threshold: float, precision: str, chunk_variants: int,
              quiet: bool, output_dir: Path, threads: int | None, pval_threshold: float,
              return_r2: bool, no_cis_filter: bool) -> None:
    """trans-QTL pairs: every variant against every phenotype, streamed over variant chunks.

    Writes PREFIX.trans_qtl_pairs.parquet (variant_id, phenotype_id, pval, b, b_se, af). --window
    is ignored (trans pairs within 5 Mb are removed as tensorQTL's CLI does).
    """
    from genotex.pipeline.trans_steps import trans_pairs

    del window
    _set_threads(threads)
    out = trans_pairs(phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
                      output_dir=output_dir, prefix=prefix, pval_threshold=pval_threshold,
                      maf_threshold=maf_threshold,
                      cis_window=None if no_cis_filter else 5_000_000, return_r2=return_r2,
                      chunk_variants=chunk_variants, dtype=_dtype(precision),
                      progress=not quiet)
    click.echo(f"trans: {out.n_variants_tested:,} variants × {out.n_phenotypes} phenotypes, "
               f"{out.n_pairs:,} pairs with p ≤ {pval_threshold:g} → {out.path}")


@qtl.command("sqtl-phenotypes")
@click.argument("counts", type=_EXISTING)
@click.argument("annotation", type=_EXISTING)
@click.argument("prefix")
@_output_dir()
@click.option("--sample-participant-lookup", type=_EXISTING, default=None,
              help="'sample_id<TAB>participant_id': rename samples to donor IDs.")
@click.option("--genotypes", type=click.Path(path_type=Path), default=None,
              help="Keep only samples with genotypes in this file.")
def sqtl_phenotypes_cmd(counts: Path, annotation: Path, prefix: str, output_dir: Path,
                        sample_participant_lookup: Path | None, genotypes: Path | None) -> None:
    """sQTL phenotypes from leafcutter COUNTS (_perind.counts.gz) and the gene ANNOTATION GTF.

    Writes PREFIX.leafcutter.bed.gz and PREFIX.leafcutter.phenotype_groups.txt; map sGenes
    with `genotex qtl cis-permute GENOTYPES PREFIX.leafcutter.bed.gz PREFIX
    --phenotype-groups PREFIX.leafcutter.phenotype_groups.txt`.
    """
    from genotex.pipeline.sqtl_steps import prepare_sqtl_phenotypes

    out = prepare_sqtl_phenotypes(counts=counts, annotation=annotation, output_dir=output_dir,
                                  prefix=prefix,
                                  sample_participant_lookup=sample_participant_lookup,
                                  genotypes=genotypes)
    click.echo(f"sqtl-phenotypes: {out.n_introns} introns, {out.n_filtered} pass the filter, "
               f"{out.n_phenotypes} phenotypes in {out.n_genes} genes → {out.bed}, {out.groups}")


_MODES = ["cis", "cis_nominal", "cis_independent", "trans", "cis_susie"]


@qtl.command("run", context_settings={"show_default": True})
@click.argument("genotypes", type=click.Path(path_type=Path))
@click.argument("phenotypes", type=_EXISTING)
@click.argument("prefix")
@click.option("--mode", type=click.Choice(_MODES), default="cis", help="Mapping mode.")
@click.option("--covariates", type=_EXISTING, default=None,
              help="Covariates file, tab-delimited (covariates x samples).")
@click.option("--permutations", type=int, default=10_000, help="Number of permutations.")
@click.option("--cis_output", type=_EXISTING, default=None,
              help="Output of 'cis' mode with q-values (cis_independent, cis_susie; "
              "cis_nominal: also write the significant pairs).")
@click.option("--phenotype_groups", type=_EXISTING, default=None,
              help="Header-less TSV: phenotype_id, group_id.")
@click.option("--window", type=int, default=1_000_000, help="cis-window size, in bases.")
@click.option("--pval_threshold", type=float, default=1e-5,
              help="trans: keep pairs with a p-value below this.")
@click.option("--maf_threshold", type=float, default=0.0, help="In-sample MAF filter.")
@click.option("--return_r2", is_flag=True, help="trans: add the r2 column.")
@click.option("--chunk_size", default=None,
              help="Variants held in memory at once (an integer; 'chr' accepted; genotex "
              "always streams, default 20000).")
@click.option("--max_effects", type=int, default=10, help="cis_susie: SuSiE L.")
@click.option("--fdr", type=float, default=0.05, help="FDR for cis-QTLs.")
@click.option("--qvalue_lambda", type=float, default=None, help="λ of qvalue's pi0est.")
@click.option("--seed", type=int, default=None, help="Seed for permutations.")
@click.option("-o", "--output_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), help="Output directory.")
@click.option("--threads", type=int, default=None, help="BLAS threads (default: all cores).")
@click.option("--precision", type=click.Choice(["float32", "float64"]), default="float32",
              help="Regression precision (tensorQTL: float32).")
@click.option("--adaptive", is_flag=True,
              help="cis: adaptive permutations (stop early for clearly null or clearly "
              "significant phenotypes; see `genotex qtl cis-permute --help`).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run_cmd(genotypes: Path, phenotypes: Path, prefix: str, mode: str, covariates: Path | None,
            permutations: int, cis_output: Path | None, phenotype_groups: Path | None,
            window: int, pval_threshold: float, maf_threshold: float, return_r2: bool,
            chunk_size: str | None, max_effects: int, fdr: float, qvalue_lambda: float | None,
            seed: int | None, output_dir: Path, threads: int | None, precision: str,
            adaptive: bool, quiet: bool) -> None:
    """tensorQTL's command line: `genotex qtl GENOTYPES PHENOTYPES PREFIX --mode MODE …`.

    GENOTYPES is a PLINK 1 (.bed/.bim/.fam) or PLINK 2 (.pgen/.pvar/.psam) prefix or a VCF/BCF;
    PHENOTYPES a BED (#chr start end phenotype_id samples…). Output files and columns are
    tensorQTL 1.0.10's:

    \b
      cis              PREFIX.cis_qtl.txt.gz (+ .parquet), with qval and pval_nominal_threshold
      cis_nominal      PREFIX.cis_qtl_pairs.<chr>.parquet
                       (+ PREFIX.signif_variant_gene_pairs.parquet with --cis_output)
      cis_independent  PREFIX.cis_independent_qtl.txt.gz   (needs --cis_output)
      trans            PREFIX.trans_qtl_pairs.parquet      (pairs within 5 Mb removed)
      cis_susie        PREFIX.SuSiE_summary.parquet        (needs --cis_output)
    """
    from genotex.pipeline import qtl_steps

    _set_threads(threads)
    output_dir.mkdir(parents=True, exist_ok=True)
    chunk = 20_000 if chunk_size in (None, "chr") else int(str(chunk_size))
    common: dict[str, Any] = dict(
        phenotype_bed=phenotypes, genotypes=genotypes, covariates=covariates,
        output_dir=output_dir, prefix=prefix, maf_threshold=maf_threshold, progress=not quiet)
    if mode in ("cis_independent", "cis_susie") and cis_output is None:
        raise click.UsageError(f"--mode {mode} needs --cis_output (the 'cis' mode's table)")
    if mode == "cis":
        out = qtl_steps.cis_permutations(
            **common, n_perm=permutations, seed=seed, window=window, groups=phenotype_groups,
            fdr=fdr, qvalue_lambda=qvalue_lambda, chunk_variants=chunk,
            dtype=_dtype(precision), adaptive=adaptive)
        click.echo(f"cis: {out.n_phenotypes} phenotypes, {out.n_egenes} with qval ≤ {fdr} → "
                   f"{out.table} (permutation passes {out.mapping_seconds:.1f} s)")
    elif mode == "cis_nominal":
        from genotex.cli import numpy_huge_pages

        numpy_huge_pages(enabled=True)
        nom = qtl_steps.cis_nominal(**common, window=window, chunk_variants=chunk,
                                    dtype=_dtype(precision), force=True)
        click.echo(f"cis_nominal: {nom.n_pairs:,} pairs → "
                   f"{output_dir}/{prefix}.cis_qtl_pairs.*.parquet")
        if cis_output is not None:
            sig = qtl_steps.significant_pairs(
                cis_results=cis_output, nominal_files=list(nom.files.values()),
                output_dir=output_dir, prefix=prefix, fdr=fdr, groups=phenotype_groups)
            click.echo(f"cis_nominal: {sig.n_pairs:,} significant pairs → {sig.path}")
    elif mode == "cis_independent":
        ind = qtl_steps.cis_independent(
            **common, cis_results=cis_output or Path(), n_perm=permutations, seed=seed,
            window=window, fdr=fdr, chunk_variants=chunk, dtype=_dtype(precision))
        click.echo(f"cis_independent: {ind.n_signals} signals in {ind.n_phenotypes} "
                   f"phenotypes → {ind.path}")
    elif mode == "trans":
        from genotex.pipeline.trans_steps import trans_pairs

        tr = trans_pairs(**common, pval_threshold=pval_threshold, return_r2=return_r2,
                         chunk_variants=chunk, dtype=_dtype(precision))
        click.echo(f"trans: {tr.n_pairs:,} pairs → {tr.path}")
    else:
        from genotex.pipeline.susie_steps import finemap_egenes

        su = finemap_egenes(**common, cis_results=cis_output, fdr=fdr, window=window,
                            L=max_effects, chunk_variants=chunk)
        click.echo(f"cis_susie: {su.n_credible_sets} credible sets in {su.n_phenotypes} "
                   f"phenotypes → {su.summary}")


__all__ = ["qtl"]
