from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.schema import TRUTH_EQTL_COLUMNS
from genotex.simulate import Cohort
from genotex.simulate.expression import tpm_from_counts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_genes=st.integers(1, 30), n_samples=st.integers(1, 8))
def test_tpm_from_counts__columns_sum_to_a_million(seed: int, n_genes: int, n_samples: int) -> None:
    gen = np.random.default_rng(seed)
    counts = gen.integers(0, 1000, size=(n_genes, n_samples))
    counts[0] += 1
    length = gen.uniform(100, 10_000, size=n_genes)
    tpm = tpm_from_counts(counts, length)
    np.testing.assert_allclose(tpm.sum(axis=0), 1e6, rtol=1e-12)
    assert (tpm >= 0).all()


def test_simulate_tissue_expression__counts_and_tpm(small_cohort: Cohort) -> None:
    for tissue, data in small_cohort.tissues.items():
        reads, tpm = data.reads, data.tpm
        assert reads.index.equals(tpm.index) and reads.columns.equals(tpm.columns)
        assert (reads.dtypes == np.int64).all(), tissue
        assert (reads.to_numpy() >= 0).all()
        np.testing.assert_allclose(tpm.sum(axis=0), 1e6, rtol=1e-10)
        assert list(reads.index) == list(small_cohort.genes["gene_id"])
        samples = small_cohort.samples
        assert list(reads.columns) == list(samples.loc[samples["tissue_id"] == tissue, "SAMPID"])


def _gtex_filter(cohort: Cohort, tissue: str) -> np.ndarray:
    data = cohort.tissues[tissue]
    n = data.reads.shape[1]
    return (((data.tpm >= 0.1).sum(axis=1) >= 0.2 * n)
            & ((data.reads >= 6).sum(axis=1) >= 0.2 * n)).to_numpy()


def test_simulate_tissue_expression__programmes_shape_the_gtex_filter(small_cohort: Cohort) -> None:
    prog = small_cohort.programmes["programme"].to_numpy()
    for tissue in small_cohort.tissues:
        keep = _gtex_filter(small_cohort, tissue)
        assert keep[prog == "housekeeping"].all()
        assert not keep[prog == "not_expressed"].any()
        assert 0 < keep.mean() < 1


def test_simulate_tissue_expression__tissue_specific_genes(small_cohort: Cohort) -> None:
    truth = small_cohort.tissue_specific_genes
    assert len(truth) > 0
    for gene, tissue in truth[["gene_id", "tissue_id"]].itertuples(index=False):
        med = {t: d.tpm.loc[gene].median() for t, d in small_cohort.tissues.items()}
        others = [v for t, v in med.items() if t not in set(truth.loc[truth["gene_id"] == gene,
                                                                        "tissue_id"])]
        if others:
            assert med[tissue] > 20 * max(others)


def _eqtl_correlations(cohort: Cohort) -> list[tuple[str, str, str, float, float]]:
    truth = cohort.truth_eqtls
    index = {v: i for i, v in enumerate(cohort.genotypes.variants["variant_id"])}
    donor_of = cohort.samples.set_index("SAMPID")["donor_index"]
    dosages = cohort.genotypes.dosages
    out = []
    for row in truth.itertuples(index=False):
        data = cohort.tissues[row.tissue_id]
        y = np.log1p(data.tpm.loc[row.gene_id].to_numpy())
        x = dosages[index[row.variant_id], donor_of.loc[data.tpm.columns].to_numpy()]
        r = np.corrcoef(x, y)[0, 1] if x.std() > 0 else 0.0
        out.append((row.tissue_id, row.gene_id, row.effect_class, row.effect_size, r))
    return out


