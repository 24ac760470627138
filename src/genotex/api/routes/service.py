"""``GET /api/v2/``: service information (GA4GH service-info shape, as GTEx returns it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from genotex import __version__
from genotex.api.deps import StoreDep
from genotex.api.models import ServiceInfo

router = APIRouter(tags=["GTEx Portal API Info"])


@router.get("/api/v2/", response_model=ServiceInfo)
def get_service_info(request: Request, store: StoreDep) -> dict[str, Any]:
    """General information about this service and the release it serves."""
    return {
        "id": "org.genotex.rest.v2",
        "name": "genotex GTEx-compatible API",
        "version": "2.0.0",
        "organization": {"name": "genotex", "url": "https://github.com/genotex/genotex"},
        "description": f"genotex {__version__} serving release '{store.dataset_id}' through "
                       "the GTEx Portal API v2 paths.",
        "contactUrl": "https://github.com/genotex/genotex/issues",
        "documentationUrl": str(request.url_for("swagger_ui_html")),
        "environment": "prod",
    }
