"""Benchmark: stream genotypes chunk by chunk through ``genotex.io.open_genotypes``.

Writes (once, under ``bench/work/``, git-ignored) random hard-call genotypes

* PLINK 1 (.bed/.bim/.fam) and PLINK 2 (.pgen/.pvar/.psam): 1,000 samples × 1,000,000 variants,
  generated and written 10,000 variants at a time (generation memory is bounded by the chunk);
* VCF (bgzipped + tabix): 1,000 samples × 100,000 variants (VCF text is slow to write);

then, for each file, runs a **child process** that streams every chunk of
``open_genotypes(path).iter_chunks(10_000)`` (touching every dosage) and reports its wall time
and peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Results go to
``bench/results/genotype_streaming.md``.

Usage::

    .venv/bin/python bench/genotype_streaming.py [--variants 1000000] [--vcf-variants 100000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results" / "genotype_streaming.md"
N_SAMPLES = 1_000
CHUNK = 10_000
TARGET_RSS_MB = 2048


def _chunk(rng: np.random.Generator, start: int, n: int, n_samples: int
           ) -> tuple[pd.DataFrame, np.ndarray]:
    """Variants ``start..start+n`` on chr1 (pos = 100 + 10*i) and their random haplotypes."""
    idx = np.arange(start, start + n)
    variants = pd.DataFrame({"chrom": "chr1", "pos": 100 + 10 * idx, "ref": "A", "alt": "G"})
    maf = rng.uniform(0.01, 0.5, size=(n, 1, 1))
    hap = (rng.random((n, n_samples, 2), dtype=np.float32) < maf).astype(np.int8)
    hap[rng.random((n, n_samples, 2), dtype=np.float32) < 0.002] = -1
    return variants, hap


def _genotypes(hap: np.ndarray) -> np.ndarray:
    geno = hap.sum(axis=2).astype(np.int8)
    geno[(hap < 0).any(axis=2)] = -1
    return geno


def generate_plink_and_pgen(n_variants: int) -> dict[str, float]:
    from genotex.io import PgenWriter, PlinkWriter

    samples = [f"S{i:04d}" for i in range(N_SAMPLES)]
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    with PlinkWriter(WORK / "plink", samples) as bed, \
            PgenWriter(WORK / "pgen", samples, n_variants) as pgen:
        for a in range(0, n_variants, CHUNK):
            variants, hap = _chunk(rng, a, min(CHUNK, n_variants - a), N_SAMPLES)
            geno = _genotypes(hap)
            bed.write(variants, geno)
            pgen.write(variants, geno)
    return {"plink+pgen": time.perf_counter() - t0}


def generate_vcf(n_variants: int) -> dict[str, float]:
    from genotex.io import write_vcf

    samples = [f"S{i:04d}" for i in range(N_SAMPLES)]
    rng = np.random.default_rng(2)
    parts = [_chunk(rng, a, min(CHUNK, n_variants - a), N_SAMPLES)
             for a in range(0, n_variants, CHUNK)]
    variants = pd.concat([p[0] for p in parts], ignore_index=True)
    hap = np.concatenate([p[1] for p in parts])
    del parts
    t0 = time.perf_counter()
    write_vcf(WORK / "genotypes.vcf.gz", variants, samples, hap)
    return {"vcf": time.perf_counter() - t0}


def child(path: str) -> None:
    """Stream every chunk of ``path``; print wall time, peak RSS and a checksum as JSON."""
    from genotex.io import open_genotypes

    t0 = time.perf_counter()
    n_variants = 0
    total = 0.0
    with open_genotypes(path) as reader:
        n_samples = len(reader.samples)
        for chunk in reader.iter_chunks(CHUNK):
            n_variants += chunk.dosages.shape[0]
            total += float(np.nansum(chunk.dosages, dtype=np.float64))
    wall = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_rss_mb": rss_mb, "n_variants": n_variants,
                      "n_samples": n_samples, "dosage_sum": total}))


def measure(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1_000_000)
    parser.add_argument("--vcf-variants", type=int, default=100_000)
    parser.add_argument("--child")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    gen: dict[str, float] = {}
    marker = WORK / f"done_{args.variants}_{args.vcf_variants}"
    if args.regenerate or not marker.exists():
        gen |= generate_plink_and_pgen(args.variants)
        gen |= generate_vcf(args.vcf_variants)
        marker.write_text(json.dumps(gen))
    else:
        gen = json.loads(marker.read_text())
    cases = [("PLINK 1 (.bed)", WORK / "plink.bed", args.variants),
             ("PLINK 2 (.pgen)", WORK / "pgen.pgen", args.variants),
             ("VCF (.vcf.gz, GT)", WORK / "genotypes.vcf.gz", args.vcf_variants)]
    rows = []
    for name, path, n in cases:
        r = measure(path)
        assert r["n_variants"] == n, (name, r)
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.stem.split(".")[0] + ".*")
                      if p.suffix != ".tbi") / 2**20
        rows.append(f"| {name} | {N_SAMPLES:,} | {n:,} | {size_mb:,.0f} | {r['wall_s']:.1f} | "
                    f"{n / r['wall_s']:,.0f} | {r['peak_rss_mb']:,.0f} | "
                    f"{'yes' if r['peak_rss_mb'] < TARGET_RSS_MB else 'NO'} |")
        print(rows[-1], flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join([
        "# Genotype streaming: `open_genotypes(path).iter_chunks(10_000)`",
        "",
        f"Random hard calls, {N_SAMPLES:,} samples, one chromosome; each row streams every "
        "chunk in a fresh child process (wall time and peak RSS, `ru_maxrss`, of that child, "
        f"including interpreter + numpy/pandas imports). Target: peak RSS < {TARGET_RSS_MB:,} MB.",
        "",
        "| format | samples | variants | file MB | wall s | variants/s | peak RSS MB | < 2 GB |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Writing the inputs (chunked writers, same process): "
        + ", ".join(f"{k} {v:.0f} s" for k, v in gen.items())
        + f" (VCF: {args.vcf_variants / gen.get('vcf', float('nan')):,.0f} variants/s written).",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, shared 2-core box (other jobs running; timings noisy). "
        "Regenerate: `.venv/bin/python bench/genotype_streaming.py`.",
        "",
    ]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
