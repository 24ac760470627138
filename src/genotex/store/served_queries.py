"""The :class:`~genotex.store.Store` queries answered from the serving index.

Mixed into ``Store``: each method returns the same :class:`~genotex.store.queries.Page` as its
DuckDB twin in :mod:`genotex.store.queries` (same rows, order, totals and fields), which calls
it when ``Store.serving`` is set and the request is one the index covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genotex.store.queries import Page
    from genotex.store.serving import ServingIndex

#: Hard upper bound of rows per page (same as ``queries.MAX_LIMIT``).
_MAX_LIMIT = 100_000

EXPRESSION_COLUMNS = ("data", "tissueSiteDetailId", "ontologyId", "datasetId", "gencodeId",
                      "geneSymbol", "unit", "subsetGroup")
MEDIAN_COLUMNS = ("median", "tissueSiteDetailId", "ontologyId", "datasetId", "gencodeId",
                  "geneSymbol", "unit")


def _window(page: int, items_per_page: int) -> tuple[int, int]:
    limit = max(1, min(int(items_per_page), _MAX_LIMIT))
    start = max(0, int(page)) * limit
    return start, start + limit


class ServedQueries:
    """Index-backed twins of the hot ``Store`` queries (see the module docstring)."""

    serving: ServingIndex | None
    dataset_id: str

    def _tissue_ontology(self) -> dict[str, str]:  # provided by Store
        raise NotImplementedError

    def _page_of(self, rows: list[dict[str, Any]], total: int,
                 columns: tuple[str, ...]) -> Page:
        from genotex.store.queries import Page

        return Page(rows, total, columns)

    def _served_names(self, gene_ids: Sequence[str]) -> dict[str, str | None]:
        assert self.serving is not None
        return self.serving.gene_names(list(dict.fromkeys(gene_ids)))

    def _served_median(self, ids: list[str], tissues: list[str] | None, *, page: int,
                       items_per_page: int) -> Page:
        assert self.serving is not None
        all_genes, codes, values = self.serving.median_rows(ids, tissues)
        start, stop = _window(page, items_per_page)
        genes, codes, values = all_genes[start:stop], codes[start:stop], values[start:stop]
        names = self._served_names(genes)
        ontology = self._tissue_ontology()
        tissue_names = self.serving.tissues
        rows = []
        for gene, code, value in zip(genes, codes.tolist(), values.tolist(), strict=True):
            tissue = tissue_names[code]
            rows.append({"median": None if value != value else value,
                         "tissueSiteDetailId": tissue, "ontologyId": ontology.get(tissue),
                         "datasetId": self.dataset_id, "gencodeId": gene,
                         "geneSymbol": names.get(gene) or "", "unit": "TPM"})
        return self._page_of(rows, len(all_genes), MEDIAN_COLUMNS)

    def _served_eqtls(self, genes: list[str] | None, variants: list[str] | None,
                      tissues: list[str] | None, *, page: int, items_per_page: int) -> Page:
        assert self.serving is not None
        rows = self.serving.pair_rows(gene_ids=genes, variant_ids=variants, tissues=tissues)
        start, stop = _window(page, items_per_page)
        records = self.serving.pair_records(rows[start:stop], self.dataset_id,
                                            self._tissue_ontology())
        from genotex.store.queries import Store

        return self._page_of(records, len(rows), Store.EQTL_COLUMNS)

    def _served_expression(self, ids: list[str], tissues: list[str] | None, *, page: int,
                           items_per_page: int) -> Page:
        assert self.serving is not None
        found = self.serving.expression(ids, tissues)
        start, stop = _window(page, items_per_page)
        chosen = found[start:stop]
        names = self._served_names([g for g, _, _ in chosen])
        ontology = self._tissue_ontology()
        rows = [{"data": data.tolist(), "tissueSiteDetailId": tissue,
                 "ontologyId": ontology.get(tissue), "datasetId": self.dataset_id,
                 "gencodeId": gene, "geneSymbol": names.get(gene) or "", "unit": "TPM",
                 "subsetGroup": None}
                for gene, tissue, data in chosen]
        return self._page_of(rows, len(found), EXPRESSION_COLUMNS)
