#!/usr/bin/env python3
"""genotex vs tensorQTL 1.0.10: cis permutations and nominal pass, side by side in one run.

Datasets (inputs built under bench/work/, git-ignored):
  geuvadis   Debian qtltools-example GEUVADIS chr22: 608 genes x 358 samples, 53 covariates,
             85,485 variants (PLINK 2 pgen from plink2, as /work/shared/peers/peers.sh builds it)
  simulated  genotex's simulator: one tissue, one chromosome (--sim-donors, --sim-variants)
Every tool gets the same files, +-1 Mb, MAF >= 0.01, 1000 permutations, seed 1 and 2 threads
(tensorQTL: torch.set_num_threads(2) via peers' tensorqtl_run.py; genotex: --threads 2).
Each step runs once in a child process under /usr/bin/time -v (wall, CPU, peak RSS).
Writes bench/results/cis_mapping.md.

  .venv/bin/python bench/cis_mapping.py            # ~5 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work" / "cis_mapping"
PEERS = Path("/work/shared/peers")
TQTL_PY = ROOT / ".venv-ref-tqtl" / "bin" / "python"
GX = ROOT / ".venv" / "bin" / "genotex"
TARBALL = Path("/usr/share/doc/qtltools/examples/examples.tar.xz")


def sh(*cmd: object, **kw: object) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)  # type: ignore[call-overload]


def timed(name: str, cmd: list[object], out: Path) -> dict[str, float]:
    """Run cmd under /usr/bin/time -v; return wall, cpu, rss_mib."""
    rep = out / f"{name}.time"
    t0 = time.time()
    with open(out / f"{name}.log", "w") as log:
        sh("/usr/bin/time", "-v", "-o", rep, *cmd, stdout=log, stderr=subprocess.STDOUT)
    wall = time.time() - t0
    text = rep.read_text()

    def get(key: str) -> float:
        return float(re.search(rf"{key}: ([\d.]+)", text).group(1))  # type: ignore[union-attr]

    return {"wall": wall, "cpu": get("User time \\(seconds\\)") + get("System time \\(seconds\\)"),
            "rss": get("Maximum resident set size \\(kbytes\\)") / 1024}


def read_time(path: Path) -> dict[str, float]:
    """wall, cpu, rss_mib of an existing /usr/bin/time -v report (for --report-only)."""
    text = path.read_text()

    def get(key: str) -> str:
        return re.search(rf"{key}: ([\d.:]+)", text).group(1)  # type: ignore[union-attr]

    elapsed = get("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")
    parts = [float(x) for x in elapsed.split(":")]
    wall = sum(v * 60 ** k for k, v in enumerate(reversed(parts)))
    return {"wall": wall, "cpu": float(get("User time \\(seconds\\)"))
            + float(get("System time \\(seconds\\)")),
            "rss": float(get("Maximum resident set size \\(kbytes\\)")) / 1024}


def prepare_geuvadis() -> dict[str, Path]:
    d = WORK / "geuvadis"
    if not (d / "geno.pgen").is_file():
        d.mkdir(parents=True, exist_ok=True)
        with tarfile.open(TARBALL) as tar:
            tar.extractall(d, filter="data")
        sh(sys.executable, PEERS / "prepare_geuvadis.py", d)
        sh("plink2", "--vcf", d / "genotypes.chr22.vcf.gz", "--output-chr", "chrM",
           "--make-pgen", "pvar-cols=-info", "--threads", "2", "--out", d / "geno",
           stdout=subprocess.DEVNULL)
    return {"geno": d / "geno", "bed": d / "phenotypes.bed.gz", "cov": d / "covariates.txt"}


def prepare_simulated(donors: int, variants: int, genes: int) -> dict[str, Path]:
    d = WORK / f"sim_{donors}_{variants}_{genes}"
    if not (d / "geno.pgen").is_file():
        from genotex.pipeline.expression_steps import (
            compute_genotype_pcs,
            prepare_tissue_expression,
            tissue_covariates,
        )
        from genotex.simulate import SimulationConfig, simulate

        f = simulate(d / "cohort", SimulationConfig(
            n_donors=donors, n_genes=genes, variants_per_chrom=variants, tissues=("Lung",),
            chromosomes=("chr22",), seed=5), progress=False)
        bed = prepare_tissue_expression(
            tpm_gct=f.gene_tpm["Lung"], counts_gct=f.gene_reads["Lung"], annotation=f.genes_gtf,
            sample_participant_lookup=f.sample_participant_lookup, genotypes=f.plink_prefix,
            output_prefix=d / "Lung").bed
        pcs = compute_genotype_pcs(genotypes=f.plink_prefix, output=d / "pcs.txt", n_pcs=5)
        tissue_covariates(expression_bed_path=bed, genotype_pcs_path=pcs, output=d / "cov.txt")
        sh("plink2", "--bfile", f.plink_prefix, "--output-chr", "chrM", "--make-pgen",
           "--threads", "2", "--out", d / "geno", stdout=subprocess.DEVNULL)
    return {"geno": d / "geno", "bed": d / "Lung.expression.bed.gz", "cov": d / "cov.txt"}


def tensorqtl_script() -> Path:
    """peers' tensorqtl_run.py; q-values skipped when rpy2 (R qvalue) is absent in the venv."""
    dst = WORK / "tensorqtl_run.py"
    text = (PEERS / "tensorqtl_run.py").read_text()
    dst.write_text(text.replace(
        "        post.calculate_qvalues(res, fdr=0.05, qvalue_lambda=None)",
        "        try:\n            post.calculate_qvalues(res, fdr=0.05, qvalue_lambda=None)\n"
        "        except NameError:  # no rpy2: q-values are computed by the benchmark\n"
        "            res['qval'] = np.nan"))
    return dst


