"""The serving fast paths (indexed in-memory tables, per-tissue partition files, lookups after
paging) answer exactly what the plain Parquet views answer."""

from __future__ import annotations

import pytest

from genotex.store import Store

CRP = "ENSG00000132693.12"


@pytest.fixture(scope="module")
def parquet_store(api_store: Store) -> Store:
    return Store(api_store.path, in_memory=False)


@pytest.mark.parametrize("call", [
    lambda s: s.single_tissue_eqtls(gene_ids=[CRP]),
    lambda s: s.single_tissue_eqtls(variant_ids=["rs3091244", "chr1_159690000_C_T_b38"]),
    lambda s: s.single_tissue_eqtls(tissues=["Whole_Blood"], page=1, items_per_page=2),
    lambda s: s.median_expression([CRP, "ENSG00000160791.17"], ["Lung", "UBERON:0013756"]),
    lambda s: s.gene_expression([CRP]),
    lambda s: s.gene_expression([CRP], ["Lung", "Liver"], subset="sex"),
    lambda s: s.gene_expression([CRP], ["Mars"]),
    lambda s: s.egenes(["Whole_Blood"], page=0, items_per_page=1),
])
def test_store_lookups__same_as_parquet_views(api_store: Store, parquet_store: Store,
                                              call) -> None:  # type: ignore[no-untyped-def]
    fast, plain = call(api_store), call(parquet_store)
    assert fast.rows == plain.rows and fast.total == plain.total
    assert fast.columns == plain.columns


def test_store_page__beyond_last_page_keeps_total(api_store: Store) -> None:
    page = api_store.single_tissue_eqtls(gene_ids=[CRP], page=50, items_per_page=1)
    assert page.rows == [] and page.total == len(api_store.single_tissue_eqtls(
        gene_ids=[CRP]).rows)


def test_store_partitions_of__quotes_manifest_paths_only(api_store: Store) -> None:
    source = api_store._partitions_of("sample_expression", ["Lung"])
    assert "tissue_id=Lung" in source and "tissue_id=Liver" not in source
    assert api_store._partitions_of("sample_expression", ["x'; DROP"]).endswith("WHERE false)")
    assert api_store._partitions_of("sample_expression", None) == '"sample_expression"'


@pytest.mark.parametrize(("genes", "tissues", "page", "per_page"), [
    ([CRP], None, 0, 250),
    ([CRP, "ENSG00000160791.17", "ENSG00000000000.1"], ["Lung", "Liver"], 0, 250),
    ([CRP, "ENSG00000160791.17"], None, 1, 2),
    (["x'); DROP TABLE genes; --"], None, 0, 250),
])
def test_gene_expression__row_group_index_same_as_sql(api_store: Store, monkeypatch, genes,
                                                      tissues, page, per_page) -> None:  # type: ignore[no-untyped-def]
    import genotex.store.queries as queries

    fast = api_store.gene_expression(genes, tissues, page=page, items_per_page=per_page)
    monkeypatch.setattr(queries, "MAX_INDEXED_GENES", 0)
    plain = api_store.gene_expression(genes, tissues, page=page, items_per_page=per_page)
    assert fast.rows == plain.rows and fast.total == plain.total
    assert fast.columns == plain.columns
