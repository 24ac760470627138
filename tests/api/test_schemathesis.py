"""schemathesis, driven by **GTEx's own** OpenAPI spec, against the genotex API in process.

Every operation of GTEx's ``openapi_v2.json`` that genotex also serves (the paths and methods
of our own spec that appear in GTEx's) is exercised with requests schemathesis generates from
GTEx's parameter schemas; each response must not be a server error and, for the statuses GTEx
documents, must validate against GTEx's response schema. The only change to GTEx's spec is
the one ``test_contract.py`` explains: our release's datasetId joins the ``DatasetId`` enum.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def gtex_schema(gtex_api_dir: Path, api_store, client) -> Any:  # type: ignore[no-untyped-def]
    spec = json.loads((gtex_api_dir / "openapi_v2.json").read_text())
    spec["components"]["schemas"]["DatasetId"]["enum"].append(api_store.dataset_id)
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = client.app
    return schema


@pytest.fixture(scope="module")
def served(client) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(METHOD, path) of every operation in genotex's own OpenAPI spec."""
    paths = client.get("/api/v2/openapi.json").json()["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops}


def test_schemathesis__gtex_spec_cases_conform(gtex_schema, served) -> None:  # type: ignore[no-untyped-def]
    operations = [(m, p) for p, ops in gtex_schema.raw_schema["paths"].items() for m in ops
                  if (m.upper(), p) in served]
    assert len(operations) >= 30, operations  # every GTEx path genotex implements
    failures = {}
    for method, path in operations:
        operation = gtex_schema[path][method.upper()]

        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collected, reported together below
            failures[f"{method.upper()} {path}"] = str(exc)[:1500]
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
