"""Inputs of cis-QTL mapping, aligned by sample, and genotypes streamed window by window.

:func:`load_cis_inputs` reads the phenotype BED and the covariates, opens the genotype file on
the BED's samples and checks that the three files agree (samples, chromosome naming).
:func:`iter_window_batches` walks one chromosome in position order and yields batches of
phenotypes together with the genotypes covering their cis windows. Genotypes are read through
a sliding buffer (``read_region`` of the not-yet-read part only), so every variant is read once
and memory is bounded by ``chunk_variants`` plus one window, never by the chromosome.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from genotex.errors import InputError
from genotex.io import check_chrom_naming_matches
from genotex.io.bed import read_phenotype_bed
from genotex.io.covariates import read_covariates
from genotex.io.genotypes import GenotypeReader, VariantTable, open_genotypes
from genotex.qtl.cis_permutation import PackedGenotypes, PackedWindow
from genotex.qtl.windows import CisWindows, cis_windows

__all__ = ["READ_ROWS", "CisInputs", "WindowBatch", "iter_window_batches", "load_cis_inputs",
           "read_phenotype_groups"]

PathLike = str | Path


def _few(ids: Sequence[object], n: int = 3) -> str:
    shown = ", ".join(repr(str(i)) for i in list(ids)[:n])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > n else "")


@dataclass(frozen=True)
class CisInputs:
    """Phenotypes, covariates and the genotype file, aligned on the BED's samples.

    Attributes
    ----------
    positions
        (n_phenotypes, ≥4) BED columns ``chrom, start, end, phenotype_id``; ``start`` is
        converted to 1-based (tensorQTL adds 1 to the BED start), ``end`` kept as is.
    values
        (n_phenotypes, n_samples) float64 phenotypes.
    samples
        The BED's sample IDs (the order of every matrix).
    covariates
        (n_samples, n_covariates) float64; zero columns when no covariate file is given.
    covariate_names
        The covariate IDs.
    """

    phenotype_bed: Path
    genotypes: Path
    positions: pd.DataFrame
    values: NDArray[np.float64]
    samples: list[str]
    covariates: NDArray[np.float64]
    covariate_names: list[str]
    chromosomes: list[str]

    def open_genotypes(self) -> GenotypeReader:
        """The genotype reader restricted to (and ordered as) ``samples``."""
        return open_genotypes(self.genotypes, samples=self.samples)


def load_cis_inputs(
    *, phenotype_bed: PathLike, genotypes: PathLike, covariates: PathLike | None
) -> CisInputs:
    """Read and cross-check the three inputs of a cis mapping run.

    Raises
    ------
    InputError
        When BED samples are missing from the genotype or covariate file (naming both files and
        a few IDs), when chromosome naming differs (``1`` vs ``chr1``), or when no phenotype
        lies on a genotyped chromosome.
    """
    bed = read_phenotype_bed(phenotype_bed)
    samples = [str(s) for s in bed.values.columns]
    with open_genotypes(genotypes) as reader:
        geno_samples = list(reader.samples)
        variant_chroms = list(reader.variant_table.chroms)
    have_genotypes = set(geno_samples)
    missing = [s for s in samples if s not in have_genotypes]
    if missing:
        raise InputError(
            genotypes, f"{len(missing)} of the {len(samples)} samples of {phenotype_bed} have no "
            f"genotypes: {_few(missing)} (the genotype file has e.g. {_few(geno_samples, 2)})",
            "use the same sample IDs (donor IDs) in the BED header and the genotype file, or "
            "drop those samples from the BED")
    check_chrom_naming_matches(bed.positions["chrom"], phenotype_bed, variant_chroms, genotypes)
    cov_names: list[str] = []
    cov = np.zeros((len(samples), 0))
    if covariates is not None:
        table = read_covariates(covariates)
        with_covariates = set(table.index)
        absent = [s for s in samples if s not in with_covariates]
        if absent:
            raise InputError(
                covariates, f"{len(absent)} of the {len(samples)} samples of {phenotype_bed} "
                f"have no covariates: {_few(absent)} (the covariate file has e.g. "
                f"{_few(list(table.index), 2)})",
                "give covariates for every BED sample (same IDs), or drop those samples")
        table = table.loc[samples]
        cov, cov_names = table.to_numpy(dtype=np.float64), [str(c) for c in table.columns]
    positions = bed.positions.copy()
    positions["start"] = positions["start"].astype(np.int64) + 1
    positions["end"] = positions["end"].astype(np.int64)
    genotyped = positions["chrom"].isin(variant_chroms)
    if not genotyped.any():
        raise InputError(phenotype_bed, "no phenotype lies on a chromosome of "
                         f"{genotypes} (it has {_few(variant_chroms)})",
                         "map phenotypes of the genotyped chromosomes")
    chroms = [c for c in pd.unique(positions["chrom"]) if c in set(variant_chroms)]
    return CisInputs(Path(phenotype_bed), Path(genotypes), positions,
                     bed.values.to_numpy(dtype=np.float64), samples, cov, cov_names, chroms)


def read_phenotype_groups(path: PathLike, phenotype_ids: Sequence[str]) -> NDArray[np.object_]:
    """Group of each phenotype from a headerless ``phenotype_id<TAB>group_id`` file.

    tensorQTL's ``--phenotype_groups`` layout (sQTL: intron → cluster or gene). Members of a
    group must be contiguous in the BED. Returns (n_phenotypes,) group IDs.
    """
    table = pd.read_csv(path, sep="\t", header=None, dtype=str, usecols=[0, 1])
    table.columns = ["phenotype_id", "group_id"]
    if table["phenotype_id"].duplicated().any():
        dup = table.loc[table["phenotype_id"].duplicated(), "phenotype_id"]
        raise InputError(path, f"phenotypes listed twice: {_few(list(dup))}",
                         "give each phenotype exactly one group")
    groups = table.set_index("phenotype_id")["group_id"]
    absent = [p for p in phenotype_ids if p not in groups.index]
    if absent:
        raise InputError(path, f"{len(absent)} BED phenotypes have no group: {_few(absent)}",
                         "list every phenotype of the BED with its group")
    out = groups.loc[list(phenotype_ids)].to_numpy(dtype=object)
    change = np.flatnonzero(out[1:] != out[:-1]) + 1
    firsts = out[np.concatenate([[0], change])] if out.size else out
    if len(set(firsts)) != len(firsts):
        raise InputError(path, "the phenotypes of a group are not contiguous in the BED",
                         "sort the BED so each group's phenotypes are adjacent")
    return out


@dataclass(frozen=True)
class WindowBatch:
    """Phenotypes of one chromosome with the genotypes covering their cis windows.

    Attributes
    ----------
    phenotypes
        (n_batch,) rows of :attr:`CisInputs.values`.
    variants
        (n_variants, 5) variant table (``variant_id, chrom, pos, ref, alt``) of the buffer;
        (0, 5) when the batch comes packed (:meth:`variant_frame` builds the rows asked for).
    dosages
        (n_variants, n_samples) float32 ALT dosages, NaN = missing; (0, n_samples) when the
        batch comes packed.
    windows
        cis window of each batch phenotype as rows of ``variants``.
    packed
        The variants packed for the permutation pass (``iter_window_batches(pack=…)``), else
        None. Valid until the next batch is requested.
    table, first_row
        The reader's variant table and the table row of the batch's first variant.
    """

    chrom: str
    phenotypes: NDArray[np.int64]
    variants: pd.DataFrame
    dosages: NDArray[np.float32]
    windows: CisWindows
    packed: PackedGenotypes | None = None
    table: VariantTable | None = None
    first_row: int = 0

    def variant_frame(self, rows: NDArray[np.int64]) -> pd.DataFrame:
        """(len(rows), 5) the variant table rows of the batch's variants ``rows``."""
        if len(self.variants) or self.table is None:
            return self.variants.iloc[rows].reset_index(drop=True)
        return self.table.take(self.first_row + np.asarray(rows, dtype=np.int64))


