from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genotex.schema import CHROMOSOMES, chrom_sort_key, donor_id, variant_id


@given(st.lists(st.sampled_from(CHROMOSOMES), min_size=1))
def test_chrom_sort_key__orders_as_canonical(chroms: list[str]) -> None:
    ordered = sorted(chroms, key=chrom_sort_key)
    assert [CHROMOSOMES.index(c) for c in ordered] == sorted(CHROMOSOMES.index(c) for c in chroms)


def test_variant_and_donor_ids() -> None:
    assert variant_id("chrX", 5, "C", "T") == "chrX_5_C_T_b38"
    assert donor_id("GTEX-ZZPU-2126-SM-5EGIU") == "GTEX-ZZPU"
