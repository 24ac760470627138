from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.pipeline.qtl_steps import read_egenes
from genotex.pipeline.susie_steps import finemap_egenes

from .qtl_cohort import Tissue, mapped_tissue


@pytest.fixture(scope="module")
def tissue(tmp_path_factory: pytest.TempPathFactory) -> Tissue:
    return mapped_tissue(tmp_path_factory)


def test_finemap_egenes__tensorqtl_summary_and_credible_sets(tissue: Tissue,
                                                             tmp_path: Path) -> None:
    out = finemap_egenes(phenotype_bed=tissue.bed, genotypes=tissue.cohort.plink_prefix,
                         covariates=tissue.cov, cis_results=tissue.perm.table,
                         output_dir=tmp_path, prefix="T", maf_threshold=0.01)
    egenes = read_egenes(tissue.perm.table)
    assert out.n_phenotypes == int((egenes["qval"] <= 0.05).sum()) > 0
    summary = pd.read_parquet(out.summary)
    assert list(summary.columns) == ["phenotype_id", "variant_id", "pip", "af", "cs_id"]
    assert set(summary["phenotype_id"]) <= set(egenes.index[egenes["qval"] <= 0.05])
    assert out.n_credible_sets > 0 and summary["pip"].between(0, 1).all()
    full = pd.read_parquet(out.credible_sets)
    by_cs = full.groupby(["phenotype_id", "cs_id"])
    assert (by_cs["alpha"].sum() >= 0.95 - 1e-9).all()
    assert (by_cs["cs_min_abs_corr"].first() >= 0.5).all()
    # the lead eQTL variant usually falls into a credible set of its gene
    lead = egenes.loc[summary["phenotype_id"].unique(), "variant_id"]
    hit = [v in set(summary.loc[summary["phenotype_id"] == g, "variant_id"])
           for g, v in lead.items()]
    assert np.mean(hit) >= 0.7
