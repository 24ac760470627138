"""Regenerate the tensorQTL 1.0.10 trans-QTL golden outputs in this folder.

Run with the reference environment (see ../tensorqtl/README.md):

    .venv-ref-tqtl/bin/python tests/reference/tensorqtl_trans/regenerate.py

It reuses the simulated cohort of ``../tensorqtl/inputs.npz`` (3,000 variants on chr1/chr2 ×
100 samples, 40 phenotypes, 5 covariates) and runs tensorQTL's Python API on CPU, one thread:

* ``trans.map_trans(..., pval_threshold=1e-3, maf_threshold=0.05, return_r2=True,
  batch_size=700)`` → ``trans_pairs.parquet`` (tensorQTL's columns);
* ``trans.filter_cis(pairs, phenotype_pos_df, variant_df, window=200_000)`` →
  ``trans_pairs_filtered.parquet``;
* ``trans.map_permutations(nperms=200, seed=7, maf_threshold=0.05)`` without and with
  ``chr_s`` → ``permutations.parquet`` / ``permutations_by_chr.parquet`` (one row each, the
  vectors ``minp_true_df`` and ``minp_empirical`` as list columns), and
  the same unsplit on the polymorphic variants only → ``permutations_polymorphic.parquet``
  (all-heterozygous variants pass the MAF filter and make every maximum NaN, tensorQTL #164),
  and ``trans.apply_permutations`` of that fit on the pairs → ``trans_pairs_perm.parquet``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tensorqtl"))
PVAL = 1e-3
MAF = 0.05
NPERMS = 200
SEED = 7


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from regenerate import frames  # ../tensorqtl/regenerate.py
    from tensorqtl import trans

    d = dict(np.load(HERE.parent / "tensorqtl" / "inputs.npz"))
    genotype_df, variant_df, phenotype_df, phenotype_pos_df, covariates_df = frames(d)
    pairs = trans.map_trans(genotype_df, phenotype_df, covariates_df=covariates_df,
                            pval_threshold=PVAL, maf_threshold=MAF, return_r2=True,
                            batch_size=700, verbose=False)
    pairs.to_parquet(HERE / "trans_pairs.parquet")
    filt = trans.filter_cis(pairs, phenotype_pos_df, variant_df, window=200_000)
    filt.reset_index(drop=True).to_parquet(HERE / "trans_pairs_filtered.parquet")

    res = trans.map_permutations(genotype_df, covariates_df, nperms=NPERMS, seed=SEED,
                                 maf_threshold=MAF, verbose=False)
    # constant (all-het) variants pass the MAF filter and make every maximum NaN
    # (broadinstitute/tensorqtl#164); the same calibration without them:
    g = genotype_df.to_numpy()
    gi = np.where(g == -9, np.nan, g)
    gi = np.where(np.isnan(gi), np.nanmean(gi, 1, keepdims=True), gi)
    poly = ~(gi == gi[:, :1]).all(1)
    res_poly = trans.map_permutations(genotype_df[poly], covariates_df, nperms=NPERMS,
                                      seed=SEED, maf_threshold=MAF, verbose=False)
    pd.DataFrame([{k: res_poly[k] for k in res_poly.index}]).to_parquet(
        HERE / "permutations_polymorphic.parquet")
    pd.DataFrame([{k: res[k] for k in res.index}]).to_parquet(HERE / "permutations.parquet")
    chr_s = variant_df["chrom"]
    res_chr = trans.map_permutations(genotype_df, covariates_df, chr_s=chr_s, nperms=NPERMS,
                                     seed=SEED, maf_threshold=MAF, verbose=False)
    res_chr.index.name = "chrom"
    res_chr.reset_index().to_parquet(HERE / "permutations_by_chr.parquet")
    perm_pairs = pairs.copy()
    trans.apply_permutations(res_poly, perm_pairs)
    perm_pairs.to_parquet(HERE / "trans_pairs_perm.parquet")


if __name__ == "__main__":
    main()
