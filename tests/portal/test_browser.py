"""Real-browser tests: Debian's headless Chromium against a uvicorn server on 127.0.0.1.

``test_violins__*`` need only ``/usr/bin/chromium`` (``--dump-dom`` after the scripts ran);
``test_researcher_flow`` drives the same Chromium through Playwright (``executable_path``; no
browser download) when the ``playwright`` package is installed. Both skip cleanly otherwise.
Screenshots go to ``$GENOTEX_TEST_ARTIFACTS`` (default: the test's tmp folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genotex.store import Store

from .browser import CHROMIUM_FLAGS, chromium, dump_dom, serve_for_browser

CRP = "ENSG00000132693.12"
pytestmark = pytest.mark.external


@pytest.fixture(scope="module")
def base_url(portal_store: Store) -> Iterator[str]:
    with serve_for_browser(portal_store) as url:
        yield url


def test_violins__one_per_tissue_drawn_by_plotly(base_url: str, tmp_path: Path) -> None:
    dom = dump_dom(f"{base_url}/gene/{CRP}", tmp_path / "profile")
    assert re.search(r'id="violin"[^>]*data-rendered="true"', dom), dom[:3000]
    assert len(re.findall(r'<path class="violin"', dom)) == 3  # Liver, Lung, Whole Blood
    assert "Gene expression (TPM)" in dom and "Tissue (number of samples)" in dom
    assert re.search(r'id="bubble"[^>]*data-rendered="true"', dom)


def test_violins__log_scale_split_by_sex(base_url: str, tmp_path: Path) -> None:
    dom = dump_dom(f"{base_url}/gene/{CRP}#log,sex", tmp_path / "profile")
    assert re.search(r'data-scale="log"', dom) and re.search(r'data-subset="sex"', dom)
    assert "Gene expression (log10(TPM+1))" in dom
    assert ">Female<" in dom and ">Male<" in dom


def _launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(chromium()),
                                      args=[f for f in CHROMIUM_FLAGS if f != "--headless"])


def _first_render_ms(page: Any) -> float:
    """First contentful paint of the last navigation, by the browser's own clock (ms)."""
    return float(page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || "
        "performance.getEntriesByType('navigation')[0]).startTime || "
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"))


def test_researcher_flow(base_url: str, artifacts: Path) -> None:
    """search → gene page → violins → log + sex → eQTL → variant page; tissue; 390 px."""
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    hosts: set[str] = set()
    timings: dict[str, float] = {}
    with sync_api.sync_playwright() as pw:
        browser = _launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))

        page.goto(base_url + "/")
        timings["home"] = _first_render_ms(page)
        page.fill("#q-home", "CR")
        page.wait_for_selector("#suggest-home li")
        assert "CRP" in page.inner_text("#suggest-home")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/gene/{CRP}")
        page.wait_for_selector("#violin[data-rendered=true]")
        timings["gene"] = _first_render_ms(page)
        assert page.get_attribute("#violin", "data-traces") == "3"
        assert page.locator("#violin path.violin").count() == 3
        page.check("input[name=scale][value=log]")
        page.check("input[name=subset][value=sex]")
        page.wait_for_selector("#violin[data-subset=sex][data-scale=log]")
        assert "log10(TPM+1)" in page.locator("#violin .g-ytitle").text_content()
        page.wait_for_selector("#bubble[data-rendered=true]")
        page.screenshot(path=str(artifacts / "gene.png"), full_page=True)

        page.click("#eqtl-table a[href^='/variant/']")
        page.wait_for_url("**/variant/**")
        page.wait_for_selector("#bubble[data-rendered=true]")
        timings["variant"] = _first_render_ms(page)
        assert "rs3091244" in page.inner_text("h1")
        page.screenshot(path=str(artifacts / "variant.png"), full_page=True)

        page.goto(base_url + "/tissue/Whole_Blood")
        page.wait_for_selector("#age-sex[data-rendered=true]")
        timings["tissue"] = _first_render_ms(page)
        page.goto(base_url + "/downloads")
        timings["downloads"] = _first_render_ms(page)

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base_url}/gene/{CRP}")
        page.wait_for_selector("#violin[data-rendered=true]")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts / "gene-390px.png"), full_page=True)
        browser.close()
    (artifacts / "first_render_ms.txt").write_text(
        "".join(f"{k}\t{v:.0f}\n" for k, v in timings.items()))
    assert not errors, errors
    assert hosts <= {base_url.split("/")[2]}, hosts
    assert overflow <= 392, f"page is {overflow}px wide at 390px"
    assert max(timings.values()) < 3000, timings  # < 1 s on an idle machine; see README
