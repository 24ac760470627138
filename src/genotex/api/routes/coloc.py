"""``/api/genotex/v1/coloc``: GWAS colocalization posteriors stored in the release.

One record per trait × tissue × gene (and locus lead), as ``genotex coloc`` computed them
(coloc.abf, or the best credible-set pair of coloc.susie): the five posteriors PP.H0–H4 (H4:
the trait and the gene's eQTL share one causal variant). GTEx API v2 has no such endpoint.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from genotex.api.deps import DatasetStoreDep
from genotex.api.models import PaginatedResponse
from genotex.api.paging import Paging, envelope, paging
from genotex.store import Store
from genotex.store.queries import Page

router = APIRouter(prefix="/api/genotex/v1", tags=["genotex"])

PagingDep = Annotated[Paging, Depends(paging)]
Ids = Annotated[list[str] | None, Query(min_length=1, max_length=1_000)]


class Coloc(BaseModel):
    """One colocalization result."""

    model_config = ConfigDict(extra="ignore")

    datasetId: str
    traitId: str
    gencodeId: str
    geneSymbol: str
    tissueSiteDetailId: str
    leadVariantId: str | None
    nsnps: int
    ppH0: float
    ppH1: float
    ppH2: float
    ppH3: float
    ppH4: float


def coloc_page(store: Store, *, gene_ids: list[str] | None, traits: list[str] | None,
               tissues: list[str] | None, min_pp_h4: float, page: int,
               items_per_page: int) -> Page:
    """The release's ``coloc`` rows matching the filters, best PP.H4 first."""
    tis = store.resolve_tissues(tissues)
    if not store.has_table("coloc") or tis == []:
        return Page([], 0)
    sql = """SELECT ? AS datasetId, c.trait_id AS traitId, c.gene_id AS gencodeId,
            coalesce(g.gene_name, '') AS geneSymbol, c.tissue_id AS tissueSiteDetailId,
            c.lead_variant_id AS leadVariantId, c.nsnps, c.pp_h0 AS ppH0, c.pp_h1 AS ppH1,
            c.pp_h2 AS ppH2, c.pp_h3 AS ppH3, c.pp_h4 AS ppH4
        FROM coloc c LEFT JOIN genes g USING (gene_id) WHERE c.pp_h4 >= ?"""
    params: list[Any] = [store.dataset_id, min_pp_h4]
    for column, values in (("c.gene_id", gene_ids), ("c.trait_id", traits),
                           ("c.tissue_id", tis)):
        if values:
            sql += f" AND {column} IN ({', '.join('?' * len(values))})"
            params += list(values)
    return store._page(sql, params, "ppH4 DESC, traitId, gencodeId, tissueSiteDetailId",
                       page, items_per_page)


@router.get("/coloc", response_model=PaginatedResponse[Coloc])
def get_coloc(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Ids = None,
    traitId: Ids = None,
    tissueSiteDetailId: Ids = None,
    minPpH4: Annotated[float, Query(ge=0, le=1)] = 0.0,
) -> dict[str, Any]:
    """Colocalization posteriors (PP.H0–H4) by gene, trait and tissue, best PP.H4 first."""
    page = coloc_page(store, gene_ids=gencodeId, traits=traitId, tissues=tissueSiteDetailId,
                      min_pp_h4=minPpH4, page=paging.page,
                      items_per_page=paging.items_per_page)
    return envelope(page, paging)
