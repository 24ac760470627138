"""VCF/BCF genotypes: chunked reader (cyvcf2/htslib) and a bgzipped, tabix-indexed writer.

Reading: ``GT`` gives the ALT-allele count of hard calls (haploid calls count double, as PLINK
does; any missing allele makes the call missing); ``DS`` gives the imputed dosage. Multi-allelic
records raise :class:`~genotex.errors.InputError` (split them with ``bcftools norm -m -any``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import pandas as pd
import pyarrow as pa

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_chrom_naming,
    check_sorted,
    check_unique,
    ensure_parent,
    open_bgzf_for_writing,
    open_text,
    open_text_for_writing,
    reading,
    tabix_index,
)
from genotex.io.genotypes import (
    Field,
    GenotypeChunk,
    VariantTable,
    VariantTableBuilder,
    cached_variant_table,
    select_samples,
    variant_frame,
)
from genotex.schema import GRCH38_CHROM_LENGTHS

__all__ = ["VcfReader", "write_vcf"]


class VcfReader:
    """Chunked reader of a VCF/BCF file (see :func:`genotex.io.open_genotypes`)."""

    def __init__(self, path: PathLike, *, samples: Sequence[str] | None = None,
                 field: Field = "GT") -> None:
        import cyvcf2

        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(path, "file not found", "check the path")
        if field not in ("GT", "DS"):
            raise ValueError(f"field must be 'GT' or 'DS', not {field!r}")
        self.field = field
        file_samples, self._header_lines = self._scan_header()
        try:
            probe = cyvcf2.VCF(str(path), lazy=True)
            file_samples = list(probe.samples)
            probe.close()
        except Exception as exc:  # cyvcf2 raises a bare Exception on bad headers
            check_unique(file_samples, path, what="sample ID")
            raise InputError(path, f"cannot open as VCF/BCF ({exc})",
                             "check the file is a valid (bgzipped) VCF with a #CHROM line") from exc
        self.samples, idx = select_samples(file_samples, samples, path)
        order = np.sort(idx)
        subset = [file_samples[i] for i in order] if samples is not None else None
        # cyvcf2 returns the subset in file order; permute back to the requested order
        perm = np.searchsorted(order, idx)
        self._perm = None if np.array_equal(perm, np.arange(len(perm))) else perm
        self._vcf = cyvcf2.VCF(str(path), samples=subset, lazy=True, threads=1)
        self._table: VariantTable | None = None

    def _scan_header(self) -> tuple[list[str], int]:
        """Sample IDs and number of header lines, read from the text (not for BCF)."""
        if self.path.suffix == ".bcf":
            return [], 0
        with reading(self.path), open_text(self.path) as fh:
            for n, line in enumerate(fh, start=1):
                if line.startswith("#CHROM"):
                    return line.rstrip("\r\n").split("\t")[9:], n
                if not line.startswith("##"):
                    break
        raise InputError(self.path, "no '#CHROM' header line before the records",
                         "write a VCF header ending with the #CHROM line", line=1)

    # -- metadata -------------------------------------------------------------------------
    @property
    def variants(self) -> pd.DataFrame:
        """All variants (built from :attr:`variant_table` on each access)."""
        return self.variant_table.frame()

    @property
    def variant_table(self) -> VariantTable:
        """All variants, compact (one pass over the file without sample data; cached)."""
        if self._table is None:
            self._table = cached_variant_table(self.path, self._variant_pass)
        return self._table

    def _variant_pass(self) -> VariantTable:
        import cyvcf2

        builder = VariantTableBuilder(self.path, first_line=self._line(0))
        cols: dict[str, list[Any]] = {k: [] for k in ("id", "chrom", "pos", "ref", "alt")}
        vcf = cyvcf2.VCF(str(self.path), samples=[], lazy=True)
        for i, rec in enumerate(vcf):
            self._check_biallelic(rec, i)
            for key, value in zip(cols, (rec.ID, rec.CHROM, rec.POS, rec.REF, rec.ALT[0]),
                                  strict=True):
                cols[key].append(value)
            if len(cols["pos"]) == 1 << 16:
                _add_batch(builder, cols)
        vcf.close()
        _add_batch(builder, cols)
        return builder.finish()

    def _line(self, i: int) -> int | None:
        return None if self.path.suffix == ".bcf" else self._header_lines + 1 + i

    def _check_biallelic(self, rec: Any, i: int) -> None:
        if len(rec.ALT) != 1:
            raise InputError(
                self.path, f"record {rec.CHROM}:{rec.POS} has {len(rec.ALT)} ALT alleles "
                f"({','.join(rec.ALT) or '.'}); only biallelic sites are supported",
                "split multi-allelic sites (`bcftools norm -m -any`) and drop monomorphic ones",
                line=self._line(i))

    # -- genotypes ------------------------------------------------------------------------
    def _dosage(self, rec: Any) -> np.ndarray:
        if self.field == "DS":
            ds = rec.format("DS")
            if ds is None:
                raise InputError(self.path, f"record {rec.CHROM}:{rec.POS} has no DS field",
                                 "use field='GT' or add imputed dosages (DS)")
            out = np.asarray(ds[:, 0], dtype=np.float32)
            out[(out < 0) | (out > 2)] = np.nan
        else:
            alleles = rec.genotype.array()[:, :-1]
            present = alleles != -2
            missing = (alleles == -1).any(axis=1)
            alt = (alleles > 0).sum(axis=1)
            ploidy = present.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (alt * (2.0 / ploidy)).astype(np.float32)
            out[missing | (ploidy == 0)] = np.nan
        return out if self._perm is None else out[self._perm]

    def _records(self, region: str | None) -> Iterator[Any]:
        if region is None:
            return iter(self._vcf)
        base = str(self.path)
        if not any(Path(base + ext).is_file() for ext in (".tbi", ".csi")):
            raise InputError(self.path, "reading a region needs an index, and there is none",
                             f"index it: `tabix -p vcf {self.path}` or `bcftools index "
                             f"{self.path}`")
        return self._fetch(region)

    def _fetch(self, region: str) -> Iterator[Any]:
        # cyvcf2 warns when a region holds no records; an empty region is a valid answer here
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="no intervals found", category=UserWarning)
            records = iter(self._vcf(region))
            while True:
                try:
                    rec = next(records)
                except StopIteration:
                    return
                yield rec

    def _stream(self, region: str | None, chunk_size: int,
                keep: tuple[int, int] | None = None) -> Iterator[GenotypeChunk]:
        n = len(self.samples)
        buf = np.empty((chunk_size, n), dtype=np.float32)
        meta: dict[str, list[Any]] = {k: [] for k in ("id", "chrom", "pos", "ref", "alt")}
        last: tuple[str, int] | None = None
        seen: set[str] = set()
        for i, rec in enumerate(self._records(region)):
            if keep is not None and not keep[0] <= rec.POS <= keep[1]:
                continue
            self._check_biallelic(rec, i)
            chrom, pos = rec.CHROM, rec.POS
            if last is None or chrom != last[0]:
                check_chrom_naming([chrom], self.path, line=self._line(i))
                if chrom in seen:
                    raise InputError(
                        self.path, f"variants of chromosome {chrom!r} are not contiguous",
                        "sort the file: `bcftools sort`", line=self._line(i))
                seen.add(chrom)
            elif pos < last[1]:
                raise InputError(
                    self.path, f"variants are not sorted by position within {chrom!r}: {pos} "
                    f"comes after {last[1]}", "sort the file: `bcftools sort`",
                    line=self._line(i))
            last = (chrom, pos)
            k = len(meta["pos"])
            buf[k] = self._dosage(rec)
            for key, value in zip(meta, (rec.ID, chrom, pos, rec.REF, rec.ALT[0]), strict=True):
                meta[key].append(value)
            if k + 1 == chunk_size:
                yield self._emit(meta, buf, k + 1)
                meta = {key: [] for key in meta}
        if meta["pos"] or region is not None:
            yield self._emit(meta, buf, len(meta["pos"]))

    @staticmethod
    def _emit(meta: dict[str, list[Any]], buf: np.ndarray, k: int) -> GenotypeChunk:
        variants = variant_frame(meta["id"], meta["chrom"], meta["pos"], meta["ref"],
                                 meta["alt"])
        return GenotypeChunk(variants=variants, dosages=buf[:k].copy())

    def iter_chunks(
        self, chunk_size: int = 10_000, *, chrom: str | None = None
    ) -> Iterator[GenotypeChunk]:
        """Consecutive chunks of at most ``chunk_size`` variants (of ``chrom`` if given)."""
        if chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")
        for chunk in self._stream(chrom, chunk_size):
            if len(chunk.variants):
                yield chunk

    def read_region(self, chrom: str, start: int, end: int) -> GenotypeChunk:
        """Variants with ``start <= pos <= end`` (1-based inclusive) on ``chrom``."""
        chunks = list(self._stream(f"{chrom}:{start}-{end}", 4096,
                                   keep=(start, end)))
        chunks = [c for c in chunks if len(c.variants)] or chunks[-1:]
        return GenotypeChunk(
            variants=pd.concat([c.variants for c in chunks], ignore_index=True),
            dosages=np.concatenate([c.dosages for c in chunks], axis=0))

    def read_dosages(self, chrom: str, start: int, end: int) -> np.ndarray:
        """The dosages of :meth:`read_region` alone."""
        return self.read_region(chrom, start, end).dosages

    def close(self) -> None:
        self._vcf.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _add_batch(builder: VariantTableBuilder, cols: dict[str, list[Any]]) -> None:
    """Move the collected records' metadata into ``builder`` (compact) and clear the lists."""
    builder.add(pa.array(cols["chrom"], pa.string()), np.asarray(cols["pos"], dtype=np.int64),
                pa.array(cols["id"], pa.string()), pa.array(cols["ref"], pa.string()),
                pa.array(cols["alt"], pa.string()))
    for values in cols.values():
        values.clear()


