"""PLINK 2 genotypes (.pgen/.pvar/.psam): reader and streaming writer (pgenlib).

Dosages count the ALT allele of the ``.pvar``. ``field="GT"`` reads hard calls, ``"DS"`` the
stored dosages (hard calls where a variant has none). Sample IDs are the ``.psam`` IID column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from genotex.errors import InputError
from genotex.io._checks import (
    PLINK_CHROM_CODES,
    PathLike,
    check_unique,
    ensure_parent,
    fileset_member,
    open_text,
    reading,
)
from genotex.io.genotypes import (
    Field,
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

__all__ = ["PgenReader", "PgenWriter", "write_pgen"]

#: bytes of int8 codes decoded per block of rows (a block and its float32 output stay in cache)
_BLOCK_BYTES = 1 << 19
_NAN32 = np.float32(np.nan)


def pgen_prefix(path: PathLike) -> Path:
    """The prefix of a PLINK 2 fileset given the prefix or one of its files."""
    p = Path(path)
    return p.with_suffix("") if p.suffix in {".pgen", ".pvar", ".psam"} else p


def _header(path: Path) -> tuple[int, list[str]]:
    """Number of ``##`` lines and the fields of the header line after them."""
    n_skip = 0
    with reading(path), open_text(path) as fh:
        for line in fh:
            if not line.startswith("##"):
                return n_skip, line.rstrip("\r\n").split("\t")
            n_skip += 1
    raise InputError(path, "the file is empty", "write the header line and data")


def _read_table_with_hash_header(path: Path) -> pd.DataFrame:
    n_skip, _ = _header(path)
    with reading(path):
        table = pd.read_csv(path, sep="\t", skiprows=n_skip, dtype=str, engine="c",
                            keep_default_na=False)
    return table


def _read_psam(path: Path) -> list[str]:
    psam = _read_table_with_hash_header(path)
    col = next((c for c in psam.columns if c.lstrip("#") == "IID"), None)
    if col is None:
        raise InputError(path, f"no IID column in the header {list(psam.columns)[:4]}",
                         "write a '#IID' (or '#FID<TAB>IID') header", line=1)
    return psam[col].tolist()


def _read_pvar(path: Path) -> VariantTable:
    """The .pvar's variants, parsed in Arrow batches into a compact :class:`VariantTable`."""
    n_skip, header = _header(path)
    need = ["#CHROM", "POS", "ID", "REF", "ALT"]
    if header[:5] != need:
        raise InputError(path, f"header starts {header[:5]}, not {need}",
                         "write a .pvar with a '#CHROM POS ID REF ALT' header")
    builder = VariantTableBuilder(path, rename=lambda c: PLINK_CHROM_CODES.get(c, c))
    for batch in read_tsv_batches(path, skip_rows=n_skip + 1, column_names=header,
                                  include=need):
        alt = batch.column("ALT")
        multi = pc.match_substring(alt, ",")
        if pc.any(multi).as_py():
            i = int(np.flatnonzero(multi.to_numpy(zero_copy_only=False))[0])
            raise InputError(path, f"variant {batch.column('ID')[i].as_py()!r} is multi-allelic",
                             "split multi-allelic sites (`plink2 --max-alleles 2` or `bcftools "
                             "norm -m -any` before import)")
        pos, bad = parse_positions(batch.column("POS"))
        if bad is not None:
            raise InputError(path, f"non-numeric position {batch.column('POS')[bad].as_py()!r}",
                             "POS must be the 1-based base-pair position")
        builder.add(batch.column("#CHROM"), pos, batch.column("ID"), batch.column("REF"), alt)
    return builder.finish()


