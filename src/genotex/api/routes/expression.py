"""``/api/v2/expression/*``: per-sample and median TPM, top expressed genes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from genotex.api.deps import DatasetStoreDep
from genotex.api.models import (
    DonorAttribute,
    GeneExpression,
    MedianGeneExpression,
    PaginatedResponse,
    TopExpressedGenes,
)
from genotex.api.paging import Paging, envelope, paging

router = APIRouter(prefix="/api/v2/expression", tags=["Expression Data"])

PagingDep = Annotated[Paging, Depends(paging)]
GencodeIds = Annotated[list[str], Query(
    min_length=1, max_length=60_000,
    description="A list of versioned GENCODE IDs, e.g. ENSG00000065613.9 (repeat the key)")]
TissueIds = Annotated[list[str] | None, Query(
    max_length=1_000, description="Tissue IDs (tissueSiteDetailId) or ontology IDs")]


@router.get("/medianGeneExpression", response_model=PaginatedResponse[MedianGeneExpression])
def get_median_gene_expression(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: GencodeIds,
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Median TPM of genes in tissues."""
    page = store.median_expression(gencodeId, tissueSiteDetailId, page=paging.page,
                                   items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/geneExpression", response_model=PaginatedResponse[GeneExpression])
def get_gene_expression(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: GencodeIds,
    tissueSiteDetailId: TissueIds = None,
    attributeSubset: Annotated[DonorAttribute | None, Query(
        description="Donor attribute to subset data by")] = None,
) -> dict[str, Any]:
    """Per-sample TPM of genes, one record per gene x tissue (x sex or age bracket)."""
    subset = None if attributeSubset is None else str(attributeSubset)
    page = store.gene_expression(gencodeId, tissueSiteDetailId, subset=subset,
                                 page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/topExpressedGene", response_model=PaginatedResponse[TopExpressedGenes])
def get_top_expressed_genes(
    store: DatasetStoreDep,
    paging: PagingDep,
    tissueSiteDetailId: Annotated[str, Query(
        description="Tissue ID (tissueSiteDetailId) or ontology ID")],
    filterMtGene: Annotated[bool, Query(description="exclude mt genes")] = True,
) -> dict[str, Any]:
    """Genes of one tissue by median TPM, highest first."""
    page = store.top_expressed_genes(tissueSiteDetailId, filter_mt=filterMtGene,
                                     page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)
