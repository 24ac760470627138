"""API latency on a GTEx-scale simulated release: p50/p99 at 1 and 32 concurrent clients.

The release (54 tissues, 17,382 samples, 56,200 genes, ~3.3 M significant pairs, ~978 M
per-sample TPM values) is generated directly in the store's table schemas with numpy/pandas and
DuckDB, not through the simulator and pipeline (that would take hours on 2 cores): the values
are random, the shapes and sizes are GTEx v8's. Every table except ``sample_expression`` goes
through :func:`genotex.store.writer.build_release`; ``sample_expression`` (~1e9 rows, more than
pandas holds in memory here) is then written per tissue by DuckDB ``COPY`` in the store's layout
(``sample_expression/tissue_id=<T>/part-0.parquet``, sorted by gene_id, sample_id) and added to
the manifest (with checksums) and catalogue, so ``genotex store verify`` passes.

The release is served by ``genotex serve`` (uvicorn, loopback, a free port) and measured with
threads of ``httpx.Client`` (one per concurrent client; bounded request count and time).

Run: ``.venv/bin/python bench/api_latency.py`` (first run generates ~4 GB under
``bench/work/api_latency/``; ``--regenerate`` rebuilds; ``--workers N`` for uvicorn workers;
``--requests N`` per scenario).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import httpx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from genotex.store import layout
from genotex.store.manifest import read_manifest, sha256_file, write_manifest
from genotex.store.tables import TABLES
from genotex.store.writer import ROW_GROUP_SIZE_BY_TABLE, _write_catalogue, build_release
from genotex.tissues import TISSUES

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "api_latency"
RESULTS = HERE / "results" / "api_latency.md"
DATASET_ID = "gtex_scale_sim_v1"
N_GENES = 56_200
N_DONORS = 948
N_VARIANTS = 2_000_000
TARGET_PAIRS = 3_300_000
CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]


def _genes(rng: np.random.Generator) -> pd.DataFrame:
    chrom = np.sort(rng.choice(len(CHROMS), N_GENES))
    start = rng.integers(1_000_000, 150_000_000, N_GENES)
    length = rng.integers(500, 100_000, N_GENES)
    strand = rng.choice(["+", "-"], N_GENES)
    ids = [f"ENSG{i:011d}.{1 + i % 9}" for i in range(N_GENES)]
    return pd.DataFrame({
        "gene_id": ids, "gene_name": [f"GENE{i}" for i in range(N_GENES)],
        "gene_type": rng.choice(["protein_coding", "lncRNA", "pseudogene"], N_GENES),
        "chrom": [CHROMS[c] for c in chrom], "start": start, "end": start + length,
        "strand": strand, "tss": np.where(strand == "+", start, start + length),
    })


def _variants(rng: np.random.Generator) -> pd.DataFrame:
    chrom = np.sort(rng.choice(len(CHROMS), N_VARIANTS))
    pos = rng.integers(1, 151_000_000, N_VARIANTS)
    order = np.lexsort((pos, chrom))
    chrom, pos = chrom[order], pos[order]
    ref = rng.choice(list("ACGT"), N_VARIANTS)
    alt = np.where(ref == "A", "G", np.where(ref == "C", "T", np.where(ref == "G", "A", "C")))
    names = np.array(CHROMS)[chrom]
    ids = pd.Series(names) + "_" + pd.Series(pos).astype(str) + "_" + ref + "_" + alt + "_b38"
    frame = pd.DataFrame({"variant_id": ids, "chrom": names, "pos": pos, "ref": ref, "alt": alt,
                          "rs_id": [f"rs{1000 + i}" for i in range(N_VARIANTS)],
                          "maf": rng.uniform(0.01, 0.5, N_VARIANTS)})
    return frame.drop_duplicates("variant_id")


def _cohort(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    donors = pd.DataFrame({
        "donor_id": [f"GTEX-{i:05X}" for i in range(N_DONORS)],
        "sex": rng.choice(["male", "female"], N_DONORS),
        "age_bracket": rng.choice(["20-29", "30-39", "40-49", "50-59", "60-69", "70-79"],
                                  N_DONORS),
        "hardy_scale": rng.choice(["Ventilator case", "Fast death - natural causes"], N_DONORS),
        "age": rng.integers(20, 80, N_DONORS),
    })
    tissues = pd.DataFrame([{
        "tissue_id": t.tissue_site_detail_id, "tissue_name": t.tissue_site_detail,
        "tissue_site": t.tissue_site, "abbreviation": t.abbreviation, "color_hex": t.color_hex,
        "ontology_id": t.ontology_id} for t in TISSUES])
    rows = []
    for k, t in enumerate(TISSUES):
        chosen = rng.choice(N_DONORS, min(t.rna_seq_samples, N_DONORS), replace=False)
        for j, d in enumerate(np.sort(chosen)):
            rows.append((f"GTEX-{d:05X}-{k:02d}26-SM-{k:02d}{j:04d}", f"GTEX-{d:05X}",
                         t.tissue_site_detail_id, j < t.genotyped_samples))
    samples = pd.DataFrame(rows, columns=["sample_id", "donor_id", "tissue_id", "has_genotype"])
    samples["rin"] = rng.uniform(5, 10, len(samples))
    return donors, tissues, samples


def _association(rng: np.random.Generator, genes: pd.DataFrame,
                 variants: pd.DataFrame) -> dict[str, pd.DataFrame]:
    egene_total = sum(t.egene_count for t in TISSUES)
    per_gene = TARGET_PAIRS / egene_total
    chrom_index = {c: i for i, c in enumerate(CHROMS)}
    var_pos = variants["pos"].to_numpy()
    var_key = variants["chrom"].map(chrom_index).to_numpy() * 10**9 + var_pos
    bounds = {c: (np.searchsorted(var_key, i * 10**9), np.searchsorted(var_key, (i + 1) * 10**9))
              for i, c in enumerate(CHROMS)}
    egenes, pairs = [], []
    for t in TISSUES:
        tested = rng.choice(N_GENES, min(N_GENES, int(t.egene_count * 1.6)), replace=False)
        tested.sort()
        n_sig = t.egene_count
        qval = np.concatenate([rng.uniform(0, 0.05, n_sig),
                               rng.uniform(0.05, 1, len(tested) - n_sig)])
        rng.shuffle(qval)
        g = genes.iloc[tested]
        sig = qval <= 0.05
        counts = rng.poisson(per_gene - 1, int(sig.sum())) + 1
        gene_rep = np.repeat(np.flatnonzero(sig), counts)
        tss = g["tss"].to_numpy()[gene_rep]
        chroms = g["chrom"].to_numpy()[gene_rep]
        lo = np.array([bounds[c][0] for c in chroms], dtype=np.int64)
        hi = np.array([bounds[c][1] for c in chroms], dtype=np.int64)
        near = np.searchsorted(var_key, pd.Series(chroms).map(chrom_index).to_numpy()
                               * 10**9 + tss)
        idx = np.clip(near + rng.integers(-300, 300, len(near)), lo, hi - 1)
        pair = pd.DataFrame({
            "tissue_id": t.tissue_site_detail_id,
            "gene_id": g["gene_id"].to_numpy()[gene_rep],
            "variant_id": variants["variant_id"].to_numpy()[idx],
            "tss_distance": var_pos[idx] - tss, "maf": rng.uniform(0.01, 0.5, len(idx)),
            "pval_nominal": 10 ** -rng.uniform(4, 30, len(idx)),
            "slope": rng.normal(0, 0.5, len(idx)), "slope_se": rng.uniform(0.02, 0.2, len(idx)),
        }).drop_duplicates(["gene_id", "variant_id"])
        pairs.append(pair)
        lead = pair.drop_duplicates("gene_id")
        e = pd.DataFrame({"tissue_id": t.tissue_site_detail_id, "gene_id": g["gene_id"],
                          "qval": qval})
        e = e.merge(lead[["gene_id", "variant_id", "pval_nominal", "slope"]], on="gene_id",
                    how="left")
        e["variant_id"] = e["variant_id"].fillna(variants["variant_id"].iloc[0])
        e["pval_nominal"] = e["pval_nominal"].fillna(0.01)
        e["slope"] = e["slope"].fillna(0.0)
        e["pval_beta"] = e["qval"] / 2
        e["pval_nominal_threshold"] = 1e-4
        egenes.append(e)
    return {"egenes": pd.concat(egenes, ignore_index=True),
            "signif_pairs": pd.concat(pairs, ignore_index=True)}


def _sample_expression(release: Path, samples: pd.DataFrame, genes: pd.DataFrame,
                       log: callable) -> None:  # type: ignore[valid-type]
    """Write per-sample TPM (every gene x sample of each tissue) in the store layout.

    Each tissue's file is built as Arrow arrays directly (gene IDs repeated, sample IDs tiled:
    already in the table's sort order gene_id, sample_id) and written with the store writer's
    Parquet options; ~1e9 rows never pass through pandas.
    """
    spec = TABLES["sample_expression"]
    rng = np.random.default_rng(11)
    gene_ids = pa.array(np.sort(genes["gene_id"].to_numpy()).astype(str))
    level = rng.uniform(-2, 6, len(gene_ids))
    files, total = {}, 0
    for tissue, group in samples.groupby("tissue_id", sort=True):
        sample_ids = pa.array(np.sort(group["sample_id"].to_numpy()).astype(str))
        n_g, n_s = len(gene_ids), len(sample_ids)
        gene_idx = np.repeat(np.arange(n_g, dtype=np.int32), n_s)
        sample_idx = np.tile(np.arange(n_s, dtype=np.int32), n_g)
        tpm = np.round(np.exp(np.repeat(level, n_s) + rng.normal(0, 0.7, n_g * n_s)), 2)
        table = pa.table({
            "gene_id": pa.DictionaryArray.from_arrays(gene_idx, gene_ids),
            "sample_id": pa.DictionaryArray.from_arrays(sample_idx, sample_ids),
            "tpm": tpm,
        })
        rel = layout.partition_relpath(spec, (str(tissue),))
        out = release / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out, compression="zstd",
                       row_group_size=ROW_GROUP_SIZE_BY_TABLE["sample_expression"],
                       write_statistics=True, use_dictionary=True, store_schema=False)
        total += table.num_rows
        files[rel] = {"rows": table.num_rows, "sha256": sha256_file(out),
                      "bytes": out.stat().st_size}
        log(f"  sample_expression {tissue}: {table.num_rows:,} rows")
    manifest = read_manifest(release)
    manifest["tables"]["sample_expression"] = {
        "path": layout.table_relpath(spec), "glob": layout.table_glob(spec),
        "partition_by": list(spec.partition_by), "rows": total, "files": files}
    write_manifest(release, manifest)
    (release / layout.CATALOGUE).unlink()
    _write_catalogue(release, manifest["tables"])


def generate(root: Path, *, log: callable = print) -> Path:  # type: ignore[valid-type]
    """Build the GTEx-scale release under ``root`` (see the module docstring)."""
    rng = np.random.default_rng(20240101)
    t0 = time.perf_counter()
    genes, variants = _genes(rng), _variants(rng)
    donors, tissues, samples = _cohort(rng)
    association = _association(rng, genes, variants)
    medians = pd.DataFrame({
        "gene_id": np.repeat(genes["gene_id"].to_numpy(), len(tissues)),
        "tissue_id": np.tile(tissues["tissue_id"].to_numpy(), len(genes)),
        "median_tpm": np.round(rng.lognormal(1, 2, len(genes) * len(tissues)), 3)})
    log(f"generated tables in {time.perf_counter() - t0:.0f} s: "
        f"{len(association['signif_pairs']):,} significant pairs, {len(samples):,} samples")
    release = build_release(root, DATASET_ID, {
        "genes": genes, "variants": variants, "tissues": tissues, "donors": donors,
        "samples": samples, "median_expression": medians, **association,
    }, overwrite=True, make_current=True,
        metadata={"description": "GTEx-scale simulated release for the latency bench"})
    log(f"build_release done at {time.perf_counter() - t0:.0f} s")
    _sample_expression(release, samples, genes, log)
    log(f"sample_expression done at {time.perf_counter() - t0:.0f} s")
    return release


# --- serving and measuring ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def serve(root: Path, port: int, workers: int, *,
          serving_index: bool = True) -> subprocess.Popen[bytes]:
    """``genotex serve`` on 127.0.0.1:port; returns once it answers."""
    exe = Path(sys.executable).with_name("genotex")
    proc = subprocess.Popen([str(exe), "serve", "--releases", str(root), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers),
                             "--serving-index" if serving_index else "--no-serving-index"],
                            env={**os.environ, "GENOTEX_THREADS": "1"})
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("server did not start")


def run_scenario(base: str, requests: list[tuple[str, dict[str, str]]], *, clients: int,
                 max_seconds: float) -> dict[str, float]:
    """Send ``requests`` from ``clients`` threads, each over its own keep-alive connection
    (``http.client``: the cheapest client, so that the load generator takes as little as
    possible of the 2 cores it shares with the server); latencies in ms."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    cursor = [0]
    stop = time.perf_counter() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            while time.perf_counter() < stop:
                with lock:
                    i = cursor[0]
                    cursor[0] += 1
                if i >= len(requests):
                    return
                path, params = requests[i]
                t = time.perf_counter()
                conn.request("GET", f"{path}?{urlencode(params, doseq=True)}")
                response = conn.getresponse()
                body = response.read()
                dt = (time.perf_counter() - t) * 1000
                ok = response.status == 200 and b'"data":[]' not in body
                with lock:
                    latencies.append(dt)
                    errors[0] += not ok
        finally:
            conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    arr = np.array(latencies)
    return {"n": len(arr), "errors": errors[0], "p50": float(np.percentile(arr, 50)),
            "p99": float(np.percentile(arr, 99)), "mean": float(arr.mean()),
            "rps": len(arr) / wall}