_HAP_GT = np.array([f"{a}{{sep}}{b}" for a in (".", "0", "1") for b in (".", "0", "1")])
_UNPHASED_GT = np.array(["0/0", "0/1", "1/1", "./."], dtype=object)


def _gt_strings(haplotypes: np.ndarray | None, genotypes: np.ndarray | None,
                phased: bool) -> np.ndarray | None:
    """(n_variants, n_samples) object array of GT strings, or None."""
    if haplotypes is not None:
        h = np.clip(np.asarray(haplotypes), -1, 1).astype(np.intp) + 1
        table = np.array([t.replace("{sep}", "|" if phased else "/") for t in _HAP_GT],
                         dtype=object)
        return table[h[..., 0] * 3 + h[..., 1]]
    if genotypes is not None:
        g = np.asarray(genotypes)
        return _UNPHASED_GT[np.where((g >= 0) & (g <= 2), g, 3).astype(np.intp)]
    return None


def _ds_strings(dosages: np.ndarray) -> np.ndarray:
    d = np.asarray(dosages, dtype=np.float64)
    out = np.char.mod("%.6g", np.nan_to_num(d, nan=0.0)).astype(object)
    out[np.isnan(d)] = "."
    return out


def _vcf_header(samples: Sequence[str], chroms: Sequence[str], contigs: Mapping[str, int],
                fmt: list[str]) -> str:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             "##source=genotex"]
    for c in chroms:
        length = contigs.get(c)
        lines.append(f"##contig=<ID={c},length={length}>" if length else f"##contig=<ID={c}>")
    if "GT" in fmt:
        lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    if "DS" in fmt:
        lines.append('##FORMAT=<ID=DS,Number=1,Type=Float,Description="Estimated ALT allele '
                     'dosage [P(0/1)+2*P(1/1)]">')
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
    return "\n".join([*lines, "\t".join(cols)]) + "\n"


