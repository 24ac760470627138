"""``/api/v2/expression/*``: per-sample and median TPM (clustered too), top expressed genes,
expression PCA."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from genotex.api.analysis import newick, pca3
from genotex.api.deps import DatasetStoreDep
from genotex.api.models import (
    ClusteredMedianGeneExpression,
    DonorAttribute,
    ExpressionPCA,
    GeneExpression,
    MedianGeneExpression,
    PaginatedResponse,
    TopExpressedGenes,
)
from genotex.api.paging import MAX_INLINE_KEYS, Paging, answer, envelope, paging
from genotex.store import Page, Store

router = APIRouter(prefix="/api/v2/expression", tags=["Expression Data"])

PagingDep = Annotated[Paging, Depends(paging)]
GencodeIds = Annotated[list[str], Query(
    min_length=1, max_length=60_000,
    description="A list of versioned GENCODE IDs, e.g. ENSG00000065613.9 (repeat the key)")]
TissueIds = Annotated[list[str] | None, Query(
    max_length=1_000, description="Tissue IDs (tissueSiteDetailId) or ontology IDs")]


@router.get("/medianGeneExpression", response_model=PaginatedResponse[MedianGeneExpression])
async def get_median_gene_expression(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: GencodeIds,
    tissueSiteDetailId: TissueIds = None,
) -> Response:
    """Median TPM of genes in tissues."""
    inline = (store.serving is not None and store.serving.has_median
              and len(gencodeId) <= MAX_INLINE_KEYS)
    return await answer(inline, lambda: store.median_expression(
        gencodeId, tissueSiteDetailId, page=paging.page, items_per_page=paging.items_per_page),
        paging)


@router.get("/geneExpression", response_model=PaginatedResponse[GeneExpression])
async def get_gene_expression(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: GencodeIds,
    tissueSiteDetailId: TissueIds = None,
    attributeSubset: Annotated[DonorAttribute | None, Query(
        description="Donor attribute to subset data by")] = None,
) -> Response:
    """Per-sample TPM of genes, one record per gene x tissue (x sex or age bracket)."""
    subset = None if attributeSubset is None else str(attributeSubset)
    inline = (subset is None and store.serving is not None and store.serving.has_expression
              and len(gencodeId) <= MAX_INLINE_KEYS)
    return await answer(inline, lambda: store.gene_expression(
        gencodeId, tissueSiteDetailId, subset=subset, page=paging.page,
        items_per_page=paging.items_per_page), paging)


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


#: Most genes one clustering request may hold (the distance matrix grows as the square).
MAX_CLUSTER_GENES = 2_000


@router.get("/clusteredMedianGeneExpression", response_model=ClusteredMedianGeneExpression)
def get_clustered_median_gene_expression(
    store: DatasetStoreDep,
    gencodeId: Annotated[list[str], Query(min_length=1, max_length=MAX_CLUSTER_GENES)],
    tissueSiteDetailId: TissueIds = None,
) -> dict[str, Any]:
    """Median TPM plus Newick trees of tissues and genes (average linkage, Euclidean distance
    on log10(median + 1)); ``clusters`` is null when fewer than two genes or tissues match."""
    rows = store.median_matrix(gencodeId, tissueSiteDetailId)
    clusters = None
    if rows:
        wide = (pd.DataFrame(rows).pivot_table(index="gencodeId", columns="tissueSiteDetailId",
                                               values="median", aggfunc="first").fillna(0.0))
        if wide.shape[0] >= 2 and wide.shape[1] >= 2:
            log = np.log10(wide.to_numpy() + 1.0)
            clusters = {"tissue": newick(log.T, list(wide.columns)),
                        "gene": newick(log, list(wide.index))}
    return {"clusters": clusters, "medianGeneExpression": rows}


@router.get("/expressionPca", response_model=PaginatedResponse[ExpressionPCA])
def get_expression_pca(
    store: DatasetStoreDep,
    paging: PagingDep,
    tissueSiteDetailId: Annotated[list[str], Query(min_length=1, max_length=100)],
    sampleId: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """First three PCs of each sample's log10(TPM + 1) profile within its tissue."""
    rows: list[dict[str, Any]] = []
    tissues = store.resolve_tissues(tissueSiteDetailId) or []
    ontology = {t["tissueSiteDetailId"]: t["ontologyId"]
                for t in store.tissues(items_per_page=100_000).rows}
    for tissue in tissues:
        for sample, pcs in _tissue_pca(store, tissue).items():
            if sampleId is None or sample == sampleId:
                rows.append({"pc1": pcs[0], "pc2": pcs[1], "pc3": pcs[2], "sampleId": sample,
                             "tissueSiteDetailId": tissue, "ontologyId": ontology.get(tissue),
                             "datasetId": store.dataset_id})
    start = paging.page * paging.items_per_page
    return envelope(Page(rows[start:start + paging.items_per_page], len(rows)), paging)


def _tissue_pca(store: Store, tissue: str) -> dict[str, tuple[float, float, float]]:
    """sample → (pc1, pc2, pc3) of one tissue, computed once per store and tissue."""
    cache: dict[str, dict[str, tuple[float, float, float]]] = store.__dict__.setdefault(
        "_pca_cache", {})
    if tissue not in cache:
        matrix = store.expression_matrix(tissue)
        scores = pca3(np.log10(matrix.fillna(0.0).to_numpy() + 1.0))
        cache[tissue] = {s: (float(a), float(b), float(c))
                         for s, (a, b, c) in zip(matrix.index, scores, strict=True)}
    return cache[tissue]
