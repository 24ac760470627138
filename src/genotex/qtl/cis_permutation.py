"""cis permutation pass: empirical and beta-approximated p-values of each top variant."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.beta_approx import BetaApproxBatch, beta_approx_pvals
from genotex.qtl.cis_nominal import PreparedGenotypes
from genotex.qtl.genotype_stats import allele_stats, impute_mean, is_monomorphic, maf_mask
from genotex.qtl.regression import complement_rows, pval_from_r2
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows

__all__ = [
    "AdaptivePermutations",
    "CisPermutationResult",
    "PackedGenotypes",
    "PackedWindow",
    "PhenotypeScan",
    "RowBlocks",
    "map_cis_permutations",
    "pack_genotypes",
    "permutation_indices",
    "permutation_pvals",
    "scan_permutations",
    "top_statistics",
]


def permutation_indices(
    n_samples: int, n_perm: int, *, seed: int | None = None
) -> NDArray[np.int64]:
    """Sample permutations shared by every phenotype, drawn as tensorQTL draws them.

    Equivalent to ``np.random.seed(seed); [np.random.permutation(n) for _ in range(n_perm)]``
    (legacy MT19937) without touching NumPy's global random state.

    Returns
    -------
    (n_perm, n_samples) integer permutations of ``range(n_samples)``.

    Examples
    --------
    >>> permutation_indices(4, 2, seed=1).tolist()
    [[3, 2, 0, 1], [0, 2, 1, 3]]
    """
    rs = np.random.RandomState(seed)
    ix = np.arange(n_samples)
    if n_perm == 0:
        return np.empty((0, n_samples), dtype=np.int64)
    return np.array([rs.permutation(ix) for _ in range(n_perm)], dtype=np.int64)


#: Relative r² difference below which two variants count as tied for the top (the first wins).
TIE_RTOL = 1e-5

#: Twins (identical rows) are skipped in a window's product only when the rows to multiply are
#: fewer than 1/TWIN_GATHER of the window; a few twins cost less to multiply than to gather
#: the other rows around them.
TWIN_GATHER = 1.1


@dataclass(frozen=True)
class PhenotypeScan:
    """Top variant and permutation maxima of one phenotype (``var_index`` into genotype rows)."""

    var_index: int
    r_top: float
    std_ratio: float
    num_var: int
    r2_perm: NDArray[np.floating]


class RowBlocks:
    """Consecutive blocks of rows addressed as one (n_rows, n_cols) matrix, never copied
    into one: a sliding window keeps the blocks it read and drops those it passed.

    >>> b = RowBlocks([np.arange(6).reshape(3, 2), np.arange(6, 10).reshape(2, 2)])
    >>> b.shape, b[np.array([4, 0])].tolist(), b.rows(1, 4)[np.array([0, 2])].tolist()
    ((5, 2), [[8, 9], [0, 1]], [[2, 3], [6, 7]])
    """

    def __init__(self, blocks: list[NDArray[Any]]) -> None:
        self.blocks = [b for b in blocks if b.shape[0]]
        self._starts = np.cumsum([0] + [b.shape[0] for b in self.blocks])

    @property
    def shape(self) -> tuple[int, int]:
        """(n_rows, n_cols)."""
        return int(self._starts[-1]), int(self.blocks[0].shape[1]) if self.blocks else 0

    @property
    def nbytes(self) -> int:
        """Memory held by the blocks."""
        return int(sum(b.nbytes for b in self.blocks))

    def __getitem__(self, rows: NDArray[np.int64]) -> NDArray[Any]:
        """The given rows, gathered into a new (len(rows), n_cols) array."""
        r = np.asarray(rows, dtype=np.int64)
        k = np.searchsorted(self._starts, r, side="right") - 1
        if not self.blocks:
            return np.empty((0, 0))
        out = np.empty((r.size, self.blocks[0].shape[1]), dtype=self.blocks[0].dtype)
        for b in np.unique(k).tolist():  # one gather per block holding some of the rows
            at = k == b
            out[at] = self.blocks[b][r[at] - self._starts[b]]
        return out

    def rows(self, lo: int, hi: int) -> RowBlocks:
        """Rows ``lo:hi`` (views of the blocks)."""
        out = []
        for b, start in zip(self.blocks, self._starts[:-1].tolist(), strict=True):
            a, e = max(lo - start, 0), min(hi - start, b.shape[0])
            if a < e:
                out.append(b[a:e])
        return RowBlocks(out)

    def append(self, block: NDArray[Any]) -> RowBlocks:
        """These rows followed by ``block``'s."""
        return RowBlocks([*self.blocks, block])


