"""The portal's QTL pages through the in-process client: the gene page's extra sections, the
eQTL calculator and dashboard, the tissue PCA, the expression map and the coloc upload."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient

from genotex.api.analysis import dynamic_qtl
from genotex.portal.calculator import MAX_DASHBOARD_PAIRS
from genotex.portal.coloc_page import MAX_UPLOAD_BYTES

from .coloc_release import ColocRelease, gwas_from
from .conftest import TOKEN
from .test_views import _api_links, _links

CRP = "ENSG00000132693.12"
V1 = "chr1_159680000_A_G_b38"
#: The simulated release's planted eQTL: DYP7's lead in Whole_Blood (its Lung lead differs).
PLANTED_GENE, PLANTED_VARIANT = "ENSG00000189760.11", "chr22_481746_T_G_b38"
PLANTED_REGION = "chr22:1-1,000,000"


def _page(client: TestClient, path: str, **params: object) -> str:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:800]
    for src in _links(r.text).resources:
        assert not re.match(r"^(https?:)?//", src), src
    for url in _api_links(r.text):
        assert client.get(url).status_code == 200, url
    return r.text


def _page_data(html: str) -> dict:  # type: ignore[type-arg]
    import json

    m = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))  # type: ignore[no-any-return]


# --- gene page --------------------------------------------------------------------------------

def test_gene_page__independent_finemap_sqtl_metasoft_sections(portal: TestClient) -> None:
    html = _page(portal, f"/gene/{CRP}")
    for section in ('id="independent-table"', 'id="finemap-table"', 'id="sqtl-table"',
                    'id="metasoft"', 'id="ld-triangle"', 'id="locuszoom"'):
        assert section in html, section
    assert "chr1:159682200:159683000:clu_1_-:ENSG00000132693.12" in html  # the sQTL intron
    assert "0.930" in html and "SuSiE" in html  # the credible set's top PIP
    for api in ("/api/v2/association/independentEqtl?gencodeId=",
                "/api/v2/association/fineMapping?gencodeId=",
                "/api/v2/association/singleTissueSqtl?gencodeId=",
                "/api/v2/association/metasoft?gencodeId=", "/api/v2/dataset/ld?gencodeId=",
                "/api/genotex/v1/nominalPairs?gencodeId="):
        assert api + CRP in html, api
    data = _page_data(html)
    assert data["locusTissues"][0] == "Liver"  # CRP's strongest eQTL tissue comes first
    assert "/static/locus.js" in html


def test_gene_page__gene_without_extra_results(portal: TestClient) -> None:
    html = _page(portal, "/gene/ENSG00000160791.17")  # CCR5: one eQTL, nothing else
    assert 'id="no-finemap"' in html and 'id="no-sqtl"' in html
    assert 'id="multitissue"' not in html


def test_gene_page__expression_only_release_has_no_qtl_sections(
        expression_only: TestClient) -> None:
    html = expression_only.get(f"/gene/{CRP}").text
    for section in ("independent-table", "finemap", "sqtl", "locuszoom", "ld-triangle",
                    "metasoft"):
        assert section not in html, section


# --- eQTL calculator ---------------------------------------------------------------------------

def test_variant_page__calculator_defaults_to_a_stored_pair(portal: TestClient) -> None:
    html = _page(portal, f"/variant/{V1}")
    assert 'id="calculator"' in html and 'id="calc-token"' in html
    assert re.search(r'<option value="Whole_Blood" selected>', html)  # inputs stored there
    assert f"/api/v2/association/dyneqtl?gencodeId={CRP}&amp;variantId={V1}" in html
    assert "/api/genotex/v1/dyneqtlSummary?" in html
    assert _page_data(html)["calculator"] is True


def test_dyneqtl_summary__aggregates_match_the_kernel(portal: TestClient, portal_store) -> None:  # type: ignore[no-untyped-def]
    params = {"gencodeId": CRP, "variantId": "rs3091244", "tissueSiteDetailId": "Whole_Blood"}
    body = portal.get("/api/genotex/v1/dyneqtlSummary", params=params).json()
    inputs = portal_store.qtl_inputs("Whole_Blood", CRP, V1)
    r = dynamic_qtl(inputs.phenotype, inputs.dosages, inputs.covariates)
    assert body["variantId"] == V1 and body["nes"] == pytest.approx(r.nes)
    assert [g["count"] for g in body["genotypeGroups"]] == [r.hom_ref, r.het, r.hom_alt]
    # classes below 3 samples give counts only: no individual value leaks
    assert all(g["median"] is None for g in body["genotypeGroups"])
    assert "data" not in body and "genotypes" not in body
    bad = portal.get("/api/genotex/v1/dyneqtlSummary", params={**params, "tissueSiteDetailId":
                                                                "Liver"})
    assert bad.status_code == 400


def test_dyneqtl_summary__quartiles_per_genotype(coloc_client: TestClient,
                                                 coloc_store) -> None:  # type: ignore[no-untyped-def]
    params = {"gencodeId": PLANTED_GENE, "variantId": PLANTED_VARIANT,
              "tissueSiteDetailId": "Lung"}
    inputs = coloc_store.qtl_inputs("Lung", PLANTED_GENE, PLANTED_VARIANT)
    if inputs is None:
        pytest.skip("the release stores no dosages of this variant")
    body = coloc_client.get("/api/genotex/v1/dyneqtlSummary", params=params).json()
    calls = np.clip(np.rint(np.where(np.isnan(inputs.dosages), np.nanmean(inputs.dosages),
                                     inputs.dosages)), 0, 2)
    for g in body["genotypeGroups"]:
        x = inputs.phenotype[calls == g["genotype"]]
        assert g["count"] == x.size
        if x.size >= body["minClassSize"]:
            assert g["median"] == pytest.approx(np.median(x))
            assert g["q1"] == pytest.approx(np.quantile(x, 0.25))


def test_dyneqtl__points_only_with_the_token(portal_controlled: TestClient) -> None:
    params = {"gencodeId": CRP, "variantId": V1, "tissueSiteDetailId": "Whole_Blood"}
    open_ = portal_controlled.get("/api/v2/association/dyneqtl", params=params).json()
    assert open_["data"] == [] and open_["genotypes"] == []
    granted = portal_controlled.get("/api/v2/association/dyneqtl", params=params,
                                    headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert sorted(set(granted["genotypes"])) == [0, 1, 2] and len(granted["data"]) == 5


# --- eQTL dashboard ----------------------------------------------------------------------------

def test_dashboard__pairs_times_tissues(portal: TestClient) -> None:
    html = _page(portal, "/eqtl-dashboard", pairs=f"CRP rs3091244\nCRP {V1}\nNOPE rs1\nbad",
                 tissue=["Whole_Blood", "Liver"])
    data = _page_data(html)
    assert len(data["pairs"]) == 2 and len(data["items"]) == 4
    assert {i["tissueSiteDetailId"] for i in data["items"]} == {"Whole_Blood", "Liver"}
    assert "NOPE rs1: unknown or ambiguous gene" in html and "could not read line" in html
    assert "POST /api/v2/association/dyneqtl" in html and "/static/dashboard.js" in html
    bulk = portal.post("/api/v2/association/dyneqtl", json=data["items"]).json()
    assert len(bulk["data"]) == 2 and len(bulk["errors"]) == 2  # Liver has no stored inputs


def test_dashboard__at_most_30_pairs_and_empty_form(portal: TestClient) -> None:
    many = "\n".join(["CRP rs3091244"] * (MAX_DASHBOARD_PAIRS + 5))
    html = _page(portal, "/eqtl-dashboard", pairs=many, tissue="Whole_Blood")
    assert len(_page_data(html)["items"]) == MAX_DASHBOARD_PAIRS
    assert f"only the first {MAX_DASHBOARD_PAIRS}" in html
    empty = _page(portal, "/eqtl-dashboard")
    assert 'id="dash-form"' in empty and "dashboard.js" not in empty


# --- tissue page -------------------------------------------------------------------------------

def test_tissue_page__pca_and_qtl_gene_counts(portal: TestClient) -> None:
    html = _page(portal, "/tissue/Liver")
    assert 'id="pca-plot"' in html and 'value="ageBracket"' in html
    assert re.search(r'id="egene-count">2<', html) and re.search(r'id="sgene-count">1<', html)
    assert "/api/v2/expression/expressionPca?tissueSiteDetailId=Liver" in html
    assert "/api/v2/association/sgene?tissueSiteDetailId=Liver" in html


# --- multi-gene expression map -----------------------------------------------------------------

def test_expression_map__resolves_genes_and_links_clustered_api(portal: TestClient) -> None:
    html = _page(portal, "/expression-map", genes="CRP, ccr5\nSLK ENSG00000203782.5 NOSUCH CRP")
    data = _page_data(html)
    assert set(data["genes"]) == {CRP, "ENSG00000160791.17", "ENSG00000065613.9",
                                  "ENSG00000203782.5"}
    assert "NOSUCH: no such gene" in html
    body = portal.get(data["clusteredApi"]).json()
    assert body["clusters"] is not None
    assert all(g in body["clusters"]["gene"] for g in data["genes"])
    assert f'href="/gene/{CRP}"' in html


def test_expression_map__ambiguous_and_empty(ambiguous: TestClient, portal: TestClient) -> None:
    html = ambiguous.get("/expression-map", params={"genes": "LOR CRP"}).text
    assert "LOR names 2 genes" in html
    assert "expression_map.js" not in portal.get("/expression-map").text


# --- colocalization ----------------------------------------------------------------------------

def _upload(client: TestClient, content: bytes, name: str = "gwas.tsv", **form: str):  # type: ignore[no-untyped-def]
    return client.post("/coloc", files={"gwas": (name, content, "application/octet-stream")},
                       data=form)


def test_coloc__planted_eqtl_colocalizes_in_its_tissue(coloc_client: TestClient,
                                                       coloc_built: ColocRelease) -> None:
    gwas = gwas_from(coloc_built, PLANTED_VARIANT)
    content = gzip.compress(gwas.to_csv(sep="\t", index=False).encode())
    r = _upload(coloc_client, content, "gwas.tsv.gz", region=PLANTED_REGION, output="json")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["leadVariantId"] == PLANTED_VARIANT
    best = body["results"][0]
    assert (best["tissueSiteDetailId"], best["gencodeId"]) == ("Whole_Blood", PLANTED_GENE)
    assert best["ppH4"] > 0.9
    lung = next(x for x in body["results"] if x["tissueSiteDetailId"] == "Lung"
                and x["gencodeId"] == PLANTED_GENE)
    assert lung["ppH4"] < 0.5  # the gene's Lung eQTL has another lead
    n_wb = next(t for t in coloc_client.get("/api/v2/dataset/tissueSiteDetail").json()["data"]
                if t["tissueSiteDetailId"] == "Whole_Blood")["eqtlSampleSummary"]["totalCount"]
    assert best["N"] == n_wb
    assert body["harmonization"]["matched"] > 0 and body["columnMap"]["p_value"] == "p_value"


def test_coloc__html_results_table_heatmap_and_report(coloc_client: TestClient,
                                                      coloc_built: ColocRelease) -> None:
    gwas = gwas_from(coloc_built, PLANTED_VARIANT)
    plink = gwas.rename(columns={"chromosome": "CHR", "base_pair_location": "BP",
                                 "effect_allele": "A1", "other_allele": "A2", "beta": "BETA",
                                 "standard_error": "SE", "p_value": "P"})
    r = _upload(coloc_client, plink.to_csv(sep=" ", index=False).encode(),
                region=PLANTED_REGION)
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert 'id="coloc-table"' in html and 'id="pp-heatmap"' in html
    assert 'id="locuscompare"' in html and 'id="harmonization"' in html
    assert "<code>BP</code>" in html and "palindromic dropped" in html
    data = _page_data(html)
    assert data["results"][0]["key"] == f"Whole_Blood|{PLANTED_GENE}"
    assert data["snps"][data["results"][0]["key"]]
    assert "/api/genotex/v1/nominalPairs?chromosome=chr22&amp;start=1&amp;end=1000000" in html


def test_coloc__form_and_input_errors(coloc_client: TestClient,
                                      expression_only: TestClient) -> None:
    form = _page(coloc_client, "/coloc")
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    bad = _upload(coloc_client, b"foo bar\n1 2\n")
    assert bad.status_code == 400 and 'id="coloc-error"' in bad.text
    region = _upload(coloc_client, b"SNP CHR BP A1 A2 BETA SE P\nrs1 22 100 A G 0.1 0.1 0.5\n",
                     region="chr22:1-9,000,000")
    assert region.status_code == 400 and "2 Mb" in region.text
    as_json = _upload(coloc_client, b"", output="json")
    assert as_json.status_code == 400 and "detail" in as_json.json()
    gwas = b"SNP CHR BP A1 A2 BETA SE P\nrs3091244 1 159680000 G A 0.5 0.1 1e-7\n"
    none = _upload(expression_only, gwas)
    assert none.status_code == 200 and "no nominal eQTL pairs" in none.text
    assert 'id="no-nominal"' in none.text


def test_coloc__upload_size_is_bounded(coloc_client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import genotex.portal.coloc_page as page

    monkeypatch.setattr(page, "MAX_UPLOAD_BYTES", 1000)
    r = _upload(coloc_client, b"x" * 5000)
    assert r.status_code == 413 and "larger than" in r.text
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_coloc__lists_the_release_s_stored_colocalizations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from genotex.api import create_app
    from genotex.config import Settings
    from genotex.store import Store, build_release
    from genotex.testing import tiny_release_tables

    tables = tiny_release_tables()
    tables["coloc"] = pd.DataFrame([
        ("Liver", CRP, "CRP_levels", 40, 0.0, 0.01, 0.0, 0.02, 0.97, V1),
        ("Lung", "ENSG00000160791.17", "CRP_levels", 40, 0.1, 0.5, 0.1, 0.2, 0.1, None),
    ], columns=["tissue_id", "gene_id", "trait_id", "nsnps", "pp_h0", "pp_h1", "pp_h2",
                "pp_h3", "pp_h4", "lead_variant_id"])
    store = Store(build_release(tmp_path, "with_coloc_v1", tables))
    try:
        client = TestClient(create_app(Settings(), store=store))
        html = _page(client, "/coloc")
        rows = html.split('id="stored-table"')[1].split("</table>")[0]
        assert rows.index(f"/gene/{CRP}") < rows.index("/gene/ENSG00000160791.17")
        assert "0.970" in rows and "/api/genotex/v1/coloc?itemsPerPage=100" in html
    finally:
        store.close()
