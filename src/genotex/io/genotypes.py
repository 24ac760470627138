"""One reading API over VCF/BCF, PLINK 1 (.bed/.bim/.fam) and PLINK 2 (.pgen/.pvar/.psam).

Readers stream genotypes in chunks of variants so that memory is bounded by the chunk, not the
file: a chunk of 10,000 variants × 1,000 samples is 40 MB of float32.

Conventions (see :mod:`genotex.schema`): positions are 1-based; dosages count the **ALT**
allele, in [0, 2], NaN = missing (a half-missing call such as ``0|.`` is missing); variant IDs
are the file's own when they are GTEx-style (``chr1_12345_A_G_b38``), else built from
chrom/pos/ref/alt with :func:`genotex.schema.variant_id`. Only biallelic sites are supported:
a multi-allelic VCF record raises :class:`~genotex.errors.InputError` telling the user to split it
(``bcftools norm -m -any``), the same choice GTEx made for its release VCF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_chrom_naming,
    check_known,
    check_sorted,
    check_unique,
    reading,
)
from genotex.schema import VARIANT_COLUMNS, variant_id

__all__ = ["GenotypeChunk", "GenotypeReader", "VariantTable", "open_genotypes"]

Field = Literal["GT", "DS"]

_GTEX_ID = re.compile(r"^chr[0-9A-Za-z]+_\d+_[A-Za-z*]+_[A-Za-z*<>:]+_b3[78]$")


@dataclass(frozen=True)
class GenotypeChunk:
    """A block of consecutive variants.

    Attributes
    ----------
    variants
        (n_variants, 5) columns :data:`genotex.schema.VARIANT_COLUMNS`
        (``variant_id, chrom, pos, ref, alt``; ``pos`` 1-based), RangeIndex.
    dosages
        (n_variants, n_samples) float32 ALT-allele dosages in [0, 2], NaN = missing, columns in
        the reader's ``samples`` order.
    """

    variants: pd.DataFrame
    dosages: np.ndarray


@runtime_checkable
class GenotypeReader(Protocol):
    """What every genotype reader offers (VCF, PLINK 1, PLINK 2)."""

    samples: list[str]

    @property
    def variants(self) -> pd.DataFrame:
        """All variants (metadata only), columns VARIANT_COLUMNS, RangeIndex.

        Built on each access from :attr:`variant_table` (IDs of every variant: ~50 bytes per
        variant); code that only needs chromosomes and positions uses ``variant_table``.
        """
        ...

    @property
    def variant_table(self) -> VariantTable:
        """All variants in compact columns (chromosome blocks, positions, Arrow strings)."""
        ...

    def iter_chunks(
        self, chunk_size: int = 10_000, *, chrom: str | None = None
    ) -> Iterator[GenotypeChunk]:
        """Consecutive chunks of at most ``chunk_size`` variants (of one chromosome if given)."""
        ...

    def read_region(self, chrom: str, start: int, end: int) -> GenotypeChunk:
        """Variants with ``start <= pos <= end`` (1-based inclusive) on ``chrom``."""
        ...

    def read_dosages(self, chrom: str, start: int, end: int) -> np.ndarray:
        """The dosages of :meth:`read_region` alone (no variant frame is built)."""
        ...

    def close(self) -> None:
        """Release file handles."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


def variant_ids(ids: Sequence[str], chrom: Sequence[str], pos: Sequence[int] | np.ndarray,
                ref: Sequence[str], alt: Sequence[str]) -> list[str]:
    """The file's IDs where GTEx-style, else ``chr_pos_ref_alt_b38``.

    >>> variant_ids(["rs1", "chr1_5_A_G_b38"], ["chr1", "chr1"], [4, 5], ["C", "A"], ["T", "G"])
    ['chr1_4_C_T_b38', 'chr1_5_A_G_b38']
    """
    return [
        i if isinstance(i, str) and _GTEX_ID.match(i) else variant_id(c, int(p), r, a)
        for i, c, p, r, a in zip(ids, chrom, pos, ref, alt, strict=True)
    ]