#: wrk script: each request takes a random path of the scenario's list (PATHS_FILE, one path
#: per line); counts responses whose body has an empty ``data`` list; reports the latency
#: percentiles as one JSON line.
WRK_LUA = r"""
local paths = {}
empties = 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(tonumber(args[2]) + wrk.thread:get("id"))
end
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  if status ~= 200 or string.sub(body, 1, 10) == '{"data":[]' then empties = empties + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("empties") or 0) end
  io.write(string.format(
    'WRKJSON {"n": %d, "errors": %d, "p50": %.3f, "p99": %.3f, "mean": %.3f, "rps": %.1f}\n',
    summary.requests, bad + summary.errors.status + summary.errors.timeout
      + summary.errors.connect + summary.errors.read + summary.errors.write,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
    summary.requests / (summary.duration / 1e6)))
end
"""


def run_wrk(base: str, requests: list[tuple[str, dict[str, str]]], *, clients: int,
            seconds: float, seed: int = 1) -> dict[str, float]:
    """Load ``base`` with ``wrk`` (C, one thread, ``clients`` keep-alive connections), each
    request a random path of ``requests``; latencies in ms."""
    from urllib.parse import urlencode

    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "random_paths.lua"
    script.write_text(WRK_LUA)
    paths = WORK / "paths.txt"
    paths.write_text("".join(f"{p}?{urlencode(q, doseq=True)}\n" for p, q in requests))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "-s",
         str(script), base, "--", str(paths), str(seed)],
        capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    result: dict[str, float] = json.loads(line.removeprefix("WRKJSON "))
    return result


