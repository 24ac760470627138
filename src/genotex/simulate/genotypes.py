"""Phased genotypes with linkage disequilibrium and a neutral-like allele-frequency spectrum.

Each chromosome is cut into haplotype blocks. In a block, every one of the ``2 × n_donors``
haplotypes copies one of a few founder haplotypes (drawn with Dirichlet weights); a variant's
derived allele is carried by a set of founders whose weights add up to its target frequency
(the last founder only in part), so variants of a block are in LD and variants of different
blocks are not. Copies mutate with a small per-allele rate. Target minor-allele frequencies
follow the ``1/f`` density of a neutral population on ``[min_maf, 0.5]``; variants below the
cohort MAF floor (on the genotyped donors, as GTEx's ``MAF01`` VCF) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.schema import CHROMOSOMES, GRCH38_CHROM_LENGTHS, variant_id
from genotex.simulate._random import rng

BASES = np.array(["A", "C", "G", "T"])
_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
OVERSAMPLE = 1.4
SUBLINEAGES = 4
#: Clades of a block that carry its variants (fewer = stronger LD).
ACTIVE_CLADES = 5


@dataclass(frozen=True)
class Genotypes:
    """Simulated variants and phased haplotypes of every donor (genotyped or not)."""

    #: (n_variants, 6) ``variant_id, chrom, pos, ref, alt, block``; sorted by chrom and pos.
    variants: pd.DataFrame
    #: (n_variants, n_donors, 2) int8 ALT indicators of each donor's two haplotypes.
    haplotypes: NDArray[np.int8]
    #: (n_variants, n_donors) bool, True where the call is missing; ``None`` when none are.
    missing: NDArray[np.bool_] | None

    @property
    def dosages(self) -> NDArray[np.float64]:
        """(n_variants, n_donors) ALT dosage in {0, 1, 2} (true genotypes, missingness ignored)."""
        return self.haplotypes.sum(axis=2, dtype=np.int8).astype(np.float64)


def target_maf(gen: np.random.Generator, n: int, low: float) -> NDArray[np.float64]:
    """(n,) minor-allele frequencies with density ∝ 1/f on ``[low, 0.5]`` (neutral spectrum).

    >>> f = target_maf(np.random.default_rng(0), 1000, 0.01)
    >>> bool(f.min() >= 0.01 and f.max() <= 0.5 and np.mean(f < 0.05) > 0.3)
    True
    """
    return low * (0.5 / low) ** gen.random(n)


def _block_ids(gen: np.random.Generator, n: int, mean: float) -> NDArray[np.int64]:
    sizes = gen.geometric(1.0 / mean, size=n)
    return np.repeat(np.arange(n), sizes)[:n]


def _block_alleles(
    gen: np.random.Generator, maf: NDArray[np.float64], n_haplotypes: int, n_founders: int,
    mutation_rate: float,
) -> NDArray[np.int8]:
    """(m, n_haplotypes) derived-allele indicators of the m variants of one block.

    The block's haplotypes descend from ``n_founders`` founders, each split into
    ``SUBLINEAGES`` sub-lineages (a two-level tree). ``ACTIVE_CLADES`` clades of that tree (a
    sub-lineage, a founder, or a nested union of founders) carry the block's mutations; each
    variant's derived allele marks the active clade whose weight is nearest its target
    frequency on the log scale, so variants of a block share carrier sets (LD) while rare
    variants sit on small sub-lineages.
    """
    weights = gen.dirichlet(np.full(n_founders, 0.8))
    leaf_w = (weights[:, None] * gen.dirichlet(np.ones(SUBLINEAGES), size=n_founders)).ravel()
    n_leaves = len(leaf_w)
    leaf = gen.choice(n_leaves, size=n_haplotypes, p=leaf_w / leaf_w.sum())
    owner = np.repeat(np.arange(n_founders), SUBLINEAGES)
    order = gen.permutation(n_founders)
    clades = [np.eye(n_leaves, dtype=bool)]
    clades.append(owner[None, :] == np.arange(n_founders)[:, None])
    nested = np.array([np.isin(owner, order[:k]) for k in range(2, n_founders)], dtype=bool)
    clades.append(nested.reshape(-1, n_leaves))
    members = np.concatenate(clades, axis=0)
    members = members[np.sort(gen.choice(len(members), size=ACTIVE_CLADES, replace=False))]
    clade_w = members.astype(float) @ leaf_w
    score = np.abs(np.log(clade_w[None, :] + 1e-12) - np.log(maf[:, None]))
    score += 0.3 * gen.gumbel(size=score.shape)
    pick = np.argmin(score, axis=1)
    alleles = members[pick][:, leaf]
    alleles ^= gen.random(alleles.shape) < mutation_rate
    return alleles.astype(np.int8)


def _alt_bases(gen: np.random.Generator, n: int) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    code = gen.integers(0, 4, size=n)
    transition = gen.random(n) < 2 / 3
    transversions = np.array([[b for b in BASES if b not in (r, _TRANSITION[r])] for r in BASES])
    transitions = np.array([_TRANSITION[r] for r in BASES])
    alt = np.where(transition, transitions[code], transversions[code, gen.integers(0, 2, size=n)])
    return BASES[code], alt


def simulate_chromosome(
    chrom: str, n_variants: int, n_donors: int, genotyped: NDArray[np.bool_], *, seed: int,
    min_maf: float = 0.01, mean_block_variants: float = 25.0, founders_per_block: int = 6,
    mutation_rate: float = 0.002, block_offset: int = 0,
) -> tuple[pd.DataFrame, NDArray[np.int8]]:
    """Variants and haplotypes of one chromosome.

    Parameters
    ----------
    genotyped
        (n_donors,) bool: the donors whose cohort MAF must pass ``min_maf``.

    Returns
    -------
    variants
        (≤ n_variants, 6) ``variant_id, chrom, pos, ref, alt, block`` sorted by position.
    haplotypes
        (≤ n_variants, n_donors, 2) int8 ALT indicators.
    """
    gen = rng(seed, "genotypes", CHROMOSOMES.index(chrom))
    n_cand = int(np.ceil(n_variants * OVERSAMPLE)) + 10
    length = GRCH38_CHROM_LENGTHS[chrom]
    margin = min(60_000, length // 20)
    pos = margin + np.sort(gen.choice(length - 2 * margin, size=n_cand, replace=False))
    block = _block_ids(gen, n_cand, mean_block_variants)
    maf = target_maf(gen, n_cand, max(min_maf, 0.5 / n_donors))
    n_hap = 2 * n_donors
    derived = np.empty((n_cand, n_hap), dtype=np.int8)
    for b in np.unique(block):
        rows = np.flatnonzero(block == b)
        derived[rows] = _block_alleles(gen, maf[rows], n_hap, founders_per_block, mutation_rate)
    alt_is_derived = gen.random(n_cand) >= 0.25
    hap = np.where(alt_is_derived[:, None], derived, 1 - derived).astype(np.int8)
    ref, alt = _alt_bases(gen, n_cand)
    geno_hap = hap.reshape(n_cand, n_donors, 2)[:, genotyped]
    af = geno_hap.mean(axis=(1, 2))
    ok = np.flatnonzero(np.minimum(af, 1 - af) >= max(min_maf, 1e-12))
    if len(ok) > n_variants:
        ok = np.sort(gen.choice(ok, size=n_variants, replace=False))
    variants = pd.DataFrame(
        {
            "variant_id": [variant_id(chrom, int(p), r, a) for p, r, a in
                           zip(pos[ok], ref[ok], alt[ok], strict=True)],
            "chrom": chrom,
            "pos": pos[ok].astype(np.int64),
            "ref": ref[ok],
            "alt": alt[ok],
            "block": (block[ok] + block_offset).astype(np.int64),
        }
    )
    return variants, hap[ok].reshape(len(ok), n_donors, 2)


def simulate_genotypes(
    chromosomes: tuple[str, ...], variants_per_chrom: int, genotyped: NDArray[np.bool_], *,
    seed: int, min_maf: float = 0.01, mean_block_variants: float = 25.0,
    founders_per_block: int = 6, mutation_rate: float = 0.002, missing_rate: float = 0.0,
) -> Genotypes:
    """Variants and phased haplotypes on every chromosome, each from its own random stream.

    Examples
    --------
    >>> g = simulate_genotypes(("chr22",), 50, np.ones(20, dtype=bool), seed=1)
    >>> g.haplotypes.shape[1:], g.variants["pos"].is_monotonic_increasing
    ((20, 2), True)
    """
    frames, haps = [], []
    offset = 0
    for chrom in chromosomes:
        v, h = simulate_chromosome(
            chrom, variants_per_chrom, len(genotyped), genotyped, seed=seed, min_maf=min_maf,
            mean_block_variants=mean_block_variants, founders_per_block=founders_per_block,
            mutation_rate=mutation_rate, block_offset=offset,
        )
        offset = int(v["block"].max()) + 1 if len(v) else offset
        frames.append(v)
        haps.append(h)
    variants = pd.concat(frames, ignore_index=True)
    haplotypes = np.concatenate(haps, axis=0)
    missing = None
    if missing_rate > 0:
        missing = rng(seed, "missing").random(haplotypes.shape[:2]) < missing_rate
    return Genotypes(variants=variants, haplotypes=haplotypes, missing=missing)