def variant_frame(ids: Sequence[str], chrom: Sequence[str], pos: Sequence[int] | np.ndarray,
                  ref: Sequence[str], alt: Sequence[str]) -> pd.DataFrame:
    """Build a VARIANT_COLUMNS frame (RangeIndex), normalizing the variant IDs."""
    frame = pd.DataFrame({
        "variant_id": variant_ids(ids, chrom, pos, ref, alt),
        "chrom": pd.Series(chrom, dtype=object).astype(str).to_numpy(),
        "pos": np.asarray(pos, dtype=np.int64),
        "ref": pd.Series(ref, dtype=object).astype(str).to_numpy(),
        "alt": pd.Series(alt, dtype=object).astype(str).to_numpy(),
    })
    return frame[list(VARIANT_COLUMNS)]


def _build_ids(chrom: pa.Array, pos: np.ndarray, ref: pa.Array | pa.ChunkedArray,
               alt: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``chrom_pos_ref_alt_b38`` for every row (:func:`genotex.schema.variant_id`, vectorized)."""
    return pc.binary_join_element_wise(chrom, pc.cast(pa.array(pos), pa.string()), ref, alt,
                                       "b38", "_")


@dataclass(frozen=True)
class VariantTable:
    """All variants of a genotype file, in compact columns (no per-variant Python objects).

    About 6 bytes per variant plus the text of the file's IDs and alleles (Arrow strings, 4
    bytes of offset each): 10 M variants with short IDs take ~0.3 GB. GTEx-style IDs are built
    only for the rows asked for (:meth:`frame`).

    Attributes
    ----------
    chroms
        (n_chroms,) chromosome names in file order (each one a contiguous block of rows).
    bounds
        (n_chroms + 1,) int64 row offsets: ``chroms[k]`` holds rows ``bounds[k]:bounds[k+1]``.
    pos
        (n_variants,) 1-based positions, int32 (int64 if a position needs it), sorted within
        each chromosome.
    ids, ref, alt
        (n_variants,) Arrow strings: the file's variant ID where it is kept as the variant ID
        (GTEx-style) and differs from the one built from chrom/pos/ref/alt, else null (so
        rsIDs and GTEx IDs that match their coordinates cost no text); REF and ALT alleles.

    Examples
    --------
    >>> t = VariantTable.from_columns(["chr1", "chr1", "chr2"], [5, 9, 3], ["rs1", "rs2", "."],
    ...                               ["A", "C", "G"], ["G", "T", "A"])
    >>> len(t), t.chroms, t.chrom_slice("chr2"), t.region_slice("chr1", 6, 100)
    (3, ('chr1', 'chr2'), slice(2, 3, None), slice(1, 2, None))
    >>> t.frame(1, 3)["variant_id"].tolist()
    ['chr1_9_C_T_b38', 'chr2_3_G_A_b38']
    """

    chroms: tuple[str, ...]
    bounds: np.ndarray
    pos: np.ndarray
    ids: pa.ChunkedArray
    ref: pa.ChunkedArray
    alt: pa.ChunkedArray

    @classmethod
    def from_columns(cls, chrom: Sequence[str], pos: Sequence[int] | np.ndarray,
                     ids: Sequence[str | None], ref: Sequence[str], alt: Sequence[str],
                     path: PathLike | None = None) -> VariantTable:
        """Build (and check: chr naming, sorted, contiguous) from plain sequences."""
        builder = VariantTableBuilder(path)
        builder.add(pa.array(list(chrom), pa.string()), np.asarray(pos, dtype=np.int64),
                    pa.array(list(ids), pa.string()), pa.array(list(ref), pa.string()),
                    pa.array(list(alt), pa.string()))
        return builder.finish()

    def __len__(self) -> int:
        return len(self.pos)

    def chrom_slice(self, chrom: str) -> slice:
        """Rows of ``chrom`` (empty slice when absent)."""
        if chrom not in self.chroms:
            return slice(0, 0)
        k = self.chroms.index(chrom)
        return slice(int(self.bounds[k]), int(self.bounds[k + 1]))

    def region_slice(self, chrom: str, start: int, end: int) -> slice:
        """Rows with ``start <= pos <= end`` (1-based inclusive) on ``chrom``."""
        rows = self.chrom_slice(chrom)
        pos = self.pos[rows]
        lo = int(np.searchsorted(pos, start, side="left"))
        hi = int(np.searchsorted(pos, end, side="right"))
        return slice(rows.start + lo, rows.start + hi)

    def chrom_column(self, lo: int, hi: int) -> pa.Array:
        """(hi - lo,) chromosome names of rows ``lo:hi`` as Arrow strings."""
        lo_k = int(np.searchsorted(self.bounds, lo, side="right")) - 1
        hi_k = int(np.searchsorted(self.bounds, hi, side="left"))
        counts = np.diff(np.clip(self.bounds[max(lo_k, 0): hi_k + 1], lo, hi))
        codes = np.repeat(np.arange(max(lo_k, 0), max(lo_k, 0) + len(counts), dtype=np.int32),
                          counts)
        names = pa.array(list(self.chroms), pa.string())
        return pc.take(names, pa.array(codes, pa.int32()))

    def variant_ids(self, lo: int, hi: int) -> pa.ChunkedArray:
        """GTEx-style IDs of rows ``lo:hi`` (see :func:`variant_ids`), built vectorized."""
        n = hi - lo
        return _coalesced_ids(self.ids.slice(lo, n), self.chrom_column(lo, hi),
                              self.pos[lo:hi], self.ref.slice(lo, n), self.alt.slice(lo, n))

    def frame(self, lo: int = 0, hi: int | None = None) -> pd.DataFrame:
        """Rows ``lo:hi`` (default all) as a VARIANT_COLUMNS frame with a RangeIndex."""
        hi = len(self) if hi is None else min(hi, len(self))
        lo = min(lo, hi)
        n = hi - lo
        return _variant_frame(self.variant_ids(lo, hi), self.chrom_column(lo, hi),
                              self.pos[lo:hi], self.ref.slice(lo, n), self.alt.slice(lo, n))

    def take(self, rows: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The given rows (any order) as a VARIANT_COLUMNS frame with a RangeIndex: IDs are
        built for those rows only.

        >>> t = VariantTable.from_columns(["chr1", "chr2"], [5, 3], ["rs1", "."], ["A", "G"],
        ...                               ["G", "A"])
        >>> t.take([1, 0])["variant_id"].tolist()
        ['chr2_3_G_A_b38', 'chr1_5_A_G_b38']
        """
        r = np.asarray(rows, dtype=np.int64)
        at = pa.array(r)
        names = pa.array(list(self.chroms), pa.string())
        chrom = pc.take(names, pa.array(
            np.searchsorted(self.bounds, r, side="right").astype(np.int32) - 1, pa.int32()))
        ref, alt = pc.take(self.ref, at), pc.take(self.alt, at)
        ids = _coalesced_ids(pc.take(self.ids, at), chrom, self.pos[r], ref, alt)
        return _variant_frame(ids, chrom, self.pos[r], ref, alt)