def run_dataset(name: str, inp: dict[str, Path], *, n_perm: int, seed: int) -> dict:
    out = WORK / "runs" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tq = [TQTL_PY, tensorqtl_script(), "--genotypes", inp["geno"], "--phenotypes",
          inp["bed"], "--covariates", inp["cov"], "--out", out / "tq", "--prefix", "tq",
          "--nperm", n_perm, "--seed", seed, "--maf", 0.01, "--threads", 2]
    gx = [inp["geno"], inp["bed"], "gx", "--covariates", inp["cov"], "--maf-threshold", 0.01,
          "-o", out / "gx", "--threads", 2, "--quiet", "--precision", "float32"]
    res = {
        "tensorQTL permute": timed("tq_permute", [*tq, "--mode", "permute"], out),
        "genotex permute": timed("gx_permute", [GX, "qtl", "cis-permute", *gx, "--seed", seed,
                                                "--permutations", n_perm], out),
        "tensorQTL nominal": timed("tq_nominal", [*tq, "--mode", "nominal"], out),
        "genotex nominal": timed("gx_nominal", [GX, "qtl", "cis-nominal", *gx], out),
    }
    return {"cost": res, "agree": agreement(out)}


def agreement(out: Path) -> dict[str, float]:
    tq = pd.read_csv(out / "tq" / "tq.cis_qtl.txt.gz", sep="\t", index_col=0)
    if tq["qval"].isna().all():  # rpy2 absent: R qvalue's algorithm (genotex.qtl.qvalue)
        from genotex.qtl import qvalue

        tq["qval"] = qvalue(tq["pval_beta"].to_numpy()).qvalues
    gx = pd.read_parquet(out / "gx" / "gx.cis_qtl.parquet")
    common = tq.index.intersection(gx.index)
    a, b = tq.loc[common], gx.loc[common]
    same_top = float((a["variant_id"] == b["variant_id"]).mean())
    tied = (a["variant_id"] != b["variant_id"]) & np.isclose(
        a["pval_nominal"], b["pval_nominal"], rtol=1e-4)
    d_beta = np.abs(np.log10(a["pval_beta"]) - np.log10(b["pval_beta"]))
    tqp = pd.concat([pd.read_parquet(p) for p in sorted((out / "tq").glob("*.parquet"))])
    gxp = pd.concat([pd.read_parquet(p) for p in sorted((out / "gx").glob("*pairs*.parquet"))])
    m = tqp.merge(gxp, on=["phenotype_id", "variant_id"], suffixes=("_tq", "_gx"))
    ok = m["pval_nominal_tq"] > 0
    lt, lg = np.log10(m.loc[ok, "pval_nominal_tq"]), np.log10(m.loc[ok, "pval_nominal_gx"])
    return {
        "genes_tq": len(tq), "genes_gx": len(gx), "pairs_tq": len(tqp), "pairs_gx": len(gxp),
        "pairs_matched": len(m),
        "spearman_pval_beta": float(stats.spearmanr(a["pval_beta"], b["pval_beta"])[0]),
        "median_dlog10_pval_beta": float(np.median(d_beta)),
        "max_rel_dlog10_nominal": float(np.max(np.abs(lg - lt) / np.maximum(np.abs(lt), 1))),
        "max_abs_dlog10_nominal": float(np.max(np.abs(lg - lt))),
        "max_rel_slope": float(np.max(np.abs(m["slope_gx"] - m["slope_tq"])
                                      / np.maximum(np.abs(m["slope_tq"]), 1e-3))),
        "same_top": same_top, "same_or_tied_top": same_top + float(tied.mean()),
        "egenes_tq": int((tq["qval"] <= 0.05).sum()), "egenes_gx": int((gx["qval"] <= 0.05).sum()),
        "egenes_shared": int(((a["qval"] <= 0.05) & (b["qval"] <= 0.05)).sum()),
        "num_var_equal": float((a["num_var"] == b["num_var"]).mean()),
    }


