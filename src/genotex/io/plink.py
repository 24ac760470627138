"""PLINK 1 binary genotypes (.bed/.bim/.fam): reader and streaming writer.

Allele orientation: ``.bim`` column 5 (A1) is the **ALT** allele and column 6 (A2) the REF, as
``plink2 --make-bed`` writes them; dosages count A1 = ALT. Chromosome codes ``1``..``26``/``X``/
``Y``/``MT`` are mapped to genotex's ``chr`` names (``23`` → ``chrX``, ``26`` → ``chrM``).
Sample IDs are the ``.fam`` IID column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa

from genotex.errors import InputError
from genotex.io._checks import (
    PLINK_CHROM_CODES,
    PathLike,
    check_unique,
    ensure_parent,
    fileset_member,
    read_head_lines,
    reading,
)
from genotex.io.genotypes import (
    IndexedReader,
    SortedVariantChunks,
    VariantTable,
    VariantTableBuilder,
    cached_variant_table,
    parse_positions,
    read_tsv_batches,
    select_samples,
    write_in_chunks,
)

__all__ = ["PlinkReader", "PlinkWriter", "write_plink"]

_MAGIC = b"\x6c\x1b\x01"
# ALT count 0, 1, 2, missing (index 3) -> 2-bit code with A1 = ALT
_CODE = np.array([0b11, 0b10, 0b00, 0b01], dtype=np.uint8)
# one .bed byte (4 samples, first in the low bits) -> their 4 int8 ALT counts (-1 = missing),
# packed in one uint32: 2-bit code 00 -> 2, 01 -> missing, 10 -> 1, 11 -> 0 (A1 = ALT)
_ALT_COUNT = np.array([2, -1, 1, 0], dtype=np.int8)
_BYTE_CODES = np.ascontiguousarray(np.stack(
    [_ALT_COUNT[(np.arange(256) >> shift) & 3] for shift in (0, 2, 4, 6)], axis=1)).view(
    np.uint32).ravel()
#: bytes of .bed rows decoded per block (a block and its output stay in cache)
_BLOCK_BYTES = 1 << 19
_NAN32 = np.float32(np.nan)


def plink_prefix(path: PathLike) -> Path:
    """The prefix of a PLINK fileset given the prefix itself or one of its files."""
    p = Path(path)
    return p.with_suffix("") if p.suffix in {".bed", ".bim", ".fam"} else p


def _read_fam(path: Path) -> pd.DataFrame:
    with reading(path):
        fam = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, engine="c")
    if fam.shape[1] < 6:
        raise InputError(path, f".fam has {fam.shape[1]} columns, not 6",
                         "write FID IID father mother sex phenotype per line")
    return fam


_BIM_COLUMNS = ["chrom", "id", "cm", "pos", "a1", "a2"]


def _bim_batches(path: Path, first: str) -> Iterator[pa.RecordBatch]:
    """The .bim's columns in Arrow string batches (tab-separated: Arrow's reader; else pandas)."""
    if "\t" in first:
        yield from read_tsv_batches(path, skip_rows=0, column_names=_BIM_COLUMNS,
                                    include=["chrom", "id", "pos", "a1", "a2"])
        return
    with reading(path), pd.read_csv(path, sep=r"\s+", header=None, names=_BIM_COLUMNS,
                                    dtype=str, engine="c", chunksize=1 << 20) as chunks:
        for chunk in chunks:
            yield pa.RecordBatch.from_pandas(chunk, preserve_index=False)


def _read_bim(path: Path) -> VariantTable:
    """The .bim's variants, parsed in batches into a compact :class:`VariantTable`."""
    first = next(iter(read_head_lines(path, 1)), "")
    if not first.strip():
        raise InputError(path, "the file is empty", "write the header line and data")
    if len(first.split()) != 6:
        raise InputError(path, f".bim has {len(first.split())} columns, not 6",
                         "write chrom ID cM pos A1(ALT) A2(REF) per line")
    builder = VariantTableBuilder(path, rename=lambda c: PLINK_CHROM_CODES.get(c, c),
                                  first_line=1)
    row = 0
    for batch in _bim_batches(path, first):
        pos, bad = parse_positions(batch.column("pos"))
        if bad is not None:
            raise InputError(path, f"non-numeric position {batch.column('pos')[bad].as_py()!r}",
                             "column 4 must be the 1-based base-pair position",
                             line=row + bad + 1)
        builder.add(batch.column("chrom"), pos, batch.column("id"), batch.column("a2"),
                    batch.column("a1"))
        row += batch.num_rows
    return builder.finish()


