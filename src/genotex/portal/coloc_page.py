"""The colocalization page: upload GWAS summary statistics, pick a region (or take the GWAS
lead ± 500 kb), and run coloc.abf against every tissue's eQTL genes in the region.

The work uses the pipeline's own pieces: :func:`genotex.io.sumstats.read_gwas_sumstats` reads
the upload, :func:`genotex.coloc.harmonize_gwas` aligns it to the release's variants and
:func:`genotex.coloc.coloc_abf` tests each tissue × gene on the release's nominal pairs (read
through the store; N = the tissue's genotyped samples, MAF from the pairs).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from genotex.api.routes.coloc import coloc_page as coloc_rows
from genotex.coloc import coloc_abf, harmonize_gwas
from genotex.errors import InputError
from genotex.io.sumstats import read_gwas_sumstats
from genotex.portal.gene_extras import api_url, neg_log10
from genotex.portal.search import parse_query
from genotex.store import Store
from genotex.store.more_queries import MAX_REGION

router = APIRouter(include_in_schema=False)

#: Largest accepted upload (bytes).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Half-width of the locus around the GWAS lead when no region is given.
LEAD_WINDOW = 500_000
#: Most nominal pairs read for one region.
MAX_PAIRS = 100_000
#: Tissue × gene tests whose per-SNP points the page keeps for the LocusCompare plot.
SCATTER_PAIRS = 20
#: Rows of the release's stored colocalizations shown under the form.
STORED_ROWS = 100


class UploadTooLarge(Exception):
    """The upload exceeded :data:`MAX_UPLOAD_BYTES`."""


@dataclass
class ColocRun:
    """Everything the results page shows."""

    region: tuple[str, int, int]
    lead: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    snps: dict[str, list[list[Any]]] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        chrom, start, end = self.region
        return {"region": {"chromosome": chrom, "start": start, "end": end},
                "leadVariantId": self.lead, "results": self.rows, "harmonization": self.report,
                "messages": self.messages, "snps": self.snps}


async def save_upload(upload: UploadFile, folder: Path) -> Path:
    """Copy an upload to ``folder`` in chunks, refusing more than ``MAX_UPLOAD_BYTES``."""
    name = Path(upload.filename or "gwas.txt").name
    suffix = ".gz" if name.endswith(".gz") else ".txt"
    path = folder / f"gwas{suffix}"
    size = 0
    with path.open("wb") as fh:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UploadTooLarge
            fh.write(chunk)
    return path


def choose_region(gwas: pd.DataFrame, region_text: str) -> tuple[tuple[str, int, int], str | None]:
    """The region to test: the one given, else the GWAS lead ± :data:`LEAD_WINDOW`."""
    if region_text.strip():
        q = parse_query(region_text.strip())
        if q.kind != "region" or q.chrom is None or q.start is None or q.end is None:
            raise InputError("region", f"{region_text!r} is not a region",
                             "write it as chr1:1,000,000-2,000,000", line=None)
        if q.end - q.start > MAX_REGION:
            raise InputError("region", f"the region is longer than {MAX_REGION:,} bp",
                             "pick a region of at most 2 Mb")
        return (q.chrom, q.start, q.end), None
    lead = gwas.loc[gwas["p_value"].idxmin()]
    pos = int(lead["base_pair_location"])
    return (str(lead["chromosome"]), max(1, pos - LEAD_WINDOW), pos + LEAD_WINDOW), None


def _release_variants(store: Store, region: tuple[str, int, int]) -> pd.DataFrame:
    rows = store.variants_by_location(*region, items_per_page=MAX_PAIRS).rows
    v = pd.DataFrame(rows, columns=["variantId", "chromosome", "pos", "ref", "alt"])
    return v.rename(columns={"variantId": "variant_id", "chromosome": "chrom"})


def _egenes(store: Store) -> dict[str, set[str]]:
    if not store.has_table("egenes"):
        return {}
    out: dict[str, set[str]] = {}
    for r in store.egenes(items_per_page=100_000).rows:
        out.setdefault(r["tissueSiteDetailId"], set()).add(r["gencodeId"])
    return out


def _tissue_n(store: Store) -> dict[str, int]:
    return {t["tissueSiteDetailId"]: int(t["eqtlSampleSummary"]["totalCount"] or 0)
            for t in store.tissues(items_per_page=1_000).rows}


def _gwas_dataset(g: pd.DataFrame, maf: np.ndarray, settings: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = {"snp": g.index.to_numpy(), "beta": g["beta"].to_numpy(np.float64),
                         "varbeta": g["standard_error"].to_numpy(np.float64) ** 2,
                         "type": settings["trait_type"], "MAF": maf}
    n = settings.get("n") or (float(g["n"].median()) if g["n"].notna().any() else None)
    if n:
        d["N"] = float(n)
    if settings["trait_type"] == "cc" and settings.get("s"):
        d["s"] = float(settings["s"])
    if settings["trait_type"] == "quant" and "N" not in d:
        d["sdY"] = 1.0
    return d


def run_coloc_region(store: Store, gwas: pd.DataFrame, region: tuple[str, int, int], *,
                     settings: dict[str, Any]) -> ColocRun:
    """coloc.abf of the GWAS against every tissue's eGenes with nominal pairs in ``region``."""
    chrom, start, end = region
    run = ColocRun(region=region, lead=None)
    local = gwas.loc[(gwas["chromosome"] == chrom) & gwas["base_pair_location"].between(start, end)]
    harm = harmonize_gwas(local.drop(columns=["variant_id"]), _release_variants(store, region))
    t = harm.table
    ok = np.isfinite(t["beta"].to_numpy(np.float64)) & (t["standard_error"].to_numpy() > 0)
    gw = t.loc[ok].drop_duplicates("variant_id").set_index("variant_id")
    run.report = {"n_in_region": len(local), **harm.report,
                  "unusable_effect": int((~ok).sum()), "matched": len(gw)}
    if gw.empty:
        run.messages.append("no GWAS variant in the region matched the release's variants")
        return run
    run.lead = str(gw["p_value"].idxmin())
    if not store.has_table("nominal_pairs"):
        run.messages.append("this release holds no nominal eQTL pairs to colocalize with")
        return run
    pairs = store.nominal_pairs(region=region, items_per_page=MAX_PAIRS).to_pandas()
    egenes, n_by_tissue = _egenes(store), _tissue_n(store)
    for (tissue, gene), p in pairs.groupby(["tissueSiteDetailId", "gencodeId"], sort=True):
        if egenes and gene not in egenes.get(tissue, set()):
            continue
        p = p.loc[p["variantId"].isin(gw.index) & (p["nesSe"] > 0) & (p["maf"] > 0)]
        if p.empty:
            continue
        g = gw.loc[p["variantId"].to_numpy()]
        maf = p["maf"].to_numpy(np.float64)
        eqtl = {"snp": p["variantId"].to_numpy(), "beta": p["nes"].to_numpy(np.float64),
                "varbeta": p["nesSe"].to_numpy(np.float64) ** 2, "type": "quant", "MAF": maf}
        n = n_by_tissue.get(str(tissue)) or int(np.median(1 / (2 * maf * (1 - maf)
                                                               * eqtl["varbeta"])))
        eqtl["N"] = n
        res = coloc_abf(_gwas_dataset(g, maf, settings), eqtl)
        pp = res.summary.iloc[1:].to_numpy(np.float64)
        key = f"{tissue}|{gene}"
        run.rows.append({"tissueSiteDetailId": tissue, "gencodeId": gene,
                         "geneSymbol": p["geneSymbol"].iat[0], "nsnps": int(res.summary["nsnps"]),
                         "N": n, **{f"ppH{h}": float(pp[h]) for h in range(5)}, "key": key})
        run.snps[key] = [[v, pos, neg_log10(pg), neg_log10(pe)] for v, pos, pg, pe in zip(
            p["variantId"], p["pos"], g["p_value"], p["pValue"], strict=True)]
    run.rows.sort(key=lambda r: -r["ppH4"])
    keep = {r["key"] for r in run.rows[:SCATTER_PAIRS]}
    run.snps = {k: v for k, v in run.snps.items() if k in keep}
    if not run.rows:
        run.messages.append("no tissue has eGene nominal pairs on the matched variants here")
    return run


