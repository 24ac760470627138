from __future__ import annotations

import statistics

GENE = "ENSG00000132693.12"


def test_get_median_gene_expression__matches_per_sample_median(client) -> None:  # type: ignore[no-untyped-def]
    params = {"gencodeId": GENE, "tissueSiteDetailId": "Lung"}
    (median,) = client.get("/api/v2/expression/medianGeneExpression", params=params).json()[
        "data"]
    (samples,) = client.get("/api/v2/expression/geneExpression", params=params).json()["data"]
    assert median["median"] == statistics.median(samples["data"])
    assert median["unit"] == samples["unit"] == "TPM" and samples["subsetGroup"] is None


def test_get_median_gene_expression__repeated_keys_and_ontology_ids(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/expression/medianGeneExpression?gencodeId=ENSG00000132693.12"
                   "&gencodeId=ENSG00000065613.9&tissueSiteDetailId=UBERON:0013756"
                   "&tissueSiteDetailId=Liver")
    data = r.json()["data"]
    assert len(data) == 4
    assert {d["tissueSiteDetailId"] for d in data} == {"Whole_Blood", "Liver"}


def test_get_median_gene_expression__missing_gencode_id_is_422(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/expression/medianGeneExpression")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "gencodeId"]


def test_get_gene_expression__age_subsets(client) -> None:  # type: ignore[no-untyped-def]
    params = {"gencodeId": GENE, "tissueSiteDetailId": "Liver", "attributeSubset": "ageBracket"}
    data = client.get("/api/v2/expression/geneExpression", params=params).json()["data"]
    assert {d["subsetGroup"] for d in data} <= {"20-29", "30-39", "50-59", "60-69"}
    assert all(d["data"] and None not in d["data"] for d in data)


def test_get_top_expressed_genes__mt_filter_accepts_upper_case(client) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v2/expression/topExpressedGene"
    on = client.get(url, params={"tissueSiteDetailId": "Lung", "filterMtGene": "TRUE"})
    off = client.get(url, params={"tissueSiteDetailId": "Lung", "filterMtGene": "false"})
    assert "MT-CO1" not in {g["geneSymbol"] for g in on.json()["data"]}
    assert off.json()["data"][0]["geneSymbol"] == "MT-CO1"
    assert client.get(url).status_code == 422
