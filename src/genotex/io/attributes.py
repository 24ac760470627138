"""GTEx sample and subject attribute tables, and the sample → participant lookup.

* ``SampleAttributesDS``: tab-separated with a header; columns
  :data:`genotex.schema.SAMPLE_ATTRIBUTE_COLUMNS` (``SAMPID`` required), extra columns allowed.
* ``SubjectPhenotypesDS``: the same with :data:`genotex.schema.SUBJECT_ATTRIBUTE_COLUMNS`
  (``SUBJID`` required).
* sample → participant lookup: headerless ``sample_id<TAB>participant_id``, as the GTEx eQTL
  pipeline takes it.
"""

from __future__ import annotations

import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_unique,
    open_text,
    open_text_for_writing,
    reading,
)

__all__ = [
    "read_sample_attributes",
    "read_sample_participant_lookup",
    "read_subject_attributes",
    "write_sample_attributes",
    "write_sample_participant_lookup",
    "write_subject_attributes",
]


def _read_table(path: PathLike, id_column: str, what: str) -> pd.DataFrame:
    with reading(path), open_text(path) as fh:
        frame = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False,
                            na_values=["", "NA"], engine="c")
    if id_column not in frame.columns:
        raise InputError(path, f"no {id_column!r} column (header: {list(frame.columns)[:6]})",
                         f"the header must name the {what} ID column {id_column!r}", line=1)
    check_unique(list(frame.columns), path, what="column name")
    if frame[id_column].isna().any():
        i = int(frame[id_column].isna().to_numpy().nonzero()[0][0])
        raise InputError(path, f"empty {id_column}", f"give every row a {what} ID", line=2 + i)
    check_unique(frame[id_column], path, what=f"{what} ID ({id_column})", first_line=2)
    # numeric columns of the schema become numbers; others stay strings
    for col in frame.columns:
        if col == id_column:
            continue
        converted = pd.to_numeric(frame[col], errors="coerce")
        if frame[col].notna().any() and (converted.notna() == frame[col].notna()).all():
            frame[col] = converted
    return frame.set_index(id_column, drop=False).rename_axis(None)


def _write_table(frame: pd.DataFrame, path: PathLike, id_column: str, what: str) -> None:
    if id_column not in frame.columns:
        raise InputError(path, f"table has no {id_column!r} column",
                         f"add the {what} IDs as column {id_column!r}")
    check_unique(frame[id_column], path, what=f"{what} ID ({id_column})")
    cols = [id_column, *[c for c in frame.columns if c != id_column]]
    with open_text_for_writing(path) as fh:
        frame[cols].to_csv(fh, sep="\t", index=False, lineterminator="\n")


def read_sample_attributes(path: PathLike) -> pd.DataFrame:
    """Read a GTEx sample attribute table (``SampleAttributesDS``).

    Returns
    -------
    pandas.DataFrame
        One row per sample, indexed by ``SAMPID`` (also kept as a column); numeric columns
        (``SMRIN``, ``SMTSISCH``, ...) parsed as numbers.
    """
    return _read_table(path, "SAMPID", "sample")


def write_sample_attributes(df: pd.DataFrame, path: PathLike) -> None:
    """Write a sample attribute table (``SAMPID`` first); gzip when ``path`` ends in ``.gz``."""
    _write_table(df, path, "SAMPID", "sample")


def read_subject_attributes(path: PathLike) -> pd.DataFrame:
    """Read a GTEx subject phenotype table (``SubjectPhenotypesDS``), indexed by ``SUBJID``."""
    return _read_table(path, "SUBJID", "subject")


def write_subject_attributes(df: pd.DataFrame, path: PathLike) -> None:
    """Write a subject phenotype table (``SUBJID`` first); gzip when ``path`` ends in ``.gz``."""
    _write_table(df, path, "SUBJID", "subject")


def read_sample_participant_lookup(path: PathLike) -> pd.Series:
    """Read the headerless ``sample_id<TAB>participant_id`` lookup of the GTEx pipeline.

    A first line ``sample_id<TAB>participant_id`` is accepted and skipped.

    Returns
    -------
    pandas.Series
        participant IDs indexed by sample ID (index name ``sample_id``, name ``participant_id``).
    """
    with reading(path), open_text(path) as fh:
        frame = pd.read_csv(fh, sep="\t", header=None, dtype=str, keep_default_na=False,
                            engine="c")
    if frame.shape[1] != 2:
        raise InputError(path, f"expected 2 tab-separated columns, found {frame.shape[1]}",
                         "write one 'sample_id<TAB>participant_id' pair per line")
    first_line = 1
    if len(frame) and frame.iloc[0, 0] == "sample_id":
        frame = frame.iloc[1:]
        first_line = 2
    empty = (frame == "").any(axis=1).to_numpy()
    if empty.any():
        raise InputError(path, "empty sample or participant ID", "fill both columns",
                         line=first_line + int(empty.nonzero()[0][0]))
    check_unique(frame[0], path, what="sample ID", first_line=first_line)
    return pd.Series(frame[1].to_numpy(), index=pd.Index(frame[0].to_numpy(), name="sample_id"),
                     name="participant_id")


def write_sample_participant_lookup(series: pd.Series, path: PathLike) -> None:
    """Write the headerless ``sample_id<TAB>participant_id`` lookup (index = sample IDs)."""
    check_unique(series.index, path, what="sample ID")
    with open_text_for_writing(path) as fh:
        for sample, participant in zip(series.index, series.to_numpy(), strict=True):
            fh.write(f"{sample}\t{participant}\n")