def _batches(start: NDArray[np.int64], stop: NDArray[np.int64], units: NDArray[np.int64],
             limit: int) -> list[NDArray[np.int64]]:
    """Consecutive runs of units (a phenotype, or a whole group) with union span ≤ limit."""
    out: list[NDArray[np.int64]] = []
    cut = np.flatnonzero(units[1:] != units[:-1]) + 1
    pieces = np.split(np.arange(units.size), cut)
    cur: list[NDArray[np.int64]] = []
    lo = hi = 0
    for piece in pieces:
        s, e = int(start[piece].min()), int(stop[piece].max())
        if cur and max(hi, e) - min(lo, s) > limit:
            out.append(np.concatenate(cur))
            cur = []
        if not cur:
            lo, hi = s, e
        cur.append(piece)
        lo, hi = min(lo, s), max(hi, e)
    if cur:
        out.append(np.concatenate(cur))
    return out


def iter_window_batches(
    reader: GenotypeReader,
    inputs: CisInputs,
    chrom: str,
    *,
    window: int = 1_000_000,
    chunk_variants: int = 20_000,
    groups: NDArray[np.object_] | None = None,
    only: NDArray[np.bool_] | None = None,
    pack: PackedWindow | None = None,
) -> Iterator[WindowBatch]:
    """Batches of one chromosome's phenotypes with the genotypes of their cis windows.

    Phenotypes are taken in BED order (sorted by position); a batch grows while the union of
    its windows spans at most ``chunk_variants`` variants (a single wider window is its own
    batch). Genotypes already in the buffer are reused; only the new part is read. Phenotypes
    with an empty window are skipped. Members of a group are never split between batches.
    ``only`` (n_phenotypes,) restricts the batches to the flagged phenotypes.
    ``pack`` (an empty :class:`genotex.qtl.PackedWindow`): the new genotypes are packed into
    it as they are read, :data:`READ_ROWS` variants at a time, and batches carry
    ``packed`` instead of ``dosages``.
    """
    table = reader.variant_table
    on_chrom = table.chrom_slice(chrom)
    row0, vpos = on_chrom.start, table.pos[on_chrom]
    on = inputs.positions["chrom"].to_numpy() == chrom
    rows = np.flatnonzero(on if only is None else on & only)
    if vpos.size == 0 or rows.size == 0:
        return
    pos = inputs.positions.iloc[rows]
    w = cis_windows(np.zeros(vpos.size, dtype=np.int8), vpos, np.zeros(rows.size, dtype=np.int8),
                    pos["start"].to_numpy(), pos["end"].to_numpy(), window=window)
    live = w.stop > w.start
    rows, start, stop = rows[live], w.start[live], w.stop[live]
    units = (np.unique(groups[rows], return_inverse=True)[1] if groups is not None
             else np.arange(rows.size))
    buf_lo = buf_hi = 0
    empty = table.frame(0, 0)
    buf_var = empty
    buf_dos = np.empty((0, len(inputs.samples)), dtype=np.float32)
    batches = _batches(start, stop, np.asarray(units, dtype=np.int64), chunk_variants)
    if pack is not None:
        pack.slide(pack.n_variants)
        pack.reserve(max((int(stop[i].max() - start[i].min()) for i in batches), default=0)
                     + READ_ROWS)
    for idx in batches:
        lo, hi = int(start[idx].min()), int(stop[idx].max())
        if lo >= buf_hi or lo < buf_lo:
            buf_lo = buf_hi = lo
            buf_var, buf_dos = empty, buf_dos[:0]
            if pack is not None:
                pack.slide(pack.n_variants)
        keep = slice(lo - buf_lo, buf_hi - buf_lo)
        parts_v, parts_d = [buf_var.iloc[keep]], [buf_dos[keep]]
        if pack is not None:
            pack.slide(lo - buf_lo)
        step = READ_ROWS if pack is not None else max(hi - buf_hi, 1)
        for a in range(buf_hi, hi, step):
            b = min(a + step, hi)
            first = int(np.searchsorted(vpos, vpos[a], side="left"))
            take = slice(a - first, b - first)
            if pack is None:
                chunk = reader.read_region(chrom, int(vpos[a]), int(vpos[b - 1]))
                parts_v.append(chunk.variants.iloc[take])
                parts_d.append(chunk.dosages[take])
            else:  # no variant frame: the top variants' rows are built when asked for
                pack.extend(reader.read_dosages(chrom, int(vpos[a]), int(vpos[b - 1]))[take])
        buf_var = pd.concat(parts_v, ignore_index=True) if len(parts_v) > 1 else parts_v[0]
        buf_dos = np.concatenate(parts_d) if len(parts_d) > 1 else parts_d[0]
        buf_lo, buf_hi = lo, max(hi, buf_hi)
        yield WindowBatch(chrom, rows[idx], buf_var.iloc[: hi - lo], buf_dos[: hi - lo],
                          CisWindows(start[idx] - lo, stop[idx] - lo),
                          None if pack is None else pack.view(hi - lo), table, row0 + lo)


#: Variants read (and packed) at once when batches are packed: small enough for the
#: allocator to reuse the memory of the previous read (no page faults), large enough for I/O.
READ_ROWS = 4096

