"""Build a release's serving index: key-sorted, memory-mappable arrays for the hot lookups.

The index lives in ``<release>/serving/`` (see :mod:`genotex.store.serving` for the reader and
the layout). It is derived from the release's Parquet only, written to a temporary folder and
renamed into place (a half-built index is never read), and records the manifest checksums of
the tables it was built from, so a changed release makes it stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from genotex.store import layout
from genotex.store.manifest import read_manifest, sha256_file
from genotex.store.strings import write_strings
from genotex.store.tables import TABLES

#: Bumped whenever the index layout changes; an index of another version is rebuilt.
FORMAT_VERSION = 1
#: Folder of the index inside a release.
SERVING_DIR = "serving"
#: Tables the index is derived from (their manifest checksums make its fingerprint).
SOURCE_TABLES = ("genes", "variants", "tissues", "median_expression", "signif_pairs",
                 "sample_expression")
#: Sort key of a pair's variant position (NULL sorts last, as in DuckDB's ORDER BY).
_POS = "TRY_CAST(split_part(variant_id, '_', 2) AS BIGINT)"


def fingerprint(manifest: Mapping[str, Any]) -> str:
    """SHA-256 over the datasetId, the index format and the source tables' file checksums."""
    tables = manifest["tables"]
    source = {name: {rel: meta["sha256"] for rel, meta in tables[name]["files"].items()}
              for name in SOURCE_TABLES if name in tables}
    text = json.dumps({"dataset_id": manifest["dataset_id"], "format": FORMAT_VERSION,
                       "tables": source}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def build_serving_index(release: str | Path, *,
                        log: Callable[[str], None] | None = None) -> Path:
    """(Re)build ``<release>/serving/`` from the release's Parquet; returns its folder.

    Built in ``serving.tmp-<pid>`` next to it and renamed into place; an older index is
    replaced only once the new one is complete.
    """
    release = Path(release).resolve()
    manifest = read_manifest(release)
    present = {n for n, t in manifest["tables"].items() if t["files"] and n in TABLES}
    final = release / SERVING_DIR
    tmp = release / f"{SERVING_DIR}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    say = log or (lambda _msg: None)
    con = duckdb.connect(database=":memory:")
    try:
        for name, spec in TABLES.items():
            glob = manifest["tables"][name]["glob"] if name in present else None
            con.execute(layout.view_sql(spec, None if glob is None else str(release / glob)))
        tissues = _tissue_codes(con, manifest, present)
        con.register("_tissue_codes", pa.table({
            "tissue_id": pa.array(tissues, pa.string()),
            "code": pa.array(np.arange(len(tissues), dtype=np.int16))}))
        parts: dict[str, Any] = {"tissues": tissues}
        if "genes" in present:
            parts["genes"] = _build_genes(con, tmp)
        if "median_expression" in present:
            parts["median"] = _build_median(con, tmp)
            say("serving index: median expression done")
        if "signif_pairs" in present:
            parts["pairs"] = _build_pairs(con, tmp, with_variants="variants" in present)
            say("serving index: significant pairs done")
        if "variants" in present:
            parts["rs"] = _build_rs(con, tmp)
        if manifest["tables"].get("sample_expression", {}).get("partition_by") == ["tissue_id"] \
                and "sample_expression" in present:
            parts["expression"] = _build_expression(release, manifest, tmp, say)
    finally:
        con.close()
    files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
             for p in sorted(tmp.rglob("*")) if p.is_file()}
    meta = {"format": FORMAT_VERSION, "dataset_id": manifest["dataset_id"],
            "fingerprint": fingerprint(manifest), "files": files, **parts}
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    old = release / f"{SERVING_DIR}.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _tissue_codes(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any],
                  present: set[str]) -> list[str]:
    """Every tissue ID of the indexed tables, sorted (a tissue's code is its position)."""
    sources = [f"SELECT tissue_id FROM {t}" for t in ("tissues", "median_expression",
                                                      "signif_pairs") if t in present]
    found: set[str] = set()
    if sources:
        found |= {r[0] for r in con.execute(" UNION ".join(sources)).fetchall()
                  if r[0] is not None}
    for rel in manifest["tables"].get("sample_expression", {}).get("files", {}):
        found.add(Path(rel).parent.name.removeprefix("tissue_id="))
    return sorted(found, key=lambda t: t.encode())


