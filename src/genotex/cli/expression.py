"""``genotex expression …`` and ``genotex genotypes …``: QTL-ready expression and summaries."""

from __future__ import annotations

from pathlib import Path

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_GENOTYPES = click.Path(exists=False, path_type=Path)


@click.group()
def expression() -> None:
    """Normalize expression for QTL mapping and summarize it per tissue (GTEx v8 methods).

    \b
    Typical order for one tissue:
      genotex genotypes pcs COHORT.vcf.gz genotype_pcs.txt
      genotex expression prepare TPM.gct.gz READS.gct.gz genes.gtf.gz lookup.txt COHORT.vcf.gz Lung
      genotex expression covariates Lung.expression.bed.gz Lung.covariates.txt \\
          --genotype-pcs genotype_pcs.txt --subjects SubjectPhenotypesDS.txt
    """


@expression.command()
@click.argument("tpm_gct", type=_FILE)
@click.argument("counts_gct", type=_FILE)
@click.argument("annotation", type=_FILE)
@click.argument("sample_participant_lookup", type=_FILE)
@click.argument("genotypes", type=_GENOTYPES)
@click.argument("prefix")
@click.option("-o", "--output_dir", "--output-dir", "output_dir", default=".",
              type=click.Path(file_okay=False, path_type=Path), show_default=True,
              help="Folder for <prefix>.expression.bed.gz and its .tbi index.")
@click.option("--tpm_threshold", "--tpm-threshold", "tpm_threshold", default=0.1,
              show_default=True, help="Keep genes with TPM >= this in enough samples.")
@click.option("--count_threshold", "--count-threshold", "count_threshold", default=6,
              show_default=True, help="Keep genes with read count >= this in enough samples.")
@click.option("--sample_frac_threshold", "--sample-frac-threshold", "sample_frac_threshold",
              default=0.2, show_default=True,
              help="'Enough samples' for both thresholds, as a fraction of the samples.")
@click.option("--normalization_method", "--normalization-method", "normalization_method",
              type=click.Choice(["tmm", "qn"], case_sensitive=False), default="tmm",
              show_default=True,
              help="tmm: edgeR TMM on all genes, then inverse normal transform (GTEx v8); "
              "qn: quantile-normalized TPM, then inverse normal transform.")
def prepare(
    tpm_gct: Path, counts_gct: Path, annotation: Path, sample_participant_lookup: Path,
    genotypes: Path, prefix: str, output_dir: Path, tpm_threshold: float,
    count_threshold: float, sample_frac_threshold: float, normalization_method: str,
) -> None:
    """Write a QTL-ready phenotype BED, as GTEx's eqtl_prepare_expression.py does.

    \b
    Inputs (the GTEx script's, with the genotype file in place of its chromosome list):
      TPM_GCT, COUNTS_GCT          one tissue's gene TPM and read counts (GCT v1.2, gzipped ok)
      ANNOTATION                   collapsed gene GTF (or a gene TSV) giving each gene's TSS
      SAMPLE_PARTICIPANT_LOOKUP    headerless 'sample_id<TAB>participant_id'
      GENOTYPES                    VCF/BCF/PLINK of the donors: only samples of genotyped donors
                                   and genes on its chromosomes are kept
      PREFIX                       output name, e.g. the tissue ID

    Writes OUTPUT_DIR/PREFIX.expression.bed.gz (+ .tbi): TSS coordinates and one column per
    donor, sorted by position, readable by tensorQTL, FastQTL and QTLtools.
    """
    from genotex.pipeline.expression_steps import prepare_tissue_expression

    result = prepare_tissue_expression(
        tpm_gct=tpm_gct, counts_gct=counts_gct, annotation=annotation,
        sample_participant_lookup=sample_participant_lookup, genotypes=genotypes,
        output_prefix=output_dir / prefix, tpm_threshold=tpm_threshold,
        count_threshold=count_threshold, sample_frac_threshold=sample_frac_threshold,
        normalization_method=normalization_method.lower(),  # type: ignore[arg-type]
    )
    click.echo(f"{result.bed}: {result.n_genes} genes × {result.n_samples} donors "
               f"(samples without genotypes left out: {result.n_samples_dropped})")


@expression.command()
@click.argument("expression_bed", type=_FILE)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--genotype-pcs", type=_FILE, default=None,
              help="Genotype PCs of the donors (from 'genotex genotypes pcs').")
