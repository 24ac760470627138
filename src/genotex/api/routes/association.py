"""``/api/v2/association/*``: eGenes/sGenes, significant, independent, fine-mapped and
multi-tissue QTLs (precomputed; the on-request tests are in :mod:`.dynamic`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from genotex.api.deps import DatasetStoreDep
from genotex.api.models import (
    Chromosome,
    EqtlGene,
    FineMapping,
    IGVResponse,
    IndependentEqtl,
    MetaSoft,
    PaginatedResponse,
    SGene,
    SingleTissueEqtl,
    SingleTissueSqtl,
)
from genotex.api.paging import MAX_INLINE_KEYS, Paging, answer, envelope, paging
from genotex.store.more_queries import MAX_REGION

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
async def get_significant_single_tissue_eqtls(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[list[str] | None, Query(
        min_length=1, max_length=60_000, description="Versioned GENCODE IDs")] = None,
    variantId: Annotated[list[str] | None, Query(
        max_length=60_000, description="GTEx variant IDs or dbSNP rsIDs")] = None,
    tissueSiteDetailId: TissueIds = None,
) -> Response:
    """Significant eQTL pairs by gene, variant (GTEx ID or rsID) and tissue."""
    served = store.serving
    keys = len(gencodeId or ()) + len(variantId or ())
    inline = (served is not None and served.has_pairs and 0 < keys <= MAX_INLINE_KEYS
              and (served.has_rs or not any(v.lower().startswith("rs") for v in variantId or ())))
    return await answer(inline, lambda: store.single_tissue_eqtls(
        gene_ids=gencodeId, variant_ids=variantId, tissues=tissueSiteDetailId,
        page=paging.page, items_per_page=paging.items_per_page), paging)


@router.get("/singleTissueEqtlByLocation", response_model=IGVResponse)
def get_significant_single_tissue_eqtls_by_location(
    store: DatasetStoreDep,
    tissueSiteDetailId: Annotated[str, Query(description="Tissue ID or ontology ID")],
    start: Annotated[int, Query(ge=0, le=250_000_000)],
    end: Annotated[int, Query(ge=0, le=250_000_000)],
    chromosome: Annotated[Chromosome, Query()],
) -> dict[str, Any]:
    """Significant eQTLs of one tissue in a region (not paged; at most 2 Mb)."""
    if start > end:
        raise HTTPException(400, f"start ({start}) must not be greater than end ({end}).")
    if end - start > MAX_REGION:
        raise HTTPException(400, f"region longer than {MAX_REGION} bp.")
    rows = store.eqtls_by_location(tissueSiteDetailId, str(chromosome), start, end)
    return {"datasetId": store.dataset_id, "singleTissueEqtl": rows}


@router.get("/independentEqtl", response_model=PaginatedResponse[IndependentEqtl])
def get_independent_eqtl(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[list[str], Query(min_length=1, max_length=60_000)],
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Conditionally independent eQTLs (forward-backward stepwise regression) of genes."""
    page = store.independent_eqtls(gencodeId, tissueSiteDetailId, page=paging.page,
                                   items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/singleTissueSqtl", response_model=PaginatedResponse[SingleTissueSqtl])
def get_significant_single_tissue_sqtls(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[list[str] | None, Query(min_length=1, max_length=60_000)] = None,
    variantId: Annotated[list[str] | None, Query(
        max_length=60_000, description="GTEx variant IDs or dbSNP rsIDs")] = None,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Significant sQTL pairs (variant x intron) by gene, variant and tissue."""
    page = store.single_tissue_sqtls(gene_ids=gencodeId, variant_ids=variantId,
                                     tissues=tissueSiteDetailId, page=paging.page,
                                     items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/sgene", response_model=PaginatedResponse[SGene])
def get_sqtl_genes(
    store: DatasetStoreDep,
    paging: PagingDep,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """sGenes (q-value <= 0.05) with their top intron and variant statistics."""
    page = store.sgenes(tissueSiteDetailId, page=paging.page,
                        items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/metasoft", response_model=PaginatedResponse[MetaSoft])
def get_multi_tissue_eqtls(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[str, Query(min_length=1, max_length=200)],
    variantId: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Multi-tissue (METASOFT) results: meta p and per-tissue m-value, p, SE and NES."""
    page = store.metasoft(gencodeId, variant_id=variantId, page=paging.page,
                          items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/fineMapping", response_model=PaginatedResponse[FineMapping])
def get_fine_mapping(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[list[str], Query(min_length=1, max_length=60_000)],
    variantId: Annotated[str | None, Query(max_length=200)] = None,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Fine-mapped credible-set members (PIP, set ID and size) of genes."""
    page = store.fine_mapping(gencodeId, variant_id=variantId, tissues=tissueSiteDetailId,
                              page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)
