"""Benchmark: prepare one tissue's expression BED, genotex beside the GTEx reference script.

Writes (once, under ``bench/work/expr_prep_<samples>x<genes>/``, git-ignored, seeded) one
simulated tissue of 700 RNA-seq samples × 56,000 genes in the GTEx input layout:

* ``counts.gct.gz`` — negative-binomial read counts: ~12 % silent genes, ~38 % barely
  expressed, the rest log-normally spread over five orders of magnitude, per-sample depth;
* ``tpm.gct.gz`` — TPM from those counts and per-gene effective lengths (``%.6g``);
* ``genes.gtf`` — a collapsed-style GTF (gene, transcript and exon lines) of 56,000 genes on
  chr1–22 and chrX, with the real GENCODE v26 coordinates of
  ``../shared/data/gencode_v26_genes.tsv.gz`` when it is present (topped up with synthetic
  genes to 56,000), synthetic coordinates otherwise;
* ``sample_participant_lookup.tsv`` — headerless sample → donor;
* ``donors.{bed,bim,fam}`` — a tiny PLINK file of the 700 donors (3 variants per chromosome,
  donors in shuffled order), from which ``genotex expression prepare`` takes its donors and
  chromosomes; ``chrs.txt`` gives the reference script the same chromosomes (``--chrs``).

The GCTs are written 2,000 genes at a time (only the int32 count matrix is held in memory).
Then, one after another and ``--repeats`` times each, it runs in child processes

(a) gtex-pipeline ``qtl/src/eqtl_prepare_expression.py`` @ 728ea22 with the reference
    environment ``.venv-ref-expr`` (pyqtl = PyPI ``qtl``, pandas < 3), and
(b) ``genotex expression prepare`` with ``.venv``,

both with ``OMP/OPENBLAS/MKL_NUM_THREADS`` set to ``--threads``, measuring each child's wall
time, CPU time (user + sys, children included) and peak RSS with ``os.wait4``. The best run of
each is reported, and the two BEDs are compared (genes, order, coordinates, donors, max abs
difference of the values). Results go to ``bench/results/expression_prepare.md``.

The reference script is not part of this repository: put it at
``bench/work/eqtl_prepare_expression.py`` (or pass ``--script``), e.g. from a clone of
broadinstitute/gtex-pipeline: ``git show 728ea22:qtl/src/eqtl_prepare_expression.py``.

Usage::

    .venv/bin/python bench/expression_prepare.py [--samples 700] [--genes 56000]
        [--repeats 2] [--threads 2] [--regenerate] [--profile]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work" / "expr_prep_700x56000"  # per input size, set in main()
RESULTS = HERE / "results" / "expression_prepare.md"
SCRIPT = HERE / "work" / "eqtl_prepare_expression.py"
REF_PYTHON = ROOT / ".venv-ref-expr" / "bin" / "python"
GENOTEX_PYTHON = ROOT / ".venv" / "bin" / "python"
GENCODE = ROOT.parent / "shared" / "data" / "gencode_v26_genes.tsv.gz"
CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
BLOCK = 2_000
SEED = 20240611


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------

def simulate_genes(rng: np.random.Generator, n_genes: int) -> tuple[pd.DataFrame, str]:
    """``n_genes`` genes on chr1–22, chrX: GENCODE v26 coordinates when available."""
    parts = []
    source = "synthetic"
    if GENCODE.is_file():
        real = pd.read_csv(GENCODE, sep="\t", dtype={"chr": str})
        real = real[real["chr"].isin(CHROMS)].drop_duplicates("gene_id")
        real = real.rename(columns={"chr": "chrom"})[
            ["gene_id", "gene_name", "chrom", "start", "end", "strand"]].iloc[:n_genes]
        parts.append(real)
        source = f"GENCODE v26 ({len(real):,} real genes"
    n_synth = n_genes - sum(len(p) for p in parts)
    if n_synth > 0:
        chrom = rng.choice(CHROMS, size=n_synth)
        start = rng.integers(10_000, 150_000_000, size=n_synth)
        parts.append(pd.DataFrame({
            "gene_id": [f"ENSGSIM{i:011d}.1" for i in range(n_synth)],
            "gene_name": [f"SIM{i}" for i in range(n_synth)],
            "chrom": chrom, "start": start,
            "end": start + rng.integers(300, 300_000, size=n_synth),
            "strand": rng.choice(["+", "-"], size=n_synth)}))
        if source != "synthetic":
            source += f" + {n_synth:,} synthetic)"
    elif source != "synthetic":
        source += ")"
    genes = pd.concat(parts, ignore_index=True)
    # collapsed-model exons: 1 to ~40 per gene (geometric, mean ~6), inside the gene span
    genes["n_exons"] = np.minimum(rng.geometric(1 / 6, size=len(genes)), 40)
    return genes, source


def write_gtf(genes: pd.DataFrame, path: Path) -> int:
    """Collapsed-style GTF (gene, transcript, exons), as the GTEx ``genes.gtf``; returns lines."""
    n = 0
    with open(path, "w") as f:
        f.write("##description: benchmark collapsed gene model\n##format: gtf\n")
        for g in genes.itertuples(index=False):
            attrs = (f'gene_id "{g.gene_id}"; gene_type "protein_coding"; '
                     f'gene_name "{g.gene_name}";')
            tx = (f'gene_id "{g.gene_id}"; transcript_id "{g.gene_id}"; gene_type '
                  f'"protein_coding"; gene_name "{g.gene_name}"; transcript_type '
                  f'"protein_coding"; transcript_name "{g.gene_name}";')
            head = f"{g.chrom}\tBENCH\t"
            tail = f"\t.\t{g.strand}\t."
            lines = [f"{head}gene\t{g.start}\t{g.end}{tail}\t{attrs}",
                     f"{head}transcript\t{g.start}\t{g.end}{tail}\t{tx}"]
            edges = np.linspace(g.start, g.end, 2 * g.n_exons).astype(np.int64)
            for k in range(g.n_exons):
                s, e = edges[2 * k], max(edges[2 * k], edges[2 * k + 1] - 1)
                lines.append(f"{head}exon\t{s}\t{e}{tail}\t{tx} exon_number {k + 1};")
            f.write("\n".join(lines) + "\n")
            n += len(lines)
    return n + 2


def simulate_counts(rng: np.random.Generator, n_genes: int, n_samples: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(n_genes, n_samples) int32 NB counts and (n_genes,) effective lengths in kb."""
    kind = rng.choice(3, size=n_genes, p=[0.12, 0.38, 0.50])
    mu = np.where(kind == 1, rng.lognormal(np.log(0.5), 1.0, size=n_genes),
                  rng.lognormal(np.log(150.0), 2.0, size=n_genes))
    mu[kind == 0] = 0.0
    phi = rng.uniform(0.05, 0.6, size=n_genes)              # NB dispersion per gene
    depth = rng.lognormal(0.0, 0.35, size=n_samples)        # sequencing depth per sample
    eff_len = np.clip(rng.lognormal(np.log(1.8), 0.8, size=n_genes), 0.1, 100.0)
    counts = np.empty((n_genes, n_samples), dtype=np.int32)
    size = 1.0 / phi
    for a in range(0, n_genes, BLOCK):
        b = min(a + BLOCK, n_genes)
        m = np.outer(mu[a:b], depth)
        p = size[a:b, None] / (size[a:b, None] + m)
        counts[a:b] = rng.negative_binomial(size[a:b, None], p)
    return counts, eff_len