@dataclass(frozen=True)
class PackedGenotypes:
    """Valid genotype rows (MAF filter passed, not monomorphic) packed together.

    Built by :func:`pack_genotypes` (or a :class:`PackedWindow`); :func:`map_cis_permutations`
    accepts it in place of the dosages, so a caller that maps the same genotypes again (the
    adaptive mode's later stages) does not redo the work.

    ``index`` (n_valid,) genotype row of each packed row; ``cs`` (n_variants + 1,) number of
    valid rows before each genotype row (window ``lo:hi`` is packed rows ``cs[lo]:cs[hi]``);
    ``unit`` (n_valid, n − 1 − k) residualized unit rows in the residual space's coordinates
    (:meth:`Residualizer.complement`), rows constant after residualization zeroed and flagged
    in ``nan``; ``var`` their ddof=1 residual variances; ``rep`` (n_valid,) the first packed
    row with the same dosages (the row itself when it has no earlier twin: variants in
    perfect LD, 40 % of GEUVADIS' rows), whose correlations it shares; ``dosages``
    (n_variants, n_samples) the dosages of every row (NaN = missing), for the top variants'
    allele statistics (None: those columns are left 0).
    """

    index: NDArray[np.int64]
    cs: NDArray[np.int64]
    unit: NDArray[np.floating]
    nan: NDArray[np.bool_]
    var: NDArray[np.floating]
    rep: NDArray[np.int64]
    dosages: NDArray[np.floating] | RowBlocks | None

    @property
    def n_variants(self) -> int:
        """Genotype rows covered (valid or not)."""
        return int(self.cs.size - 1)

    @property
    def nbytes(self) -> int:
        """Memory held by the packed rows (and the dosages when kept)."""
        return int(sum(getattr(self, f.name).nbytes for f in fields(self)
                       if getattr(self, f.name) is not None))

    def copy(self, *, dosages: bool = True) -> PackedGenotypes:
        """An independent copy (a :class:`PackedWindow` reuses its arrays), without the
        dosages unless asked."""
        kept = (None if self.dosages is None or not dosages
                else self.dosages[np.arange(self.n_variants)])
        return PackedGenotypes(self.index.copy(), self.cs.copy(), self.unit.copy(),
                               self.nan.copy(), self.var.copy(), self.rep.copy(), kept)


_ROW_FIELDS = ("index", "nan", "var", "rep")


def _compact_valid(prep: PreparedGenotypes, residualizer: Residualizer) -> PackedGenotypes:
    """The valid rows of prepared genotypes, packed in residual-space coordinates."""
    valid = prep.keep & ~prep.monomorphic
    idx = np.flatnonzero(valid)
    unit = residualizer.complement(prep.unit[idx])
    nan = np.isnan(unit[:, 0]) if unit.shape[1] else np.zeros(idx.size, dtype=bool)
    unit[nan] = 0
    return PackedGenotypes(idx, np.concatenate([[0], np.cumsum(valid, dtype=np.int64)]), unit,
                           nan, prep.var[idx], np.arange(idx.size), prep.imputed)


def _imputed(block: NDArray[np.floating]) -> NDArray[np.floating]:
    """``block`` with missing dosages mean-imputed (the same array when none is missing)."""
    return impute_mean(block) if np.isnan(block).any() else block


def pack_genotypes(genotypes: ArrayLike, residualizer: Residualizer,
                   maf_threshold: float = 0.0, *, out: NDArray[np.floating] | None = None,
                   chunk_rows: int = 1024) -> PackedGenotypes:
    """Impute, filter and residualize only the valid rows of a genotype matrix.

    The same values as :func:`genotex.qtl.prepare_genotypes` on those rows (the residuals in
    residual-space coordinates), in one pass of ``chunk_rows`` variants at a time so every
    step works in cache.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages, NaN = missing.
    residualizer
        Covariates to project out; sets the precision.
    maf_threshold
        In-sample MAF filter; monomorphic variants are always dropped.
    out
        Optional (≥ n_variants, n − 1 − k) array of the residualizer's dtype for the unit rows
        (no new memory; :class:`PackedWindow` reuses its buffers this way).
    """
    d = np.asarray(genotypes)
    if d.dtype not in (np.float32, np.float64):
        d = d.astype(np.float64)
    n_var, n = d.shape
    dt = residualizer.dtype
    unit = (np.empty((n_var, residualizer.n_complement), dtype=dt) if out is None
            else out[:n_var])
    valid = np.zeros(n_var, dtype=bool)
    var = np.empty(n_var, dtype=dt)
    key = np.empty(n_var)
    weights = _hash_weights(n).astype(d.dtype)  # in the dosages' precision: no upcast copy
    count = 0
    for lo in range(0, n_var, chunk_rows):
        block = _imputed(d[lo:lo + chunk_rows])
        af = (block.sum(1, dtype=np.float64) / (2 * n)).astype(np.float32)
        ok = maf_mask(af, maf_threshold) & ~is_monomorphic(block)
        valid[lo:lo + chunk_rows] = ok
        rows = block if ok.all() else block[ok]
        k = rows.shape[0]
        if k == 0:
            continue
        key[count:count + k] = rows @ weights
        var[count:count + k] = complement_rows(rows, residualizer,
                                               out=unit[count:count + k]).var
        count += k
    unit, var = unit[:count], var[:count]
    nan = ~np.isfinite(unit[:, 0]) if unit.shape[1] else np.zeros(count, dtype=bool)
    if nan.any():
        unit[nan] = 0
    idx = np.flatnonzero(valid)
    rep = _first_twins(d, idx, key[:count])
    cs = np.concatenate([[0], np.cumsum(valid, dtype=np.int64)])
    return PackedGenotypes(idx, cs, unit, nan, var, rep, d)


