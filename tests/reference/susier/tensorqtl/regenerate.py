"""tensorQTL 1.0.10 ``susie.map`` on the cohort of ../../tensorqtl/inputs.npz (cross-check).

    .venv-ref-tqtl/bin/python tests/reference/susier/tensorqtl/regenerate.py

Runs ``susie.map(..., L=10, max_iter=200, window=200_000, maf_threshold=0,
summary_only=False)`` (CPU, one thread) on phenotypes P00–P11 and writes

* ``pip.parquet``: ``phenotype_id, variant_id, pip, af`` for every fine-mapped variant;
* ``sets.parquet``: ``phenotype_id, cs_id, cs_index, min_abs_corr, variant_id``
  (one row per credible-set member), and ``fits.parquet``: ``converged, niter, elbo_last``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TQTL = HERE.parents[1] / "tensorqtl"
sys.path.insert(0, str(TQTL))


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from regenerate import frames  # ../../tensorqtl/regenerate.py
    from tensorqtl import susie

    d = dict(np.load(TQTL / "inputs.npz"))
    genotype_df, variant_df, phenotype_df, phenotype_pos_df, covariates_df = frames(d)
    keep = phenotype_df.index[:12]
    _, res = susie.map(genotype_df, variant_df, phenotype_df.loc[keep],
                       phenotype_pos_df.loc[keep], covariates_df, L=10, max_iter=200,
                       window=200_000, maf_threshold=0, summary_only=False, verbose=False)
    pips, sets, fits = [], [], []
    for pid, r in res.items():
        p = r["pip"].reset_index()
        p.insert(0, "phenotype_id", pid)
        pips.append(p)
        fits.append({"phenotype_id": pid, "converged": bool(r["converged"]),
                     "niter": int(r["niter"]), "elbo_last": float(np.asarray(r["elbo"])[-1])})
        cs = r["sets"]
        for k, (name, members) in enumerate(cs["cs"].items()):
            for m in members:
                sets.append({"phenotype_id": pid, "cs_id": name,
                             "cs_index": int(cs["cs_index"][k]),
                             "min_abs_corr": float(cs["purity"].iloc[k, 0]),
                             "variant_id": r["pip"].index[m]})
    pd.concat(pips).reset_index(drop=True).to_parquet(HERE / "pip.parquet")
    pd.DataFrame(sets).to_parquet(HERE / "sets.parquet")
    pd.DataFrame(fits).to_parquet(HERE / "fits.parquet")


if __name__ == "__main__":
    main()