def _coalesced_ids(ids: pa.ChunkedArray | pa.Array, chrom: pa.Array, pos: np.ndarray,
                   ref: pa.ChunkedArray | pa.Array, alt: pa.ChunkedArray | pa.Array,
                   ) -> pa.ChunkedArray:
    """The file's kept IDs where present, else the GTEx-style ID built from the columns."""
    n = len(pos)
    if not n:
        return ids if isinstance(ids, pa.ChunkedArray) else pa.chunked_array([ids])
    built = _build_ids(chrom, pos, ref, alt)
    out = built if ids.null_count == n else pc.coalesce(ids, built)
    # never pa.chunked_array([a ChunkedArray]): that converts it through Python objects
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


def _variant_frame(ids: pa.ChunkedArray, chrom: pa.Array, pos: np.ndarray,
                   ref: pa.ChunkedArray | pa.Array, alt: pa.ChunkedArray | pa.Array,
                   ) -> pd.DataFrame:
    # one Arrow table → pandas conversion (strings stay Arrow-backed where pandas defaults
    # to it): ~40 % less per call than building the frame column by column
    return pa.Table.from_arrays([ids, chrom, pa.array(pos.astype(np.int64)), ref, alt],
                                names=list(VARIANT_COLUMNS)).to_pandas()