def scenarios(root: Path, n: int, rng: np.random.Generator) -> dict[str, list]:
    """Requests per scenario: random eGenes, tissues and significant variants of the release."""
    release = root / DATASET_ID
    con = duckdb.connect()
    egenes = con.execute(f"""SELECT tissue_id, gene_id FROM
        read_parquet('{release}/egenes.parquet') WHERE qval <= 0.05""").df()
    pairs = con.execute(f"""SELECT variant_id FROM
        read_parquet('{release}/signif_pairs.parquet') USING SAMPLE 20000 ROWS""").df()
    con.close()
    pick = egenes.iloc[rng.choice(len(egenes), n)]
    variants = pairs["variant_id"].to_numpy()[rng.choice(len(pairs), n)]
    genes = list(pick["gene_id"])
    tissues = list(pick["tissue_id"])
    return {
        "geneExpression (1 gene, 1 tissue)": [
            ("/api/v2/expression/geneExpression", {"gencodeId": g, "tissueSiteDetailId": t})
            for g, t in zip(genes, tissues, strict=True)],
        "geneExpression (1 gene, all 54 tissues)": [
            ("/api/v2/expression/geneExpression", {"gencodeId": g}) for g in genes],
        "medianGeneExpression (1 gene)": [
            ("/api/v2/expression/medianGeneExpression", {"gencodeId": g}) for g in genes],
        "singleTissueEqtl by gene": [
            ("/api/v2/association/singleTissueEqtl", {"gencodeId": g}) for g in genes],
        "singleTissueEqtl by variant": [
            ("/api/v2/association/singleTissueEqtl", {"variantId": v}) for v in variants],
    }


