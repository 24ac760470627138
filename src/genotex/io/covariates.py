"""Covariate tables (genotype PCs, PEER/hidden factors, sex, platform...).

GTEx, tensorQTL and QTLtools write **covariates × samples** (first header field ``ID``/``id``,
or anything else, then one column per sample). Some tools write **samples × covariates**. The
reader accepts both and always returns samples × covariates.

Orientation rule: with ``samples`` given, the axis that holds those IDs wins. Without it, a first
header field ``ID``/``id`` means covariates × samples, ``sample_id``/``sample``/``SAMPID``/``IID``
means samples × covariates; otherwise the shorter axis is taken to be the covariates (a
regression needs fewer covariates than samples). (GEUVADIS' ``SampleID`` header sits over
covariate rows, so it is left to the shape rule.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PathLike,
    check_known,
    check_numeric,
    check_unique,
    open_text,
    open_text_for_writing,
    read_head_lines,
    reading,
)

__all__ = ["read_covariates", "write_covariates"]

Orientation = Literal["covariates_by_samples", "samples_by_covariates"]


def _read_raw(path: PathLike) -> pd.DataFrame:
    head = read_head_lines(path, 1)
    if not head or not head[0].strip():
        raise InputError(path, "the file is empty or has no header",
                         "write a header line: 'ID<TAB><sample IDs...>'", line=1)
    sep = "\t" if "\t" in head[0] else r"\s+"
    with reading(path), open_text(path) as fh:
        frame = pd.read_csv(fh, sep=sep, dtype=str, engine="c", keep_default_na=False,
                            na_values=["", "NA", "NaN", "nan"])
    header = head[0].split("\t") if sep == "\t" else head[0].split()
    check_unique(header[1:], path, what="column ID")
    frame.columns = header
    check_unique(frame.iloc[:, 0], path, what="row ID", first_line=2)
    return frame.set_index(header[0])


_NA = frozenset(["", "NA", "NaN", "nan"])


def _read_numbers(path: PathLike) -> pd.DataFrame | None:
    """The common layout in one step: tab-separated, unique IDs, every cell a number.

    Returns the table as float64 (index named by the first header field), or None for any
    other file, which the general reader then parses and checks cell by cell. Cells are
    converted with Python's ``float`` (correctly rounded), as the general path converts them.
    """
    with reading(path), open_text(path) as fh:
        text = fh.read()
    lines = text.splitlines()
    if len(lines) < 2 or "\t" not in lines[0] or '"' in text:
        return None
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    ids = [r[0] for r in rows]
    if (any(len(r) != len(header) for r in rows) or len(set(header[1:])) != len(header) - 1
            or len(set(ids)) != len(ids) or not _NA.isdisjoint(ids)):
        return None
    try:
        values = np.array([r[1:] for r in rows], dtype=np.float64)
    except ValueError:
        return None
    if np.isnan(values).any():
        return None
    return pd.DataFrame(values, index=pd.Index(ids, name=header[0]), columns=header[1:])


def _orientation(frame: pd.DataFrame, samples: Sequence[str] | None) -> Orientation:
    if samples is not None:
        wanted = set(samples)
        in_cols = len(wanted.intersection(frame.columns.astype(str)))
        in_rows = len(wanted.intersection(frame.index.astype(str)))
        return "covariates_by_samples" if in_cols >= in_rows else "samples_by_covariates"
    first = str(frame.index.name).lower()
    if first in {"id", "#id"}:
        return "covariates_by_samples"
    if first in {"sample_id", "#sample_id", "sample", "sampid", "iid", "#iid"}:
        return "samples_by_covariates"
    return "covariates_by_samples" if frame.shape[0] <= frame.shape[1] else "samples_by_covariates"


def _all_numbers(raw: pd.DataFrame) -> pd.DataFrame | None:
    """``raw`` as float64 when every cell is a number (no missing value), else None."""
    try:
        values = raw.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if np.isnan(values).any():
        return None
    return pd.DataFrame(values, index=raw.index, columns=raw.columns)


def read_covariates(path: PathLike, *, samples: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a covariate table in either orientation.

    Parameters
    ----------
    path
        Tab- or whitespace-separated table, plain or gzipped.
    samples
        Sample IDs to return, in this order; missing ones raise
        :class:`~genotex.errors.InputError` naming up to five of them.

    Returns
    -------
    pandas.DataFrame
        (n_samples, n_covariates) float64, index = sample IDs, columns = covariate names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cov.txt"
    >>> _ = p.write_text("ID\\tS1\\tS2\\tS3\\nPC1\\t0.1\\t0.2\\t0.3\\n")
    >>> read_covariates(p, samples=["S3", "S1"]).to_dict()
    {'PC1': {'S3': 0.3, 'S1': 0.1}}
    """
    numeric = _read_numbers(path)  # the common case: one conversion instead of one per column
    raw = _read_raw(path) if numeric is None else numeric
    orientation = _orientation(raw, samples)
    first_line = 2
    if numeric is None:
        numeric = _all_numbers(raw)
        if numeric is not None:
            raw = numeric
    table = raw.T if orientation == "covariates_by_samples" else raw
    table.index = table.index.astype(str)
    table.columns = table.columns.astype(str)
    if samples is not None:
        check_known(list(samples), list(table.index), path, what="sample")
        table = table.loc[list(samples)]
    fix_nan = "impute missing covariate values (or drop the sample)"
    if numeric is not None:
        values = table
    else:  # find the bad cell and name it
        if orientation == "covariates_by_samples":
            # validate covariate rows as the user sees them in the file (line numbers hold)
            check_numeric(raw, path, what="covariate value", first_line=first_line,
                          fix_nan=fix_nan)
        values = check_numeric(table, path, what="covariate value", fix_nan=fix_nan,
                               first_line=first_line if samples is None
                               and orientation == "samples_by_covariates" else None)
        values = values.astype(np.float64)
    values.index.name = None
    values.columns.name = None
    return values


def write_covariates(
    path: PathLike,
    covariates: pd.DataFrame,
    *,
    orientation: Orientation = "covariates_by_samples",
) -> None:
    """Write covariates (given as samples × covariates) as a tab-separated table.

    Parameters
    ----------
    path
        Output file; gzip (deterministic bytes) when it ends in ``.gz``.
    covariates
        (n_samples, n_covariates) numbers, index = sample IDs.
    orientation
        ``"covariates_by_samples"`` (GTEx/tensorQTL, header ``ID<TAB>samples...``) or
        ``"samples_by_covariates"`` (header ``sample_id<TAB>covariates...``).
    """
    check_unique(covariates.index, path, what="sample ID")
    check_unique(covariates.columns, path, what="covariate name")
    values = check_numeric(covariates, path, what="covariate value")
    if orientation == "covariates_by_samples":
        out = values.T.rename_axis(index="ID", columns=None)
    elif orientation == "samples_by_covariates":
        out = values.rename_axis(index="sample_id", columns=None)
    else:
        raise ValueError(f"unknown orientation {orientation!r}")
    with open_text_for_writing(path) as fh:
        out.to_csv(fh, sep="\t", lineterminator="\n")
