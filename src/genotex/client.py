"""A Python client of the GTEx Portal API v2, for a genotex server or GTEx's own.

Each method sends one GTEx API v2 request and returns a pandas DataFrame (one row per item of
``data``), fetching every page (``page`` 0, 1, ... until ``paging_info.numberOfPages``). List
parameters travel as repeated keys (``gencodeId=A&gencodeId=B``), as GTEx expects. The same
code works against GTEx by base URL::

    from genotex.client import GTEX_BASE_URL, GtexClient
    gtex = GtexClient(GTEX_BASE_URL)                 # https://gtexportal.org (network)
    local = GtexClient("http://127.0.0.1:8000")       # `genotex serve`
    local.median_gene_expression(["ENSG00000132693.12"])

Controlled data (dyneqtl's per-sample arrays, genotex's sampleExpression) needs
``token=`` (from ``genotex auth add``), sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import pandas as pd

__all__ = ["DEFAULT_BASE_URL", "GTEX_BASE_URL", "GtexApiError", "GtexClient"]

#: A local ``genotex serve``.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
#: GTEx's own server (its API lives under https://gtexportal.org/api/v2/).
GTEX_BASE_URL = "https://gtexportal.org"
#: Items fetched per page (GTEx allows up to 100,000; smaller pages keep answers quick).
DEFAULT_PAGE_SIZE = 1_000

Params = Mapping[str, str | int | float | bool | Sequence[str] | None]


class GtexApiError(RuntimeError):
    """A non-2xx answer: ``status`` and the server's ``detail`` (GTEx's error body)."""

    def __init__(self, status: int, detail: Any, url: str) -> None:
        self.status = status
        self.detail = detail
        self.url = url
        super().__init__(f"{status} from {url}: {detail}")


def _clean(params: Params) -> dict[str, Any]:
    """Drop ``None`` values; lists stay lists (httpx sends them as repeated keys)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[key] = value
        else:
            out[key] = list(value)
    return out


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


