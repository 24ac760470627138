"""GWAS → release harmonisation: allele swaps, strand flips, palindromes, build, liftover."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genotex.coloc import detect_build, harmonize_gwas, liftover, parse_chain
from genotex.errors import InputError

VARIANTS = pd.DataFrame({
    "chrom": ["chr1"] * 7,
    "pos": [100, 200, 300, 400, 500, 600, 700],
    "ref": ["A", "A", "A", "A", "A", "C", "G"],
    "alt": ["G", "G", "C", "C", "T", "G", "T"],
    "variant_id": [f"v{i}" for i in range(7)],
    "alt_freq": [0.2, 0.3, 0.1, 0.4, 0.2, 0.48, 0.1],
})


def gwas(rows: list[tuple[int, str, str, float, float]]) -> pd.DataFrame:
    pos, ea, oa, beta, eaf = zip(*rows, strict=True)
    return pd.DataFrame({"chromosome": "chr1", "base_pair_location": pos, "effect_allele": ea,
                         "other_allele": oa, "beta": beta, "standard_error": 0.1,
                         "p_value": 0.01, "effect_allele_frequency": eaf})


G = gwas([
    (100, "G", "A", 0.5, 0.2),   # exact
    (200, "A", "G", 0.5, 0.7),   # swapped
    (300, "G", "T", 0.5, 0.1),   # strand flip (A/C on the other strand is T/G)
    (400, "T", "G", 0.5, 0.6),   # strand flip + swap
    (500, "T", "A", 0.5, 0.8),   # palindromic A/T, frequencies disagree → swapped
    (600, "G", "C", 0.5, 0.5),   # palindromic C/G at MAF ~0.5 → never resolvable
    (700, "C", "G", 0.5, 0.1),   # incompatible alleles (G/T in the release)
    (800, "A", "G", 0.5, 0.1),   # not in the release
])


def test_harmonize_gwas__cases_and_report() -> None:
    res = harmonize_gwas(G, VARIANTS)
    t = res.table.set_index("variant_id")
    assert t["harmonization"].to_dict() == {
        "v0": "exact", "v1": "swapped", "v2": "strand_flipped", "v3": "strand_flipped_swapped"}
    np.testing.assert_allclose(t["beta"], [0.5, -0.5, 0.5, -0.5])
    np.testing.assert_allclose(t["alt_allele_frequency"], [0.2, 0.3, 0.1, 0.4])
    assert res.report == {"n_gwas": 8, "exact": 1, "swapped": 1, "strand_flipped": 1,
                          "strand_flipped_swapped": 1, "palindromic_resolved": 0,
                          "palindromic_dropped": 2, "allele_mismatch": 1, "not_in_release": 1}


def test_harmonize_gwas__palindromic_resolved_by_frequency() -> None:
    res = harmonize_gwas(G, VARIANTS, palindromic="frequency")
    t = res.table.set_index("variant_id")
    assert t.loc["v4", "harmonization"] == "palindromic_resolved"
    assert t.loc["v4", "beta"] == -0.5  # EAF 0.8 vs ALT freq 0.2: the effect allele is REF
    assert t.loc["v4", "alt_allele_frequency"] == pytest.approx(0.2)
    assert "v5" not in t.index
    assert res.report["palindromic_resolved"] == 1 and res.report["palindromic_dropped"] == 1


def test_harmonize_gwas__matches_multiallelic_site_by_alleles() -> None:
    v = pd.DataFrame({"chrom": ["chr1", "chr1"], "pos": [100, 100], "ref": ["A", "A"],
                      "alt": ["G", "C"], "variant_id": ["x", "y"]})
    res = harmonize_gwas(gwas([(100, "A", "C", 0.3, 0.5)]), v)
    assert res.table["variant_id"].tolist() == ["y"] and res.table["beta"].tolist() == [-0.3]


def test_harmonize_gwas__needs_columns() -> None:
    with pytest.raises(InputError, match="missing columns"):
        harmonize_gwas(G.drop(columns="beta"), VARIANTS)


def test_detect_build__from_known_position_pairs() -> None:
    known = pd.DataFrame({"chrom": ["chr1"] * 4, "pos_b37": [1000, 2000, 3000, 4000],
                          "pos_b38": [1500, 2600, 3000, 4700], "ref": ["A", "C", "G", "T"],
                          "alt": ["G", "T", "A", "C"]})
    def at(pos: list[int]) -> pd.DataFrame:
        return pd.DataFrame({"chromosome": "chr1", "base_pair_location": pos,
                             "effect_allele": ["G", "C", "C"], "other_allele": ["A", "T", "T"]})
    b37 = detect_build(at([1000, 2000, 4000]), known)
    assert (b37.build, b37.match_b37, b37.match_b38, b37.n_tested) == ("b37", 1.0, 0.0, 3)
    assert detect_build(at([1500, 2600, 4700]), known).build == "b38"
    assert detect_build(at([1, 2, 3]), known).build == "unknown"


CHAIN = """chain 1000 chr1 10000 + 100 400 chr1 10000 + 1100 1400 1
100 50 50
150

chain 500 chr2 5000 + 0 100 chr2 5000 - 0 100 2
100
"""


def test_liftover__minimal_chain() -> None:
    chain = parse_chain(CHAIN.splitlines())
    got = liftover(["chr1", "chr1", "chr1", "chr2", "chr3"], [101, 200, 230, 1, 5], chain)
    # block 1: [100, 200) → [1100, 1200); gap of 50 then [250, 400) → [1250, 1400)
    assert got["pos"].tolist() == [1101, 1200, 0, 5000, 0]
    assert got["chrom"].isna().tolist() == [False, False, True, False, True]
    assert got["chrom"].iloc[3] == "chr2"
    assert got["strand"].tolist() == ["+", "+", "+", "-", "+"]
    assert liftover(["chr1"], [251], chain)["pos"].tolist() == [1251]


def test_parse_chain__rejects_data_before_header() -> None:
    with pytest.raises(InputError, match="before a 'chain' header"):
        parse_chain(["100 5 5"])
