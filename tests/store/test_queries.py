from __future__ import annotations

import threading

import pytest

from genotex.store import Store

HOSTILE = ["x' OR '1'='1", "'; DROP TABLE genes; --", "%", "_", "ENSG%' --", "\u202e\u0000rs1"]


def test_genes__matches_symbol_versioned_and_unversioned_ids(tiny_store: Store) -> None:
    page = tiny_store.genes(["crp", "ENSG00000160791", "ENSG00000065613.9"])
    assert page.total == 3
    assert {r["geneSymbol"] for r in page.rows} == {"CRP", "CCR5", "SLK"}


def test_gene_search__prefix_of_symbol(tiny_store: Store) -> None:
    page = tiny_store.gene_search("crp")
    assert [r["geneSymbol"] for r in page.rows] == ["CRP", "CRPP1"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_queries__hostile_strings_match_nothing(tiny_store: Store, hostile: str) -> None:
    assert tiny_store.genes([hostile]).total == 0
    assert tiny_store.gene_search(hostile).total == 0
    assert tiny_store.median_expression([hostile], [hostile]).total == 0
    assert tiny_store.single_tissue_eqtls(variant_ids=[hostile]).total == 0
    assert tiny_store.samples(filters={"subjectId": [hostile]}).total == 0
    assert tiny_store.variants(snp_id=hostile).total == 0
    assert tiny_store.genes(["CRP"]).total == 1  # and the tables are still there


def test_page__limit_offset_and_total(tiny_store: Store) -> None:
    first = tiny_store.samples(filters={}, page=0, items_per_page=4)
    last = tiny_store.samples(filters={}, page=3, items_per_page=4)
    assert first.total == last.total == 15
    assert len(first.rows) == 4 and len(last.rows) == 3
    everything = tiny_store.samples(filters={}, items_per_page=10**9)  # clamped, not an error
    assert len(everything.rows) == 15


def test_resolve_tissues__ontology_ids_and_unknowns(tiny_store: Store) -> None:
    assert tiny_store.resolve_tissues(["UBERON:0013756", "Lung", "Nope"]) == ["Whole_Blood",
                                                                              "Lung"]
    assert tiny_store.resolve_tissues(["Nope"]) == []
    assert tiny_store.egenes(["Nope"]).total == 0  # unknown tissue never widens the filter


def test_single_tissue_eqtls__accepts_rsids(tiny_store: Store) -> None:
    by_rs = tiny_store.single_tissue_eqtls(variant_ids=["rs3091244"])
    by_id = tiny_store.single_tissue_eqtls(variant_ids=["chr1_159680000_A_G_b38"])
    assert by_rs.rows == by_id.rows and by_rs.total == 2


def test_top_expressed_genes__filters_mitochondrial_genes(tiny_store: Store) -> None:
    with_mt = tiny_store.top_expressed_genes("Lung", filter_mt=False)
    without = tiny_store.top_expressed_genes("Lung")
    assert with_mt.rows[0]["geneSymbol"] == "MT-CO1"
    assert "MT-CO1" not in {r["geneSymbol"] for r in without.rows}
    medians = [r["median"] for r in without.rows]
    assert medians == sorted(medians, reverse=True)


def test_gene_expression__subsets_partition_the_samples(tiny_store: Store) -> None:
    gene = ["ENSG00000132693.12"]
    whole = tiny_store.gene_expression(gene, ["Lung"]).rows
    by_sex = tiny_store.gene_expression(gene, ["Lung"], subset="sex").rows
    assert len(whole) == 1 and whole[0]["subsetGroup"] is None
    assert sorted(x for r in by_sex for x in r["data"]) == sorted(whole[0]["data"])


def test_tissues__sample_summaries_count_samples(tiny_store: Store) -> None:
    rows = {r["tissueSiteDetailId"]: r for r in tiny_store.tissues().rows}
    lung = rows["Lung"]
    n_lung = tiny_store.samples(filters={"tissueSiteDetailId": ["Lung"]}).total
    assert lung["rnaSeqSampleSummary"]["totalCount"] == n_lung
    assert lung["eqtlSampleSummary"]["totalCount"] <= n_lung
    assert lung["colorHex"] == "99FF00" and lung["colorRgb"] == "153,255,0"


def test_store__queries_from_many_threads(tiny_store: Store) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                assert tiny_store.genes(["CRP"]).total == 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_store__connection_cannot_read_other_files(tiny_store: Store) -> None:
    with tiny_store._cursor() as cur, pytest.raises(Exception, match="ermission"):
        cur.execute("SELECT * FROM read_csv('/etc/hostname')").fetchall()
