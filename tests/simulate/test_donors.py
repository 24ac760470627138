from __future__ import annotations

import re

import numpy as np
import pytest

from genotex.schema import AGE_BRACKETS, SAMPLE_ATTRIBUTE_COLUMNS, SUBJECT_ATTRIBUTE_COLUMNS
from genotex.simulate import Cohort, SimulationConfig
from genotex.simulate.donors import samples_per_tissue, simulate_donors, simulate_samples
from genotex.tissues import get_tissue

DONOR_RE = re.compile(r"^GTEX-[0-9A-Z]{4,5}$")
SAMPLE_RE = re.compile(r"^(GTEX-[0-9A-Z]{4,5})-\d{4}-SM-[0-9A-Z]{5}$")


def test_simulate_donors__ids_and_attributes() -> None:
    donors, genotyped = simulate_donors(SimulationConfig(n_donors=300))
    assert list(donors.columns) == list(SUBJECT_ATTRIBUTE_COLUMNS)
    assert donors["SUBJID"].is_unique
    assert donors["SUBJID"].str.match(DONOR_RE).all()
    assert set(donors["SEX"]) <= {1, 2}
    assert 0.55 < (donors["SEX"] == 1).mean() < 0.8
    assert set(donors["AGE"]) <= set(AGE_BRACKETS)
    assert (donors["AGE"].isin(["50-59", "60-69"])).mean() > 0.5
    assert set(donors["DTHHRDY"]) <= {0, 1, 2, 3, 4}
    assert 0 < (~genotyped).sum() < 0.1 * len(donors)


def test_samples_per_tissue__proportional_to_gtex() -> None:
    cfg = SimulationConfig(n_donors=400, tissues="all", max_tissue_fraction=0.9)
    counts = samples_per_tissue(cfg)
    gtex = {t: get_tissue(t).genotyped_samples for t in counts}
    top = max(gtex, key=gtex.__getitem__)
    assert counts[top] == 360
    for t, n in counts.items():
        assert n == pytest.approx(gtex[t] * 360 / gtex[top], abs=1)


def test_simulate_samples__ids_one_per_donor_and_tissue(small_cohort: Cohort) -> None:
    samples = small_cohort.samples
    assert list(samples.columns[:12]) == list(SAMPLE_ATTRIBUTE_COLUMNS)
    assert samples["SAMPID"].is_unique
    donors = samples["SAMPID"].str.extract(SAMPLE_RE)[0]
    assert donors.notna().all()
    expected = small_cohort.donors["SUBJID"].to_numpy()[samples["donor_index"]]
    assert (donors.to_numpy() == expected).all()
    assert not samples.duplicated(["tissue_id", "donor_index"]).any()
    assert samples["SMRIN"].between(5, 10).all()
    assert set(samples["SMCENTER"]) <= {"B1", "C1", "D1"}
    assert (samples["SMAFRZE"] == "RNASEQ").all()
    lung = samples[samples["tissue_id"] == "Lung"]
    assert (lung["SMTSD"] == "Lung").all() and (lung["SMUBRID"] == "0008952").all()


def test_simulate_samples__sex_specific_tissues() -> None:
    cfg = SimulationConfig(n_donors=60, tissues=("Ovary", "Testis", "Lung"))
    donors, _ = simulate_donors(cfg)
    samples = simulate_samples(cfg, donors)
    sex = donors["SEX"].to_numpy()[samples["donor_index"]]
    assert (sex[samples["tissue_id"] == "Ovary"] == 2).all()
    assert (sex[samples["tissue_id"] == "Testis"] == 1).all()


def test_simulate_samples__adding_a_tissue_keeps_the_others() -> None:
    a = SimulationConfig(n_donors=40, tissues=("Lung",))
    b = SimulationConfig(n_donors=40, tissues=("Lung", "Brain_Cortex"))  # smaller than Lung
    sa = simulate_samples(a, simulate_donors(a)[0])
    sb = simulate_samples(b, simulate_donors(b)[0])
    lung_b = sb[sb["tissue_id"] == "Lung"].reset_index(drop=True)
    assert np.array_equal(sa["SAMPID"].to_numpy(), lung_b["SAMPID"].to_numpy())
