"""Real-browser tests of the QTL pages: Debian's headless Chromium against uvicorn on 127.0.0.1.

The eQTL calculator (3 genotype violins with a token, aggregates without), the dashboard, the
gene page's regional plot / LD triangle / m-values, the clustered expression map and the coloc
upload. Skip cleanly without ``/usr/bin/chromium`` (and, for the Playwright ones, without the
``playwright`` package). Screenshots go to ``$GENOTEX_TEST_ARTIFACTS`` (default: tmp).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genotex.config import Settings
from genotex.store import Store

from .browser import CHROMIUM_FLAGS, chromium, dump_dom, serve_for_browser
from .coloc_release import ColocRelease, gwas_from
from .conftest import TOKEN
from .test_browser import _first_render_ms
from .test_qtl_pages import PLANTED_GENE, PLANTED_REGION, PLANTED_VARIANT

CRP = "ENSG00000132693.12"
V1 = "chr1_159680000_A_G_b38"
pytestmark = pytest.mark.external


@pytest.fixture(scope="module")
def tiny_url(portal_store: Store) -> Iterator[str]:
    with serve_for_browser(portal_store, Settings(controlled_tokens=TOKEN)) as url:
        yield url


@pytest.fixture(scope="module")
def coloc_url(coloc_store: Store) -> Iterator[str]:
    with serve_for_browser(coloc_store) as url:
        yield url


class _Browser:
    """One Playwright page that records console errors and the hosts it contacts."""

    def __init__(self, pw: Any, width: int = 1280) -> None:
        self.browser = pw.chromium.launch(executable_path=str(chromium()),
                                          args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        self.page = self.browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.hosts.add(r.url.split("/")[2]))

    def check(self, base_url: str) -> None:
        self.browser.close()
        assert not self.errors, self.errors
        assert self.hosts <= {base_url.split("/")[2]}, self.hosts


def test_gene_page__regional_plot_ld_triangle_and_mvalues(tiny_url: str, tmp_path: Path) -> None:
    dom = dump_dom(f"{tiny_url}/gene/{CRP}", tmp_path / "profile", budget_ms=6000)
    assert re.search(r'id="locuszoom"[^>]*data-rendered="true"', dom), "regional plot"
    assert re.search(r'data-lead="chr1_159680000_A_G_b38"', dom)
    assert "−log10 p" in dom and "Position on chr1" in dom
    assert re.search(r'id="ld-triangle"[^>]*data-pairs="1"', dom), "LD triangle"
    assert re.search(r'id="metasoft"[^>]*data-rendered="true"', dom), "m-value plot"
    assert "m-value (posterior probability of an effect)" in dom


def test_expression_map__clustered_heatmap_with_dendrograms(tiny_url: str,
                                                            tmp_path: Path) -> None:
    url = f"{tiny_url}/expression-map?genes=CRP+CCR5+SLK+LOR+CRPP1"
    dom = dump_dom(url, tmp_path / "profile")
    m = re.search(r'id="heatmap"[^>]*', dom)
    assert m and 'data-rendered="true"' in m.group(0), dom[:2000]
    assert 'data-dendrograms="2"' in m.group(0) and 'data-genes="5"' in m.group(0)
    assert 'data-tissues="3"' in m.group(0)
    assert "class=\"hm\"" in dom or "heatmaplayer" in dom


def test_calculator__three_genotype_violins_with_token(tiny_url: str, artifacts: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = _Browser(pw)
        page = b.page
        timings = {}
        page.goto(f"{tiny_url}/variant/{V1}")
        page.wait_for_selector("#calc-plot[data-rendered=true]")
        timings["variant+calculator"] = _first_render_ms(page)
        assert page.get_attribute("#calc-plot", "data-access") == "open"
        assert page.get_attribute("#calc-plot", "data-kind") == "box"
        assert "Aggregates only" in page.inner_text("#calc-status")
        page.fill("#calc-token", TOKEN)
        page.click("#calc-run")
        page.wait_for_selector("#calc-plot[data-access=controlled][data-rendered=true]")
        assert page.get_attribute("#calc-plot", "data-genotypes") == "3"
        assert page.locator("#calc-plot path.violin").count() == 3
        title = page.locator("#calc-plot .gtitle").text_content() or ""
        assert "NES 1.155" in title and "p 8.91e-3" in title
        assert page.locator("#calc-groups tbody tr").count() == 3
        box = page.locator("#calculator").bounding_box()
        page.screenshot(path=str(artifacts / "calculator.png"), full_page=True,
                        clip={"x": 0, "y": box["y"] - 10, "width": 1280,
                              "height": box["height"] + 20})
        page.goto(f"{tiny_url}/expression-map?genes=CRP+CCR5+SLK+LOR+CRPP1")
        page.wait_for_selector("#heatmap[data-rendered=true]")
        timings["expression-map"] = _first_render_ms(page)
        page.screenshot(path=str(artifacts / "expression_map.png"), full_page=True)

        page.goto(f"{tiny_url}/eqtl-dashboard?pairs=CRP+rs3091244%0ACRP+chr1_159690000_C_T_b38"
                  "&tissue=Whole_Blood")
        page.wait_for_selector("#dash-grid[data-rendered=true]")
        timings["eqtl-dashboard"] = _first_render_ms(page)
        assert page.get_attribute("#dash-grid", "data-plots") == "2"
        assert page.locator("#dash-table tbody tr").count() == 2
        page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        widths = {}
        for path in ("/eqtl-dashboard?pairs=CRP+rs3091244&tissue=Whole_Blood",
                     "/expression-map?genes=CRP+CCR5+SLK", f"/variant/{V1}", "/coloc"):
            page.goto(tiny_url + path)
            page.wait_for_load_state("networkidle")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        b.check(tiny_url)
    (artifacts / "first_render_ms_qtl_pages.txt").write_text(
        "".join(f"{k}\t{v:.0f}\n" for k, v in timings.items()))
    assert max(timings.values()) < 3000, timings  # < 1 s on an idle machine
    assert all(w <= 392 for w in widths.values()), widths


def test_coloc__upload_shows_pp_h4_and_locuscompare(coloc_url: str, coloc_built: ColocRelease,
                                                    artifacts: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    gwas = tmp_path / "trait.tsv.gz"
    gwas.write_bytes(gzip.compress(
        gwas_from(coloc_built, PLANTED_VARIANT).to_csv(sep="\t", index=False).encode()))
    with sync_api.sync_playwright() as pw:
        b = _Browser(pw)
        page = b.page
        page.goto(f"{coloc_url}/coloc")
        page.set_input_files("#coloc-file", str(gwas))
        page.fill("#coloc-region", PLANTED_REGION)
        page.click("#coloc-run")
        page.wait_for_selector("#pp-heatmap[data-rendered=true]")
        page.wait_for_selector("#locuscompare[data-rendered=true]")
        first = page.locator("#coloc-table tbody tr").first
        assert first.get_attribute("data-key") == f"Whole_Blood|{PLANTED_GENE}"
        assert float(first.locator("td").last.inner_text()) > 0.9
        assert "GWAS −log10 p" in (page.locator("#locuscompare .g-ytitle").text_content() or "")
        assert "exact" in page.inner_text("#harmonization-table")
        page.screenshot(path=str(artifacts / "coloc.png"), full_page=True)
        page.goto(f"{coloc_url}/gene/{PLANTED_GENE}")
        page.select_option("#locus-tissue", "Whole_Blood")
        page.wait_for_selector("#locuszoom[data-tissue=Whole_Blood][data-rendered=true]")
        assert page.get_attribute("#locuszoom", "data-lead") == PLANTED_VARIANT
        assert int(page.get_attribute("#locuszoom", "data-points") or 0) > 5
        page.wait_for_selector("#ld-triangle[data-rendered=true]")
        top = page.locator("#eqtls").bounding_box()["y"]
        end = page.locator("#regional").bounding_box()
        page.screenshot(path=str(artifacts / "gene_regional.png"), full_page=True,
                        clip={"x": 0, "y": top, "width": 1280,
                              "height": end["y"] + end["height"] - top})
        page.goto(f"{coloc_url}/tissue/Whole_Blood")
        page.wait_for_selector("#pca-plot[data-rendered=true]")
        assert int(page.get_attribute("#pca-plot", "data-points") or 0) > 50
        page.check("input[name=pca-color][value=ageBracket]")
        page.wait_for_selector("#pca-plot[data-color=ageBracket]")
        b.check(coloc_url)