@click.option("--subjects", type=_FILE, default=None,
              help="GTEx SubjectPhenotypesDS table: adds sex as a covariate.")
@click.option("--n-hidden", type=int, default=None,
              help="Hidden factors (expression PCs); default by GTEx's sample-size rule "
              "(15 if N<150, 30 if N<250, 45 if N<350, else 60).")
@click.option("--hidden-method", type=click.Choice(["sample_size", "buja_eyuboglu"]),
              default="sample_size", show_default=True,
              help="How to choose the number of hidden factors when --n-hidden is not given.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the Buja–Eyuboglu permutations.")
def covariates(
    expression_bed: Path, output: Path, genotype_pcs: Path | None, subjects: Path | None,
    n_hidden: int | None, hidden_method: str, seed: int,
) -> None:
    """Combine genotype PCs, hidden expression factors and sex into one covariates file.

    Rows are genotype PCs, then hidden factors (InferredCov1…), then sex; constant and
    colinear rows are dropped as GTEx's combine_covariates.py does. The output has one
    column per donor (tensorQTL's layout).
    """
    from genotex.pipeline.expression_steps import tissue_covariates

    out = tissue_covariates(expression_bed_path=expression_bed, genotype_pcs_path=genotype_pcs,
                            output=output, subject_attributes=subjects, n_hidden=n_hidden,
                            hidden_method=hidden_method, seed=seed)  # type: ignore[arg-type]
    click.echo(f"wrote {out}")


@expression.command()
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--tpm", "tpm_gcts", multiple=True, required=True, metavar="TISSUE=GCT",
              help="A tissue's TPM GCT, e.g. --tpm Lung=Lung.gene_tpm.gct.gz (repeat per tissue).")
@click.option("--samples", "sample_attributes", type=_FILE, required=True,
              help="GTEx SampleAttributesDS table (SAMPID, SMTSD, …).")
@click.option("--subjects", "subject_attributes", type=_FILE, required=True,
              help="GTEx SubjectPhenotypesDS table (SUBJID, SEX, …).")
@click.option("--annotation", type=_FILE, required=True, help="Gene GTF (or gene TSV).")
@click.option("--top-n", type=int, default=50, show_default=True,
              help="Top expressed genes kept per tissue.")
def summarize(
    output_dir: Path, tpm_gcts: tuple[str, ...], sample_attributes: Path,
    subject_attributes: Path, annotation: Path, top_n: int,
) -> None:
    """Tissue summaries as Parquet: median TPM (also by sex), per-sample TPM, top genes, tau.

    \b
    Example:
      genotex expression summarize summaries/ --tpm Lung=Lung.gene_tpm.gct.gz \\
          --tpm Whole_Blood=Whole_Blood.gene_tpm.gct.gz \\
          --samples SampleAttributesDS.txt --subjects SubjectPhenotypesDS.txt \\
          --annotation genes.gtf.gz
    """
    from genotex.pipeline.summaries import summarize_expression

    pairs = {}
    for item in tpm_gcts:
        tissue, sep, path = item.partition("=")
        if not sep or not Path(path).is_file():
            raise click.BadParameter(f"{item!r} is not TISSUE=EXISTING_GCT", param_hint="--tpm")
        pairs[tissue] = Path(path)
    result = summarize_expression(tpm_gcts=pairs, sample_attributes=sample_attributes,
                                  subject_attributes=subject_attributes, annotation=annotation,
                                  output_dir=output_dir, top_n=top_n)
    click.echo(f"{result.output_dir}: {result.n_genes} genes × {result.n_tissues} tissues "
               f"({result.n_samples} samples)")


@click.group()
def genotypes() -> None:
    """Cohort-level genotype steps (genotype PCs for the covariates)."""


@genotypes.command()
@click.argument("genotype_file", type=_GENOTYPES)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--n-pcs", type=int, default=5, show_default=True,
              help="Principal components to keep (GTEx v8 used 5).")
@click.option("--min-maf", type=float, default=0.05, show_default=True,
              help="Use variants with at least this minor allele frequency.")
def pcs(genotype_file: Path, output: Path, n_pcs: int, min_maf: float) -> None:
    """Genotype PCs from LD-pruned common variants, streamed chunk by chunk."""
    from genotex.pipeline.expression_steps import compute_genotype_pcs

    out = compute_genotype_pcs(genotypes=genotype_file, output=output, n_pcs=n_pcs,
                               min_maf=min_maf)
    click.echo(f"wrote {out}")
