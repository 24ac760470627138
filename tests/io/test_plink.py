from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.io.genotypes import open_genotypes
from genotex.io.plink import PlinkWriter, encode_bed_rows, write_plink
from genotex.io.vcf import write_vcf

from .genodata import make_geno


def test_encode_bed_rows__plink_bit_layout() -> None:
    # A1 = ALT: 2 -> 00, 1 -> 10, 0 -> 11, missing -> 01; first sample in the low bits
    assert encode_bed_rows(np.array([[2, 1, 0, -1]])) == bytes([0b01_11_10_00])
    assert encode_bed_rows(np.array([[0]])) == bytes([0b11])


def test_write_plink__round_trip_and_chunked_writer_agree(tmp_path: Path) -> None:
    geno = make_geno(n_samples=11)
    write_plink(tmp_path / "a", geno.variants, geno.samples, geno.genotypes, sex=[1, 2] * 5 + [0])
    with PlinkWriter(tmp_path / "b", geno.samples, sex=[1, 2] * 5 + [0]) as writer:
        for a in range(0, len(geno.variants), 7):
            writer.write(geno.variants.iloc[a:a + 7], geno.genotypes[a:a + 7])
    for ext in (".bed", ".bim", ".fam"):
        assert (tmp_path / f"a{ext}").read_bytes() == (tmp_path / f"b{ext}").read_bytes()
    assert (tmp_path / "a.fam").read_text().splitlines()[1] == f"{geno.samples[1]}\t" \
        f"{geno.samples[1]}\t0\t0\t2\t-9"
    with open_genotypes(tmp_path / "a") as reader:
        np.testing.assert_array_equal(reader.read_region("chr1", 1, 10**9).dosages,
                                      geno.expected[:30])


def test_plink_writer__rejects_unsorted_across_chunks(tmp_path: Path) -> None:
    geno = make_geno()
    with PlinkWriter(tmp_path / "b", geno.samples) as writer:
        writer.write(geno.variants.iloc[5:6], geno.genotypes[5:6])
        with pytest.raises(InputError, match=r"b\.bim: variants are not sorted"):
            writer.write(geno.variants.iloc[2:3], geno.genotypes[2:3])


