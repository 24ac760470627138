from __future__ import annotations

import re

import numpy as np

from genotex.simulate import Cohort
from genotex.simulate.genotypes import simulate_genotypes, target_maf

VARIANT_RE = re.compile(r"^(chr[0-9XY]+)_(\d+)_([ACGT])_([ACGT])_b38$")


def _maf(cohort: Cohort) -> np.ndarray:
    af = cohort.genotypes.dosages[:, cohort.genotyped].mean(axis=1) / 2
    return np.minimum(af, 1 - af)


def test_simulate_genotypes__ids_sorted_and_biallelic(small_cohort: Cohort) -> None:
    v = small_cohort.genotypes.variants
    parts = v["variant_id"].str.extract(VARIANT_RE)
    assert parts.notna().all().all()
    assert (parts[0] == v["chrom"]).all() and (parts[1].astype(int) == v["pos"]).all()
    assert (parts[2] == v["ref"]).all() and (parts[3] == v["alt"]).all()
    assert (v["ref"] != v["alt"]).all()
    assert v["variant_id"].is_unique
    for _, grp in v.groupby("chrom"):
        assert grp["pos"].is_monotonic_increasing and grp["pos"].is_unique
    assert len(v) == 2 * 1500
    hap = small_cohort.genotypes.haplotypes
    assert hap.dtype == np.int8 and set(np.unique(hap)) <= {0, 1}
    assert hap.shape == (len(v), len(small_cohort.donors), 2)


def test_simulate_genotypes__maf_floor_and_many_rare(small_cohort: Cohort) -> None:
    maf = _maf(small_cohort)
    assert maf.min() >= 0.01
    assert np.mean(maf < 0.05) > 0.2      # neutral-like spectrum: plenty of rare variants
    assert np.mean(maf > 0.2) > 0.1       # and common ones


def test_simulate_genotypes__ld_within_blocks(small_cohort: Cohort) -> None:
    g = small_cohort.genotypes
    d = g.dosages[:, small_cohort.genotyped]
    x = d - d.mean(axis=1, keepdims=True)
    x /= np.sqrt((x**2).sum(axis=1, keepdims=True))
    r2 = (x[:-1] * x[1:]).sum(axis=1) ** 2
    block = g.variants["block"].to_numpy()
    same = block[:-1] == block[1:]
    assert r2[same].mean() > 5 * r2[~same].mean()
    assert r2[same].mean() > 0.2


def test_simulate_genotypes__hardy_weinberg(small_cohort: Cohort) -> None:
    d = small_cohort.genotypes.dosages
    p = d.mean(axis=1) / 2
    het = (d == 1).mean(axis=1)
    assert 0.93 < het.sum() / (2 * p * (1 - p)).sum() < 1.07


def test_simulate_genotypes__chromosomes_are_independent_streams() -> None:
    geno = np.ones(30, dtype=bool)
    a = simulate_genotypes(("chr22",), 200, geno, seed=5)
    b = simulate_genotypes(("chr21", "chr22"), 200, geno, seed=5)
    tail = b.variants[b.variants["chrom"] == "chr22"]
    assert (tail["variant_id"].to_numpy() == a.variants["variant_id"].to_numpy()).all()
    assert (b.haplotypes[tail.index.to_numpy()] == a.haplotypes).all()


def test_simulate_genotypes__missing_rate() -> None:
    g = simulate_genotypes(("chr22",), 300, np.ones(40, dtype=bool), seed=5, missing_rate=0.05)
    assert g.missing is not None
    assert 0.03 < g.missing.mean() < 0.07


def test_target_maf__within_bounds() -> None:
    f = target_maf(np.random.default_rng(1), 5000, 0.01)
    assert f.min() >= 0.01 and f.max() <= 0.5
    # 1/f density: equal mass per log interval
    assert abs(np.mean(f < 0.01 * np.sqrt(50)) - 0.5) < 0.03
