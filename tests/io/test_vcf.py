from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from genotex.errors import InputError
from genotex.io.genotypes import open_genotypes
from genotex.io.vcf import write_vcf

from .conftest import write_text
from .genodata import make_geno

HEADER = ("##fileformat=VCFv4.2\n##contig=<ID=chr1>\n##contig=<ID=chr2>\n##contig=<ID=1>\n"
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
          '##FORMAT=<ID=DS,Number=1,Type=Float,Description="Dosage">\n'
          "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\n")


def _rec(chrom: str, pos: int, alt: str = "G", gts: str = "0|0\t0|1\t1|1") -> str:
    return f"{chrom}\t{pos}\t.\tA\t{alt}\t.\tPASS\t.\tGT\t{gts}\n"


def _read_all(path: Path, **kw) -> np.ndarray:
    with open_genotypes(path, **kw) as reader:
        return np.concatenate([c.dosages for c in reader.iter_chunks(2)])


def test_read_vcf__missing_half_calls_and_haploid(tmp_path: Path) -> None:
    path = write_text(tmp_path / "x.vcf", HEADER + _rec("chr1", 5, gts="0|.\t./.\t1")
                      + _rec("chr1", 6, gts="1/0\t0\t1|1"))
    np.testing.assert_array_equal(_read_all(path), [[np.nan, np.nan, 2], [1, 0, 2]])


def test_read_vcf__ds_field(tmp_path: Path) -> None:
    geno = make_geno(n_samples=4)
    dos = np.round(np.random.default_rng(3).uniform(0, 2, geno.genotypes.shape), 3)
    dos[0, 1] = np.nan
    write_vcf(tmp_path / "d.vcf.gz", geno.variants, geno.samples, geno.haplotypes, dosages=dos)
    got = _read_all(tmp_path / "d.vcf.gz", field="DS")
    np.testing.assert_allclose(got, dos, rtol=1e-6)
    np.testing.assert_array_equal(_read_all(tmp_path / "d.vcf.gz"), geno.expected)


@pytest.mark.parametrize(
    ("body", "needle", "line"),
    [
        (_rec("chr1", 9) + _rec("chr1", 5), "not sorted by position within 'chr1'", 9),
        (_rec("chr1", 5) + _rec("chr2", 5) + _rec("chr1", 9), "not contiguous", 10),
        (_rec("chr1", 5, alt="G,T"), "2 ALT alleles", 8),
        (_rec("1", 5), "without the 'chr' prefix", 8),
    ],
)
def test_read_vcf__bad_input(tmp_path: Path, body: str, needle: str, line: int) -> None:
    path = write_text(tmp_path / "bad.vcf", HEADER + body)
    with pytest.raises(InputError, match=r"bad\.vcf") as info:
        _read_all(path)
    assert needle in str(info.value)
    assert info.value.line == line


def test_read_vcf__duplicate_samples_and_region_without_index(tmp_path: Path) -> None:
    dup = write_text(tmp_path / "dup.vcf", HEADER.replace("\tC\n", "\tA\n") + _rec("chr1", 5))
    with pytest.raises(InputError, match=r"dup\.vcf: duplicate sample ID: 'A'"):
        open_genotypes(dup)
    plain = write_text(tmp_path / "p.vcf", HEADER + _rec("chr1", 5))
    with open_genotypes(plain) as reader, pytest.raises(InputError, match="needs an index"):
        reader.read_region("chr1", 1, 10)


def test_write_vcf__deterministic_and_valid_header(tmp_path: Path) -> None:
    geno = make_geno()
    write_vcf(tmp_path / "a.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    write_vcf(tmp_path / "b.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    assert (tmp_path / "a.vcf.gz").read_bytes() == (tmp_path / "b.vcf.gz").read_bytes()
    write_vcf(tmp_path / "c.vcf", geno.variants, geno.samples, geno.haplotypes)
    text = (tmp_path / "c.vcf").read_text().splitlines()
    assert text[0] == "##fileformat=VCFv4.2"
    assert "##contig=<ID=chr1,length=248956422>" in text
    assert text[8].split("\t")[8:10] == ["GT", text[8].split("\t")[9]]
    assert "|" in text[8].split("\t")[9]


def test_write_vcf__bcftools_reads_same_genotypes(tmp_path: Path) -> None:
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools is not installed")
    geno = make_geno()
    write_vcf(tmp_path / "g.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    out = subprocess.run(["bcftools", "query", "-f", "%CHROM\t%POS[\t%GT]\n",
                          str(tmp_path / "g.vcf.gz")], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert [int(r[1]) for r in rows] == geno.variants["pos"].tolist()

    def count(gt: str) -> float:
        alleles = gt.replace("|", "/").split("/")
        return np.nan if "." in alleles else float(sum(a == "1" for a in alleles))

    got = np.array([[count(gt) for gt in r[2:]] for r in rows])
    np.testing.assert_array_equal(got, geno.expected)
    region = subprocess.run(["bcftools", "view", "-H", "-r", "chr2:50-64",
                             str(tmp_path / "g.vcf.gz")], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert len(region) == 3


def test_read_vcf__geuvadis_chr22(geuvadis_dir: Path) -> None:
    path = geuvadis_dir / "genotypes.chr22.vcf.gz"
    with open_genotypes(path) as reader:
        assert len(reader.samples) == 358
        assert reader.samples[0] == "HG00096"
        first = next(reader.iter_chunks(2_000))
        assert first.dosages.shape == (2_000, 358)
        assert first.variants["variant_id"].iloc[0] == "chr22_16051249_T_C_b38"
        assert np.nanmax(first.dosages) <= 2 and np.nanmin(first.dosages) >= 0
        region = reader.read_region("chr22", 17_000_000, 17_100_000)
        assert region.dosages.shape[1] == 358
        assert region.variants["pos"].between(17_000_000, 17_100_000).all()
        assert len(region.variants) == 318


def test_read_vcf__geuvadis_chr22_variant_count(geuvadis_dir: Path) -> None:
    with open_genotypes(geuvadis_dir / "genotypes.chr22.vcf.gz") as reader:
        assert len(reader.variants) == 85_485


def test_read_bcf__same_as_vcf(tmp_path: Path) -> None:
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools is not installed")
    geno = make_geno()
    write_vcf(tmp_path / "g.vcf.gz", geno.variants, geno.samples, geno.haplotypes)
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(tmp_path / "g.bcf"),
                    str(tmp_path / "g.vcf.gz")], check=True, capture_output=True)
    subprocess.run(["bcftools", "index", str(tmp_path / "g.bcf")], check=True)
    samples = geno.samples[::-1]
    with open_genotypes(tmp_path / "g.bcf", samples=samples) as reader:
        got = np.concatenate([c.dosages for c in reader.iter_chunks(10)])
        assert len(reader.variants) == len(geno.variants)
        assert reader.read_region("chr2", 50, 57).variants["pos"].tolist() == [50, 57]
    np.testing.assert_array_equal(got, geno.expected[:, ::-1])


def test_read_vcf__geuvadis_samples_match_bed_and_covariates(geuvadis_dir: Path) -> None:
    from genotex.io import read_covariates, read_phenotype_bed

    with open_genotypes(geuvadis_dir / "genotypes.chr22.vcf.gz") as reader:
        samples = reader.samples
    bed = read_phenotype_bed(geuvadis_dir / "genes.50percent.chr22.bed.gz")
    assert list(bed.values.columns) == samples
    cov = read_covariates(geuvadis_dir / "genes.covariates.pc50.txt.gz", samples=samples)
    assert cov.shape == (358, 53)
    assert list(cov.index) == samples
