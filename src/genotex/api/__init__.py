"""GTEx Portal API v2-compatible REST API over a genotex release (FastAPI)."""

from __future__ import annotations

from genotex.api.app import create_app

__all__ = ["create_app"]
