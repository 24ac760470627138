"""The portal's HTML pages: server-rendered Jinja2 over the same ``store`` queries as the API.

Each page names (and links) the ``/api/v2/...`` call that returns its data; the plots are drawn
in the browser by plotly.js (served from the installed ``plotly`` package, never a CDN) from
those same API calls.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from genotex import __version__
from genotex.expression.specificity import tau
from genotex.portal.calculator import calculator_context
from genotex.portal.calculator import router as calculator_router
from genotex.portal.coloc_page import router as coloc_router
from genotex.portal.gene_extras import gene_qtl_extras
from genotex.portal.multigene import router as multigene_router
from genotex.portal.search import SearchQuery, parse_query
from genotex.store import Store
from genotex.store import tables as _tables
from genotex.store.tables import TABLES

HERE = Path(__file__).resolve().parent
#: Rows shown in the portal's tables (the API serves the rest).
TABLE_ROWS = 1_000
#: Neighbouring genes shown around a variant (bp each side).
VARIANT_WINDOW = 1_000_000
#: Tables holding individual-level data: listed on the downloads page, never served by it.
CONTROLLED_TABLES: frozenset[str] = frozenset(getattr(_tables, "CONTROLLED_TABLES", {"donors"}))
#: Sex colours of GTEx's split violins (gtex-viz ``GroupedViolin``).
SEX_COLORS = {"female": "#e67f7b", "male": "#70bcd2"}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


def _api(path: str, **params: Any) -> str:
    """A relative API URL with repeated keys for list values (GTEx style)."""
    pairs = [(k, x) for k, v in params.items() if v is not None
             for x in (v if isinstance(v, list | tuple) else [v])]
    return f"/api/v2/{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _render(request: Request, template: str, *, status_code: int = 200,
            **context: Any) -> HTMLResponse:
    store = _store(request)
    context.setdefault("api_links", [])
    return templates.TemplateResponse(
        request, template, {"store": store, "version": __version__, **context},
        status_code=status_code)


def _tissue_table(store: Store) -> list[dict[str, Any]]:
    return store.tissues(items_per_page=1_000).rows


def _tissue_lookup(store: Store) -> dict[str, dict[str, Any]]:
    return {t["tissueSiteDetailId"]: t for t in _tissue_table(store)}


def _not_found(request: Request, what: str, query: str, *, suggestions: list[dict[str, Any]]
               | None = None) -> HTMLResponse:
    return _render(request, "not_found.html", status_code=404, what=what, query=query,
                   suggestions=suggestions or [],
                   api_links=[("gene search", _api("reference/geneSearch", geneId=query))]
                   if query else [])


# --- home and search -----------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Search box, release facts and the tissue list."""
    store = _store(request)
    examples = [g["geneSymbol"] for g in store.gene_search("", items_per_page=3).rows]
    return _render(request, "home.html", info=store.dataset_info(), tissues=_tissue_table(store),
                   examples=examples, api_links=[
                       ("release facts", _api("metadata/dataset")),
                       ("tissues", _api("dataset/tissueSiteDetail")),
                   ])


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "") -> Response:
    """Resolve the search box: one hit redirects to its page, several offer a choice."""
    query = parse_query(q[:200])
    if query.kind == "empty":
        return RedirectResponse("/", status_code=303)
    if query.kind == "invalid":
        return _render(request, "not_found.html", status_code=400, what="region",
                       query=query.value, problem=query.problem, suggestions=[])
    if query.kind == "region":
        return _region(request, query)
    if query.kind in ("rsid", "variant"):
        return RedirectResponse(f"/variant/{query.value}", status_code=303)
    return _gene_choice(request, query.value) or RedirectResponse(
        f"/gene/{_store(request).genes([query.value]).rows[0]['gencodeId']}", status_code=303)


def _gene_choice(request: Request, text: str) -> HTMLResponse | None:
    """``None`` when ``text`` names exactly one gene; otherwise the choice or not-found page."""
    store = _store(request)
    exact = store.genes([text], items_per_page=50).rows
    if len(exact) == 1:
        return None
    if exact:
        return _render(request, "choose_gene.html", query=text, genes=exact, exact=True,
                       api_links=[("genes", _api("reference/gene", geneId=text))])
    prefix = store.gene_search(text, items_per_page=50).rows
    if prefix:
        return _render(request, "choose_gene.html", query=text, genes=prefix, exact=False,
                       api_links=[("gene search", _api("reference/geneSearch", geneId=text))])
    return _not_found(request, "gene", text)