def _check_vcf_inputs(path: PathLike, variants: pd.DataFrame, samples: Sequence[str],
                      arrays: dict[str, np.ndarray | None]) -> None:
    check_unique(list(samples), path, what="sample ID")
    for name, arr in arrays.items():
        if arr is None:
            continue
        want = (len(variants), len(samples)) + ((2,) if name == "haplotypes" else ())
        if np.shape(arr) != want:
            raise ValueError(f"{name} has shape {np.shape(arr)}, expected {want}")
    chrom = variants["chrom"].astype(str).to_numpy()
    check_chrom_naming(chrom, path)
    check_sorted(chrom, variants["pos"].to_numpy(), path, what="variants")


def write_vcf(
    path: PathLike,
    variants: pd.DataFrame,
    samples: Sequence[str],
    haplotypes: np.ndarray | None = None,
    *,
    genotypes: np.ndarray | None = None,
    dosages: np.ndarray | None = None,
    phased: bool = True,
    contigs: Mapping[str, int] | None = None,
) -> None:
    """Write a VCF; bgzipped with a tabix index (deterministic bytes) when ``path`` ends in .gz.

    Parameters
    ----------
    path
        ``.vcf.gz`` (bgzip + ``.tbi``) or ``.vcf`` (plain text).
    variants
        (n_variants,) rows ``chrom, pos`` (1-based), ``ref, alt`` and optionally ``variant_id``
        (written as ID; built GTEx-style when absent), sorted within contiguous chromosomes.
    samples
        (n_samples,) sample IDs.
    haplotypes
        (n_variants, n_samples, 2) int8 alleles 0/1, -1 = missing: GT ``0|1`` (``0/1`` with
        ``phased=False``).
    genotypes
        (n_variants, n_samples) int8 ALT counts 0/1/2, -1 = missing: unphased GT. Ignored when
        ``haplotypes`` is given.
    dosages
        (n_variants, n_samples) ALT dosages in [0, 2] (NaN = missing): a DS field, written
        with 6 significant digits.
    contigs
        Contig lengths for the header; default GRCh38 (:data:`genotex.schema.GRCH38_CHROM_LENGTHS`).
    """
    _check_vcf_inputs(path, variants, samples,
                      {"haplotypes": haplotypes, "genotypes": genotypes, "dosages": dosages})
    fmt = (["GT"] if haplotypes is not None or genotypes is not None else []) + (
        ["DS"] if dosages is not None else [])
    if not fmt:
        raise ValueError("give haplotypes, genotypes or dosages")
    frame = variant_frame(
        variants["variant_id"].tolist() if "variant_id" in variants.columns
        else [""] * len(variants), variants["chrom"].astype(str).tolist(),
        variants["pos"].to_numpy(), variants["ref"].tolist(), variants["alt"].tolist())
    chroms = list(pd.unique(frame["chrom"]))
    header = _vcf_header(samples, chroms, GRCH38_CHROM_LENGTHS if contigs is None else contigs,
                         fmt)
    bgzip = str(path).endswith(".gz")
    opener = open_bgzf_for_writing if bgzip else open_text_for_writing
    ensure_parent(path)
    step = max(1, 2**22 // max(1, len(samples)))
    with opener(path) as fh:
        fh.write(header)
        for a in range(0, len(frame), step):
            b = min(a + step, len(frame))
            gt = _gt_strings(None if haplotypes is None else haplotypes[a:b],
                             None if genotypes is None else genotypes[a:b], phased)
            ds = None if dosages is None else _ds_strings(dosages[a:b])
            if gt is not None and ds is not None:
                cells = gt + ":" + ds
            elif gt is not None:
                cells = gt
            else:
                assert ds is not None  # fmt is never empty
                cells = ds
            fixed = frame.iloc[a:b]
            lines = [
                f"{c}\t{p}\t{i}\t{r}\t{al}\t.\tPASS\t.\t{':'.join(fmt)}\t"
                + "\t".join(row) + "\n"
                for (i, c, p, r, al), row in zip(fixed.itertuples(index=False), cells.tolist(),
                                                 strict=True)
            ]
            fh.write("".join(lines))
    if bgzip:
        tabix_index(path, preset="vcf")
