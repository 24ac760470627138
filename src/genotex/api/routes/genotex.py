"""``/api/genotex/v1/*``: what genotex serves beyond GTEx.

* ``nominalPairs``: every tested cis pair (significant or not) by gene, variant (GTEx ID or
  rsID) or region, as the eQTL Catalogue serves summary statistics; a region is at most 2 Mb.
* ``sampleExpression``: per-sample TPM with sample and donor IDs (controlled: needs a bearer
  token, 401 without).
* ``dyneqtlSummary``: the eQTL calculator's open view: ``dyneqtl``'s statistics plus, per
  genotype class (0/1/2 ALT alleles), the count and the quartiles of the normalized expression
  (aggregates only; classes with fewer than 3 samples give counts alone).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query

from genotex.api.access import RequireControlledDep
from genotex.api.analysis import dynamic_qtl
from genotex.api.deps import DatasetStoreDep
from genotex.api.models import Chromosome, NominalPair, PaginatedResponse, SampleExpression
from genotex.api.paging import Paging, envelope, paging
from genotex.store.more_queries import MAX_REGION

router = APIRouter(prefix="/api/genotex/v1", tags=["genotex"])

PagingDep = Annotated[Paging, Depends(paging)]
Ids = Annotated[list[str] | None, Query(min_length=1, max_length=1_000)]


@router.get("/nominalPairs", response_model=PaginatedResponse[NominalPair])
def get_nominal_pairs(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Ids = None,
    variantId: Annotated[list[str] | None, Query(
        min_length=1, max_length=1_000, description="GTEx variant IDs or dbSNP rsIDs")] = None,
    chromosome: Annotated[Chromosome | None, Query()] = None,
    start: Annotated[int | None, Query(ge=0, le=250_000_000)] = None,
    end: Annotated[int | None, Query(ge=0, le=250_000_000)] = None,
    tissueSiteDetailId: Annotated[list[str] | None, Query(max_length=1_000)] = None,
) -> dict[str, Any]:
    """All cis pairs by gene, variant or region (give at least one of them)."""
    region = None
    if chromosome is not None or start is not None or end is not None:
        if chromosome is None or start is None or end is None:
            raise HTTPException(400, "A region needs chromosome, start and end.")
        if start > end or end - start > MAX_REGION:
            raise HTTPException(400, f"start must be <= end and the region at most "
                                     f"{MAX_REGION} bp.")
        region = (str(chromosome), start, end)
    if gencodeId is None and variantId is None and region is None:
        raise HTTPException(400, "Provide gencodeId, variantId, or chromosome+start+end.")
    page = store.nominal_pairs(gene_ids=gencodeId, variant_ids=variantId, region=region,
                               tissues=tissueSiteDetailId, page=paging.page,
                               items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/sampleExpression", response_model=PaginatedResponse[SampleExpression])
def get_sample_expression(
    store: DatasetStoreDep,
    paging: PagingDep,
    granted: RequireControlledDep,
    gencodeId: Annotated[list[str], Query(min_length=1, max_length=1_000)],
    tissueSiteDetailId: Annotated[list[str] | None, Query(max_length=1_000)] = None,
) -> dict[str, Any]:
    """Per-sample TPM with sample and donor IDs (controlled access)."""
    page = store.sample_expression(gencodeId, tissueSiteDetailId, page=paging.page,
                                   items_per_page=paging.items_per_page)
    return envelope(page, paging)


#: Smallest genotype class whose quartiles are shown (smaller ones give their count only).
MIN_CLASS_SIZE = 3


@router.get("/dyneqtlSummary")
def get_dyneqtl_summary(
    store: DatasetStoreDep,
    tissueSiteDetailId: Annotated[str, Query(min_length=1, max_length=200)],
    gencodeId: Annotated[str, Query(min_length=1, max_length=200)],
    variantId: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """The eQTL calculator without individual-level data: NES, p and, per genotype class,
    the sample count and the quartiles (q1, median, q3) of the normalized expression."""
    tissues = store.resolve_tissues([tissueSiteDetailId])
    variant_id = store.resolve_variant(variantId)
    inputs = (store.qtl_inputs(tissues[0], gencodeId, variant_id)
              if tissues and variant_id else None)
    if inputs is None:
        raise HTTPException(400, f"no per-sample data for gencodeId '{gencodeId}', variantId "
                                 f"'{variantId}' and tissue '{tissueSiteDetailId}' in dataset "
                                 f"'{store.dataset_id}'")
    r = dynamic_qtl(inputs.phenotype, inputs.dosages, inputs.covariates)
    values = np.asarray(inputs.phenotype, dtype=np.float64)
    groups = []
    for g in (0, 1, 2):
        x = values[r.genotypes == g]
        q = (np.quantile(x, [0.25, 0.5, 0.75]).tolist() if x.size >= MIN_CLASS_SIZE
             else [None, None, None])
        groups.append({"genotype": g, "count": int(x.size), "q1": q[0], "median": q[1],
                       "q3": q[2]})
    return {"datasetId": store.dataset_id, "tissueSiteDetailId": tissues[0] if tissues else "",
            "gencodeId": gencodeId, "variantId": variant_id, "nes": r.nes, "error": r.error,
            "pValue": r.p_value, "tStatistic": r.t_statistic, "maf": r.maf,
            "minClassSize": MIN_CLASS_SIZE, "genotypeGroups": groups}