def _write_gct_blocks(path: Path, gene_ids: np.ndarray, samples: list[str], n_genes: int,
                      block, float_format: str | None) -> None:
    """Stream a GCT v1.2 (gzip level 1) ``BLOCK`` genes at a time; ``block(a, b)`` → rows."""
    with gzip.open(path, "wt", compresslevel=1) as f:
        f.write(f"#1.2\n{n_genes}\t{len(samples)}\n")
        f.write("Name\tDescription\t" + "\t".join(samples) + "\n")
        for a in range(0, n_genes, BLOCK):
            b = min(a + BLOCK, n_genes)
            df = pd.DataFrame(block(a, b), columns=samples)
            df.insert(0, "Description", gene_ids[a:b])
            df.insert(0, "Name", gene_ids[a:b])
            df.to_csv(f, sep="\t", index=False, header=False, float_format=float_format,
                      lineterminator="\n")


def generate(n_samples: int, n_genes: int) -> dict[str, object]:
    from genotex.io.plink import write_plink

    WORK.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    genes, source = simulate_genes(rng, n_genes)
    # the GCT rows are in a different order from the annotation, as in GTEx
    order = rng.permutation(n_genes)
    gene_ids = genes["gene_id"].to_numpy()[order]
    gtf_lines = write_gtf(genes, WORK / "genes.gtf")
    donors = [f"GTEX-{0x11000 + j:05X}" for j in range(n_samples)]
    samples = [f"{d}-{rng.integers(1, 3000):04d}-SM-{rng.integers(0, 36**5):07X}"
               for d in donors]
    pd.Series(donors, index=samples).to_csv(WORK / "sample_participant_lookup.tsv", sep="\t",
                                            header=False)
    counts, eff_len = simulate_counts(rng, n_genes, n_samples)
    rpk_sum = np.zeros(n_samples)
    for a in range(0, n_genes, BLOCK):
        rpk_sum += (counts[a:a + BLOCK] / eff_len[a:a + BLOCK, None]).sum(axis=0)
    _write_gct_blocks(WORK / "counts.gct.gz", gene_ids, samples, n_genes,
                      lambda a, b: counts[a:b], None)
    _write_gct_blocks(WORK / "tpm.gct.gz", gene_ids, samples, n_genes,
                      lambda a, b: counts[a:b] / eff_len[a:b, None] / rpk_sum * 1e6, "%.6g")
    # genotypes: 3 variants per chromosome, donors in shuffled order
    variants = pd.DataFrame({"chrom": np.repeat(CHROMS, 3),
                             "pos": np.tile([1_000_000, 2_000_000, 3_000_000], len(CHROMS)),
                             "ref": "A", "alt": "G"})
    geno = rng.integers(0, 3, size=(len(variants), n_samples)).astype(np.int8)
    perm = rng.permutation(n_samples)
    write_plink(WORK / "donors", variants, [donors[i] for i in perm], geno[:, perm])
    (WORK / "chrs.txt").write_text("\n".join(CHROMS) + "\n")
    info = {"samples": n_samples, "genes": n_genes, "annotation": source,
            "gtf_lines": gtf_lines, "seed": SEED,
            "all_zero_genes": int((counts.max(axis=1) == 0).sum()),
            "counts_gct_mb": round((WORK / "counts.gct.gz").stat().st_size / 2**20, 1),
            "tpm_gct_mb": round((WORK / "tpm.gct.gz").stat().st_size / 2**20, 1),
            "generate_s": round(time.perf_counter() - t0, 1)}
    (WORK / "inputs.json").write_text(json.dumps(info, indent=1))
    return info


