"""Typed settings shared by the CLI, the pipeline and the server (``GENOTEX_`` env prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of genotex, with a default and a help string.

    Each field can be set from the environment, e.g. ``GENOTEX_THREADS=2``.
    """

    model_config = SettingsConfigDict(env_prefix="GENOTEX_", extra="ignore")

    data_dir: Path = Field(
        Path("genotex-data"),
        description="Folder where `genotex demo` writes the simulated cohort and the release.",
    )
    threads: int = Field(
        0, ge=0, description="Worker threads for numeric kernels; 0 = every core of the machine."
    )
    genotype_chunk_variants: int = Field(
        10_000,
        gt=0,
        description="Variants read per genotype chunk; memory is about this × samples × 4 bytes.",
    )
    seed: int = Field(20240101, description="Default random seed of the simulator.")
    host: str = Field("127.0.0.1", description="Address the API/portal server listens on.")
    port: int = Field(8000, gt=0, lt=65536, description="Port the API/portal server listens on.")
    api_max_items_per_page: int = Field(
        100_000, gt=0, description="Upper bound of `itemsPerPage` in API requests (GTEx: 100,000)."
    )
    controlled_tokens: str = Field(
        "",
        description="Comma-separated bearer tokens granting controlled (individual-level) data: "
        "per-sample values of dyneqtl/dynsqtl. Empty = controlled data is never served.",
    )
    controlled_tokens_file: Path | None = Field(
        None,
        description="File with one bearer token (or its sha256 hex, prefixed 'sha256:') per "
        "line, granting controlled data; '#' starts a comment.",
    )
    api_max_body_items: int = Field(
        1_000, gt=0, description="Most items in one POST body (e.g. bulk dyneqtl requests)."
    )
