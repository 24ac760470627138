from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.errors import InputError
from genotex.io._checks import PLINK_CHROM_CODES
from genotex.io.genotypes import (
    GenotypeReader,
    VariantTable,
    VariantTableBuilder,
    open_genotypes,
    parse_positions,
    read_tsv_batches,
    variant_frame,
    variant_ids,
)
from genotex.io.pgen import write_pgen
from genotex.io.plink import write_plink
from genotex.io.vcf import write_vcf

from .genodata import make_geno


def _write_all(directory: Path, geno) -> dict[str, Path]:
    write_plink(directory / "g", geno.variants, geno.samples, geno.genotypes)
    write_pgen(directory / "g", geno.variants, geno.samples, geno.genotypes)
    write_vcf(directory / "g.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    write_vcf(directory / "u.vcf.gz", geno.variants, geno.samples, genotypes=geno.genotypes,
              phased=False)
    return {"plink": directory / "g.bed", "pgen": directory / "g.pgen",
            "vcf": directory / "g.vcf.gz", "vcf_unphased": directory / "u.vcf.gz"}


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), chunk=st.integers(1, 50), n_samples=st.integers(1, 13))
def test_open_genotypes__all_formats_give_identical_chunks(tmp_path_factory, seed, chunk,
                                                           n_samples) -> None:
    geno = make_geno(n_samples=n_samples, seed=seed)
    paths = _write_all(tmp_path_factory.mktemp("g"), geno)
    order = list(np.random.default_rng(seed).permutation(geno.samples))
    cols = [geno.samples.index(s) for s in order]
    for kind, path in paths.items():
        with open_genotypes(path, samples=order) as reader:
            assert isinstance(reader, GenotypeReader)
            chunks = list(reader.iter_chunks(chunk))
            assert all(len(c.variants) <= chunk for c in chunks), kind
            dosages = np.concatenate([c.dosages for c in chunks])
            assert dosages.dtype == np.float32
            np.testing.assert_array_equal(dosages, geno.expected[:, cols], err_msg=kind)
            variants = reader.variants
            assert list(variants.columns) == ["variant_id", "chrom", "pos", "ref", "alt"]
            assert (variants["pos"].to_numpy() == geno.variants["pos"].to_numpy()).all()
            assert reader.samples == order


def test_open_genotypes__chrom_and_region(tmp_path: Path) -> None:
    geno = make_geno()
    for kind, path in _write_all(tmp_path, geno).items():
        with open_genotypes(path) as reader:
            chr2 = np.concatenate([c.dosages for c in reader.iter_chunks(4, chrom="chr2")])
            np.testing.assert_array_equal(chr2, geno.expected[30:], err_msg=kind)
            region = reader.read_region("chr1", 110, 150)  # positions 110..150 inclusive
            assert region.variants["pos"].tolist() == [110, 120, 130, 140, 150], kind
            np.testing.assert_array_equal(region.dosages, geno.expected[1:6], err_msg=kind)
            empty = reader.read_region("chr3", 1, 10)
            assert empty.dosages.shape == (0, len(geno.samples)), kind


def test_open_genotypes__unknown_samples_listed(tmp_path: Path) -> None:
    geno = make_geno()
    for path in _write_all(tmp_path, geno).values():
        with pytest.raises(InputError, match=r"1 requested sample\(s\) not in the file: 'NOPE'"):
            open_genotypes(path, samples=[geno.samples[0], "NOPE"])


def test_open_genotypes__unrecognised_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"x\.txt: unrecognised genotype file"):
        open_genotypes(tmp_path / "x.txt")


def test_variant_ids__keeps_gtex_ids_builds_others() -> None:
    got = variant_ids(["chr1_5_A_G_b38", "rs7", "."], ["chr1"] * 3, [5, 6, 7], ["A", "C", "G"],
                      ["G", "T", "A"])
    assert got == ["chr1_5_A_G_b38", "chr1_6_C_T_b38", "chr1_7_G_A_b38"]


