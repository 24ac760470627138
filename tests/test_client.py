"""``genotex.client.GtexClient`` against the in-process app (no server, no network)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd
import pytest

from genotex.api import create_app
from genotex.client import GTEX_BASE_URL, GtexApiError, GtexClient
from genotex.config import Settings
from genotex.store import Store
from genotex.testing import TINY_DATASET_ID, build_tiny_release

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CRP = "ENSG00000132693.12"
TOKEN = "client-test-token"


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = Store(build_tiny_release(tmp_path_factory.mktemp("client-release")))
    return TestClient(create_app(Settings(controlled_tokens=TOKEN), store=store))


@pytest.fixture()
def gtex(http: TestClient) -> GtexClient:
    return GtexClient("http://testserver", http=http)


def test_gtex_client__frames_with_api_field_names(gtex: GtexClient) -> None:
    genes = gtex.genes(["CRP"])
    assert isinstance(genes, pd.DataFrame) and list(genes["gencodeId"]) == [CRP]
    assert "geneSymbolUpper" in genes.columns
    medians = gtex.median_gene_expression(CRP)
    assert set(medians["tissueSiteDetailId"]) == {"Liver", "Lung", "Whole_Blood"}
    assert (medians["unit"] == "TPM").all()
    one = gtex.median_gene_expression([CRP], tissues=["Lung"])
    assert list(one["tissueSiteDetailId"]) == ["Lung"]
    expr = gtex.gene_expression(CRP, "Lung", attribute_subset="sex")
    assert {"data", "subsetGroup"} <= set(expr.columns) and len(expr) >= 1
    assert len(gtex.tissues()) == 3 and len(gtex.egenes("Whole_Blood")) >= 1
    assert gtex.variant(snp_id="rs333")["snpId"].tolist() == ["rs333"]
    assert set(gtex.single_tissue_eqtl(CRP)["gencodeId"]) == {CRP}
    by_variant = gtex.single_tissue_eqtl(variant_ids="rs3091244")
    assert set(by_variant["variantId"]) == {"chr1_159680000_A_G_b38"}
    assert gtex.service_info()["id"]
    assert len(gtex.top_expressed_genes("Lung")) >= 1


def test_gtex_client__paging_fetches_every_page(http: TestClient) -> None:
    whole = GtexClient("http://testserver", http=http).single_tissue_eqtl(CRP)
    paged = GtexClient("http://testserver", http=http, page_size=1)
    pages = list(paged.pages("association/singleTissueEqtl", {"gencodeId": CRP}))
    assert len(pages) == len(whole) > 1
    pd.testing.assert_frame_equal(paged.single_tissue_eqtl(CRP), whole)


def test_gtex_client__lists_as_repeated_keys_and_dataset_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [{"x": 1}], "paging_info": {
            "numberOfPages": 1, "page": 0, "maxItemsPerPage": 1000, "totalNumberOfItems": 1}})

    client = GtexClient(GTEX_BASE_URL + "/api/v2/", dataset_id="gtex_v8",
                        http=httpx.Client(transport=httpx.MockTransport(handler)))
    client.median_gene_expression(["A.1", "B.2"], tissues=["Lung", "Liver"])
    (request,) = seen
    url = urlsplit(str(request.url))
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://gtexportal.org/api/v2/expression/medianGeneExpression")
    query = parse_qs(url.query)
    assert query["gencodeId"] == ["A.1", "B.2"]
    assert query["tissueSiteDetailId"] == ["Lung", "Liver"]
    assert query["datasetId"] == ["gtex_v8"] and query["page"] == ["0"]
    assert "authorization" not in request.headers


def test_gtex_client__reads_recorded_gtex_response(shared_data: Path) -> None:
    path = shared_data / "gtex_api" / "gtex_query__api_v2_reference_geneSearch-84bc16.json"
    recorded = json.loads(path.read_text())
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=recorded))
    frame = GtexClient(GTEX_BASE_URL, http=httpx.Client(transport=transport)).gene_search("CRP")
    assert list(frame.columns) == list(recorded["data"][0])
    # the recording is page 0 of several, and a mock answers page 0 every time
    assert len(frame) == recorded["paging_info"]["numberOfPages"] * len(recorded["data"])


def test_gtex_client__errors_and_tokens(http: TestClient) -> None:
    anonymous = GtexClient("http://testserver", http=http)
    with pytest.raises(GtexApiError) as err:
        anonymous.request("reference/gene", {"geneId": "CRP", "page": -1})
    assert err.value.status == 422 and err.value.detail[0]["loc"] == ["query", "page"]
    params = (CRP, "rs3091244", "Whole_Blood")
    assert anonymous.dyneqtl(*params)["genotypes"] == []
    granted = GtexClient("http://testserver", TOKEN, http=http, dataset_id=TINY_DATASET_ID)
    assert granted.dyneqtl(*params)["genotypes"] == [0, 1, 2, 1, 0]
    with pytest.raises(GtexApiError) as denied:
        GtexClient("http://testserver", "wrong", http=http).dyneqtl(*params)
    assert denied.value.status == 403
