"""Errors a user can act on: each names the file, what is wrong, and how to fix it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GenotexError(Exception):
    """Base class of every error genotex raises on purpose."""


class InputError(GenotexError, ValueError):
    """An input file (or table) that genotex cannot use.

    The message is one line: ``<path>[:<line>]: <problem>; fix: <fix>``.

    Examples
    --------
    >>> str(InputError("expr.gct", "duplicate gene ID 'ENSG1'", "make the Name column unique",
    ...                line=7))
    "expr.gct:7: duplicate gene ID 'ENSG1'; fix: make the Name column unique"
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        fix: str | None = None,
        *,
        line: int | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        message = f"{where}: {self.problem}"
        if self.fix:
            message += f"; fix: {self.fix}"
        return " ".join(message.split("\n"))


@contextmanager
def blame(path: str | Path) -> Iterator[None]:
    """Name ``path`` in any :class:`InputError` raised inside that does not name a file yet.

    Kernels see arrays, not files; the pipeline step that read the arrays wraps the kernel
    call so the user still learns which file is at fault.

    >>> try:
    ...     with blame("Lung.gene_tpm.gct.gz"):
    ...         raise InputError(None, "NaN in row 3", "drop the row")
    ... except InputError as err:
    ...     print(err)
    Lung.gene_tpm.gct.gz: NaN in row 3; fix: drop the row
    """
    try:
        yield
    except InputError as err:
        if err.path is not None:
            raise
        raise InputError(path, err.problem, err.fix, line=err.line) from err