def store_timings(root: Path, n: int = 30) -> str:
    """Median/p90 ms of the query layer alone (in-process, one thread), with the lookup
    tables in memory (what ``genotex serve`` uses) and with every table read from Parquet."""
    from genotex.store import Store

    rng = np.random.default_rng(3)
    reqs = scenarios(root, n, rng)
    calls = {
        "geneExpression (1 gene, 1 tissue)": lambda s, p: s.gene_expression(
            [p["gencodeId"]], [p["tissueSiteDetailId"]]),
        "geneExpression (1 gene, all 54 tissues)": lambda s, p: s.gene_expression(
            [p["gencodeId"]]),
        "medianGeneExpression (1 gene)": lambda s, p: s.median_expression([p["gencodeId"]]),
        "singleTissueEqtl by gene": lambda s, p: s.single_tissue_eqtls(
            gene_ids=[p["gencodeId"]]),
        "singleTissueEqtl by variant": lambda s, p: s.single_tissue_eqtls(
            variant_ids=[p["variantId"]]),
    }
    modes = {"serving index": {"in_memory": False, "serving_index": True},
             "in-memory indexed (DuckDB)": {"in_memory": True},
             "Parquet only (DuckDB)": {"in_memory": False}}
    lines = ["| query (Store method) | " + " | ".join(f"{m}: p50 / p90 ms" for m in modes)
             + " |", "|---|" + "---:|" * len(modes)]
    stores = {}
    for mode, kwargs in modes.items():
        t0 = time.perf_counter()
        stores[mode] = Store(root / DATASET_ID, **kwargs)
        print(f"Store({kwargs}) opened in {time.perf_counter() - t0:.1f} s", flush=True)
    for name, call in calls.items():
        cells = []
        for mode in modes:
            times = []
            for _, params in reqs[name][:n]:
                t = time.perf_counter()
                call(stores[mode], params)
                times.append((time.perf_counter() - t) * 1000)
            cells.append(f"{np.percentile(times, 50):.2f} / {np.percentile(times, 90):.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for store in stores.values():
        store.close()
    return "\n".join(lines)


def _table(results: list[tuple[str, int, dict[str, float]]]) -> str:
    lines = ["| endpoint | clients | requests | errors | p50 ms | p99 ms | mean ms | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, clients, r in results:
        lines.append(f"| {name} | {clients} | {r['n']} | {r['errors']} | {r['p50']:.1f} | "
                     f"{r['p99']:.1f} | {r['mean']:.1f} | {r['rps']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--rewrite-expression", action="store_true",
                        help="rewrite only sample_expression (e.g. after a layout change)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-serving-index", action="store_true",
                        help="serve every lookup through DuckDB (the path before the index)")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (C, one thread; default when installed) or "
                        "threads of http.client")
    parser.add_argument("--seconds", type=float, default=15,
                        help="wrk: seconds per scenario and client count")
    parser.add_argument("--skip-store-timings", action="store_true")
    parser.add_argument("--store-timings-only", action="store_true",
                        help="only the in-process query-layer table (printed, not written)")
    parser.add_argument("--requests", type=int, default=400,
                        help="python client: requests per scenario at 1 client (x4 at 32); "
                        "wrk: distinct random paths per scenario (x50)")
    parser.add_argument("--max-seconds", type=float, default=60)
    args = parser.parse_args()
    root = WORK / "releases"
    if args.regenerate and root.exists():
        shutil.rmtree(root)
    if not (root / DATASET_ID / "manifest.json").is_file():
        generate(root)
    elif args.rewrite_expression:
        release = root / DATASET_ID
        con = duckdb.connect()
        samples = con.execute(f"SELECT * FROM '{release}/samples.parquet'").df()
        genes = con.execute(f"SELECT gene_id FROM '{release}/genes.parquet'").df()
        con.close()
        shutil.rmtree(release / "sample_expression")
        _sample_expression(release, samples, genes, print)
    if args.generate_only:
        return
    if args.store_timings_only:
        print(store_timings(root))
        return
    manifest = read_manifest(root / DATASET_ID)
    sizes = {n: t["rows"] for n, t in manifest["tables"].items() if t["files"]}
    disk = sum(f["bytes"] for t in manifest["tables"].values() for f in t["files"].values())
    rng = np.random.default_rng(7)
    port = _free_port()
    before = _uptime()
    serving = not args.no_serving_index
    proc = serve(root, port, args.workers, serving_index=serving)
    results = []
    try:
        base = f"http://127.0.0.1:{port}"
        for name, reqs in scenarios(root, args.requests * 50, rng).items():
            check = run_scenario(base, reqs[:20], clients=2, max_seconds=30)  # + warm-up
            if check["errors"]:
                raise RuntimeError(f"{name}: {check['errors']} failed or empty answers")
            for clients in (1, 32):
                if args.client == "wrk":
                    run_wrk(base, reqs, clients=clients, seconds=3, seed=99)  # warm-up
                    r = run_wrk(base, reqs, clients=clients, seconds=args.seconds)
                else:
                    n = args.requests * (1 if clients == 1 else 4)
                    r = run_scenario(base, reqs[:n], clients=clients,
                                     max_seconds=args.max_seconds)
                print(f"{name:45s} clients={clients:2d} {json.dumps(r)}", flush=True)
                results.append((name, clients, r))
    finally:
        proc.terminate()
        proc.wait(30)
    after = _uptime()
    store_table = "" if args.skip_store_timings else store_timings(root)
    print(store_table)
    out = RESULTS if serving else WORK / "api_latency_duckdb_path.md"  # comparison run
    write_results(results, sizes=sizes, disk=disk, workers=args.workers, before=before,
                  after=after, store_table=store_table, client=args.client,
                  serving=serving, out=out)


def write_results(results: list[tuple[str, int, dict[str, float]]], *, sizes: dict[str, int],
                  disk: int, workers: int, before: str, after: str, store_table: str,
                  client: str, serving: bool, out: Path) -> None:
    import platform

    import duckdb as ddb

    load = ("`wrk -t1 -c<clients>` (C, one thread, keep-alive connections; each request a "
            "random path of the scenario, 15 s per row after a 3 s warm-up)" if client == "wrk"
            else "threads of `http.client` (one keep-alive connection per client)")
    path = ("hot lookups from the serving index (`--serving-index`, the default)" if serving
            else "every lookup through DuckDB (`--no-serving-index`)")
    text = f"""# API latency on a GTEx-scale simulated release

`bench/api_latency.py`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine:
{os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {ddb.__version__};
`genotex serve --workers {workers}` on 127.0.0.1, {path}; load generated on the same machine
by {load}, so the load generator shares the 2 cores with the server.

Release `{DATASET_ID}` ({disk / 1e9:.1f} GB of Parquet), generated directly in the store
schemas (random values, GTEx v8 sizes; not through the simulator/pipeline):
{", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items()))}.

Machine load (`uptime`; other helpers share the machine):
- before: `{before}`
- after: `{after}`

{_table(results)}

Target: p99 < 50 ms for single-gene lookups at 32 clients on 2 cores.
"""
    if store_table:
        text += f"""
The query layer alone (in-process, one thread, fresh Stores;
{time.strftime('%H:%M UTC', time.gmtime())}):

{store_table}
"""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
