from __future__ import annotations

import pytest


def test_get_eqtl_genes__only_q_below_005(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v2/association/egene").json()["data"]
    assert data and all(g["qValue"] <= 0.05 for g in data)
    assert "LOR" not in {g["geneSymbol"] for g in data}  # tested in Lung, not an eGene
    lung = client.get("/api/v2/association/egene",
                      params={"tissueSiteDetailId": "Lung"}).json()["data"]
    assert [g["geneSymbol"] for g in lung] == ["CCR5"]


def test_get_single_tissue_eqtls__by_gene_variant_and_tissue(client) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v2/association/singleTissueEqtl"
    by_gene = client.get(url, params={"gencodeId": "ENSG00000132693.12"}).json()["data"]
    assert len(by_gene) == 3
    one = client.get(url + "?gencodeId=ENSG00000132693.12&tissueSiteDetailId=Liver").json()
    assert [e["variantId"] for e in one["data"]] == ["chr1_159680000_A_G_b38"]
    by_rsid = client.get(url, params={"variantId": "rs3091244"}).json()["data"]
    assert {e["tissueSiteDetailId"] for e in by_rsid} == {"Liver", "Whole_Blood"}
    assert by_rsid[0]["snpId"] == "rs3091244" and by_rsid[0]["chromosome"] == "chr1"


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "rs1' UNION SELECT * FROM donors --"])
def test_get_single_tissue_eqtls__hostile_input_is_empty(client, hostile: str) -> None:  # type: ignore[no-untyped-def]
    for key in ("gencodeId", "variantId", "tissueSiteDetailId"):
        r = client.get("/api/v2/association/singleTissueEqtl", params={key: hostile})
        assert r.status_code == 200 and r.json()["data"] == []
