"""Pydantic models of the GTEx Portal API v2 responses: same field names, order and types.

Field names are the API's own (camelCase), in the order of GTEx's OpenAPI spec
(``openapi_v2.json``, ``components.schemas``) and of the live responses recorded by gtexr.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from genotex.schema import AGE_BRACKETS, CHROMOSOMES

T = TypeVar("T")

# --- enums of query parameters (GTEx spec components.schemas) -----------------------------------

Chromosome = StrEnum("Chromosome", {c: c for c in sorted(CHROMOSOMES)})  # type: ignore[misc]
DonorAgeBracket = StrEnum("DonorAgeBracket", {a: a for a in AGE_BRACKETS})  # type: ignore[misc]


class GencodeVersion(StrEnum):
    v39 = "v39"
    v26 = "v26"
    v19 = "v19"


class GenomeBuild(StrEnum):
    grch38 = "GRCh38/hg38"
    grch37 = "GRCh37/hg19"


class DonorSex(StrEnum):
    male = "male"
    female = "female"


class HardyScale(StrEnum):
    ventilator = "Ventilator case"
    violent = "Fast death - violent"
    natural = "Fast death - natural causes"
    intermediate = "Intermediate death"
    slow = "Slow death"


class DonorAttribute(StrEnum):
    sex = "sex"
    age_bracket = "ageBracket"


class SortDirection(StrEnum):
    asc = "asc"
    desc = "desc"


class VariantSortBy(StrEnum):
    pos = "pos"


class SampleSortBy(StrEnum):
    sampleId = "sampleId"
    ischemicTime = "ischemicTime"
    aliquotId = "aliquotId"
    tissueSampleId = "tissueSampleId"
    hardyScale = "hardyScale"
    pathologyNotes = "pathologyNotes"
    ageBracket = "ageBracket"
    tissueSiteDetailId = "tissueSiteDetailId"
    sex = "sex"


class OrganizationName(StrEnum):
    gtex = "GTEx Consortium"
    kids_first = "Kid's First"


# --- envelope ------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PaginationInfo(_Model):
    numberOfPages: int
    page: int
    maxItemsPerPage: int
    totalNumberOfItems: int


class PaginatedResponse(_Model, Generic[T]):
    """``{"data": [...], "paging_info": {...}}``, the envelope of GTEx list endpoints."""

    data: list[T]
    paging_info: PaginationInfo


# --- service ------------------------------------------------------------------------------------


class Organization(_Model):
    name: str
    url: str


class ServiceInfo(_Model):
    id: str
    name: str
    version: str
    organization: Organization
    description: str | None
    contactUrl: str | None
    documentationUrl: str | None
    environment: str | None


# --- reference ----------------------------------------------------------------------------------


class Gene(_Model):
    chromosome: str
    dataSource: str
    description: str | None
    end: int
    entrezGeneId: int | None
    gencodeId: str
    gencodeVersion: str
    geneStatus: str
    geneSymbol: str
    geneSymbolUpper: str
    geneType: str
    genomeBuild: str
    start: int
    strand: str
    tss: int


class NeighborGene(_Model):
    """Gene without ``entrezGeneId``: live GTEx ``neighborGene`` answers omit it (gtexr tests)."""

    chromosome: str
    dataSource: str
    description: str | None
    end: int
    gencodeId: str
    gencodeVersion: str
    geneStatus: str
    geneSymbol: str
    geneSymbolUpper: str
    geneType: str
    genomeBuild: str
    start: int
    strand: str
    tss: int


# --- dataset ------------------------------------------------------------------------------------


class AgeAndCountSummary(_Model):
    ageMax: int | None = None
    ageMin: int | None = None
    ageMean: float | None = None
    count: int


class SexBasedSummary(_Model):
    totalCount: int
    female: AgeAndCountSummary
    male: AgeAndCountSummary


class TissueSiteDetail(_Model):
    tissueSiteDetailId: str
    colorHex: str
    colorRgb: str
    datasetId: str
    eGeneCount: int | None
    expressedGeneCount: int | None
    hasEGenes: bool
    hasSGenes: bool
    mappedInHubmap: bool
    eqtlSampleSummary: SexBasedSummary
    rnaSeqSampleSummary: SexBasedSummary
    sGeneCount: int | None
    samplingSite: str
    tissueSite: str
    tissueSiteDetail: str
    tissueSiteDetailAbbr: str
    ontologyId: str
    ontologyIri: str


class DatasetSample(_Model):
    ischemicTime: int | None
    aliquotId: str
    tissueSampleId: str
    tissueSiteDetail: str | None
    dataType: str | None
    ischemicTimeGroup: str | None
    pathologyNotesCategories: dict[str, bool] = Field(default_factory=dict)
    freezeType: str
    pathologyNotes: str | None
    sampleId: str
    sampleIdUpper: str
    ageBracket: str | None
    rin: float | None
    hardyScale: str | None
    tissueSiteDetailId: str
    subjectId: str
    uberonId: str | None
    sex: str | None
    autolysisScore: str | None
    datasetId: str


class Subject(_Model):
    hardyScale: str | None
    ageBracket: str
    subjectId: str
    sex: str
    datasetId: str


class Variant(_Model):
    snpId: str
    b37VariantId: str
    pos: int
    maf01: bool
    variantId: str
    alt: str
    chromosome: str
    snpIdUpper: str
    datasetId: str
    ref: str


class Dataset(_Model):
    datasetId: str
    dbSnpBuild: int
    dbgapId: str | None
    description: str
    displayName: str
    eqtlSubjectCount: int
    eqtlTissuesCount: int
    gencodeVersion: str
    genomeBuild: str
    organization: str
    rnaSeqAndGenotypeSampleCount: int
    rnaSeqSampleCount: int
    subjectCount: int
    tissueCount: int


# --- expression ---------------------------------------------------------------------------------


class MedianGeneExpression(_Model):
    median: float
    tissueSiteDetailId: str
    ontologyId: str | None
    datasetId: str
    gencodeId: str
    geneSymbol: str
    unit: str


class GeneExpression(_Model):
    data: list[float]
    tissueSiteDetailId: str
    ontologyId: str | None
    datasetId: str
    gencodeId: str
    geneSymbol: str
    unit: str
    subsetGroup: str | None


class TopExpressedGenes(_Model):
    tissueSiteDetailId: str
    ontologyId: str | None
    datasetId: str
    gencodeId: str
    geneSymbol: str
    median: float
    unit: str


# --- association --------------------------------------------------------------------------------


class EqtlGene(_Model):
    tissueSiteDetailId: str
    ontologyId: str | None
    datasetId: str
    empiricalPValue: float
    gencodeId: str
    geneSymbol: str
    log2AllelicFoldChange: float | None
    pValue: float
    pValueThreshold: float
    qValue: float


class SingleTissueEqtl(_Model):
    snpId: str | None
    pos: int | None
    snpIdUpper: str | None
    variantId: str
    geneSymbol: str
    pValue: float
    geneSymbolUpper: str
    datasetId: str
    tissueSiteDetailId: str
    ontologyId: str | None
    chromosome: str
    gencodeId: str
    nes: float


# --- more association / dataset / expression (second part of issue 5) ----------------------------


class AvailableProjects(StrEnum):
    gtex = "gtex"
    adult_gtex = "adult-gtex"
    egtex = "egtex"


class IndependentEqtl(_Model):
    gencodeId: str
    geneSymbol: str
    variantId: str
    snpId: str | None
    tissueSiteDetailId: str
    ontologyId: str | None
    rank: int
    tssDistance: int
    maf: float
    pValue: float
    nes: float
    chromosome: str
    pos: int
    datasetId: str


class SingleTissueSqtl(SingleTissueEqtl):
    phenotypeId: str


class SGene(_Model):
    nPhenotypes: int
    pValueThreshold: float
    phenotypeId: str
    geneSymbol: str
    pValue: float
    datasetId: str
    empiricalPValue: float
    tissueSiteDetailId: str
    ontologyId: str | None
    qValue: float
    gencodeId: str


class MetaSoftTissue(_Model):
    mValue: float | None
    pValue: float | None
    se: float | None
    nes: float | None


class MetaSoft(_Model):
    gencodeId: str
    datasetId: str
    metaP: float | None
    variantId: str
    tissues: dict[str, MetaSoftTissue]


class FineMapping(_Model):
    datasetId: str
    gencodeId: str
    method: str
    pip: float
    setId: int
    setSize: int
    tissueSiteDetailId: str
    ontologyId: str | None
    variantId: str


class IgvEqtl(_Model):
    chromosome: str
    datasetId: str
    gencodeId: str
    geneSymbol: str
    geneSymbolUpper: str
    nes: float
    pValue: float
    pos: int
    snpId: str | None
    tissueSiteDetailId: str
    variantId: str


class IGVResponse(_Model):
    datasetId: str
    singleTissueEqtl: list[IgvEqtl]


class Eqtl(_Model):
    """``association/dyneqtl``; ``data``/``genotypes`` are empty without a controlled token."""

    data: list[float]
    error: float | None
    gencodeId: str
    geneSymbol: str
    genotypes: list[int]
    hetCount: int
    homoAltCount: int
    homoRefCount: int
    maf: float
    nes: float | None
    pValue: float | None
    pValueThreshold: float | None
    tStatistic: float | None
    tissueSiteDetailId: str
    variantId: str


class Sqtl(_Model):
    data: list[float]
    error: float | None
    genotypes: list[int]
    hetCount: int
    homoAltCount: int
    homoRefCount: int
    maf: float
    nes: float | None
    pValue: float | None
    pValueThreshold: float | None
    phenotypeId: str
    tStatistic: float | None
    tissueSiteDetailId: str
    variantId: str


class DynamicEqtlBody(_Model):
    variantId: str = Field(max_length=200)
    gencodeId: str = Field(max_length=200)
    tissueSiteDetailId: str = Field(max_length=200)


class PostEqtl(_Model):
    datasetId: str
    error: float | str | None
    gencodeId: str
    geneSymbol: str | None
    message: str | None
    nes: float | str | None
    pValue: float | str | None
    pValueThreshold: float | str | None
    snpId: str | None
    tStatistic: float | str | None
    tissueSiteDetailId: str
    variantId: str


class PostEqtlError(_Model):
    errorMessage: str
    variantId: str | None
    gencodeId: str | None
    tissueSiteDetailId: str | None


class PostDynamicEqtlResult(_Model):
    data: list[PostEqtl]
    errors: list[PostEqtlError]


class ClusteredMedianGeneExpression(_Model):
    clusters: dict[str, str] | None
    medianGeneExpression: list[MedianGeneExpression]


class ExpressionPCA(_Model):
    pc1: float
    pc2: float
    pc3: float
    sampleId: str
    tissueSiteDetailId: str
    ontologyId: str | None
    datasetId: str


class Feature(_Model):
    features: list[dict[str, object]]
    assembly: str


class OpenAccessFile(_Model):
    displayName: str
    description: str
    fileSize: int
    url: str
    order: int
    parent: str


class OpenAccessFolderChildren(_Model):
    files: list[OpenAccessFile]
    folders: list[OpenAccessFolder]


class OpenAccessFolder(_Model):
    name: str
    displayName: str
    description: str
    order: int
    parent: str
    children: OpenAccessFolderChildren


class OpenAccessFilesMetadata(_Model):
    data: list[OpenAccessFolder]


class File(_Model):
    name: str
    subpath: str
    dbgapId: str
    dataset: str
    release: str
    order: int
    type: str
    id: str
    description: str
    filesets: list[dict[str, object]]


class NominalPair(_Model):
    """genotex's own: one tested cis pair (what the eQTL Catalogue serves, GTEx does not)."""

    tissueSiteDetailId: str
    gencodeId: str
    geneSymbol: str
    variantId: str
    snpId: str | None
    chromosome: str
    pos: int | None
    tssDistance: int | None
    maf: float | None
    maSamples: int | None
    maCount: int | None
    pValue: float
    nes: float
    nesSe: float | None
    datasetId: str


class SampleExpression(_Model):
    """genotex's own, controlled: TPM of one gene in one sample, with its donor."""

    gencodeId: str
    sampleId: str
    subjectId: str
    tissueSiteDetailId: str
    tpm: float
    datasetId: str


OpenAccessFolderChildren.model_rebuild()
