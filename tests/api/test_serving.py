"""``genotex serve RELEASES --workers N``: uvicorn workers over the app factory, loopback only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from genotex.cli import main
from genotex.testing import TINY_DATASET_ID, build_tiny_release


def test_serve__passes_release_and_workers_to_uvicorn_factory(tmp_path: Path,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    build_tiny_release(tmp_path)
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    for key in ("GENOTEX_SERVE_RELEASES", "GENOTEX_SERVE_DATASET_ID",
                "GENOTEX_REQUEST_TIMEOUT_S"):
        monkeypatch.setenv(key, "")  # restored after the test (serve sets them)
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--workers", "3", "--port",
                                       "8123", "--timeout", "2.5"])
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = calls
    assert args == ("genotex.api.app:create_app_from_env",)
    assert kwargs["factory"] is True and kwargs["workers"] == 3 and kwargs["port"] == 8123
    assert kwargs["host"] == "127.0.0.1"
    assert os.environ["GENOTEX_SERVE_RELEASES"] == str(tmp_path.resolve())
    assert os.environ["GENOTEX_SERVE_DATASET_ID"] == TINY_DATASET_ID
    assert os.environ["GENOTEX_REQUEST_TIMEOUT_S"] == "2.5"
    assert "3 workers" in result.output


def test_serve__missing_release_fails_before_starting(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "none")])
    assert result.exit_code == 1 and "CURRENT" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve__two_workers_answer_over_loopback(tmp_path: Path) -> None:
    build_tiny_release(tmp_path)
    port = _free_port()
    exe = Path(sys.executable).with_name("genotex")
    if not exe.is_file():
        pytest.skip("the genotex console script is not installed beside this Python")
    proc = subprocess.Popen([str(exe), "serve", str(tmp_path), "--port", str(port),
                             "--workers", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        body = None
        deadline = time.time() + 60
        while time.time() < deadline and body is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v2/reference/gene",
                              params={"geneId": "CRP"}, timeout=2)
                body = r.json()
            except httpx.HTTPError:
                time.sleep(0.3)
        assert body is not None, "server did not answer"
        assert body["data"][0]["gencodeId"] == "ENSG00000132693.12"
    finally:
        proc.terminate()
        proc.wait(20)
