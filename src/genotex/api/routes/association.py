"""``/api/v2/association/*``: eGenes and significant single-tissue eQTLs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from genotex.api.deps import DatasetStoreDep
from genotex.api.models import EqtlGene, PaginatedResponse, SingleTissueEqtl
from genotex.api.paging import Paging, envelope, paging

router = APIRouter(prefix="/api/v2/association", tags=["Static Association"])

PagingDep = Annotated[Paging, Depends(paging)]
TissueIds = Annotated[list[str] | None, Query(
    max_length=1_000, description="Tissue IDs (tissueSiteDetailId) or ontology IDs")]


@router.get("/egene", response_model=PaginatedResponse[EqtlGene])
def get_eqtl_genes(
    store: DatasetStoreDep,
    paging: PagingDep,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """eGenes (q-value <= 0.05) with their top variant's statistics."""
    page = store.egenes(tissueSiteDetailId, page=paging.page,
                        items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/singleTissueEqtl", response_model=PaginatedResponse[SingleTissueEqtl])
def get_significant_single_tissue_eqtls(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[list[str] | None, Query(
        min_length=1, max_length=60_000, description="Versioned GENCODE IDs")] = None,
    variantId: Annotated[list[str] | None, Query(
        max_length=60_000, description="GTEx variant IDs or dbSNP rsIDs")] = None,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Significant eQTL pairs by gene, variant (GTEx ID or rsID) and tissue."""
    page = store.single_tissue_eqtls(gene_ids=gencodeId, variant_ids=variantId,
                                     tissues=tissueSiteDetailId, page=paging.page,
                                     items_per_page=paging.items_per_page)
    return envelope(page, paging)