# ---------------------------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------------------------

def _env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMEXPR_NUM_THREADS"):
        env[var] = str(threads)
    env.pop("PYTHONPATH", None)
    return env


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``cmd``; wall seconds, CPU seconds (user+sys) and peak RSS (MiB) of its process tree.

    ``os.wait4`` returns the child's rusage, which includes the descendants it waited for
    (bgzip/tabix of the reference script); ``ru_maxrss`` is the largest single process.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=WORK)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{out.decode()}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
            "peak_rss_mib": ru.ru_maxrss / 1024, "log": out.decode().strip()}


def commands(script: Path) -> dict[str, list[str]]:
    ref_out, gx_out = WORK / "out_reference", WORK / "out_genotex"
    ref_out.mkdir(exist_ok=True)
    gx_out.mkdir(exist_ok=True)
    return {
        "reference": [str(REF_PYTHON), str(script), "tpm.gct.gz", "counts.gct.gz", "genes.gtf",
                      "sample_participant_lookup.tsv", "Tissue", "-o", str(ref_out),
                      "--chrs", "chrs.txt"],
        "genotex": [str(GENOTEX_PYTHON), "-m", "genotex", "expression", "prepare",
                    "tpm.gct.gz", "counts.gct.gz", "genes.gtf",
                    "sample_participant_lookup.tsv", "donors.bed", "Tissue", "-o",
                    str(gx_out)],
    }