def test_planted_eqtls__truth_table(small_cohort: Cohort) -> None:
    truth = small_cohort.truth_eqtls
    assert list(truth.columns) == list(TRUTH_EQTL_COLUMNS)
    assert set(truth["effect_class"]) == {"shared", "tissue_specific", "opposite", "secondary"}
    assert (truth["effect_size"] != 0).all()
    assert set(truth["tissue_id"]) <= set(small_cohort.config.tissue_ids)
    assert not truth.duplicated(["tissue_id", "gene_id", "variant_id"]).any()
    genes = small_cohort.genes.set_index("gene_id")
    pos = small_cohort.genotypes.variants.set_index("variant_id")["pos"]
    dist = (pos.loc[truth["variant_id"]].to_numpy()
            - genes.loc[truth["gene_id"], "tss"].to_numpy())
    assert (np.abs(dist) <= 1_000_000).all()
    assert np.median(np.abs(dist)) < 200_000


def test_planted_eqtls__large_effects_are_detectable(small_cohort: Cohort) -> None:
    rows = [r for r in _eqtl_correlations(small_cohort) if abs(r[3]) >= 1.0]
    assert len(rows) >= 8
    agree = np.mean([np.sign(beta) == np.sign(r) for *_, beta, r in rows])
    assert agree > 0.9
    assert np.median([abs(r) for *_, r in rows]) > 0.3


def test_planted_eqtls__opposite_effects_flip_sign(small_cohort: Cohort) -> None:
    rows = [r for r in _eqtl_correlations(small_cohort) if r[2] == "opposite"]
    assert rows
    by_gene: dict[str, list[tuple[float, float]]] = {}
    for _tissue, gene, _cls, beta, r in rows:
        by_gene.setdefault(gene, []).append((beta, r))
    flips = 0
    for pairs in by_gene.values():
        betas = [b for b, _ in pairs]
        assert min(betas) < 0 < max(betas)
        strong = [(b, r) for b, r in pairs if abs(b) >= 0.8]
        if any(b > 0 for b, _ in strong) and any(b < 0 for b, _ in strong):
            pos = np.mean([r for b, r in strong if b > 0])
            neg = np.mean([r for b, r in strong if b < 0])
            flips += pos > 0 > neg
    assert flips >= 1


def test_planted_eqtls__tissue_specific_in_one_tissue(small_cohort: Cohort) -> None:
    truth = small_cohort.truth_eqtls
    ts = truth[truth["effect_class"] == "tissue_specific"]
    assert (ts.groupby(["gene_id", "variant_id"]).size() == 1).all()
    shared = truth[truth["effect_class"] == "shared"]
    n_t = len(small_cohort.config.tissue_ids)
    assert (shared.groupby(["gene_id", "variant_id"]).size() == n_t).all()


def test_planted_eqtls__secondary_variant_not_in_ld(small_cohort: Cohort) -> None:
    truth = small_cohort.truth_eqtls.drop_duplicates(["gene_id", "variant_id"])
    index = {v: i for i, v in enumerate(small_cohort.genotypes.variants["variant_id"])}
    d = small_cohort.genotypes.dosages
    pairs = 0
    for _gene, grp in truth.groupby("gene_id"):
        if "secondary" in set(grp["effect_class"]) and len(grp) == 2:
            a, b = (index[v] for v in grp["variant_id"])
            assert np.corrcoef(d[a], d[b])[0, 1] ** 2 < 0.1
            pairs += 1
    assert pairs >= 1


@pytest.mark.parametrize("tissue", ["Lung", "Whole_Blood"])
def test_simulate_tissue_expression__sex_biased_genes(small_cohort: Cohort, tissue: str) -> None:
    prog = small_cohort.programmes.set_index("gene_id")
    data = small_cohort.tissues[tissue]
    keep = _gtex_filter(small_cohort, tissue)
    biased = prog.index[(prog["sex_effect"].abs() > 0) & keep]
    donor = small_cohort.samples.set_index("SAMPID").loc[data.tpm.columns, "donor_index"]
    female = small_cohort.donors["SEX"].to_numpy()[donor.to_numpy()] == 2
    for gene in biased:
        y = np.log1p(data.tpm.loc[gene].to_numpy())
        diff = y[female].mean() - y[~female].mean()
        assert np.sign(diff) == np.sign(prog.loc[gene, "sex_effect"])