def report(results: dict[str, dict], args: argparse.Namespace) -> str:
    lines = ["# cis-QTL mapping: genotex vs tensorQTL 1.0.10 (CPU, 2 threads)", "",
             "Generated by `bench/cis_mapping.py`; each step ran once, one after another, in a "
             "child process under `/usr/bin/time -v` on the same inputs (same files, ±1 Mb, "
             f"MAF ≥ 0.01, {args.perm} permutations, seed {args.seed}). genotex ran with "
             "`--precision float32 --threads 2`; tensorQTL with torch.set_num_threads(2) "
             "(`/work/shared/peers/tensorqtl_run.py`; its R qvalue step via rpy2 is skipped "
             "when rpy2 is absent from `.venv-ref-tqtl`, and tensorQTL's q-values are then "
             "computed from its pval_beta with `genotex.qtl.qvalue`, R qvalue's algorithm). "
             "Wall and CPU include interpreter start-up and imports.", ""]
    for name, r in results.items():
        c, a = r["cost"], r["agree"]
        lines += [f"## {name}", "", "| step | tool | wall s | CPU s | peak RSS MiB | "
                  "wall ratio genotex/tensorQTL | CPU ratio |", "|---|---|---|---|---|---|---|"]
        for step in ("permute", "nominal"):
            t, g = c[f"tensorQTL {step}"], c[f"genotex {step}"]
            for tool, v in (("tensorQTL", t), ("genotex", g)):
                ratio = (f"{g['wall'] / t['wall']:.2f}", f"{g['cpu'] / t['cpu']:.2f}") \
                    if tool == "genotex" else ("", "")
                lines.append(f"| {step} | {tool} | {v['wall']:.1f} | {v['cpu']:.1f} | "
                             f"{v['rss']:.0f} | {ratio[0]} | {ratio[1]} |")
        lines += ["", "Agreement (genotex vs tensorQTL):", "",
                  f"- phenotypes: tensorQTL {a['genes_tq']}, genotex {a['genes_gx']}; "
                  f"num_var equal for {a['num_var_equal']:.1%}",
                  f"- eGenes at q ≤ 0.05: tensorQTL {a['egenes_tq']}, genotex {a['egenes_gx']}, "
                  f"shared {a['egenes_shared']}",
                  f"- pval_beta Spearman {a['spearman_pval_beta']:.5f}; median |Δlog10| "
                  f"{a['median_dlog10_pval_beta']:.2e} (same permutations: legacy-RNG seed)",
                  f"- same top variant {a['same_top']:.1%} (same or tied within 1e-4 relative p: "
                  f"{a['same_or_tied_top']:.1%})",
                  f"- nominal pairs: tensorQTL {a['pairs_tq']:,}, genotex {a['pairs_gx']:,}, "
                  f"matched {a['pairs_matched']:,}; max |Δlog10 p| "
                  f"{a['max_abs_dlog10_nominal']:.2e}"
                  f" (relative to max(1, |log10 p|): {a['max_rel_dlog10_nominal']:.2e}); max "
                  f"relative slope difference {a['max_rel_slope']:.2e}", ""]
    lines += ["Machine: shared 2-core box (other helpers' jobs may have been running; see "
              "the CPU/wall columns). Reference numbers measured earlier on this machine "
              "(`/work/shared/peers/results/peers.md`): tensorQTL permute 80 s, nominal 38 s; "
              "QTLtools nominal 13 s, FastQTL nominal 15 s.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perm", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sim-donors", type=int, default=600)
    ap.add_argument("--sim-variants", type=int, default=40_000)
    ap.add_argument("--sim-genes", type=int, default=300)
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="rebuild the report from the GEUVADIS runs already in bench/work")
    args = ap.parse_args()
    if args.report_only:
        out = WORK / "runs" / "geuvadis"
        names = {"tensorQTL permute": "tq_permute", "genotex permute": "gx_permute",
                 "tensorQTL nominal": "tq_nominal", "genotex nominal": "gx_nominal"}
        cost = {k: read_time(out / f"{v}.time") for k, v in names.items()}
        results = {"GEUVADIS chr22 (608 genes, 358 samples, 53 covariates)":
                   {"cost": cost, "agree": agreement(out)}}
        (ROOT / "bench" / "results" / "cis_mapping.md").write_text(report(results, args))
        print(report(results, args))
        return
    results = {"GEUVADIS chr22 (608 genes, 358 samples, 53 covariates)":
               run_dataset("geuvadis", prepare_geuvadis(), n_perm=args.perm, seed=args.seed)}
    if not args.skip_sim:
        inp = prepare_simulated(args.sim_donors, args.sim_variants, args.sim_genes)
        results[f"Simulated Lung, chr22 ({args.sim_donors} donors, {args.sim_variants:,} "
                f"variants, {args.sim_genes} genes)"] = run_dataset(
                    "simulated", inp, n_perm=args.perm, seed=args.seed)
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    out = ROOT / "bench" / "results" / "cis_mapping.md"
    out.write_text(report(results, args))
    print(out.read_text())


if __name__ == "__main__":
    main()
