"""``/api/v2/dataset/*`` and ``/api/v2/metadata/dataset``: tissues, samples, donors, variants."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse

from genotex.api.deps import GTEX_DATASET_ALIASES, DatasetStoreDep, StoreDep
from genotex.api.models import (
    AvailableProjects,
    Chromosome,
    Dataset,
    DatasetSample,
    DonorAgeBracket,
    DonorSex,
    File,
    HardyScale,
    OpenAccessFilesMetadata,
    PaginatedResponse,
    SampleSortBy,
    SortDirection,
    Subject,
    TissueSiteDetail,
    Variant,
    VariantSortBy,
)
from genotex.api.paging import Paging, envelope, paging
from genotex.store import Page, Store
from genotex.store.tables import CONTROLLED_TABLES

router = APIRouter(tags=["Datasets"])

PagingDep = Annotated[Paging, Depends(paging)]
StrList = Annotated[list[str] | None, Query(max_length=60_000)]


def _values(values: list[Any] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


@router.get("/api/v2/dataset/tissueSiteDetail", response_model=PaginatedResponse[TissueSiteDetail])
def get_tissue_site_detail(store: DatasetStoreDep, paging: PagingDep) -> dict[str, Any]:
    """Every tissue of the release with colours, ontology IDs, eGene counts, sample summaries."""
    return envelope(store.tissues(page=paging.page, items_per_page=paging.items_per_page), paging)


@router.get("/api/v2/dataset/sample", response_model=PaginatedResponse[DatasetSample])
def get_sample(
    store: DatasetStoreDep,
    paging: PagingDep,
    sampleId: StrList = None,
    tissueSampleId: StrList = None,
    subjectId: StrList = None,
    ageBracket: Annotated[list[DonorAgeBracket] | None, Query()] = None,
    sex: Annotated[DonorSex | None, Query()] = None,
    tissueSiteDetailId: StrList = None,
    aliquotId: StrList = None,
    autolysisScore: StrList = None,
    hardyScale: Annotated[list[HardyScale] | None, Query()] = None,
    uberonId: StrList = None,
    dataType: StrList = None,
    sortBy: Annotated[SampleSortBy, Query()] = SampleSortBy.sampleId,
    sortDirection: Annotated[SortDirection, Query()] = SortDirection.asc,
) -> dict[str, Any]:
    """RNA-seq samples with donor and tissue attributes; list filters as repeated keys."""
    filters = {
        "sampleId": sampleId, "tissueSampleId": tissueSampleId, "subjectId": subjectId,
        "ageBracket": _values(ageBracket), "sex": None if sex is None else [str(sex)],
        "tissueSiteDetailId": store.resolve_tissues(tissueSiteDetailId),
        "aliquotId": aliquotId, "autolysisScore": autolysisScore,
        "hardyScale": _values(hardyScale), "uberonId": uberonId, "dataType": dataType,
    }
    page = store.samples(filters=filters, sort_by=str(sortBy),
                         descending=sortDirection == SortDirection.desc,
                         page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/api/v2/dataset/subject", response_model=PaginatedResponse[Subject])
def get_subject(
    store: DatasetStoreDep,
    paging: PagingDep,
    sex: Annotated[DonorSex | None, Query()] = None,
    ageBracket: Annotated[list[DonorAgeBracket] | None, Query()] = None,
    hardyScale: Annotated[HardyScale | None, Query()] = None,
    subjectId: StrList = None,
) -> dict[str, Any]:
    """Donors (subjects) with sex, age bracket and Hardy scale."""
    filters = {
        "sex": None if sex is None else [str(sex)], "ageBracket": _values(ageBracket),
        "hardyScale": None if hardyScale is None else [str(hardyScale)], "subjectId": subjectId,
    }
    page = store.subjects(filters=filters, page=paging.page,
                          items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/api/v2/dataset/variant", response_model=PaginatedResponse[Variant])
def get_variant(
    store: DatasetStoreDep,
    paging: PagingDep,
    snpId: Annotated[str | None, Query(min_length=1)] = None,
    variantId: Annotated[str | None, Query()] = None,
    chromosome: Annotated[Chromosome | None, Query()] = None,
    pos: Annotated[list[int] | None, Query(max_length=60_000)] = None,
) -> dict[str, Any]:
    """Variants by GTEx variant ID, dbSNP rsID, or chromosome + positions."""
    if snpId is None and variantId is None and (chromosome is None or not pos):
        raise HTTPException(400, "Provide snpId, variantId, or chromosome and pos.")
    page = store.variants(
        variant_id=variantId, snp_id=snpId,
        chrom=None if chromosome is None else str(chromosome), positions=pos,
        page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/api/v2/dataset/variantByLocation", response_model=PaginatedResponse[Variant])
def get_variant_by_location(
    store: DatasetStoreDep,
    paging: PagingDep,
    start: Annotated[int, Query(ge=0, le=250_000_000)],
    end: Annotated[int, Query(ge=0, le=250_000_000)],
    chromosome: Annotated[Chromosome, Query()],
    sortBy: Annotated[VariantSortBy, Query()] = VariantSortBy.pos,
    sortDirection: Annotated[SortDirection, Query()] = SortDirection.asc,
) -> dict[str, Any]:
    """Variants with ``start <= pos <= end`` on ``chromosome``."""
    if start > end:
        raise HTTPException(400, f"start ({start}) must not be greater than end ({end}).")
    page = store.variants_by_location(
        str(chromosome), start, end, descending=sortDirection == SortDirection.desc,
        page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/api/v2/metadata/dataset", response_model=list[Dataset], tags=["Metadata"])
def get_dataset_info(
    store: StoreDep,
    datasetId: Annotated[str | None, Query()] = None,
    organizationName: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    """The served release's facts and counts (a bare array, as GTEx returns it)."""
    info = store.dataset_info()
    if datasetId is not None and datasetId not in (store.dataset_id, *GTEX_DATASET_ALIASES):
        return []
    if organizationName is not None and str(organizationName) != info["organization"]:
        return []
    return [info]


