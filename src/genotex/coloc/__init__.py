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

__all__ = [
    "ColocResult",
    "coloc_abf",
    "combine_abf",
    "finemap_abf",
    "logdiff",
    "logsum",
    "sdy_est",
]
