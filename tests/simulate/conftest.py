"""A small simulated cohort shared by the simulator's tests (built once per session)."""

from __future__ import annotations

import pytest

from genotex.simulate import Cohort, SimulationConfig, simulate_cohort

SMALL = SimulationConfig(
    seed=7, n_donors=80, n_genes=120, variants_per_chrom=1500,
    tissues=("Lung", "Muscle_Skeletal", "Whole_Blood"), chromosomes=("chr21", "chr22"),
)


@pytest.fixture(scope="session")
def small_cohort() -> Cohort:
    return simulate_cohort(SMALL)
