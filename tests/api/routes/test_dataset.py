from __future__ import annotations


def test_get_tissue_site_detail__gtex_shapes(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v2/dataset/tissueSiteDetail").json()["data"]
    assert [t["tissueSiteDetailId"] for t in data] == ["Liver", "Lung", "Whole_Blood"]
    blood = data[2]
    assert blood["colorHex"] == "FF00BB" and blood["colorRgb"] == "255,0,187"
    assert blood["ontologyIri"] == "http://purl.obolibrary.org/obo/UBERON_0013756"
    assert blood["eGeneCount"] == 2 and blood["hasEGenes"] is True
    assert blood["sGeneCount"] is None and blood["hasSGenes"] is False  # no sQTL table
    summary = blood["rnaSeqSampleSummary"]
    assert summary["totalCount"] == summary["female"]["count"] + summary["male"]["count"]


def test_get_sample__filters_as_repeated_keys_and_sorting(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v2/dataset/sample?subjectId=GTEX-1117F&subjectId=GTEX-111CU"
                   "&tissueSiteDetailId=UBERON:0008952&sortBy=sampleId&sortDirection=desc")
    data = r.json()["data"]
    assert {s["subjectId"] for s in data} == {"GTEX-1117F", "GTEX-111CU"}
    assert {s["tissueSiteDetailId"] for s in data} == {"Lung"}
    ids = [s["sampleId"] for s in data]
    assert ids == sorted(ids, reverse=True)
    sample = data[0]
    assert sample["sampleId"].startswith(sample["tissueSampleId"] + "-")
    assert sample["sampleId"].endswith(sample["aliquotId"])


def test_get_sample__unknown_tissue_matches_nothing(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v2/dataset/sample", params={"tissueSiteDetailId": "Mars"}).json()
    assert body["data"] == []


def test_get_subject__filters(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v2/dataset/subject?sex=female&ageBracket=20-29&ageBracket=30-39")
    assert [s["subjectId"] for s in body.json()["data"]] == ["GTEX-111YS", "GTEX-1122O"]
    bad = client.get("/api/v2/dataset/subject", params={"sex": "other"})
    assert bad.status_code == 422


def test_get_variant__by_rsid_variant_id_or_position(client) -> None:  # type: ignore[no-untyped-def]
    by_rs = client.get("/api/v2/dataset/variant", params={"snpId": "rs3091244"}).json()
    vid = by_rs["data"][0]["variantId"]
    by_id = client.get("/api/v2/dataset/variant", params={"variantId": vid}).json()
    by_pos = client.get("/api/v2/dataset/variant?chromosome=chr1&pos=159680000&pos=1").json()
    assert by_rs["data"] == by_id["data"] == by_pos["data"]
    assert client.get("/api/v2/dataset/variant").status_code == 400


def test_get_variant_by_location__range_and_order(client) -> None:  # type: ignore[no-untyped-def]
    params = {"chromosome": "chr1", "start": 150_000_000, "end": 160_000_000}
    asc = client.get("/api/v2/dataset/variantByLocation", params=params).json()["data"]
    desc = client.get("/api/v2/dataset/variantByLocation",
                      params={**params, "sortDirection": "desc"}).json()["data"]
    assert [v["pos"] for v in asc] == sorted(v["pos"] for v in asc)
    assert desc == asc[::-1] and len(asc) == 3
    rare = next(v for v in asc if v["snpId"] == "")
    assert rare["maf01"] is False
    bad = client.get("/api/v2/dataset/variantByLocation",
                     params={**params, "start": 2, "end": 1})
    assert bad.status_code == 400 and isinstance(bad.json()["detail"], str)


def test_get_dataset_info__bare_array_with_counts(client) -> None:  # type: ignore[no-untyped-def]
    (info,) = client.get("/api/v2/metadata/dataset").json()
    assert info["datasetId"] == "genotex_tiny_v1" and info["tissueCount"] == 3
    assert info["subjectCount"] == 6 and info["rnaSeqSampleCount"] == 15
    assert client.get("/api/v2/metadata/dataset", params={"datasetId": "other"}).json() == []