def _region(request: Request, query: SearchQuery) -> HTMLResponse:
    store = _store(request)
    chrom, start, end = query.chrom or "", query.start or 0, query.end or 0
    mid, half = (start + end) // 2, (end - start + 1) // 2
    genes = store.neighbor_genes(chrom, mid, half, items_per_page=TABLE_ROWS)
    variants = store.variants_by_location(chrom, start, end, items_per_page=TABLE_ROWS)
    links = [("genes in the region", _api("reference/neighborGene", chromosome=chrom, pos=mid,
                                          bp_window=half)),
             ("variants in the region", _api("dataset/variantByLocation", chromosome=chrom,
                                             start=start, end=end))]
    return _render(request, "region.html", query=query, genes=genes, variants=variants,
                   api_links=links)


# --- gene ----------------------------------------------------------------------------------------

@router.get("/gene/{gene_id}", response_class=HTMLResponse)
def gene_page(request: Request, gene_id: str) -> Response:
    """Violins across tissues, median TPM and tau, and the gene's eQTLs in every tissue."""
    store = _store(request)
    choice = _gene_choice(request, gene_id)
    if choice is not None:
        return choice
    gene = store.genes([gene_id]).rows[0]
    if gene["gencodeId"] != gene_id:
        return RedirectResponse(f"/gene/{gene['gencodeId']}", status_code=307)
    gid = gene["gencodeId"]
    tissues = _tissue_lookup(store)
    medians = store.median_expression([gid], items_per_page=TABLE_ROWS).rows
    values = {r["tissueSiteDetailId"]: float(r["median"] or 0.0) for r in medians}
    tau_value = (float(tau([[values.get(t, 0.0) for t in tissues]])[0])
                 if len(tissues) > 1 and values else None)
    has_eqtls = store.has_table("signif_pairs")
    eqtls = (store.single_tissue_eqtls(gene_ids=[gid], items_per_page=TABLE_ROWS)
             if has_eqtls else None)
    for row in eqtls.rows if eqtls else []:
        row["log10p"] = _neg_log10(row["pValue"])
    expression_api = _api("expression/geneExpression", gencodeId=gid)
    eqtl_api = _api("association/singleTissueEqtl", gencodeId=gid)
    links = [("gene", _api("reference/gene", geneId=gid)),
             ("expression per sample (violins)", expression_api),
             ("expression per sample by sex", _api("expression/geneExpression", gencodeId=gid,
                                                   attributeSubset="sex")),
             ("median TPM", _api("expression/medianGeneExpression", gencodeId=gid))]
    if has_eqtls:
        links.append(("single-tissue eQTLs", eqtl_api))
    best = sorted(eqtls.rows if eqtls else [], key=lambda r: r["pValue"])
    eqtl_tissues = list(dict.fromkeys(r["tissueSiteDetailId"] for r in best))
    extras, extra_links, extra_data = gene_qtl_extras(
        store, gene, eqtl_tissues + [t for t in tissues if t not in eqtl_tissues])
    return _render(request, "gene.html", gene=gene, tissues=tissues,
                   medians=sorted(medians, key=lambda r: -(r["median"] or 0.0)),
                   tau=tau_value, has_eqtls=has_eqtls, eqtls=eqtls, api_links=links + extra_links,
                   **extras,
                   page_data={"gencodeId": gid, "geneSymbol": gene["geneSymbol"],
                              "chromosome": gene["chromosome"], "tss": gene["tss"],
                              "start": gene["start"], "end": gene["end"],
                              "expressionApi": expression_api,
                              "eqtlApi": eqtl_api if has_eqtls else None,
                              "tissues": _tissue_colors(tissues), "sexColors": SEX_COLORS,
                              **extra_data})