def _hash_weights(n: int) -> NDArray[np.float64]:
    """Fixed pseudo-random weights whose dot product with a dosage row keys the row."""
    return np.random.default_rng(n).uniform(0.5, 1.5, n)


def _first_twins(d: NDArray[np.floating], idx: NDArray[np.int64],
                 key: NDArray[np.float64]) -> NDArray[np.int64]:
    """(n_rows,) for each selected row ``d[idx[i]]`` the first ``j ≤ i`` with identical
    dosages (missing calls at the same places: identical once imputed). Rows are grouped by
    ``key`` (a hash of the imputed row), then compared exactly with the earliest row of their
    group: a collision, or twins hashed apart by rounding, only costs a missed twin."""
    rep = np.arange(idx.size)
    if idx.size < 2:
        return rep
    order = np.lexsort((rep, key))  # by key, then position
    k = key[order]
    starts = np.concatenate([[True], k[1:] != k[:-1]])
    later = np.flatnonzero(~starts)
    if later.size == 0:
        return rep
    earliest = order[np.maximum.accumulate(np.where(starts, rep, 0))][later]
    members = order[later]
    a, b = np.take(d, idx[members], axis=0), np.take(d, idx[earliest], axis=0)
    same = ((a == b) | (np.isnan(a) & np.isnan(b))).all(1)
    rep[members[same]] = earliest[same]
    return rep


