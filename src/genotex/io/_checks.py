"""Validation shared by every reader: chromosome naming, unique IDs, sortedness, numeric cells.

Every check raises :class:`genotex.errors.InputError` naming the file (and line when known) and
the fix. Readers call these helpers rather than repeating the logic.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from genotex.errors import InputError

PathLike = str | Path

#: PLINK numeric chromosome codes and their GRCh38 ``chr`` names.
PLINK_CHROM_CODES = {
    **{str(i): f"chr{i}" for i in range(1, 23)},
    "23": "chrX", "24": "chrY", "25": "chrX", "26": "chrM",
    "X": "chrX", "Y": "chrY", "XY": "chrX", "M": "chrM", "MT": "chrM",
}

_TRUNCATION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def _few(items: Iterable[object], n: int = 5) -> str:
    items = list(items)
    shown = ", ".join(repr(str(x)) for x in items[:n])
    return shown + (f" (and {len(items) - n} more)" if len(items) > n else "")


def is_gzipped(path: PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (plain gzip or BGZF)."""
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


@contextmanager
def reading(path: PathLike) -> Iterator[None]:
    """Turn truncated-gzip and parser errors raised inside the block into InputError."""
    try:
        yield
    except InputError:
        raise
    except _TRUNCATION_ERRORS as exc:
        raise InputError(
            path, f"compressed stream is truncated or corrupt ({type(exc).__name__}: {exc})",
            "re-download or re-create the file; check it with `gzip -t`",
        ) from exc
    except (pd.errors.ParserError, pa.ArrowInvalid) as exc:
        raise InputError(
            path, f"cannot parse the table ({exc})",
            "every line needs the same number of tab-separated fields as the header",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "the file is empty", "write the header line and data") from exc


