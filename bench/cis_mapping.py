#!/usr/bin/env python3
"""genotex vs tensorQTL 1.0.10, FastQTL and QTLtools: cis permutations and nominal pass.

Datasets (inputs built under bench/work/, git-ignored):
  geuvadis   Debian qtltools-example GEUVADIS chr22: 608 genes x 358 samples, 53 covariates,
             85,485 variants (PLINK 2 pgen from plink2, as /work/shared/peers/peers.sh builds it)
  simulated  genotex's simulator: one tissue (~1,000 samples), chr22 with ~5,000 variants per
             +-1 Mb window and 800 genes, ~610 of them expressed: about as many as a GTEx
             tissue tests on chr22 (--sim-donors, --sim-variants, --sim-genes; 200 genes give
             a sparse chromosome, 152 expressed); GFLOP/s of the genotype x
             permuted-phenotype products vs numpy's float32 matmul on 2 threads
Every tool gets the same files, +-1 Mb, MAF >= 0.01, --perm permutations, seed 1 and 2 cores:
tensorQTL torch.set_num_threads(2) (peers' tensorqtl_run.py); genotex --threads 2 through its
tensorQTL drop-in CLI (`genotex qtl GENOTYPES PHENOTYPES PREFIX --mode ...`, exact and
--adaptive); FastQTL and QTLtools (single-threaded) as 2 chunk processes at once (--chunk K 2),
as /work/shared/peers/peers.sh runs them. Each step runs once under /usr/bin/time -v (wall,
CPU, peak RSS) with `uptime` recorded before it (other jobs share the machine).
Writes bench/results/cis_mapping.md (and bench/work/cis_mapping/results.json).

  .venv/bin/python bench/cis_mapping.py            # full: ~30-40 min on 2 quiet cores
  .venv/bin/python bench/cis_mapping.py --quick    # 100 permutations, small inputs: ~5 min
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work" / "cis_mapping"
PEERS = Path("/work/shared/peers")
TQTL_PY = ROOT / ".venv-ref-tqtl" / "bin" / "python"
GX = ROOT / ".venv" / "bin" / "genotex"
TARBALL = Path("/usr/share/doc/qtltools/examples/examples.tar.xz")
THREADS = 2


def sh(*cmd: object, **kw: object) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)  # type: ignore[call-overload]


def uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return out.strip().split("load average:")[-1].strip()


def _time_report(text: str) -> dict[str, float]:
    def get(key: str) -> float:
        return float(re.search(rf"{key}: ([\d.]+)", text).group(1))  # type: ignore[union-attr]

    return {"cpu": get("User time \\(seconds\\)") + get("System time \\(seconds\\)"),
            "rss": get("Maximum resident set size \\(kbytes\\)") / 1024}


REUSE = False  # --reuse: read the reports of steps that already ran instead of rerunning
REUSE_TQ = False  # --reuse-tensorqtl: keep tensorQTL's previous runs (outputs and timings)
REUSE_PEERS = False  # --reuse-peers: keep FastQTL's and QTLtools' previous runs


def timed(name: str, cmd: list[object], out: Path) -> dict[str, object]:
    """Run cmd under /usr/bin/time -v; wall, cpu, rss (MiB) and the load before it."""
    reuse = REUSE or (REUSE_TQ and name.startswith("tq_"))
    if reuse and (out / f"{name}.time").is_file() and (out / f"{name}.time").stat().st_size:
        prev = out / f"{name}.load"
        load = prev.read_text().strip() if prev.is_file() else "(reused run)"
        return {**read_time(out / f"{name}.time"), "load": f"{load} (reused run)"}
    load = uptime()
    (out / f"{name}.load").write_text(load)
    rep = out / f"{name}.time"
    t0 = time.time()
    with open(out / f"{name}.log", "w") as log:
        sh("/usr/bin/time", "-v", "-o", rep, *cmd, stdout=log, stderr=subprocess.STDOUT)
    return {"wall": time.time() - t0, **_time_report(rep.read_text()), "load": load}


def timed_chunks(name: str, n: int, cmd: list[object], out: Path) -> dict[str, object]:
    """n chunk processes at once ('{K}' in cmd = chunk number 1..n): wall, summed CPU, max RSS."""
    reps_done = [out / f"{name}.chunk{k}.time" for k in range(1, n + 1)]
    if (REUSE or REUSE_PEERS) and all(p.is_file() and p.stat().st_size for p in reps_done):
        walls = [read_time(p) for p in reps_done]
        return {"wall": max(w["wall"] for w in walls), "cpu": sum(w["cpu"] for w in walls),
                "rss": max(w["rss"] for w in walls), "load": "(reused run)"}
    load = uptime()
    t0 = time.time()
    procs = []
    for k in range(1, n + 1):
        args = [str(c).replace("{K}", str(k)) for c in cmd]
        log = open(out / f"{name}.chunk{k}.log", "w")  # noqa: SIM115
        procs.append((subprocess.Popen(["/usr/bin/time", "-v", "-o",
                                        str(out / f"{name}.chunk{k}.time"), *args],
                                       stdout=log, stderr=subprocess.STDOUT), log))
    for proc, log in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"{name} failed: see {log.name}")
        log.close()
    wall = time.time() - t0
    reps = [_time_report((out / f"{name}.chunk{k}.time").read_text()) for k in range(1, n + 1)]
    return {"wall": wall, "cpu": sum(r["cpu"] for r in reps),
            "rss": max(r["rss"] for r in reps), "load": load}


def read_time(path: Path) -> dict[str, float]:
    """wall, cpu, rss_mib of an existing /usr/bin/time -v report (for --report-only)."""
    text = path.read_text()

    def get(key: str) -> str:
        return re.search(rf"{key}: ([\d.:]+)", text).group(1)  # type: ignore[union-attr]

    elapsed = get("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")
    parts = [float(x) for x in elapsed.split(":")]
    wall = sum(v * 60 ** k for k, v in enumerate(reversed(parts)))
    return {"wall": wall, **_time_report(text)}


# ------------------------------------------------------------------------------- inputs
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
    return {"geno": d / "geno", "bed": d / "phenotypes.bed.gz", "cov": d / "covariates.txt",
            "vcf": d / "genotypes.chr22.vcf.gz", "bed6": d / "genes.50percent.chr22.bed.gz"}


def prepare_simulated(donors: int, variants: int, genes: int) -> dict[str, Path]:
    d = WORK / f"sim_{donors}_{variants}_{genes}"
    if not (d / "geno.pgen").is_file():
        from genotex.pipeline.expression_steps import compute_genotype_pcs
        from genotex.simulate import SimulationConfig, simulate
        from genotex.testing import prepare_simulated_tissue

        f = simulate(d / "cohort", SimulationConfig(
            n_donors=donors, n_genes=genes, variants_per_chrom=variants, tissues=("Lung",),
            chromosomes=("chr22",), seed=5), progress=False)
        pcs = compute_genotype_pcs(genotypes=f.plink_prefix, output=d / "pcs.txt", n_pcs=5)
        prepare_simulated_tissue(f, "Lung", d, genotype_pcs=pcs, n_hidden=None,
                                 genotypes=f.plink_prefix)
        sh("plink2", "--bfile", f.plink_prefix, "--output-chr", "chrM", "--make-pgen",
           "--threads", "2", "--out", d / "geno", stdout=subprocess.DEVNULL)
    return {"geno": d / "geno", "bed": d / "Lung.expression.bed.gz", "cov": d / "cov.txt",
            "truth": d / "cohort" / "truth" / "eqtls.tsv"}


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


# --------------------------------------------------------------------------------- runs
def _tq(inp: dict[str, Path], out: Path, n_perm: int, seed: int) -> list[object]:
    return [TQTL_PY, tensorqtl_script(), "--genotypes", inp["geno"], "--phenotypes",
            inp["bed"], "--covariates", inp["cov"], "--out", out / "tq", "--prefix", "tq",
            "--nperm", n_perm, "--seed", seed, "--maf", 0.01, "--threads", THREADS]


def _gx(inp: dict[str, Path], out: Path, prefix: str, mode: str) -> list[object]:
    """genotex through its tensorQTL drop-in command line."""
    return [GX, "qtl", inp["geno"], inp["bed"], prefix, "--covariates", inp["cov"], "--mode",
            mode, "--maf_threshold", 0.01, "--output_dir", out / "gx", "--threads", THREADS,
            "--quiet", "--precision", "float32"]


def run_genotex_tensorqtl(name: str, inp: dict[str, Path], *, n_perm: int, seed: int,
                          nominal: bool = True) -> dict[str, dict[str, object]]:
    out = WORK / "runs" / name
    if not REUSE:  # keep only the reference runs that --reuse-tensorqtl/--reuse-peers keep
        keep = {"peers"} if REUSE_PEERS else set()
        for p in out.glob("*") if out.is_dir() else []:
            if p.name in keep or (REUSE_TQ and p.name.startswith("tq")):
                continue
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    (out / "gx").mkdir(parents=True, exist_ok=True)
    perm = ["--permutations", n_perm, "--seed", seed]
    res = {
        "tensorQTL permute": timed("tq_permute", [*_tq(inp, out, n_perm, seed), "--mode",
                                                  "permute"], out),
        "genotex permute": timed("gx_permute", [*_gx(inp, out, "gx", "cis"), *perm], out),
        "genotex permute --adaptive": timed("gx_adaptive", [*_gx(inp, out, "gxa", "cis"),
                                                            *perm, "--adaptive"], out),
    }
    if nominal:
        res["tensorQTL nominal"] = timed("tq_nominal", [*_tq(inp, out, n_perm, seed), "--mode",
                                                        "nominal"], out)
        res["genotex nominal"] = timed("gx_nominal", _gx(inp, out, "gx", "cis_nominal"), out)
    return res


def run_peers(inp: dict[str, Path], *, n_perm: int, seed: int) -> dict[str, dict[str, object]]:
    """FastQTL and QTLtools on GEUVADIS, 2 chunk processes each (peers.sh's commands)."""
    out = WORK / "runs" / "geuvadis" / "peers"
    if not (REUSE or REUSE_PEERS):
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    fq = ["fastQTL", "--vcf", inp["vcf"], "--bed", inp["bed"], "--cov", inp["cov"], "--window",
          "1e6", "--maf-threshold", 0.01, "--seed", seed, "--chunk", "{K}", THREADS]
    qt = ["QTLtools", "cis", "--vcf", inp["vcf"], "--bed", inp["bed6"], "--cov", inp["cov"],
          "--window", 1_000_000, "--seed", seed, "--chunk", "{K}", THREADS]
    return {
        "FastQTL permute": timed_chunks("fastqtl_permute", THREADS, [
            *fq, "--permute", n_perm, "--out", out / "fastqtl_permute.{K}.txt.gz"], out),
        "FastQTL nominal": timed_chunks("fastqtl_nominal", THREADS, [
            *fq, "--out", out / "fastqtl_nominal.{K}.txt.gz"], out),
        "QTLtools permute": timed_chunks("qtltools_permute", THREADS, [
            *qt, "--permute", n_perm, "--out", out / "qtltools_permute.{K}.txt.gz"], out),
        "QTLtools nominal": timed_chunks("qtltools_nominal", THREADS, [
            *qt, "--nominal", 1, "--out", out / "qtltools_nominal.{K}.txt.gz"], out),
    }


def peer_agreement(gx: pd.DataFrame) -> dict[str, float]:
    """Spearman of the peers' beta p-values with genotex's (different permutations)."""
    out = WORK / "runs" / "geuvadis" / "peers"
    res: dict[str, float] = {}
    fq = pd.concat([pd.read_csv(p, sep=r"\s+", header=None)
                    for p in sorted(out.glob("fastqtl_permute.*.txt.gz"))])
    fq = fq.set_index(0).iloc[:, -1].dropna()  # bpval is the last column
    qt = pd.concat([pd.read_csv(p, sep=r"\s+", header=None)
                    for p in sorted(out.glob("qtltools_permute.*.txt.gz"))])
    qt = qt.set_index(0).iloc[:, -1].dropna()  # bpval is the last column
    for name, p in (("FastQTL", fq), ("QTLtools", qt)):
        common = p.index.intersection(gx.index)
        res[f"{name}_genes"] = len(p)
        res[f"{name}_spearman_pval_beta"] = float(stats.spearmanr(
            p.loc[common], gx.loc[common, "pval_beta"])[0])
        try:
            q = __import__("genotex.qtl", fromlist=["qvalue"]).qvalue(p.to_numpy()).qvalues
            res[f"{name}_egenes"] = int((q <= 0.05).sum())
        except ValueError:  # pi0 not estimable
            res[f"{name}_egenes"] = -1
    return res


def _b38(pvar: Path) -> pd.Series:
    """pvar ID -> chrom_pos_ref_alt_b38 (genotex's ID of the same variant)."""
    skip = sum(1 for line in pvar.open() if line.startswith("##"))
    v = pd.read_csv(pvar, sep="\t", skiprows=skip, dtype=str, usecols=range(5))
    ids = v["#CHROM"] + "_" + v["POS"] + "_" + v["REF"] + "_" + v["ALT"] + "_b38"
    return pd.Series(ids.to_numpy(), index=v["ID"].to_numpy())


def _tensorqtl_egenes(out: Path) -> pd.DataFrame:
    tq = pd.read_csv(out / "tq" / "tq.cis_qtl.txt.gz", sep="\t", index_col=0)
    from genotex.qtl import qvalue

    if tq["qval"].isna().all():  # rpy2 absent: R qvalue's algorithm (genotex.qtl.qvalue)
        tq["qval"] = qvalue(tq["pval_beta"].to_numpy()).qvalues
    return tq


#: |log2 aFC| bins of the planted eQTLs for the power table.
EFFECT_BINS = (0.5, 1.0, np.inf)


def planted_truth(out: Path, truth: Path, tissue: str = "Lung") -> dict[str, dict[str, Any]]:
    """eGene calls (q ≤ 0.05) of each tool against the simulator's planted eQTLs: a called
    gene without a planted eQTL is a false discovery; power overall and by the largest
    |log2 aFC| of the gene's planted eQTLs."""
    t = pd.read_csv(truth, sep="\t")
    effect = t[t["tissue_id"] == tissue].groupby("gene_id")["effect_size"].apply(
        lambda e: e.abs().max())
    tables = {"tensorQTL permute": _tensorqtl_egenes(out),
              "genotex permute": pd.read_parquet(out / "gx" / "gx.cis_qtl.parquet"),
              "genotex permute --adaptive": pd.read_parquet(out / "gx" / "gxa.cis_qtl.parquet")}
    res: dict[str, dict[str, Any]] = {}
    for tool, table in tables.items():
        tested = set(table.index)
        planted = set(effect.index) & tested
        called = set(table.index[table["qval"] <= 0.05])
        bins = {}
        for lo, hi in itertools.pairwise((0.0, *EFFECT_BINS)):
            genes = set(effect.index[(effect >= lo) & (effect < hi)]) & tested
            bins[f"[{lo:g}, {hi:g})"] = (len(genes), len(genes & called))
        res[tool] = {"tested": len(tested), "planted": len(planted), "called": len(called),
                     "true": len(called & planted), "bins": bins}
    return res


def _truth_lines(truth: dict[str, dict[str, Any]]) -> list[str]:
    first = next(iter(truth.values()))
    bins = list(first["bins"])
    lines = [f"Planted truth: {first['tested']} genes tested, {first['planted']} with a planted "
             "Lung eQTL (the simulator's truth/eqtls.tsv; effect = log2 allelic fold change). "
             "eGenes at q ≤ 0.05; a called gene without a planted eQTL is a false discovery.",
             "", "| tool | eGenes | true | empirical FDR | power | "
             + " | ".join(f"power, \\|log2 aFC\\| {b} (genes)" for b in bins) + " |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(bins)]
    for tool, r in truth.items():
        called, true, planted = r["called"], r["true"], r["planted"]
        cells = [f"{k / n:.2f} ({n})" if n else "– (0)" for n, k in r["bins"].values()]
        lines.append(f"| {tool} | {called} | {true} | {(called - true) / max(called, 1):.3f} | "
                     f"{true / max(planted, 1):.3f} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def agreement(out: Path, pvar: Path, *, nominal: bool = True) -> dict[str, float]:
    tq = _tensorqtl_egenes(out)
    gx = pd.read_parquet(out / "gx" / "gx.cis_qtl.parquet")
    gxa = pd.read_parquet(out / "gx" / "gxa.cis_qtl.parquet")
    common = tq.index.intersection(gx.index)
    a, b = tq.loc[common], gx.loc[common]
    to_b38 = _b38(pvar)
    tq_top = a["variant_id"].map(to_b38).fillna(a["variant_id"])
    gx_top = b["variant_id"].map(to_b38).fillna(b["variant_id"])  # pvar IDs kept by genotex
    same_top = float((tq_top == gx_top).mean())
    tied = (tq_top != gx_top) & np.isclose(a["pval_nominal"], b["pval_nominal"], rtol=1e-4)
    rel_beta = np.abs(b["pval_beta"] - a["pval_beta"]) / a["pval_beta"]
    res = {
        "genes_tq": len(tq), "genes_gx": len(gx),
        "spearman_pval_beta": float(stats.spearmanr(a["pval_beta"], b["pval_beta"])[0]),
        "max_rel_pval_beta": float(rel_beta.max()),
        "same_top": same_top, "same_or_tied_top": same_top + float(tied.mean()),
        "egenes_tq": int((tq["qval"] <= 0.05).sum()), "egenes_gx": int((gx["qval"] <= 0.05).sum()),
        "egenes_shared": int(((a["qval"] <= 0.05) & (b["qval"] <= 0.05)).sum()),
        "egenes_adaptive": int((gxa["qval"] <= 0.05).sum()),
        "egenes_adaptive_shared": int(((gxa.loc[common, "qval"] <= 0.05)
                                       & (b["qval"] <= 0.05)).sum()),
        "adaptive_mean_perm": float(gxa["num_perm"].mean()),
        "num_var_equal": float((a["num_var"] == b["num_var"]).mean()),
        "mean_num_var": float(gx["num_var"].mean()),
        "flop": float(2.0 * gx["num_var"].sum()),  # x samples x (n_perm + 1) later
    }
    if nominal:
        tqp = pd.concat([pd.read_parquet(p) for p in sorted((out / "tq").glob("*.parquet"))])
        tqp["variant_id"] = tqp["variant_id"].map(to_b38).fillna(tqp["variant_id"])
        gxp = pd.concat([pd.read_parquet(p)
                         for p in sorted((out / "gx").glob("gx.cis_qtl_pairs.*.parquet"))])
        m = tqp.merge(gxp, on=["phenotype_id", "variant_id"], suffixes=("_tq", "_gx"))
        ok = m["pval_nominal_tq"] > 0
        lt, lg = np.log10(m.loc[ok, "pval_nominal_tq"]), np.log10(m.loc[ok, "pval_nominal_gx"])
        res.update({
            "pairs_tq": len(tqp), "pairs_gx": len(gxp), "pairs_matched": len(m),
            "max_rel_dlog10_nominal": float(np.max(np.abs(lg - lt)
                                                   / np.maximum(np.abs(lt), 1))),
            "max_rel_slope": float(np.max(np.abs(m["slope_gx"] - m["slope_tq"])
                                          / np.maximum(np.abs(m["slope_tq"]), 1e-3))),
        })
    return res


def mapping_seconds(out: Path, name: str) -> float | None:
    """Seconds of the permutation passes alone (inputs loaded, before q-values and writing):
    genotex's ``(permutation passes X s)`` line, tensorQTL's ``map_s`` (its "Time elapsed")."""
    log = out / f"{name}.log"
    if not log.is_file():
        return None
    text = log.read_text()
    m = re.search(r"\(permutation passes ([0-9.]+) s\)", text) or re.search(
        r'"map_s": ([0-9.]+)', text)
    return float(m.group(1)) if m else None


def numpy_peak_gflops() -> dict[str, object]:
    """Best float32 matmul rate numpy reaches here on THREADS threads (4096^2 x 4096)."""
    code = ("import numpy as np, time\nfrom threadpoolctl import threadpool_limits\n"
            f"threadpool_limits({THREADS})\n"
            "a = np.random.rand(4096, 4096).astype(np.float32); b = a.T.copy(); best = 1e9\n"
            "for _ in range(5):\n    t = time.perf_counter(); a @ b\n"
            "    best = min(best, time.perf_counter() - t)\n"
            "print(2 * 4096 ** 3 / best / 1e9)")
    load = uptime()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return {"gflops": float(out.strip()), "load": load}


def n_samples(bed: Path) -> int:
    from genotex.io import read_phenotype_bed

    return int(read_phenotype_bed(bed).values.shape[1])


# ------------------------------------------------------------------------------- report
def _cost_table(cost: dict[str, dict[str, object]], ref: str) -> list[str]:
    lines = [f"| step | wall s | CPU s | peak RSS MiB | wall / {ref} | load before (1/5/15 min) |",
             "|---|---|---|---|---|---|"]
    for step, v in cost.items():
        kind = "permute" if "permute" in step else "nominal"
        r = cost.get(f"{ref} {kind}")
        ratio = f"{v['wall'] / r['wall']:.2f}" if r and not step.startswith(ref) else ""  # type: ignore[operator]
        lines.append(f"| {step} | {v['wall']:.1f} | {v['cpu']:.1f} | {v['rss']:.0f} | {ratio} "
                     f"| {v.get('load', '')} |")
    return lines


def _agree_lines(a: dict[str, float]) -> list[str]:
    lines = [f"- phenotypes: tensorQTL {a['genes_tq']}, genotex {a['genes_gx']}; num_var equal "
             f"for {a['num_var_equal']:.1%} (mean {a['mean_num_var']:.0f} variants per window)",
             f"- eGenes at q ≤ 0.05 (R qvalue's algorithm on both): tensorQTL {a['egenes_tq']}, "
             f"genotex {a['egenes_gx']}, shared {a['egenes_shared']}; adaptive "
             f"{a['egenes_adaptive']} (shared with exact {a['egenes_adaptive_shared']}, mean "
             f"{a['adaptive_mean_perm']:.0f} permutations per gene)",
             f"- pval_beta Spearman {a['spearman_pval_beta']:.6f}, max relative difference "
             f"{a['max_rel_pval_beta']:.1e} (same permutations: legacy-RNG seed)",
             f"- same top variant (IDs normalized through the pvar) {a['same_top']:.1%}; same or "
             f"tied within 1e-4 relative p {a['same_or_tied_top']:.1%}"]
    if "pairs_tq" in a:
        lines.append(f"- nominal pairs: tensorQTL {a['pairs_tq']:,}, genotex {a['pairs_gx']:,}, "
                     f"matched {a['pairs_matched']:,}; max |Δlog10 p|/max(1, |log10 p|) "
                     f"{a['max_rel_dlog10_nominal']:.1e}; max relative slope difference "
                     f"{a['max_rel_slope']:.1e}")
    return lines


def report(results: dict[str, dict], args: argparse.Namespace) -> str:
    lines = ["# cis-QTL mapping: genotex vs tensorQTL 1.0.10, FastQTL, QTLtools (CPU, 2 cores)",
             "", f"Generated by `bench/cis_mapping.py{' --quick' if args.quick else ''}`. Each "
             "step ran once, one after another, in child processes under `/usr/bin/time -v`, "
             f"on the same inputs (±1 Mb, MAF ≥ 0.01, {args.perm} permutations, seed "
             f"{args.seed}). genotex: its tensorQTL drop-in CLI with `--precision float32 "
             "--threads 2`; tensorQTL: torch 2 threads (`/work/shared/peers/tensorqtl_run.py`, "
             "its rpy2 q-value step skipped and q-values computed with `genotex.qtl.qvalue`); "
             "FastQTL/QTLtools: 2 chunk processes at once (wall = both, CPU = sum, RSS = "
             "largest). Wall and CPU include start-up and imports. The load column is "
             "`uptime` before each step: other jobs shared this machine, so compare ratios "
             "of steps run under similar load.", ""]
    for name, r in results.items():
        lines += [f"## {name}", "", *_cost_table(r["cost"], "tensorQTL"), ""]
        ex, ad = r["cost"].get("genotex permute"), r["cost"].get("genotex permute --adaptive")
        if ex and ad:
            lines += [f"genotex exact / --adaptive wall: {ex['wall'] / ad['wall']:.2f}× "
                      f"(CPU {ex['cpu'] / ad['cpu']:.2f}×).", ""]
        if "agree" in r:
            lines += ["Agreement (genotex vs tensorQTL):", "", *_agree_lines(r["agree"]), ""]
        if "peers" in r:
            p = r["peers"]
            lines += [f"- FastQTL: {p['FastQTL_genes']} genes, {p['FastQTL_egenes']} eGenes, "
                      f"pval_beta Spearman with genotex {p['FastQTL_spearman_pval_beta']:.4f}; "
                      f"QTLtools: {p['QTLtools_genes']} genes, {p['QTLtools_egenes']} eGenes, "
                      f"Spearman {p['QTLtools_spearman_pval_beta']:.4f} (own permutations)", ""]
        if "truth" in r:
            lines += _truth_lines(r["truth"])
        if "gflops" in r:
            g = r["gflops"]
            lines += [f"Genotype × permuted-phenotype products: {g['flop'] / 1e12:.2f} TFLOP "
                      f"(2 · Σ num_var · samples · (permutations + 1)). numpy float32 matmul "
                      f"peak on 2 threads: {g['peak']:.0f} GFLOP/s (load {g['peak_load']}).", "",
                      "| tool | GFLOP/s over the whole wall | % of numpy peak | permutation "
                      "passes s | GFLOP/s in them | % of numpy peak |",
                      "|---|---|---|---|---|---|"]
            for tool, rate in g["rates"].items():
                sec = g.get("mapping_s", {}).get(tool)
                inner = ("| – | – | – |" if not sec else
                         f"| {sec:.1f} | {g['flop'] / sec / 1e9:.1f} | "
                         f"{100 * g['flop'] / sec / 1e9 / g['peak']:.0f} % |")
                lines.append(f"| {tool} | {rate:.1f} | {100 * rate / g['peak']:.0f} % {inner}")
            lines += ["", "Permutation passes: the mapping alone, after the inputs are loaded "
                      "and before q-values and writing (tensorQTL's own \"Time elapsed\", "
                      "`map_s` of the peers script; genotex's `(permutation passes X s)`); "
                      "the whole wall adds process start-up, imports and input loading.", ""]
    lines += ["Reference numbers measured earlier on this machine (quiet, "
              "`/work/shared/peers/results/peers.md`): tensorQTL permute 80 s, nominal 38 s; "
              "FastQTL permute 511 s, nominal 15 s; QTLtools permute 158 s, nominal 13 s.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="100 permutations, a 400-donor simulated tissue")
    ap.add_argument("--perm", type=int, default=None, help="default 1000 (--quick: 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sim-donors", type=int, default=None, help="default 1200 (~1000 samples)")
    ap.add_argument("--sim-variants", type=int, default=None,
                    help="chr22 variants; default 125,000 (~5,000 per ±1 Mb window)")
    ap.add_argument("--sim-genes", type=int, default=800,
                    help="genes simulated on chr22 (default 800: ~610 expressed, as many as a "
                    "GTEx tissue tests there: 2.2%% of GENCODE v26's 56,107 genes are on chr22)")
    ap.add_argument("--output", type=Path, default=None,
                    help="report path (default bench/results/cis_mapping[_quick].md)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the runs already in bench/work (same settings) and only run "
                    "the missing steps, e.g. after an interruption")
    ap.add_argument("--reuse-tensorqtl", action="store_true",
                    help="keep tensorQTL's previous runs (same settings) and rerun genotex only")
    ap.add_argument("--reuse-peers", action="store_true",
                    help="keep FastQTL's and QTLtools' previous GEUVADIS runs")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["geuvadis", "peers", "simulated"])
    args = ap.parse_args()
    global REUSE, REUSE_TQ, REUSE_PEERS
    REUSE, REUSE_TQ, REUSE_PEERS = args.reuse, args.reuse_tensorqtl, args.reuse_peers
    q = args.quick
    args.perm = args.perm or (100 if q else 1000)
    donors = args.sim_donors or (400 if q else 1200)
    variants = args.sim_variants or (40_000 if q else 125_000)
    results: dict[str, dict] = {}
    if "geuvadis" not in args.skip:
        inp = prepare_geuvadis()
        r: dict[str, object] = {"cost": run_genotex_tensorqtl("geuvadis", inp, n_perm=args.perm,
                                                              seed=args.seed)}
        r["agree"] = agreement(WORK / "runs" / "geuvadis", Path(f"{inp['geno']}.pvar"))
        if "peers" not in args.skip:
            r["cost"].update(run_peers(inp, n_perm=args.perm, seed=args.seed))  # type: ignore[union-attr]
            gx = pd.read_parquet(WORK / "runs" / "geuvadis" / "gx" / "gx.cis_qtl.parquet")
            r["peers"] = peer_agreement(gx)
        results["GEUVADIS chr22 (608 genes, 358 samples, 53 covariates, 85,485 variants)"] = r
    if "simulated" not in args.skip:
        inp = prepare_simulated(donors, variants, args.sim_genes)
        name = f"simulated_{donors}_{variants}_{args.sim_genes}"
        cost = run_genotex_tensorqtl(name, inp, n_perm=args.perm, seed=args.seed,
                                     nominal=False)
        agree = agreement(WORK / "runs" / name, Path(f"{inp['geno']}.pvar"), nominal=False)
        flop = agree["flop"] * n_samples(inp["bed"]) * (args.perm + 1)
        peak = numpy_peak_gflops()
        rates = {k: flop / v["wall"] / 1e9 for k, v in cost.items()}  # type: ignore[operator]
        runs = WORK / "runs" / name
        logs = {"tensorQTL permute": "tq_permute", "genotex permute": "gx_permute",
                "genotex permute --adaptive": "gx_adaptive"}
        mapping = {k: mapping_seconds(runs, logs[k]) for k in cost if k in logs}
        results[f"Simulated Lung, chr22 ({n_samples(inp['bed'])} samples, {variants:,} "
                f"variants, {args.sim_genes} genes simulated)"] = {
            "cost": cost, "agree": agree, "truth": planted_truth(runs, inp["truth"]),
            "gflops": {"flop": flop, "peak": peak["gflops"], "peak_load": peak["load"],
                       "rates": rates, "mapping_s": mapping}}
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str))
    out = args.output or ROOT / "bench" / "results" / (
        "cis_mapping_quick.md" if q else "cis_mapping.md")
    out.write_text(report(results, args))
    print(out.read_text())


if __name__ == "__main__":
    main()
