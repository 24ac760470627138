"""The gene page's QTL sections beyond the single-tissue eQTLs: independent eQTLs, fine-mapped
credible sets, sQTLs, multi-tissue m-values, the LD triangle and the regional association plot.

Each section reads the same :mod:`genotex.store` query as its ``/api/v2`` twin and is shown only
when the release holds its table.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from genotex.store import Store

#: Rows shown in each of the gene page's extra tables.
EXTRA_ROWS = 500
#: Half-width (bp) of the regional association plot's genes track around the gene's TSS.
LOCUS_HALF_WINDOW = 1_000_000


def api_url(path: str, **params: Any) -> str:
    """A relative API URL with repeated keys for list values (``path`` starts with ``/api``)."""
    pairs = [(k, x) for k, v in params.items() if v is not None
             for x in (v if isinstance(v, list | tuple) else [v])]
    return path + (f"?{urlencode(pairs)}" if pairs else "")


def neg_log10(p: float | None) -> float | None:
    """−log10 p (320 for p = 0, ``None`` for a missing p)."""
    if p is None or p != p:
        return None
    return 320.0 if p <= 0 else -math.log10(p)


def _with_log10p(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["log10p"] = neg_log10(row.get("pValue"))
    return rows


def gene_qtl_extras(store: Store, gene: dict[str, Any], eqtl_tissues: list[str]
                    ) -> tuple[dict[str, Any], list[tuple[str, str]], dict[str, Any]]:
    """Template context, API links and page data of the gene page's extra QTL sections.

    Parameters
    ----------
    store
        The served release.
    gene
        The gene's ``reference/gene`` record.
    eqtl_tissues
        Tissues where the gene has significant eQTLs, best first (the regional plot's default).
    """
    gid = gene["gencodeId"]
    ctx: dict[str, Any] = {"independent": None, "finemap": None, "sqtls": None,
                           "metasoft": None, "has_ld": store.has_table("ld"),
                           "has_nominal": store.has_table("nominal_pairs")}
    links: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    if store.has_table("independent_eqtls"):
        ctx["independent"] = _with_log10p(
            store.independent_eqtls([gid], items_per_page=EXTRA_ROWS).rows)
        links.append(("independent eQTLs", api_url("/api/v2/association/independentEqtl",
                                                   gencodeId=gid)))
    if store.has_table("finemapping"):
        rows = store.fine_mapping([gid], items_per_page=EXTRA_ROWS).rows
        ctx["finemap"] = sorted(rows, key=lambda r: (r["tissueSiteDetailId"], r["setId"],
                                                     -(r["pip"] or 0.0)))
        links.append(("fine-mapped credible sets", api_url("/api/v2/association/fineMapping",
                                                           gencodeId=gid)))
    if store.has_table("sqtls"):
        ctx["sqtls"] = _with_log10p(
            store.single_tissue_sqtls(gene_ids=[gid], items_per_page=EXTRA_ROWS).rows)
        links.append(("single-tissue sQTLs", api_url("/api/v2/association/singleTissueSqtl",
                                                     gencodeId=gid)))
    if store.has_table("metasoft"):
        meta = store.metasoft(gid, items_per_page=EXTRA_ROWS).rows
        ctx["metasoft"] = meta
        if meta:
            url = api_url("/api/v2/association/metasoft", gencodeId=gid)
            links.append(("multi-tissue m-values (METASOFT)", url))
            data["metasoftApi"] = url
    if ctx["has_ld"]:
        url = api_url("/api/v2/dataset/ld", gencodeId=gid)
        links.append(("LD (r²) between the gene's variants", url))
        data["ldApi"] = url
    if ctx["has_nominal"]:
        nominal = api_url("/api/genotex/v1/nominalPairs", gencodeId=gid)
        genes = api_url("/api/v2/reference/neighborGene", chromosome=gene["chromosome"],
                        pos=gene["tss"], bp_window=LOCUS_HALF_WINDOW)
        links += [("all tested variant–gene pairs (regional plot)", nominal),
                  ("genes around the TSS (genes track)", genes)]
        data.update({"nominalApi": nominal, "genesApi": genes,
                     "locusTissues": eqtl_tissues})
    return ctx, links, data