def _table(**kw) -> VariantTable:
    cols = {"chrom": ["chr1", "chr1", "chr1", "chr2", "chr2"], "pos": [5, 9, 9, 3, 40],
            "ids": ["rs1", "chr1_9_C_T_b38", None, "chr9_1_A_C_b37", "."],
            "ref": ["A", "C", "G", "G", "T"], "alt": ["G", "T", "A", "A", "TTA"]}
    cols.update(kw)
    return VariantTable.from_columns(cols["chrom"], cols["pos"], cols["ids"], cols["ref"],
                                     cols["alt"], path="t.pvar")


def test_variant_table__frame_matches_variant_frame_on_every_slice() -> None:
    t = _table()
    want = variant_frame(["rs1", "chr1_9_C_T_b38", "", "chr9_1_A_C_b37", "."],
                         ["chr1"] * 3 + ["chr2"] * 2, [5, 9, 9, 3, 40], list("ACGGT"),
                         ["G", "T", "A", "A", "TTA"])
    assert t.chroms == ("chr1", "chr2")
    assert t.bounds.tolist() == [0, 3, 5] and t.pos.dtype == np.int32
    pd.testing.assert_frame_equal(t.frame(), want)
    for lo in range(6):
        for hi in range(lo, 7):
            pd.testing.assert_frame_equal(t.frame(lo, hi),
                                          want.iloc[lo:hi].reset_index(drop=True))


def test_variant_table__slices() -> None:
    t = _table()
    assert t.chrom_slice("chr2") == slice(3, 5) and t.chrom_slice("chrX") == slice(0, 0)
    assert t.region_slice("chr1", 6, 9) == slice(1, 3)
    assert t.region_slice("chr2", 41, 99) == slice(5, 5)
    assert t.region_slice("chr3", 1, 9) == slice(0, 0)
    empty = VariantTable.from_columns([], [], [], [], [])
    assert len(empty) == 0 and empty.chroms == () and len(empty.frame()) == 0


def test_variant_table__checks_naming_order_and_contiguity() -> None:
    with pytest.raises(InputError, match=r"t\.pvar: chromosome '1' is named without"):
        _table(chrom=["1", "1", "1", "chr2", "chr2"])
    with pytest.raises(InputError, match=r"not sorted by position within 'chr2': 3 comes after"):
        _table(pos=[5, 9, 9, 40, 3])
    with pytest.raises(InputError, match=r"of chromosome 'chr1' are not contiguous \(they "
                                         r"resume after 'chr2'\)"):
        _table(chrom=["chr1", "chr2", "chr1", "chr3", "chr3"])


def test_variant_table_builder__checks_across_batches_with_file_lines() -> None:
    def batch(chrom: list[str], pos: list[int]) -> tuple:
        n = len(pos)
        return (pa.array(chrom), np.array(pos), pa.array(["x"] * n), pa.array(["A"] * n),
                pa.array(["C"] * n))

    b = VariantTableBuilder("g.bim", rename=lambda c: PLINK_CHROM_CODES.get(c, c),
                            first_line=1)
    b.add(*batch(["1", "1"], [10, 20]))
    b.add(*batch(["1", "2"], [15, 1]))
    with pytest.raises(InputError, match=r"g\.bim:3: variants are not sorted by position "
                                         r"within 'chr1': 15 comes after 20"):
        b.finish()
    b = VariantTableBuilder("g.bim", rename=lambda c: PLINK_CHROM_CODES.get(c, c),
                            first_line=1)
    for part in (["1", "1"], ["2", "2"], ["1"]):
        b.add(*batch(part, list(range(1, len(part) + 1))))
    with pytest.raises(InputError, match=r"g\.bim:5: variants of chromosome 'chr1' are not "
                                         r"contiguous"):
        b.finish()
    b = VariantTableBuilder(None, rename=lambda c: PLINK_CHROM_CODES.get(c, c))
    for part in (["1", "1"], ["1", "X"], ["X"]):
        b.add(*batch(part, [1, 2][: len(part)] if part != ["1", "X"] else [3, 1]))
    t = b.finish()
    assert t.chroms == ("chr1", "chrX") and t.bounds.tolist() == [0, 3, 5]
    assert t.frame()["variant_id"].tolist()[2:4] == ["chr1_3_A_C_b38", "chrX_1_A_C_b38"]


