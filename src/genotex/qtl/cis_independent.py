"""Conditionally independent cis-QTLs by forward–backward stepwise regression."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from genotex.qtl.beta_approx import BetaApprox, beta_approx_pval
from genotex.qtl.cis_nominal import PreparedGenotypes, prepare_genotypes
from genotex.qtl.cis_permutation import (
    CisPermutationResult,
    PhenotypeScan,
    TopVariantColumns,
    permutation_indices,
    scan_permutations,
)
from genotex.qtl.genotype_stats import allele_stats, impute_mean
from genotex.qtl.regression import pval_from_r2
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows

__all__ = ["CisIndependentResult", "map_cis_independent"]

_COLUMNS = tuple(f.name for f in fields(TopVariantColumns))


@dataclass(frozen=True)
class CisIndependentResult(TopVariantColumns):
    """One row per independent signal; the top-variant columns plus ``rank``."""

    rank: NDArray[np.int32]


def _row(p: int, scan: PhenotypeScan, b: BetaApprox, g: NDArray[np.floating], num_var: int,
         dof: int, n_perm: int) -> dict[str, float]:
    r2 = scan.r_top * scan.r_top
    slope = scan.r_top * scan.std_ratio
    st = allele_stats(g[None], top_variant=True)
    ma_s, ma_c, af = int(st.ma_samples[0]), int(st.ma_count[0]), float(st.af[0])
    return {
        "phenotype_index": p, "variant_index": scan.var_index, "num_var": num_var,
        "beta_shape1": b.beta_shape1, "beta_shape2": b.beta_shape2, "true_df": b.true_df,
        "pval_true_df": b.pval_true_df, "ma_samples": ma_s, "ma_count": ma_c, "af": af,
        "pval_nominal": float(pval_from_r2(r2, dof)), "slope": slope,
        "slope_se": abs(slope) / np.sqrt(dof * r2 / (1 - r2)),
        "pval_perm": (np.sum(scan.r2_perm >= r2) + 1) / (n_perm + 1), "pval_beta": b.pval_beta,
    }


def map_cis_independent(
    genotypes: ArrayLike,
    phenotypes: ArrayLike,
    windows: CisWindows,
    covariates: ArrayLike,
    cis_result: CisPermutationResult,
    qval: ArrayLike,
    *,
    fdr: float = 0.05,
    n_perm: int = 10_000,
    seed: int | None = None,
    perm_ix: ArrayLike | None = None,
    maf_threshold: float = 0.0,
    dtype: type = np.float64,
    signif_threshold: float | None = None,
) -> CisIndependentResult:
    """Forward–backward search for independent signals of each significant phenotype.

    Forward: add the last top variant's dosage to the covariates and rerun the permutation
    scan; keep the new top variant while ``pval_beta ≤ max(pval_beta of significant
    phenotypes)``. Backward: drop each kept variant in turn from the conditioning set; keep the
    top variant with ``rank = k`` if it is significant and not already kept.

    Parameters
    ----------
    genotypes, phenotypes, windows
        As for ``map_cis_permutations`` (same rows).
    covariates
        (n_samples, n_covariates) covariates used for ``cis_result``.
    cis_result
        ``map_cis_permutations`` output (ungrouped).
    qval
        (n_rows,) q-values of ``cis_result``; phenotypes with ``qval ≤ fdr`` are searched.
    n_perm, seed, perm_ix
        Permutations as in ``map_cis_permutations`` (tensorQTL regenerates the same ones).
    maf_threshold
        In-sample MAF filter; ``num_var`` counts the window before the filter, as tensorQTL
        does. Variants that the conditioning set explains completely (the conditioning
        variants themselves and exact duplicates) are left out of each scan; tensorQTL keeps
        their rounding-noise residuals, which can win single permutations there.
    signif_threshold
        The genome-wide ``pval_beta`` cut-off; default ``max(pval_beta)`` over the significant
        rows of ``cis_result``. Pass it when ``cis_result`` holds only part of the phenotypes
        (a pipeline working window by window).

    References
    ----------
    tensorQTL ``cis.map_independent``; GTEx Consortium 2017, Nature 550:204.
    """
    y: NDArray[np.floating] = np.asarray(phenotypes, dtype=dtype)
    gi = impute_mean(genotypes)
    c0 = np.asarray(covariates, dtype=np.float64)
    q = np.asarray(qval, dtype=np.float64)
    sig = np.flatnonzero(q <= fdr)
    if sig.size == 0:
        raise ValueError(f"no significant phenotypes at FDR <= {fdr}")
    threshold = (float(np.max(cis_result.pval_beta[sig])) if signif_threshold is None
                 else float(signif_threshold))
    perm = (permutation_indices(y.shape[1], n_perm, seed=seed) if perm_ix is None
            else np.asarray(perm_ix, dtype=np.int64))
    rows: list[dict[str, float]] = []
    for i in sig.tolist():
        p = int(cis_result.phenotype_index[i])
        lo, hi = int(windows.start[p]), int(windows.stop[p])
        local = CisWindows(np.array([0]), np.array([hi - lo]))

        def scan(conditioning: list[int], p: int = p, lo: int = lo, hi: int = hi,
                 local: CisWindows = local) -> tuple[PhenotypeScan, BetaApprox, int]:
            cov = np.column_stack([c0, *(gi[v] for v in sorted(conditioning))])
            res = Residualizer(cov, dtype=dtype)
            prep = prepare_genotypes(gi[lo:hi], res, maf_threshold=maf_threshold)
            prep = _exclude_conditioned(prep)
            s = scan_permutations(prep, y[p:p + 1], local, res, perm)[0]
            s = replace(s, var_index=s.var_index + lo)
            return s, beta_approx_pval(s.r2_perm, s.r_top**2, dof_init=res.dof), res.dof

        first = {f.name: getattr(cis_result, f.name)[i] for f in fields(cis_result)
                 if f.name in _COLUMNS}
        forward: list[dict[str, float]] = [first]
        chosen = [int(first["variant_index"])]
        while True:
            s, b, dof = scan(chosen)
            if b.pval_beta > threshold:
                break
            forward.append(_row(p, s, b, gi[s.var_index], hi - lo, dof, perm.shape[0]))
            chosen.append(s.var_index)
        if len(forward) == 1:
            rows.append({**first, "rank": 1})
            continue
        kept: set[int] = set()
        for k, v in enumerate(chosen, 1):
            s, b, dof = scan([u for u in chosen if u != v])
            if b.pval_beta <= threshold and s.var_index not in kept:
                rows.append({**_row(p, s, b, gi[s.var_index], hi - lo, dof, perm.shape[0]),
                             "rank": k})
                kept.add(s.var_index)
    return _collect(rows)


def _exclude_conditioned(prep: PreparedGenotypes) -> PreparedGenotypes:
    """Drop rows the covariates explain completely (the conditioning variants, duplicates).

    Their residuals are rounding noise; scaled to unit norm they give arbitrary correlations
    (tensorQTL keeps them, so a noise row can win a permutation there). Monomorphic rows are
    NaN and drop out of every maximum either way.
    """
    raw = prep.imputed.var(1, ddof=1)
    return replace(prep, monomorphic=prep.monomorphic | (prep.var <= 1e-10 * raw))


def _collect(rows: list[dict[str, float]]) -> CisIndependentResult:
    types = {f.name: f.type for f in fields(CisIndependentResult)}
    dt = {"phenotype_index": np.int64, "variant_index": np.int64, "num_var": np.int32,
          "ma_samples": np.int32, "ma_count": np.int32, "af": np.float32, "rank": np.int32}
    return CisIndependentResult(**{
        name: np.array([r[name] for r in rows], dtype=dt.get(name, np.float64))
        for name in types
    })