def _settings(trait_type: str, n: str, s: str) -> dict[str, Any]:
    def num(text: str, name: str) -> float | None:
        if not text.strip():
            return None
        try:
            return float(text)
        except ValueError:
            raise InputError(name, f"{text!r} is not a number", f"give {name} as a number",
                             line=None) from None
    return {"trait_type": "cc" if trait_type == "cc" else "quant", "n": num(n, "N"),
            "s": num(s, "case fraction")}


def _form_page(request: Request, *, status_code: int = 200, error: str | None = None,
               run: ColocRun | None = None, column_map: dict[str, str] | None = None,
               notes: list[str] | None = None, form: dict[str, str] | None = None) -> Response:
    from genotex.portal.views import _render, _store, _tissue_colors, _tissue_lookup

    store = _store(request)
    tissues = _tissue_lookup(store)
    links: list[tuple[str, str]] = [("tissues and their eQTL sample sizes (N)",
                                     api_url("/api/v2/dataset/tissueSiteDetail"))]
    data: dict[str, Any] = {"tissues": _tissue_colors(tissues)}
    if run is not None:
        chrom, start, end = run.region
        links.insert(0, ("nominal pairs of the region (eQTL side)", api_url(
            "/api/genotex/v1/nominalPairs", chromosome=chrom, start=start, end=end)))
        data.update(run.to_json())
        data["ldApis"] = {r["key"]: api_url("/api/v2/dataset/ld", gencodeId=r["gencodeId"])
                          for r in run.rows[:SCATTER_PAIRS]}
    stored = None
    if store.has_table("coloc"):
        stored = coloc_rows(store, gene_ids=None, traits=None, tissues=None, min_pp_h4=0.0,
                            page=0, items_per_page=STORED_ROWS)
        links.append(("colocalizations stored in the release", api_url(
            "/api/genotex/v1/coloc", itemsPerPage=STORED_ROWS)))
    return _render(request, "coloc.html", status_code=status_code, error=error, run=run,
                   stored=stored,
                   column_map=column_map or {}, notes=notes or [], form=form or {},
                   tissues=tissues, max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
                   available=store.has_table("nominal_pairs"), api_links=links,
                   page_data=data)


