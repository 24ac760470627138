"""``/api/v2/association/dyneqtl`` (GET and bulk POST) and ``dynsqtl``: QTL tests on request.

Design: a release stores what the tests need, once, at build time
(:mod:`genotex.pipeline.release`): each tissue's normalized phenotypes and covariates as mapped
(``qtl_phenotypes``, ``qtl_covariates``) and the dosages of each gene's lead variants
(``dosages``, the variants of the ``ld`` table). A test regresses the phenotype on the dosages
with the covariates through :func:`genotex.qtl.associate`, the pipeline's own kernel, so the
numbers equal the mapped ones. Variants without stored dosages answer 400.

Access: the statistics are open; the per-sample arrays ``data`` (normalized expression) and
``genotypes`` are individual-level and filled only for a granted bearer token
(:mod:`genotex.api.access`); without one they are empty lists.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError

from genotex.api.access import ControlledDep
from genotex.api.analysis import DynamicQtl, dynamic_qtl
from genotex.api.deps import DatasetStoreDep
from genotex.api.models import DynamicEqtlBody, Eqtl, PostDynamicEqtlResult, Sqtl
from genotex.store import Store

router = APIRouter(prefix="/api/v2/association", tags=["Dynamic Association"])

TissueParam = Annotated[str, Query(max_length=200, description="Tissue ID or ontology ID")]
IdParam = Annotated[str, Query(min_length=1, max_length=200)]


class _Failure(Exception):
    """A test that cannot run; ``message`` is GTEx's 400 ``detail``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _run(store: Store, tissue: str, phenotype_id: str, variant: str, *, kind: str
         ) -> tuple[str, str, DynamicQtl, float | None]:
    tissues = store.resolve_tissues([tissue])
    if not tissues:
        raise _Failure(f"tissueSiteDetailId '{tissue}' not found in dataset "
                       f"'{store.dataset_id}'")
    variant_id = store.resolve_variant(variant)
    if variant_id is None:
        raise _Failure(f"variantId '{variant}' not found in dataset '{store.dataset_id}'")
    inputs = store.qtl_inputs(tissues[0], phenotype_id, variant_id)
    if inputs is None:
        what = "gencodeId" if kind == "eqtl" else "phenotypeId"
        raise _Failure(f"no per-sample data for {what} '{phenotype_id}' and variantId "
                       f"'{variant_id}' in tissue '{tissues[0]}' of dataset "
                       f"'{store.dataset_id}' (dosages are stored for lead variants only)")
    result = dynamic_qtl(inputs.phenotype, inputs.dosages, inputs.covariates)
    threshold, _significant = store.egene_threshold(
        tissues[0], phenotype_id, table="egenes" if kind == "eqtl" else "sgenes")
    return tissues[0], variant_id, result, threshold


def _gene_symbol(store: Store, gene_id: str) -> str:
    rows = store.genes([gene_id], items_per_page=1).rows
    return str(rows[0]["geneSymbol"]) if rows else ""


def _arrays(result: DynamicQtl, phenotype: list[float], granted: bool) -> dict[str, Any]:
    return {"data": phenotype if granted else [],
            "genotypes": result.genotypes.tolist() if granted else []}


@router.get("/dyneqtl", response_model=Eqtl)
def calculate_expression_quantitative_trait_loci(
    store: DatasetStoreDep,
    granted: ControlledDep,
    tissueSiteDetailId: TissueParam,
    gencodeId: IdParam,
    variantId: Annotated[str, Query(min_length=1, max_length=200,
                                    description="GTEx variant ID or dbSNP rsID")],
) -> dict[str, Any]:
    """Test one gene-variant pair in one tissue (per-sample arrays need a bearer token)."""
    try:
        tissue, variant_id, r, threshold = _run(store, tissueSiteDetailId, gencodeId,
                                                variantId, kind="eqtl")
    except _Failure as exc:
        raise HTTPException(400, exc.message) from None
    phenotype = store.qtl_inputs(tissue, gencodeId, variant_id)
    arrays = _arrays(r, phenotype.phenotype.tolist() if phenotype else [], granted)
    return {"data": arrays["data"], "error": r.error, "gencodeId": gencodeId,
            "geneSymbol": _gene_symbol(store, gencodeId), "genotypes": arrays["genotypes"],
            "hetCount": r.het, "homoAltCount": r.hom_alt, "homoRefCount": r.hom_ref,
            "maf": r.maf, "nes": r.nes, "pValue": r.p_value, "pValueThreshold": threshold,
            "tStatistic": r.t_statistic, "tissueSiteDetailId": tissue, "variantId": variant_id}


@router.post("/dyneqtl", response_model=PostDynamicEqtlResult)
def calculate_expression_quantitative_trait_loci_bulk(
    request: Request,
    store: DatasetStoreDep,
    body: Annotated[list[DynamicEqtlBody], Body(min_length=1)],
) -> dict[str, Any]:
    """Test many gene-variant-tissue triples (statistics only; at most
    ``Settings.api_max_body_items`` per request)."""
    limit = request.app.state.settings.api_max_body_items
    if len(body) > limit:
        raise RequestValidationError([{
            "type": "too_long", "loc": ("body",), "msg": f"at most {limit} items",
            "input": None, "ctx": {"max_length": limit}}])
    data, errors = [], []
    for item in body:
        try:
            tissue, variant_id, r, threshold = _run(
                store, item.tissueSiteDetailId, item.gencodeId, item.variantId, kind="eqtl")
        except _Failure as exc:
            errors.append({"errorMessage": exc.message, "variantId": item.variantId,
                           "gencodeId": item.gencodeId,
                           "tissueSiteDetailId": item.tissueSiteDetailId})
            continue
        snp = store.variants(variant_id=variant_id, items_per_page=1).rows
        data.append({
            "datasetId": store.dataset_id, "error": r.error, "gencodeId": item.gencodeId,
            "geneSymbol": _gene_symbol(store, item.gencodeId), "message": None,
            "nes": r.nes, "pValue": r.p_value, "pValueThreshold": threshold,
            "snpId": (snp[0]["snpId"] or None) if snp else None, "tStatistic": r.t_statistic,
            "tissueSiteDetailId": tissue, "variantId": variant_id})
    return {"data": data, "errors": errors}


@router.get("/dynsqtl", response_model=Sqtl)
def calculate_splicing_quantitative_trait_loci(
    store: DatasetStoreDep,
    granted: ControlledDep,
    tissueSiteDetailId: TissueParam,
    phenotypeId: IdParam,
    variantId: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """Test one intron-variant pair in one tissue (per-sample arrays need a bearer token)."""
    try:
        tissue, variant_id, r, threshold = _run(store, tissueSiteDetailId, phenotypeId,
                                                variantId, kind="sqtl")
    except _Failure as exc:
        raise HTTPException(400, exc.message) from None
    phenotype = store.qtl_inputs(tissue, phenotypeId, variant_id)
    arrays = _arrays(r, phenotype.phenotype.tolist() if phenotype else [], granted)
    return {"data": arrays["data"], "error": r.error, "genotypes": arrays["genotypes"],
            "hetCount": r.het, "homoAltCount": r.hom_alt, "homoRefCount": r.hom_ref,
            "maf": r.maf, "nes": r.nes, "pValue": r.p_value, "pValueThreshold": threshold,
            "phenotypeId": phenotypeId, "tStatistic": r.t_statistic,
            "tissueSiteDetailId": tissue, "variantId": variant_id}
