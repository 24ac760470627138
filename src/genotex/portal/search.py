"""What the portal's one search box was given: a gene, an rsID, a GTEx variant ID or a region.

Pure text parsing (no store access); :mod:`genotex.portal.views` looks the result up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: Widest region the search accepts (bp); GTEx's locus browser shows 1 Mb around a gene.
MAX_REGION_BP = 10_000_000

Kind = Literal["empty", "gene", "rsid", "variant", "region", "invalid"]

_CHROM = r"(?:chr)?(?P<chrom>[1-9]|1[0-9]|2[0-2]|X|Y|M|MT)"
_RSID = re.compile(r"^rs\d+$", re.IGNORECASE)
_VARIANT = re.compile(
    rf"^{_CHROM}_(?P<pos>\d+)_(?P<ref>[ACGTN]+)_(?P<alt>[ACGTN*]+)(?:_(?P<build>b3[78]))?$",
    re.IGNORECASE)
_REGION = re.compile(
    rf"^{_CHROM}\s*:\s*(?P<start>[\d,_]+)\s*(?:-|–|\.\.)\s*(?P<end>[\d,_]+)$", re.IGNORECASE)


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search: ``kind`` and the normalized ``value`` (plus coordinates of a region).

    ``value`` is the gene text as typed (stripped), the rsID in lower case, the GTEx variant ID
    (``chr1_12345_A_G_b38``) or the region as ``chr1:1000000-2000000``; ``problem`` explains an
    ``invalid`` query.
    """

    kind: Kind
    value: str
    chrom: str | None = None
    start: int | None = None
    end: int | None = None
    problem: str | None = None


def _chrom(raw: str) -> str:
    raw = raw.upper()
    return "chrM" if raw in ("M", "MT") else f"chr{raw}"


def parse_query(text: str) -> SearchQuery:
    """Classify one search-box entry.

    Parameters
    ----------
    text
        What the user typed: a gene symbol, a GENCODE ID with or without version, a dbSNP rsID,
        a GTEx variant ID (``chr1_12345_A_G_b38``, build suffix optional) or a region
        ``chr1:1,000,000-2,000,000`` (1-based, inclusive; commas allowed).

    Returns
    -------
    The query's kind and normalized value; regions wider than :data:`MAX_REGION_BP` or with
    ``start > end`` come back as ``invalid`` with a ``problem``.

    Examples
    --------
    >>> parse_query(" chr1:1,000,000-2,000,000 ")
    SearchQuery(kind='region', value='chr1:1000000-2000000', chrom='chr1', start=1000000, end=2000000, problem=None)
    >>> parse_query("RS333").value, parse_query("1_12345_a_g").value
    ('rs333', 'chr1_12345_A_G_b38')
    >>> parse_query("ENSG00000132693").kind
    'gene'
    """  # noqa: E501
    text = text.strip()
    if not text:
        return SearchQuery("empty", "")
    if _RSID.match(text):
        return SearchQuery("rsid", text.lower())
    if m := _VARIANT.match(text):
        chrom = _chrom(m["chrom"])
        build = (m["build"] or "b38").lower()
        value = f"{chrom}_{int(m['pos'])}_{m['ref'].upper()}_{m['alt'].upper()}_{build}"
        return SearchQuery("variant", value, chrom=chrom, start=int(m["pos"]), end=int(m["pos"]))
    if m := _REGION.match(text):
        chrom = _chrom(m["chrom"])
        start, end = (int(re.sub(r"[,_]", "", m[k]) or 0) for k in ("start", "end"))
        value = f"{chrom}:{start}-{end}"
        if start > end:
            return SearchQuery("invalid", value, chrom, start, end,
                               problem="the region's start is after its end")
        if end - start > MAX_REGION_BP:
            return SearchQuery("invalid", value, chrom, start, end,
                               problem=f"regions are limited to {MAX_REGION_BP:,} bp")
        return SearchQuery("region", value, chrom, start, end)
    return SearchQuery("gene", text)
