"""cis windows: which variants lie within ``window`` bp of each phenotype."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CisWindows", "WindowBlock", "cis_windows", "window_blocks"]


@dataclass(frozen=True)
class CisWindows:
    """Half-open variant index ranges, one per phenotype; every array has shape (n_phenotypes,).

    ``start[i]:stop[i]`` indexes the rows of the genotype matrix in the cis window of
    phenotype ``i``; ``start == stop`` means an empty window.
    """

    start: NDArray[np.int64]
    stop: NDArray[np.int64]

    @property
    def size(self) -> NDArray[np.int64]:
        """(n_phenotypes,) number of variants in each window."""
        return self.stop - self.start


def cis_windows(
    variant_chrom: ArrayLike,
    variant_pos: ArrayLike,
    phenotype_chrom: ArrayLike,
    phenotype_start: ArrayLike,
    phenotype_end: ArrayLike | None = None,
    *,
    window: int = 1_000_000,
) -> CisWindows:
    """Variants in the closed interval ``[start − window, end + window]`` of each phenotype.

    Parameters
    ----------
    variant_chrom
        (n_variants,) chromosome of each variant; each chromosome's variants are contiguous.
    variant_pos
        (n_variants,) 1-based positions, sorted within each chromosome.
    phenotype_chrom
        (n_phenotypes,) chromosome of each phenotype.
    phenotype_start, phenotype_end
        (n_phenotypes,) phenotype start (TSS) and end; ``end`` defaults to ``start``.
    window
        Half-width of the window in bp.

    Returns
    -------
    CisWindows
        Indices into the variant arrays (``bisect_left``/``bisect_right`` bounds, as
        tensorQTL ``genotypeio.get_cis_ranges``).

    Examples
    --------
    >>> w = cis_windows(["1"] * 4, [10, 20, 30, 40], ["1", "2"], [25, 5], window=5)
    >>> w.start.tolist(), w.stop.tolist()
    ([1, 0], [3, 0])
    """
    vchrom = np.asarray(variant_chrom)
    vpos = np.asarray(variant_pos, dtype=np.int64)
    pchrom = np.asarray(phenotype_chrom)
    pstart = np.asarray(phenotype_start, dtype=np.int64)
    pend = pstart if phenotype_end is None else np.asarray(phenotype_end, dtype=np.int64)
    if vchrom.shape != vpos.shape or pchrom.shape != pstart.shape or pend.shape != pstart.shape:
        raise ValueError("chromosome and position arrays must have matching shapes")
    start = np.zeros(pchrom.shape, dtype=np.int64)
    stop = np.zeros(pchrom.shape, dtype=np.int64)
    if vchrom.size == 0:
        return CisWindows(start, stop)
    change = np.flatnonzero(vchrom[1:] != vchrom[:-1]) + 1
    bounds = np.concatenate([[0], change, [vchrom.size]])
    seen: set[object] = set()
    for lo, hi in itertools.pairwise(bounds):
        c = vchrom[lo]
        if c in seen:
            raise ValueError(f"variants of chromosome {c!r} are not contiguous")
        seen.add(c)
        pos = vpos[lo:hi]
        if np.any(pos[1:] < pos[:-1]):
            raise ValueError(f"variant positions on chromosome {c!r} are not sorted")
        m = pchrom == c
        start[m] = lo + np.searchsorted(pos, pstart[m] - window, side="left")
        stop[m] = lo + np.searchsorted(pos, pend[m] + window, side="right")
    return CisWindows(start, np.maximum(stop, start))


@dataclass(frozen=True)
class WindowBlock:
    """Phenotypes computed together over the union ``start:stop`` of their windows."""

    phenotypes: NDArray[np.int64]
    start: int
    stop: int


def window_blocks(
    windows: CisWindows,
    *,
    max_phenotypes: int = 64,
    max_elements: int = 1 << 24,
    columns_per_phenotype: int = 1,
    slack: float = 1.25,
) -> list[WindowBlock]:
    """Group phenotypes with overlapping windows so each group is one matrix product.

    Phenotypes are taken in order of window start; a block grows while its union window is at
    most ``slack`` times its widest member, it has at most ``max_phenotypes`` members, and
    ``union width × members × columns_per_phenotype ≤ max_elements`` (bounding the memory of
    the product). Empty windows are left out. Results never depend on the blocking.

    Examples
    --------
    >>> w = CisWindows(np.array([0, 1, 50]), np.array([10, 11, 60]))
    >>> [(b.phenotypes.tolist(), b.start, b.stop) for b in window_blocks(w)]
    [([0, 1], 0, 11), ([2], 50, 60)]
    """
    start, stop = windows.start, windows.stop
    live = np.flatnonzero(stop > start)
    order = live[np.lexsort((stop[live], start[live]))]
    blocks: list[WindowBlock] = []
    members: list[int] = []
    u0 = u1 = widest = 0
    for p in order.tolist():
        s, e = int(start[p]), int(stop[p])
        if members:
            n0, n1 = min(u0, s), max(u1, e)
            w = max(widest, e - s)
            fits = (
                len(members) < max_phenotypes
                and n1 - n0 <= slack * w
                and (n1 - n0) * (len(members) + 1) * columns_per_phenotype <= max_elements
            )
            if fits:
                members.append(p)
                u0, u1, widest = n0, n1, w
                continue
            blocks.append(WindowBlock(np.array(members, dtype=np.int64), u0, u1))
        members, u0, u1, widest = [p], s, e, e - s
    if members:
        blocks.append(WindowBlock(np.array(members, dtype=np.int64), u0, u1))
    return blocks
