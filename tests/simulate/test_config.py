from __future__ import annotations

import dataclasses

import pytest

from genotex.simulate import DEFAULT_TISSUES, SimulationConfig


def test_simulation_config__defaults_are_valid() -> None:
    cfg = SimulationConfig()
    assert set(cfg.tissue_ids) == set(DEFAULT_TISSUES)
    assert cfg.chromosomes == ("chr20", "chr21", "chr22")


def test_simulation_config__all_tissues() -> None:
    assert len(SimulationConfig(tissues="all").tissue_ids) == 54


def test_simulation_config__comma_separated_tissues() -> None:
    assert SimulationConfig(tissues="Whole_Blood,Lung").tissue_ids == ("Lung", "Whole_Blood")


def test_simulation_config__is_frozen_and_keyword_only() -> None:
    cfg = SimulationConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        SimulationConfig(1)  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tissues": ("Not_A_Tissue",)},
        {"tissues": ("Lung", "Lung")},
        {"chromosomes": ("chr99",)},
        {"chromosomes": ()},
        {"n_donors": 2},
        {"n_genes": 0},
        {"min_maf": 0.5},
        {"eqtl_fraction": 1.5},
        {"genotyped_fraction": 0.0},
    ],
)
def test_simulation_config__rejects_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"SimulationConfig|tissue"):
        SimulationConfig(**kwargs)  # type: ignore[arg-type]


def test_simulation_config__to_dict_is_json_ready() -> None:
    import json

    record = json.loads(json.dumps(SimulationConfig(tissues="all").to_dict()))
    assert len(record["tissues"]) == 54
    assert record["annotation"] is None
