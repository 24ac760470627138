"""Atomic outputs: a step writes into a staging folder, then every file is renamed into place.

A run killed mid-step leaves only a ``.staging-*`` folder (ignored and cleaned on the next run),
never a half-written result under its final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_outputs(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a staging folder inside ``directory``; on success move its files into ``directory``.

    Files are moved with :func:`os.replace` (atomic on one file system); on an exception the
    staging folder is removed and nothing under ``directory`` changes.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> with staged_outputs(out) as stage:
    ...     _ = (stage / "a.txt").write_text("x")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=target))
    try:
        yield stage
        # index files (.tbi, .csi) last, so a reader never sees an index without its data
        files = sorted(stage.rglob("*"), key=lambda p: p.suffix in {".tbi", ".csi"})
        for path in files:
            if path.is_file():
                final = target / path.relative_to(stage)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, final)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
