"""Phenotype BED files as tensorQTL, FastQTL and QTLtools take them.

Layout (bgzipped, tabix-indexed, 0-based half-open ``start``/``end``)::

    #chr  start  end  phenotype_id  [gid  strand]  <sample 1> ... <sample n>

The two bracketed columns are QTLtools' six-column layout; they are recognised when the sixth
header field is ``strand``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_chrom_naming,
    check_numeric,
    check_sorted,
    check_unique,
    open_bgzf_for_writing,
    open_text,
    read_head_lines,
    reading,
    tabix_index,
)

__all__ = ["PhenotypeBed", "read_phenotype_bed", "write_phenotype_bed"]

_POSITION_COLUMNS = ["chrom", "start", "end", "phenotype_id"]
_EXTRA_COLUMNS = ["gid", "strand"]


@dataclass(frozen=True)
class PhenotypeBed:
    """A phenotype BED file in memory.

    Attributes
    ----------
    positions
        (n_phenotypes, 4 or 6) columns ``chrom, start, end, phenotype_id`` (+ ``gid, strand``),
        ``start``/``end`` 0-based half-open; indexed by ``phenotype_id``.
    values
        (n_phenotypes, n_samples) float64, same index as ``positions``.
    """

    positions: pd.DataFrame
    values: pd.DataFrame


def _header(path: PathLike) -> list[str]:
    head = read_head_lines(path, 1)
    fields = head[0].split("\t") if head else []
    if not fields or not fields[0].startswith("#") or len(fields) < 5:
        raise InputError(path, f"header {(head[0][:50] if head else '')!r} is not "
                         "'#chr<TAB>start<TAB>end<TAB>phenotype_id<TAB><samples...>'",
                         "write the tensorQTL/QTLtools BED header line first", line=1)
    return fields


def read_phenotype_bed(path: PathLike) -> PhenotypeBed:
    """Read a (bgzipped) phenotype BED file.

    Validates: header, unique phenotype and sample IDs, numeric non-missing values,
    ``chr``-prefixed chromosomes, chromosomes contiguous and rows sorted by (start, end).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.bed.gz"
    >>> pos = pd.DataFrame({"chrom": ["chr1"], "start": [9], "end": [10], "phenotype_id": ["G"]})
    >>> write_phenotype_bed(p, pos, pd.DataFrame({"S1": [0.5]}, index=["G"]))
    >>> bed = read_phenotype_bed(p)
    >>> bed.values.to_dict(), bed.positions.loc["G", "start"]
    ({'S1': {'G': 0.5}}, np.int64(9))
    """
    header = _header(path)
    n_pos = 6 if len(header) > 6 and header[5].lower() == "strand" else 4
    samples = header[n_pos:]
    check_unique(samples, path, what="sample ID")
    names = _POSITION_COLUMNS + (_EXTRA_COLUMNS if n_pos == 6 else [])
    dtypes: dict[str, type] = {
        header[0]: str, header[1]: np.int64, header[2]: np.int64, header[3]: str}
    if n_pos == 6:
        dtypes.update({header[4]: str, header[5]: str})
    with reading(path), open_text(path) as fh:
        try:
            frame = pd.read_csv(fh, sep="\t", dtype=dtypes, engine="c",
                                na_values=["", "NA", "NaN", "nan"], keep_default_na=False)
        except ValueError as exc:
            raise InputError(path, f"start/end columns are not integers ({exc})",
                             "write 0-based integer start and end coordinates") from exc
    positions = frame.iloc[:, :n_pos].copy()
    positions.columns = names
    check_unique(positions["phenotype_id"], path, what="phenotype ID", first_line=2)
    check_chrom_naming(positions["chrom"], path)
    check_sorted(positions["chrom"].to_numpy(), positions["start"].to_numpy(), path,
                 what="phenotypes", first_line=2, ends=positions["end"].to_numpy())
    index = pd.Index(positions["phenotype_id"].to_numpy(), name="phenotype_id")
    positions.index = index
    values = frame.iloc[:, n_pos:]
    values.index = index
    values = check_numeric(values, path, what="phenotype value", first_line=2,
                           fix_nan="impute or drop phenotypes with missing values "
                           "(tensorQTL/QTLtools take no NaN)").astype(np.float64)
    return PhenotypeBed(positions=positions, values=values)


def write_phenotype_bed(path: PathLike, positions: pd.DataFrame, values: pd.DataFrame) -> None:
    """Write a bgzipped phenotype BED and its ``.tbi`` index (deterministic bytes).

    Parameters
    ----------
    path
        Output ``.bed.gz``.
    positions
        (n_phenotypes, ≥4) columns ``chrom`` (or ``#chr``/``chr``), ``start``, ``end``
        (0-based half-open), ``phenotype_id`` (or the index), optional ``gid``/``strand``.
        Rows must be sorted by chromosome, start and end.
    values
        (n_phenotypes, n_samples) numbers; rows matched to ``positions`` by phenotype ID.
    """
    if not str(path).endswith(".gz"):
        raise InputError(path, "phenotype BED output must be bgzipped",
                         "give a path ending in .bed.gz")
    pos = positions.rename(columns={"#chr": "chrom", "chr": "chrom", "#Chr": "chrom"})
    if "phenotype_id" not in pos.columns:
        pos = pos.assign(phenotype_id=pos.index.astype(str))
    missing = [c for c in ("chrom", "start", "end") if c not in pos.columns]
    if missing:
        raise InputError(path, f"positions lack columns {missing}",
                         "give chrom, start, end (and phenotype_id) columns")
    check_unique(pos["phenotype_id"], path, what="phenotype ID")
    check_unique(values.columns, path, what="sample ID")
    check_chrom_naming(pos["chrom"], path)
    check_sorted(pos["chrom"].to_numpy(), pos["start"].to_numpy(), path, what="phenotypes",
                 ends=pos["end"].to_numpy())
    ids = pos["phenotype_id"].astype(str).to_numpy()
    absent = pd.Index(ids).difference(values.index.astype(str))
    if len(absent):
        raise InputError(path, f"{len(absent)} phenotypes have positions but no values: "
                         f"{list(absent[:5])}", "pass values for every phenotype in positions")
    vals = values.set_axis(values.index.astype(str)).loc[ids]
    vals = check_numeric(vals, path, what="phenotype value")
    cols = _POSITION_COLUMNS + [c for c in _EXTRA_COLUMNS if c in pos.columns]
    out = pos[cols].reset_index(drop=True)
    out["start"] = out["start"].astype(np.int64)
    out["end"] = out["end"].astype(np.int64)
    out = pd.concat([out, vals.reset_index(drop=True)], axis=1)
    out = out.rename(columns={"chrom": "#chr"})
    with open_bgzf_for_writing(path) as fh:
        out.to_csv(fh, sep="\t", index=False, lineterminator="\n")
    tabix_index(path, seq_col=0, start_col=1, end_col=2, zerobased=True)
