"""``genotex coloc`` and ``genotex multitissue``: GWAS colocalization and multi-tissue eQTLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

_EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def _parse_qtl(values: tuple[str, ...]) -> dict[str, tuple[Path, str]]:
    """``TISSUE=DIR[:PREFIX]`` → {tissue: (dir, prefix)}; the prefix defaults to the tissue."""
    out: dict[str, tuple[Path, str]] = {}
    for value in values:
        tissue, sep, rest = value.partition("=")
        if not sep or not tissue or not rest:
            raise click.BadParameter(f"{value!r} is not TISSUE=DIR[:PREFIX]", param_hint="--qtl")
        directory, _, prefix = rest.partition(":")
        out[tissue] = (Path(directory), prefix or tissue)
    return out


def _qtl_option(f: Any) -> Any:
    return click.option(
        "--qtl", "qtl", multiple=True, required=True, metavar="TISSUE=DIR[:PREFIX]",
        help="A tissue's cis-QTL outputs (`genotex qtl` --output-dir and prefix; the prefix "
             "defaults to the tissue ID). Repeat for every tissue.")(f)


@click.command("coloc")
@click.argument("gwas_file", type=_EXISTING)
@_qtl_option
@click.option("--sqtl", "sqtl", multiple=True, metavar="TISSUE=DIR[:PREFIX]",
              help="A tissue's sQTL outputs (leafcutter phenotypes mapped in grouped mode, e.g. "
              "`genotex run`'s <tissue>/sqtl folder): its sGenes' introns are colocalized in "
              "the same call. Repeat per tissue.")
@click.option("--variants", type=click.Path(exists=True, path_type=Path), default=None,
              help="Release variants to harmonise GWAS alleles to: the genotype file "
                   "(VCF/PLINK) or the release variants table. Default: the variants the "
                   "eQTL files tested.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output Parquet (store `coloc` columns); the harmonisation report is "
                   "written beside it as OUT.harmonization.json.")
@click.option("--lead-variant", "lead_variants", multiple=True, metavar="ID",
              help="Test ±--window around this lead (chr_pos_ref_alt_b38, chr:pos or rsID); "
                   "repeatable.")
@click.option("--region", default=None, metavar="CHR:START-END", help="Test one region.")
@click.option("--auto", "auto", is_flag=True,
              help="Every independent GWAS signal with p < --p-threshold (the default when "
                   "neither --lead-variant nor --region is given).")
@click.option("--window", type=int, default=500_000, show_default=True,
              help="Half-width of a locus around its lead (bp).")
@click.option("--p-threshold", type=float, default=5e-8, show_default=True,
              help="Significance of automatic loci.")
@click.option("--trait-id", default=None, help="Trait ID stored with the results "
              "(default: the GWAS file name).")
@click.option("--n", "n", type=float, default=None,
              help="GWAS sample size (default: the file's n column).")
@click.option("--type", "trait_type", type=click.Choice(["quant", "cc"]), default="quant",
              show_default=True, help="Quantitative trait or case-control.")
@click.option("--case-fraction", type=float, default=None,
              help="Fraction of cases (case-control; coloc's s).")
@click.option("--sdy", type=float, default=None,
              help="Trait standard deviation (quant; estimated from N and the SEs if absent).")
@click.option("--p1", type=float, default=1e-4, show_default=True,
              help="Prior: a SNP is causal for the GWAS trait.")
@click.option("--p2", type=float, default=1e-4, show_default=True,
              help="Prior: a SNP is causal for the eQTL.")
@click.option("--p12", type=float, default=1e-5, show_default=True,
              help="Prior: a SNP is causal for both.")
@click.option("--method", type=click.Choice(["abf", "susie"]), default="abf",
              show_default=True, help="coloc.abf (one causal variant per trait), or "
              "coloc.susie: both traits fine-mapped with SuSiE-RSS (LD from --variants, which "
              "must then be the genotype file) and every pair of credible sets tested; for "
              "loci with several signals.")
@click.option("--max-signals", "susie_l", type=click.IntRange(1, 50), default=10,
              show_default=True, help="SuSiE's L: most signals per trait and locus "
              "(--method susie).")
@click.option("--all-genes", is_flag=True,
              help="Test every gene in range, not only eGenes (q ≤ 0.05).")
@click.option("--palindromic", type=click.Choice(["drop", "frequency"]), default="drop",
              show_default=True, help="A/T and C/G SNPs: drop them, or resolve by frequency.")
@click.option("--liftover-chain", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="UCSC chain lifting the GWAS to GRCh38 (e.g. "
              "hg19ToHg38.over.chain.gz) when it is on GRCh37; a likely build mismatch is "
              "reported either way.")
@click.option("--snp-table", is_flag=True,
              help="Also write OUT.snps.parquet: per-SNP PP.H4 of each locus's best gene.")
def coloc(gwas_file: Path, qtl: tuple[str, ...], sqtl: tuple[str, ...], variants: Path | None,
          out: Path, lead_variants: tuple[str, ...], region: str | None, auto: bool, window: int,
          p_threshold: float, trait_id: str | None, n: float | None, trait_type: str,
          case_fraction: float | None, sdy: float | None, p1: float, p2: float, p12: float,
          method: str, susie_l: int, all_genes: bool, palindromic: str,
          liftover_chain: Path | None, snp_table: bool) -> None:
    """Colocalize a GWAS with every tissue's eQTLs (coloc.abf/.susie), one or all loci at once.

    Is the GWAS signal and a gene's eQTL the same causal variant, and in which tissues?
    For each locus, each tissue's eGenes whose cis window overlaps it get the five posteriors
    of coloc: H0 no signal, H1 GWAS only, H2 eQTL only, H3 two distinct variants, H4 one
    shared variant (PP.H4 > 0.8 is the usual call). With --method susie each GWAS and eQTL
    credible set is tested against each other (OUT.susie_pairs.parquet); OUT keeps the best
    pair per gene × tissue.

    \b
    GWAS_FILE: GWAS-SSF TSV or an ad-hoc table (PLINK/BOLT/SAIGE-like): columns are
    recognised by name (A1/A2, OR, SE, P, CHR, BP, SNP, …) and the mapping is printed.
    Alleles are harmonised to the release (swaps, strand flips; palindromic SNPs dropped).

    \b
    Examples:
      genotex coloc height.tsv.gz --qtl Lung=qtl/Lung --qtl Whole_Blood=qtl/Whole_Blood \\
          --variants cohort.vcf.gz --out height.coloc.parquet --auto --n 250000
      genotex coloc t2d.txt --qtl Lung=qtl/Lung:Lung_v8 --type cc --case-fraction 0.2 \\
          --lead-variant rs7903146 --out t2d.coloc.parquet
      genotex coloc ldl.tsv --qtl Liver=qtl/Liver --variants cohort.vcf.gz --method susie \
          --region chr22:17000000-18000000 --out ldl.coloc.parquet
    """
    from genotex.pipeline.coloc_steps import run_coloc

    if sum([bool(lead_variants), region is not None, auto]) > 1:
        raise click.UsageError("give only one of --lead-variant, --region, --auto")
    res = run_coloc(gwas=gwas_file, qtl_dirs=_parse_qtl(qtl), output=out, variants=variants,
                    sqtl_dirs=_parse_qtl(sqtl) or None,
                    region=region, lead_variants=lead_variants, window=window,
                    p_threshold=p_threshold, trait_id=trait_id, n=n,
                    trait_type=trait_type,  # type: ignore[arg-type]
                    case_fraction=case_fraction, sdy=sdy, p1=p1, p2=p2, p12=p12,
                    method=method,  # type: ignore[arg-type]
                    susie_L=susie_l,
                    egene_fdr=None if all_genes else 0.05,
                    palindromic=palindromic,  # type: ignore[arg-type]
                    liftover_chain=liftover_chain, snp_table=snp_table)
    click.echo("GWAS columns found:")
    for field, column in res.column_map.items():
        click.echo(f"  {field:<24} ← {column}")
    for note in res.notes:
        click.echo(f"  note: {note}")
    click.echo("harmonisation to the release variants:")
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in res.report.items()))
    for message in res.messages:
        click.echo(f"  {message}")
    click.echo(f"loci tested: {len(res.loci)}")
    if res.table.empty:
        click.echo("no eQTL gene overlaps the loci")
    else:
        wide = res.table.pivot_table(index=["lead_variant_id", "gene_id", "qtl_type"],
                                     columns="tissue_id", values="pp_h4", aggfunc="max")
        click.echo("PP.H4 (shared causal variant) per gene × tissue (sQTL: best intron):")
        click.echo(wide.to_string(float_format=lambda x: f"{x:.3f}", na_rep="."))
    click.echo(f"wrote {res.path} ({len(res.table)} rows) and {res.report_path}")
    if res.snps_path is not None:
        click.echo(f"wrote {res.snps_path}")
    if res.pairs_path is not None:
        click.echo(f"wrote {res.pairs_path} ({len(res.pairs)} credible-set pairs)")


@click.command("multitissue")
@_qtl_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Output directory.")
@click.option("--top-variants", type=click.Choice(["egene_lead", "all_signif"]),
              default="egene_lead", show_default=True,
              help="Meta-analyse each eGene's lead variant (union over tissues) or every "
                   "significant pair.")
@click.option("--mvalue-method", type=click.Choice(["auto", "exact", "mcmc"]), default="auto",
              show_default=True, help="m-values by exact enumeration (≤ 12 tissues under "
                                      "auto) or METASOFT's MCMC.")
@click.option("--fdr", type=float, default=0.05, show_default=True,
              help="eGenes: q-value ≤ this.")
@click.option("--pi1-lambda", type=float, default=None,
              help="Fixed λ for π1 (default: qvalue's smoother).")
def multitissue(qtl: tuple[str, ...], out: Path, top_variants: str, mvalue_method: str,
                fdr: float, pi1_lambda: float | None) -> None:
    """METASOFT across tissues (FE, RE2, m-values) and pairwise eQTL sharing (π1).

    \b
    Writes to --out:
      metasoft.parquet          gene × variant × tissue: meta_p (RE2), m_value, nes, se, pval
      metasoft_summary.parquet  gene × variant: FE/RE/RE2 p-values, Cochran's Q, I², τ²
      pi1.parquet, pi1.tsv      π1 of each discovery tissue's eGenes in each other tissue

    \b
    Example:
      genotex multitissue --qtl Lung=qtl/Lung --qtl Whole_Blood=qtl/Whole_Blood \\
          --qtl Muscle_Skeletal=qtl/Muscle_Skeletal --out multitissue/
    """
    from genotex.pipeline.multitissue import run_multitissue

    res = run_multitissue(qtl_dirs=_parse_qtl(qtl), output=out,
                          top_variants=top_variants,  # type: ignore[arg-type]
                          mvalue_method=mvalue_method,  # type: ignore[arg-type]
                          fdr=fdr, pi1_lambda=pi1_lambda)
    n_pairs = len(res.summary)
    n_re2 = int((res.summary["pval_re2"] < 1e-5).sum())
    click.echo(f"{n_pairs} gene–variant pairs meta-analysed across {len(res.pi1)} tissues; "
               f"{n_re2} with RE2 p < 1e-5")
    click.echo("π1 (rows: discovery tissue, columns: replication tissue):")
    click.echo(res.pi1.to_string(float_format=lambda x: f"{x:.2f}", na_rep="."))
    click.echo(f"wrote {res.metasoft_path}, {res.summary_path}, {res.pi1_path}, {res.pi1_tsv}")


__all__ = ["coloc", "multitissue"]
