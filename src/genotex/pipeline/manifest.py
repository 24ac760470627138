"""The per-run task manifest: one JSON entry per finished task, written atomically.

``<output>/.genotex/manifest/<task_id>.json`` records what a task was computed from (its
inputs' size, mtime and SHA-256, its parameters, the genotex version) and what it wrote (each
output's size and SHA-256). A task is skipped when its *key* — a hash of everything but the
timestamps — equals the recorded one and its outputs are still there, unchanged in size.

SHA-256 of large inputs is cached: a file whose size and ``mtime_ns`` equal those recorded in
the previous entry keeps its recorded hash (the "cache hash"), so a rerun reads no input twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genotex import __version__

__all__ = ["FileFingerprint", "TaskEntry", "fingerprint", "manifest_dir", "read_entry",
           "task_key", "write_entry"]


@dataclass(frozen=True)
class FileFingerprint:
    """Size, modification time (ns) and SHA-256 of one file."""

    path: str
    size: int
    mtime_ns: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns,
                "sha256": self.sha256}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(path: str | Path, cache: Mapping[str, Mapping[str, Any]] | None = None
                ) -> FileFingerprint:
    """Fingerprint ``path``; reuse ``cache[path]['sha256']`` when size and mtime match.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("x")
    >>> fingerprint(p).sha256[:12]
    '2d711642b726'
    """
    p = Path(path)
    st = p.stat()
    old = (cache or {}).get(str(p))
    if old is not None and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
        sha = str(old["sha256"])
    else:
        sha = _sha256(p)
    return FileFingerprint(str(p), st.st_size, st.st_mtime_ns, sha)


def input_files(path: str | Path) -> list[Path]:
    """The files behind an input path: itself, or a PLINK prefix's .bed/.bim/.fam, plus any
    index (.tbi/.csi) beside it."""
    p = Path(path)
    if p.is_file():
        return [p] + [Path(f"{p}{ix}") for ix in (".tbi", ".csi") if Path(f"{p}{ix}").is_file()]
    plink = [Path(f"{p}{ext}") for ext in (".bed", ".bim", ".fam", ".pgen", ".pvar", ".psam")]
    found = [f for f in plink if f.is_file()]
    if found:
        return found
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.is_file() and ".staging-" not in str(f))
    raise FileNotFoundError(p)


@dataclass(frozen=True)
class TaskEntry:
    """What the manifest records of one finished task."""

    task_id: str
    key: str
    inputs: list[dict[str, Any]]
    parameters: dict[str, Any]
    outputs: list[dict[str, Any]]
    genotex_version: str
    run_id: str
    started: float
    finished: float
    seconds: float
    peak_rss_bytes: int
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def outputs_intact(self) -> bool:
        """Every recorded output still exists with its recorded size and mtime."""
        for out in self.outputs:
            p = Path(out["path"])
            if not p.is_file():
                return False
            st = p.stat()
            if st.st_size != out["size"] or st.st_mtime_ns != out["mtime_ns"]:
                return False
        return True


def task_key(task_id: str, inputs: Iterable[FileFingerprint], parameters: Mapping[str, Any],
             upstream: Mapping[str, str]) -> str:
    """SHA-256 of the task id, its input hashes, parameters, upstream keys and genotex version."""
    blob = json.dumps({"task": task_id, "version": __version__,
                       "inputs": sorted((f.path, f.sha256) for f in inputs),
                       "parameters": parameters, "upstream": dict(sorted(upstream.items()))},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def manifest_dir(state_dir: str | Path) -> Path:
    """``<state_dir>/manifest``."""
    return Path(state_dir) / "manifest"


def _entry_path(state_dir: str | Path, task_id: str) -> Path:
    return manifest_dir(state_dir) / f"{task_id.replace('/', '__')}.json"


def read_entry(state_dir: str | Path, task_id: str) -> TaskEntry | None:
    """The recorded entry of ``task_id``, or None (absent or unreadable)."""
    path = _entry_path(state_dir, task_id)
    try:
        return TaskEntry(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_entry(state_dir: str | Path, entry: TaskEntry) -> Path:
    """Write ``entry`` atomically (temp file in the same folder, fsync, rename)."""
    path = _entry_path(state_dir, entry.task_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry.as_dict(), fh, indent=1, sort_keys=True, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