_TABLE_CACHE: dict[tuple[str, int, int], VariantTable] = {}


def cached_variant_table(path: PathLike, build: Callable[[], VariantTable]) -> VariantTable:
    """``build()``, or the table built last time for the same unchanged file.

    A mapping run opens its genotype file more than once (the inputs check, then each
    pass); the variant table (a .pvar/.bim parse, or a whole pass over a VCF) is built once.
    Keyed by the resolved path, size and modification time; only the last file is kept.
    """
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    table = _TABLE_CACHE.get(key)
    if table is None:
        table = build()
        _TABLE_CACHE.clear()
        _TABLE_CACHE[key] = table
    return table


@dataclass
class VariantTableBuilder:
    """Collects a file's variants batch by batch into a :class:`VariantTable`.

    ``rename`` maps a file's chromosome code to its name (PLINK ``1`` → ``chr1``); ``finish``
    checks chr naming, contiguous chromosomes and sorted positions over the whole file
    (``first_line`` is the file line of the first variant, for messages).
    """

    path: PathLike | None
    rename: Callable[[str], str] = str
    first_line: int | None = None
    _names: dict[str, int] = field(default_factory=dict)
    _parts: list[tuple[np.ndarray, np.ndarray, pa.Array, pa.Array, pa.Array]] = field(
        default_factory=list)

    def add(self, chrom: pa.Array | pa.ChunkedArray, pos: np.ndarray,
            ids: pa.Array | pa.ChunkedArray, ref: pa.Array | pa.ChunkedArray,
            alt: pa.Array | pa.ChunkedArray) -> None:
        """Append a batch: chromosome codes/names (Arrow strings), int64 positions, strings."""
        if len(pos) == 0:
            return
        chrom = chrom.combine_chunks() if isinstance(chrom, pa.ChunkedArray) else chrom
        enc = pc.dictionary_encode(chrom)
        renamed = [self.rename(str(c)) for c in enc.dictionary.to_pylist()]
        lut = np.array([self._names.setdefault(c, len(self._names)) for c in renamed],
                       dtype=np.int32)
        codes = lut.astype(np.int16 if len(lut) and lut.max() < 2**15 else np.int32)[
            enc.indices.to_numpy(zero_copy_only=False)]
        pos = np.asarray(pos, dtype=np.int64)
        if pos.max() < 2**31 and pos.min() >= -(2**31):
            pos = pos.astype(np.int32)
        ids, ref, alt = (
            (a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a).cast(pa.string())
            for a in (ids, ref, alt))
        built = _build_ids(pc.take(pa.array(renamed, pa.string()), enc.indices), pos, ref, alt)
        differ = pc.not_equal(ids, built)
        keep = (pc.and_kleene(pc.match_substring_regex(ids, _GTEX_ID.pattern), differ)
                if pc.any(differ).as_py() else differ)  # (no regex when every ID is built's)
        ids = (pc.if_else(keep, ids, pa.scalar(None, pa.string())) if pc.any(keep).as_py()
               else pa.nulls(len(pos), pa.string()))
        self._parts.append((codes, pos, ids, ref, alt))
        pa.default_memory_pool().release_unused()  # this batch's text and IDs, now freed

    def finish(self) -> VariantTable:
        names = list(self._names)
        check_chrom_naming(names, self.path)
        codes = np.concatenate([p[0] for p in self._parts] or [np.empty(0, np.int16)])
        pos = np.concatenate([p[1] for p in self._parts] or [np.empty(0, np.int32)])
        check_sorted(codes, pos, self.path, what="variants", first_line=self.first_line,
                     names=names)
        starts = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
        order = [names[c] for c in codes[starts]] if len(codes) else []
        bounds = np.append(starts, len(codes)).astype(np.int64)
        del codes

        def column(k: int) -> pa.ChunkedArray:
            return pa.chunked_array([p[k] for p in self._parts], pa.string())

        table = VariantTable(tuple(order), bounds, pos, column(2), column(3), column(4))
        self._parts = []
        pa.default_memory_pool().release_unused()  # the parse's freed text blocks
        return table


