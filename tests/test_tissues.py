from __future__ import annotations

import re

import pandas as pd
import pytest

from genotex.tissues import TISSUES, get_tissue, tissue_table


def test_tissues__54_gtex_v8_tissues_with_valid_fields() -> None:
    assert len(TISSUES) == 54
    ids = [t.tissue_site_detail_id for t in TISSUES]
    assert len(set(ids)) == 54
    for t in TISSUES:
        assert re.fullmatch(r"#[0-9A-F]{6}", t.color_hex.upper()), t
        assert re.fullmatch(r"(UBERON|EFO|CL):\d+", t.ontology_id), t
        assert 0 < t.genotyped_samples <= t.rna_seq_samples


def test_get_tissue__known_and_unknown() -> None:
    assert get_tissue("Whole_Blood").tissue_site_detail == "Whole Blood"
    with pytest.raises(KeyError, match="unknown tissue"):
        get_tissue("Blood")


def test_tissues__match_shared_gtex_table(shared_data) -> None:
    shared = pd.read_csv(shared_data / "gtex_v8_tissues.tsv", sep="\t")
    shared = shared.set_index("tissueSiteDetailId")
    ours = tissue_table().set_index("tissue_site_detail_id")
    assert set(ours.index) == set(shared.index)
    assert (ours.loc[shared.index, "color_hex"] == shared["colorHex"]).all()
    genotyped = ours.loc[shared.index, "genotyped_samples"]
    assert (genotyped == shared["rnaSeqAndGenotypeSampleCount"]).all()
