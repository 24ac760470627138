"""``/api/v2/reference/*``: genes by ID or symbol, gene search, genes near a position."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from genotex.api.deps import StoreDep
from genotex.api.models import (
    Chromosome,
    Feature,
    GencodeVersion,
    Gene,
    GenomeBuild,
    NeighborGene,
    PaginatedResponse,
)
from genotex.api.paging import Paging, envelope, paging

router = APIRouter(prefix="/api/v2/reference", tags=["Reference Genome"])

PagingDep = Annotated[Paging, Depends(paging)]
GencodeDep = Annotated[GencodeVersion, Query(description="GENCODE annotation release.")]
BuildDep = Annotated[GenomeBuild, Query()]


@router.get("/gene", response_model=PaginatedResponse[Gene])
def get_genes(
    store: StoreDep,
    paging: PagingDep,
    geneId: Annotated[list[str], Query(min_length=1, max_length=60_000,
                                       description="A gene symbol, versioned gencodeId, or "
                                                   "unversioned gencodeId.")],
    gencodeVersion: GencodeDep = GencodeVersion.v26,
    genomeBuild: BuildDep = GenomeBuild.grch38,
) -> dict[str, Any]:
    """Genes by symbol, versioned or unversioned GENCODE ID (repeat ``geneId`` for several)."""
    page = store.genes(geneId, page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/geneSearch", response_model=PaginatedResponse[Gene])
def get_gene_search(
    store: StoreDep,
    paging: PagingDep,
    geneId: Annotated[str, Query(min_length=1, description="Start of a gene symbol or "
                                 "GENCODE ID (case-insensitive).")],
    gencodeVersion: GencodeDep = GencodeVersion.v26,
    genomeBuild: BuildDep = GenomeBuild.grch38,
) -> dict[str, Any]:
    """Genes whose symbol or GENCODE ID starts with ``geneId``."""
    page = store.gene_search(geneId, page=paging.page, items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/neighborGene", response_model=PaginatedResponse[NeighborGene])
def get_neighbor_gene(
    store: StoreDep,
    paging: PagingDep,
    pos: Annotated[int, Query(ge=0, le=248_945_542)],
    chromosome: Annotated[Chromosome, Query()],
    bp_window: Annotated[int, Query(ge=0, le=248_936_581)],
    gencodeVersion: GencodeDep = GencodeVersion.v26,
    genomeBuild: BuildDep = GenomeBuild.grch38,
) -> dict[str, Any]:
    """Genes overlapping ``pos ± bp_window`` on ``chromosome``."""
    page = store.neighbor_genes(str(chromosome), pos, bp_window, page=paging.page,
                                items_per_page=paging.items_per_page)
    return envelope(page, paging)


@router.get("/features/{featureId}", response_model=Feature)
def get_genomic_features(
    store: StoreDep,
    featureId: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.\-]+$",
                                   description="Gene symbol, GENCODE ID, rsID or variant ID")],
    datasetId: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """The gene(s) or variant(s) a name refers to, with the genome assembly."""
    assembly = "HG38" if "38" in store.genome_build else "HG19"
    return {"features": store.feature(featureId), "assembly": assembly}