def open_text(path: PathLike) -> IO[str]:
    """Open a text file for reading, transparently gunzipping (plain gzip or BGZF)."""
    if not Path(path).is_file():
        raise InputError(path, "file not found", "check the path")
    if is_gzipped(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def read_head_lines(path: PathLike, n: int) -> list[str]:
    """The first ``n`` lines (without newlines) of a possibly gzipped text file."""
    lines = []
    with reading(path), open_text(path) as fh:
        for _ in range(n):
            line = fh.readline()
            if not line:
                break
            lines.append(line.rstrip("\r\n"))
    return lines


def check_unique(
    ids: Sequence[Any] | pd.Index, path: PathLike | None, *, what: str,
    first_line: int | None = None,
) -> None:
    """Raise when ``ids`` has duplicates; ``first_line`` is the file line of ``ids[0]``."""
    index = pd.Index(ids)
    if index.is_unique:
        return
    dup = index[index.duplicated()]
    line = None
    if first_line is not None:
        line = first_line + int(np.flatnonzero(index.duplicated())[0])
    raise InputError(
        path, f"duplicate {what}: {_few(pd.unique(dup))}",
        f"make every {what} unique (drop or rename the repeated rows/columns)", line=line,
    )


def check_known(
    requested: Sequence[str], available: Sequence[str], path: PathLike | None, *, what: str
) -> None:
    """Raise when some ``requested`` IDs are not among ``available`` (names up to 5 of them)."""
    check_unique(list(requested), None if path is None else f"{path} (requested {what}s)",
                 what=what)
    have = set(available)
    missing = [s for s in requested if s not in have]
    if missing:
        raise InputError(
            path, f"{len(missing)} requested {what}(s) not in the file: {_few(missing)}",
            f"request only {what}s the file has (it has {len(have)}, e.g. {_few(available, 3)}), "
            "or fix the ID spelling",
        )


def chrom_style(chroms: Iterable[str]) -> str | None:
    """``"chr"`` when names use the ``chr`` prefix, ``"bare"`` for ``1``/``X`` naming, else None.

    >>> chrom_style(["chr1", "chr2"]), chrom_style(["1", "X"]), chrom_style([])
    ('chr', 'bare', None)
    """
    names = [str(c) for c in chroms]
    if not names:
        return None
    return "chr" if sum(n.startswith("chr") for n in names) * 2 >= len(names) else "bare"


def check_chrom_naming(
    chroms: Iterable[str], path: PathLike | None, *,
    expected: str = "chr", other_path: PathLike | None = None, line: int | None = None,
) -> None:
    """Raise when chromosome names do not follow ``expected`` naming (``chr1`` vs ``1``).

    ``expected`` is ``"chr"`` (genotex's own convention, GRCh38/GTEx) or ``"bare"``; pass
    ``other_path`` to say which other file uses the expected naming.

    >>> check_chrom_naming(["chr1", "chr22"], "a.bed")
    >>> check_chrom_naming(["22"], "a.bed", other_path="b.vcf.gz")
    Traceback (most recent call last):
    ...
    genotex.errors.InputError: a.bed: chromosome '22' is named without the 'chr' prefix but b.vcf.gz uses 'chr22' naming; fix: rename chromosomes to 'chr22' style, e.g. `bcftools annotate --rename-chrs` (VCF) or `sed 's/^/chr/'` (BED/GTF)
    """  # noqa: E501
    uniq = pd.unique(pd.Series([str(c) for c in chroms], dtype=object))
    for chrom in uniq:
        has_chr = chrom.startswith("chr")
        if has_chr == (expected == "chr"):
            continue
        who = f"{other_path} uses" if other_path is not None else "genotex (GRCh38, GTEx) uses"
        if expected == "chr":
            raise InputError(
                path,
                f"chromosome {chrom!r} is named without the 'chr' prefix but {who} "
                f"'chr{chrom}' naming",
                f"rename chromosomes to 'chr{chrom}' style, e.g. `bcftools annotate --rename-chrs`"
                " (VCF) or `sed 's/^/chr/'` (BED/GTF)", line=line,
            )
        bare = chrom.removeprefix("chr")
        raise InputError(
            path, f"chromosome {chrom!r} has the 'chr' prefix but {who} {bare!r} naming",
            f"rename chromosomes to {bare!r} style in one of the two files", line=line,
        )


def check_sorted(
    chroms: Sequence[str] | np.ndarray, positions: np.ndarray, path: PathLike | None, *,
    what: str = "rows", first_line: int | None = None, ends: np.ndarray | None = None,
    names: Sequence[str] | None = None,
) -> None:
    """Raise unless chromosomes are contiguous and positions (then ends) ascend within each.

    ``first_line`` is the file line number of the first row (for the message). With ``names``,
    ``chroms`` are integer codes into ``names`` (no per-row strings: the variant tables' form).

    >>> check_sorted(np.array([0, 0, 1, 0]), np.array([1, 2, 1, 3]), "g.pvar", what="variants",
    ...              names=["chr1", "chr2"], first_line=2)
    Traceback (most recent call last):
    ...
    genotex.errors.InputError: g.pvar:5: variants of chromosome 'chr1' are not contiguous (they resume after 'chr2'); fix: sort the file by chromosome then position (e.g. `sort -k1,1V -k2,2n`, `bcftools sort`)
    """  # noqa: E501
    chroms = np.asarray(chroms, dtype=object) if names is None else np.asarray(chroms)
    positions = np.asarray(positions)
    n = len(positions)
    if n < 2:
        return

    def name(c: object) -> object:
        return c if names is None else names[int(c)]  # type: ignore[call-overload]

    same = chroms[1:] == chroms[:-1]
    # contiguity: a chromosome must not reappear after another one started
    starts = np.concatenate([[0], np.flatnonzero(~same) + 1])
    block_chroms = chroms[starts]
    seen = pd.Index(block_chroms)
    if not seen.is_unique:
        k = int(np.flatnonzero(seen.duplicated())[0])
        i = int(starts[k])
        raise InputError(
            path, f"{what} of chromosome {name(block_chroms[k])!r} are not contiguous (they "
            f"resume after {name(block_chroms[k - 1])!r})",
            "sort the file by chromosome then position (e.g. `sort -k1,1V -k2,2n`, "
            "`bcftools sort`)", line=None if first_line is None else first_line + i,
        )
    bad = same & (positions[1:] < positions[:-1])
    if ends is not None:
        ends = np.asarray(ends)
        bad |= same & (positions[1:] == positions[:-1]) & (ends[1:] < ends[:-1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0]) + 1
        raise InputError(
            path, f"{what} are not sorted by position within {name(chroms[i])!r}: "
            f"{positions[i]} comes after {positions[i - 1]}",
            "sort the file by chromosome then position (e.g. `sort -k1,1V -k2,2n`, "
            "`bcftools sort`)", line=None if first_line is None else first_line + i,
        )


def check_numeric(
    frame: pd.DataFrame, path: PathLike | None, *, what: str = "values",
    first_line: int | None = None, allow_nan: bool = False, fix_nan: str | None = None,
) -> pd.DataFrame:
    """Return ``frame`` with all columns numeric; raise naming the first bad cell otherwise.

    Integer columns stay integer; anything else becomes float64.
    """
    if len(frame.columns) and all(d == np.float64 for d in frame.dtypes):
        # the common case (a parsed table of floats): one 2-D check instead of one per column
        values = frame.to_numpy(dtype=np.float64, copy=True)
        result = pd.DataFrame(values, index=frame.index, columns=frame.columns)
        if not allow_nan and np.isnan(values).any():
            _raise_first_nan(result, path, what, first_line, fix_nan)
        return result
    out = {}
    for col in frame.columns:
        series = frame[col]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            coerced = pd.to_numeric(series, errors="coerce")
            bad = coerced.isna() & series.notna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    path, f"non-numeric {what} {series.iloc[i]!r} in column {col!r} "
                    f"(row {series.index[i]!r})",
                    f"make every {what} a number (use NA or an empty cell only where missing "
                    "values are allowed)", line=None if first_line is None else first_line + i,
                )
            series = coerced if pd.api.types.is_integer_dtype(coerced) else coerced.astype(
                np.float64)
        elif not pd.api.types.is_integer_dtype(series):
            series = series.astype(np.float64)
        out[col] = series
    result = pd.DataFrame(out, index=frame.index)
    result.columns = frame.columns
    if not allow_nan and result.isna().any(axis=1).any():
        _raise_first_nan(result, path, what, first_line, fix_nan)
    return result


