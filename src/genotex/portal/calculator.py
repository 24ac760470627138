"""The eQTL calculator (variant page) and the eQTL dashboard: genotype violins from
``/api/v2/association/dyneqtl`` (GET; per-sample points only with a controlled-access bearer
token), ``/api/genotex/v1/dyneqtlSummary`` (open aggregates) and the bulk ``POST dyneqtl``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from genotex.portal.gene_extras import api_url
from genotex.store import Store

router = APIRouter(include_in_schema=False)

#: Most gene–variant pairs on one dashboard (GTEx's limit).
MAX_DASHBOARD_PAIRS = 30
_SPLIT = re.compile(r"[\s,;]+")


def calculator_available(store: Store) -> bool:
    """Whether the release stores what on-request QTL tests need."""
    return all(store.has_table(t) for t in ("dosages", "qtl_phenotypes"))


def calculator_context(store: Store, variant: dict[str, Any], eqtls: list[dict[str, Any]],
                       neighbors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Gene and tissue choices of the variant page's eQTL calculator (``None``: not available).

    The default pair is the variant's strongest eQTL; genes with an eQTL come first, then the
    other genes within 1 Mb.
    """
    if not calculator_available(store):
        return None
    best = sorted(eqtls, key=lambda r: r["pValue"])
    genes: dict[str, str] = {}
    for r in best:
        genes.setdefault(r["gencodeId"], r["geneSymbol"] or r["gencodeId"])
    for g in neighbors:
        genes.setdefault(g["gencodeId"], g["geneSymbol"] or g["gencodeId"])
    if not genes:
        return None
    vid = variant["variantId"]
    stored = next((r for r in best[:20] if store.qtl_inputs(r["tissueSiteDetailId"],
                                                           r["gencodeId"], vid) is not None), None)
    first = stored or (best[0] if best else None)
    gene = first["gencodeId"] if first else next(iter(genes))
    tissue = first["tissueSiteDetailId"] if first else None
    default = {"gencodeId": gene, "variantId": vid, "tissueSiteDetailId": tissue}
    links = []
    if tissue:
        links = [("eQTL calculator (statistics; per-sample points with a token)",
                  api_url("/api/v2/association/dyneqtl", **default)),
                 ("eQTL calculator aggregates per genotype",
                  api_url("/api/genotex/v1/dyneqtlSummary", **default))]
    return {"genes": genes, "gene": gene, "tissue": tissue, "links": links,
            "autorun": stored is not None}


def parse_pairs(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``gene variant`` pairs, one per line (gene: symbol or GENCODE ID; variant: GTEx ID or
    rsID), and the lines that could not be read.

    >>> parse_pairs("CRP rs3091244\\nCCR5, chr3_46370000_T_C_b38\\nbad")
    ([('CRP', 'rs3091244'), ('CCR5', 'chr3_46370000_T_C_b38')], ['bad'])
    """
    pairs, bad = [], []
    for line in text.splitlines():
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        if len(parts) != 2:
            bad.append(line.strip()[:100])
            continue
        pairs.append((parts[0][:100], parts[1][:100]))
    return pairs, bad


@router.get("/eqtl-dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, pairs: str = "",
                   tissue: Annotated[list[str] | None, Query(max_length=100)] = None
                   ) -> HTMLResponse:
    """Up to 30 gene–variant pairs × chosen tissues, a genotype violin each."""
    from genotex.portal.views import _render, _store, _tissue_colors, _tissue_lookup

    store = _store(request)
    tissues = _tissue_lookup(store)
    chosen = [t for t in (store.resolve_tissues(tissue or []) or [])]
    parsed, bad = parse_pairs(pairs[:20_000])
    messages = [f"could not read line {b!r} (give a gene and a variant)" for b in bad]
    if len(parsed) > MAX_DASHBOARD_PAIRS:
        messages.append(f"only the first {MAX_DASHBOARD_PAIRS} of {len(parsed)} pairs are shown")
        parsed = parsed[:MAX_DASHBOARD_PAIRS]
    resolved = []
    for gene_text, variant_text in parsed:
        genes = store.genes([gene_text], items_per_page=2).rows
        vid = store.resolve_variant(variant_text)
        if len(genes) != 1 or vid is None:
            what = "gene" if len(genes) != 1 else "variant"
            messages.append(f"{gene_text} {variant_text}: unknown or ambiguous {what}")
            continue
        var = store.variants(variant_id=vid, items_per_page=1).rows[0]
        resolved.append({"gencodeId": genes[0]["gencodeId"], "geneSymbol":
                         genes[0]["geneSymbol"], "variantId": vid, "snpId": var["snpId"],
                         "ref": var["ref"], "alt": var["alt"]})
    items = [{"gencodeId": p["gencodeId"], "variantId": p["variantId"],
              "tissueSiteDetailId": t} for p in resolved for t in chosen]
    example = "CRP rs3091244\nCRP chr1_159690000_C_T_b38" if store.dataset_id.startswith(
        "genotex_tiny") else ""
    links = [("eQTL statistics of every pair × tissue (bulk)", "POST /api/v2/association/dyneqtl"),
             ("tissues", api_url("/api/v2/dataset/tissueSiteDetail"))]
    return _render(request, "dashboard.html", tissues=tissues, chosen=set(chosen), pairs=pairs,
                   resolved=resolved, messages=messages, example=example,
                   max_pairs=MAX_DASHBOARD_PAIRS, api_links=links[1:], bulk_link=links[0],
                   available=calculator_available(store),
                   page_data={"items": items, "pairs": resolved,
                              "tissues": _tissue_colors(tissues)})
