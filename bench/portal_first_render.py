"""First render of the portal's pages in Debian's headless Chromium, by the browser's own clock.

    .venv/bin/python bench/portal_first_render.py RELEASES_DIR [RELEASES_DIR ...]

For each release folder (e.g. the demo's ``genotex-data/releases`` and the GTEx-scale release
``bench/api_latency.py`` generates under ``bench/work/api_latency/releases``), serves it with
uvicorn on 127.0.0.1 and opens the home, gene, variant, tissue, expression-map and downloads
pages with Playwright (``executable_path=/usr/bin/chromium``, no browser download), recording
first contentful paint and the time until the page's main plot reports it was drawn. Each page
is loaded twice; the second (warm cache: plotly.min.js and DuckDB pages cached) is reported
beside the first. Writes ``bench/results/portal_first_render.md``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

from genotex.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _browser_helpers():  # the test suite's helpers that start uvicorn and find Chromium
    spec = importlib.util.spec_from_file_location("browser", ROOT / "tests/portal/browser.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module

#: first contentful paint, waited for with a buffered PerformanceObserver (2 s at most)
FCP = """() => new Promise(resolve => {
  const done = e => resolve(e ? e.startTime :
      performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
  new PerformanceObserver(list => {
    const e = list.getEntriesByName('first-contentful-paint')[0];
    if (e) done(e);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => done(null), 2000);
})"""


def _pages(url: str) -> dict[str, tuple[str, str | None]]:
    """The pages to open, for a gene with an eQTL (found through the release's own API)."""
    import httpx

    api = url + "/api/v2"
    egene = httpx.get(f"{api}/association/egene", params={"itemsPerPage": 1}).json()["data"]
    if egene:
        gene_id = egene[0]["gencodeId"]
    else:
        gene_id = httpx.get(f"{api}/reference/geneSearch",
                            params={"geneId": "ENSG", "itemsPerPage": 1}).json()["data"][0][
            "gencodeId"]
    eqtl = httpx.get(f"{api}/association/singleTissueEqtl",
                     params={"gencodeId": gene_id, "itemsPerPage": 1}).json()["data"]
    tissue = httpx.get(f"{api}/dataset/tissueSiteDetail").json()["data"][0][
        "tissueSiteDetailId"]
    pages = {"home": ("/", None), "gene": (f"/gene/{gene_id}", "#violin[data-rendered=true]"),
             "tissue": (f"/tissue/{tissue}", None),
             "expression map": (f"/expression-map?genes={gene_id}", None),
             "downloads": ("/downloads", None)}
    if eqtl:
        pages["variant"] = (f"/variant/{eqtl[0]['variantId']}", None)
    return pages


def measure(releases: Path) -> list[tuple[str, float, float, float]]:
    from playwright.sync_api import sync_playwright

    helpers = _browser_helpers()
    t0 = time.perf_counter()
    store = Store.open(releases)
    open_s = time.perf_counter() - t0
    rows = []
    with helpers.serve(store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(helpers.chromium()),
                                     args=[f for f in helpers.CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, (path, ready) in _pages(url).items():
            times = []
            for _ in range(2):
                start = time.perf_counter()
                page.goto(url + path, wait_until="load", timeout=60_000)
                fcp = float(page.evaluate(FCP))
                if ready:
                    page.wait_for_selector(ready, timeout=60_000)
                times.append((fcp, (time.perf_counter() - start) * 1000))
            rows.append((name, times[0][0], times[1][0], times[0][1]))
        browser.close()
    rows.append(("(store open, s)", open_s, float("nan"), float("nan")))
    return rows


def main(paths: list[str]) -> None:
    out = ["# Portal first render (headless Chromium, browser's own clock)", "",
           f"Load average when run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
           "`bench/portal_first_render.py`.", ""]
    for p in paths:
        store_dir = Path(p)
        rows = measure(store_dir)
        out += [f"## {store_dir}", "",
                "| page | first contentful paint, cold (ms) | warm (ms) | "
                "until drawn, cold (ms) |", "|---|---|---|---|"]
        out += [f"| {n} | {a:.0f} | {b:.0f} | {c:.0f} |" for n, a, b, c in rows[:-1]]
        out += ["", f"Opening the store took {rows[-1][1]:.1f} s (before serving).", ""]
    target = ROOT / "bench" / "results" / "portal_first_render.md"
    target.write_text("\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
