"""GCT v1.2 expression matrices, as GTEx ships gene TPMs and read counts.

Layout::

    #1.2
    <n_genes>\t<n_samples>
    Name\tDescription\t<sample 1>\t...\t<sample n>
    ENSG00000223972.5\tDDX11L1\t0.0\t...

References
----------
Broad GCT format: https://software.broadinstitute.org/cancer/software/gsea/wiki/index.php/Data_formats
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

__all__ = ["read_gct", "write_gct"]

_FIRST_DATA_LINE = 4


def _read_header(path: PathLike) -> tuple[int, int, list[str]]:
    head = read_head_lines(path, 3)
    if not head or head[0].strip() != "#1.2":
        found = head[0][:40] if head else ""
        raise InputError(path, f"first line is {found!r}, not '#1.2'",
                         "write a GCT v1.2 file (line 1 '#1.2', line 2 '<rows>\\t<columns>')",
                         line=1)
    dims = head[1].split("\t") if len(head) > 1 else []
    try:
        n_rows, n_cols = (int(x) for x in dims[:2])
    except ValueError:
        raise InputError(path, f"dimensions line {head[1][:40] if len(head) > 1 else ''!r} is "
                         "not '<rows>\\t<columns>'", "write the gene and sample counts on line 2",
                         line=2) from None
    header = head[2].split("\t") if len(head) > 2 else []
    if header[:2] != ["Name", "Description"]:
        raise InputError(path, f"header starts with {header[:2]!r}, not ['Name', 'Description']",
                         "name the first two columns Name and Description", line=3)
    return n_rows, n_cols, header[2:]


def read_gct(
    path: PathLike, *, samples: Sequence[str] | None = None, keep_description: bool = False
) -> pd.DataFrame:
    """Read a GCT v1.2 matrix (plain or gzipped).

    Parameters
    ----------
    path
        ``.gct`` or ``.gct.gz`` file.
    samples
        Read only these sample columns, in this order (memory-friendly for the large GTEx
        matrices). Unknown IDs raise :class:`~genotex.errors.InputError`.
    keep_description
        Keep the ``Description`` column (gene symbol) as the first column.

    Returns
    -------
    pandas.DataFrame
        (n_genes, n_samples): index ``Name`` (gene IDs), one column per sample. Integer files
        (read counts) give int64 columns, others float64.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.gct"
    >>> write_gct(pd.DataFrame({"S1": [1, 2]}, index=pd.Index(["G1", "G2"], name="Name")), p)
    >>> read_gct(p).to_dict()
    {'S1': {'G1': 1, 'G2': 2}}
    """
    n_rows, n_cols, file_samples = _read_header(path)
    check_unique(file_samples, path, what="sample ID")
    if len(file_samples) != n_cols:
        raise InputError(path, f"dimensions line says {n_cols} samples but the header has "
                         f"{len(file_samples)}", "fix the counts on line 2", line=2)
    wanted = list(file_samples) if samples is None else list(samples)
    if samples is not None:
        check_known(wanted, file_samples, path, what="sample")
    usecols = ["Name", "Description", *wanted]
    dtypes = {"Name": str, "Description": str}
    with reading(path), open_text(path) as fh:
        for _ in range(2):
            fh.readline()
        frame = pd.read_csv(fh, sep="\t", usecols=usecols, dtype=dtypes, engine="c",
                            na_values=["", "NA", "NaN", "nan"], keep_default_na=False)
    if len(frame) != n_rows:
        raise InputError(path, f"dimensions line says {n_rows} genes but the file has "
                         f"{len(frame)} data lines", "fix the counts on line 2 (or the file was "
                         "cut short)", line=2)
    check_unique(frame["Name"], path, what="gene ID", first_line=_FIRST_DATA_LINE)
    frame = frame.set_index("Name")
    values = check_numeric(frame[wanted], path, what="expression value",
                           first_line=_FIRST_DATA_LINE)
    if keep_description:
        values.insert(0, "Description", frame["Description"])
    values.columns.name = None
    return values


def write_gct(
    matrix: pd.DataFrame,
    path: PathLike,
    *,
    description: pd.Series | Mapping[str, str] | None = None,
    float_format: str | None = None,
) -> None:
    """Write a GCT v1.2 matrix; gzip (deterministic bytes) when ``path`` ends in ``.gz``.

    Parameters
    ----------
    matrix
        (n_genes, n_samples) numbers, index = gene IDs. A ``Description`` column, if present,
        is used as the description.
    path
        Output file.
    description
        Gene symbols keyed by gene ID; defaults to the ``Description`` column or the gene ID.
    float_format
        ``printf`` format for floats (e.g. ``"%.6g"``); default writes full precision.
    """
    matrix = matrix.copy()
    if "Description" in matrix.columns:
        desc_col = matrix.pop("Description")
        if description is None:
            description = desc_col
    check_unique(matrix.index, path, what="gene ID")
    check_unique(matrix.columns, path, what="sample ID")
    if description is None:
        desc = pd.Series(matrix.index.astype(str), index=matrix.index)
    else:
        desc = pd.Series(description).reindex(matrix.index)
        desc = desc.where(desc.notna(), pd.Series(matrix.index.astype(str), index=matrix.index))
    out = matrix.copy()
    out.insert(0, "Description", desc.astype(str).to_numpy())
    out.index = pd.Index(matrix.index.astype(str), name="Name")
    for col in matrix.columns:
        if not pd.api.types.is_numeric_dtype(matrix[col]):
            raise InputError(path, f"column {col!r} is not numeric", "pass numbers only")
        if pd.api.types.is_float_dtype(matrix[col]) and not np.isfinite(matrix[col]).all():
            raise InputError(path, f"column {col!r} has NaN or infinite values",
                             "GCT matrices may not have missing values: impute or drop them")
    with open_text_for_writing(path) as fh:
        fh.write(f"#1.2\n{matrix.shape[0]}\t{matrix.shape[1]}\n")
        out.to_csv(fh, sep="\t", float_format=float_format, lineterminator="\n")
