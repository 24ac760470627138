from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.errors import InputError
from genotex.io.genotypes import GenotypeReader, open_genotypes, variant_ids
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