def compare() -> dict[str, object]:
    """Genes, order, coordinates, donors and values of the two BEDs."""
    ref = pd.read_csv(WORK / "out_reference" / "Tissue.expression.bed.gz", sep="\t",
                      dtype={"#chr": str})
    gx = pd.read_csv(WORK / "out_genotex" / "Tissue.expression.bed.gz", sep="\t",
                     dtype={"#chr": str})
    ref_id, gx_id = ref.columns[3], gx.columns[3]
    same_set = set(ref[ref_id]) == set(gx[gx_id])
    same_order = same_set and ref[ref_id].tolist() == gx[gx_id].tolist()
    out: dict[str, object] = {
        "genes_reference": len(ref), "genes_genotex": len(gx), "same_gene_set": same_set,
        "same_gene_order": same_order,
        "same_donors_and_order": list(ref.columns[4:]) == list(gx.columns[4:]),
        "donors": len(ref.columns) - 4,
    }
    g = gx.set_index(gx_id).loc[ref[ref_id]]
    out["same_coordinates"] = bool(
        (g["#chr"].to_numpy() == ref["#chr"].to_numpy()).all()
        and (g["start"].to_numpy() == ref["start"].to_numpy()).all()
        and (g["end"].to_numpy() == ref["end"].to_numpy()).all())
    a = ref.iloc[:, 4:].to_numpy(dtype=np.float64)
    b = g.loc[:, ref.columns[4:]].to_numpy(dtype=np.float64)
    out["max_abs_diff"] = float(np.max(np.abs(a - b)))
    with gzip.open(WORK / "out_reference" / "Tissue.expression.bed.gz") as fr, \
            gzip.open(WORK / "out_genotex" / "Tissue.expression.bed.gz") as fg:
        ref_text, gx_text = fr.read(), fg.read()
    ra, ga = ref_text.split(b"\n", 1), gx_text.split(b"\n", 1)
    out["header_reference"] = " ".join(ra[0].decode().split("\t")[:5])
    out["header_genotex"] = " ".join(ga[0].decode().split("\t")[:5])
    out["data_lines_identical"] = ra[1] == ga[1]
    ref_lines, gx_lines = ra[1].split(b"\n"), ga[1].split(b"\n")
    out["data_lines_identical_as_set"] = sorted(ref_lines) == sorted(gx_lines)
    moved = np.flatnonzero(ref[ref_id].to_numpy() != gx[gx_id].to_numpy())
    out["rows_in_other_position"] = len(moved)
    tss = list(zip(ref["#chr"], ref["start"], ref["end"], strict=True))
    out["moved_rows_all_share_tss"] = all(
        (i > 0 and tss[i - 1] == tss[i]) or (i + 1 < len(tss) and tss[i + 1] == tss[i])
        for i in moved)
    out["rows_sharing_tss"] = sum(
        (i > 0 and tss[i - 1] == tss[i]) or (i + 1 < len(tss) and tss[i + 1] == tss[i])
        for i in range(len(tss)))
    out["moved_examples"] = [f"{tss[i][0]}:{tss[i][2]} ref {ref[ref_id].iloc[i]} / genotex "
                             f"{gx[gx_id].iloc[i]}" for i in moved[:4]]
    return out


#: (label, file suffix, function name) of the phases each tool spends its time in
PHASES = {
    "reference": [
        ("read the two GCTs", "qtl/io.py", "read_gct"),
        ("TMM factors", "qtl/norm.py", "edger_calcnormfactors"),
        ("CPM (incl. TMM)", "qtl/norm.py", "edger_cpm"),
        ("inverse normal transform", "qtl/norm.py", "inverse_normal_transform"),
        ("read GTF → TSS table", "qtl/io.py", "gtf_to_tss_bed"),
        ("merge + sort", "pandas/core/reshape/merge.py", "merge"),
        ("sort BED", "qtl/io.py", "sort_bed"),
        ("write BED (to_csv → bgzip pipe) + tabix", "qtl/io.py", "write_bed"),
    ],
    "genotex": [
        ("read the two GCTs", "genotex/io/gct.py", "read_gct"),
        ("read genotype file (donors, chromosomes)", "genotex/pipeline/expression_steps.py",
         "_genotyped"),
        ("TMM factors", "genotex/expression/tmm.py", "tmm_norm_factors"),
        ("CPM (incl. TMM)", "genotex/expression/tmm.py", "edger_cpm"),
        ("gene filter", "genotex/expression/filters.py", "expressed_genes_mask"),
        ("inverse normal transform", "genotex/expression/inverse_normal.py",
         "inverse_normal_transform"),
        ("read GTF → gene table", "genotex/io/gtf.py", "read_gene_annotation"),
        ("TSS positions + assemble BED", "genotex/expression/prepare.py", "expression_bed"),
        ("write BED (checks, to_csv → in-process BGZF) + tabix", "genotex/io/bed.py",
         "write_phenotype_bed"),
        ("… of which to_csv + compression", "pandas/io/formats/csvs.py", "save"),
        ("… of which tabix index", "genotex/io/_checks.py", "tabix_index"),
    ],
}


