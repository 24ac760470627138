"""LeafCutter intron-cluster count tables (the sQTL pipeline input).

* ``*_perind.counts.gz``: space-separated, header ``chrom <samples...>``, rows
  ``chr1:17055:17233:clu_1_- 3/10 ...`` (intron reads / cluster reads per sample).
* ``*_perind_numers.counts.gz``: space-separated numerators only; the header names the samples
  and has no field over the intron IDs (R ``read.table`` row names).

References
----------
Li et al. 2018, LeafCutter (``leafcutter_cluster_regtools.py``), as used by the GTEx sQTL
pipeline.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_chrom_naming,
    check_numeric,
    check_unique,
    open_text,
    open_text_for_writing,
    read_head_lines,
    reading,
)

__all__ = [
    "read_leafcutter_counts",
    "read_leafcutter_numerators",
    "write_leafcutter_counts",
    "write_leafcutter_numerators",
]

_INTRON = re.compile(r"^[^:]+:\d+:\d+:clu_\d+_[+\-.NA]+$")


def _check_introns(ids: pd.Index, path: PathLike) -> None:
    check_unique(ids, path, what="intron ID", first_line=2)
    bad = ~ids.astype(str).str.match(_INTRON)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(path, f"intron ID {ids[i]!r} is not 'chrom:start:end:clu_<n>_<strand>'",
                         "use LeafCutter intron IDs", line=2 + i)
    check_chrom_naming(ids.astype(str).str.split(":").str[0], path)


def _read_table(path: PathLike) -> pd.DataFrame:
    head = read_head_lines(path, 2)
    if len(head) < 1 or not head[0].strip():
        raise InputError(path, "the file is empty", "write the header line and counts", line=1)
    header = head[0].split()
    with reading(path), open_text(path) as fh:
        fh.readline()
        table = pd.read_csv(fh, sep=" ", header=None, dtype=str, engine="c",
                            keep_default_na=False)
    n_fields = table.shape[1]
    samples = header[1:] if len(header) == n_fields else header
    if len(samples) != n_fields - 1:
        raise InputError(path, f"header names {len(header)} fields but rows have {n_fields}",
                         "write one count per sample after the intron ID", line=1)
    check_unique(samples, path, what="sample ID")
    table = table.set_index(0)
    table.columns = samples
    table.index = pd.Index(table.index, name="intron_id")
    _check_introns(table.index, path)
    return table


def _to_int(frame: pd.DataFrame, path: PathLike, what: str) -> pd.DataFrame:
    values = check_numeric(frame, path, what=what, first_line=2)
    if not all(pd.api.types.is_integer_dtype(values[c]) for c in values.columns) or (
        values.to_numpy() < 0
    ).any():
        raise InputError(path, f"{what}s must be non-negative integers",
                         "write read counts, not ratios or normalized values")
    return values.astype(np.int64)


def read_leafcutter_counts(path: PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a ``*_perind.counts.gz`` table.

    Returns
    -------
    numerators, denominators
        Two (n_introns, n_samples) int64 frames indexed by intron ID: reads of the intron and
        of its whole cluster.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x_perind.counts.gz"
    >>> num = pd.DataFrame({"S1": [3], "S2": [0]}, index=["chr1:10:20:clu_1_+"])
    >>> write_leafcutter_counts(p, num, num + 7)
    >>> n, d = read_leafcutter_counts(p)
    >>> n.to_dict(), d.to_dict()
    ({'S1': {'chr1:10:20:clu_1_+': 3}, 'S2': {'chr1:10:20:clu_1_+': 0}}, \
{'S1': {'chr1:10:20:clu_1_+': 10}, 'S2': {'chr1:10:20:clu_1_+': 7}})
    """
    table = _read_table(path)
    parts = {c: table[c].str.split("/", n=1, expand=True) for c in table.columns}
    for col, split in parts.items():
        if split.shape[1] != 2 or split[1].isna().any():
            i = 0 if split.shape[1] != 2 else int(np.flatnonzero(split[1].isna().to_numpy())[0])
            raise InputError(path, f"count {table[col].iloc[i]!r} in column {col!r} is not "
                             "'numerator/denominator'", "write counts as 'n/N'", line=2 + i)
    num = pd.DataFrame({c: s[0] for c, s in parts.items()}, index=table.index)
    den = pd.DataFrame({c: s[1] for c, s in parts.items()}, index=table.index)
    num = _to_int(num, path, "numerator")
    den = _to_int(den, path, "denominator")
    over = (num.to_numpy() > den.to_numpy()).any(axis=1)
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise InputError(path, f"intron {num.index[i]!r} has more reads than its cluster",
                         "each numerator must be <= its denominator", line=2 + i)
    return num, den


def read_leafcutter_numerators(path: PathLike) -> pd.DataFrame:
    """Read a ``*_perind_numers.counts.gz`` table: (n_introns, n_samples) int64 by intron ID."""
    return _to_int(_read_table(path), path, "numerator")


def _check_frame(frame: pd.DataFrame, path: PathLike) -> None:
    _check_introns(pd.Index(frame.index.astype(str)), path)
    check_unique(frame.columns, path, what="sample ID")


def write_leafcutter_counts(
    path: PathLike, numerators: pd.DataFrame, denominators: pd.DataFrame
) -> None:
    """Write a ``*_perind.counts.gz`` table (gzip with deterministic bytes when .gz).

    Parameters
    ----------
    numerators, denominators
        (n_introns, n_samples) integer read counts, same index (intron IDs) and columns.
    """
    _check_frame(numerators, path)
    if not (numerators.index.equals(denominators.index)
            and numerators.columns.equals(denominators.columns)):
        raise InputError(path, "numerators and denominators differ in introns or samples",
                         "pass frames with the same index and columns")
    num = numerators.to_numpy(dtype=np.int64)
    den = denominators.to_numpy(dtype=np.int64)
    cells = np.char.add(np.char.add(num.astype(str), "/"), den.astype(str))
    with open_text_for_writing(path) as fh:
        fh.write(" ".join(["chrom", *map(str, numerators.columns)]) + "\n")
        for intron, row in zip(numerators.index, cells.tolist(), strict=True):
            fh.write(f"{intron} {' '.join(row)}\n")


def write_leafcutter_numerators(path: PathLike, numerators: pd.DataFrame) -> None:
    """Write a ``*_perind_numers.counts.gz`` table (header = sample IDs only)."""
    _check_frame(numerators, path)
    values = numerators.to_numpy(dtype=np.int64).astype(str)
    with open_text_for_writing(path) as fh:
        fh.write(" ".join(map(str, numerators.columns)) + "\n")
        for intron, row in zip(numerators.index, values.tolist(), strict=True):
            fh.write(f"{intron} {' '.join(row)}\n")
