"""The portal's pages through the in-process client: status, content, API twins, no CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

CRP = "ENSG00000132693.12"
PAGES = ["/", f"/gene/{CRP}", "/variant/chr1_159680000_A_G_b38", "/tissue/Lung", "/downloads",
         "/search?q=chr1:159,000,000-160,000,000", "/search?q=CR"]


class _Links(HTMLParser):
    """Collect script/img/iframe ``src``, link ``href`` and anchor ``href`` values."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.resources.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"] or "")
        if tag == "a" and a.get("href"):
            self.anchors.append(a["href"] or "")


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _api_links(html: str) -> list[str]:
    return [h for h in _links(html).anchors if h.startswith("/api/v2/")]


@pytest.mark.parametrize("path", PAGES)
def test_pages__render_locally_with_api_twin(portal: TestClient, path: str) -> None:
    r = portal.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    links = _links(r.text)
    assert links.resources, "every page loads its stylesheet and script"
    for src in links.resources:
        assert not re.match(r"^(https?:)?//", src), f"external resource {src} on {path}"
        if not src.startswith("data:"):
            assert portal.get(src).status_code == 200, src
    assert "http://" not in r.text and "https://" not in r.text
    twins = _api_links(r.text) or (["/downloads.json"] if path == "/downloads" else [])
    assert twins, f"{path} links no API call"
    for url in twins:
        assert portal.get(url).status_code == 200, url


def test_home__lists_tissues_and_search_box(portal: TestClient) -> None:
    html = portal.get("/").text
    assert 'name="q"' in html and "data-suggest" in html
    for tissue in ("Liver", "Lung", "Whole Blood"):
        assert tissue in html
    assert "/api/v2/dataset/tissueSiteDetail" in html


