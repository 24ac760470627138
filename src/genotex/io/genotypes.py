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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self, runtime_checkable

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_chrom_naming,
    check_known,
    check_sorted,
    check_unique,
)
from genotex.schema import VARIANT_COLUMNS, variant_id

__all__ = ["GenotypeChunk", "GenotypeReader", "open_genotypes"]

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
        """All variants (metadata only), columns VARIANT_COLUMNS, RangeIndex."""
        ...

    def iter_chunks(
        self, chunk_size: int = 10_000, *, chrom: str | None = None
    ) -> Iterator[GenotypeChunk]:
        """Consecutive chunks of at most ``chunk_size`` variants (of one chromosome if given)."""
        ...

    def read_region(self, chrom: str, start: int, end: int) -> GenotypeChunk:
        """Variants with ``start <= pos <= end`` (1-based inclusive) on ``chrom``."""
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


def region_slice(variants: pd.DataFrame, chrom: str, start: int, end: int) -> slice:
    """Row range of ``variants`` (sorted within chromosome) with ``start <= pos <= end``."""
    rows = np.flatnonzero(variants["chrom"].to_numpy() == chrom)
    if len(rows) == 0:
        return slice(0, 0)
    pos = variants["pos"].to_numpy()[rows[0]: rows[-1] + 1]
    lo = int(np.searchsorted(pos, start, side="left"))
    hi = int(np.searchsorted(pos, end, side="right"))
    return slice(int(rows[0]) + lo, int(rows[0]) + hi)


class IndexedReader:
    """Shared logic of readers with random access by variant index (PLINK 1, PLINK 2).

    Subclasses set ``path``, ``samples``, ``_variants`` and implement ``_read_rows(lo, hi)``.
    """

    path: Path
    samples: list[str]
    _variants: pd.DataFrame

    @property
    def variants(self) -> pd.DataFrame:
        return self._variants

    def _read_rows(self, lo: int, hi: int) -> np.ndarray:
        raise NotImplementedError

    def _chunk(self, lo: int, hi: int) -> GenotypeChunk:
        variants = self._variants.iloc[lo:hi].reset_index(drop=True)
        return GenotypeChunk(variants=variants, dosages=self._read_rows(lo, hi))

    def iter_chunks(
        self, chunk_size: int = 10_000, *, chrom: str | None = None
    ) -> Iterator[GenotypeChunk]:
        if chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")
        if chrom is None:
            lo, hi = 0, len(self._variants)
        else:
            rows = np.flatnonzero(self._variants["chrom"].to_numpy() == chrom)
            lo, hi = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, 0)
        for a in range(lo, hi, chunk_size):
            yield self._chunk(a, min(a + chunk_size, hi))

    def read_region(self, chrom: str, start: int, end: int) -> GenotypeChunk:
        sl = region_slice(self._variants, chrom, start, end)
        return self._chunk(sl.start, sl.stop)

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
        ``.bed/.bim/.fam`` (PLINK 1, via bed-reader); ``.pgen`` or a prefix with
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