def _raise_first_nan(result: pd.DataFrame, path: PathLike | None, what: str,
                     first_line: int | None, fix_nan: str | None) -> None:
    nan_rows = result.isna().any(axis=1).to_numpy()
    i = int(np.flatnonzero(nan_rows)[0])
    col = result.columns[result.iloc[i].isna().to_numpy()][0]
    raise InputError(
        path, f"missing value (NaN/empty) in column {col!r} (row {result.index[i]!r})",
        fix_nan or f"{what} may not be missing here: impute or drop the row",
        line=None if first_line is None else first_line + i,
    )


def fileset_member(prefix: Path, ext: str) -> Path:
    """``prefix`` + ``ext`` for PLINK filesets: a prefix may itself contain dots.

    >>> fileset_member(Path("geno/genotypes.chr22"), ".bim").as_posix()
    'geno/genotypes.chr22.bim'
    """
    return prefix.parent / f"{prefix.name}{ext}"


def ensure_parent(path: PathLike) -> Path:
    """The path as a Path, with its parent directory created."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


@contextmanager
def open_text_for_writing(path: PathLike) -> Iterator[IO[str]]:
    """Write text; gzip with deterministic bytes (mtime=0, no name) when the path ends in .gz."""
    p = ensure_parent(path)
    if p.name.endswith(".gz"):
        with open(p, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0
        ) as gz, io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as fh:
            yield fh
    else:
        with open(p, "w", encoding="utf-8", newline="\n") as fh:
            yield fh


@contextmanager
def open_bgzf_for_writing(path: PathLike) -> Iterator[IO[str]]:
    """Write BGZF-compressed text (deterministic: BGZF headers carry no time stamp)."""
    from pysam.libcbgzf import BGZFile

    p = ensure_parent(path)
    bgz: Any = BGZFile(str(p), "wb", index=None)
    try:
        fh = io.TextIOWrapper(bgz, encoding="utf-8", newline="\n", write_through=False)
        yield fh
        fh.flush()
    finally:
        bgz.close()


def tabix_index(path: PathLike, *, preset: Literal["vcf", "bed"] | None = None, seq_col: int = 0,
                start_col: int = 1, end_col: int = 2, zerobased: bool = False) -> None:
    """Build the .tbi index of a BGZF file in place."""
    import pysam

    if preset is not None:
        pysam.tabix_index(str(path), preset=preset, force=True, keep_original=True)
    else:
        pysam.tabix_index(str(path), seq_col=seq_col, start_col=start_col, end_col=end_col,
                          zerobased=zerobased, meta_char="#", force=True, keep_original=True)


def check_chrom_naming_matches(
    chroms: Iterable[str], path: PathLike | None, reference_chroms: Iterable[str],
    reference_path: PathLike | None,
) -> None:
    """Raise when ``chroms`` (from ``path``) and ``reference_chroms`` use different naming.

    The message names the other file and the naming it uses, e.g. a BED with ``22`` against a
    VCF with ``chr22``.

    >>> check_chrom_naming_matches(["chr22"], "p.bed.gz", ["chr22"], "g.vcf.gz")
    >>> check_chrom_naming_matches(["chr22"], "p.bed.gz", ["22"], "g.bed")
    Traceback (most recent call last):
    ...
    genotex.errors.InputError: p.bed.gz: chromosome 'chr22' has the 'chr' prefix but g.bed uses '22' naming; fix: rename chromosomes to '22' style in one of the two files
    """  # noqa: E501
    expected = chrom_style(reference_chroms) or "chr"
    check_chrom_naming(chroms, path, expected=expected, other_path=reference_path)