def _save(folder: Path, name: str, array: np.ndarray) -> None:
    np.save(folder / f"{name}.npy", np.ascontiguousarray(array))


def _runs(keys: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Distinct values of a sorted string column and the offsets of their runs (n + 1)."""
    arr = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    n = len(arr)
    if n == 0:
        return pa.array([], pa.string()), np.zeros(1, np.int64)
    change = pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1]).astype(np.int64)
    return arr.take(pa.array(starts)), np.append(starts, n)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """float64 values, NULL as NaN."""
    return np.asarray(column.to_numpy(), dtype=np.float64)


def _build_genes(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    table = con.sql("SELECT gene_id, gene_name FROM genes WHERE gene_id IS NOT NULL "
                        "ORDER BY gene_id").to_arrow_table()
    write_strings(out, "genes.id", table.column("gene_id"))
    write_strings(out, "genes.name", table.column("gene_name"))
    return {"rows": table.num_rows}


def _build_median(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    table = con.sql("""SELECT m.gene_id, c.code, m.median_tpm FROM median_expression m
        JOIN _tissue_codes c USING (tissue_id) WHERE m.gene_id IS NOT NULL
        ORDER BY m.gene_id, m.tissue_id""").to_arrow_table()
    genes, offsets = _runs(table.column("gene_id"))
    write_strings(out, "median.gene", genes)
    _save(out, "median.offsets", offsets)
    _save(out, "median.tissue", table.column("code").to_numpy().astype(np.int16))
    _save(out, "median.value", _floats(table.column("median_tpm")))
    return {"rows": table.num_rows}


def _build_pairs(con: duckdb.DuckDBPyConnection, out: Path, *,
                 with_variants: bool) -> dict[str, int]:
    """Significant pairs in the API's order (gene, tissue, position, variant), by gene and
    by variant, with each pair variant's rsID, position and chromosome."""
    variants = ("(SELECT DISTINCT ON (variant_id) variant_id, rs_id, pos, chrom FROM variants)"
                if with_variants else
                "(SELECT NULL::VARCHAR AS variant_id, NULL::VARCHAR AS rs_id, "
                "NULL::BIGINT AS pos, NULL::VARCHAR AS chrom WHERE false)")
    con.execute(f"""CREATE TEMP TABLE _pv AS SELECT pv.variant_id,
            (row_number() OVER (ORDER BY pv.variant_id) - 1)::INTEGER AS vi, v.rs_id,
            coalesce(v.pos, pv._pos) AS pos,
            coalesce(nullif(v.chrom, ''), split_part(pv.variant_id, '_', 1)) AS chrom
        FROM (SELECT DISTINCT variant_id, {_POS} AS _pos FROM signif_pairs
              WHERE variant_id IS NOT NULL) pv
        LEFT JOIN {variants} v USING (variant_id)""")
    pv = con.sql("SELECT * FROM _pv ORDER BY vi").to_arrow_table()
    write_strings(out, "pv.id", pv.column("variant_id"))
    write_strings(out, "pv.rs", pv.column("rs_id"))
    write_strings(out, "pv.chrom", pv.column("chrom"))
    pos = pv.column("pos")
    _save(out, "pv.pos", pos.fill_null(0).to_numpy().astype(np.int64))
    _save(out, "pv.pos_valid", pos.is_valid().to_numpy(zero_copy_only=False))
    pairs = con.sql(f"""SELECT p.gene_id, c.code, pv.vi, p.pval_nominal, p.slope
        FROM signif_pairs p JOIN _tissue_codes c USING (tissue_id) JOIN _pv pv USING (variant_id)
        WHERE p.gene_id IS NOT NULL
        ORDER BY p.gene_id, p.tissue_id, {_POS.replace('variant_id', 'p.variant_id')},
                 p.variant_id""").to_arrow_table()
    genes, offsets = _runs(pairs.column("gene_id"))
    write_strings(out, "pairs.gene", genes)
    _save(out, "pairs.gene_offsets", offsets)
    _save(out, "pairs.tissue", pairs.column("code").to_numpy().astype(np.int16))
    vi = pairs.column("vi").to_numpy().astype(np.int32)
    _save(out, "pairs.variant", vi)
    _save(out, "pairs.pval", _floats(pairs.column("pval_nominal")))
    _save(out, "pairs.slope", _floats(pairs.column("slope")))
    # by variant: pair rows grouped by variant, each group in the API order (stable sort)
    _save(out, "pairs.by_variant", np.argsort(vi, kind="stable").astype(np.int32))
    _save(out, "pairs.variant_offsets",
          np.concatenate([[0], np.cumsum(np.bincount(vi, minlength=pv.num_rows))]))
    con.execute("DROP TABLE _pv")
    return {"rows": pairs.num_rows, "variants": pv.num_rows}


def _build_rs(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    table = con.sql("""SELECT rs_id, variant_id FROM variants
        WHERE rs_id IS NOT NULL AND variant_id IS NOT NULL
        ORDER BY rs_id, variant_id""").to_arrow_table()
    write_strings(out, "rs.id", table.column("rs_id"))
    write_strings(out, "rs.variant", table.column("variant_id"))
    return {"rows": table.num_rows}


def _build_expression(release: Path, manifest: Mapping[str, Any], out: Path,
                      say: Callable[[str], None]) -> dict[str, Any]:
    """Per tissue, a (genes, samples) float64 TPM matrix (NaN = no value), samples sorted by
    sample ID; tissues with the same genes share one key file."""
    files: dict[str, list[Path]] = {}
    for rel in sorted(manifest["tables"]["sample_expression"]["files"]):
        tissue = Path(rel).parent.name.removeprefix("tissue_id=")
        files.setdefault(tissue, []).append(release / rel)
    tissues: dict[str, dict[str, Any]] = {}
    key_sets: dict[str, str] = {}  # digest of the gene list -> key file name
    for n, (tissue, paths) in enumerate(sorted(files.items())):
        table = pa.concat_tables(
            pq.read_table(p, columns=["gene_id", "sample_id", "tpm"]) for p in paths)
        genes, gene_code = _sorted_codes(table.column("gene_id"))
        samples, sample_code = _sorted_codes(table.column("sample_id"))
        digest = hashlib.sha256(b"\0".join(
            v.encode() for v in genes.to_pylist())).hexdigest()
        if digest not in key_sets:
            key_sets[digest] = f"expr.genes{len(key_sets)}"
            write_strings(out, key_sets[digest], genes)
        linear = gene_code.astype(np.int64) * len(samples) + sample_code
        if not (np.all(np.diff(linear) > 0) or np.unique(linear).size == linear.size):
            raise ValueError(f"sample_expression of {tissue}: a gene x sample appears twice")
        name = f"expr.{n}.npy"
        matrix = np.lib.format.open_memmap(out / name, mode="w+", dtype=np.float64,
                                           shape=(len(genes), len(samples)))
        matrix[...] = np.nan
        matrix.reshape(-1)[linear] = _floats(table.column("tpm"))
        matrix.flush()
        del matrix
        tissues[tissue] = {"matrix": name, "genes": key_sets[digest],
                           "shape": [len(genes), len(samples)]}
        say(f"serving index: expression {tissue} ({len(genes)} x {len(samples)})")
    return {"tissues": tissues}


def _sorted_codes(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Distinct values of a string column, sorted by bytes, and each row's position in them."""
    encoded = column.combine_chunks()
    if not pa.types.is_dictionary(encoded.type):
        encoded = pc.dictionary_encode(encoded)
    dictionary = encoded.dictionary.cast(pa.string())
    order = pc.sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return dictionary.take(pa.array(order)), rank[codes]