def _cumtime(stats: pstats.Stats, suffix: str, func: str) -> float:
    table = stats.stats  # type: ignore[attr-defined]
    return sum(v[3] for (fn, _, name), v in table.items()
               if name == func and fn.endswith(suffix))


def profile_phases(script: Path, threads: int) -> str:
    """cProfile one run of each tool in a child; a table of CPU seconds per phase (cumulative)."""
    rows: list[str] = []
    totals = {}
    for name, cmd in commands(script).items():
        prof = WORK / f"{name}.prof"
        # CPU-time profiler (time.process_time): the shares do not depend on the machine's load
        target = ("runpy.run_module('genotex', run_name='__main__')" if name == "genotex"
                  else f"runpy.run_path({cmd[1]!r}, run_name='__main__')")
        args = cmd[3:] if name == "genotex" else cmd[2:]
        code = (f"import cProfile, runpy, sys, time; sys.argv = ['prog'] + {args!r}; "
                f"p = cProfile.Profile(time.process_time); p.enable()\n"
                f"try:\n    {target}\nexcept SystemExit:\n    pass\n"
                f"p.disable(); p.dump_stats({str(prof)!r})")
        cmd = [cmd[0], "-c", code]
        measure(cmd, _env(threads))
        stats = pstats.Stats(str(prof), stream=io.StringIO())
        totals[name] = stats.total_tt  # type: ignore[attr-defined]
        for label, suffix, func in PHASES[name]:
            t = _cumtime(stats, suffix, func)
            rows.append(f"| {name} | {label} | `{func}` | {t:.1f} | "
                        f"{100 * t / totals[name]:.0f} % |")
    head = ["| tool | phase | function | seconds | share |", "|---|---|---|---:|---:|"]
    tail = [f"| {k} | **total under the profiler** | | {v:.1f} | 100 % |"
            for k, v in totals.items()]
    return "\n".join(head + rows + tail)


def _fmt_runs(runs: list[dict[str, float]]) -> str:
    return ", ".join(f"{r['wall_s']:.1f}" for r in runs)


