"""``genotex auth add|list|revoke`` and the per-dataset grants the server honours."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from genotex.api import create_app
from genotex.api.tokens import read_grants
from genotex.cli import main
from genotex.config import Settings
from genotex.store import Store
from genotex.testing import TINY_DATASET_ID, build_tiny_release

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CRP = "ENSG00000132693.12"
DYNEQTL = ("/api/v2/association/dyneqtl",
           {"gencodeId": CRP, "variantId": "rs3091244", "tissueSiteDetailId": "Whole_Blood"})


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(build_tiny_release(tmp_path_factory.mktemp("auth-release")))


def _add(runner: CliRunner, path: Path, *args: str) -> str:
    result = runner.invoke(main, ["auth", "add", "--tokens-file", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_auth_add__prints_token_once_and_stores_only_digest(tmp_path: Path) -> None:
    path = tmp_path / "tokens.tsv"
    runner = CliRunner()
    token = _add(runner, path, "--dataset", "demo_v1", "--dataset", "demo_v2",
                 "--label", "alice")
    assert len(token) >= 40 and token not in path.read_text()
    (grant,) = read_grants(path)
    assert grant.datasets == {"demo_v1", "demo_v2"} and grant.label == "alice"
    assert path.stat().st_mode & 0o077 == 0
    listed = runner.invoke(main, ["auth", "list", "--tokens-file", str(path)])
    assert grant.token_id in listed.output and "demo_v1,demo_v2" in listed.output
    assert token not in listed.output


def test_auth_revoke__by_id_prefix_or_label(tmp_path: Path) -> None:
    path = tmp_path / "tokens.tsv"
    runner = CliRunner()
    _add(runner, path, "--dataset", "a", "--label", "alice")
    _add(runner, path, "--dataset", "b", "--label", "bob")
    alice, _bob = read_grants(path)
    result = runner.invoke(main, ["auth", "revoke", "--tokens-file", str(path),
                                  alice.token_id[:8]])
    assert result.exit_code == 0 and alice.token_id in result.output
    assert [g.label for g in read_grants(path)] == ["bob"]
    assert runner.invoke(main, ["auth", "revoke", "--tokens-file", str(path),
                                "bob"]).exit_code == 0
    assert read_grants(path) == []
    missing = runner.invoke(main, ["auth", "revoke", "--tokens-file", str(path), "bob"])
    assert missing.exit_code != 0 and "no token" in missing.output


def test_auth_add__default_file_under_data_dir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GENOTEX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GENOTEX_CONTROLLED_TOKENS_FILE", raising=False)
    result = CliRunner().invoke(main, ["auth", "add", "--dataset", "*"])
    assert result.exit_code == 0, result.output
    assert read_grants(tmp_path / "controlled_tokens.tsv")[0].datasets == {"*"}


def test_auth_add__refuses_no_or_bad_dataset(tmp_path: Path) -> None:
    path = tmp_path / "tokens.tsv"
    bad = CliRunner().invoke(main, ["auth", "add", "--tokens-file", str(path),
                                    "--dataset", "x;drop"])
    assert bad.exit_code == 1 and "invalid datasetId" in bad.output
    assert not path.exists()


def test_controlled_access__token_grants_only_its_datasets(tmp_path: Path, tiny_store: Store,
                                                           caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tokens.tsv"
    runner = CliRunner()
    good = _add(runner, path, "--dataset", TINY_DATASET_ID, "--label", "ok")
    other = _add(runner, path, "--dataset", "some_other_release")
    everything = _add(runner, path, "--dataset", "*")
    client = TestClient(create_app(Settings(controlled_tokens_file=path), store=tiny_store))
    url, params = DYNEQTL

    def status(token: str | None) -> int:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return client.get(url, params=params, headers=headers).status_code

    with caplog.at_level(logging.INFO, logger="genotex.access"):
        assert status(good) == 200 and status(everything) == 200
        assert status(other) == 403 and status(good + "x") == 403
    granted = [r.getMessage() for r in caplog.records if "controlled access:" in r.getMessage()]
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(granted) == 2 and len(refused) == 2
    assert not any(t in m for m in granted + refused for t in (good, other, everything))
    body = client.get(url, params=params, headers={"Authorization": f"Bearer {good}"}).json()
    assert body["genotypes"]  # individual-level arrays served with a granting token
    # revoking takes effect at once (the file is re-read when it changes)
    assert runner.invoke(main, ["auth", "revoke", "--tokens-file", str(path), "ok"]).exit_code == 0
    assert status(good) == 403
    assert status(None) == 200  # anonymous: aggregates only
    sample = client.get("/api/genotex/v1/sampleExpression", params={"gencodeId": CRP})
    assert sample.status_code == 401