@pytest.mark.parametrize(("query", "target"), [
    ("CRP", f"/gene/{CRP}"), ("crp", f"/gene/{CRP}"), ("ENSG00000132693", f"/gene/{CRP}"),
    (CRP, f"/gene/{CRP}"), ("rs3091244", "/variant/rs3091244"),
    ("chr1_159680000_A_G_b38", "/variant/chr1_159680000_A_G_b38"),
    ("1_159680000_a_g", "/variant/chr1_159680000_A_G_b38"),
])
def test_search__one_hit_redirects(portal: TestClient, query: str, target: str) -> None:
    r = portal.get("/search", params={"q": query}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == target


def test_search__region_lists_genes_and_variants(portal: TestClient) -> None:
    html = portal.get("/search", params={"q": "chr1:159,600,000-159,800,000"}).text
    assert "CRP" in html and "CRPP1" in html and "chr1_159680000_A_G_b38" in html
    assert "LOR" not in html  # chr1:153 Mb lies outside


def test_search__prefix_offers_choice_and_unknown_is_404(portal: TestClient) -> None:
    html = portal.get("/search", params={"q": "CRP"[:2]}).text
    assert f"/gene/{CRP}" in html and "/gene/ENSG00000223603.1" in html
    r = portal.get("/search", params={"q": "NOSUCHGENE"})
    assert r.status_code == 404 and "NOSUCHGENE" in r.text
    assert portal.get("/search", params={"q": "chr1:9-1"}).status_code == 400
    assert portal.get("/search", follow_redirects=False).status_code == 303


def test_search__ambiguous_symbol_offers_a_choice(ambiguous: TestClient) -> None:
    for path in ("/search?q=LOR", "/gene/LOR"):
        r = ambiguous.get(path)
        assert r.status_code == 200
        assert "matches 2 genes" in r.text
        assert "/gene/ENSG00000203782.5" in r.text and "/gene/ENSG00000999999.1" in r.text


def test_gene_page__expression_medians_tau_and_eqtls(portal: TestClient) -> None:
    r = portal.get(f"/gene/{CRP}")
    html = r.text
    assert "<h1>CRP" in html and 'id="violin"' in html and 'id="tau"' in html
    assert "log10(TPM+1)" in html and 'value="sex"' in html and "Outliers" in html
    assert f"/api/v2/expression/geneExpression?gencodeId={CRP}" in html
    assert f"/api/v2/association/singleTissueEqtl?gencodeId={CRP}" in html
    assert 'id="bubble"' in html and 'id="eqtl-table"' in html
    assert "/variant/chr1_159680000_A_G_b38" in html and "1.00e-12" in html
    assert "/static/vendor/plotly.min.js" in html
    assert "/gene/CRP" not in html  # links use the GENCODE ID


def test_gene_page__symbol_redirects_and_unknown_is_404(portal: TestClient) -> None:
    r = portal.get("/gene/ccr5", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/gene/ENSG00000160791.17"
    assert portal.get("/gene/ENSG00000000000.1").status_code == 404


def test_gene_page__tau_matches_kernel(portal: TestClient, portal_store) -> None:  # type: ignore[no-untyped-def]
    from genotex.expression.specificity import tau

    rows = portal_store.median_expression([CRP]).rows
    expected = float(tau([[r["median"] for r in rows]])[0])
    shown = re.search(r'id="tau">([0-9.]+)<', portal.get(f"/gene/{CRP}").text)
    assert shown is not None and float(shown.group(1)) == pytest.approx(expected, abs=5e-4)


def test_gene_page__release_without_eqtls_says_so(expression_only: TestClient) -> None:
    html = expression_only.get(f"/gene/{CRP}").text
    assert 'id="no-eqtl-release"' in html and "No eQTL results in this release" in html
    assert 'id="bubble"' not in html and "singleTissueEqtl" not in html
    assert 'id="violin"' in html


def test_gene_page__gene_without_eqtls(portal: TestClient) -> None:
    html = portal.get("/gene/ENSG00000198804.2").text  # MT-CO1
    assert 'id="no-eqtl-gene"' in html


def test_variant_page__facts_and_eqtls(portal: TestClient) -> None:
    html = portal.get("/variant/chr1_159680000_A_G_b38").text
    assert "rs3091244" in html and "chr1:159,680,000" in html
    assert "/api/v2/association/singleTissueEqtl?variantId=chr1_159680000_A_G_b38" in html
    assert "/api/v2/dataset/variant?variantId=chr1_159680000_A_G_b38" in html
    assert html.count("/tissue/Liver") >= 1 and html.count("/tissue/Whole_Blood") >= 1
    assert f"/gene/{CRP}" in html


def test_variant_page__rsid_redirects_unknown_404_no_eqtls(portal: TestClient,
                                                          expression_only: TestClient) -> None:
    r = portal.get("/variant/RS333", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/variant/chr3_46370000_T_C_b38"
    assert portal.get("/variant/rs999999").status_code == 404
    assert portal.get("/variant/not-a-variant").status_code == 404
    assert "not a significant eQTL" in portal.get("/variant/chr1_153260000_G_A_b38").text
    html = expression_only.get("/variant/chr1_159680000_A_G_b38").text
    assert 'id="no-eqtl-release"' in html and "plotly" not in html


def test_tissue_page__samples_by_sex_and_age_top_and_specific_genes(portal: TestClient) -> None:
    html = portal.get("/tissue/Lung").text
    assert "Lung" in html and 'id="age-sex"' in html and 'id="breakdown-table"' in html
    assert 'id="top-table"' in html and "No gene is highest in this tissue" in html
    assert 'id="specific-table"' in portal.get("/tissue/Whole_Blood").text
    assert "/api/v2/expression/topExpressedGene?tissueSiteDetailId=Lung" in html
    assert "/api/v2/dataset/sample?tissueSiteDetailId=Lung" in html
    assert "MT-CO1" not in html.split('id="top-table"')[1].split("</table>")[0]
    with_mt = portal.get("/tissue/Lung", params={"mt": "true"}).text
    assert "MT-CO1" in with_mt.split('id="top-table"')[1].split("</table>")[0]


def test_tissue_page__ontology_redirects_unknown_404(portal: TestClient) -> None:
    r = portal.get("/tissue/UBERON:0008952", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/tissue/Lung"
    assert portal.get("/tissue/Nowhere").status_code == 404


def test_downloads_page__files_sizes_checksums_columns(portal: TestClient, portal_store) -> None:  # type: ignore[no-untyped-def]
    html = portal.get("/downloads").text
    manifest = portal_store.manifest
    for table in manifest["tables"].values():
        for rel, meta in table["files"].items():
            assert rel in html and meta["sha256"] in html, rel
    assert "pval_nominal_threshold" in html and "gene-level nominal p threshold" in html
    data = portal.get("/downloads.json").json()
    assert data["datasetId"] == portal_store.dataset_id
    assert {t["name"] for t in data["tables"]} == {
        n for n, t in manifest["tables"].items() if t["files"]}


def test_download_file__only_manifest_files(portal: TestClient, portal_store) -> None:  # type: ignore[no-untyped-def]
    base = f"/downloads/{portal_store.dataset_id}"
    r = portal.get(f"{base}/genes.parquet")
    assert r.status_code == 200
    assert r.content == (portal_store.path / "genes.parquet").read_bytes()
    assert portal.get(f"{base}/manifest.json").status_code == 404
    assert portal.get(f"{base}/donors.parquet").status_code == 404  # individual-level
    assert portal.get(f"/downloads/other/{'genes.parquet'}").status_code == 404


def test_static__plotly_served_from_installed_package(portal: TestClient) -> None:
    r = portal.get("/static/vendor/plotly.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert b"plotly.js" in r.content[:2000]


def test_static__plotly_gzipped_when_accepted(portal: TestClient) -> None:
    from genotex.portal.views import plotly_js_path

    path = plotly_js_path()
    assert path is not None
    zipped = portal.get("/static/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < path.stat().st_size / 2
    assert zipped.content == path.read_bytes()  # the client inflates it
    plain = portal.get("/static/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == path.read_bytes()


def test_portal__not_in_openapi(portal: TestClient) -> None:
    paths = portal.get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/") for p in paths)


def test_tissue_specific_genes__sql_tau_matches_kernel(portal_store) -> None:  # type: ignore[no-untyped-def]
    from genotex.expression.specificity import tau

    rows = portal_store.tissue_specific_genes("Whole_Blood").rows
    assert rows and [r["tau"] for r in rows] == sorted((r["tau"] for r in rows), reverse=True)
    medians = portal_store.median_expression([r["gencodeId"] for r in rows]).to_pandas()
    matrix = medians.pivot(index="gencodeId", columns="tissueSiteDetailId", values="median")
    expected = tau(matrix.fillna(0.0))
    for r in rows:
        assert r["tau"] == pytest.approx(expected[r["gencodeId"]], rel=1e-9)