def test_read_tsv_batches__small_blocks_give_every_row(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("##meta\n#A\tB\tC\n" + "".join(f"c{i}\t{i}\tz\n" for i in range(500)))
    batches = list(read_tsv_batches(path, skip_rows=2, column_names=["#A", "B", "C"],
                                    include=["#A", "B"], block_size=256))
    assert len(batches) > 5
    table = pa.Table.from_batches(batches)
    assert table.column_names == ["#A", "B"]
    assert table.column("B").to_pylist() == [str(i) for i in range(500)]
    path.write_text("#A\tB\tC\n1\t2\t3\n1\t2\n")
    with pytest.raises(InputError, match=r"x\.tsv: cannot parse the table"):
        list(read_tsv_batches(path, skip_rows=1, column_names=["#A", "B", "C"],
                              include=["B"]))


def test_parse_positions__non_numeric_index_and_float_positions() -> None:
    pos, bad = parse_positions(pa.array(["10", "20", "3e1"]))
    assert pos.tolist() == [10, 20, 30] and bad is None
    assert parse_positions(pa.array(["10", "x", ""]))[1] == 1


def test_open_genotypes__variant_tables_agree_across_formats(tmp_path: Path) -> None:
    geno = make_geno()
    want = variant_frame([""] * len(geno.variants), geno.variants["chrom"].tolist(),
                         geno.variants["pos"].to_numpy(), geno.variants["ref"].tolist(),
                         geno.variants["alt"].tolist())
    for kind, path in _write_all(tmp_path, geno).items():
        with open_genotypes(path) as reader:
            table = reader.variant_table
            assert table.chroms == ("chr1", "chr2") and len(table) == 47, kind
            pd.testing.assert_frame_equal(reader.variants, want, obj=kind)
            chunks = pd.concat([c.variants for c in reader.iter_chunks(8)], ignore_index=True)
            pd.testing.assert_frame_equal(chunks, want, obj=kind)


def test_variant_table__ids_equal_to_built_ones_are_not_stored() -> None:
    t = _table(ids=["chr1_5_A_G_b38", "chr1_9_C_T_b38", "chr1_9_G_A_b38", "chr2_3_G_A_b38",
                    "chr2_40_T_TTA_b38"])
    assert t.ids.null_count == 5
    assert t.frame()["variant_id"].tolist() == [
        "chr1_5_A_G_b38", "chr1_9_C_T_b38", "chr1_9_G_A_b38", "chr2_3_G_A_b38",
        "chr2_40_T_TTA_b38"]
    kept = _table(ids=["chr1_5_A_G_b38", "chr1_9_C_T_b38", "chr1_9_G_A_b38", "chr2_3_G_A_b37",
                       "rs9"])
    assert kept.ids.to_pylist() == [None, None, None, "chr2_3_G_A_b37", None]


def test_cached_variant_table__built_once_per_unchanged_file(tmp_path: Path) -> None:
    import os

    from genotex.io.genotypes import VariantTable, cached_variant_table

    f = tmp_path / "v.txt"
    f.write_text("a")
    calls: list[int] = []

    def build() -> VariantTable:
        calls.append(1)
        return VariantTable.from_columns(["chr1"], [len(calls)], ["."], ["A"], ["G"])

    first = cached_variant_table(f, build)
    assert cached_variant_table(f, build) is first and len(calls) == 1
    f.write_text("ab")  # changed: built again
    assert int(cached_variant_table(f, build).pos[0]) == 2
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert int(cached_variant_table(f, build).pos[0]) == 3