def write_results(info: dict[str, object], best: dict[str, dict[str, float]],
                  runs: dict[str, list[dict[str, float]]], cmp: dict[str, object],
                  load: dict[str, str], threads: int, profile: str | None,
                  history: list[dict]) -> None:
    ref, gx = best["reference"], best["genotex"]
    versions = subprocess.run(
        [str(REF_PYTHON), "-c", "import qtl, pandas, numpy, scipy; print(f'pyqtl "
         "{qtl.__version__}, pandas {pandas.__version__}, numpy {numpy.__version__}, scipy "
         "{scipy.__version__}')"], capture_output=True, text=True).stdout.strip()
    gx_versions = subprocess.run(
        [str(GENOTEX_PYTHON), "-c", "import genotex, pandas, numpy, scipy; print(f'genotex "
         "{genotex.__version__}, pandas {pandas.__version__}, numpy {numpy.__version__}, "
         "scipy {scipy.__version__}')"], capture_output=True, text=True).stdout.strip()
    tie_note = [] if not cmp["rows_in_other_position"] else [
        "Rows of genes that share a TSS (same chr, start, end) are the only difference. "
        "pyqtl's `gtf_to_tss_bed` orders each chromosome with `sort_values('start')`, pandas' "
        "default *unstable* quicksort (numpy's introsort, or its AVX-512 argsort on CPUs "
        "that have it, as this one does), so the reference's order of tied genes is an "
        "implementation detail of numpy and the CPU (here: "
        + "; ".join(cmp["moved_examples"][:2]) + "). genotex keeps the annotation order for "
        "ties (a stable sort), the same on every machine. Every gene's coordinates and values "
        "are identical.", ""]
    lines = [
        "# Expression preparation: genotex vs the GTEx reference script",
        "",
        "`bench/expression_prepare.py`: one simulated tissue, "
        f"{info['samples']:,} samples × {info['genes']:,} genes, prepared into a QTL-ready "
        "phenotype BED (TMM on all genes, ≥ 0.1 TPM and ≥ 6 reads in ≥ 20 % of samples, "
        "inverse normal transform, TSS-sorted, bgzip + tabix) by",
        "",
        "* **reference**: broadinstitute/gtex-pipeline `qtl/src/eqtl_prepare_expression.py` "
        f"@ 728ea22 ({versions}), `--chrs` chr1–22, chrX;",
        f"* **genotex**: `genotex expression prepare` ({gx_versions}), donors and chromosomes "
        "from a 700-donor PLINK file (69 variants).",
        "",
        f"Each ran {len(runs['reference'])}× in a child process, alternating, with "
        f"`OMP/OPENBLAS/MKL_NUM_THREADS={threads}`; best wall time reported (CPU time and "
        "peak RSS of that run, from `os.wait4`; the reference's CPU time includes its "
        "`bgzip`/`tabix` children).",
        "",
        "| | wall (s) | CPU (s) | peak RSS (MiB) | all runs, wall (s) |",
        "|---|---:|---:|---:|---|",
        f"| reference script | {ref['wall_s']:.1f} | {ref['cpu_s']:.1f} | "
        f"{ref['peak_rss_mib']:,.0f} | {_fmt_runs(runs['reference'])} |",
        f"| genotex | {gx['wall_s']:.1f} | {gx['cpu_s']:.1f} | {gx['peak_rss_mib']:,.0f} | "
        f"{_fmt_runs(runs['genotex'])} |",
        f"| **genotex / reference** | **{gx['wall_s'] / ref['wall_s']:.2f}** | "
        f"**{gx['cpu_s'] / ref['cpu_s']:.2f}** | "
        f"**{gx['peak_rss_mib'] / ref['peak_rss_mib']:.2f}** | |",
        "",
        "## Same output?",
        "",
        "| check | result |",
        "|---|---|",
        f"| genes in BED (reference / genotex) | {cmp['genes_reference']:,} / "
        f"{cmp['genes_genotex']:,} |",
        f"| same gene set | {cmp['same_gene_set']} |",
        f"| same gene order | {cmp['same_gene_order']} |",
        f"| same coordinates (chr, start, end) | {cmp['same_coordinates']} |",
        f"| same donors, same column order ({cmp['donors']}) | {cmp['same_donors_and_order']} |",
        f"| max abs difference of values | {cmp['max_abs_diff']:.3g} |",
        f"| data lines (all but the header) byte-identical after decompression | "
        f"{cmp['data_lines_identical']} |",
        f"| the same data lines, ignoring their order | {cmp['data_lines_identical_as_set']} |",
        f"| rows in another position | {cmp['rows_in_other_position']} of the "
        f"{cmp['rows_sharing_tss']} rows that share their TSS with another gene (all moved "
        f"rows share a TSS: {cmp['moved_rows_all_share_tss']}) |",
        f"| header starts | reference `{cmp['header_reference']}…`; genotex "
        f"`{cmp['header_genotex']}…` |",
        "",
        *tie_note,
        "## Inputs",
        "",
        f"* annotation: {info['annotation']}, chr1–22 + chrX; GTF of "
        f"{info['gtf_lines']:,} lines (gene, transcript, 1–40 exons per gene);",
        f"* counts GCT {info['counts_gct_mb']} MiB, TPM GCT {info['tpm_gct_mb']} MiB (gzip); "
        f"{info['all_zero_genes']:,} all-zero genes; seed {info['seed']}; generated in "
        f"{info['generate_s']} s.",
        "",
        "## Machine",
        "",
        f"* {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs;",
        f"* load (`uptime`) before: `{load['before']}`",
        f"* load (`uptime`) after: `{load['after']}`",
        "",
        "Other jobs shared these 2 cores, so wall times carry noise; CPU time is the steadier "
        "measure.",
        "",
        "Output logs: reference — `" + ref["log"].replace("\n", " / ") + "`; genotex — `"
        + gx["log"].replace("\n", " / ") + "`.",
    ]
    lines += _history_lines(history)
    if profile:
        lines += ["", "## Where the time goes (cProfile, one run each, cumulative CPU seconds)",
                  "",
                  "Profiled with `cProfile.Profile(time.process_time)`, so the load of the "
                  "machine does not enter; profiler overhead inflates Python-level loops, so "
                  "read the shares rather than the absolute seconds. The reference's `bgzip` "
                  "and `tabix` run as separate processes, so their CPU time is not in its "
                  "profile (it is in the CPU column above).", "",
                  profile.strip()]
    RESULTS.write_text("\n".join(lines) + "\n")


