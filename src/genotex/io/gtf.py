"""Gene annotation: GENCODE/Ensembl GTF or gene TSV reader; collapsed-model GTF writer.

Output rows follow :data:`genotex.schema.GENE_COLUMNS` (1-based inclusive ``start``/``end``,
strand-aware ``tss``). Ensembl GTFs (``gene_biotype``, bare ``1``/``MT`` chromosome names,
unversioned IDs with a ``gene_version`` attribute) are converted to GENCODE conventions
(``gene_type``, ``chr1``/``chrM``, ``ENSG...N.V``) unless ``rename_chroms=False``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io._checks import (
    PLINK_CHROM_CODES,
    PathLike,
    check_chrom_naming,
    check_unique,
    open_text,
    open_text_for_writing,
    reading,
)
from genotex.schema import GENE_COLUMNS

__all__ = ["read_gene_annotation", "write_gtf"]

_GTF_COLUMNS = ["chrom", "source", "feature", "start", "end", "score", "strand", "frame",
                "attributes"]
_TSV_ALIASES = {"chr": "chrom", "#chr": "chrom", "#chrom": "chrom", "seqname": "chrom",
                "gene_biotype": "gene_type", "#gene_id": "gene_id"}


def _is_gtf(path: PathLike) -> bool:
    with reading(path), open_text(path) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            return len(fields) == 9 and "gene_id" in fields[8]
    return False


def _attribute(attrs: pd.Series, key: str) -> pd.Series:
    return attrs.str.extract(rf'(?:^|;)\s*{key} "([^"]*)"', expand=False)


def _rename_chroms(chrom: pd.Series, path: PathLike, *, rename: bool) -> pd.Series:
    if rename:
        chrom = chrom.map(lambda c: c if c.startswith("chr") else PLINK_CHROM_CODES.get(c, c))
    check_chrom_naming(chrom, path)
    return chrom


def _finish(genes: pd.DataFrame, path: PathLike, first_line: int | None) -> pd.DataFrame:
    check_unique(genes["gene_id"], path, what="gene ID", first_line=first_line)
    bad = ~genes["strand"].isin(["+", "-"])
    if bad.any():
        raise InputError(path, f"strand {genes['strand'][bad].iloc[0]!r} of gene "
                         f"{genes['gene_id'][bad].iloc[0]!r} is not '+' or '-'",
                         "give every gene a strand")
    genes["start"] = genes["start"].astype(np.int64)
    genes["end"] = genes["end"].astype(np.int64)
    genes["tss"] = np.where(genes["strand"] == "+", genes["start"], genes["end"]).astype(np.int64)
    return genes[list(GENE_COLUMNS)].reset_index(drop=True)


def _read_gtf(path: PathLike, *, rename: bool) -> pd.DataFrame:
    with reading(path), open_text(path) as fh:
        gtf = pd.read_csv(fh, sep="\t", comment="#", header=None, names=_GTF_COLUMNS,
                          usecols=["chrom", "feature", "start", "end", "strand", "attributes"],
                          dtype={"chrom": str, "feature": str, "start": np.int64,
                                 "end": np.int64, "strand": str, "attributes": str},
                          engine="c")
    gtf = gtf[gtf["feature"] == "gene"]
    if gtf.empty:
        raise InputError(path, "no 'gene' lines", "pass a GENCODE/Ensembl GTF with gene records")
    attrs = gtf["attributes"]
    gene_id = _attribute(attrs, "gene_id")
    version = _attribute(attrs, "gene_version")
    unversioned = version.notna() & ~gene_id.str.contains(".", regex=False)
    gene_id = gene_id.where(~unversioned, gene_id + "." + version)
    gene_type = _attribute(attrs, "gene_type").fillna(_attribute(attrs, "gene_biotype"))
    name = _attribute(attrs, "gene_name").fillna(gene_id)
    genes = pd.DataFrame({
        "gene_id": gene_id, "gene_name": name, "gene_type": gene_type,
        "chrom": _rename_chroms(gtf["chrom"], path, rename=rename),
        "start": gtf["start"], "end": gtf["end"], "strand": gtf["strand"]})
    return _finish(genes, path, None)


def _read_tsv(path: PathLike, *, rename: bool) -> pd.DataFrame:
    with reading(path), open_text(path) as fh:
        table = pd.read_csv(fh, sep="\t", dtype=str, engine="c", keep_default_na=False)
    table = table.rename(columns=lambda c: _TSV_ALIASES.get(c.lower(), c.lower()))
    missing = [c for c in ("chrom", "start", "end", "strand", "gene_id") if c not in table]
    if missing:
        raise InputError(path, f"gene table lacks columns {missing} (has {list(table.columns)})",
                         "give a GTF, or a TSV with chr, start, end, strand, gene_id "
                         "(and gene_name, gene_type)", line=1)
    for col in ("start", "end"):
        num = pd.to_numeric(table[col], errors="coerce")
        if num.isna().any():
            i = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise InputError(path, f"non-numeric {col} {table[col].iloc[i]!r}",
                             "write 1-based integer coordinates", line=2 + i)
        table[col] = num
    genes = pd.DataFrame({
        "gene_id": table["gene_id"],
        "gene_name": table.get("gene_name", table["gene_id"]),
        "gene_type": table.get("gene_type", pd.Series(pd.NA, index=table.index, dtype=object)),
        "chrom": _rename_chroms(table["chrom"], path, rename=rename),
        "start": table["start"], "end": table["end"], "strand": table["strand"]})
    return _finish(genes, path, 2)


def read_gene_annotation(path: PathLike, *, rename_chroms: bool = True) -> pd.DataFrame:
    """Read genes from a GENCODE/Ensembl GTF or a gene TSV (plain or gzipped).

    Parameters
    ----------
    path
        A GTF (only ``gene`` records are used) or a tab-separated table with a header naming
        ``chr``/``chrom``, ``start``, ``end`` (1-based), ``strand``, ``gene_id`` and optionally
        ``gene_name``, ``gene_type``, ``tss``.
    rename_chroms
        Map Ensembl's ``1``/``X``/``MT`` to ``chr1``/``chrX``/``chrM``; if False such names raise
        :class:`~genotex.errors.InputError`.

    Returns
    -------
    pandas.DataFrame
        One row per gene, columns :data:`genotex.schema.GENE_COLUMNS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "genes.tsv"
    >>> _ = p.write_text("chr\\tstart\\tend\\tstrand\\tgene_id\\nchr1\\t10\\t20\\t-\\tG.1\\n")
    >>> read_gene_annotation(p)[["gene_id", "tss"]].to_dict("records")
    [{'gene_id': 'G.1', 'tss': 20}]
    """
    if _is_gtf(path):
        return _read_gtf(path, rename=rename_chroms)
    return _read_tsv(path, rename=rename_chroms)


def _attrs(row: pd.Series, *, transcript: bool) -> str:
    parts = [f'gene_id "{row.gene_id}"']
    if transcript:
        parts.append(f'transcript_id "{row.gene_id}"')
    parts += [f'gene_type "{row.gene_type}"', f'gene_name "{row.gene_name}"']
    if transcript:
        parts += [f'transcript_type "{row.gene_type}"', f'transcript_name "{row.gene_name}"']
    return "; ".join(parts) + ";"


def write_gtf(path: PathLike, genes: pd.DataFrame) -> None:
    """Write a collapsed-model GTF: per gene one gene, one transcript and its exon lines.

    Parameters
    ----------
    path
        Output ``.gtf`` or ``.gtf.gz`` (deterministic gzip bytes).
    genes
        Columns ``gene_id, chrom, start, end, strand`` (1-based inclusive), optionally
        ``gene_name``, ``gene_type`` and ``exon_starts``/``exon_ends`` (sequences of 1-based
        inclusive coordinates per gene); without exon columns one exon spans the gene.
    """
    missing = [c for c in ("gene_id", "chrom", "start", "end", "strand") if c not in genes]
    if missing:
        raise InputError(path, f"genes lack columns {missing}", "pass GENE_COLUMNS")
    check_unique(genes["gene_id"], path, what="gene ID")
    check_chrom_naming(genes["chrom"].astype(str), path)
    frame = genes.copy()
    if "gene_name" not in frame:
        frame["gene_name"] = frame["gene_id"]
    if "gene_type" not in frame:
        frame["gene_type"] = "unknown"
    frame["gene_type"] = frame["gene_type"].fillna("unknown")
    has_exons = "exon_starts" in frame and "exon_ends" in frame
    with open_text_for_writing(path) as fh:
        fh.write("##description: collapsed gene model written by genotex\n"
                 "##format: gtf\n")
        for row in frame.itertuples(index=False):
            base = f"{row.chrom}\tgenotex\t"
            tail = f"\t.\t{row.strand}\t."
            fh.write(f"{base}gene\t{row.start}\t{row.end}{tail}\t{_attrs(row, transcript=False)}\n")
            tx = _attrs(row, transcript=True)
            fh.write(f"{base}transcript\t{row.start}\t{row.end}{tail}\t{tx}\n")
            exons = (list(zip(row.exon_starts, row.exon_ends, strict=True)) if has_exons
                     else [(row.start, row.end)])
            for k, (s, e) in enumerate(exons, start=1):
                fh.write(f'{base}exon\t{s}\t{e}{tail}\t{tx} exon_number {k};\n')
