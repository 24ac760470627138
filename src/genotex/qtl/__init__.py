"""genotex.qtl: pure array kernels for cis-QTL mapping, equal to tensorQTL 1.0.10.

Arrays in, frozen dataclasses of arrays out; no files, logging or globals. Genotypes are
(n_variants, n_samples) ALT dosages with NaN for missing calls; phenotypes are
(n_phenotypes, n_samples); covariates are (n_samples, n_covariates).
"""

from __future__ import annotations

from genotex.qtl.beta_approx import BetaApprox, beta_approx_pval, fit_beta
from genotex.qtl.cis_independent import CisIndependentResult, map_cis_independent
from genotex.qtl.cis_nominal import CisNominalResult, map_cis_nominal, prepare_genotypes
from genotex.qtl.cis_permutation import (
    CisPermutationResult,
    map_cis_permutations,
    permutation_indices,
)
from genotex.qtl.genotype_stats import AlleleStats, allele_stats, impute_mean, maf_mask
from genotex.qtl.qvalue import (
    NominalThresholds,
    QValueResult,
    nominal_thresholds,
    pi0est,
    qvalue,
    qvalues,
    significant_pairs,
)
from genotex.qtl.regression import Association, associate
from genotex.qtl.residualize import Residualizer
from genotex.qtl.windows import CisWindows, cis_windows

__all__ = [
    "AlleleStats",
    "Association",
    "BetaApprox",
    "CisIndependentResult",
    "CisNominalResult",
    "CisPermutationResult",
    "CisWindows",
    "NominalThresholds",
    "QValueResult",
    "Residualizer",
    "allele_stats",
    "associate",
    "beta_approx_pval",
    "cis_windows",
    "fit_beta",
    "impute_mean",
    "maf_mask",
    "map_cis_independent",
    "map_cis_nominal",
    "map_cis_permutations",
    "nominal_thresholds",
    "permutation_indices",
    "pi0est",
    "prepare_genotypes",
    "qvalue",
    "qvalues",
    "significant_pairs",
]