class PackedWindow:
    """Packed genotypes of a sliding run of variants, each variant packed once.

    A scan along a chromosome keeps the variants still needed (:meth:`slide` drops those
    before the next window), packs only the new ones (:meth:`extend`) and maps
    :meth:`view`. The unit rows live in two arrays used in turn, so sliding allocates no new
    memory once they are large enough (page faults on fresh memory cost as much as packing);
    the dosages stay in the blocks they were read in (:class:`RowBlocks`).
    A view is valid until the second :meth:`slide` after it: copy it to keep it.

    Parameters
    ----------
    residualizer, maf_threshold
        As :func:`pack_genotypes`.
    keep_views
        Views stay valid (the adaptive mode's cache keeps them without a copy): the unit rows
        are appended to an arena of several windows' rows instead, and sliding only moves the
        window's start in it; a new arena is started (the kept rows copied once) when it is
        full.
    """

    #: With ``keep_views``, an arena holds this many windows' rows.
    ARENA_WINDOWS = 8

    def __init__(self, residualizer: Residualizer, maf_threshold: float = 0.0, *,
                 keep_views: bool = False) -> None:
        self.residualizer = residualizer
        self.maf_threshold = maf_threshold
        self.keep_views = keep_views
        unit = np.empty((0, residualizer.n_complement), dtype=residualizer.dtype)
        self._units = [unit, unit]
        self._start = 0  # row of the window's first unit row in self._units[0]
        self._arena_rows = 4096
        self._packed = replace(
            pack_genotypes(np.empty((0, residualizer.n_samples), dtype=np.float32),
                           residualizer, maf_threshold), dosages=RowBlocks([]))

    @property
    def n_variants(self) -> int:
        """Variants in the window."""
        return self._packed.n_variants

    def reserve(self, n_variants: int) -> None:
        """Make room for a window of ``n_variants`` variants now (no growth later)."""
        if self.keep_views:
            self._arena_rows = max(self._arena_rows, self.ARENA_WINDOWS * n_variants)
            return
        _room(self._units, 0, n_variants, self._packed.unit.shape[0])
        _room(self._units, 1, n_variants)
        self._packed = replace(self._packed, unit=self._units[0][:self._packed.unit.shape[0]])

    @property
    def _blocks(self) -> RowBlocks:
        """The window's dosages: the blocks as read (never copied)."""
        blocks = self._packed.dosages
        assert isinstance(blocks, RowBlocks)
        return blocks

    def slide(self, drop: int) -> None:
        """Drop the first ``drop`` variants (all of them when ``drop ≥ n_variants``)."""
        cur = self._packed
        drop = min(max(drop, 0), cur.n_variants)
        lo = int(cur.cs[drop])
        kept_rows = cur.unit.shape[0] - lo
        if self.keep_views:  # the rows stay where they are in the arena
            self._start += lo
            unit = cur.unit[lo:]
        else:
            unit = _room(self._units, 1, kept_rows)[:kept_rows]
            unit[:] = cur.unit[lo:]
            self._units.reverse()
        rows = {f: getattr(cur, f)[lo:] for f in _ROW_FIELDS}
        rows["index"] = rows["index"] - drop
        rows["rep"] = _shift_reps(rows["rep"], lo)
        self._packed = PackedGenotypes(cs=cur.cs[drop:] - lo, unit=unit,
                                       dosages=self._blocks.rows(drop, cur.n_variants),
                                       **rows)

    def extend(self, genotypes: ArrayLike) -> None:
        """Pack (n_new, n_samples) dosages of the variants that follow the window."""
        cur = self._packed
        g = np.asarray(genotypes, dtype=np.float32)
        n_rows, n_vars = cur.unit.shape[0], cur.n_variants
        unit = self._room_after(n_rows, g.shape[0])
        new = pack_genotypes(g, self.residualizer, self.maf_threshold, out=unit[n_rows:])
        rows = {f: np.concatenate([getattr(cur, f), getattr(new, f)]) for f in _ROW_FIELDS}
        rows["index"][n_rows:] += n_vars
        rows["rep"][n_rows:] += n_rows
        cs = np.concatenate([cur.cs, new.cs[1:] + cur.cs[-1]])
        self._packed = PackedGenotypes(cs=cs, unit=unit[:n_rows + new.unit.shape[0]],
                                       dosages=self._blocks.append(g), **rows)

    def _room_after(self, n_rows: int, n_new: int) -> NDArray[np.floating]:
        """Unit rows of the window (its first ``n_rows`` kept) with room for ``n_new`` more."""
        if not self.keep_views:
            return _room(self._units, 0, n_rows + n_new, n_rows)
        arena, start = self._units[0], self._start
        if start + n_rows + n_new > arena.shape[0]:  # a new arena; views of the old one live on
            fresh = np.empty((max(self._arena_rows, 2 * (n_rows + n_new)), arena.shape[1]),
                             arena.dtype)
            fresh[:n_rows] = arena[start:start + n_rows]
            self._units[0] = arena = fresh
            self._start = start = 0
        return arena[start:]

    def view(self, n_variants: int | None = None) -> PackedGenotypes:
        """The first ``n_variants`` variants of the window (all by default), no copy."""
        cur = self._packed
        if n_variants is None or n_variants >= cur.n_variants:
            return cur
        k = int(cur.cs[n_variants])
        rows = {f: getattr(cur, f)[:k] for f in _ROW_FIELDS}
        return PackedGenotypes(cs=cur.cs[:n_variants + 1], unit=cur.unit[:k],
                               dosages=self._blocks.rows(0, n_variants), **rows)


def _shift_reps(rep: NDArray[np.int64], lo: int) -> NDArray[np.int64]:
    """Twin pointers ``rep`` of the rows kept after the first ``lo`` rows are dropped,
    shifted by ``lo``; a row whose first twin was dropped points to the first kept one.

    >>> _shift_reps(np.array([0, 2, 0, 2]), 1).tolist()  # rows 1-4 of [0, 0, 2, 0, 2]
    [0, 1, 0, 1]
    """
    out = rep - lo
    gone = np.flatnonzero(out < 0)
    if gone.size:
        _, first, inverse = np.unique(out[gone], return_index=True, return_inverse=True)
        out[gone] = gone[first][inverse]
    return out


def _room(buffers: list[NDArray[Any]], which: int, rows: int, keep: int = 0) -> NDArray[Any]:
    """``buffers[which]`` with room for ``rows`` rows (grown at least twofold, its first
    ``keep`` rows kept)."""
    buf = buffers[which]
    if buf.shape[0] < rows:
        grown = np.empty((max(rows, 2 * buf.shape[0], 4096), buf.shape[1]), buf.dtype)
        grown[:keep] = buf[:keep]
        buffers[which] = buf = grown
    return buf


