"""``genotex.portal.search.parse_query``: what the search box was given."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genotex.portal.search import MAX_REGION_BP, parse_query


def test_parse_query__classifies_each_kind() -> None:
    assert parse_query("CRP").kind == "gene"
    assert parse_query("ENSG00000132693.12").kind == "gene"
    assert parse_query("ENSG00000132693").kind == "gene"
    assert (parse_query("RS3091244").kind, parse_query("RS3091244").value) == ("rsid", "rs3091244")
    assert parse_query("chr1_159680000_A_G_b38").value == "chr1_159680000_A_G_b38"
    assert parse_query("X_5_a_t").value == "chrX_5_A_T_b38"
    assert parse_query("   ").kind == "empty"


def test_parse_query__region_with_commas() -> None:
    q = parse_query("chr1:1,000,000-2,000,000")
    assert (q.kind, q.chrom, q.start, q.end) == ("region", "chr1", 1_000_000, 2_000_000)
    assert parse_query("MT:1-100").chrom == "chrM"


def test_parse_query__bad_regions_are_invalid() -> None:
    assert parse_query("chr1:200-100").problem == "the region's start is after its end"
    assert parse_query(f"chr1:1-{MAX_REGION_BP + 2}").kind == "invalid"


@given(chrom=st.sampled_from(["1", "22", "X"]), start=st.integers(0, 10**8),
       width=st.integers(0, MAX_REGION_BP))
def test_parse_query__region_roundtrips(chrom: str, start: int, width: int) -> None:
    q = parse_query(f"chr{chrom}:{start:,}-{start + width:,}")
    assert (q.kind, q.start, q.end) == ("region", start, start + width)
    assert parse_query(q.value) == q


@given(st.text(max_size=40))
def test_parse_query__never_raises(text: str) -> None:
    assert parse_query(text).kind in {"empty", "gene", "rsid", "variant", "region", "invalid"}