def _record_session(best: dict[str, dict[str, float]], load: dict[str, str]) -> list[dict]:
    """Append this session's best runs to ``WORK/history.json``; return all sessions."""
    path = WORK / "history.json"
    history = json.loads(path.read_text()) if path.is_file() else []
    history.append({"when": time.strftime("%Y-%m-%d %H:%M"),
                    "load_before": _load1(load["before"]), "load_after": _load1(load["after"]),
                    **{k: {m: round(v[m], 1) for m in ("wall_s", "cpu_s", "peak_rss_mib")}
                       for k, v in best.items()}})
    path.write_text(json.dumps(history, indent=1))
    return history


def _load1(uptime: str) -> float:
    """The 1-minute load average of an ``uptime`` line."""
    return float(uptime.rsplit("load average:", 1)[1].split(",")[0])


def _history_lines(history: list[dict]) -> list[str]:
    lines = ["", "## Every session on these inputs (best of each session)", "",
             "Wall time follows the load of the shared machine; CPU time and peak RSS barely "
             "move.", "",
             "| session | load (1 min) before → after | reference wall / CPU / RSS | genotex "
             "wall / CPU / RSS | wall ratio | CPU ratio | RSS ratio |",
             "|---|---|---|---|---:|---:|---:|"]
    for h in history:
        r, g = h["reference"], h["genotex"]
        lines.append(
            f"| {h['when']} | {h['load_before']:.1f} → {h['load_after']:.1f} | "
            f"{r['wall_s']:.1f} s / {r['cpu_s']:.1f} s / {r['peak_rss_mib']:,.0f} MiB | "
            f"{g['wall_s']:.1f} s / {g['cpu_s']:.1f} s / {g['peak_rss_mib']:,.0f} MiB | "
            f"{g['wall_s'] / r['wall_s']:.2f} | {g['cpu_s'] / r['cpu_s']:.2f} | "
            f"{g['peak_rss_mib'] / r['peak_rss_mib']:.2f} |")
    return lines


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=700)
    parser.add_argument("--genes", type=int, default=56_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--script", type=Path, default=SCRIPT,
                        help="gtex-pipeline qtl/src/eqtl_prepare_expression.py (@ 728ea22)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the inputs")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile one run of each tool and add a phase table")
    args = parser.parse_args()
    global WORK
    WORK = HERE / "work" / f"expr_prep_{args.samples}x{args.genes}"
    if not args.script.is_file():
        sys.exit(f"{args.script} not found: git show "
                 "728ea22:qtl/src/eqtl_prepare_expression.py from broadinstitute/gtex-pipeline")
    if not REF_PYTHON.is_file():
        sys.exit(f"{REF_PYTHON} not found: python3 -m venv .venv-ref-expr && "
                 ".venv-ref-expr/bin/pip install qtl 'pandas<3'")
    marker = WORK / "inputs.json"
    info = json.loads(marker.read_text()) if marker.is_file() else None
    if args.regenerate or info is None or (info["samples"], info["genes"]) != (
            args.samples, args.genes):
        print("generating inputs ...", flush=True)
        info = generate(args.samples, args.genes)
    print(json.dumps(info), flush=True)
    env = _env(args.threads)
    cmds = commands(args.script)
    runs: dict[str, list[dict[str, float]]] = {"reference": [], "genotex": []}
    load = {"before": _uptime()}
    for i in range(args.repeats):
        for name, cmd in cmds.items():
            r = measure(cmd, env)
            runs[name].append(r)
            print(f"run {i + 1} {name}: wall {r['wall_s']:.1f} s, cpu {r['cpu_s']:.1f} s, "
                  f"peak RSS {r['peak_rss_mib']:.0f} MiB", flush=True)
    load["after"] = _uptime()
    best = {k: min(v, key=lambda r: r["wall_s"]) for k, v in runs.items()}
    cmp = compare()
    print(json.dumps(cmp), flush=True)
    profile = profile_phases(args.script, args.threads) if args.profile else None
    history = _record_session(best, load)
    write_results(info, best, runs, cmp, load, args.threads, profile, history)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