LdPage = PaginatedResponse[list[str | float]]


@router.get("/api/v2/dataset/ld", response_model=LdPage)
def get_linkage_disequilibrium_data(
    store: DatasetStoreDep,
    paging: PagingDep,
    gencodeId: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """r² between the gene's lead variants, rows ``["variantA,variantB", r2]`` as GTEx.

    Computed at build time from the release's genotypes (bounded per gene)."""
    return envelope(store.ld(gencodeId, page=paging.page,
                             items_per_page=paging.items_per_page), paging)


@router.get("/api/v2/dataset/ldByVariant", response_model=LdPage)
def get_linkage_disequilibrium_by_variant_data(
    store: StoreDep,
    paging: PagingDep,
    variantId: Annotated[str | None, Query(max_length=200,
                                           description="GTEx variant ID or dbSNP rsID")] = None,
) -> dict[str, Any]:
    """r² of every stored pair involving one variant."""
    variant = None if variantId is None else store.resolve_variant(variantId)
    if variant is None:
        return envelope(Page([], 0), paging)
    return envelope(store.ld_by_variant(variant, page=paging.page,
                                        items_per_page=paging.items_per_page), paging)


def _download_url(store: Store, rel: str) -> str:
    return f"/downloads/{store.dataset_id}/{rel}"


@router.get("/api/v2/dataset/openAccessFilesMetadata", response_model=OpenAccessFilesMetadata)
def get_downloads_page_data(
    store: StoreDep,
    project_id: Annotated[AvailableProjects, Query()],
) -> dict[str, Any]:
    """The release's open-access downloads as GTEx's folder tree (one folder per table).

    Controlled tables (individual-level: ``CONTROLLED_TABLES``) are never listed."""
    files = [f for f in store.release_files() if f["table"] not in CONTROLLED_TABLES]
    folders: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        folders.setdefault(f["table"], []).append(f)
    children = [{
        "name": table, "displayName": table.replace("_", " ").capitalize(),
        "description": group[0]["doc"], "order": i, "parent": store.dataset_id,
        "children": {"folders": [], "files": [{
            "displayName": f["path"], "description": f"{f['rows']} rows; sha256 {f['sha256']}",
            "fileSize": f["bytes"], "url": _download_url(store, f["path"]), "order": j,
            "parent": table} for j, f in enumerate(group)]},
    } for i, (table, group) in enumerate(sorted(folders.items()))]
    root = {"name": store.dataset_id,
            "displayName": str(store.metadata.get("display_name", store.dataset_id)),
            "description": str(store.metadata.get("description", "")), "order": 0,
            "parent": str(project_id), "children": {"files": [], "folders": children}}
    return {"data": [root]}


@router.get("/api/v2/dataset/fileList", response_model=list[File])
def get_file_list(store: StoreDep) -> list[dict[str, Any]]:
    """The release's downloadable files (a bare array, as GTEx), grouped into filesets."""
    files = [f for f in store.release_files() if f["table"] not in CONTROLLED_TABLES]
    filesets: dict[str, dict[str, Any]] = {}
    for f in files:
        entry = filesets.setdefault(f["table"], {"name": f["table"], "description": f["doc"],
                                                 "files": []})
        entry["files"].append({"name": f["path"], "url": _download_url(store, f["path"]),
                               "size": f["bytes"], "rows": f["rows"], "sha256": f["sha256"]})
    return [{"name": str(store.metadata.get("display_name", store.dataset_id)),
             "subpath": store.dataset_id, "dbgapId": str(store.metadata.get("dbgap_id") or ""),
             "dataset": store.dataset_id, "release": store.dataset_id, "order": 0,
             "type": "release", "id": store.dataset_id,
             "description": str(store.metadata.get("description", "")),
             "filesets": list(filesets.values())}]


@router.get("/downloads/{dataset_id}/{path:path}", include_in_schema=False)
def download_file(store: StoreDep, dataset_id: str, path: str) -> FileResponse:
    """One open-access file of the release; only paths listed in the manifest are served."""
    listed = {f["path"]: f for f in store.release_files()
              if f["table"] not in CONTROLLED_TABLES}
    if dataset_id != store.dataset_id or path not in listed:
        raise HTTPException(404, "No such file in this release.")
    return FileResponse(store.path / path, media_type="application/vnd.apache.parquet",
                        filename=path.replace("/", "_"))
