"""The second batch of GTEx v2 endpoints and genotex's own, through the in-process client."""

from __future__ import annotations

import pytest

from genotex.api.analysis import dynamic_qtl
from genotex.store import Store

CRP = "ENSG00000132693.12"
V1, V2 = "chr1_159680000_A_G_b38", "chr1_159690000_C_T_b38"
TOKEN = "tiny-controlled-token"


@pytest.fixture(scope="module")
def tclient(make_client):  # type: ignore[no-untyped-def]
    return make_client(controlled_tokens=f"other,{TOKEN}")


def _data(client, path: str, **params):  # type: ignore[no-untyped-def]
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_features__gene_and_variant(client) -> None:  # type: ignore[no-untyped-def]
    gene = _data(client, "/api/v2/reference/features/crp")
    assert gene["assembly"] == "HG38"
    assert gene["features"][0]["gencodeId"] == CRP
    assert gene["features"][0]["featureType"] == "gene"
    snp = _data(client, "/api/v2/reference/features/rs3091244")["features"]
    assert [f["variantId"] for f in snp] == [V1]
    assert client.get("/api/v2/reference/features/x;drop").status_code == 422


def test_ld__pairs_as_gtex_rows(client) -> None:  # type: ignore[no-untyped-def]
    body = _data(client, "/api/v2/dataset/ld", gencodeId=CRP)
    assert body["data"] == [[f"{V1},{V2}", 0.42]]
    by_rs = _data(client, "/api/v2/dataset/ldByVariant", variantId="rs1205")
    assert by_rs["data"] == body["data"]


def test_downloads__list_open_tables_only(client) -> None:  # type: ignore[no-untyped-def]
    tree = _data(client, "/api/v2/dataset/openAccessFilesMetadata", project_id="adult-gtex")
    (root,) = tree["data"]
    assert list(root) == ["name", "displayName", "description", "order", "parent", "children"]
    names = {f["name"] for f in root["children"]["folders"]}
    assert "median_expression" in names and "dosages" not in names and "donors" not in names
    url = root["children"]["folders"][0]["children"]["files"][0]["url"]
    assert client.get(url).status_code == 200
    assert client.get("/downloads/genotex_tiny_v1/dosages.parquet").status_code == 404
    assert client.get("/downloads/genotex_tiny_v1/../manifest.json").status_code == 404
    (entry,) = client.get("/api/v2/dataset/fileList").json()
    assert list(entry) == ["name", "subpath", "dbgapId", "dataset", "release", "order", "type",
                           "id", "description", "filesets"]


def test_gene_expression__subsets(client) -> None:  # type: ignore[no-untyped-def]
    rows = _data(client, "/api/v2/expression/geneExpression", gencodeId=CRP,
                 tissueSiteDetailId="Lung", attributeSubset="sex")["data"]
    assert {r["subsetGroup"] for r in rows} == {"female", "male"}
    ages = _data(client, "/api/v2/expression/geneExpression", gencodeId=CRP,
                 attributeSubset="ageBracket")["data"]
    assert {r["subsetGroup"] for r in ages} >= {"60-69", "20-29"}


def test_clustered_median__newick_trees(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v2/expression/clusteredMedianGeneExpression",
                      params={"gencodeId": [CRP, "ENSG00000160791.17", "ENSG00000065613.9"]})
    out = body.json()
    assert set(out["clusters"]) == {"tissue", "gene"}
    for tree in out["clusters"].values():
        assert tree.endswith(";") and tree.count("(") == tree.count(")")
    assert all(t in out["clusters"]["tissue"] for t in ("Liver", "Lung", "Whole_Blood"))
    assert len(out["medianGeneExpression"]) == 9
    one = client.get("/api/v2/expression/clusteredMedianGeneExpression",
                     params={"gencodeId": CRP}).json()
    assert one["clusters"] is None


def test_expression_pca__one_row_per_sample(client, api_store: Store) -> None:  # type: ignore[no-untyped-def]
    rows = _data(client, "/api/v2/expression/expressionPca", tissueSiteDetailId="Lung")["data"]
    n = sum(1 for r in api_store.samples(filters={"tissueSiteDetailId": ["Lung"]}).rows)
    assert len(rows) == n
    assert list(rows[0]) == ["pc1", "pc2", "pc3", "sampleId", "tissueSiteDetailId",
                             "ontologyId", "datasetId"]
    assert abs(sum(r["pc1"] for r in rows)) < 1e-9  # centered


def test_association__independent_sqtl_sgene_metasoft_finemapping(client) -> None:  # type: ignore[no-untyped-def]
    ind = _data(client, "/api/v2/association/independentEqtl", gencodeId=CRP)["data"]
    assert {r["rank"] for r in ind} == {1} and len(ind) == 2
    sq = _data(client, "/api/v2/association/singleTissueSqtl", variantId="rs3091244")["data"]
    assert sq[0]["phenotypeId"].endswith(CRP)
    sg = _data(client, "/api/v2/association/sgene")["data"]
    assert sg[0]["nPhenotypes"] == 3
    ms = _data(client, "/api/v2/association/metasoft", gencodeId=CRP)["data"]
    assert sorted(ms[0]["tissues"]) == ["Liver", "Lung", "Whole_Blood"]
    assert list(ms[0]["tissues"]["Liver"]) == ["mValue", "pValue", "se", "nes"]
    fm = _data(client, "/api/v2/association/fineMapping", gencodeId=CRP, variantId="rs1205")
    assert [r["pip"] for r in fm["data"]] == [0.05]
    igv = _data(client, "/api/v2/association/singleTissueEqtlByLocation",
                tissueSiteDetailId="Whole_Blood", chromosome="chr1", start=159_000_000,
                end=160_000_000)
    assert {r["variantId"] for r in igv["singleTissueEqtl"]} == {V1, V2}


