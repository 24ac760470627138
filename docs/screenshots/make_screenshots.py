"""Rebuild the portal screenshots of the README from the demo release.

    genotex demo --no-serve --data-dir /tmp/portal-demo
    .venv/bin/python docs/screenshots/make_screenshots.py /tmp/portal-demo/releases

Serves the CURRENT release on 127.0.0.1 and photographs three pages with Debian's headless
Chromium (``apt-get install chromium``); the gene is the eGene with the most significant
pairs, so the violins and the eQTL bubble heatmap are both on show.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from genotex.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "portal"))
from browser import dump_dom, serve

HERE = Path(__file__).resolve().parent


def main(releases: str) -> None:
    store = Store.open(releases)
    pairs = store.single_tissue_eqtls(items_per_page=100_000).rows
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p["gencodeId"]] = counts.get(p["gencodeId"], 0) + 1
    gene = max(counts, key=lambda g: counts[g])
    variant = next(p["variantId"] for p in pairs if p["gencodeId"] == gene)
    shots = {"gene.png": (f"/gene/{gene}#log", 1600), "variant.png": (f"/variant/{variant}", 900),
             "tissue.png": ("/tissue/Lung", 1100)}
    with serve(store) as url, tempfile.TemporaryDirectory() as tmp:
        for name, (path, height) in shots.items():
            dump_dom(url + path, Path(tmp) / name, height=height, screenshot=HERE / name)
            print(HERE / name)


if __name__ == "__main__":
    main(sys.argv[1])
