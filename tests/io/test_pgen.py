from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genotex.errors import InputError
from genotex.io.genotypes import open_genotypes
from genotex.io.pgen import write_pgen

from .genodata import make_geno


def test_write_pgen__round_trip_subset(tmp_path: Path) -> None:
    geno = make_geno(n_samples=6)
    write_pgen(tmp_path / "g", geno.variants, geno.samples, geno.genotypes, sex=[1, 2, 0] * 2)
    assert (tmp_path / "g.psam").read_text().splitlines()[:3] == [
        "#IID\tSEX", f"{geno.samples[0]}\t1", f"{geno.samples[1]}\t2"]
    wanted = [geno.samples[4], geno.samples[1]]
    with open_genotypes(tmp_path / "g", samples=wanted) as reader:
        got = np.concatenate([c.dosages for c in reader.iter_chunks(5)])
    np.testing.assert_array_equal(got, geno.expected[:, [4, 1]])


def test_read_pgen__bad_pvar(tmp_path: Path) -> None:
    geno = make_geno()
    write_pgen(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    pvar = tmp_path / "g.pvar"
    lines = pvar.read_text().splitlines()
    pvar.write_text("\n".join([lines[0], lines[1].replace("\tG\n", "\tG,T")
                               .rsplit("\t", 1)[0] + "\tG,T", *lines[2:]]) + "\n")
    with pytest.raises(InputError, match=r"g\.pvar: variant .* is multi-allelic"):
        open_genotypes(tmp_path / "g.pgen")
    pvar.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    with pytest.raises(InputError, match=r"g\.pgen: \.pgen has 47 variants but the \.pvar 46"):
        open_genotypes(tmp_path / "g.pgen")


def test_open_genotypes__pgen_prefix_with_a_dot(tmp_path: Path) -> None:
    geno = make_geno(n_samples=4)
    write_pgen(tmp_path / "genotypes.chr22", geno.variants, geno.samples, geno.genotypes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "genotypes.chr22.pgen", "genotypes.chr22.psam", "genotypes.chr22.pvar"]
    for path in (tmp_path / "genotypes.chr22", tmp_path / "genotypes.chr22.pgen"):
        with open_genotypes(path) as reader:
            got = np.concatenate([c.dosages for c in reader.iter_chunks(50)])
        np.testing.assert_array_equal(got, geno.expected)


def test_read_pgen__pvar_meta_lines_extra_columns_and_errors(tmp_path: Path) -> None:
    geno = make_geno(n_samples=4)
    write_pgen(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    pvar = tmp_path / "g.pvar"
    lines = pvar.read_text().splitlines()
    body = [f"{line.replace('chr1', '1', 1)}\t.\tPASS\tAF=0.1" for line in lines[1:]]
    pvar.write_text("\n".join(["##fileformat=PVARv1.0", "##contig=<ID=1>",
                               lines[0] + "\tQUAL\tFILTER\tINFO", *body]) + "\n")
    with open_genotypes(tmp_path / "g") as reader:
        assert reader.variant_table.chroms == ("chr1", "chr2")
        assert reader.variants["variant_id"].iloc[0] == (
            f"chr1_100_{geno.variants['ref'][0]}_{geno.variants['alt'][0]}_b38")
        got = np.concatenate([c.dosages for c in reader.iter_chunks(7)])
    np.testing.assert_array_equal(got, geno.expected)
    bad = [*lines[:3], lines[3].replace("\t120\t", "\t12O\t"), *lines[4:]]
    pvar.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=r"g\.pvar: non-numeric position '12O'"):
        open_genotypes(tmp_path / "g")
    pvar.write_text("\n".join(["#CHROM\tPOS\tREF\tALT\tID", *lines[1:]]) + "\n")
    with pytest.raises(InputError, match=r"g\.pvar: header starts"):
        open_genotypes(tmp_path / "g")
    pvar.write_text("\n".join([*lines[:5], lines[5] + "\textra", *lines[6:]]) + "\n")
    with pytest.raises(InputError, match=r"g\.pvar: cannot parse the table"):
        open_genotypes(tmp_path / "g")


@pytest.mark.parametrize("field", ["GT", "DS"])
@pytest.mark.parametrize("block_bytes", [1, 20, 1 << 19])
def test_read_pgen__blocked_decoding_matches_hard_calls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, block_bytes: int) -> None:
    """Rows decoded block by block (several blocks per read, a partial last one), with and
    without reordering samples, give the same float32 dosages and NaN for every missing call."""
    import genotex.io.pgen as pgen

    monkeypatch.setattr(pgen, "_BLOCK_BYTES", block_bytes)
    geno = make_geno(n_samples=7, seed=3, missing=0.2)
    write_pgen(tmp_path / "g", geno.variants, geno.samples, geno.genotypes)
    orders: list[list[str] | None] = [None, geno.samples, geno.samples[::-1],
                                      [geno.samples[i] for i in (5, 0, 3)]]
    for order in orders:
        cols = list(range(7)) if order is None else [geno.samples.index(s) for s in order]
        with open_genotypes(tmp_path / "g.pgen", samples=order, field=field) as reader:
            for chunk in (11, 47):
                got = np.concatenate([c.dosages for c in reader.iter_chunks(chunk)])
                assert got.dtype == np.float32 and got.flags.c_contiguous
                np.testing.assert_array_equal(got, geno.expected[:, cols])
            region = reader.read_region("chr1", 130, 240)
            np.testing.assert_array_equal(region.dosages, geno.expected[3:15][:, cols])
            assert reader.read_region("chr1", 1, 2).dosages.shape == (0, len(cols))
    assert np.isnan(geno.expected).sum() > 10