@router.get("/coloc", response_class=HTMLResponse)
def coloc_form(request: Request) -> Response:
    """The upload form."""
    return _form_page(request)


async def _run_upload(request: Request, gwas: UploadFile, region: str, trait_type: str,
                      n: str, s: str) -> tuple[ColocRun, dict[str, str], list[str]]:
    from genotex.portal.views import _store

    with tempfile.TemporaryDirectory(prefix="genotex-coloc-") as tmp:
        path = await save_upload(gwas, Path(tmp))
        settings = _settings(trait_type, n, s)
        table = read_gwas_sumstats(path, drop_missing=True)
        chosen, _ = choose_region(table, region)
        run = run_coloc_region(_store(request), table, chosen, settings=settings)
    return run, dict(table.attrs.get("column_map", {})), list(table.attrs.get("notes", []))


Upload = Annotated[UploadFile, File(description="GWAS summary statistics (≤ 20 MB)")]


@router.post("/coloc", response_class=HTMLResponse)
async def coloc_upload(request: Request, gwas: Upload, region: Annotated[str, Form()] = "",
                       trait_type: Annotated[str, Form()] = "quant",
                       n: Annotated[str, Form()] = "", s: Annotated[str, Form()] = "",
                       output: Annotated[str, Form()] = "html") -> Response:
    """Run coloc on an uploaded GWAS; ``output=json`` answers the results as JSON."""
    form = {"region": region[:100], "trait_type": trait_type, "n": n[:30], "s": s[:30]}
    try:
        run, column_map, notes = await _run_upload(request, gwas, region[:100], trait_type,
                                                   n[:30], s[:30])
    except UploadTooLarge:
        msg = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        if output == "json":
            return JSONResponse({"detail": msg}, status_code=413)
        return _form_page(request, status_code=413, error=msg, form=form)
    except InputError as exc:
        if output == "json":
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return _form_page(request, status_code=400, error=str(exc), form=form)
    if output == "json":
        return JSONResponse({**run.to_json(), "columnMap": column_map, "notes": notes})
    return _form_page(request, run=run, column_map=column_map, notes=notes, form=form)
