"""The multi-gene expression map: paste up to 100 genes → a clustered heatmap of median TPM with
tissue and gene dendrograms, drawn from ``/api/v2/expression/clusteredMedianGeneExpression``."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from genotex.portal.gene_extras import api_url

router = APIRouter(include_in_schema=False)

#: Most genes on one expression map.
MAX_MAP_GENES = 100
_SPLIT = re.compile(r"[\s,;]+")


def split_genes(text: str) -> list[str]:
    """Gene symbols or IDs separated by spaces, commas, semicolons or new lines (first seen
    order, duplicates dropped).

    >>> split_genes("CRP, ccr5\\nSLK;CRP")
    ['CRP', 'ccr5', 'SLK']
    """
    return list(dict.fromkeys(t[:100] for t in _SPLIT.split(text) if t))


@router.get("/expression-map", response_class=HTMLResponse)
def expression_map_page(request: Request, genes: str = "") -> HTMLResponse:
    """Clustered heatmap of the genes' median TPM in every tissue (click a gene for its page)."""
    from genotex.portal.views import _render, _store, _tissue_colors, _tissue_lookup

    store = _store(request)
    tokens = split_genes(genes[:20_000])
    messages = []
    if len(tokens) > MAX_MAP_GENES:
        messages.append(f"only the first {MAX_MAP_GENES} of {len(tokens)} genes are shown")
        tokens = tokens[:MAX_MAP_GENES]
    found: dict[str, dict[str, str]] = {}
    for tok in tokens:
        rows = store.genes([tok], items_per_page=5).rows
        if len(rows) == 1:
            found.setdefault(rows[0]["gencodeId"], {"gencodeId": rows[0]["gencodeId"],
                                                    "geneSymbol": rows[0]["geneSymbol"]})
        elif rows:
            messages.append(f"{tok} names {len(rows)} genes: give a GENCODE ID "
                            f"({', '.join(r['gencodeId'] for r in rows)})")
        else:
            messages.append(f"{tok}: no such gene in this release")
    ids = list(found)
    clustered = api_url("/api/v2/expression/clusteredMedianGeneExpression",
                        gencodeId=ids) if ids else None
    tissues = _tissue_lookup(store)
    example = " ".join(g["geneSymbol"] for g in store.gene_search("", items_per_page=5).rows)
    links = [("clustered median TPM (Newick trees)", clustered)] if clustered else []
    return _render(request, "expression_map.html", genes=genes, found=list(found.values()),
                   messages=messages, example=example, max_genes=MAX_MAP_GENES,
                   api_links=links,
                   page_data={"clusteredApi": clustered, "genes": found,
                              "tissues": _tissue_colors(tissues)})