def read_tsv_batches(path: Path, *, skip_rows: int, column_names: Sequence[str],
                     include: Sequence[str], delimiter: str = "\t",
                     block_size: int = 1 << 24) -> Iterator[pa.RecordBatch]:
    """Stream the ``include`` columns of a delimited text file as Arrow string batches.

    ``skip_rows`` lines (headers) are skipped; ``column_names`` name every column of a line.
    Memory is one block (``block_size`` bytes of text) at a time. Parse errors (a line with
    another number of fields) raise :class:`~genotex.errors.InputError`.
    """
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(skip_rows=skip_rows, column_names=list(column_names),
                             block_size=block_size, use_threads=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=False)
    convert = pacsv.ConvertOptions(include_columns=list(include),
                                   column_types={c: pa.string() for c in include},
                                   strings_can_be_null=False)
    with reading(path):
        try:
            batches = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                     convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return
            raise
        try:
            yield from batches
        finally:
            batches.close()


def parse_positions(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, int | None]:
    """(int64 positions, None), or (empty, index of the first non-numeric value)."""
    try:
        return pc.cast(values, pa.int64()).to_numpy(), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        num = pd.to_numeric(pd.Series(values.to_pandas(), dtype=object), errors="coerce")
        bad = num.isna().to_numpy()
        if bad.any():
            return np.empty(0, np.int64), int(np.flatnonzero(bad)[0])
        return num.to_numpy().astype(np.int64), None


class SortedVariantChunks:
    """Checks that variant chunks written to ``path`` are chr-named and sorted across chunks,
    and normalizes each to :data:`~genotex.schema.VARIANT_COLUMNS` (the PLINK writers' part).
    """

    def __init__(self, path: PathLike) -> None:
        self.path = path
        self._last: tuple[str, int] | None = None

    def accept(self, variants: pd.DataFrame) -> pd.DataFrame:
        """``variants`` (``chrom, pos, ref, alt`` [, ``variant_id``]) → a VARIANT_COLUMNS frame."""
        chrom = variants["chrom"].astype(str).to_numpy()
        pos = variants["pos"].to_numpy(dtype=np.int64)
        check_chrom_naming(chrom, self.path)
        prev = ([self._last[0]], [self._last[1]]) if self._last else ([], [])
        check_sorted(np.concatenate([prev[0], chrom]).astype(object),
                     np.concatenate([prev[1], pos]), self.path, what="variants")
        if len(chrom):
            self._last = (str(chrom[-1]), int(pos[-1]))
        ids = (variants["variant_id"].tolist() if "variant_id" in variants.columns
               else [""] * len(variants))
        return variant_frame(ids, chrom.tolist(), pos, variants["ref"].tolist(),
                             variants["alt"].tolist())


class _ChunkWriter(Protocol):
    def write(self, variants: pd.DataFrame, genotypes: np.ndarray) -> None: ...


