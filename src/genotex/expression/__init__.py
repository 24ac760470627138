"""genotex.expression: GTEx expression normalization, covariates and tissue summaries.

Pure functions over numpy arrays and pandas tables: no file I/O, logging or globals.
"""

from genotex.expression.factors import (
    PCAResult,
    buja_eyuboglu_count,
    colinear_covariates,
    combine_covariates,
    genotype_pcs,
    hidden_factor_count,
    hidden_factors,
    ld_prune,
)
from genotex.expression.filters import expressed_genes_mask
from genotex.expression.inverse_normal import inverse_normal_transform
from genotex.expression.prepare import (
    DEFAULT_BED_CHROMOSOMES,
    expression_bed,
    phenotype_positions,
    prepare_expression,
)
from genotex.expression.quantile import normalize_quantiles
from genotex.expression.specificity import tau, tissue_specific_genes, tsi, zscore_specificity
from genotex.expression.summaries import (
    median_tpm,
    sex_stratified_median_tpm,
    top_expressed_genes,
    tpm_long,
)
from genotex.expression.tmm import edger_cpm, tmm_norm_factors

__all__ = [
    "DEFAULT_BED_CHROMOSOMES",
    "PCAResult",
    "buja_eyuboglu_count",
    "colinear_covariates",
    "combine_covariates",
    "edger_cpm",
    "expressed_genes_mask",
    "expression_bed",
    "genotype_pcs",
    "hidden_factor_count",
    "hidden_factors",
    "inverse_normal_transform",
    "ld_prune",
    "median_tpm",
    "normalize_quantiles",
    "phenotype_positions",
    "prepare_expression",
    "sex_stratified_median_tpm",
    "tau",
    "tissue_specific_genes",
    "tmm_norm_factors",
    "top_expressed_genes",
    "tpm_long",
    "tsi",
    "zscore_specificity",
]
