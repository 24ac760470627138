"""Queries behind the remaining GTEx API v2 endpoints and genotex's own nominal-pairs API.

:class:`MoreQueries` is mixed into :class:`genotex.store.queries.Store`; like every query there,
user values travel as ``?`` parameters and every list query is bounded by ``LIMIT``/``OFFSET``.
The individual-level reads (:meth:`MoreQueries.qtl_inputs`) return arrays for the eQTL
calculator; the API decides what of them a caller may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.store.tables import TABLES

if TYPE_CHECKING:
    from genotex.store.queries import Page

#: Widest region (bp) of one nominal-pairs or by-location request (the eQTL Catalogue's 1 Mb
#: region limit, doubled for whole cis windows).
MAX_REGION = 2_000_000


def _in(column: str, values: Sequence[Any]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"


@dataclass(frozen=True)
class QtlInputs:
    """What a dynamic QTL test needs, aligned on ``samples``.

    ``phenotype`` (n_samples,) normalized values; ``dosages`` (n_samples,) ALT dosages (NaN =
    missing); ``covariates`` (n_samples, n_covariates).
    """

    samples: list[str]
    phenotype: NDArray[np.float64]
    dosages: NDArray[np.float64]
    covariates: NDArray[np.float64]


class MoreQueries:
    """Query methods of the remaining endpoints (a mixin of :class:`Store`)."""

    # provided by Store
    dataset_id: str
    metadata: dict[str, Any]
    manifest: dict[str, Any]

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _page(self, sql: str, params: Sequence[Any], order_by: str, page: int,
              items_per_page: int) -> Page:
        raise NotImplementedError

    def resolve_tissues(self, tissues: Sequence[str] | None) -> list[str] | None:
        raise NotImplementedError

    def _resolve_variants(self, variant_ids: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def _gene_select(self) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    # --- helpers --------------------------------------------------------------------------------

    def resolve_variant(self, variant: str) -> str | None:
        """A GTEx variant ID for a variant ID or dbSNP rsID, ``None`` when unknown."""
        if variant.lower().startswith("rs"):
            found = self._resolve_variants([variant])
            return found[0] if found else None
        rows = self._rows("SELECT variant_id FROM variants WHERE variant_id = ?", [variant])
        if rows:
            return variant
        # a release without a variants table still knows its pairs' variants
        rows = self._rows("SELECT variant_id FROM dosages WHERE variant_id = ? LIMIT 1",
                          [variant])
        return variant if rows else None

    def _empty(self) -> Page:
        from genotex.store.queries import Page

        return Page([], 0)

    # --- reference ------------------------------------------------------------------------------

    def feature(self, feature_id: str) -> list[dict[str, Any]]:
        """Genes (symbol or GENCODE ID) or variants (rsID or variant ID) named ``feature_id``."""
        if feature_id.lower().startswith("rs") or feature_id.startswith("chr"):
            rows = self._rows(
                """SELECT 'snp' AS featureType, chrom AS chromosome, pos AS start,
                   coalesce(rs_id, '') AS snpId, variant_id AS variantId, ref, alt
                   FROM variants WHERE variant_id = ? OR upper(rs_id) = ?
                   ORDER BY variant_id LIMIT 100""", [feature_id, feature_id.upper()])
            if rows:
                return rows
        sql, params = self._gene_select()
        rows = self._rows(
            f"""SELECT gencodeVersion, "end", description, geneSymbolUpper, genomeBuild,
                geneStatus, strand, entrezGeneId, geneType, start, dataSource, gencodeId,
                geneSymbol, tss, chromosome, 'gene' AS featureType FROM ({sql})
                WHERE gencodeId = ? OR geneSymbolUpper = ? OR split_part(gencodeId, '.', 1) = ?
                ORDER BY gencodeId LIMIT 100""",
            [*params, feature_id, feature_id.upper(), feature_id])
        return rows

    # --- dataset --------------------------------------------------------------------------------

    def ld(self, gene_id: str, *, page: int = 0, items_per_page: int = 250) -> Page:
        """r² of the gene's lead-variant pairs as GTEx rows ``["var1,var2", r2]``."""
        sql = """SELECT variant_id_1 || ',' || variant_id_2 AS pair, r2 FROM ld
                 WHERE gene_id = ?"""
        return self._pairs_page(sql, [gene_id], page, items_per_page)

    def ld_by_variant(self, variant_id: str, *, page: int = 0,
                      items_per_page: int = 250) -> Page:
        """r² of every stored pair holding ``variant_id`` (distinct pairs over genes)."""
        sql = """SELECT DISTINCT variant_id_1 || ',' || variant_id_2 AS pair, r2 FROM ld
                 WHERE variant_id_1 = ? OR variant_id_2 = ?"""
        return self._pairs_page(sql, [variant_id, variant_id], page, items_per_page)

    def _pairs_page(self, sql: str, params: list[Any], page: int, items_per_page: int) -> Page:
        from genotex.store.queries import Page

        result = self._page(sql, params, "pair", page, items_per_page)
        rows: list[Any] = [[r["pair"], r["r2"]] for r in result.rows]
        return Page(rows, result.total)

    def release_files(self) -> list[dict[str, Any]]:
        """Every file of the release (from the manifest): table, relative path, bytes, rows."""
        out = []
        for name, table in sorted(self.manifest["tables"].items()):
            for rel, meta in sorted(table["files"].items()):
                out.append({"table": name, "path": rel, "bytes": int(meta.get("bytes", 0)),
                            "rows": int(meta.get("rows", 0)), "sha256": meta.get("sha256", ""),
                            "doc": TABLES[name].doc if name in TABLES else ""})
        return out

    # --- expression -----------------------------------------------------------------------------

    def expression_matrix(self, tissue: str, *, max_genes: int = 60_000) -> pd.DataFrame:
        """(n_samples, n_genes) TPM of one tissue (for the expression PCA)."""
        rows = self._rows(
            """SELECT sample_id, gene_id, tpm FROM sample_expression WHERE tissue_id = ?
               AND gene_id IN (SELECT DISTINCT gene_id FROM sample_expression
                               WHERE tissue_id = ? ORDER BY gene_id LIMIT ?)""",
            [tissue, tissue, max_genes])
        frame = pd.DataFrame(rows, columns=["sample_id", "gene_id", "tpm"])
        return frame.pivot_table(index="sample_id", columns="gene_id", values="tpm",
                                 aggfunc="first").sort_index()

    def median_matrix(self, gene_ids: Sequence[str], tissues: Sequence[str] | None
                      ) -> list[dict[str, Any]]:
        """Every median row of the genes in the tissues (unpaged; callers bound the list)."""
        result = self.median_expression(gene_ids, tissues, page=0,  # type: ignore[attr-defined]
                                        items_per_page=100_000)
        return list(result.rows)

    # --- association ----------------------------------------------------------------------------

    def _filters(self, sql: str, params: list[Any],
                 filters: Sequence[tuple[str, Sequence[Any] | None]]) -> tuple[str, list[Any]]:
        for column, values in filters:
            if values:
                sql += " AND " + _in(column, values)
                params = [*params, *values]
        return sql, params

    def independent_eqtls(self, gene_ids: Sequence[str], tissues: Sequence[str] | None = None,
                          *, page: int = 0, items_per_page: int = 250) -> Page:
        """Conditionally independent eQTLs of genes (GTEx ``IndependentEqtl`` fields)."""
        tis = self.resolve_tissues(tissues)
        if not gene_ids or tis == []:
            return self._empty()
        sql = """SELECT p.gene_id AS gencodeId, coalesce(g.gene_name, '') AS geneSymbol,
                p.variant_id AS variantId, v.rs_id AS snpId, p.tissue_id AS tissueSiteDetailId,
                t.ontology_id AS ontologyId, p.rank, p.tss_distance AS tssDistance, p.maf,
                p.pval_nominal AS pValue, p.slope AS nes,
                coalesce(v.chrom, split_part(p.variant_id, '_', 1)) AS chromosome,
                coalesce(v.pos, TRY_CAST(split_part(p.variant_id, '_', 2) AS BIGINT)) AS pos,
                ? AS datasetId
            FROM independent_eqtls p LEFT JOIN variants v USING (variant_id)
            LEFT JOIN genes g USING (gene_id) LEFT JOIN tissues t USING (tissue_id) WHERE true"""
        sql, params = self._filters(sql, [self.dataset_id],
                                    [("p.gene_id", list(gene_ids)), ("p.tissue_id", tis)])
        return self._page(sql, params, "gencodeId, tissueSiteDetailId, rank",
                          page, items_per_page)

    def single_tissue_sqtls(self, *, gene_ids: Sequence[str] | None = None,
                            variant_ids: Sequence[str] | None = None,
                            tissues: Sequence[str] | None = None, page: int = 0,
                            items_per_page: int = 250) -> Page:
        """Significant sQTL (variant, intron) pairs by genes, variants and tissues."""
        tis = self.resolve_tissues(tissues)
        variants = None if variant_ids is None else self._resolve_variants(list(variant_ids))
        if gene_ids == [] or variants == [] or tis == []:
            return self._empty()
        sql = """SELECT v.rs_id AS snpId,
                coalesce(v.pos, TRY_CAST(split_part(p.variant_id, '_', 2) AS BIGINT)) AS pos,
                upper(v.rs_id) AS snpIdUpper, p.variant_id AS variantId,
                coalesce(g.gene_name, '') AS geneSymbol, p.pval_nominal AS pValue,
                upper(coalesce(g.gene_name, '')) AS geneSymbolUpper, ? AS datasetId,
                p.tissue_id AS tissueSiteDetailId, t.ontology_id AS ontologyId,
                coalesce(v.chrom, split_part(p.variant_id, '_', 1)) AS chromosome,
                p.gene_id AS gencodeId, p.slope AS nes, p.phenotype_id AS phenotypeId
            FROM sqtls p LEFT JOIN variants v USING (variant_id)
            LEFT JOIN genes g USING (gene_id) LEFT JOIN tissues t USING (tissue_id) WHERE true"""
        sql, params = self._filters(sql, [self.dataset_id], [
            ("p.gene_id", gene_ids), ("p.variant_id", variants), ("p.tissue_id", tis)])
        return self._page(sql, params, "gencodeId, tissueSiteDetailId, phenotypeId, pos, "
                          "variantId", page, items_per_page)

    def sgenes(self, tissues: Sequence[str] | None = None, *, page: int = 0,
               items_per_page: int = 250) -> Page:
        """sGenes (q-value <= 0.05) of tissues (GTEx ``SGene`` fields)."""
        tis = self.resolve_tissues(tissues)
        if tis == []:
            return self._empty()
        sql = """SELECT coalesce(s.n_phenotypes, 1) AS nPhenotypes,
                s.pval_nominal_threshold AS pValueThreshold, s.phenotype_id AS phenotypeId,
                coalesce(g.gene_name, '') AS geneSymbol, s.pval_nominal AS pValue,
                ? AS datasetId, s.pval_beta AS empiricalPValue,
                s.tissue_id AS tissueSiteDetailId, t.ontology_id AS ontologyId,
                s.qval AS qValue, s.gene_id AS gencodeId
            FROM sgenes s LEFT JOIN genes g USING (gene_id) LEFT JOIN tissues t USING (tissue_id)
            WHERE s.qval <= 0.05"""
        sql, params = self._filters(sql, [self.dataset_id], [("s.tissue_id", tis)])
        return self._page(sql, params, "tissueSiteDetailId, geneSymbol, gencodeId",
                          page, items_per_page)

    def fine_mapping(self, gene_ids: Sequence[str], *, variant_id: str | None = None,
                     tissues: Sequence[str] | None = None, page: int = 0,
                     items_per_page: int = 250) -> Page:
        """Credible-set members of genes (GTEx ``FineMapping`` fields)."""
        tis = self.resolve_tissues(tissues)
        variants = None if variant_id is None else self._resolve_variants([variant_id])
        if not gene_ids or tis == [] or variants == []:
            return self._empty()
        sql = """SELECT ? AS datasetId, f.gene_id AS gencodeId, f.method, f.pip,
                f.set_id AS setId, f.set_size AS setSize, f.tissue_id AS tissueSiteDetailId,
                t.ontology_id AS ontologyId, f.variant_id AS variantId
            FROM finemapping f LEFT JOIN tissues t USING (tissue_id) WHERE true"""
        sql, params = self._filters(sql, [self.dataset_id], [
            ("f.gene_id", list(gene_ids)), ("f.variant_id", variants), ("f.tissue_id", tis)])
        return self._page(sql, params, "gencodeId, tissueSiteDetailId, method, setId, "
                          "variantId", page, items_per_page)

    def metasoft(self, gene_id: str, *, variant_id: str | None = None, page: int = 0,
                 items_per_page: int = 250) -> Page:
        """Multi-tissue results, one record per gene x variant with a ``tissues`` object."""
        from genotex.store.queries import Page

        variants = None if variant_id is None else self._resolve_variants([variant_id])
        if variants == []:
            return Page([], 0)
        sql = """SELECT gene_id AS gencodeId, ? AS datasetId, any_value(meta_p) AS metaP,
                variant_id AS variantId,
                list({'t': tissue_id, 'm': m_value, 'p': pval, 's': se, 'n': nes}
                     ORDER BY tissue_id) AS _tissues
            FROM metasoft WHERE gene_id = ?"""
        params: list[Any] = [self.dataset_id, gene_id]
        if variants:
            sql += " AND " + _in("variant_id", variants)
            params += variants
        sql += " GROUP BY gene_id, variant_id"
        result = self._page(sql, params, "metaP, variantId", page, items_per_page)
        rows = []
        for r in result.rows:
            tissues = {x["t"]: {"mValue": x["m"], "pValue": x["p"], "se": x["s"], "nes": x["n"]}
                       for x in r.pop("_tissues")}
            rows.append({**r, "tissues": tissues})
        return Page(rows, result.total)

    def eqtls_by_location(self, tissue: str, chrom: str, start: int, end: int,
                          *, limit: int = 100_000) -> list[dict[str, Any]]:
        """Significant eQTLs of one tissue with variants in ``[start, end]`` (IGV track)."""
        tis = self.resolve_tissues([tissue])
        if not tis:
            return []
        return self._rows(
            """SELECT * FROM (SELECT split_part(p.variant_id, '_', 1) AS chromosome,
                ? AS datasetId, p.gene_id AS gencodeId, coalesce(g.gene_name, '') AS geneSymbol,
                upper(coalesce(g.gene_name, '')) AS geneSymbolUpper, p.slope AS nes,
                p.pval_nominal AS pValue,
                TRY_CAST(split_part(p.variant_id, '_', 2) AS BIGINT) AS pos,
                v.rs_id AS snpId, p.tissue_id AS tissueSiteDetailId, p.variant_id AS variantId
              FROM signif_pairs p LEFT JOIN variants v USING (variant_id)
              LEFT JOIN genes g USING (gene_id) WHERE p.tissue_id = ?)
             WHERE chromosome = ? AND pos BETWEEN ? AND ?
             ORDER BY pos, variantId, gencodeId LIMIT ?""",
            [self.dataset_id, tis[0], chrom, start, end, limit])

    def nominal_pairs(self, *, gene_ids: Sequence[str] | None = None,
                      variant_ids: Sequence[str] | None = None,
                      region: tuple[str, int, int] | None = None,
                      tissues: Sequence[str] | None = None, page: int = 0,
                      items_per_page: int = 250) -> Page:
        """Every tested cis pair (significant or not) by genes, variants or a region."""
        tis = self.resolve_tissues(tissues)
        variants = None if variant_ids is None else self._resolve_variants(list(variant_ids))
        if gene_ids == [] or variants == [] or tis == []:
            return self._empty()
        sql = """SELECT * FROM (SELECT n.tissue_id AS tissueSiteDetailId,
                n.gene_id AS gencodeId, coalesce(g.gene_name, '') AS geneSymbol,
                n.variant_id AS variantId, v.rs_id AS snpId,
                split_part(n.variant_id, '_', 1) AS chromosome,
                TRY_CAST(split_part(n.variant_id, '_', 2) AS BIGINT) AS pos,
                n.tss_distance AS tssDistance, n.maf, n.ma_samples AS maSamples,
                n.ma_count AS maCount, n.pval_nominal AS pValue, n.slope AS nes,
                n.slope_se AS nesSe, ? AS datasetId
            FROM nominal_pairs n LEFT JOIN variants v USING (variant_id)
            LEFT JOIN genes g USING (gene_id) WHERE true"""
        sql, params = self._filters(sql, [self.dataset_id], [
            ("n.gene_id", gene_ids), ("n.variant_id", variants), ("n.tissue_id", tis)])
        if region is not None:
            # the chrom partition prunes files; genes on the chromosome hold its cis pairs
            sql += " AND n.chrom = ?"
            params.append(region[0])
        sql += ")"
        if region is not None:
            sql += " WHERE chromosome = ? AND pos BETWEEN ? AND ?"
            params += list(region)
        return self._page(sql, params, "gencodeId, tissueSiteDetailId, pos, variantId",
                          page, items_per_page)

    # --- individual-level (controlled) -----------------------------------------------------------

    def egene_threshold(self, tissue: str, gene_id: str, *, table: str = "egenes"
                        ) -> tuple[float | None, bool]:
        """(pval_nominal_threshold, is significant) of a gene/intron in a tissue."""
        key = "gene_id" if table == "egenes" else "phenotype_id"
        rows = self._rows(
            f"SELECT pval_nominal_threshold AS t, qval FROM {table} "
            f"WHERE tissue_id = ? AND {key} = ? LIMIT 1", [tissue, gene_id])
        if not rows:
            return None, False
        return rows[0]["t"], bool(rows[0]["qval"] is not None and rows[0]["qval"] <= 0.05)

    def qtl_inputs(self, tissue: str, phenotype_id: str, variant_id: str) -> QtlInputs | None:
        """Aligned phenotype, dosages and covariates for one test; ``None`` when not stored."""
        phen = self._rows(
            """SELECT sample_id, value FROM qtl_phenotypes WHERE tissue_id = ?
               AND phenotype_id = ? ORDER BY sample_id""", [tissue, phenotype_id])
        dos = self._rows("SELECT sample_id, dosage FROM dosages WHERE variant_id = ?",
                         [variant_id])
        if not phen or not dos:
            return None
        dosage = {r["sample_id"]: r["dosage"] for r in dos}
        samples = [r["sample_id"] for r in phen if r["sample_id"] in dosage]
        values = {r["sample_id"]: r["value"] for r in phen}
        cov = pd.DataFrame(self._rows(
            "SELECT sample_id, covariate_id, value FROM qtl_covariates WHERE tissue_id = ?",
            [tissue]), columns=["sample_id", "covariate_id", "value"])
        if cov.empty:
            covariates = np.empty((len(samples), 0))
        else:
            wide = cov.pivot_table(index="sample_id", columns="covariate_id", values="value",
                                   aggfunc="first")
            samples = [s for s in samples if s in wide.index]
            covariates = wide.loc[samples].to_numpy(dtype=np.float64)
        return QtlInputs(
            samples=samples,
            phenotype=np.array([values[s] for s in samples], dtype=np.float64),
            dosages=np.array([np.nan if dosage[s] is None else dosage[s] for s in samples],
                             dtype=np.float64),
            covariates=covariates)

    def sample_expression(self, gene_ids: Sequence[str], tissues: Sequence[str] | None = None,
                          *, page: int = 0, items_per_page: int = 250) -> Page:
        """Per-sample TPM with sample and donor IDs (individual-level)."""
        tis = self.resolve_tissues(tissues)
        if not gene_ids or tis == []:
            return self._empty()
        sql = """SELECT x.gene_id AS gencodeId, x.sample_id AS sampleId,
                coalesce(s.donor_id, '') AS subjectId, x.tissue_id AS tissueSiteDetailId,
                x.tpm, ? AS datasetId
            FROM sample_expression x LEFT JOIN samples s USING (sample_id) WHERE true"""
        sql, params = self._filters(sql, [self.dataset_id], [
            ("x.gene_id", list(gene_ids)), ("x.tissue_id", tis)])
        return self._page(sql, params, "gencodeId, tissueSiteDetailId, sampleId",
                          page, items_per_page)