def write_in_chunks(writer: _ChunkWriter, variants: pd.DataFrame, genotypes: np.ndarray,
                    n_samples: int) -> None:
    """Feed (n_variants, n_samples) ``genotypes`` to ``writer`` in blocks of ~16 M calls."""
    step = max(1, 2**24 // max(1, n_samples))
    for a in range(0, len(variants), step):
        writer.write(variants.iloc[a: a + step], genotypes[a: a + step])


def select_samples(
    file_samples: Sequence[str], requested: Sequence[str] | None, path: PathLike
) -> tuple[list[str], np.ndarray]:
    """Names and file column indices of the requested samples (all, in file order, if None)."""
    check_unique(list(file_samples), path, what="sample ID")
    if requested is None:
        return list(file_samples), np.arange(len(file_samples))
    requested = list(requested)
    check_known(requested, list(file_samples), path, what="sample")
    where = {s: i for i, s in enumerate(file_samples)}
    return requested, np.array([where[s] for s in requested], dtype=np.int64)


class IndexedReader:
    """Shared logic of readers with random access by variant index (PLINK 1, PLINK 2).

    Subclasses set ``path``, ``samples``, ``_table`` and implement ``_read_rows(lo, hi)``.
    """

    path: Path
    samples: list[str]
    _table: VariantTable

    @property
    def variants(self) -> pd.DataFrame:
        return self._table.frame()

    @property
    def variant_table(self) -> VariantTable:
        return self._table

    def _read_rows(self, lo: int, hi: int) -> np.ndarray:
        raise NotImplementedError

    def _chunk(self, lo: int, hi: int) -> GenotypeChunk:
        return GenotypeChunk(variants=self._table.frame(lo, hi), dosages=self._read_rows(lo, hi))

    def iter_chunks(
        self, chunk_size: int = 10_000, *, chrom: str | None = None
    ) -> Iterator[GenotypeChunk]:
        if chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")
        rows = slice(0, len(self._table)) if chrom is None else self._table.chrom_slice(chrom)
        lo, hi = rows.start, rows.stop
        for a in range(lo, hi, chunk_size):
            yield self._chunk(a, min(a + chunk_size, hi))

    def read_region(self, chrom: str, start: int, end: int) -> GenotypeChunk:
        sl = self._table.region_slice(chrom, start, end)
        return self._chunk(sl.start, sl.stop)

    def read_dosages(self, chrom: str, start: int, end: int) -> np.ndarray:
        sl = self._table.region_slice(chrom, start, end)
        return self._read_rows(sl.start, sl.stop)

    def close(self) -> None:
        """Nothing to release by default."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_genotypes(
    path: PathLike, *, samples: Sequence[str] | None = None, field: Field = "GT"
) -> GenotypeReader:
    """Open a genotype file for chunked reading, dispatching on its suffix.

    Parameters
    ----------
    path
        ``.vcf``, ``.vcf.gz``, ``.bcf`` (VCF, via cyvcf2); ``.bed`` or a prefix with
        ``.bed/.bim/.fam`` (PLINK 1); ``.pgen`` or a prefix with
        ``.pgen/.pvar/.psam`` (PLINK 2, via pgenlib).
    samples
        Sample IDs to read, in this order; unknown IDs raise :class:`~genotex.errors.InputError`.
    field
        ``"GT"``: dosage from hard calls; ``"DS"``: the imputed dosage field (VCF ``DS``,
        PLINK 2 dosages). PLINK 1 has hard calls only.

    Returns
    -------
    GenotypeReader
        Use as a context manager; ``iter_chunks`` streams (n_variants, n_samples) dosages.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from genotex.io.plink import write_plink
    >>> prefix = pathlib.Path(tempfile.mkdtemp()) / "g"
    >>> v = pd.DataFrame({"chrom": ["chr1", "chr1"], "pos": [10, 20], "ref": ["A", "C"],
    ...                   "alt": ["G", "T"]})
    >>> write_plink(prefix, v, ["S1", "S2"], np.array([[0, 2], [1, -1]], dtype=np.int8))
    >>> with open_genotypes(prefix, samples=["S2", "S1"]) as reader:
    ...     chunk = next(reader.iter_chunks(10))
    >>> chunk.dosages.tolist(), chunk.variants["variant_id"].tolist()
    ([[2.0, 0.0], [nan, 1.0]], ['chr1_10_A_G_b38', 'chr1_20_C_T_b38'])
    """
    name = str(path)
    lower = name.lower()
    if lower.endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        from genotex.io.vcf import VcfReader

        return VcfReader(path, samples=samples, field=field)
    if lower.endswith(".pgen") or (
        not lower.endswith((".bed", ".bim", ".fam")) and Path(name + ".pgen").is_file()
    ):
        from genotex.io.pgen import PgenReader

        return PgenReader(path, samples=samples, field=field)
    if lower.endswith((".bed", ".bim", ".fam")) or Path(name + ".bed").is_file():
        from genotex.io.plink import PlinkReader

        if field != "GT":
            raise InputError(path, "PLINK 1 .bed files hold hard calls only, not dosages",
                             "use field='GT', or convert to .pgen/VCF with DS")
        return PlinkReader(path, samples=samples)
    raise InputError(path, "unrecognised genotype file (no .vcf/.vcf.gz/.bcf/.bed/.pgen "
                     "suffix and no .bed/.pgen beside the prefix)",
                     "pass a VCF/BCF file, a PLINK .bed (or prefix) or a .pgen (or prefix)")
