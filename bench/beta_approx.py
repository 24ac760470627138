#!/usr/bin/env python3
"""Beta approximation of the permutation p-values: one phenotype at a time versus batched.

On null permutation maxima of r² (dof 900, seeded), times best of --repeats:

* ``beta_approx_pval`` per gene: tensorQTL 1.0.10's way, ``scipy.optimize`` newton (secant) +
  Nelder–Mead, one call per phenotype;
* ``beta_approx_pvals``: all phenotypes in one call (the same solvers vectorized over genes);
* ``beta_approx_pvals`` per gene: batches of one, to show why the scalar path stays on scipy;

checks that the batched results equal the per-gene ones bit for bit, and times
``import scipy.optimize`` in a fresh interpreter (the start-up the batched module avoids).
Single-threaded throughout (no BLAS in this code).

  .venv/bin/python bench/beta_approx.py            # ~20 s
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from genotex.qtl.beta_approx import (
    BetaApprox,
    BetaApproxBatch,
    beta_approx_pval,
    beta_approx_pvals,
)

CASES = ((152, 1000), (1000, 100))  # (genes, permutations)
DOF = 900
T = TypeVar("T")


def null_r2(seed: int, n_genes: int, n_perm: int) -> NDArray[np.float64]:
    """(n_genes, n_perm) null permutation maxima of r² over 1–300 independent variants."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_genes):
        z = rng.standard_normal((n_perm, int(rng.integers(1, 300))))
        rows.append((z * z / (DOF + z * z)).max(1))
    return np.array(rows)


def _best(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def _import_seconds() -> float:
    code = ("import time, numpy, scipy.special; t = time.perf_counter(); import scipy.optimize; "
            "print(time.perf_counter() - t)")
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout) for _ in range(3))


def _case(n_genes: int, n_perm: int, repeats: int) -> str:
    r2 = null_r2(n_genes + n_perm, n_genes, n_perm)
    top = np.random.default_rng(n_perm).uniform(0, 0.05, n_genes)

    def per_gene() -> list[BetaApprox]:
        return [beta_approx_pval(r2[i], top[i], dof_init=DOF) for i in range(n_genes)]

    def batched() -> BetaApproxBatch:
        return beta_approx_pvals(r2, top, dof_init=DOF)

    def batches_of_one() -> list[BetaApproxBatch]:
        return [beta_approx_pvals(r2[i:i + 1], top[i], dof_init=DOF) for i in range(n_genes)]

    t_ref, ref = _best(per_gene, repeats)
    t_batch, b = _best(batched, repeats)
    t_one, _ = _best(batches_of_one, 1)
    want = np.array([[x.pval_beta, x.beta_shape1, x.beta_shape2, x.true_df, x.pval_true_df,
                      x.secant_failed] for x in ref])
    got = np.stack([b.pval_beta, b.beta_shape1, b.beta_shape2, b.true_df, b.pval_true_df,
                    b.secant_failed], axis=1)
    equal = bool(np.array_equal(got, want, equal_nan=True))
    return (f"| {n_genes} × {n_perm} | {t_ref:.3f} s | {t_batch:.3f} s | {t_ref / t_batch:.1f}× "
            f"| {t_ref / n_genes * 1e3:.2f} → {t_batch / n_genes * 1e3:.2f} ms "
            f"| {t_one:.3f} s | {equal} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"numpy {np.__version__}; best of {args.repeats}\n")
    print("| genes × perms | beta_approx_pval per gene (scipy) | beta_approx_pvals | speed-up "
          "| per gene | beta_approx_pvals per gene (1 run) | bit-identical |")
    print("|---|---|---|---|---|---|---|")
    for n_genes, n_perm in CASES:
        print(_case(n_genes, n_perm, args.repeats), flush=True)
    print(f"\n`import scipy.optimize` (after numpy, scipy.special): {_import_seconds():.2f} s")


if __name__ == "__main__":
    main()