def test_dyneqtl__open_statistics_controlled_arrays(client, tclient) -> None:  # type: ignore[no-untyped-def]
    params = {"gencodeId": CRP, "variantId": "rs3091244", "tissueSiteDetailId": "Whole_Blood"}
    open_ = _data(client, "/api/v2/association/dyneqtl", **params)
    expected = dynamic_qtl([-1.1, 0.2, 1.3, 0.4, -0.8], [0, 1, 2, 1, 0],
                           [[0.5], [-0.2], [0.1], [0.3], [-0.6]])
    assert open_["nes"] == pytest.approx(expected.nes)
    assert open_["pValue"] == pytest.approx(expected.p_value)
    assert open_["variantId"] == V1 and open_["data"] == [] and open_["genotypes"] == []
    r = tclient.get("/api/v2/association/dyneqtl", params=params,
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.json()["genotypes"] == [0, 1, 2, 1, 0]
    assert tclient.get("/api/v2/association/dyneqtl", params=params,
                       headers={"Authorization": "Bearer nope"}).status_code == 403
    assert tclient.get("/api/v2/association/dyneqtl", params=params,
                       headers={"Authorization": "Basic abc"}).status_code == 401
    # no token configured at all: nothing grants
    assert client.get("/api/v2/association/dyneqtl", params=params,
                      headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403


def test_dyneqtl__unknown_variant_is_gtex_400(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/association/dyneqtl", params={
        "gencodeId": CRP, "variantId": "invalid rsid", "tissueSiteDetailId": "Whole_Blood"})
    assert r.status_code == 400
    assert r.json() == {"detail": "variantId 'invalid rsid' not found in dataset "
                                  "'genotex_tiny_v1'"}


def test_dyneqtl_post__data_and_errors(client, make_client) -> None:  # type: ignore[no-untyped-def]
    body = [{"gencodeId": CRP, "variantId": V2, "tissueSiteDetailId": "Whole_Blood"},
            {"gencodeId": CRP, "variantId": "rs0", "tissueSiteDetailId": "Whole_Blood"}]
    out = client.post("/api/v2/association/dyneqtl", json=body).json()
    assert [d["variantId"] for d in out["data"]] == [V2]
    assert out["data"][0]["snpId"] == "rs1205"
    assert out["errors"][0]["variantId"] == "rs0"
    assert client.post("/api/v2/association/dyneqtl", json=[]).status_code == 422
    small = make_client(api_max_body_items=1)
    assert small.post("/api/v2/association/dyneqtl", json=body).status_code == 422


def test_dynsqtl__intron(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/association/dynsqtl", params={
        "phenotypeId": "chr1:1:2:clu_9_-:G", "variantId": V1, "tissueSiteDetailId": "Liver"})
    assert r.status_code == 400  # no per-sample splicing data in the tiny release


def test_nominal_pairs__by_gene_variant_region(client) -> None:  # type: ignore[no-untyped-def]
    by_gene = _data(client, "/api/genotex/v1/nominalPairs", gencodeId=CRP)["data"]
    assert len(by_gene) == 3
    by_rs = _data(client, "/api/genotex/v1/nominalPairs", variantId="rs1205")["data"]
    assert {r["gencodeId"] for r in by_rs} == {CRP, "ENSG00000223603.1"}
    region = _data(client, "/api/genotex/v1/nominalPairs", chromosome="chr1",
                   start=159_679_000, end=159_681_000)["data"]
    assert {r["variantId"] for r in region} == {V1}
    assert client.get("/api/genotex/v1/nominalPairs").status_code == 400
    assert client.get("/api/genotex/v1/nominalPairs", params={
        "chromosome": "chr1", "start": 1, "end": 10**8}).status_code == 400


def test_sample_expression__controlled(client, tclient) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/genotex/v1/sampleExpression",
                      params={"gencodeId": CRP}).status_code == 401
    r = tclient.get("/api/genotex/v1/sampleExpression", params={"gencodeId": CRP},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["data"][0]["subjectId"].startswith("GTEX-")


def test_hostile_inputs__stay_parameters(client) -> None:  # type: ignore[no-untyped-def]
    for evil in ("' OR 1=1 --", "x\"); DROP TABLE genes; --", "ENSG\u202e\u0000"):
        r = client.get("/api/genotex/v1/nominalPairs", params={"gencodeId": evil})
        assert r.status_code == 200 and r.json()["data"] == []
        r = client.get("/api/v2/association/metasoft", params={"gencodeId": evil})
        assert r.status_code == 200 and r.json()["data"] == []
