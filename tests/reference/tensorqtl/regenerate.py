"""Regenerate the tensorQTL 1.0.10 golden outputs in this folder.

Run with the reference environment (see README.md):

    .venv-ref-tqtl/bin/python tests/reference/tensorqtl/regenerate.py

It simulates a small deterministic cohort with numpy, writes it to ``inputs.npz`` and runs
tensorQTL's Python API on it (CPU, one thread): ``cis.map_nominal`` (maf_threshold=0),
``cis.map_cis`` (nperm=1000, seed=123, maf_threshold=0.05), grouped ``cis.map_cis`` and
``cis.map_independent``. Outputs are Parquet files with tensorQTL's own column names and dtypes.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
N_SAMPLES = 100
N_COV = 5
VARIANTS_PER_CHR = 1500
CHROM_LEN = 3_000_000
PHENOS_PER_CHR = 20
WINDOW = 200_000
NPERM = 1000
SEED = 123
MAF_PERM = 0.05


def simulate() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20240611)
    n = N_SAMPLES
    chroms, pos, geno = [], [], []
    for c in (1, 2):
        p = np.sort(rng.choice(np.arange(1, CHROM_LEN), VARIANTS_PER_CHR, replace=False))
        af = rng.uniform(0.02, 0.5, VARIANTS_PER_CHR)
        g = rng.binomial(2, af[:, None], size=(VARIANTS_PER_CHR, n)).astype(np.int8)
        flip = rng.random(VARIANTS_PER_CHR) < 0.3  # ALT is the major allele for some variants
        g[flip] = 2 - g[flip]
        chroms.append(np.full(VARIANTS_PER_CHR, c, dtype=np.int8))
        pos.append(p)
        geno.append(g)
    chrom = np.concatenate(chroms)
    pos = np.concatenate(pos).astype(np.int64)
    g = np.concatenate(geno)
    cov = rng.standard_normal((n, N_COV)).astype(np.float32)
    # phenotypes: TSS spread over the chromosome, some with gene bodies (start < end)
    pchrom, pstart, pend = [], [], []
    for c in (1, 2):
        s = np.sort(rng.integers(100_000, CHROM_LEN - 100_000, PHENOS_PER_CHR))
        e = s.copy()
        body = rng.random(PHENOS_PER_CHR) < 0.3
        e[body] += rng.integers(1_000, 50_000, body.sum())
        pchrom.append(np.full(PHENOS_PER_CHR, c, dtype=np.int8))
        pstart.append(s)
        pend.append(e)
    pchrom = np.concatenate(pchrom)
    pstart = np.concatenate(pstart).astype(np.int64)
    pend = np.concatenate(pend).astype(np.int64)
    # a group of three phenotypes sharing one window (for grouped mode): 5, 6, 7
    pstart[6:8] = pstart[5]
    pend[6:8] = pend[5]
    # special variants inside the windows of P00 (chr1) and P20 (chr2): monomorphic REF,
    # monomorphic ALT, all heterozygous, a singleton, all-het with one missing call
    w0 = np.flatnonzero((chrom == 1) & (np.abs(pos - pstart[0]) <= WINDOW))
    w1 = np.flatnonzero((chrom == 2) & (np.abs(pos - pstart[PHENOS_PER_CHR]) <= WINDOW))
    g[w0[3]] = 0
    g[w0[6]] = 2
    g[w0[9]] = 1
    g[w0[12]] = 0
    g[w0[12], 7] = 1
    g[w1[5]] = 1
    # missing genotypes (coded -9 as tensorQTL expects): 1% at random
    miss = rng.random(g.shape) < 0.01
    miss[[w0[3], w0[6], w0[9], w1[5]]] = False
    g[miss] = -9
    g[w1[8]] = 1
    g[w1[8], 3] = -9
    npheno = pchrom.size
    gf = g.astype(np.float64)
    gf[g == -9] = np.nan
    gf = np.where(np.isnan(gf), np.nanmean(gf, 1, keepdims=True), gf)
    y = rng.standard_normal((npheno, n)) + 0.3 * (cov @ rng.standard_normal((N_COV, npheno))).T
    # planted eQTLs (some with two independent signals)
    for i in range(0, npheno, 2):
        inwin = np.flatnonzero(
            (chrom == pchrom[i]) & (pos >= pstart[i] - WINDOW) & (pos <= pend[i] + WINDOW)
        )
        inwin = inwin[np.nanstd(gf[inwin], 1) > 0.3]
        k = rng.choice(inwin, 2, replace=False)
        y[i] += 1.2 * (gf[k[0]] - gf[k[0]].mean())
        if i % 4 == 0:
            y[i] += 0.9 * (gf[k[1]] - gf[k[1]].mean())
    return {
        "genotypes": g,
        "variant_chrom": chrom,
        "variant_pos": pos,
        "phenotypes": y.astype(np.float32),
        "phenotype_chrom": pchrom,
        "phenotype_start": pstart,
        "phenotype_end": pend,
        "covariates": cov,
    }


def frames(d: dict[str, np.ndarray]):
    samples = [f"S{i:03d}" for i in range(N_SAMPLES)]
    vid = [f"chr{c}_{p}" for c, p in zip(d["variant_chrom"], d["variant_pos"], strict=True)]
    genotype_df = pd.DataFrame(d["genotypes"].astype(np.float32), index=vid, columns=samples)
    variant_df = pd.DataFrame(
        {"chrom": [f"chr{c}" for c in d["variant_chrom"]], "pos": d["variant_pos"]}, index=vid
    )
    pid = [f"P{i:02d}" for i in range(d["phenotypes"].shape[0])]
    phenotype_df = pd.DataFrame(d["phenotypes"], index=pid, columns=samples)
    phenotype_pos_df = pd.DataFrame(
        {
            "chr": [f"chr{c}" for c in d["phenotype_chrom"]],
            "start": d["phenotype_start"],
            "end": d["phenotype_end"],
        },
        index=pid,
    )
    covariates_df = pd.DataFrame(
        d["covariates"], index=samples, columns=[f"C{i}" for i in range(N_COV)]
    )
    return genotype_df, variant_df, phenotype_df, phenotype_pos_df, covariates_df


def storey_qvalue(p: np.ndarray, lam: float = 0.85) -> np.ndarray:
    """qvalue::qvalue(p, lambda=lam)$qvalues (only used to pick genes for map_independent)."""
    m = p.size
    pi0 = min(np.mean(p >= lam) / (1 - lam), 1.0)
    o = np.argsort(-p, kind="stable")
    q = np.minimum(1, np.minimum.accumulate(p[o] * m / np.arange(m, 0, -1)))
    out = np.empty(m)
    out[o] = pi0 * q
    return out


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from tensorqtl import cis

    d = simulate()
    np.savez_compressed(HERE / "inputs.npz", **d)
    genotype_df, variant_df, phenotype_df, phenotype_pos_df, covariates_df = frames(d)

    with tempfile.TemporaryDirectory() as tmp:
        cis.map_nominal(genotype_df, variant_df, phenotype_df, phenotype_pos_df, "ref",
                        covariates_df=covariates_df, maf_threshold=0, window=WINDOW,
                        output_dir=tmp, verbose=False)
        nominal = pd.concat(
            [pd.read_parquet(f) for f in sorted(glob.glob(os.path.join(tmp, "*.parquet")))]
        )
    nominal.reset_index(drop=True).to_parquet(HERE / "cis_nominal.parquet")

    res = cis.map_cis(genotype_df, variant_df, phenotype_df, phenotype_pos_df,
                      covariates_df=covariates_df, maf_threshold=MAF_PERM, nperm=NPERM,
                      window=WINDOW, seed=SEED, verbose=False)
    res.to_parquet(HERE / "cis_permutation.parquet")

    group_s = pd.Series(phenotype_df.index, index=phenotype_df.index)
    group_s.iloc[5:8] = "G5"
    resg = cis.map_cis(genotype_df, variant_df, phenotype_df, phenotype_pos_df,
                       covariates_df=covariates_df, group_s=group_s, maf_threshold=MAF_PERM,
                       nperm=NPERM, window=WINDOW, seed=SEED, verbose=False)
    resg.to_parquet(HERE / "cis_permutation_groups.parquet")

    res["qval"] = storey_qvalue(res["pval_beta"].to_numpy())
    ind = cis.map_independent(genotype_df, variant_df, res, phenotype_df, phenotype_pos_df,
                              covariates_df=covariates_df, maf_threshold=MAF_PERM, fdr=0.05,
                              nperm=NPERM, window=WINDOW, seed=SEED, verbose=False)
    ind.to_parquet(HERE / "cis_independent.parquet")


if __name__ == "__main__":
    main()
