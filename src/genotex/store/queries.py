"""Read side of a release: read-only DuckDB views over its Parquet, one query per use.

Every query is parameterized (user values travel as ``?`` parameters, never inside the SQL
text), every list query is bounded by ``LIMIT``/``OFFSET``, and each call runs on its own
cursor, so one :class:`Store` can serve many threads. Results come back as a :class:`Page` with
the GTEx Portal API v2 field names (camelCase), convertible to pandas or Arrow.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pandas as pd
import pyarrow as pa

from genotex.errors import InputError
from genotex.store import layout
from genotex.store.manifest import read_manifest
from genotex.store.more_queries import MoreQueries
from genotex.store.rowgroups import IndexCache
from genotex.store.served_queries import ServedQueries
from genotex.store.serving import ServingIndex, ensure_serving_index
from genotex.store.tables import TABLES

#: Hard upper bound of rows per query, whatever the caller asks.
MAX_LIMIT = 100_000
#: Upper bound of values in one list filter (GTEx caps gencodeId lists at 60,000).
MAX_LIST = 60_000
#: Tables copied into memory when a Store opens, with ART indexes on these columns, so that
#: lookups by gene or variant are index scans instead of Parquet scans (see ``Store``).
INDEXED_TABLES: Mapping[str, tuple[str, ...]] = {
    "genes": ("gene_id",),
    "variants": ("variant_id", "rs_id"),
    "median_expression": ("gene_id",),
    "egenes": ("gene_id",),
    "signif_pairs": ("gene_id", "variant_id"),
}
#: Most genes per geneExpression request served through row-group indexes (more: one SQL scan).
MAX_INDEXED_GENES = 50
#: Set per request by the API's timeout middleware: every cursor a query opens while serving the
#: request is passed to this callback, which may ``interrupt()`` it when the request runs late.
CURSOR_WATCH: ContextVar[Callable[[duckdb.DuckDBPyConnection], None] | None] = ContextVar(
    "genotex_cursor_watch", default=None)


@dataclass(frozen=True)
class Page:
    """One page of a query: ``rows`` (dicts of JSON-ready values) and the total match count."""

    rows: list[dict[str, Any]]
    total: int
    columns: tuple[str, ...] = ()

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(self.columns) or None)

    def to_arrow(self) -> pa.Table:
        return pa.Table.from_pylist(self.rows)


def _in(column: str, values: Sequence[Any]) -> str:
    """``column IN (?, ?, ...)`` with one placeholder per value (the values go as params)."""
    return f"{column} IN ({', '.join('?' for _ in values)})"


def _bounded(values: Sequence[Any] | None) -> list[Any] | None:
    if values is None:
        return None
    if len(values) > MAX_LIST:
        raise InputError(None, f"{len(values)} values in one filter",
                         f"send at most {MAX_LIST} per request")
    return list(dict.fromkeys(values))


class Store(ServedQueries, MoreQueries):
    """A read-only handle on one release.

    Parameters
    ----------
    release
        The release folder (``<root>/<datasetId>``, holding ``manifest.json``).
    in_memory
        Copy the tables of :data:`INDEXED_TABLES` into memory with ART indexes (single-gene and
        single-variant lookups take about a millisecond instead of scanning Parquet; a
        GTEx-scale release needs about 1 GB and a few seconds per process). ``False`` reads
        every table from Parquet.
    serving_index
        Answer single-gene/variant lookups (geneExpression, medianGeneExpression,
        singleTissueEqtl, gene symbols) from the release's memory-mapped serving index
        (:mod:`genotex.store.serving`), building it first when it is missing or stale. The
        answers equal the DuckDB queries'.

    Examples
    --------
    >>> import tempfile
    >>> from genotex.testing import build_tiny_release
    >>> store = Store(build_tiny_release(tempfile.mkdtemp()))
    >>> store.genes(["CRP"]).rows[0]["gencodeId"]
    'ENSG00000132693.12'
    """

    def __init__(self, release: str | Path, *, in_memory: bool = True,
                 serving_index: bool = False) -> None:
        self.path = Path(release).resolve()
        self.manifest = read_manifest(self.path)
        self.dataset_id: str = self.manifest["dataset_id"]
        self.metadata: dict[str, Any] = dict(self.manifest.get("metadata") or {})
        self.tables = frozenset(
            n for n, t in self.manifest["tables"].items() if t["files"] and n in TABLES
        )
        self._lock = threading.Lock()
        self._row_groups = IndexCache()
        self._con = duckdb.connect(database=":memory:")
        self._con.execute("SET enable_progress_bar = false")
        for name, spec in TABLES.items():
            glob = self.manifest["tables"][name]["glob"] if name in self.tables else None
            location = None if glob is None else str(self.path / glob)
            self._con.execute(layout.view_sql(spec, location))
        if in_memory:
            self._index_tables()
        self._con.execute("SET parquet_metadata_cache = true")
        # defence in depth: the connection may read this release and nothing else
        self._con.execute("SET allowed_directories = ?", [[str(self.path) + "/"]])
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")
        self._tissue_ids = self._load_tissue_ids()
        self.serving: ServingIndex | None = None
        if serving_index:
            ensure_serving_index(self.path)
            self.serving = ServingIndex(self.path)

    def _index_tables(self) -> None:
        """Replace the views of :data:`INDEXED_TABLES` by indexed in-memory tables."""
        for name, columns in INDEXED_TABLES.items():
            if name not in self.tables:
                continue
            self._con.execute(f'CREATE TABLE "_{name}" AS SELECT * FROM "{name}"')
            self._con.execute(f'DROP VIEW "{name}"')
            self._con.execute(f'ALTER TABLE "_{name}" RENAME TO "{name}"')
            for column in columns:
                self._con.execute(f'CREATE INDEX "{name}_{column}" ON "{name}" ("{column}")')

    @classmethod
    def open(cls, root: str | Path, dataset_id: str | None = None, *,
             in_memory: bool = True, serving_index: bool = False) -> Store:
        """Open release ``dataset_id`` under ``root``, or the one named by ``root/CURRENT``."""
        root = Path(root)
        if dataset_id is None:
            dataset_id = layout.current_release(root)
            if dataset_id is None:
                raise InputError(root, "no CURRENT release pointer",
                                 "build a release or pass its datasetId")
        return cls(layout.release_dir(root, dataset_id), in_memory=in_memory,
                   serving_index=serving_index)

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self._con.cursor()
        try:
            watch = CURSOR_WATCH.get()
            if watch is not None:
                watch(cur)
            yield cur
        finally:
            cur.close()

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self._cursor() as cur:
            result = cur.execute(sql, list(params))
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def _page(self, sql: str, params: Sequence[Any], order_by: str, page: int,
              items_per_page: int) -> Page:
        """Count the matches of ``sql`` and fetch one ordered, bounded page of them.

        ``sql`` runs once, as a materialized CTE: its rows are counted and the page is cut from
        them (a Top-N over the bare query would push a dynamic filter into the scan, which
        turns an index scan into a full one).
        """
        limit = max(1, min(int(items_per_page), MAX_LIMIT))
        offset = max(0, int(page)) * limit
        with self._cursor() as cur:
            result = cur.execute(
                f"WITH _q AS MATERIALIZED ({sql}) SELECT *, (SELECT count(*) FROM _q) AS "
                f"_total FROM _q ORDER BY {order_by} LIMIT ? OFFSET ?", [*params, limit, offset])
            names = tuple(d[0] for d in result.description)[:-1]
            fetched = result.fetchall()
            if fetched:
                total = int(fetched[0][-1])
            else:
                count = cur.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchone()
                total = int(count[0]) if count else 0
            rows = [dict(zip(names, row[:-1], strict=True)) for row in fetched]
        return Page(rows, total, names)

    # --- helpers ---------------------------------------------------------------------------------

    def _load_tissue_ids(self) -> dict[str, str]:
        rows = self._rows("SELECT tissue_id, ontology_id FROM tissues", [])
        ids = {r["tissue_id"]: r["tissue_id"] for r in rows}
        for r in rows:  # ontology IDs resolve to the first tissue carrying them
            ids.setdefault(r["ontology_id"], r["tissue_id"])
        return ids

    def resolve_tissues(self, tissues: Sequence[str] | None) -> list[str] | None:
        """Map tissue IDs or ontology IDs to tissue IDs; unknown values are dropped.

        ``None`` (no filter) stays ``None``; a filter whose values are all unknown becomes
        ``[]`` and matches nothing.
        """
        if tissues is None:
            return None
        return list(dict.fromkeys(self._tissue_ids[t] for t in tissues if t in self._tissue_ids))

    def _resolve_variants(self, variant_ids: Sequence[str], *,
                          served: bool = False) -> list[str]:
        """Variant IDs, with dbSNP rsIDs (``rs123``) translated to variant IDs."""
        rs = [v for v in variant_ids if v.lower().startswith("rs")]
        out = [v for v in variant_ids if not v.lower().startswith("rs")]
        if rs and served and self.serving is not None and self.serving.has_rs:
            out += self.serving.variants_of_rs(rs)
        elif rs:
            found = self._rows(f"SELECT variant_id FROM variants WHERE {_in('rs_id', rs)}", rs)
            out += [r["variant_id"] for r in found]
        return out

    @property
    def gencode_version(self) -> str:
        return str(self.metadata.get("gencode_version", "v26"))

    @property
    def genome_build(self) -> str:
        return str(self.metadata.get("genome_build", "GRCh38/hg38"))

    def has_table(self, name: str) -> bool:
        return name in self.tables

    # --- reference ------------------------------------------------------------------------------

    def _gene_select(self) -> tuple[str, list[Any]]:
        sql = """SELECT chrom AS chromosome, coalesce(data_source, '') AS dataSource,
            description, "end", entrez_gene_id AS entrezGeneId, gene_id AS gencodeId,
            ? AS gencodeVersion, coalesce(gene_status, '') AS geneStatus,
            gene_name AS geneSymbol, upper(gene_name) AS geneSymbolUpper,
            replace(gene_type, '_', ' ') AS geneType, ? AS genomeBuild, start, strand, tss
            FROM genes"""
        return sql, [self.gencode_version, self.genome_build]

    def genes(self, gene_ids: Sequence[str], *, page: int = 0,
              items_per_page: int = 250) -> Page:
        """Genes by symbol (any case), versioned or unversioned GENCODE ID."""
        ids = _bounded(gene_ids) or []
        if not ids:
            return Page([], 0)
        sql, params = self._gene_select()
        upper = [i.upper() for i in ids]
        unversioned = _in("split_part(gene_id, '.', 1)", ids)
        where = (f" WHERE {_in('gene_id', ids)} OR {_in('upper(gene_name)', upper)}"
                 f" OR {unversioned}")
        return self._page(sql + where, [*params, *ids, *upper, *ids], "gencodeId",
                          page, items_per_page)

    def gene_search(self, query: str, *, page: int = 0, items_per_page: int = 250) -> Page:
        """Genes whose symbol or GENCODE ID starts with ``query`` (case-insensitive)."""
        sql, params = self._gene_select()
        where = " WHERE starts_with(upper(gene_name), ?) OR starts_with(upper(gene_id), ?)"
        q = query.upper()
        return self._page(sql + where, [*params, q, q], "geneSymbol, gencodeId",
                          page, items_per_page)

    def neighbor_genes(self, chrom: str, pos: int, window: int, *, page: int = 0,
                       items_per_page: int = 250) -> Page:
        """Genes overlapping ``[pos - window, pos + window]`` on ``chrom``."""
        sql, params = self._gene_select()
        where = ' WHERE chrom = ? AND "end" >= ? AND start <= ?'
        return self._page(sql + where, [*params, chrom, pos - window, pos + window],
                          "start, gencodeId", page, items_per_page)

    # --- dataset --------------------------------------------------------------------------------

    def _sample_summaries(self, *, eqtl_only: bool) -> dict[str, dict[str, Any]]:
        """tissue_id → GTEx SexBasedSummary of its samples (only genotyped ones if asked)."""
        rows = self._rows(
            f"""SELECT s.tissue_id, d.sex, count(*) AS n, min(d.age) AS ageMin,
                       max(d.age) AS ageMax, round(avg(d.age), 1) AS ageMean
                FROM samples s JOIN donors d USING (donor_id)
                {"WHERE s.has_genotype" if eqtl_only else ""}
                GROUP BY s.tissue_id, d.sex""", [])
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            summary = out.setdefault(r["tissue_id"], _empty_summary())
            summary["totalCount"] += r["n"]
            if r["sex"] in ("female", "male"):
                summary[r["sex"]] = {"ageMax": r["ageMax"], "ageMin": r["ageMin"],
                                     "ageMean": r["ageMean"], "count": r["n"]}
        return out

    def tissues(self, *, page: int = 0, items_per_page: int = 250) -> Page:
        """Tissues with colours, ontology IDs, eGene/sGene counts and sample summaries."""
        sql = """SELECT t.tissue_id AS tissueSiteDetailId,
                upper(ltrim(t.color_hex, '#')) AS colorHex, t.color_hex AS _hex, ? AS datasetId,
                e.n AS eGeneCount, t.expressed_gene_count AS expressedGeneCount,
                coalesce(e.n, 0) > 0 AS hasEGenes, coalesce(sg.n, 0) > 0 AS hasSGenes,
                coalesce(t.mapped_in_hubmap, false) AS mappedInHubmap,
                sg.n AS sGeneCount, coalesce(t.sampling_site, '') AS samplingSite,
                t.tissue_site AS tissueSite, t.tissue_name AS tissueSiteDetail,
                t.abbreviation AS tissueSiteDetailAbbr, t.ontology_id AS ontologyId,
                'http://purl.obolibrary.org/obo/' || replace(t.ontology_id, ':', '_')
                    AS ontologyIri
            FROM tissues t
            LEFT JOIN (SELECT tissue_id, count(*)::BIGINT AS n FROM egenes WHERE qval <= 0.05
                       GROUP BY tissue_id) e USING (tissue_id)
            LEFT JOIN (SELECT tissue_id, count(*)::BIGINT AS n FROM sgenes WHERE qval <= 0.05
                       GROUP BY tissue_id) sg USING (tissue_id)"""
        result = self._page(sql, [self.dataset_id], "tissueSiteDetailId", page, items_per_page)
        eqtl = self._sample_summaries(eqtl_only=True)
        rnaseq = self._sample_summaries(eqtl_only=False)
        rows = []
        for r in result.rows:
            hex_ = r.pop("_hex").lstrip("#")
            r["colorRgb"] = ",".join(str(int(hex_[i:i + 2], 16)) for i in (0, 2, 4))
            r["eqtlSampleSummary"] = eqtl.get(r["tissueSiteDetailId"], _empty_summary())
            r["rnaSeqSampleSummary"] = rnaseq.get(r["tissueSiteDetailId"], _empty_summary())
            # counts are unknown (null), not zero, when the release has no such results
            if not self.has_table("egenes"):
                r["eGeneCount"] = None
            if not self.has_table("sgenes"):
                r["sGeneCount"] = None
            rows.append(r)
        columns = tuple(c for c in result.columns if c != "_hex")
        return Page(rows, result.total, (*columns, "colorRgb", "eqtlSampleSummary",
                                         "rnaSeqSampleSummary"))

    #: Sortable output columns of :meth:`samples` (the GTEx ``SampleSortBy`` values).
    SAMPLE_SORT: ClassVar[frozenset[str]] = frozenset({
        "sampleId", "ischemicTime", "aliquotId", "tissueSampleId", "hardyScale",
        "pathologyNotes", "ageBracket", "tissueSiteDetailId", "sex",
    })

    def samples(self, *, filters: Mapping[str, Sequence[Any] | None], sort_by: str = "sampleId",
                descending: bool = False, page: int = 0, items_per_page: int = 250) -> Page:
        """Samples joined with their donors and tissues.

        ``filters`` maps GTEx parameter names (``sampleId``, ``tissueSampleId``, ``subjectId``,
        ``ageBracket``, ``sex``, ``tissueSiteDetailId``, ``aliquotId``, ``autolysisScore``,
        ``hardyScale``, ``dataType``, ``uberonId``) to lists of accepted values.
        """
        sql = """SELECT * FROM (SELECT s.ischemic_time AS ischemicTime,
                regexp_extract(s.sample_id, '(SM-[A-Za-z0-9]+)$', 1) AS aliquotId,
                regexp_replace(s.sample_id, '-SM-[A-Za-z0-9]+$', '') AS tissueSampleId,
                t.tissue_name AS tissueSiteDetail, coalesce(s.data_type, 'RNASEQ') AS dataType,
                CASE WHEN s.ischemic_time IS NULL THEN NULL
                     WHEN s.ischemic_time <= 0 THEN '<= 0'
                     WHEN s.ischemic_time <= 300 THEN '1 - 300'
                     WHEN s.ischemic_time <= 600 THEN '301 - 600'
                     WHEN s.ischemic_time <= 900 THEN '601 - 900'
                     WHEN s.ischemic_time <= 1200 THEN '901 - 1200'
                     WHEN s.ischemic_time <= 1500 THEN '1201 - 1500'
                     ELSE '> 1500' END AS ischemicTimeGroup,
                coalesce(s.freeze_type, '') AS freezeType, s.pathology_notes AS pathologyNotes,
                s.sample_id AS sampleId, upper(s.sample_id) AS sampleIdUpper,
                d.age_bracket AS ageBracket, s.rin, d.hardy_scale AS hardyScale,
                s.tissue_id AS tissueSiteDetailId, s.donor_id AS subjectId,
                t.ontology_id AS uberonId, d.sex, s.autolysis_score AS autolysisScore,
                ? AS datasetId
            FROM samples s LEFT JOIN donors d USING (donor_id)
            LEFT JOIN tissues t USING (tissue_id))"""
        where, params = _filter_clauses(filters)
        column = sort_by if sort_by in self.SAMPLE_SORT else "sampleId"
        order = f'"{column}"' + (" DESC" if descending else "")
        return self._page(sql + where, [self.dataset_id, *params], f"{order}, sampleId",
                          page, items_per_page)

    def subjects(self, *, filters: Mapping[str, Sequence[Any] | None], page: int = 0,
                 items_per_page: int = 250) -> Page:
        """Donors; ``filters`` keys: ``sex``, ``ageBracket``, ``hardyScale``, ``subjectId``."""
        sql = """SELECT * FROM (SELECT hardy_scale AS hardyScale, age_bracket AS ageBracket,
                donor_id AS subjectId, sex, ? AS datasetId FROM donors)"""
        where, params = _filter_clauses(filters)
        return self._page(sql + where, [self.dataset_id, *params], "subjectId",
                          page, items_per_page)

    def _variant_select(self) -> tuple[str, list[Any]]:
        sql = """SELECT * FROM (SELECT coalesce(rs_id, '') AS snpId,
                coalesce(b37_variant_id, '') AS b37VariantId, pos,
                coalesce(maf >= 0.01, false) AS maf01, variant_id AS variantId, alt,
                chrom AS chromosome, upper(coalesce(rs_id, '')) AS snpIdUpper,
                ? AS datasetId, ref FROM variants)"""
        return sql, [self.dataset_id]

    def variants(self, *, variant_id: str | None = None, snp_id: str | None = None,
                 chrom: str | None = None, positions: Sequence[int] | None = None,
                 page: int = 0, items_per_page: int = 250) -> Page:
        """Variants by GTEx variant ID, by dbSNP rsID, or by chromosome and positions."""
        sql, params = self._variant_select()
        clauses: list[str] = []
        if variant_id is not None:
            clauses.append("variantId = ?")
            params.append(variant_id)
        if snp_id is not None:
            clauses.append("snpIdUpper = ?")
            params.append(snp_id.upper())
        if chrom is not None:
            clauses.append("chromosome = ?")
            params.append(chrom)
        pos = _bounded(positions)
        if pos:
            clauses.append(_in("pos", pos))
            params += pos
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._page(sql + where, params, "chromosome, pos, variantId",
                          page, items_per_page)

    def variants_by_location(self, chrom: str, start: int, end: int, *,
                             descending: bool = False, page: int = 0,
                             items_per_page: int = 250) -> Page:
        """Variants with ``start <= pos <= end`` on ``chrom``, sorted by position."""
        sql, params = self._variant_select()
        order = "pos DESC, variantId" if descending else "pos, variantId"
        return self._page(sql + " WHERE chromosome = ? AND pos BETWEEN ? AND ?",
                          [*params, chrom, start, end], order, page, items_per_page)

    def dataset_info(self) -> dict[str, Any]:
        """Counts and facts of the release, as GTEx ``metadata/dataset`` reports them."""
        counts = self._rows(
            """SELECT (SELECT count(*) FROM donors) AS subjects,
                      (SELECT count(*) FROM samples) AS samples,
                      (SELECT count(*) FROM samples WHERE has_genotype) AS geno_samples,
                      (SELECT count(DISTINCT donor_id) FROM samples WHERE has_genotype)
                          AS eqtl_subjects,
                      (SELECT count(*) FROM tissues) AS tissues,
                      (SELECT count(DISTINCT tissue_id) FROM egenes) AS eqtl_tissues""", [])[0]
        meta = self.metadata
        return {
            "datasetId": self.dataset_id,
            "dbSnpBuild": int(meta.get("dbsnp_build", 0)),
            "dbgapId": meta.get("dbgap_id"),
            "description": str(meta.get("description", "")),
            "displayName": str(meta.get("display_name", self.dataset_id)),
            "eqtlSubjectCount": counts["eqtl_subjects"],
            "eqtlTissuesCount": counts["eqtl_tissues"],
            "gencodeVersion": self.gencode_version,
            "genomeBuild": self.genome_build,
            "organization": str(meta.get("organization", "genotex")),
            "rnaSeqAndGenotypeSampleCount": counts["geno_samples"],
            "rnaSeqSampleCount": counts["samples"],
            "subjectCount": counts["subjects"],
            "tissueCount": counts["tissues"],
        }

    # --- expression -----------------------------------------------------------------------------

    def median_expression(self, gene_ids: Sequence[str], tissues: Sequence[str] | None = None,
                          *, page: int = 0, items_per_page: int = 250) -> Page:
        """Median TPM of genes (versioned GENCODE IDs) in tissues (all when ``None``)."""
        ids, tis = _bounded(gene_ids) or [], self.resolve_tissues(tissues)
        if not ids or tis == []:
            return Page([], 0)
        if self.serving is not None and self.serving.has_median:
            return self._served_median(ids, tis, page=page, items_per_page=items_per_page)
        sql = f"""SELECT median_tpm AS median, tissue_id AS tissueSiteDetailId,
                gene_id AS gencodeId FROM median_expression WHERE {_in('gene_id', ids)}"""
        params: list[Any] = [*ids]
        if tis:
            sql += " AND " + _in("tissue_id", tis)
            params += tis
        found = self._page(sql, params, "gencodeId, tissueSiteDetailId", page, items_per_page)
        names = self._gene_names([r["gencodeId"] for r in found.rows])
        ontology = self._tissue_ontology()
        rows = [{"median": r["median"], "tissueSiteDetailId": r["tissueSiteDetailId"],
                 "ontologyId": ontology.get(r["tissueSiteDetailId"]),
                 "datasetId": self.dataset_id, "gencodeId": r["gencodeId"],
                 "geneSymbol": names.get(r["gencodeId"]) or "", "unit": "TPM"}
                for r in found.rows]
        return Page(rows, found.total, ("median", "tissueSiteDetailId", "ontologyId",
                                        "datasetId", "gencodeId", "geneSymbol", "unit"))

    def _gene_names(self, gene_ids: Sequence[str]) -> dict[str, str]:
        """gene_id → symbol for these genes (an index lookup, not a join)."""
        gids = list(dict.fromkeys(gene_ids))
        if not gids:
            return {}
        if self.serving is not None and self.serving.has_genes:
            return {g: n for g, n in self._served_names(gids).items() if n is not None}
        return {r["gene_id"]: r["gene_name"] for r in self._rows(
            f"SELECT gene_id, gene_name FROM genes WHERE {_in('gene_id', gids)}", gids)}

    def gene_expression(self, gene_ids: Sequence[str], tissues: Sequence[str] | None = None,
                        *, subset: str | None = None, page: int = 0,
                        items_per_page: int = 250) -> Page:
        """Per-sample TPM arrays, one record per gene x tissue (x sex or age bracket)."""
        ids, tis = _bounded(gene_ids) or [], self.resolve_tissues(tissues)
        if not ids or tis == []:
            return Page([], 0)
        if subset is None and self.serving is not None and self.serving.has_expression:
            return self._served_expression(ids, tis, page=page, items_per_page=items_per_page)
        if subset is None and len(ids) <= MAX_INDEXED_GENES:
            files = self._partition_files("sample_expression", tis)
            if files is not None:
                return self._indexed_expression(ids, files, page=page,
                                                items_per_page=items_per_page)
        group = {"sex": "d.sex", "ageBracket": "d.age_bracket"}.get(subset or "", "NULL")
        join = ("LEFT JOIN samples s USING (sample_id) LEFT JOIN donors d USING (donor_id)"
                if group != "NULL" else "")
        where = _in("x.gene_id", ids)
        params: list[Any] = [*ids]
        if tis:
            where += " AND " + _in("x.tissue_id", tis)
            params += tis
        sql = f"""SELECT list(x.tpm ORDER BY x.sample_id) AS data,
                x.tissue_id AS tissueSiteDetailId, x.gene_id AS gencodeId,
                {group} AS subsetGroup
            FROM {self._partitions_of("sample_expression", tis)} x {join}
            WHERE {where} AND x.tpm IS NOT NULL
            GROUP BY x.gene_id, x.tissue_id, {group}"""
        found = self._page(sql, params, "gencodeId, tissueSiteDetailId, subsetGroup",
                           page, items_per_page)
        names = self._gene_names([r["gencodeId"] for r in found.rows])
        ontology = self._tissue_ontology()
        rows = [{"data": r["data"], "tissueSiteDetailId": r["tissueSiteDetailId"],
                 "ontologyId": ontology.get(r["tissueSiteDetailId"]),
                 "datasetId": self.dataset_id, "gencodeId": r["gencodeId"],
                 "geneSymbol": names.get(r["gencodeId"]) or "", "unit": "TPM",
                 "subsetGroup": r["subsetGroup"]} for r in found.rows]
        return Page(rows, found.total, ("data", "tissueSiteDetailId", "ontologyId",
                                        "datasetId", "gencodeId", "geneSymbol", "unit",
                                        "subsetGroup"))

    def _partition_files(self, table: str,
                         tissues: Sequence[str] | None) -> dict[str, Path] | None:
        """tissue_id → Parquet file of a tissue-partitioned table (``None``: not partitioned
        by tissue, or absent), for the given tissues (all when ``None``)."""
        entry = self.manifest["tables"].get(table) or {}
        if table not in self.tables or entry.get("partition_by") != ["tissue_id"]:
            return None
        out: dict[str, Path] = {}
        for rel in entry["files"]:
            tissue = Path(rel).parent.name.removeprefix("tissue_id=")
            if tissues is None or tissue in tissues:
                out[tissue] = self.path / rel
        return out

    def _indexed_expression(self, gene_ids: list[str], files: Mapping[str, Path], *,
                            page: int, items_per_page: int) -> Page:
        """:meth:`gene_expression` without subsets, read through row-group indexes."""
        found: list[tuple[str, str, list[float]]] = []
        for tissue, path in files.items():
            index = self._row_groups.get(path, "gene_id")
            table = index.lookup(gene_ids, ["sample_id", "tpm"])
            if table.num_rows == 0:
                continue
            frame = table.to_pandas().dropna(subset=["tpm"])
            for gene, rows in frame.groupby("gene_id", sort=False):
                found.append((str(gene), tissue,
                              rows.sort_values("sample_id")["tpm"].tolist()))
        found.sort(key=lambda r: (r[0], r[1]))
        limit = max(1, min(int(items_per_page), MAX_LIMIT))
        start = max(0, int(page)) * limit
        chosen = found[start:start + limit]
        names = self._gene_names([g for g, _, _ in chosen])
        ontology = self._tissue_ontology()
        rows = [{"data": data, "tissueSiteDetailId": tissue, "ontologyId": ontology.get(tissue),
                 "datasetId": self.dataset_id, "gencodeId": gene,
                 "geneSymbol": names.get(gene) or "", "unit": "TPM", "subsetGroup": None}
                for gene, tissue, data in chosen]
        return Page(rows, len(found), ("data", "tissueSiteDetailId", "ontologyId", "datasetId",
                                       "gencodeId", "geneSymbol", "unit", "subsetGroup"))

    def _partitions_of(self, table: str, tissues: Sequence[str] | None) -> str:
        """SQL source of a tissue-partitioned table: only the named tissues' files (read
        directly, skipping the glob over every partition), or the whole view.

        The file names come from the manifest (never from the request) and are quoted as SQL
        literals.
        """
        entry = self.manifest["tables"].get(table) or {}
        if not tissues or table not in self.tables or entry.get("partition_by") != [
                "tissue_id"]:
            return f'"{table}"'
        wanted = {f"tissue_id={t}" for t in tissues}
        files = [str(self.path / rel) for rel in entry["files"]
                 if Path(rel).parent.name in wanted]
        if not files:
            return f'(SELECT * FROM "{table}" WHERE false)'
        spec = TABLES[table]
        columns = ", ".join(f'"{c}"' for c in spec.column_names)
        listed = ", ".join(layout._quote_literal(f) for f in files)
        return (f"(SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = true, "
                "hive_types = {'tissue_id': 'VARCHAR'}))")

    def top_expressed_genes(self, tissue: str, *, filter_mt: bool = True, page: int = 0,
                            items_per_page: int = 250) -> Page:
        """Genes of one tissue by median TPM, highest first; optionally without chrM genes."""
        tis = self.resolve_tissues([tissue])
        if not tis:
            return Page([], 0)
        sql = """SELECT m.tissue_id AS tissueSiteDetailId, t.ontology_id AS ontologyId,
                ? AS datasetId, m.gene_id AS gencodeId, coalesce(g.gene_name, '') AS geneSymbol,
                m.median_tpm AS median, 'TPM' AS unit
            FROM median_expression m LEFT JOIN genes g USING (gene_id)
            LEFT JOIN tissues t USING (tissue_id) WHERE m.tissue_id = ?"""
        if filter_mt:
            sql += " AND coalesce(g.chrom, '') <> 'chrM' AND NOT starts_with(upper(coalesce(" \
                   "g.gene_name, '')), 'MT-')"
        return self._page(sql, [self.dataset_id, tis[0]], "median DESC, gencodeId",
                          page, items_per_page)

    # --- association ----------------------------------------------------------------------------

    def egenes(self, tissues: Sequence[str] | None = None, *, page: int = 0,
               items_per_page: int = 250) -> Page:
        """eGenes (q-value <= 0.05) of tissues (all when ``None``)."""
        tis = self.resolve_tissues(tissues)
        if tis == []:
            return Page([], 0)
        sql = """SELECT e.tissue_id AS tissueSiteDetailId, t.ontology_id AS ontologyId,
                ? AS datasetId, e.pval_beta AS empiricalPValue, e.gene_id AS gencodeId,
                coalesce(g.gene_name, '') AS geneSymbol, e.log2_afc AS log2AllelicFoldChange,
                e.pval_nominal AS pValue, e.pval_nominal_threshold AS pValueThreshold,
                e.qval AS qValue
            FROM egenes e LEFT JOIN genes g USING (gene_id) LEFT JOIN tissues t USING (tissue_id)
            WHERE e.qval <= 0.05"""
        params: list[Any] = [self.dataset_id]
        if tis:
            sql += " AND " + _in("e.tissue_id", tis)
            params += tis
        return self._page(sql, params, "tissueSiteDetailId, geneSymbol, gencodeId",
                          page, items_per_page)

    def single_tissue_eqtls(self, *, gene_ids: Sequence[str] | None = None,
                            variant_ids: Sequence[str] | None = None,
                            tissues: Sequence[str] | None = None, page: int = 0,
                            items_per_page: int = 250) -> Page:
        """Significant eQTL pairs by genes, variants (GTEx IDs or rsIDs) and tissues."""
        genes, tis = _bounded(gene_ids), self.resolve_tissues(tissues)
        served = self.serving is not None and self.serving.has_pairs and (
            genes is not None or variant_ids is not None)
        variants = None if variant_ids is None else self._resolve_variants(
            _bounded(variant_ids) or [], served=served)
        if genes == [] or variants == [] or tis == []:
            return Page([], 0)
        if served:
            return self._served_eqtls(genes, variants, tis, page=page,
                                      items_per_page=items_per_page)
        # Page the pairs alone (index scans), then look up the page's variants and genes:
        # joining the whole variants table first would scan it on every request.
        sql = """SELECT p.variant_id, p.gene_id, p.tissue_id, p.pval_nominal, p.slope,
                TRY_CAST(split_part(p.variant_id, '_', 2) AS BIGINT) AS _pos
            FROM signif_pairs p WHERE true"""
        params: list[Any] = []
        for column, values in (("p.gene_id", genes), ("p.variant_id", variants),
                               ("p.tissue_id", tis)):
            if values:
                sql += " AND " + _in(column, values)
                params += values
        pairs = self._page(sql, params, "gene_id, tissue_id, _pos, variant_id",
                           page, items_per_page)
        return Page(self._eqtl_rows(pairs.rows), pairs.total, self.EQTL_COLUMNS)

    #: Output fields of :meth:`single_tissue_eqtls` (GTEx ``SingleTissueEqtl`` order).
    EQTL_COLUMNS: ClassVar[tuple[str, ...]] = (
        "snpId", "pos", "snpIdUpper", "variantId", "geneSymbol", "pValue", "geneSymbolUpper",
        "datasetId", "tissueSiteDetailId", "ontologyId", "chromosome", "gencodeId", "nes")

    def _eqtl_rows(self, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """GTEx ``SingleTissueEqtl`` records of signif_pairs rows (variants and genes joined)."""
        if not pairs:
            return []
        vids = list(dict.fromkeys(r["variant_id"] for r in pairs))
        gids = list(dict.fromkeys(r["gene_id"] for r in pairs))
        variants = {r["variant_id"]: r for r in self._rows(
            f"SELECT variant_id, rs_id, pos, chrom FROM variants WHERE {_in('variant_id', vids)}",
            vids)}
        names = self._gene_names(gids)
        ontology = self._tissue_ontology()
        out = []
        for r in pairs:
            v = variants.get(r["variant_id"], {})
            rs = v.get("rs_id")
            symbol = names.get(r["gene_id"]) or ""
            out.append({
                "snpId": rs, "pos": r["_pos"] if v.get("pos") is None else v["pos"],
                "snpIdUpper": rs.upper() if rs is not None else None,
                "variantId": r["variant_id"], "geneSymbol": symbol, "pValue": r["pval_nominal"],
                "geneSymbolUpper": symbol.upper(), "datasetId": self.dataset_id,
                "tissueSiteDetailId": r["tissue_id"], "ontologyId": ontology.get(r["tissue_id"]),
                "chromosome": v.get("chrom") or r["variant_id"].split("_", 1)[0],
                "gencodeId": r["gene_id"], "nes": r["slope"],
            })
        return out

    def _tissue_ontology(self) -> dict[str, str]:
        """tissue_id → ontology ID (read once)."""
        cached: dict[str, str] | None = getattr(self, "_ontology", None)
        if cached is None:
            cached = {r["tissue_id"]: r["ontology_id"] for r in self._rows(
                "SELECT tissue_id, ontology_id FROM tissues", [])}
            self._ontology = cached
        return cached

    # --- portal -----------------------------------------------------------------------------------

    def tissue_sample_breakdown(self, tissue: str) -> Page:
        """Samples and donors of one tissue by sex and age bracket (the portal's tissue page)."""
        tis = self.resolve_tissues([tissue])
        if not tis:
            return Page([], 0)
        sql = """SELECT coalesce(d.sex, 'unknown') AS sex,
                coalesce(d.age_bracket, 'unknown') AS ageBracket,
                count(*)::BIGINT AS sampleCount, count(DISTINCT s.donor_id)::BIGINT AS donorCount,
                count(*) FILTER (WHERE s.has_genotype)::BIGINT AS genotypedSampleCount
            FROM samples s LEFT JOIN donors d USING (donor_id) WHERE s.tissue_id = ?
            GROUP BY ALL"""
        return self._page(sql, [tis[0]], "ageBracket, sex", 0, 1_000)

    def tissue_specific_genes(self, tissue: str, *, page: int = 0,
                               items_per_page: int = 50) -> Page:
        """Genes most specific to one tissue: highest there, ranked by tau (most specific first).

        tau is computed as in :func:`genotex.expression.specificity.tau` (``ln(TPM + 1)``, tissues
        without a median counted as 0) over every tissue of the release.
        """
        tis = self.resolve_tissues([tissue])
        if not tis:
            return Page([], 0)
        sql = """WITH x AS (SELECT gene_id, tissue_id, ln(1 + greatest(median_tpm, 0)) AS v,
                                   median_tpm FROM median_expression),
                n AS (SELECT count(DISTINCT tissue_id) AS n FROM median_expression),
                g AS (SELECT gene_id, max(v) AS mx, sum(v) AS total,
                             arg_max(tissue_id, v) AS top_tissue FROM x GROUP BY gene_id)
            SELECT x.gene_id AS gencodeId, coalesce(ge.gene_name, '') AS geneSymbol,
                x.median_tpm AS median,
                CASE WHEN g.mx > 0 AND n.n > 1 THEN (n.n - g.total / g.mx) / (n.n - 1)
                     ELSE 0.0 END AS tau
            FROM x JOIN g USING (gene_id) CROSS JOIN n LEFT JOIN genes ge USING (gene_id)
            WHERE x.tissue_id = ? AND g.top_tissue = ? AND g.mx > 0"""
        return self._page(sql, [tis[0], tis[0]], "tau DESC, median DESC, gencodeId",
                          page, items_per_page)


def _empty_summary() -> dict[str, Any]:
    blank = {"ageMax": None, "ageMin": None, "ageMean": None, "count": 0}
    return {"totalCount": 0, "female": dict(blank), "male": dict(blank)}


def _filter_clauses(filters: Mapping[str, Sequence[Any] | None]) -> tuple[str, list[Any]]:
    """``WHERE`` over output columns named by fixed keys; values go as parameters.

    Only keys that are plain identifiers are accepted; they come from route code, never from
    request input.
    """
    clauses, params = [], []
    for column, values in filters.items():
        if not column.isidentifier():
            raise ValueError(f"bad filter column {column!r}")
        vals = _bounded(values)
        if vals is None:
            continue
        if not vals:
            clauses.append("false")
            continue
        clauses.append(_in(f'"{column}"', vals))
        params += vals
    return ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params