def _tissue_colors(tissues: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {t: {"name": r["tissueSiteDetail"], "color": "#" + r["colorHex"]}
            for t, r in tissues.items()}


def _neg_log10(p: float | None) -> float | None:
    if p is None or p != p:
        return None
    return 320.0 if p <= 0 else -math.log10(p)


# --- variant -------------------------------------------------------------------------------------

@router.get("/variant/{variant_id}", response_class=HTMLResponse)
def variant_page(request: Request, variant_id: str) -> Response:
    """A variant's facts, its eQTLs in all tissues and the genes around it."""
    store = _store(request)
    query = parse_query(variant_id)
    if query.kind == "rsid":
        found = store.variants(snp_id=query.value).rows
    elif query.kind == "variant":
        found = store.variants(variant_id=query.value).rows
    else:
        found = []
    if not found:
        return _not_found(request, "variant", variant_id)
    variant = found[0]
    vid = variant["variantId"]
    if vid != variant_id:
        return RedirectResponse(f"/variant/{vid}", status_code=307)
    has_eqtls = store.has_table("signif_pairs")
    eqtls = (store.single_tissue_eqtls(variant_ids=[vid], items_per_page=TABLE_ROWS)
             if has_eqtls else None)
    for row in eqtls.rows if eqtls else []:
        row["log10p"] = _neg_log10(row["pValue"])
    neighbors = store.neighbor_genes(variant["chromosome"], variant["pos"], VARIANT_WINDOW,
                                     items_per_page=TABLE_ROWS)
    tissues = _tissue_lookup(store)
    eqtl_api = _api("association/singleTissueEqtl", variantId=vid)
    links = [("variant", _api("dataset/variant", variantId=vid)),
             ("genes within 1 Mb", _api("reference/neighborGene", chromosome=variant["chromosome"],
                                        pos=variant["pos"], bp_window=VARIANT_WINDOW))]
    if has_eqtls:
        links.insert(1, ("single-tissue eQTLs", eqtl_api))
    calculator = calculator_context(store, variant, eqtls.rows if eqtls else [], neighbors.rows)
    if calculator:
        links += calculator["links"]
    return _render(request, "variant.html", variant=variant, eqtls=eqtls, has_eqtls=has_eqtls,
                   neighbors=neighbors, tissues=tissues, api_links=links, calculator=calculator,
                   page_data={"variantId": vid, "eqtlApi": eqtl_api if has_eqtls else None,
                              "ref": variant["ref"], "alt": variant["alt"],
                              "tissues": _tissue_colors(tissues),
                              "calculator": bool(calculator and calculator["autorun"])})


# --- tissue --------------------------------------------------------------------------------------

@router.get("/tissue/{tissue_id}", response_class=HTMLResponse)
def tissue_page(request: Request, tissue_id: str, mt: bool = False) -> Response:
    """Samples and donors by sex and age, top expressed and tissue-specific genes."""
    store = _store(request)
    resolved = store.resolve_tissues([tissue_id])
    if not resolved:
        return _not_found(request, "tissue", tissue_id)
    tid = resolved[0]
    if tid != tissue_id:
        return RedirectResponse(f"/tissue/{tid}", status_code=307)
    tissue = _tissue_lookup(store)[tid]
    breakdown = store.tissue_sample_breakdown(tid).rows
    top = store.top_expressed_genes(tid, filter_mt=not mt, items_per_page=50)
    specific = store.tissue_specific_genes(tid, items_per_page=50)
    links = [("tissue facts and sample summaries", _api("dataset/tissueSiteDetail")),
             ("samples", _api("dataset/sample", tissueSiteDetailId=tid)),
             ("top expressed genes", _api("expression/topExpressedGene", tissueSiteDetailId=tid,
                                          filterMtGene=str(not mt).lower()))]
    pca_api = _api("expression/expressionPca", tissueSiteDetailId=tid)
    links.append(("expression PCA", pca_api))
    for label, path, has in (("eGenes", "association/egene", "egenes"),
                             ("sGenes", "association/sgene", "sgenes")):
        if store.has_table(has):
            links.append((label, _api(path, tissueSiteDetailId=tid)))
    if specific.rows:
        ids = [g["gencodeId"] for g in specific.rows[:20]]
        links.append(("median TPM of the tissue-specific genes",
                      _api("expression/medianGeneExpression", gencodeId=ids)))
    return _render(request, "tissue.html", tissue=tissue, breakdown=breakdown, top=top,
                   specific=specific, mt=mt, api_links=links,
                   page_data={"breakdown": breakdown, "sexColors": SEX_COLORS,
                              "tissueId": tid, "pcaApi": pca_api,
                              "samplesApi": _api("dataset/sample", tissueSiteDetailId=tid),
                              "color": "#" + tissue["colorHex"],
                              "name": tissue["tissueSiteDetail"]})


# --- downloads -----------------------------------------------------------------------------------

def _release_files(store: Store) -> list[dict[str, Any]]:
    """The manifest's tables, each with its files and column descriptions."""
    out = []
    for name, entry in store.manifest["tables"].items():
        spec = TABLES.get(name)
        files = [{"path": rel, "bytes": meta.get("bytes"), "rows": meta.get("rows"),
                  "sha256": meta.get("sha256", "")} for rel, meta in sorted(entry["files"].items())]
        if not files:
            continue
        out.append({
            "name": name, "rows": entry.get("rows"), "files": files,
            "controlled": name in CONTROLLED_TABLES,
            "partition_by": entry.get("partition_by") or [],
            "doc": spec.doc if spec else "",
            "columns": [{"name": c.name, "type": str(c.type), "required": c.required,
                         "doc": c.doc} for c in spec.columns] if spec else [],
        })
    return out


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(request: Request) -> HTMLResponse:
    """The release's files with sizes, SHA-256 checksums, row counts and column descriptions."""
    store = _store(request)
    links = [("files (JSON)", "/downloads.json"), ("release facts", _api("metadata/dataset"))]
    if any(getattr(r, "path", "") == "/api/v2/dataset/fileList" for r in request.app.routes):
        links.insert(1, ("files (GTEx API)", _api("dataset/fileList")))
    return _render(request, "downloads.html", tables=_release_files(store),
                   manifest=store.manifest, api_links=links)


@router.get("/downloads.json")
def downloads_json(request: Request) -> JSONResponse:
    """The downloads page as JSON (its data twin)."""
    store = _store(request)
    return JSONResponse({"datasetId": store.dataset_id,
                         "schemaVersion": store.manifest.get("schema_version"),
                         "created": store.manifest.get("created"),
                         "tables": _release_files(store)})


@router.get("/downloads/{dataset_id}/{path:path}")
def download_file(request: Request, dataset_id: str, path: str) -> FileResponse:
    """One open-access file of the release; only paths listed in its manifest are served."""
    store = _store(request)
    listed = {rel for name, entry in store.manifest["tables"].items()
              if name not in CONTROLLED_TABLES for rel in entry["files"]}
    if dataset_id != store.dataset_id or path not in listed:
        raise HTTPException(404, "No such file in this release.")
    return FileResponse(store.path / path, filename=Path(path).name,
                        media_type="application/vnd.apache.parquet")


# --- mounting ------------------------------------------------------------------------------------

def plotly_js_path() -> Path | None:
    """``plotly.min.js`` shipped inside the installed ``plotly`` Python package, if any."""
    spec = importlib.util.find_spec("plotly")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "package_data" / "plotly.min.js"
        if path.is_file():
            return path
    return None


@functools.cache
def _gzipped(path: Path) -> bytes:
    """``path`` gzip-compressed, once per process (plotly.min.js: 4.8 MB → ~1.4 MB)."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def _plotly_js(request: Request) -> Response:
    path = plotly_js_path()
    if path is None:
        raise HTTPException(404, "plotly.js is not installed (pip install plotly)")
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(_gzipped(path), media_type="text/javascript",
                        headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, media_type="text/javascript", headers=headers)


def mount_portal(app: FastAPI) -> None:
    """Serve the portal's pages at ``/`` and its static files at ``/static`` on ``app``.

    The pages read ``app.state.store`` (set by :func:`genotex.api.create_app`).
    """
    app.add_api_route("/static/vendor/plotly.min.js", _plotly_js, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="portal-static")
    app.include_router(router)
    app.include_router(calculator_router)
    app.include_router(multigene_router)
    app.include_router(coloc_router)
