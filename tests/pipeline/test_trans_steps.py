from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.io import open_genotypes, read_covariates, read_phenotype_bed
from genotex.pipeline.trans_steps import trans_pairs
from genotex.qtl import Residualizer, map_trans

from .qtl_cohort import Tissue, mapped_tissue


@pytest.fixture(scope="module")
def tissue(tmp_path_factory: pytest.TempPathFactory) -> Tissue:
    return mapped_tissue(tmp_path_factory)


def test_trans_pairs__streamed_equals_in_memory_and_drops_cis(tissue: Tissue,
                                                              tmp_path: Path) -> None:
    kw = dict(phenotype_bed=tissue.bed, genotypes=tissue.cohort.plink_prefix,
              covariates=tissue.cov, prefix="T", pval_threshold=1e-3, dtype=np.float64)
    small = trans_pairs(output_dir=tmp_path / "a", chunk_variants=77, cis_window=None, **kw)
    big = trans_pairs(output_dir=tmp_path / "b", chunk_variants=10_000, cis_window=None, **kw)
    a, b = pd.read_parquet(small.path), pd.read_parquet(big.path)
    assert list(a.columns) == ["variant_id", "phenotype_id", "pval", "b", "b_se", "af"]
    assert a["b"].dtype == np.float32 and a["pval"].dtype == np.float64
    pd.testing.assert_frame_equal(a, b)
    bed = read_phenotype_bed(tissue.bed)
    with open_genotypes(tissue.cohort.plink_prefix, samples=list(bed.values.columns)) as r:
        chunk = next(r.iter_chunks(100_000))
    cov = read_covariates(tissue.cov, samples=list(bed.values.columns)).to_numpy()
    ref = map_trans(chunk.dosages, bed.values.to_numpy(), Residualizer(cov),
                    pval_threshold=1e-3, maf_threshold=0.0)
    assert len(a) == len(ref) > 0
    np.testing.assert_allclose(a["pval"].to_numpy(), ref.pval, rtol=1e-9)
    cis = trans_pairs(output_dir=tmp_path / "c", cis_window=5_000_000, **kw)
    c = pd.read_parquet(cis.path)
    v = chunk.variants.set_index("variant_id")
    pos = bed.positions.set_index("phenotype_id")
    same = (v.loc[c["variant_id"], "chrom"].to_numpy()
            == pos.loc[c["phenotype_id"], "chrom"].to_numpy())
    dist = np.abs(v.loc[c["variant_id"], "pos"].to_numpy()
                  - pos.loc[c["phenotype_id"], "end"].to_numpy())
    assert not (same & (dist <= 5_000_000)).any()
    assert len(c) < len(a)