def test_read_plink__truncated_and_mismatched(tmp_path: Path) -> None:
    geno = make_geno()
    write_plink(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    bed = tmp_path / "g.bed"
    bed.write_bytes(bed.read_bytes()[:-5])
    with pytest.raises(InputError, match=r"g\.bed: file has \d+ bytes but 47 variants"):
        open_genotypes(bed)
    bed.write_bytes(b"\x00\x00\x00")
    with pytest.raises(InputError, match="bad magic bytes"):
        open_genotypes(tmp_path / "g")


def test_read_plink__unsorted_and_duplicate_samples(tmp_path: Path) -> None:
    geno = make_geno()
    write_plink(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    bim = (tmp_path / "g.bim").read_text().splitlines()
    bim[3], bim[4] = bim[4], bim[3]
    (tmp_path / "g.bim").write_text("\n".join(bim) + "\n")
    with pytest.raises(InputError, match=r"g\.bim:5: variants are not sorted"):
        open_genotypes(tmp_path / "g")
    fam = (tmp_path / "g.fam").read_text().replace(geno.samples[1], geno.samples[0])
    (tmp_path / "g.fam").write_text(fam)
    write_plink(tmp_path / "k", geno.variants, geno.samples, geno.genotypes)
    (tmp_path / "k.fam").write_text(fam)
    with pytest.raises(InputError, match=r"k\.fam: duplicate sample ID"):
        open_genotypes(tmp_path / "k.bed")


def test_read_plink__numeric_chromosome_codes_map_to_chr(tmp_path: Path) -> None:
    geno = make_geno()
    write_plink(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    bim = tmp_path / "g.bim"
    bim.write_text(bim.read_text().replace("chr1\t", "1\t").replace("chr2\t", "2\t"))
    with open_genotypes(tmp_path / "g") as reader:
        assert set(reader.variants["chrom"]) == {"chr1", "chr2"}


def test_read_plink__matches_vcf_after_plink2_make_bed(tmp_path: Path) -> None:
    if shutil.which("plink2") is None:
        pytest.skip("plink2 is not installed")
    geno = make_geno(n_samples=10)
    write_vcf(tmp_path / "g.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    for flag, out in (("--make-bed", "pl"), ("--make-pgen", "pg")):
        subprocess.run(["plink2", "--vcf", str(tmp_path / "g.vcf.gz"), flag, "--threads", "1",
                        "--vcf-half-call", "m", "--out", str(tmp_path / out)],
                       check=True, capture_output=True)
    readers = [open_genotypes(tmp_path / name) for name in ("g.vcf.gz", "pl", "pg.pgen")]
    chunks = [np.concatenate([c.dosages for c in r.iter_chunks(16)]) for r in readers]
    for r, d in zip(readers, chunks, strict=True):
        assert r.samples == geno.samples
        np.testing.assert_array_equal(d, geno.expected)
        assert r.variants["chrom"].tolist() == geno.variants["chrom"].tolist()
        r.close()


def test_read_plink__committed_plink2_filesets_match_vcf() -> None:
    ref = Path(__file__).resolve().parents[1] / "data" / "io" / "plink2"
    with open_genotypes(ref / "input.vcf") as vcf:
        expected = next(vcf.iter_chunks(100))
    for name in ("from_vcf.bed", "from_vcf.pgen"):
        with open_genotypes(ref / name) as reader:
            got = next(reader.iter_chunks(100))
            assert reader.samples == [f"GTEX-{i:04X}" for i in range(6)]
        pd.testing.assert_frame_equal(got.variants, expected.variants)
        np.testing.assert_array_equal(got.dosages, expected.dosages)
    assert np.isnan(expected.dosages).sum() > 0


def test_open_genotypes__plink_prefix_with_a_dot(tmp_path: Path) -> None:
    geno = make_geno(n_samples=4)
    write_plink(tmp_path / "genotypes.chr22", geno.variants, geno.samples, geno.genotypes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "genotypes.chr22.bed", "genotypes.chr22.bim", "genotypes.chr22.fam"]
    for path in (tmp_path / "genotypes.chr22", tmp_path / "genotypes.chr22.bed"):
        with open_genotypes(path) as reader:
            got = np.concatenate([c.dosages for c in reader.iter_chunks(50)])
        np.testing.assert_array_equal(got, geno.expected)


def test_read_plink__space_separated_bim_and_bim_errors(tmp_path: Path) -> None:
    geno = make_geno(n_samples=5)
    write_plink(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    bim = tmp_path / "g.bim"
    lines = bim.read_text().splitlines()
    bim.write_text("\n".join("  ".join(line.split("\t")) for line in lines) + "\n")
    with open_genotypes(tmp_path / "g") as reader:
        assert reader.variant_table.chroms == ("chr1", "chr2")
        assert reader.variants["pos"].tolist() == geno.variants["pos"].tolist()
        got = np.concatenate([c.dosages for c in reader.iter_chunks(9)])
    np.testing.assert_array_equal(got, geno.expected)
    for text in (lines, [" ".join(line.split("\t")) for line in lines]):
        bad = [*text[:6], text[6].replace("160", "16x"), *text[7:]]
        bim.write_text("\n".join(bad) + "\n")
        with pytest.raises(InputError, match=r"g\.bim:7: non-numeric position '16x'"):
            open_genotypes(tmp_path / "g")
    bim.write_text("\n".join(line.rsplit("\t", 1)[0] for line in lines) + "\n")
    with pytest.raises(InputError, match=r"g\.bim: \.bim has 5 columns, not 6"):
        open_genotypes(tmp_path / "g")
    bim.write_text("")
    with pytest.raises(InputError, match=r"g\.bim: the file is empty"):
        open_genotypes(tmp_path / "g")


@pytest.mark.parametrize("n_samples", [1, 4, 9, 30])
@pytest.mark.parametrize("block_bytes", [1, 9, 1 << 19])
def test_read_plink__blocked_decoding_matches_bed_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n_samples: int, block_bytes: int) -> None:
    """The 2-bit decoder (several blocks per read, padded last byte, reordered subsets) gives
    bed-reader's float32 dosages bit for bit, NaN for every missing call."""
    from bed_reader import open_bed

    import genotex.io.plink as plink

    monkeypatch.setattr(plink, "_BLOCK_BYTES", block_bytes)
    geno = make_geno(n_samples=n_samples, seed=n_samples, missing=0.2)
    write_plink(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    rng = np.random.default_rng(n_samples)
    subsets = [None, list(rng.permutation(n_samples)), list(rng.permutation(n_samples)[:3])]
    for cols in subsets:
        order = None if cols is None else [geno.samples[i] for i in cols]
        with open_bed(tmp_path / "g.bed", count_A1=True, num_threads=1) as bed:
            want = bed.read(index=np.s_[slice(None) if cols is None else cols, :],
                            dtype=np.float32).T
        with open_genotypes(tmp_path / "g.bed", samples=order) as reader:
            for chunk in (5, 47):
                got = np.concatenate([c.dosages for c in reader.iter_chunks(chunk)])
                assert got.dtype == np.float32 and got.flags.c_contiguous
                np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
            region = reader.read_region("chr2", 57, 92)
            np.testing.assert_array_equal(region.dosages, want[31:37])
    np.testing.assert_array_equal(want, geno.expected[:, subsets[2]])
