"""Golden tests of the cis pipeline against tensorQTL 1.0.10 on the GEUVADIS chr22 example.

Fixtures: ``tests/reference/tensorqtl_geuvadis`` (see its README). genotex maps a subset of the
608 genes (every 15th, plus the 7 genes with committed nominal pairs) from the Debian example's
own files (6-column QTLtools BED, whitespace covariates, the VCF), with the permutations
tensorQTL drew for seed 1 (``permutation_indices`` reproduces its RNG).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.pipeline.qtl_steps import cis_nominal, cis_permutations
from genotex.qtl import qvalue

REF = Path(__file__).resolve().parents[1] / "reference" / "tensorqtl_geuvadis"
NPERM, SEED, MAF = 1000, 1, 0.01  # as regenerate.py


@dataclass(frozen=True)
class Golden:
    tq_perm: pd.DataFrame
    tq_nom: pd.DataFrame
    gx_perm: pd.DataFrame
    gx_nom: pd.DataFrame


@pytest.fixture(scope="module")
def golden(geuvadis_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Golden:
    tq_perm = pd.read_parquet(REF / "cis_permutation.parquet")
    tq_nom = pd.read_parquet(REF / "cis_nominal.parquet")
    genes = set(tq_perm.index[::15]) | set(tq_nom["phenotype_id"])
    out = tmp_path_factory.mktemp("golden")
    bed = out / "subset.bed"
    with gzip.open(geuvadis_dir / "genes.50percent.chr22.bed.gz", "rt") as fi:
        bed.write_text("".join(line for k, line in enumerate(fi)
                               if k == 0 or line.split("\t", 4)[3] in genes))
    kw = dict(genotypes=geuvadis_dir / "genotypes.chr22.vcf.gz",
              covariates=geuvadis_dir / "genes.covariates.pc50.txt.gz", output_dir=out,
              maf_threshold=MAF, dtype=np.float32)
    perm = cis_permutations(phenotype_bed=bed, prefix="perm", n_perm=NPERM, seed=SEED, **kw)
    nom_bed = out / "nominal.bed"
    lines = bed.read_text().splitlines(keepends=True)
    nom_genes = set(tq_nom["phenotype_id"])
    nom_bed.write_text("".join(ln for k, ln in enumerate(lines)
                               if k == 0 or ln.split("\t", 4)[3] in nom_genes))
    nom = cis_nominal(phenotype_bed=nom_bed, prefix="nom", **kw)
    gx_nom = pd.concat([pd.read_parquet(p) for p in nom.files.values()], ignore_index=True)
    return Golden(tq_perm, tq_nom, pd.read_parquet(perm.parquet), gx_nom)


def _mlog10(p: pd.Series) -> np.ndarray:
    return -np.log10(np.maximum(p.to_numpy(dtype=np.float64), 1e-300))


def test_cis_nominal__geuvadis_equals_tensorqtl(golden: Golden) -> None:
    tq = golden.tq_nom.rename(columns={"variant_id": "tq_variant_id"})
    m = tq.merge(golden.gx_nom, left_on=["phenotype_id", "variant_id_b38"],
                 right_on=["phenotype_id", "variant_id"], suffixes=("_tq", "_gx"))
    assert len(m) == len(tq) == len(golden.gx_nom)
    np.testing.assert_allclose(_mlog10(m["pval_nominal_gx"]), _mlog10(m["pval_nominal_tq"]),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(m["slope_gx"], m["slope_tq"], rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(m["ma_count_gx"], m["ma_count_tq"])
    np.testing.assert_array_equal(m["start_distance_gx"], m["start_distance_tq"])


def test_cis_permutations__geuvadis_equals_tensorqtl(golden: Golden) -> None:
    tq = golden.tq_perm.loc[golden.gx_perm.index]
    gx = golden.gx_perm
    assert len(gx) == 41
    np.testing.assert_array_equal(gx["num_var"], tq["num_var"])
    np.testing.assert_allclose(gx["pval_beta"], tq["pval_beta"], rtol=1e-3)
    np.testing.assert_allclose(_mlog10(gx["pval_nominal"]), _mlog10(tq["pval_nominal"]),
                               rtol=1e-4)
    np.testing.assert_array_equal(gx["pval_perm"], tq["pval_perm"])
    same_top = (gx["variant_id"] == tq["variant_id_b38"]).mean()
    assert same_top >= 0.99


def test_cis_permutations__geuvadis_same_egenes_as_tensorqtl(golden: Golden) -> None:
    """q-values over all 608 genes, genotex's pval_beta substituted for the genes it mapped."""
    p_tq = golden.tq_perm["pval_beta"]
    p_gx = p_tq.copy()
    p_gx.loc[golden.gx_perm.index] = golden.gx_perm["pval_beta"]
    q_tq = pd.Series(qvalue(p_tq.to_numpy()).qvalues, p_tq.index)
    q_gx = pd.Series(qvalue(p_gx.to_numpy()).qvalues, p_gx.index)
    assert (q_tq <= 0.05).sum() == 321  # the reference count (pi0 0.306)
    pd.testing.assert_series_equal(q_gx <= 0.05, q_tq <= 0.05)
