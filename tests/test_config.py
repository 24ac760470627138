from __future__ import annotations

from genotex.config import Settings


def test_settings__every_field_has_help() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} has no description"


def test_settings__read_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("GENOTEX_THREADS", "2")
    assert Settings().threads == 2