class PgenReader(IndexedReader):
    """Chunked reader of a PLINK 2 fileset (see :func:`genotex.io.open_genotypes`)."""

    def __init__(self, path: PathLike, *, samples: Sequence[str] | None = None,
                 field: Field = "GT") -> None:
        import pgenlib

        prefix = pgen_prefix(path)
        self.path = fileset_member(prefix, ".pgen")
        for ext in (".pgen", ".pvar", ".psam"):
            if not fileset_member(prefix, ext).is_file():
                raise InputError(fileset_member(prefix, ext), "file not found",
                                 "a PLINK 2 fileset needs .pgen, .pvar and .psam side by side")
        file_samples = _read_psam(fileset_member(prefix, ".psam"))
        pvar = fileset_member(prefix, ".pvar")
        self._table = cached_variant_table(pvar, lambda: _read_pvar(pvar))
        self.samples, idx = select_samples(file_samples, samples, fileset_member(prefix, ".psam"))
        self.field = field
        order = np.sort(idx)
        self._perm = np.searchsorted(order, idx)
        self._in_order = samples_in_order(self._perm)
        subset = None if samples is None else order.astype(np.uint32)
        try:
            self._reader = pgenlib.PgenReader(bytes(self.path), raw_sample_ct=len(file_samples),
                                              sample_subset=subset)
        except RuntimeError as exc:
            raise InputError(self.path, f"cannot open ({exc})",
                             "re-create the fileset with `plink2 --make-pgen`") from exc
        if self._reader.get_variant_ct() != len(self._table):
            raise InputError(self.path, f".pgen has {self._reader.get_variant_ct()} variants but "
                             f"the .pvar {len(self._table)}", "re-create the fileset")

    def _read_rows(self, lo: int, hi: int) -> np.ndarray:
        """(hi - lo, n_samples) float32 dosages, decoded in cache-sized blocks of rows.

        Per block: pgenlib decodes int8 ALT counts (or float32 dosages) in file sample order,
        the columns are put in ``samples`` order on the compact codes, then one cast writes
        the float32 output and the (rare) negative missing codes become NaN.
        """
        n = len(self.samples)
        out = np.empty((max(hi - lo, 0), n), dtype=np.float32)
        if hi <= lo:
            return out
        step = max(1, _BLOCK_BYTES // max(1, n))
        dosages = self.field == "DS"
        buf = np.empty((min(step, hi - lo), n), dtype=np.float32 if dosages else np.int8)
        codes = None if self._in_order or dosages else np.empty_like(buf)
        neg = np.empty(buf.shape, dtype=bool)
        for a in range(lo, hi, step):
            b = min(a + step, hi)
            dest, k = out[a - lo: b - lo], b - a
            if dosages:  # float32 straight into the output when no reordering is needed
                raw = dest if self._in_order else buf[:k]
                self._reader.read_dosages_range(a, b, raw)
                src = raw if self._in_order else np.take(raw, self._perm, axis=1, out=dest)
            else:
                raw = buf[:k]
                self._reader.read_range(a, b, raw)
                src = raw if codes is None else np.take(raw, self._perm, axis=1, out=codes[:k])
                np.copyto(dest, src, casting="unsafe")
            missing = np.less(src, 0, out=neg[:k])
            if missing.any():
                np.copyto(dest, _NAN32, where=missing)
        return out

    def close(self) -> None:
        self._reader.close()


def samples_in_order(perm: np.ndarray) -> bool:
    """True when ``perm`` is the identity permutation."""
    return bool(np.array_equal(perm, np.arange(len(perm))))


class PgenWriter:
    """Write a PLINK 2 fileset chunk by chunk (``n_variants`` must be known up front)."""

    def __init__(self, prefix: PathLike, samples: Sequence[str], n_variants: int, *,
                 sex: Sequence[int] | None = None) -> None:
        import pgenlib

        self.prefix = pgen_prefix(prefix)
        ensure_parent(fileset_member(self.prefix, ".pgen"))
        check_unique(list(samples), fileset_member(self.prefix, ".psam"), what="sample ID")
        self.n_samples = len(samples)
        sexes = ["NA"] * len(samples) if sex is None else [
            {1: "1", 2: "2"}.get(int(x), "NA") for x in sex]
        with open(fileset_member(self.prefix, ".psam"), "w", encoding="utf-8") as psam:
            psam.write("#IID\tSEX\n")
            psam.writelines(f"{s}\t{x}\n" for s, x in zip(samples, sexes, strict=True))
        self._pvar = open(fileset_member(self.prefix, ".pvar"), "w", encoding="utf-8")  # noqa: SIM115
        self._pvar.write("#CHROM\tPOS\tID\tREF\tALT\n")
        self._writer = pgenlib.PgenWriter(bytes(fileset_member(self.prefix, ".pgen")),
                                          len(samples), n_variants, nonref_flags=False)
        self._variants = SortedVariantChunks(fileset_member(self.prefix, ".pvar"))

    def write(self, variants: pd.DataFrame, genotypes: np.ndarray) -> None:
        """Append sorted variants and their (n_variants, n_samples) int8 ALT counts (-1 missing)."""
        g = np.asarray(genotypes)
        if g.shape != (len(variants), self.n_samples):
            raise ValueError(f"genotypes shape {g.shape} != ({len(variants)}, {self.n_samples})")
        if not len(variants):
            return
        frame = self._variants.accept(variants)
        self._pvar.write("".join(f"{c}\t{p}\t{i}\t{r}\t{a}\n"
                                 for i, c, p, r, a in frame.itertuples(index=False)))
        codes = np.where((g >= 0) & (g <= 2), g, -9).astype(np.int8)
        self._writer.append_biallelic_batch(np.ascontiguousarray(codes))

    def close(self) -> None:
        self._writer.close()
        self._pvar.close()

    def __enter__(self) -> PgenWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_pgen(
    prefix: PathLike,
    variants: pd.DataFrame,
    samples: Sequence[str],
    genotypes: np.ndarray,
    *,
    sex: Sequence[int] | None = None,
) -> None:
    """Write a PLINK 2 fileset ``prefix.{pgen,pvar,psam}`` of hard calls.

    Parameters are as for :func:`genotex.io.plink.write_plink`: ``genotypes`` is
    (n_variants, n_samples) int8 ALT counts 0/1/2, -1 = missing.
    """
    with PgenWriter(prefix, samples, len(variants), sex=sex) as writer:
        write_in_chunks(writer, variants, genotypes, len(samples))
