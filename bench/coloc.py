#!/usr/bin/env python3
"""One GWAS locus (±500 kb) against every tissue's eQTLs of a simulated 10-tissue release.

Builds (once, under bench/work/coloc/, git-ignored) a 10-tissue cohort on chr21–chr22 with the
simulator, runs expression preparation, covariates and the cis-QTL passes (nominal +
permutations) per tissue, writes a GWAS-SSF file for a trait driven by a planted shared eQTL
variant, then times ``run_coloc`` on that one locus (best of --repeats):

* total: the whole call (GWAS file read, loci, eQTL reads with pyarrow filters, harmonisation,
  coloc.abf per tissue × gene, Parquet + report written);
* GWAS read: ``read_gwas_sumstats`` alone (a whole-genome GWAS would be read once per run);
* coloc part: total − GWAS read (target < 1 s).

Writes bench/results/coloc.md.

  .venv/bin/python bench/coloc.py            # ~2 min the first time, seconds after
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from genotex.io import open_genotypes
from genotex.io.sumstats import read_gwas_sumstats
from genotex.pipeline.coloc_steps import run_coloc
from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.multitissue import run_multitissue
from genotex.simulate import SimulationConfig, simulate
from genotex.testing import map_simulated_tissue

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work" / "coloc"
RESULT = ROOT / "bench" / "results" / "coloc.md"
TISSUES = ("Adipose_Subcutaneous", "Artery_Tibial", "Brain_Cortex", "Colon_Transverse",
           "Heart_Left_Ventricle", "Liver", "Lung", "Muscle_Skeletal", "Thyroid", "Whole_Blood")


def build(config: SimulationConfig) -> Path:
    done = WORK / "done"
    vcf = WORK / "cohort" / "genotypes" / "cohort.vcf.gz"
    if done.is_file():
        return vcf
    start = time.perf_counter()
    files = simulate(WORK / "cohort", config, progress=False)
    pcs = compute_genotype_pcs(genotypes=files.plink_prefix, output=WORK / "pcs.txt", n_pcs=5)
    for t in config.tissue_ids:
        t0 = time.perf_counter()
        map_simulated_tissue(files, t, WORK / t, genotype_pcs=pcs, n_hidden=5)
        print(f"  {t}: mapped in {time.perf_counter() - t0:.1f} s", flush=True)
    done.write_text(f"{time.perf_counter() - start:.0f}\n")
    return vcf


def write_gwas(vcf: Path, causal: str, path: Path) -> int:
    """GWAS-SSF file of a trait driven by ``causal`` (h² 0.3), all variants; returns N."""
    with open_genotypes(vcf) as reader:
        chunks = list(reader.iter_chunks(50_000))
    v = pd.concat([c.variants for c in chunks], ignore_index=True)
    g = np.concatenate([c.dosages for c in chunks]).astype(np.float64)
    x = g[v["variant_id"].tolist().index(causal)]
    rng = np.random.default_rng(0)
    y = np.sqrt(0.3) * (x - x.mean()) / x.std() + np.sqrt(0.7) * rng.standard_normal(x.size)
    y -= y.mean()
    gc = g - g.mean(1, keepdims=True)
    sxx = (gc**2).sum(1)
    beta = gc @ y / sxx
    se = np.sqrt(((y[None, :] - beta[:, None] * gc) ** 2).sum(1) / (x.size - 2) / sxx)
    pd.DataFrame({"chromosome": v["chrom"], "base_pair_location": v["pos"],
                  "effect_allele": v["alt"], "other_allele": v["ref"], "beta": beta,
                  "standard_error": se, "effect_allele_frequency": g.mean(1) / 2,
                  "p_value": 2 * stats.t.sf(np.abs(beta / se), x.size - 2)}).to_csv(
        path, sep="\t", index=False)
    return int(x.size)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    config = SimulationConfig(n_donors=300, n_genes=600, variants_per_chrom=5000,
                              tissues=TISSUES, chromosomes=("chr21", "chr22"), seed=7)
    WORK.mkdir(parents=True, exist_ok=True)
    vcf = build(config)
    build_s = float((WORK / "done").read_text())
    truth = pd.read_csv(WORK / "cohort" / "truth" / "eqtls.tsv", sep="\t")
    shared = truth.loc[truth["effect_class"] == "shared"]
    strongest = shared.assign(a=shared["effect_size"].abs()).groupby("variant_id")["a"].min()
    causal = str(strongest.idxmax())
    gwas = WORK / "trait.tsv"
    n = write_gwas(vcf, causal, gwas)
    qtl_dirs = {t: WORK / t for t in TISSUES}
    timings: dict[str, list[float]] = {"total (variants = VCF)": [],
                                       "total (variants = eQTL IDs)": [],
                                       "total, every gene in range (not only eGenes)": [],
                                       "GWAS read": []}
    res = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        read_gwas_sumstats(gwas)
        timings["GWAS read"].append(time.perf_counter() - t)
        for label, variants in (("total (variants = VCF)", vcf),
                                ("total (variants = eQTL IDs)", None)):
            t = time.perf_counter()
            res = run_coloc(gwas=gwas, qtl_dirs=qtl_dirs, output=WORK / "out" / "c.parquet",
                            variants=variants, lead_variants=[causal], n=n)
            timings[label].append(time.perf_counter() - t)
        t = time.perf_counter()
        every = run_coloc(gwas=gwas, qtl_dirs=qtl_dirs, output=WORK / "out" / "all.parquet",
                          variants=vcf, lead_variants=[causal], n=n, egene_fdr=None)
        timings["total, every gene in range (not only eGenes)"].append(time.perf_counter() - t)
    assert res is not None
    t = time.perf_counter()
    mt = run_multitissue(qtl_dirs=qtl_dirs, output=WORK / "multitissue")
    multitissue_s = time.perf_counter() - t
    best = {k: min(v) for k, v in timings.items()}
    n_gwas = sum(1 for _ in gwas.open()) - 1
    pairs = res.table
    lines = [
        "# coloc: one GWAS locus against every tissue's eQTLs",
        "",
        "`bench/coloc.py` (simulated release; best of "
        f"{args.repeats}; {platform.processor() or platform.machine()}, shared 2-core box).",
        "",
        f"* cohort: {config.n_donors} donors, {len(TISSUES)} tissues, {config.n_genes} genes, "
        f"{config.variants_per_chrom} variants × {len(config.chromosomes)} chromosomes "
        f"(simulation + expression prep + cis-QTL mapping: {build_s:.0f} s, once)",
        f"* GWAS: {n_gwas} variants (GWAS-SSF TSV), trait driven by planted shared eQTL "
        f"variant `{causal}`, N = {n}",
        f"* locus: {res.loci[0]} (±500 kb); {len(pairs)} tissue × gene tests, "
        f"{pairs['gene_id'].nunique()} genes, {int(pairs['nsnps'].median())} SNPs per test "
        "(median)",
        f"* every gene in range: {len(every.table)} tissue × gene tests",
        "",
        "| step | seconds |",
        "|---|---:|",
    ]
    for label, s in best.items():
        lines.append(f"| {label} | {s:.3f} |")
    coloc = best["total (variants = VCF)"] - best["GWAS read"]
    lines += [f"| **coloc part** (total with VCF − GWAS read) | **{coloc:.3f}** |", "",
              f"Target < 1 s for the coloc part: {'met' if coloc < 1 else 'NOT met'}.", "",
              f"`run_multitissue` on the same 10 tissues: {len(mt.summary)} eGene lead pairs, "
              f"METASOFT (exact m-values, 2^10 configurations) + π1 in {multitissue_s:.1f} s.",
              "",
              "PP.H4 of the planted gene (max over genes per tissue):", ""]
    top = pairs.loc[pairs.groupby("tissue_id")["pp_h4"].idxmax()]
    lines += ["| tissue | gene | nsnps | PP.H4 |", "|---|---|---:|---:|"]
    lines += [f"| {r.tissue_id} | {r.gene_id} | {r.nsnps} | {r.pp_h4:.3f} |"
              for r in top.itertuples()]
    RESULT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
