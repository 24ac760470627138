"""The serving index: single-gene and single-variant lookups without a query engine.

``<release>/serving/`` (built by :func:`~genotex.store.serving_build.build_serving_index`)
holds the hot lookup tables as key-sorted flat arrays, memory-mapped by every worker (opening
is instant and all processes share the page cache):

- ``genes.id``/``genes.name``: gene symbols by GENCODE ID;
- ``median.*``: median TPM rows sorted by (gene, tissue), with each gene's row range;
- ``pairs.*``: significant pairs sorted as the API returns them (gene, tissue, position,
  variant), each gene's row range, and a permutation grouping them by variant; ``pv.*``: the
  pairs' variants (ID, rsID, position, chromosome); ``rs.*``: rsID -> variant ID;
- ``expr.<n>.npy``: per tissue a (genes, samples) float64 TPM matrix (samples sorted by ID,
  NaN = no value), so one gene in one tissue is one contiguous read;
- ``meta.json``: format version, the fingerprint of the source tables' manifest checksums, and
  every file's size and SHA-256.

A lookup is a binary search on the key bytes plus array slicing: a few tens of microseconds.
Answers equal the DuckDB queries of :class:`~genotex.store.Store` (tests compare them).
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from genotex.errors import InputError
from genotex.store.manifest import read_manifest, sha256_file
from genotex.store.serving_build import (
    FORMAT_VERSION,
    SERVING_DIR,
    build_serving_index,
    fingerprint,
)
from genotex.store.strings import SortedKeys, StringColumn, mmap_array


class StaleIndexError(InputError):
    """The serving index is missing, stale (the release changed) or damaged."""


def check_serving_index(release: Path, *, checksums: bool = False) -> dict[str, Any]:
    """Return the index's ``meta.json`` if it is complete and matches the release.

    Checks the format version, the fingerprint of the manifest's source checksums, and each
    file's presence and size (and SHA-256 when ``checksums``); raises :class:`StaleIndexError`.
    """
    folder = release / SERVING_DIR
    fix = f"rebuild it: genotex store index {release}"
    if not (folder / "meta.json").exists():
        raise StaleIndexError(folder, "no serving index yet", fix)
    try:
        meta: dict[str, Any] = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError) as exc:
        raise StaleIndexError(folder, f"no readable serving index ({exc})", fix) from exc
    if meta.get("format") != FORMAT_VERSION:
        raise StaleIndexError(folder, f"serving index format {meta.get('format')!r} is not "
                              f"{FORMAT_VERSION}", fix)
    if meta.get("fingerprint") != fingerprint(read_manifest(release)):
        raise StaleIndexError(folder, "serving index is stale (built from other table files)",
                              fix)
    for name, info in meta.get("files", {}).items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != info["bytes"]:
            raise StaleIndexError(path, "serving index file is missing or truncated", fix)
        if checksums and sha256_file(path) != info["sha256"]:
            raise StaleIndexError(path, "serving index file checksum mismatch", fix)
    return meta


def ensure_serving_index(release: str | Path, *, build: bool = True) -> Path:
    """Check the index of ``release`` and (re)build it when missing or stale (``build``), or
    raise :class:`StaleIndexError`. Concurrent callers wait on a lock: one builds."""
    release = Path(release).resolve()
    try:
        check_serving_index(release)
        return release / SERVING_DIR
    except StaleIndexError:
        if not build:
            raise
    with (release / f"{SERVING_DIR}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            check_serving_index(release)  # another process may have built it meanwhile
        except StaleIndexError:
            build_serving_index(release)
            check_serving_index(release)
    return release / SERVING_DIR


def _load(folder: Path, name: str) -> NDArray[Any]:
    return mmap_array(folder / f"{name}.npy")


class ServingIndex:
    """Read side of ``<release>/serving/`` (see the module docstring).

    Parameters
    ----------
    release
        The release folder; its index must pass :func:`check_serving_index`.
    """

    def __init__(self, release: str | Path) -> None:
        self.release = Path(release).resolve()
        self.meta = check_serving_index(self.release)
        folder = self.release / SERVING_DIR
        self.tissues: list[str] = list(self.meta["tissues"])
        self.tissue_code = {t: i for i, t in enumerate(self.tissues)}
        self.has_genes = "genes" in self.meta
        if self.has_genes:
            self._gene_ids = SortedKeys.load(folder, "genes.id")
            self._gene_names = StringColumn.load(folder, "genes.name")
        self.has_median = "median" in self.meta
        if self.has_median:
            self._median_genes = SortedKeys.load(folder, "median.gene")
            self._median_offsets = _load(folder, "median.offsets")
            self._median_tissue = _load(folder, "median.tissue")
            self._median_value = _load(folder, "median.value")
        self.has_pairs = "pairs" in self.meta
        if self.has_pairs:
            self._pair_genes = SortedKeys.load(folder, "pairs.gene")
            self._pair_gene_offsets = _load(folder, "pairs.gene_offsets")
            self._pair_tissue = _load(folder, "pairs.tissue")
            self._pair_variant = _load(folder, "pairs.variant")
            self._pair_pval = _load(folder, "pairs.pval")
            self._pair_slope = _load(folder, "pairs.slope")
            self._by_variant = _load(folder, "pairs.by_variant")
            self._variant_offsets = _load(folder, "pairs.variant_offsets")
            self._pv_ids = SortedKeys.load(folder, "pv.id")
            self._pv_rs = StringColumn.load(folder, "pv.rs")
            self._pv_chrom = StringColumn.load(folder, "pv.chrom")
            self._pv_pos = _load(folder, "pv.pos")
            self._pv_pos_valid = _load(folder, "pv.pos_valid")
        self.has_rs = "rs" in self.meta
        if self.has_rs:
            self._rs_ids = SortedKeys.load(folder, "rs.id")
            self._rs_variants = StringColumn.load(folder, "rs.variant")
        self.expression_tissues: dict[str, tuple[SortedKeys, NDArray[np.float64]]] = {}
        keys: dict[str, SortedKeys] = {}
        for tissue, info in (self.meta.get("expression") or {}).get("tissues", {}).items():
            if info["genes"] not in keys:
                keys[info["genes"]] = SortedKeys.load(folder, info["genes"])
            matrix = mmap_array(folder / info["matrix"])
            if list(matrix.shape) != info["shape"]:
                raise StaleIndexError(folder / info["matrix"], "matrix shape differs from "
                                      "meta.json", f"rebuild it: genotex store index "
                                      f"{self.release}")
            self.expression_tissues[tissue] = (keys[info["genes"]], matrix)
        self.has_expression = "expression" in self.meta

    # --- lookups ---------------------------------------------------------------------------

    def gene_names(self, gene_ids: Sequence[str]) -> dict[str, str | None]:
        """gene_id -> symbol (genes absent from the genes table are left out)."""
        out: dict[str, str | None] = {}
        for gene in gene_ids:
            lo, hi = self._gene_ids.find(gene)
            if hi > lo:
                out[gene] = self._gene_names[hi - 1]
        return out

    def _codes(self, tissues: Sequence[str] | None) -> NDArray[np.int16] | None:
        if tissues is None:
            return None
        return np.array([self.tissue_code[t] for t in tissues if t in self.tissue_code],
                        dtype=np.int16)

    def median_rows(self, gene_ids: Sequence[str], tissues: Sequence[str] | None
                    ) -> tuple[list[str], NDArray[np.int16], NDArray[np.float64]]:
        """Median TPM rows of genes (unique, any order) in tissues, ordered by
        (gene ID, tissue ID): (gene ID per row, tissue codes, medians, NaN = null)."""
        codes = self._codes(tissues)
        genes, tissue_parts, value_parts = [], [], []
        for gene in sorted(gene_ids, key=lambda g: g.encode()):
            lo, hi = self._median_genes.find(gene)
            if hi == lo:
                continue
            start, stop = self._median_offsets[lo], self._median_offsets[hi]
            tis = np.asarray(self._median_tissue[start:stop])
            val = np.asarray(self._median_value[start:stop])
            if codes is not None:
                keep = np.isin(tis, codes)
                tis, val = tis[keep], val[keep]
            genes += [gene] * len(tis)
            tissue_parts.append(tis)
            value_parts.append(val)
        if not genes:
            return [], np.zeros(0, np.int16), np.zeros(0)
        return genes, np.concatenate(tissue_parts), np.concatenate(value_parts)

    def pair_rows(self, *, gene_ids: Sequence[str] | None, variant_ids: Sequence[str] | None,
                  tissues: Sequence[str] | None) -> NDArray[np.int64]:
        """Row numbers (API order) of the significant pairs matching every given filter;
        ``variant_ids`` are GTEx variant IDs (rsIDs already resolved)."""
        selected: NDArray[np.int64] | None = None
        if gene_ids is not None:
            parts = []
            for gene in gene_ids:
                lo, hi = self._pair_genes.find(gene)
                if hi > lo:
                    parts.append(np.arange(self._pair_gene_offsets[lo],
                                           self._pair_gene_offsets[hi], dtype=np.int64))
            selected = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        if variant_ids is not None:
            parts = []
            for variant in variant_ids:
                lo, hi = self._pv_ids.find(variant)
                if hi > lo:
                    start, stop = self._variant_offsets[lo], self._variant_offsets[hi]
                    parts.append(np.asarray(self._by_variant[start:stop], dtype=np.int64))
            rows = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
            selected = rows if selected is None else np.intersect1d(selected, rows)
        if selected is None:
            raise ValueError("pair_rows needs gene_ids or variant_ids")
        codes = self._codes(tissues)
        if codes is not None and len(selected):
            selected = selected[np.isin(self._pair_tissue[selected], codes)]
        return selected

    def pair_records(self, rows: NDArray[np.int64], dataset_id: str,
                     ontology: dict[str, str]) -> list[dict[str, Any]]:
        """GTEx ``SingleTissueEqtl`` records of pair rows (same fields as the SQL path)."""
        if not len(rows):
            return []
        vi = self._pair_variant[rows]
        variants, where = np.unique(vi, return_inverse=True)
        ids, rs_ids = self._pv_ids.take(variants), self._pv_rs.take(variants)
        chroms = self._pv_chrom.take(variants)
        pos = [p if ok else None for p, ok in zip(self._pv_pos[variants].tolist(),
                                                   self._pv_pos_valid[variants].tolist(),
                                                   strict=True)]
        gene_of = np.searchsorted(self._pair_gene_offsets, rows, side="right") - 1
        gene_codes, gene_where = np.unique(gene_of, return_inverse=True)
        genes = [g or "" for g in self._pair_genes.take(gene_codes)]
        names = self.gene_names(genes)
        symbols = [names.get(g) or "" for g in genes]
        uppers = [s.upper() for s in symbols]
        tissues = self.tissues
        out = []
        for v, g, t, p, nes in zip(where.tolist(), gene_where.tolist(),
                                   self._pair_tissue[rows].tolist(),
                                   self._pair_pval[rows].tolist(),
                                   self._pair_slope[rows].tolist(), strict=True):
            rs = rs_ids[v]
            tissue = tissues[t]
            out.append({
                "snpId": rs, "pos": pos[v], "snpIdUpper": rs.upper() if rs is not None else None,
                "variantId": ids[v], "geneSymbol": symbols[g],
                "pValue": None if p != p else p, "geneSymbolUpper": uppers[g],
                "datasetId": dataset_id, "tissueSiteDetailId": tissue,
                "ontologyId": ontology.get(tissue), "chromosome": chroms[v],
                "gencodeId": genes[g], "nes": None if nes != nes else nes,
            })
        return out

    def variants_of_rs(self, rs_ids: Sequence[str]) -> list[str]:
        """GTEx variant IDs carrying these dbSNP rsIDs (exact match)."""
        out: list[str] = []
        if not self.has_rs:
            return out
        for rs in rs_ids:
            lo, hi = self._rs_ids.find(rs)
            out += [v for v in self._rs_variants.take(range(lo, hi)) if v is not None]
        return out

    def expression(self, gene_ids: Sequence[str], tissues: Sequence[str] | None
                   ) -> list[tuple[str, str, NDArray[np.float64]]]:
        """(gene, tissue, TPM of the samples with a value, by sample ID) for each gene x
        tissue with values, ordered by (gene ID, tissue ID)."""
        chosen = (self.expression_tissues if tissues is None else
                  {t: self.expression_tissues[t] for t in tissues
                   if t in self.expression_tissues})
        found = []
        rows: dict[tuple[int, str], int | None] = {}  # tissues mostly share one key file
        for tissue, (keys, matrix) in chosen.items():
            for gene in gene_ids:
                row = rows.get((id(keys), gene), -1)
                if row == -1:
                    row = rows[id(keys), gene] = keys.index(gene)
                if row is None:
                    continue
                values = np.asarray(matrix[row])
                values = values[~np.isnan(values)]
                if values.size:
                    found.append((gene, tissue, values))
        found.sort(key=lambda r: (r[0].encode(), r[1].encode()))
        return found