class PlinkReader(IndexedReader):
    """Chunked reader of a PLINK 1 fileset (see :func:`genotex.io.open_genotypes`)."""

    def __init__(self, path: PathLike, *, samples: Sequence[str] | None = None) -> None:
        prefix = plink_prefix(path)
        self.path = fileset_member(prefix, ".bed")
        for ext in (".bed", ".bim", ".fam"):
            if not fileset_member(prefix, ext).is_file():
                raise InputError(fileset_member(prefix, ext), "file not found",
                                 "a PLINK 1 fileset needs .bed, .bim and .fam beside each other")
        fam = _read_fam(fileset_member(prefix, ".fam"))
        bim = fileset_member(prefix, ".bim")
        self._table = cached_variant_table(bim, lambda: _read_bim(bim))
        self.samples, self._sample_idx = select_samples(fam[1].tolist(), samples,
                                                        fileset_member(prefix, ".fam"))
        n, m = len(fam), len(self._table)
        expected = len(_MAGIC) + m * ((n + 3) // 4)
        with open(self.path, "rb") as fh:
            magic = fh.read(3)
        if magic != _MAGIC:
            raise InputError(self.path, "not a variant-major PLINK 1 .bed (bad magic bytes)",
                             "re-create it with `plink2 --make-bed`")
        size = self.path.stat().st_size
        if size != expected:
            raise InputError(self.path, f"file has {size} bytes but {m} variants × {n} samples "
                             f"need {expected} (truncated, or .bim/.fam do not match)",
                             "re-create the fileset so .bed, .bim and .fam agree")
        self._n_file = n
        self._all = self._sample_idx.tolist() == list(range(n))

    def _read_rows(self, lo: int, hi: int) -> np.ndarray:
        """(hi - lo, n_samples) float32 dosages, decoded from the 2-bit codes in row blocks.

        Per block: read the rows' bytes, map each byte to its 4 int8 ALT counts with a
        256-entry table, put the columns in ``samples`` order on the int8 codes, then one cast
        writes the float32 output and missing calls (-1) become NaN.
        """
        n, row_bytes = len(self.samples), (self._n_file + 3) // 4
        out = np.empty((max(hi - lo, 0), n), dtype=np.float32)
        if hi <= lo or row_bytes == 0:
            return out
        step = max(1, _BLOCK_BYTES // row_bytes)
        rows = min(step, hi - lo)
        raw = np.empty((rows, row_bytes), dtype=np.uint8)
        quads = np.empty((rows, row_bytes), dtype=np.uint32)
        codes = None if self._all else np.empty((rows, n), dtype=np.int8)
        neg = np.empty((rows, n), dtype=bool)
        with open(self.path, "rb", buffering=0) as fh:
            for a in range(lo, hi, step):
                b = min(a + step, hi)
                dest, k = out[a - lo: b - lo], b - a
                fh.seek(len(_MAGIC) + a * row_bytes)
                if fh.readinto(raw[:k].data.cast("B")) != k * row_bytes:
                    raise InputError(self.path, "file shorter than its .bim/.fam say (changed "
                                     "while open?)", "re-create the fileset")
                src = np.take(_BYTE_CODES, raw[:k], out=quads[:k]).view(np.int8)[:, :self._n_file]
                if codes is not None:
                    src = np.take(src, self._sample_idx, axis=1, out=codes[:k])
                np.copyto(dest, src, casting="unsafe")
                missing = np.less(src, 0, out=neg[:k])
                if missing.any():
                    np.copyto(dest, _NAN32, where=missing)
        return out


def encode_bed_rows(genotypes: np.ndarray) -> bytes:
    """Pack (n_variants, n_samples) ALT counts 0/1/2/-1 into PLINK 1 variant-major bytes."""
    g = np.asarray(genotypes)
    n_var, n = g.shape
    idx = np.where((g >= 0) & (g <= 2), g, 3).astype(np.intp)
    codes = _CODE[idx]
    pad = (-n) % 4
    if pad:
        codes = np.concatenate([codes, np.zeros((n_var, pad), dtype=np.uint8)], axis=1)
    codes = codes.reshape(n_var, -1, 4)
    packed = codes[..., 0] | (codes[..., 1] << 2) | (codes[..., 2] << 4) | (codes[..., 3] << 6)
    return packed.astype(np.uint8).tobytes()


class PlinkWriter:
    """Write a PLINK 1 fileset chunk by chunk (memory bounded by the chunk).

    >>> import tempfile, pathlib
    >>> prefix = pathlib.Path(tempfile.mkdtemp()) / "g"
    >>> v = pd.DataFrame({"chrom": ["chr1"], "pos": [10], "ref": ["A"], "alt": ["G"]})
    >>> with PlinkWriter(prefix, ["S1", "S2"]) as w:
    ...     w.write(v, np.array([[0, 1]], dtype=np.int8))
    >>> sorted(p.name for p in prefix.parent.iterdir())
    ['g.bed', 'g.bim', 'g.fam']
    """

    def __init__(self, prefix: PathLike, samples: Sequence[str], *,
                 sex: Sequence[int] | None = None) -> None:
        self.prefix = plink_prefix(prefix)
        ensure_parent(fileset_member(self.prefix, ".bed"))
        check_unique(list(samples), fileset_member(self.prefix, ".fam"), what="sample ID")
        self.n_samples = len(samples)
        sexes = [0] * len(samples) if sex is None else list(sex)
        with open(fileset_member(self.prefix, ".fam"), "w", encoding="utf-8") as fam:
            for s, x in zip(samples, sexes, strict=True):
                fam.write(f"{s}\t{s}\t0\t0\t{int(x)}\t-9\n")
        self._bed: IO[bytes] = open(fileset_member(self.prefix, ".bed"), "wb")  # noqa: SIM115
        self._bim: IO[str] = open(fileset_member(self.prefix, ".bim"), "w", encoding="utf-8")  # noqa: SIM115
        self._bed.write(_MAGIC)
        self._variants = SortedVariantChunks(fileset_member(self.prefix, ".bim"))

    def write(self, variants: pd.DataFrame, genotypes: np.ndarray) -> None:
        """Append sorted variants and their (n_variants, n_samples) int8 ALT counts."""
        g = np.asarray(genotypes)
        if g.ndim != 2 or g.shape != (len(variants), self.n_samples):
            raise ValueError(f"genotypes shape {g.shape} != ({len(variants)}, {self.n_samples})")
        frame = self._variants.accept(variants)
        lines = [f"{c}\t{i}\t0\t{p}\t{a}\t{r}\n" for i, c, p, r, a in
                 frame.itertuples(index=False)]
        self._bim.write("".join(lines))
        self._bed.write(encode_bed_rows(g))

    def close(self) -> None:
        self._bed.close()
        self._bim.close()

    def __enter__(self) -> PlinkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_plink(
    prefix: PathLike,
    variants: pd.DataFrame,
    samples: Sequence[str],
    genotypes: np.ndarray,
    *,
    sex: Sequence[int] | None = None,
) -> None:
    """Write a PLINK 1 fileset ``prefix.{bed,bim,fam}``.

    Parameters
    ----------
    prefix
        Output prefix (a ``.bed`` path is accepted too).
    variants
        (n_variants,) rows with ``chrom, pos, ref, alt`` (and optionally ``variant_id``),
        sorted by position within contiguous chromosomes.
    samples
        (n_samples,) sample IDs, written as FID and IID.
    genotypes
        (n_variants, n_samples) int8 ALT-allele counts 0/1/2, -1 = missing.
    sex
        (n_samples,) 1 = male, 2 = female, 0 = unknown (default).
    """
    with PlinkWriter(prefix, samples, sex=sex) as writer:
        write_in_chunks(writer, variants, genotypes, len(samples))
        if len(variants) == 0:
            writer.write(variants, np.empty((0, len(samples)), dtype=np.int8))
