"""genotex.coloc: GWAS–QTL colocalization kernels (coloc.abf, coloc.susie) and harmonisation.

Pure functions over arrays and tables: no file I/O (GWAS files are read by
:func:`genotex.io.sumstats.read_gwas_sumstats`).
"""

from genotex.coloc.abf import (
    ColocResult,
    coloc_abf,
    combine_abf,
    finemap_abf,
    logdiff,
    logsum,
    sdy_est,
)
from genotex.coloc.harmonize import (
    BuildReport,
    Chain,
    HarmonizeResult,
    detect_build,
    harmonize_gwas,
    liftover,
    parse_chain,
)
from genotex.coloc.susie_coloc import (
    ColocSusieResult,
    coloc_bf_bf,
    coloc_susie,
    logbf_to_pp,
    susie_credible_sets,
)

__all__ = [
    "BuildReport",
    "Chain",
    "ColocResult",
    "ColocSusieResult",
    "HarmonizeResult",
    "coloc_abf",
    "coloc_bf_bf",
    "coloc_susie",
    "combine_abf",
    "detect_build",
    "finemap_abf",
    "harmonize_gwas",
    "liftover",
    "logbf_to_pp",
    "logdiff",
    "logsum",
    "parse_chain",
    "sdy_est",
    "susie_credible_sets",
]
