"""run_multitissue on a simulated 3-tissue cohort with planted shared and opposite eQTLs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genotex.errors import InputError
from genotex.pipeline.multitissue import METASOFT_COLUMNS, MultitissueOutputs, run_multitissue
from genotex.store.tables import get_table

from .three_tissue_cohort import TISSUES, mapped_cohort
from .three_tissue_cohort import Cohort as Mapped


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Mapped:
    return mapped_cohort(tmp_path_factory)


@pytest.fixture(scope="module")
def result(mapped: Mapped, tmp_path_factory: pytest.TempPathFactory) -> MultitissueOutputs:
    return run_multitissue(qtl_dirs=mapped.qtl_dirs, output=tmp_path_factory.mktemp("mt"),
                           pi1_lambda=0.5)


def _strongest(mapped: Mapped, effect_class: str) -> str:
    """The planted gene of a class (one causal variant) with the best p in its weakest tissue."""
    t = mapped.truth
    n_causal = t.groupby("gene_id")["variant_id"].nunique()
    genes = t.loc[(t["effect_class"] == effect_class) & t["gene_id"].map(n_causal).eq(1),
                  "gene_id"].unique()
    weakest = pd.concat([mapped.egenes(x)["pval_nominal"] for x in TISSUES], axis=1).max(axis=1)
    return str(weakest.reindex(genes).idxmin())


def _best_pair(res: MultitissueOutputs, gene: str) -> pd.DataFrame:
    rows = res.metasoft.loc[res.metasoft["gene_id"] == gene]
    best = rows.loc[rows["meta_p"].idxmin(), "variant_id"]
    return rows.loc[rows["variant_id"] == best].set_index("tissue_id")


def test_run_multitissue__store_layout(result: MultitissueOutputs) -> None:
    assert tuple(c.name for c in get_table("metasoft").columns) == METASOFT_COLUMNS
    frame = pd.read_parquet(result.metasoft_path)
    assert tuple(frame.columns) == METASOFT_COLUMNS
    assert set(frame["tissue_id"]) == set(TISSUES)
    assert frame[["meta_p", "pval"]].stack().between(0, 1).all()
    assert frame["m_value"].between(0, 1).all()
    summary = pd.read_parquet(result.summary_path)
    assert len(summary) == len(frame.drop_duplicates(["gene_id", "variant_id"]))


def test_run_multitissue__shared_eqtl_has_high_mvalues(mapped: Mapped,
                                                       result: MultitissueOutputs) -> None:
    gene = _strongest(mapped, "shared")
    pair = _best_pair(result, gene)
    assert sorted(pair.index) == list(TISSUES)
    assert (pair["m_value"] > 0.9).all(), pair
    assert len(set(np.sign(pair["nes"]))) == 1


def test_run_multitissue__opposite_effects_are_heterogeneous(
        mapped: Mapped, result: MultitissueOutputs) -> None:
    gene = _strongest(mapped, "opposite")
    pair = _best_pair(result, gene)
    assert len(set(np.sign(pair["nes"]))) == 2  # both directions
    summ = result.summary.set_index(["gene_id", "variant_id"]).loc[
        (gene, pair["variant_id"].iat[0])]
    assert summ["i_square"] > 75
    assert summ["pval_q"] < 1e-6
    assert summ["pval_re2"] < summ["pval_fe"] * 1e-3  # RE2 sees what FE averages away
    # METASOFT's m-value model shares one effect across tissues: the majority direction wins
    major = np.sign(pair["nes"]).value_counts().idxmax()
    assert (pair.loc[np.sign(pair["nes"]) == major, "m_value"] > 0.9).all()


def test_run_multitissue__pi1_sharing(result: MultitissueOutputs) -> None:
    pi1 = pd.read_csv(result.pi1_tsv, sep="\t", index_col=0)
    assert list(pi1.index) == list(TISSUES) and list(pi1.columns) == list(TISSUES)
    values = pi1.to_numpy()
    np.testing.assert_allclose(np.diag(values), 1.0)
    assert np.all((values >= 0) & (values <= 1))
    assert values[~np.eye(len(TISSUES), dtype=bool)].min() > 0.5  # most planted eQTLs shared


def test_run_multitissue__all_significant_pairs(mapped: Mapped, result: MultitissueOutputs,
                                                tmp_path: Path) -> None:
    res = run_multitissue(qtl_dirs=mapped.qtl_dirs, output=tmp_path,
                          top_variants="all_signif", mvalue_method="exact")
    leads = set(zip(result.summary["gene_id"], result.summary["variant_id"], strict=True))
    pairs = set(zip(res.summary["gene_id"], res.summary["variant_id"], strict=True))
    assert leads <= pairs and len(pairs) > len(leads)


def test_run_multitissue__bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no eQTL directories"):
        run_multitissue(qtl_dirs={}, output=tmp_path)
    (tmp_path / "Lung").mkdir()
    with pytest.raises(InputError, match="permutation table"):
        run_multitissue(qtl_dirs={"Lung": tmp_path / "Lung"}, output=tmp_path)