class GtexClient:
    """Client of the GTEx Portal API v2 served by genotex or GTEx.

    Parameters
    ----------
    base_url
        Server root (``http://127.0.0.1:8000``, ``https://gtexportal.org``); a trailing
        ``/api/v2`` is accepted too.
    token
        Bearer token for controlled data (``genotex auth add``); ``None`` = anonymous.
    dataset_id
        ``datasetId`` sent with every request (``None``: the server's default release).
    page_size
        ``itemsPerPage`` of paged requests.
    timeout
        Seconds per HTTP request.
    http
        An ``httpx.Client`` to send requests with (tests pass FastAPI's ``TestClient``);
        default: a new one, closed by :meth:`close`.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from genotex.api import create_app
    >>> from genotex.store import Store
    >>> from genotex.testing import build_tiny_release
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     from fastapi.testclient import TestClient
    >>> app = create_app(store=Store(build_tiny_release(tempfile.mkdtemp())))
    >>> gtex = GtexClient("http://testserver", http=TestClient(app))
    >>> gtex.genes(["CRP"])[["geneSymbol", "gencodeId"]].to_dict("records")
    [{'geneSymbol': 'CRP', 'gencodeId': 'ENSG00000132693.12'}]
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, *,
                 dataset_id: str | None = None, page_size: int = DEFAULT_PAGE_SIZE,
                 timeout: float = 60.0, http: httpx.Client | None = None) -> None:
        root = base_url.rstrip("/")
        root = root.removesuffix("/api/v2")
        self.base_url = root
        self.dataset_id = dataset_id
        self.page_size = int(page_size)
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> GtexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Absolute URL of an API v2 path: ``reference/gene`` → ``<base>/api/v2/reference/gene``."""
        return f"{self.base_url}/api/v2/{path.lstrip('/')}"

    def request(self, path: str, params: Params | None = None, *, method: str = "GET",
                json: Any = None) -> Any:
        """One request; the decoded JSON body. Raises :class:`GtexApiError` on non-2xx."""
        query = _clean(params or {})
        if self.dataset_id is not None and "datasetId" not in query:
            query["datasetId"] = self.dataset_id
        url = self.url(path)
        r = self._http.request(method, url, params=query, json=json, headers=self._headers)
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise GtexApiError(r.status_code, detail, str(r.url))
        return r.json()

    def pages(self, path: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a paged endpoint (``{"data": [...], "paging_info": {...}}``)."""
        page = 0
        while True:
            body = self.request(path, {**(params or {}), "page": page,
                                       "itemsPerPage": self.page_size})
            yield body
            info = body.get("paging_info") or {}
            page += 1
            if page >= int(info.get("numberOfPages") or 0):
                return

    def table(self, path: str, params: Params | None = None) -> pd.DataFrame:
        """All items of a paged endpoint as one DataFrame (columns in the API's field order)."""
        rows: list[dict[str, Any]] = []
        for body in self.pages(path, params):
            rows += body.get("data") or []
        return pd.DataFrame(rows)

    # --- service and reference -------------------------------------------------------------------

    def service_info(self) -> dict[str, Any]:
        """``GET /api/v2/``: the service description."""
        body: dict[str, Any] = self.request("")
        return body

    def gene_search(self, query: str) -> pd.DataFrame:
        """Genes whose symbol or GENCODE ID starts with ``query`` (``reference/geneSearch``)."""
        return self.table("reference/geneSearch", {"geneId": query})

    def genes(self, gene_ids: str | Sequence[str]) -> pd.DataFrame:
        """Genes by symbol or (un)versioned GENCODE ID (``reference/gene``)."""
        return self.table("reference/gene", {"geneId": _as_list(gene_ids)})

    def neighbor_genes(self, chromosome: str, pos: int, *, bp_window: int) -> pd.DataFrame:
        """Genes within ``bp_window`` of ``chromosome:pos`` (``reference/neighborGene``)."""
        return self.table("reference/neighborGene",
                          {"chromosome": chromosome, "pos": pos, "bp_window": bp_window})

    # --- dataset ----------------------------------------------------------------------------------

    def tissues(self) -> pd.DataFrame:
        """Tissues with sample summaries and eGene counts (``dataset/tissueSiteDetail``)."""
        return self.table("dataset/tissueSiteDetail")

    def samples(self, **filters: str | Sequence[str] | None) -> pd.DataFrame:
        """Samples (``dataset/sample``); filters by GTEx parameter name, e.g. ``sex="female"``."""
        return self.table("dataset/sample", {k: _as_list(v) for k, v in filters.items()})

    def subjects(self, **filters: str | Sequence[str] | None) -> pd.DataFrame:
        """Donors (``dataset/subject``); filters ``sex``, ``ageBracket``, ``hardyScale``."""
        return self.table("dataset/subject", {k: _as_list(v) for k, v in filters.items()})

    def variant(self, variant_id: str | None = None, *, snp_id: str | None = None) -> pd.DataFrame:
        """A variant by GTEx variant ID or dbSNP rsID (``dataset/variant``)."""
        return self.table("dataset/variant", {"variantId": variant_id, "snpId": snp_id})

    def variants_by_location(self, chromosome: str, start: int, end: int) -> pd.DataFrame:
        """Variants with ``start <= pos <= end`` (``dataset/variantByLocation``)."""
        return self.table("dataset/variantByLocation",
                          {"chromosome": chromosome, "start": start, "end": end})

    def dataset_info(self) -> pd.DataFrame:
        """Facts and counts of the datasets (``metadata/dataset``)."""
        body = self.request("metadata/dataset")
        return pd.DataFrame(body if isinstance(body, list) else body.get("data", []))

    # --- expression -------------------------------------------------------------------------------

    def median_gene_expression(self, gencode_ids: str | Sequence[str],
                               tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Median TPM per gene and tissue (``expression/medianGeneExpression``)."""
        return self.table("expression/medianGeneExpression", {
            "gencodeId": _as_list(gencode_ids), "tissueSiteDetailId": _as_list(tissues)})

    def gene_expression(self, gencode_ids: str | Sequence[str],
                        tissues: str | Sequence[str] | None = None, *,
                        attribute_subset: str | None = None) -> pd.DataFrame:
        """Per-sample TPM (column ``data``: one list per gene x tissue [x subset group])
        (``expression/geneExpression``); ``attribute_subset``: ``"sex"`` or ``"ageBracket"``."""
        return self.table("expression/geneExpression", {
            "gencodeId": _as_list(gencode_ids), "tissueSiteDetailId": _as_list(tissues),
            "attributeSubset": attribute_subset})

    def top_expressed_genes(self, tissue: str, *, filter_mt_gene: bool = True) -> pd.DataFrame:
        """Genes of one tissue by median TPM, highest first (``expression/topExpressedGene``)."""
        return self.table("expression/topExpressedGene",
                          {"tissueSiteDetailId": tissue, "filterMtGene": filter_mt_gene})

    # --- association ------------------------------------------------------------------------------

    def egenes(self, tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """eGenes (q <= 0.05) of tissues, all when ``None`` (``association/egene``)."""
        return self.table("association/egene", {"tissueSiteDetailId": _as_list(tissues)})

    def single_tissue_eqtl(self, gencode_ids: str | Sequence[str] | None = None, *,
                           variant_ids: str | Sequence[str] | None = None,
                           tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Significant eQTL pairs by genes, variants and tissues
        (``association/singleTissueEqtl``)."""
        return self.table("association/singleTissueEqtl", {
            "gencodeId": _as_list(gencode_ids), "variantId": _as_list(variant_ids),
            "tissueSiteDetailId": _as_list(tissues)})

    def independent_eqtl(self, gencode_ids: str | Sequence[str], *,
                         tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Conditionally independent eQTLs (``association/independentEqtl``)."""
        return self.table("association/independentEqtl", {
            "gencodeId": _as_list(gencode_ids), "tissueSiteDetailId": _as_list(tissues)})

    def sgenes(self, tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """sGenes of tissues (``association/sgene``)."""
        return self.table("association/sgene", {"tissueSiteDetailId": _as_list(tissues)})

    def single_tissue_sqtl(self, gencode_ids: str | Sequence[str] | None = None, *,
                           variant_ids: str | Sequence[str] | None = None,
                           tissues: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Significant sQTL pairs (``association/singleTissueSqtl``)."""
        return self.table("association/singleTissueSqtl", {
            "gencodeId": _as_list(gencode_ids), "variantId": _as_list(variant_ids),
            "tissueSiteDetailId": _as_list(tissues)})

    def fine_mapping(self, gencode_ids: str | Sequence[str], *,
                     tissues: str | Sequence[str] | None = None,
                     variant_id: str | None = None) -> pd.DataFrame:
        """Fine-mapped credible sets (``association/fineMapping``)."""
        return self.table("association/fineMapping", {
            "gencodeId": _as_list(gencode_ids), "tissueSiteDetailId": _as_list(tissues),
            "variantId": variant_id})

    def metasoft(self, gencode_ids: str | Sequence[str], *,
                 variant_id: str | None = None) -> pd.DataFrame:
        """Multi-tissue METASOFT results (``association/metasoft``)."""
        return self.table("association/metasoft",
                          {"gencodeId": _as_list(gencode_ids), "variantId": variant_id})

    def dyneqtl(self, gencode_id: str, variant_id: str, tissue: str) -> dict[str, Any]:
        """The eQTL calculator for one gene, variant (ID or rsID) and tissue
        (``association/dyneqtl``); per-sample ``data``/``genotypes`` need a granting token."""
        body: dict[str, Any] = self.request("association/dyneqtl", {
            "gencodeId": gencode_id, "variantId": variant_id, "tissueSiteDetailId": tissue})
        return body
