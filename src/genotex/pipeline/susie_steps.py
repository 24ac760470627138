"""SuSiE fine-mapping of every eGene's cis window (tensorQTL ``--mode cis_susie``).

Outputs:

``<prefix>.SuSiE_summary.parquet``
    tensorQTL's summary: one row per variant of each credible set (``phenotype_id, variant_id,
    pip, af, cs_id``; ``cs_id`` is the effect number as a string, ``"1"`` for ``L1``).
``<prefix>.SuSiE_credible_sets.parquet``
    The full table: the same rows plus ``alpha`` (the variant's posterior in that effect),
    ``cs_size``, ``cs_coverage`` and the purity (``cs_min_abs_corr``, ``cs_mean_abs_corr``,
    ``cs_median_abs_corr``).

Fits that do not converge within ``max_iter`` are left out, as tensorQTL leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.genotype_windows import iter_window_batches, load_cis_inputs
from genotex.pipeline.qtl_steps import read_egenes
from genotex.qtl import FinemapResult, Residualizer, finemap_phenotype

__all__ = ["SusieOutputs", "finemap_egenes"]

PathLike = str | Path
SUMMARY_COLUMNS = ("phenotype_id", "variant_id", "pip", "af", "cs_id")


@dataclass(frozen=True)
class SusieOutputs:
    """What :func:`finemap_egenes` wrote."""

    summary: Path
    credible_sets: Path
    n_phenotypes: int
    n_credible_sets: int
    n_not_converged: int


def _rows(pid: str, variant_ids: np.ndarray, res: FinemapResult) -> pd.DataFrame:
    fit, parts = res.fit, []
    order = np.argsort(fit.sets.effect_index, kind="stable")
    for i in order.tolist():
        members = fit.sets.sets[i]
        eff = int(fit.sets.effect_index[i])
        parts.append(pd.DataFrame({
            "phenotype_id": pid, "variant_id": variant_ids[res.variant_index[members]],
            "pip": fit.pip[members], "af": res.af[members], "cs_id": str(eff + 1),
            "alpha": fit.alpha[eff, members], "cs_size": members.size,
            "cs_coverage": fit.sets.coverage[i], "cs_min_abs_corr": fit.sets.min_abs_corr[i],
            "cs_mean_abs_corr": fit.sets.mean_abs_corr[i],
            "cs_median_abs_corr": fit.sets.median_abs_corr[i]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _selected(inputs_ids: np.ndarray, cis_results: PathLike | None, fdr: float) -> np.ndarray:
    if cis_results is None:
        return np.ones(inputs_ids.size, dtype=bool)
    egenes = read_egenes(cis_results)
    sig = set(egenes.index[egenes["qval"].to_numpy() <= fdr])
    if not sig:
        raise InputError(cis_results, f"no phenotype has qval <= {fdr}",
                         "nothing to fine-map; raise --fdr or map more samples")
    return np.array([i in sig for i in inputs_ids.tolist()])


def finemap_egenes(
    *,
    phenotype_bed: PathLike,
    genotypes: PathLike,
    covariates: PathLike | None,
    output_dir: PathLike,
    prefix: str,
    cis_results: PathLike | None = None,
    fdr: float = 0.05,
    window: int = 1_000_000,
    maf_threshold: float = 0.0,
    L: int = 10,
    max_iter: int = 500,
    coverage: float = 0.95,
    min_abs_corr: float = 0.5,
    chunk_variants: int = 20_000,
    progress: bool = False,
) -> SusieOutputs:
    """SuSiE on the cis window of every phenotype with ``qval ≤ fdr`` in ``cis_results``.

    Parameters
    ----------
    cis_results
        Permutation table with q-values (tensorQTL ``--cis_output``); ``None`` fine-maps every
        phenotype of the BED.
    L, max_iter, coverage, min_abs_corr
        tensorQTL's CLI settings (``--max_effects`` 10, 500 iterations, 95 % sets, purity 0.5);
        the prior variance is estimated by EM as tensorQTL does (see
        :func:`genotex.qtl.finemap_phenotype`).

    The remaining parameters are those of :func:`genotex.pipeline.qtl_steps.cis_nominal`.
    """
    from tqdm import tqdm

    inputs = load_cis_inputs(phenotype_bed=phenotype_bed, genotypes=genotypes,
                             covariates=covariates)
    ids = inputs.positions["phenotype_id"].to_numpy(dtype=object)
    only = _selected(ids, cis_results, fdr)
    residualizer = Residualizer(inputs.covariates)
    frames: list[pd.DataFrame] = []
    n_done = n_bad = 0
    with (inputs.open_genotypes() as reader,
          tqdm(total=int(only.sum()), disable=not progress, leave=False) as bar):
        for chrom in inputs.chromosomes:
            for batch in iter_window_batches(reader, inputs, chrom, window=window,
                                             chunk_variants=chunk_variants, only=only):
                vid = batch.variants["variant_id"].to_numpy(dtype=object)
                for j, p in enumerate(batch.phenotypes.tolist()):
                    lo, hi = int(batch.windows.start[j]), int(batch.windows.stop[j])
                    res = finemap_phenotype(batch.dosages[lo:hi], inputs.values[p], residualizer,
                                            maf_threshold=maf_threshold, L=L, max_iter=max_iter,
                                            coverage=coverage, min_abs_corr=min_abs_corr)
                    n_done += 1
                    bar.update(1)
                    if res is None:
                        continue
                    if not res.fit.converged:
                        n_bad += 1
                        continue
                    frames.append(_rows(str(ids[p]), vid[lo:hi], res))
    full = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=[*SUMMARY_COLUMNS, "alpha"])
    names = (f"{prefix}.SuSiE_summary.parquet", f"{prefix}.SuSiE_credible_sets.parquet")
    with staged_outputs(output_dir) as stage:
        full[list(SUMMARY_COLUMNS)].to_parquet(stage / names[0], index=False)
        full.to_parquet(stage / names[1], index=False)
    n_cs = int(full[["phenotype_id", "cs_id"]].drop_duplicates().shape[0]) if len(full) else 0
    out = Path(output_dir)
    return SusieOutputs(out / names[0], out / names[1], n_done, n_cs, n_bad)
