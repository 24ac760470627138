"""Exons of a (collapsed) gene GTF: the splice-site table that assigns intron clusters to genes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genotex.errors import InputError

__all__ = ["read_exons"]

PathLike = str | Path


def read_exons(path: PathLike, *, rename_chroms: bool = True) -> pd.DataFrame:
    """Read the ``exon`` records of a GENCODE/Ensembl or collapsed-model GTF (plain or gzipped).

    Returns
    -------
    pandas.DataFrame
        One row per exon: ``chrom``, ``start``, ``end`` (1-based inclusive), ``gene_id``, in
        file order. Ensembl's ``1``/``X``/``MT`` become ``chr1``/``chrX``/``chrM`` unless
        ``rename_chroms`` is False.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.gtf"
    >>> _ = p.write_text('1\\tx\\tgene\\t10\\t90\\t.\\t+\\t.\\tgene_id "G1";\\n'
    ...                  '1\\tx\\texon\\t10\\t20\\t.\\t+\\t.\\tgene_id "G1"; exon_number 1;\\n')
    >>> read_exons(p).to_dict("records")
    [{'chrom': 'chr1', 'start': 10, 'end': 20, 'gene_id': 'G1'}]
    """
    if not Path(path).is_file():
        raise InputError(path, "file not found", "pass the gene annotation GTF")
    try:
        gtf = pd.read_csv(path, sep="\t", comment="#", header=None, dtype=str,
                          usecols=[0, 2, 3, 4, 8], names=["chrom", "feature", "start", "end",
                                                          "attributes"])
    except (ValueError, pd.errors.ParserError) as err:
        raise InputError(path, f"not a 9-column GTF ({err})", "pass a GTF file") from err
    exons = gtf[gtf["feature"] == "exon"]
    if exons.empty:
        raise InputError(path, "no 'exon' records", "pass a GTF with exon lines (e.g. the "
                         "collapsed gene model of the GTEx pipeline)")
    gene = exons["attributes"].str.extract(r'gene_id "([^"]+)"', expand=False)
    chrom = exons["chrom"].astype(str)
    if rename_chroms:
        plain = ~chrom.str.startswith("chr")
        chrom = chrom.where(~plain, "chr" + chrom.replace({"MT": "M"}))
    try:
        start, end = exons["start"].astype(int), exons["end"].astype(int)
    except ValueError as err:
        raise InputError(path, f"non-integer exon coordinates ({err})",
                         "columns 4 and 5 must be 1-based positions") from err
    if gene.isna().any():
        raise InputError(path, "an exon line has no gene_id attribute",
                         'add gene_id "…"; to every exon line')
    return pd.DataFrame({"chrom": chrom.to_numpy(), "start": start.to_numpy(),
                         "end": end.to_numpy(), "gene_id": gene.to_numpy()})
