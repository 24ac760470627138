"""A small seeded genotype data set shared by the genotype reader tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Geno:
    variants: pd.DataFrame
    samples: list[str]
    haplotypes: np.ndarray  # (m, n, 2) int8, -1 missing
    genotypes: np.ndarray  # (m, n) int8 ALT counts, -1 missing

    @property
    def expected(self) -> np.ndarray:
        return np.where(self.genotypes < 0, np.nan, self.genotypes).astype(np.float32)


def make_geno(n_samples: int = 9, n_chr1: int = 30, n_chr2: int = 17, seed: int = 0,
              missing: float = 0.05) -> Geno:
    rng = np.random.default_rng(seed)
    m = n_chr1 + n_chr2
    hap = rng.integers(0, 2, (m, n_samples, 2)).astype(np.int8)
    hap[rng.random((m, n_samples, 2)) < missing] = -1
    geno = hap.sum(axis=2).astype(np.int8)
    geno[(hap < 0).any(axis=2)] = -1
    variants = pd.DataFrame({
        "chrom": ["chr1"] * n_chr1 + ["chr2"] * n_chr2,
        "pos": np.r_[np.arange(n_chr1) * 10 + 100, np.arange(n_chr2) * 7 + 50],
        "ref": rng.choice(list("ACGT"), m),
    })
    variants["alt"] = ["G" if r != "G" else "T" for r in variants["ref"]]
    samples = [f"GTEX-{i:04X}" for i in range(n_samples)]
    return Geno(variants, samples, hap, geno)
