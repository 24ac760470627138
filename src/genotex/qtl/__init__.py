"""genotex.qtl: pure array kernels for cis-QTL mapping, equal to tensorQTL 1.0.10.

Arrays in, frozen dataclasses of arrays out; no files, logging or globals. Genotypes are
(n_variants, n_samples) ALT dosages with NaN for missing calls; phenotypes are
(n_phenotypes, n_samples); covariates are (n_samples, n_covariates).
"""

from __future__ import annotations

from genotex.qtl.beta_approx import (
    BetaApprox,
    BetaApproxBatch,
    beta_approx_pval,
    beta_approx_pvals,
    fit_beta,
)
from genotex.qtl.cis_independent import CisIndependentResult, map_cis_independent
from genotex.qtl.cis_nominal import CisNominalResult, map_cis_nominal, prepare_genotypes
from genotex.qtl.cis_permutation import (
    AdaptivePermutations,
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
from genotex.qtl.sqtl import (
    ClusterGenes,
    ExcisionRatios,
    IntronFilter,
    SqtlPhenotypes,
    filter_introns,
    map_clusters_to_genes,
    normalize_excision_ratios,
    sqtl_phenotypes,
)
from genotex.qtl.susie import CredibleSets, FinemapResult, SusieResult, finemap_phenotype, susie
from genotex.qtl.susie_rss import ld_matrix, susie_rss, susie_suff_stat
from genotex.qtl.trans import (
    TransPairs,
    TransPermutationFit,
    apply_trans_permutations,
    concat_trans_pairs,
    filter_cis,
    fit_trans_permutations,
    map_trans,
    trans_max_r2,
    trans_permutation_phenotypes,
)
from genotex.qtl.windows import CisWindows, cis_windows

__all__ = [
    "AdaptivePermutations",
    "AlleleStats",
    "Association",
    "BetaApprox",
    "BetaApproxBatch",
    "CisIndependentResult",
    "CisNominalResult",
    "CisPermutationResult",
    "CisWindows",
    "ClusterGenes",
    "CredibleSets",
    "ExcisionRatios",
    "FinemapResult",
    "IntronFilter",
    "NominalThresholds",
    "QValueResult",
    "Residualizer",
    "SqtlPhenotypes",
    "SusieResult",
    "TransPairs",
    "TransPermutationFit",
    "allele_stats",
    "apply_trans_permutations",
    "associate",
    "beta_approx_pval",
    "beta_approx_pvals",
    "cis_windows",
    "concat_trans_pairs",
    "filter_cis",
    "filter_introns",
    "finemap_phenotype",
    "fit_beta",
    "fit_trans_permutations",
    "impute_mean",
    "ld_matrix",
    "maf_mask",
    "map_cis_independent",
    "map_cis_nominal",
    "map_cis_permutations",
    "map_clusters_to_genes",
    "map_trans",
    "nominal_thresholds",
    "normalize_excision_ratios",
    "permutation_indices",
    "pi0est",
    "prepare_genotypes",
    "qvalue",
    "qvalues",
    "significant_pairs",
    "sqtl_phenotypes",
    "susie",
    "susie_rss",
    "susie_suff_stat",
    "trans_max_r2",
    "trans_permutation_phenotypes",
]
