"""Pipeline steps of cis-QTL mapping: files in, tensorQTL-compatible files out.

Each step reads its inputs through :mod:`genotex.pipeline.genotype_windows` (which streams the
genotypes window by window), calls the pure kernels of :mod:`genotex.qtl`, and writes through
:func:`genotex.pipeline.atomic.staged_outputs`, so a killed run leaves no half-written file.

Outputs (tensorQTL 1.0.10 names, columns and dtypes, see ``QTL_SPEC`` §3.6, §4.4, §5.4):

``<prefix>.cis_qtl_pairs.<chrom>.parquet``
    :func:`cis_nominal`: every (phenotype, variant) pair in cis, one file per chromosome.
``<prefix>.cis_qtl.txt.gz`` (+ ``.parquet``)
    :func:`cis_permutations`: one row per phenotype (or group) with ``qval`` and
    ``pval_nominal_threshold``.
``<prefix>.signif_variant_gene_pairs.parquet``
    :func:`significant_pairs`: the GTEx ``signif_variant_gene_pairs`` table.
``<prefix>.cis_independent_qtl.txt.gz``
    :func:`cis_independent`: conditionally independent signals with their ``rank``.

The number of permutations defaults to 1,000, the number GTEx v8 ran with FastQTL
(``--permute 1000 10000``: at least 1,000, adaptively up to 10,000); tensorQTL's default is
10,000. The beta approximation makes p-values far below 1/n_perm reliable either way.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq
from numpy.typing import NDArray

from genotex.errors import InputError
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.genotype_windows import (
    CisInputs,
    WindowBatch,
    iter_window_batches,
    load_cis_inputs,
    read_phenotype_groups,
)
from genotex.qtl import (
    AdaptivePermutations,
    CisPermutationResult,
    Residualizer,
    map_cis_independent,
    map_cis_nominal,
    map_cis_permutations,
    nominal_thresholds,
    permutation_indices,
    qvalue,
)
from genotex.qtl import significant_pairs as significant_mask
from genotex.qtl.cis_permutation import PackedGenotypes, PackedWindow, permutation_pvals
from genotex.qtl.windows import CisWindows

__all__ = [
    "CisIndependentOutputs",
    "CisNominalOutputs",
    "CisPermutationOutputs",
    "SignificantPairsOutputs",
    "cis_independent",
    "cis_nominal",
    "cis_permutations",
    "nominal_pairs_path",
    "significant_pairs",
]

PathLike = str | Path

#: Columns of the permutation table (tensorQTL ``map_cis`` + ``calculate_qvalues``) and dtypes.
EGENE_DTYPES: dict[str, Any] = {
    "num_var": np.int32, "beta_shape1": np.float32, "beta_shape2": np.float32,
    "true_df": np.float32, "pval_true_df": np.float64, "variant_id": object,
    "start_distance": np.int32, "end_distance": np.int32, "ma_samples": np.int32,
    "ma_count": np.int32, "af": np.float32, "pval_nominal": np.float64, "slope": np.float32,
    "slope_se": np.float32, "pval_perm": np.float64, "pval_beta": np.float64,
}
#: GTEx ``signif_variant_gene_pairs`` columns.
SIGNIF_COLUMNS = ("variant_id", "gene_id", "tss_distance", "ma_samples", "ma_count", "maf",
                  "pval_nominal", "slope", "slope_se", "pval_nominal_threshold",
                  "min_pval_nominal", "pval_beta")


def nominal_pairs_path(output_dir: PathLike, prefix: str, chrom: str) -> Path:
    """``<output_dir>/<prefix>.cis_qtl_pairs.<chrom>.parquet`` (tensorQTL's name)."""
    return Path(output_dir) / f"{prefix}.cis_qtl_pairs.{chrom}.parquet"


def _bar(total: int, progress: bool) -> Any:
    """A tqdm bar over phenotypes (disabled unless ``progress``)."""
    from tqdm import tqdm

    return tqdm(total=total, unit=" phenotypes", disable=not progress, leave=False,
                dynamic_ncols=True)


def _iterate(bar: Any, chrom: str, batches: Iterable[WindowBatch]) -> Iterator[WindowBatch]:
    bar.set_description(chrom)
    for batch in batches:
        yield batch
        bar.update(batch.phenotypes.size)


def _residualizer(inputs: CisInputs, dtype: type) -> Residualizer:
    return Residualizer(inputs.covariates, dtype=dtype)


# --------------------------------------------------------------------------- nominal pass
@dataclass(frozen=True)
class CisNominalOutputs:
    """What :func:`cis_nominal` wrote: one Parquet file per chromosome."""

    files: dict[str, Path]
    n_phenotypes: int
    n_pairs: int
    skipped_chromosomes: list[str] = field(default_factory=list)


def _nominal_schema(with_end: bool) -> pa.Schema:
    cols = [("phenotype_id", pa.string()), ("variant_id", pa.string()),
            ("start_distance", pa.int32())]
    if with_end:
        cols.append(("end_distance", pa.int32()))
    cols += [("af", pa.float32()), ("ma_samples", pa.int32()), ("ma_count", pa.int32()),
             ("pval_nominal", pa.float64()), ("slope", pa.float32()),
             ("slope_se", pa.float32())]
    return pa.schema(cols)


def _nominal_batch_table(inputs: CisInputs, batch: WindowBatch, residualizer: Residualizer,
                         maf_threshold: float, schema: pa.Schema) -> tuple[pa.Table, int]:
    res = map_cis_nominal(batch.dosages, inputs.values[batch.phenotypes], batch.windows,
                          residualizer, maf_threshold=maf_threshold)
    rows = batch.phenotypes[res.phenotype_index]
    pos = batch.variants["pos"].to_numpy()[res.variant_index]
    cols: dict[str, Any] = {
        "phenotype_id": inputs.positions["phenotype_id"].to_numpy()[rows],
        "variant_id": batch.variants["variant_id"].to_numpy()[res.variant_index],
        "start_distance": (pos - inputs.positions["start"].to_numpy()[rows]).astype(np.int32),
    }
    if "end_distance" in schema.names:
        cols["end_distance"] = (pos - inputs.positions["end"].to_numpy()[rows]).astype(np.int32)
    cols.update(af=res.af, ma_samples=res.ma_samples, ma_count=res.ma_count,
                pval_nominal=res.pval_nominal, slope=res.slope.astype(np.float32),
                slope_se=res.slope_se.astype(np.float32))
    table = pa.Table.from_pydict({k: pa.array(v, type=schema.field(k).type)
                                  for k, v in cols.items()}, schema=schema)
    return table, int(np.unique(res.phenotype_index).size)


def cis_nominal(
    *,
    phenotype_bed: PathLike,
    genotypes: PathLike,
    covariates: PathLike | None,
    output_dir: PathLike,
    prefix: str,
    window: int = 1_000_000,
    maf_threshold: float = 0.0,
    chunk_variants: int = 20_000,
    dtype: type = np.float64,
    force: bool = False,
    progress: bool = False,
) -> CisNominalOutputs:
    """All cis (phenotype, variant) pairs, written per chromosome as tensorQTL does.

    Genotypes are streamed chromosome by chromosome in windows covering the phenotypes' cis
    ranges; results go to ``<prefix>.cis_qtl_pairs.<chrom>.parquet`` in one row group per
    batch of phenotypes, staged and renamed when the chromosome is complete. A chromosome whose
    file already exists is skipped unless ``force``; rerunning a killed run resumes there.

    Parameters
    ----------
    phenotype_bed, genotypes, covariates
        Expression BED (tensorQTL layout), genotype file (VCF/BCF, PLINK 1, PLINK 2) and
        covariates (either orientation; ``None`` for none).
    window
        cis window half-width in bp around [start, end].
    maf_threshold
        In-sample MAF filter (tensorQTL ``maf_threshold``).
    chunk_variants
        Largest union of windows read at once (memory bound: ``chunk_variants × samples``).
    dtype
        Precision of the regression (``np.float32`` is tensorQTL's and faster).
    progress
        Show a tqdm bar over phenotypes.
    """
    inputs = load_cis_inputs(phenotype_bed=phenotype_bed, genotypes=genotypes,
                             covariates=covariates)
    residualizer = _residualizer(inputs, dtype)
    with_end = bool((inputs.positions["start"] != inputs.positions["end"]).any())
    schema = _nominal_schema(with_end)
    files: dict[str, Path] = {}
    skipped: list[str] = []
    n_pheno = n_pairs = 0
    with inputs.open_genotypes() as reader, _bar(len(inputs.positions), progress) as bar:
        for chrom in inputs.chromosomes:
            final = nominal_pairs_path(output_dir, prefix, chrom)
            files[chrom] = final
            if final.is_file() and not force:
                skipped.append(chrom)
                done = pq.read_table(final, columns=["phenotype_id"])
                n_pairs += done.num_rows
                n_pheno += len(pa.compute.unique(done["phenotype_id"]))
                continue
            with (staged_outputs(output_dir) as stage,
                  pq.ParquetWriter(stage / final.name, schema) as writer):
                batches = iter_window_batches(reader, inputs, chrom, window=window,
                                              chunk_variants=chunk_variants)
                for batch in _iterate(bar, chrom, batches):
                    table, n = _nominal_batch_table(inputs, batch, residualizer,
                                                    maf_threshold, schema)
                    writer.write_table(table)
                    n_pheno += n
                    n_pairs += table.num_rows
    return CisNominalOutputs(files, n_pheno, n_pairs, skipped)


# ----------------------------------------------------------------------- permutation pass
@dataclass(frozen=True)
class CisPermutationOutputs:
    """What :func:`cis_permutations` wrote, and the headline numbers."""

    table: Path
    parquet: Path
    n_phenotypes: int
    n_egenes: int
    pi0: float
    pval_threshold: float
    #: wall seconds of the permutation passes (genotype reads, products, beta fits), without
    #: loading the inputs, q-values and writing: what tensorQTL's "Time elapsed" covers
    mapping_seconds: float = float("nan")


def _group_labels(inputs: CisInputs, groups: PathLike | None) -> NDArray[np.object_] | None:
    if groups is None:
        return None
    return read_phenotype_groups(groups, list(inputs.positions["phenotype_id"]))


def _batch_frame(inputs: CisInputs, batch: WindowBatch, res: CisPermutationResult,
                 labels: NDArray[np.object_] | None) -> pd.DataFrame:
    rows = batch.phenotypes[res.phenotype_index]
    top = batch.variant_frame(res.variant_index)
    pos = top["pos"].to_numpy()
    frame = pd.DataFrame({
        "phenotype_id": inputs.positions["phenotype_id"].to_numpy()[rows],
        "num_var": res.num_var, "beta_shape1": res.beta_shape1,
        "beta_shape2": res.beta_shape2, "true_df": res.true_df,
        "pval_true_df": res.pval_true_df,
        "variant_id": top["variant_id"].to_numpy(),
        "start_distance": pos - inputs.positions["start"].to_numpy()[rows],
        "end_distance": pos - inputs.positions["end"].to_numpy()[rows],
        "ma_samples": res.ma_samples, "ma_count": res.ma_count, "af": res.af,
        "pval_nominal": res.pval_nominal, "slope": res.slope, "slope_se": res.slope_se,
        "pval_perm": res.pval_perm, "pval_beta": res.pval_beta,
    })
    if labels is not None:
        frame["group_id"] = labels[rows]
        frame["group_size"] = res.group_size
    return frame


def _add_qvalues(frame: pd.DataFrame, *, fdr: float,
                 qvalue_lambda: float | None) -> tuple[float, float]:
    """tensorQTL ``post.calculate_qvalues``: ``qval`` and ``pval_nominal_threshold`` in place."""
    p = frame["pval_beta"].to_numpy(dtype=np.float64)
    if np.isnan(p).all():
        p = frame["pval_perm"].to_numpy(dtype=np.float64)
    try:
        q = qvalue(p, lambda_=qvalue_lambda)
    except ValueError as err:
        raise InputError(None, f"q-values cannot be estimated ({err})",
                         "pass --qvalue-lambda 0.85 (GTEx's choice) or map more phenotypes"
                         ) from err
    frame["qval"] = q.qvalues
    thr = nominal_thresholds(p, q.qvalues, frame["beta_shape1"].to_numpy(),
                             frame["beta_shape2"].to_numpy(), fdr=fdr)
    frame["pval_nominal_threshold"] = thr.pval_nominal_threshold
    return q.pi0, thr.pval_threshold


def _write_egenes(frame: pd.DataFrame, output_dir: PathLike, name: str) -> tuple[Path, Path]:
    out = frame.set_index("phenotype_id")
    with staged_outputs(output_dir) as stage:
        out.to_csv(stage / f"{name}.txt.gz", sep="\t", float_format="%.6g")
        out.to_parquet(stage / f"{name}.parquet")
    return Path(output_dir) / f"{name}.txt.gz", Path(output_dir) / f"{name}.parquet"


def cis_permutations(
    *,
    phenotype_bed: PathLike,
    genotypes: PathLike,
    covariates: PathLike | None,
    output_dir: PathLike,
    prefix: str,
    n_perm: int = 1000,
    seed: int | None = None,
    window: int = 1_000_000,
    maf_threshold: float = 0.0,
    groups: PathLike | None = None,
    fdr: float = 0.05,
    qvalue_lambda: float | None = None,
    chunk_variants: int = 20_000,
    dtype: type = np.float64,
    progress: bool = False,
    adaptive: bool | AdaptivePermutations = False,
) -> CisPermutationOutputs:
    """Permutation pass, q-values and nominal thresholds: ``<prefix>.cis_qtl.txt.gz``.

    One permutation matrix (tensorQTL's legacy-RNG draws for ``seed``) is shared by every
    phenotype; phenotypes whose windows overlap are permuted together in one product.
    ``n_perm`` defaults to 1,000 as in GTEx v8's FastQTL runs (tensorQTL's default: 10,000).

    Parameters
    ----------
    groups
        Headerless ``phenotype_id<TAB>group_id`` file (tensorQTL ``--phenotype_groups``): the
        best phenotype of each group is reported with ``group_id`` and ``group_size``.
    fdr, qvalue_lambda
        FDR of the eGene call and the λ of Storey's π0 (``None``: the smoother; GTEx: 0.85).
    adaptive
        Opt-in sequential stopping (``True`` for :class:`genotex.qtl.AdaptivePermutations`'
        defaults, or a rule): after 100, 300, 900 … permutations, phenotypes whose p-value
        is clearly above or below the current eGene threshold stop; the table gains
        ``num_perm``, the permutations run for each row. The first stage's packed genotypes
        are kept for the later stages (up to :data:`ADAPTIVE_CACHE_BYTES`; beyond, re-read).

    The remaining parameters are those of :func:`cis_nominal`. The table is written with
    ``%.6g`` floats like tensorQTL's CLI, the Parquet copy at full precision.
    """
    inputs = load_cis_inputs(phenotype_bed=phenotype_bed, genotypes=genotypes,
                             covariates=covariates)
    labels = _group_labels(inputs, groups)
    residualizer = _residualizer(inputs, dtype)
    perm = permutation_indices(len(inputs.samples), n_perm, seed=seed)
    scan = _PermutationScan(inputs, labels, residualizer, window=window,
                            maf_threshold=maf_threshold, chunk_variants=chunk_variants,
                            progress=progress)
    started = time.perf_counter()
    if adaptive is False:
        frame, _ = scan.run(perm)
    else:
        rule = AdaptivePermutations() if adaptive is True else adaptive
        frame = _adaptive_passes(scan, perm, rule, fdr=fdr, qvalue_lambda=qvalue_lambda)
    mapping_seconds = time.perf_counter() - started
    frame = frame.astype({k: v for k, v in EGENE_DTYPES.items() if v is not object})
    pi0, p_t = _add_qvalues(frame, fdr=fdr, qvalue_lambda=qvalue_lambda)
    table, parquet = _write_egenes(frame, output_dir, f"{prefix}.cis_qtl")
    n_egenes = int((frame["qval"] <= fdr).sum())
    return CisPermutationOutputs(table, parquet, len(frame), n_egenes, pi0, p_t,
                                 mapping_seconds)


@dataclass
class _StageCache:
    """Packed genotypes of the first stage's batches, kept for the later stages (adaptive
    mode) up to ``budget`` bytes; batches beyond it are read again when needed. The batches
    must come from a ``PackedWindow(keep_views=True)`` (their rows are not copied)."""

    budget: int
    used: int = 0
    batches: list[tuple[WindowBatch, PackedGenotypes]] = field(default_factory=list)
    covered: NDArray[np.bool_] | None = None

    def add(self, batch: WindowBatch, packed: PackedGenotypes, n_phenotypes: int) -> None:
        slim = replace(packed, dosages=None)  # later stages need no allele statistics
        if self.used + slim.nbytes > self.budget:
            return
        self.used += slim.nbytes
        self.batches.append((replace(batch, packed=None), slim))
        if self.covered is None:
            self.covered = np.zeros(n_phenotypes, dtype=bool)
        self.covered[batch.phenotypes] = True


@dataclass(frozen=True)
class _PermutationScan:
    """One pass of the permutation kernel over every (or the flagged) phenotype's window."""

    inputs: CisInputs
    labels: NDArray[np.object_] | None
    residualizer: Residualizer
    window: int
    maf_threshold: float
    chunk_variants: int
    progress: bool

    def _map(self, batch: WindowBatch, genotypes: Any, perm: NDArray[np.int64], *,
             keep_r2: bool, beta_approx: bool) -> CisPermutationResult:
        labels = self.labels
        return map_cis_permutations(
            genotypes, self.inputs.values[batch.phenotypes], batch.windows, self.residualizer,
            perm_ix=perm, maf_threshold=self.maf_threshold,
            groups=None if labels is None else labels[batch.phenotypes],
            keep_r2_perm=keep_r2, beta_approx=beta_approx)

    def run(self, perm: NDArray[np.int64], only: NDArray[np.bool_] | None = None, *,
            keep_r2: bool = False, beta_approx: bool = True, cache: _StageCache | None = None,
            ) -> tuple[pd.DataFrame, NDArray[np.floating] | None]:
        """Map every (or every flagged) phenotype; ``cache`` collects the packed genotypes."""
        inputs, labels = self.inputs, self.labels
        frames: list[pd.DataFrame] = []
        r2: list[NDArray[np.floating]] = []
        total = len(inputs.positions) if only is None else int(only.sum())
        if total == 0:
            return _batch_frame_empty(labels), None
        pack = PackedWindow(self.residualizer, self.maf_threshold,
                            keep_views=cache is not None)
        with inputs.open_genotypes() as reader, _bar(total, self.progress) as bar:
            for chrom in inputs.chromosomes:
                batches = iter_window_batches(reader, inputs, chrom, window=self.window,
                                              chunk_variants=self.chunk_variants,
                                              groups=labels, only=only, pack=pack)
                for batch in _iterate(bar, chrom, batches):
                    genotypes = batch.packed
                    assert genotypes is not None
                    if cache is not None:
                        cache.add(batch, genotypes, len(inputs.positions))
                    res = self._map(batch, genotypes, perm, keep_r2=keep_r2,
                                    beta_approx=beta_approx)
                    frames.append(_batch_frame(inputs, batch, res, labels))
                    if res.r2_perm is not None:
                        r2.append(res.r2_perm)
        frame = (pd.concat(frames, ignore_index=True) if frames
                 else _batch_frame_empty(labels))
        return frame, (np.concatenate(r2) if r2 else None)

    def run_cached(self, perm: NDArray[np.int64], only: NDArray[np.bool_],
                   cache: _StageCache) -> tuple[pd.DataFrame, NDArray[np.floating] | None]:
        """Permutation maxima of the flagged phenotypes: cached batches from memory, the
        others read again (no beta fits, no allele statistics)."""
        frames: list[pd.DataFrame] = []
        r2: list[NDArray[np.floating]] = []
        for batch, packed in cache.batches:
            sub = np.flatnonzero(only[batch.phenotypes])
            if sub.size == 0:
                continue
            part = replace(batch, phenotypes=batch.phenotypes[sub], windows=CisWindows(
                batch.windows.start[sub], batch.windows.stop[sub]))
            res = self._map(part, packed, perm, keep_r2=True, beta_approx=False)
            frames.append(_batch_frame(self.inputs, part, res, self.labels))
            r2.append(res.r2_perm)  # type: ignore[arg-type]
        rest = only & ~(cache.covered if cache.covered is not None
                        else np.zeros(only.size, dtype=bool))
        if rest.any():
            more, r2_more = self.run(perm, rest, keep_r2=True, beta_approx=False)
            frames.append(more)
            if r2_more is not None:
                r2.append(r2_more)
        frame = (pd.concat(frames, ignore_index=True) if frames
                 else _batch_frame_empty(self.labels))
        return frame, (np.concatenate(r2) if r2 else None)


def _p_star(frame: pd.DataFrame, fdr: float, qvalue_lambda: float | None) -> float | None:
    """The current estimate of the eGene threshold on pval_beta (None: not estimable)."""
    p = frame["pval_beta"].to_numpy(dtype=np.float64)
    try:
        q = qvalue(p, lambda_=qvalue_lambda).qvalues
    except ValueError:
        return None
    thr = nominal_thresholds(p, q, frame["beta_shape1"].to_numpy(),
                             frame["beta_shape2"].to_numpy(), fdr=fdr)
    return float(thr.pval_threshold)


#: Memory the adaptive mode may spend keeping the first stage's packed genotypes.
ADAPTIVE_CACHE_BYTES = 1 << 30

_STAGE_COLUMNS = ["pval_perm", "pval_beta", "beta_shape1", "beta_shape2", "true_df",
                  "pval_true_df", "num_perm"]


def _adaptive_passes(scan: _PermutationScan, perm: NDArray[np.int64],
                     rule: AdaptivePermutations, *, fdr: float,
                     qvalue_lambda: float | None,
                     cache_bytes: int | None = None) -> pd.DataFrame:
    """Stage-wise permutation passes; unsettled phenotypes get the next permutations.

    The first stage's packed genotypes are kept (up to ``cache_bytes``), so the later stages
    neither read nor residualize them again (``None``: :data:`ADAPTIVE_CACHE_BYTES`).
    """
    stages = rule.stages(perm.shape[0])
    budget = ADAPTIVE_CACHE_BYTES if cache_bytes is None else cache_bytes
    cache = _StageCache(budget) if len(stages) > 1 else None
    frame, r2_first = scan.run(perm[:stages[0]], keep_r2=True, cache=cache)
    frame["num_perm"] = np.int32(stages[0])
    if r2_first is None or cache is None:
        return frame
    r2 = list(r2_first)
    grouped = scan.labels is not None
    key = frame["group_id" if grouped else "phenotype_id"].to_numpy(dtype=object)
    member = (scan.labels if scan.labels is not None
              else scan.inputs.positions["phenotype_id"].to_numpy(dtype=object))
    dof = scan.residualizer.dof
    t = frame["slope"].to_numpy() / frame["slope_se"].to_numpy()
    r2_top = t * t / (dof + t * t)
    for lo, hi in itertools.pairwise(stages):
        p_star = _p_star(frame, fdr, qvalue_lambda)
        todo = (np.ones(len(frame), dtype=bool) if p_star is None else
                ~rule.settled(frame["pval_beta"], frame["num_perm"], p_star))
        todo &= frame["num_perm"].to_numpy() == lo  # a phenotype that stopped stays stopped
        if not todo.any():
            break
        more, r2_more = scan.run_cached(perm[lo:hi], np.isin(member, key[todo]), cache)
        rows = pd.Index(key).get_indexer(
            more["group_id" if grouped else "phenotype_id"].to_numpy(dtype=object))
        for i, j in enumerate(rows.tolist()):
            r2[j] = np.concatenate([r2[j], r2_more[i]])  # type: ignore[index]
        stacked = np.array([r2[j] for j in rows.tolist()]).reshape(rows.size, hi)
        pval_perm, b = permutation_pvals(stacked, r2_top[rows], dof, grouped=grouped)
        assert b is not None
        update = np.column_stack([pval_perm, b.pval_beta, b.beta_shape1, b.beta_shape2,
                                  b.true_df, b.pval_true_df, np.full(rows.size, hi)])
        for c, col in enumerate(_STAGE_COLUMNS):
            values = frame[col].to_numpy(copy=True)
            values[rows] = update[:, c]
            frame[col] = values
    return frame


def _batch_frame_empty(labels: NDArray[np.object_] | None) -> pd.DataFrame:
    cols = ["phenotype_id", *EGENE_DTYPES] + (["group_id", "group_size"] if labels is not None
                                              else [])
    return pd.DataFrame({c: pd.Series(dtype=EGENE_DTYPES.get(c, object)) for c in cols})


def read_egenes(path: PathLike) -> pd.DataFrame:
    """The permutation table (``.parquet`` or ``.txt.gz``) indexed by ``phenotype_id``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(path, "file not found", "run `genotex qtl cis-permute` first")
    frame = (pd.read_parquet(p) if p.suffix == ".parquet"
             else pd.read_csv(p, sep="\t", index_col=0))
    need = {"qval", "pval_nominal_threshold", "pval_beta", "variant_id"}
    if not need <= set(frame.columns):
        raise InputError(path, f"not a cis permutation table with q-values (lacks "
                         f"{sorted(need - set(frame.columns))})",
                         "pass the <prefix>.cis_qtl.txt.gz written by cis-permute")
    frame.index = frame.index.astype(str)
    return frame


# ----------------------------------------------------------------------- significant pairs
@dataclass(frozen=True)
class SignificantPairsOutputs:
    """What :func:`significant_pairs` wrote."""

    path: Path
    n_pairs: int
    n_phenotypes: int


def significant_pairs(
    *,
    cis_results: PathLike,
    nominal_files: Iterable[PathLike],
    output_dir: PathLike,
    prefix: str,
    fdr: float = 0.05,
    groups: PathLike | None = None,
) -> SignificantPairsOutputs:
    """Nominal pairs of significant phenotypes below their threshold (GTEx columns).

    ``qval ≤ fdr`` and ``pval_nominal < pval_nominal_threshold`` (strict, tensorQTL
    ``post.get_significant_pairs``). In grouped mode the group's threshold applies to every
    member. Output: ``<prefix>.signif_variant_gene_pairs.parquet`` with the columns of GTEx v8
    (``tss_distance`` = ``start_distance``, ``maf`` = ``min(af, 1 − af)``). ``groups`` is the
    ``phenotype_id<TAB>group_id`` file of a grouped permutation pass.
    """
    egenes = read_egenes(cis_results)
    grouped = "group_id" in egenes.columns
    key = egenes["group_id"].astype(str) if grouped else pd.Series(egenes.index, egenes.index)
    parts: list[pd.DataFrame] = []
    for path in nominal_files:
        pairs = pd.read_parquet(path)
        if grouped:  # every member of a group uses the group's threshold
            codes = _member_groups(groups, egenes, pairs["phenotype_id"])
        else:
            codes = pairs["phenotype_id"].to_numpy()
        row = pd.Index(key.to_numpy()).get_indexer(codes)
        known = row >= 0
        pairs, row = pairs[known], row[known]
        mask = significant_mask(row, pairs["pval_nominal"].to_numpy(),
                                egenes["pval_nominal_threshold"].to_numpy(),
                                egenes["qval"].to_numpy(), fdr=fdr)
        sel = pairs[mask]
        r = row[mask]
        af = sel["af"].to_numpy()
        parts.append(pd.DataFrame({
            "variant_id": sel["variant_id"].to_numpy(),
            "gene_id": sel["phenotype_id"].to_numpy(),
            "tss_distance": sel["start_distance"].to_numpy(),
            "ma_samples": sel["ma_samples"].to_numpy(), "ma_count": sel["ma_count"].to_numpy(),
            "maf": np.minimum(af, np.float32(1) - af),
            "pval_nominal": sel["pval_nominal"].to_numpy(), "slope": sel["slope"].to_numpy(),
            "slope_se": sel["slope_se"].to_numpy(),
            "pval_nominal_threshold": egenes["pval_nominal_threshold"].to_numpy()[r],
            "min_pval_nominal": egenes["pval_nominal"].to_numpy()[r],
            "pval_beta": egenes["pval_beta"].to_numpy()[r],
        }))
    out = (pd.concat(parts, ignore_index=True) if parts
           else pd.DataFrame({c: [] for c in SIGNIF_COLUMNS}))
    name = f"{prefix}.signif_variant_gene_pairs.parquet"
    with staged_outputs(output_dir) as stage:
        out.to_parquet(stage / name, index=False)
    return SignificantPairsOutputs(Path(output_dir) / name, len(out),
                                   int(out["gene_id"].nunique()))


def _member_groups(groups: PathLike | None, egenes: pd.DataFrame,
                   phenotype_ids: pd.Series) -> NDArray[np.object_]:
    """Group of each pair's phenotype (from the groups file; else the reported members')."""
    if groups is None:
        lookup = pd.Series(egenes["group_id"].astype(str).to_numpy(), index=egenes.index)
    else:
        table = pd.read_csv(groups, sep="\t", header=None, dtype=str, usecols=[0, 1])
        lookup = pd.Series(table[1].to_numpy(), index=table[0].to_numpy())
    return phenotype_ids.map(lookup).fillna("").to_numpy(dtype=object)


# ----------------------------------------------------------------------- independent signals
@dataclass(frozen=True)
class CisIndependentOutputs:
    """What :func:`cis_independent` wrote."""

    path: Path
    n_signals: int
    n_phenotypes: int


def _permutation_rows(egenes: pd.DataFrame, batch: WindowBatch, ids: NDArray[np.object_],
                      dof: int, n_perm: int) -> tuple[CisPermutationResult, NDArray[np.float64]]:
    """The permutation-table rows of a batch's phenotypes, as the kernel's result type."""
    sub = egenes.loc[ids]
    var_row = pd.Index(batch.variants["variant_id"]).get_indexer(sub["variant_id"])
    n = len(sub)

    def col(name: str, dt: Any) -> NDArray[Any]:
        return sub[name].to_numpy(dtype=dt)

    res = CisPermutationResult(
        phenotype_index=np.arange(n, dtype=np.int64), variant_index=var_row.astype(np.int64),
        num_var=col("num_var", np.int32), beta_shape1=col("beta_shape1", np.float64),
        beta_shape2=col("beta_shape2", np.float64), true_df=col("true_df", np.float64),
        pval_true_df=col("pval_true_df", np.float64), ma_samples=col("ma_samples", np.int32),
        ma_count=col("ma_count", np.int32), af=col("af", np.float32),
        pval_nominal=col("pval_nominal", np.float64), slope=col("slope", np.float64),
        slope_se=col("slope_se", np.float64), pval_perm=col("pval_perm", np.float64),
        pval_beta=col("pval_beta", np.float64), group_index=np.full(n, -1, np.int64),
        group_size=np.ones(n, np.int32), r2_perm=None, dof=dof, n_perm=n_perm)
    return res, col("qval", np.float64)


def cis_independent(
    *,
    phenotype_bed: PathLike,
    genotypes: PathLike,
    covariates: PathLike | None,
    cis_results: PathLike,
    output_dir: PathLike,
    prefix: str,
    n_perm: int = 1000,
    seed: int | None = None,
    window: int = 1_000_000,
    maf_threshold: float = 0.0,
    fdr: float = 0.05,
    chunk_variants: int = 20_000,
    dtype: type = np.float64,
    progress: bool = False,
) -> CisIndependentOutputs:
    """Forward–backward conditional search for every eGene: ``<prefix>.cis_independent_qtl``.

    Uses the permutation table ``cis_results`` (with ``qval``) and the same inputs,
    permutations (``n_perm``, ``seed``) and window as the permutation pass; the significance
    cut-off is ``max(pval_beta)`` over all phenotypes with ``qval ≤ fdr`` (tensorQTL
    ``cis.map_independent``). Only the significant phenotypes' windows are read.
    """
    egenes = read_egenes(cis_results)
    inputs = load_cis_inputs(phenotype_bed=phenotype_bed, genotypes=genotypes,
                             covariates=covariates)
    sig = egenes["qval"].to_numpy() <= fdr
    if not sig.any():
        raise InputError(cis_results, f"no phenotype has qval <= {fdr}",
                         "nothing to condition on; raise --fdr or map more samples")
    threshold = float(egenes["pval_beta"].to_numpy()[sig].max())
    ids = inputs.positions["phenotype_id"].to_numpy()
    sig_ids = set(egenes.index[sig])
    only = np.array([i in sig_ids for i in ids])
    perm = permutation_indices(len(inputs.samples), n_perm, seed=seed)
    dof = Residualizer(inputs.covariates).dof
    frames: list[pd.DataFrame] = []
    with inputs.open_genotypes() as reader, _bar(int(only.sum()), progress) as bar:
        for chrom in inputs.chromosomes:
            batches = iter_window_batches(reader, inputs, chrom, window=window,
                                          chunk_variants=chunk_variants, only=only)
            for batch in _iterate(bar, chrom, batches):
                cis, qv = _permutation_rows(egenes, batch, ids[batch.phenotypes], dof, n_perm)
                res = map_cis_independent(
                    batch.dosages, inputs.values[batch.phenotypes], batch.windows,
                    inputs.covariates, cis, qv, fdr=fdr, perm_ix=perm,
                    maf_threshold=maf_threshold, dtype=dtype, signif_threshold=threshold)
                perm_like = _as_perm_result(res, dof, n_perm)
                frame = _batch_frame(inputs, batch, perm_like, None)
                frame["rank"] = res.rank
                frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.astype({k: v for k, v in EGENE_DTYPES.items() if v is not object})
    name = f"{prefix}.cis_independent_qtl.txt.gz"
    with staged_outputs(output_dir) as stage:
        frame.set_index("phenotype_id").to_csv(stage / name, sep="\t", float_format="%.6g")
    return CisIndependentOutputs(Path(output_dir) / name, len(frame),
                                 int(frame["phenotype_id"].nunique()))


def _as_perm_result(res: Any, dof: int, n_perm: int) -> CisPermutationResult:
    n = res.rank.size
    return CisPermutationResult(
        phenotype_index=res.phenotype_index, variant_index=res.variant_index,
        num_var=res.num_var, beta_shape1=res.beta_shape1, beta_shape2=res.beta_shape2,
        true_df=res.true_df, pval_true_df=res.pval_true_df, ma_samples=res.ma_samples,
        ma_count=res.ma_count, af=res.af, pval_nominal=res.pval_nominal, slope=res.slope,
        slope_se=res.slope_se, pval_perm=res.pval_perm, pval_beta=res.pval_beta,
        group_index=np.full(n, -1, np.int64), group_size=np.ones(n, np.int32), r2_perm=None,
        dof=dof, n_perm=n_perm)