def _max_abs_products(
    unit: NDArray[np.floating], cols: NDArray[np.floating], chunk_rows: int,
    rows: NDArray[np.int64] | None = None, *, work: _ScanWork | None = None,
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """``unit[rows] @ cols.T`` reduced on the fly: its first column and ``max |·|`` of the others.

    The product is computed ``chunk_rows`` rows at a time into one cache-sized buffer, so the
    (n_rows, n_cols) matrix never reaches main memory. ``rows`` (sorted; all rows by default)
    are read in place where a chunk of them is contiguous and gathered chunk by chunk into a
    cache-sized buffer otherwise, so a window is never copied whole. ``work`` holds the
    buffers (reused across calls: no fresh memory).

    Returns
    -------
    (n_rows,) the first column and (n_cols − 1,) the column-wise maximum absolute value.
    """
    n_rows = unit.shape[0] if rows is None else rows.size
    if work is None:
        work = _ScanWork(min(chunk_rows, max(n_rows, 1)), cols.shape[0], cols.shape[1],
                         np.result_type(unit, cols))
    first = np.empty(n_rows, dtype=work.product.dtype)
    best = np.zeros(cols.shape[0] - 1, dtype=first.dtype)
    cols_t = cols.T
    for lo in range(0, n_rows, chunk_rows):
        hi = min(lo + chunk_rows, n_rows)
        out = work.product[:hi - lo]
        np.matmul(work.rows(unit, rows, lo, hi), cols_t, out=out)
        first[lo:hi] = out[:, 0]
        np.abs(out, out=out)
        np.maximum(best, out[:, 1:].max(0), out=best)
    return first, best


class _ScanWork:
    """The product and gather blocks of one permutation scan, reused by every phenotype
    (fresh memory for each phenotype costs page faults worth a few percent of the products)."""

    def __init__(self, chunk_rows: int, n_cols: int, n_coords: int, dtype: Any) -> None:
        self.product = np.empty((chunk_rows, n_cols), dtype=dtype)
        self.gathered = np.empty((chunk_rows, n_coords), dtype=dtype)

    def rows(self, unit: NDArray[np.floating], rows: NDArray[np.int64] | None, lo: int,
             hi: int) -> NDArray[np.floating]:
        """Rows ``rows[lo:hi]`` of ``unit`` (``unit[lo:hi]`` without ``rows``): a view where
        they are contiguous, else gathered into the buffer."""
        if rows is None:
            return unit[lo:hi]
        r = rows[lo:hi]
        if int(r[-1]) - int(r[0]) == hi - lo - 1:
            return unit[int(r[0]):int(r[-1]) + 1]
        return np.take(unit, r, axis=0, out=self.gathered[:hi - lo], mode="clip")


def scan_permutations(
    prep: PreparedGenotypes,
    phenotypes: NDArray[np.floating],
    windows: CisWindows,
    residualizer: Residualizer,
    perm_ix: NDArray[np.int64],
    *,
    max_block_elements: int = 1 << 24,
    chunk_rows: int = 512,
) -> dict[int, PhenotypeScan]:
    """Nominal top variant and per-permutation max r² for every phenotype with valid variants.

    Variants failing the MAF filter and monomorphic variants are excluded (packed out before
    the products, so each phenotype's product covers exactly its ``num_var`` variants). Each
    phenotype's product ``G_window · [y, Y_perm]ᵀ`` is computed ``chunk_rows`` variants at a
    time (at most ``max_block_elements`` products at once) and reduced immediately.
    The raw phenotype is permuted, then residualized (as tensorQTL and FastQTL do).
    """
    return _scan(_compact_valid(prep, residualizer), phenotypes, windows, residualizer, perm_ix,
                 max_block_elements=max_block_elements, chunk_rows=chunk_rows)


def _scan(
    packed: PackedGenotypes,
    phenotypes: NDArray[np.floating],
    windows: CisWindows,
    residualizer: Residualizer,
    perm_ix: NDArray[np.int64],
    *,
    max_block_elements: int,
    chunk_rows: int,
) -> dict[int, PhenotypeScan]:
    n_perm = perm_ix.shape[0]
    if windows.start.shape != (phenotypes.shape[0],):
        raise ValueError("windows must have one entry per phenotype")
    if perm_ix.ndim != 2 or perm_ix.shape[1] != phenotypes.shape[1]:
        raise ValueError("perm_ix must have shape (n_perm, n_samples)")
    yr = complement_rows(phenotypes, residualizer)
    constant = (phenotypes == phenotypes[:, :1]).all(1)
    cs, unit, nan = packed.cs, packed.unit, packed.nan
    rows_per_chunk = max(1, min(chunk_rows, max_block_elements // (n_perm + 1)))
    work = _ScanWork(rows_per_chunk, n_perm + 1, yr.unit.shape[1], yr.unit.dtype)
    cols = np.empty((n_perm + 1, yr.unit.shape[1]), dtype=yr.unit.dtype)
    permuted = np.empty(perm_ix.shape, dtype=phenotypes.dtype)

    def scan_phenotype(p: int) -> PhenotypeScan | None:
        lo, hi = int(cs[windows.start[p]]), int(cs[max(windows.stop[p], windows.start[p])])
        if hi <= lo:
            return None
        if nan[lo:hi].all():
            raise ValueError(f"all permutation correlations are NaN for phenotype {p}")
        cols[0] = yr.unit[p]  # observed first, then the permutations
        # mode="clip": the indices are valid, and "raise" would copy through a temporary
        np.take(phenotypes[p], perm_ix, out=permuted, mode="clip")
        complement_rows(permuted, residualizer, out=cols[1:])
        rep = packed.rep[lo:hi]
        if rep[-1] == hi - 1 and np.array_equal(rep, np.arange(lo, hi)):
            r_nom, best = _max_abs_products(unit[lo:hi], cols, rows_per_chunk, work=work)
        else:  # twins (perfect LD) share one product row: the first of them in the window
            _, first, inverse = np.unique(rep, return_index=True, return_inverse=True)
            # a few twins are cheaper to multiply than to gather around
            once = None if first.size * TWIN_GATHER > hi - lo else np.sort(first)
            r_rows, best = _max_abs_products(unit[lo:hi], cols, rows_per_chunk, once, work=work)
            r_all = r_rows
            if once is not None:
                r_all = np.empty(hi - lo, dtype=r_rows.dtype)
                r_all[once] = r_rows
            r_nom = r_all[first[inverse]]
        r_nom[nan[lo:hi]] = np.nan
        r2c = np.where(nan[lo:hi], -1.0, r_nom * r_nom)
        # near-ties (variants in perfect LD, equal up to rounding): the first one, as
        # tensorQTL's argmax mostly picks; float32 rounding alone decides otherwise
        top = int(np.argmax(r2c >= r2c.max() * (1 - TIE_RTOL)))
        ratio = float(np.sqrt(yr.var[p] / packed.var[lo + top]))
        return PhenotypeScan(int(packed.index[lo + top]), float(r_nom[top]), ratio,
                             hi - lo, best * best)

    scans = {p: scan_phenotype(p) for p in np.flatnonzero(~constant).tolist()}
    return {p: s for p, s in scans.items() if s is not None}


@dataclass(frozen=True)
class TopVariantColumns:
    """tensorQTL's ``map_cis`` columns of a phenotype's top variant; arrays of shape (n_rows,).

    Shared by :class:`CisPermutationResult` and
    :class:`genotex.qtl.cis_independent.CisIndependentResult`.
    """

    phenotype_index: NDArray[np.int64]
    variant_index: NDArray[np.int64]
    num_var: NDArray[np.int32]
    beta_shape1: NDArray[np.float64]
    beta_shape2: NDArray[np.float64]
    true_df: NDArray[np.float64]
    pval_true_df: NDArray[np.float64]
    ma_samples: NDArray[np.int32]
    ma_count: NDArray[np.int32]
    af: NDArray[np.float32]
    pval_nominal: NDArray[np.float64]
    slope: NDArray[np.float64]
    slope_se: NDArray[np.float64]
    pval_perm: NDArray[np.float64]
    pval_beta: NDArray[np.float64]


@dataclass(frozen=True)
class CisPermutationResult(TopVariantColumns):
    """One row per mapped phenotype (or group); every array has shape (n_rows,).

    Columns follow tensorQTL's ``map_cis`` output. ``phenotype_index`` is the input row of the
    phenotype (the best one of its group in grouped mode), ``variant_index`` the genotype row of
    the top variant, ``group_index`` the group code (−1 without groups) and ``group_size`` the
    number of phenotypes in the group (1 without groups). Phenotypes that are constant or have
    no valid variant are left out.
    """

    group_index: NDArray[np.int64]
    group_size: NDArray[np.int32]
    r2_perm: NDArray[np.floating] | None
    dof: int
    n_perm: int


@dataclass(frozen=True)
class AdaptivePermutations:
    """Sequential stopping rule for the permutation pass (opt-in; exact mode is the default).

    Permutations run in stages of ``min_perm``, ``growth·min_perm``, ``growth²·min_perm`` …
    up to ``n_perm``; each stage uses the next rows of the same permutation matrix, so a
    phenotype that runs every stage gets the exact mode's result. After a stage, the eGene
    threshold ``p*`` (the largest pval_beta with q ≤ FDR, :func:`genotex.qtl.nominal_thresholds`)
    is estimated from all phenotypes' current p-values, and a phenotype stops when its p-value
    is clearly on one side of it: ``|ln(p̂/p*)| > z·sqrt((1 − p*)/(m·p*))``, the relative
    standard error of an empirical p-value at ``p*`` from ``m`` permutations (the beta
    approximation is more precise than that). Clearly null and clearly significant phenotypes
    thus stop after ``min_perm``; those near the threshold run on. A phenotype that stopped
    stays stopped (its p-value is final) even if ``p*`` moves later.
    """

    min_perm: int = 100
    growth: int = 3
    z: float = 3.0

    def stages(self, n_perm: int) -> list[int]:
        """Cumulative permutation counts after each stage, ending at ``n_perm``.

        >>> AdaptivePermutations().stages(1000)
        [100, 300, 900, 1000]
        """
        out, m = [], max(1, self.min_perm)
        while m < n_perm:
            out.append(m)
            m *= max(2, self.growth)
        return [*out, n_perm]

    def settled(self, pval: ArrayLike, n_perm: ArrayLike, p_star: float) -> NDArray[np.bool_]:
        """Which phenotypes (p-values from ``n_perm`` permutations each) are settled.

        >>> AdaptivePermutations().settled([1e-6, 0.04, 0.5], [100, 100, 100], 0.05).tolist()
        [True, False, True]
        """
        p = np.maximum(np.asarray(pval, dtype=np.float64), 1e-300)
        m = np.asarray(n_perm, dtype=np.float64)
        if not 0 < p_star < 1:
            return np.ones(p.shape, dtype=bool)
        se = np.sqrt((1 - p_star) / (m * p_star))
        return np.asarray(np.abs(np.log(p / p_star)) > self.z * se)


def _group_codes(groups: ArrayLike | None, n: int) -> NDArray[np.int64]:
    if groups is None:
        return np.arange(n, dtype=np.int64)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    if codes.shape != (n,):
        raise ValueError(f"groups must have one entry per phenotype ({n})")
    return codes.astype(np.int64)


def map_cis_permutations(
    genotypes: ArrayLike | PackedGenotypes,
    phenotypes: ArrayLike,
    windows: CisWindows,
    residualizer: Residualizer,
    *,
    n_perm: int = 10_000,
    seed: int | None = None,
    perm_ix: ArrayLike | None = None,
    maf_threshold: float = 0.0,
    groups: ArrayLike | None = None,
    beta_approx: bool = True,
    keep_r2_perm: bool = False,
    max_block_elements: int = 1 << 24,
) -> CisPermutationResult:
    """Empirical (permutation) and beta-approximated p-values of each phenotype's top variant.

    Parameters
    ----------
    genotypes
        (n_variants, n_samples) ALT dosages, NaN = missing, sorted by position, or those
        dosages already packed by :func:`pack_genotypes` (with the same residualizer and
        MAF threshold; ``maf_threshold`` is then not used).
    phenotypes
        (n_phenotypes, n_samples) normalized expression.
    windows
        cis window of each phenotype (``cis_windows``).
    residualizer
        Covariates; ``dof = n − 2 − k``.
    n_perm, seed
        Number of permutations and the legacy-RNG seed (``permutation_indices``); one
        permutation matrix is shared by all phenotypes.
    perm_ix
        (n_perm, n_samples) explicit permutations; overrides ``n_perm`` and ``seed``.
    maf_threshold
        In-sample MAF filter; monomorphic variants are always dropped.
    groups
        (n_phenotypes,) group label of each phenotype (sQTL introns of a cluster). Members of a
        group must share their window. The best phenotype (largest |r| of its top variant;
        first on ties) is reported, r2_perm is the element-wise max over members and the beta
        fit starts at ``0.25·dof``.
    beta_approx
        Fit the beta approximation (otherwise its columns are NaN).
    keep_r2_perm
        Return the (n_rows, n_perm) permutation maxima.
    max_block_elements
        Memory bound of one genotype × permuted-phenotype product.

    References
    ----------
    tensorQTL ``cis.map_cis``, ``calculate_cis_permutations``, ``prepare_cis_output`` and
    ``_process_group_permutations``.
    """
    y = np.asarray(phenotypes, dtype=residualizer.dtype)
    if perm_ix is None:
        perm = permutation_indices(y.shape[1], n_perm, seed=seed)
    else:
        perm = np.asarray(perm_ix, dtype=np.int64)
    packed = (genotypes if isinstance(genotypes, PackedGenotypes)
              else pack_genotypes(genotypes, residualizer, maf_threshold))
    codes = _group_codes(groups, y.shape[0])
    scans = _scan(packed, y, windows, residualizer, perm, max_block_elements=max_block_elements,
                  chunk_rows=512)
    r2 = {p: s.r2_perm for p, s in scans.items()}
    rows: list[tuple[int, int, int, int, PhenotypeScan, NDArray[np.floating]]] = []
    for code in np.unique(codes[list(scans)]) if scans else []:
        members = np.flatnonzero(codes == code)
        got = [p for p in members.tolist() if p in scans]
        if groups is not None and len({(int(windows.start[p]), int(windows.stop[p]))
                                       for p in members.tolist()}) > 1:
            raise ValueError(f"phenotypes of group {code} do not share one cis window")
        best = got[int(np.argmax([abs(scans[p].r_top) for p in got]))]
        r2_perm = np.max([r2[p] for p in got], axis=0)
        rows.append((members[0], best, int(code), members.size, scans[best], r2_perm))
    rows.sort(key=lambda t: t[0])
    return _assemble(rows, packed, y, residualizer, perm.shape[0], groups is not None,
                     beta_approx, keep_r2_perm)


def permutation_pvals(
    r2_perm: NDArray[np.floating], r2_top: NDArray[np.floating], dof: int, *,
    grouped: bool = False, beta_approx: bool = True,
) -> tuple[NDArray[np.float64], BetaApproxBatch | None]:
    """Empirical and beta-approximated p-values of each row's top r² among its permutations.

    Parameters
    ----------
    r2_perm
        (n_rows, n_perm) permutation maxima of r².
    r2_top
        (n_rows,) r² of each row's top variant.
    dof
        Residual degrees of freedom; the beta fit starts there (``0.25·dof`` for phenotype
        groups, as tensorQTL's grouped mode).
    beta_approx
        Fit the beta approximation (otherwise None is returned for it).

    Returns
    -------
    (n_rows,) ``pval_perm = (#{r2_perm ≥ r2_top} + 1) / (n_perm + 1)`` and the
    :class:`genotex.qtl.beta_approx.BetaApproxBatch` of the rows.
    """
    n_perm = r2_perm.shape[1]
    pval_perm = ((r2_perm >= np.asarray(r2_top)[:, None]).sum(1) + 1) / (n_perm + 1)
    b = (beta_approx_pvals(r2_perm, r2_top, dof_init=0.25 * dof if grouped else dof)
         if beta_approx else None)
    return pval_perm, b


def top_statistics(genotypes: NDArray[np.floating], phenotypes: NDArray[np.floating],
                   residualizer: Residualizer) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Correlation and standard-deviation ratio of row pairs, residualized in float64.

    The float32 products pick each phenotype's top variant; its statistics are then
    recomputed from the inputs in float64, so the reported r, slope and p-values carry no
    float32 rounding (which reaches ~1e-4 relative on p-values below 1e-50).

    Parameters
    ----------
    genotypes, phenotypes
        (n_rows, n_samples) imputed dosages of each top variant and its phenotype.

    Returns
    -------
    (n_rows,) Pearson r of the residuals and (n_rows,) ``sd(phenotype) / sd(genotype)`` of
    the residuals (``slope = r · ratio``).
    """
    res = residualizer.in_float64()
    g, y = res.transform(genotypes), res.transform(phenotypes)
    gg, yy = np.einsum("ij,ij->i", g, g), np.einsum("ij,ij->i", y, y)
    return np.einsum("ij,ij->i", g, y) / np.sqrt(gg * yy), np.sqrt(yy / gg)


def _assemble(
    rows: list[tuple[int, int, int, int, PhenotypeScan, NDArray[np.floating]]],
    packed: PackedGenotypes,
    phenotypes: NDArray[np.floating],
    residualizer: Residualizer,
    n_perm: int,
    grouped: bool,
    beta_approx: bool,
    keep_r2_perm: bool,
) -> CisPermutationResult:
    n, dof = len(rows), residualizer.dof
    r_top = np.array([r[4].r_top for r in rows], dtype=np.float64)
    ratio = np.array([r[4].std_ratio for r in rows], dtype=np.float64)
    top = np.array([r[4].var_index for r in rows], dtype=np.int64)
    if packed.dosages is not None:
        g = _imputed(packed.dosages[top])
        st = allele_stats(g, top_variant=True)
        af, ma_s, ma_c = st.af, st.ma_samples, st.ma_count
        if n:
            r_top, ratio = top_statistics(g, phenotypes[[r[1] for r in rows]], residualizer)
    else:
        af, ma_s, ma_c = np.zeros(n, np.float32), np.zeros(n, np.int32), np.zeros(n, np.int32)
    r2_perm = (np.array([r[5] for r in rows]) if n
               else np.empty((0, n_perm), dtype=packed.unit.dtype))
    r2_top = r_top * r_top
    slope = r_top * ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        slope_se = np.abs(slope) / np.sqrt(dof * r2_top / (1 - r2_top))
    nan = np.full(n, np.nan)
    pval_perm, b = permutation_pvals(r2_perm, r2_top, dof, grouped=grouped,
                                     beta_approx=beta_approx)
    return CisPermutationResult(
        phenotype_index=np.array([r[1] for r in rows], dtype=np.int64),
        variant_index=top,
        num_var=np.array([r[4].num_var for r in rows], dtype=np.int32),
        beta_shape1=nan if b is None else b.beta_shape1,
        beta_shape2=nan if b is None else b.beta_shape2,
        true_df=nan if b is None else b.true_df,
        pval_true_df=nan if b is None else b.pval_true_df,
        ma_samples=ma_s, ma_count=ma_c, af=af, pval_nominal=pval_from_r2(r2_top, dof), slope=slope,
        slope_se=slope_se,
        pval_perm=pval_perm,
        pval_beta=nan if b is None else b.pval_beta,
        group_index=np.array([r[2] if grouped else -1 for r in rows], dtype=np.int64),
        group_size=np.array([r[3] for r in rows], dtype=np.int32),
        r2_perm=r2_perm if keep_r2_perm else None,
        dof=dof, n_perm=n_perm,
    )
