from __future__ import annotations

import pytest

HOSTILE = ["x' OR '1'='1", "'; DROP VIEW genes; --", "%", "CRP%' --", "\u202e\u0000", "é" * 50]


def test_get_genes__repeated_keys_mix_symbols_and_ids(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/reference/gene?geneId=CRP&geneId=ENSG00000160791&geneId=slk")
    assert {g["geneSymbol"] for g in r.json()["data"]} == {"CRP", "CCR5", "SLK"}


def test_get_genes__missing_gene_id_is_gtex_422(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/reference/gene", params={"page": 0})
    assert r.status_code == 422
    assert r.json() == {"detail": [{"loc": ["query", "geneId"], "msg": "field required",
                                    "type": "value_error.missing"}]}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_get_genes__hostile_input_returns_empty(client, hostile: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/v2/reference/gene", "/api/v2/reference/geneSearch"):
        r = client.get(path, params={"geneId": hostile})
        assert r.status_code == 200
        assert r.json()["data"] == [] and r.json()["paging_info"]["totalNumberOfItems"] == 0
    assert client.get("/api/v2/reference/gene", params={"geneId": "CRP"}).json()["data"]


def test_get_gene_search__matches_symbol_prefix(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v2/reference/geneSearch", params={"geneId": "crp"}).json()["data"]
    assert [g["geneSymbol"] for g in data] == ["CRP", "CRPP1"]
    assert data[1]["entrezGeneId"] is None and data[1]["geneType"] == "unprocessed pseudogene"


def test_get_neighbor_gene__window_and_enum_check(client) -> None:  # type: ignore[no-untyped-def]
    params = {"chromosome": "chr1", "pos": 159_690_000, "bp_window": 20_000}
    data = client.get("/api/v2/reference/neighborGene", params=params).json()["data"]
    assert [g["geneSymbol"] for g in data] == ["CRP", "CRPP1"]
    bad = client.get("/api/v2/reference/neighborGene", params={**params, "chromosome": "1"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["type"] == "type_error.enum"
