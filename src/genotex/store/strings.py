"""String columns as two flat arrays (UTF-8 bytes + offsets), memory-mapped and binary-searched.

The serving index (:mod:`genotex.store.serving`) keeps its keys (gene IDs, variant IDs,
rsIDs) in this form: ``<name>.offsets.npy`` (int64, ``n + 1``), ``<name>.bytes.npy`` (uint8)
and, when the column has nulls, ``<name>.valid.npy`` (bool). Opening one is a memory map (every
worker process shares the page cache, nothing is parsed), and a sorted column finds a key by
binary search on the bytes (byte order = code-point order, as DuckDB and Python sort strings).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray


def write_strings(folder: Path, name: str, values: pa.Array | pa.ChunkedArray) -> list[str]:
    """Write a string column as ``name.offsets.npy``/``name.bytes.npy`` (+ ``name.valid.npy``
    when it has nulls); returns the file names written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_strings(folder, "k", pa.array(["a", None, "ccc"]))
    ['k.offsets.npy', 'k.bytes.npy', 'k.valid.npy']
    >>> col = StringColumn.load(folder, "k")
    >>> [col[i] for i in range(len(col))]
    ['a', None, 'ccc']
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    arr = pc.cast(values, pa.large_string())
    arr = pa.concat_arrays([arr])  # zero-based offsets
    n = len(arr)
    buffers = arr.buffers()
    offsets = (np.frombuffer(buffers[1], dtype=np.int64, count=n + 1).copy()
               if buffers[1] is not None else np.zeros(n + 1, np.int64))
    data = (np.frombuffer(buffers[2], dtype=np.uint8, count=int(offsets[-1])).copy()
            if buffers[2] is not None and offsets[-1] else np.zeros(0, np.uint8))
    names = [f"{name}.offsets.npy", f"{name}.bytes.npy"]
    np.save(folder / names[0], offsets)
    np.save(folder / names[1], data)
    if arr.null_count:
        names.append(f"{name}.valid.npy")
        np.save(folder / names[2], arr.is_valid().to_numpy(zero_copy_only=False))
    return names


def mmap_array(path: Path) -> NDArray[Any]:
    """A read-only memory map of a ``.npy`` file as a plain ndarray (slicing an ``np.memmap``
    costs microseconds per slice in subclass bookkeeping; a plain view does not)."""
    return np.asarray(np.load(path, mmap_mode="r"))


class StringColumn:
    """A read-only string column over offsets and bytes (see :func:`write_strings`)."""

    def __init__(self, offsets: NDArray[np.int64], data: NDArray[np.uint8],
                 valid: NDArray[np.bool_] | None = None) -> None:
        self.offsets = offsets
        self.data = data
        self.valid = valid

    @classmethod
    def load(cls, folder: Path, name: str) -> Self:
        """Memory-map the column ``name`` of ``folder``."""
        valid_path = folder / f"{name}.valid.npy"
        valid = mmap_array(valid_path) if valid_path.is_file() else None
        return cls(mmap_array(folder / f"{name}.offsets.npy"),
                   mmap_array(folder / f"{name}.bytes.npy"), valid)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        start, stop = self.offsets[i:i + 2].tolist()
        return self.data[start:stop].tobytes()

    def __getitem__(self, i: int) -> str | None:
        if self.valid is not None and not self.valid[i]:
            return None
        return self.raw(i).decode()

    def take(self, indices: Sequence[int] | NDArray[np.integer]) -> list[str | None]:
        """The values at ``indices``, in that order (offsets gathered in one step)."""
        idx = np.asarray(indices, dtype=np.int64)
        starts, stops = self.offsets[idx].tolist(), self.offsets[idx + 1].tolist()
        data = self.data
        out: list[str | None] = [data[a:b].tobytes().decode()
                                 for a, b in zip(starts, stops, strict=True)]
        if self.valid is not None:
            for k, ok in enumerate(self.valid[idx].tolist()):
                if not ok:
                    out[k] = None
        return out


class SortedKeys(StringColumn):
    """A :class:`StringColumn` sorted by its UTF-8 bytes, searched by key (no nulls).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_strings(folder, "k", pa.array(["a", "b", "b", "d"]))
    >>> keys = SortedKeys.load(folder, "k")
    >>> keys.find("b"), keys.find("c"), keys.index("d")
    ((1, 3), (3, 3), 3)
    """

    def _bisect(self, key: bytes, *, right: bool) -> int:
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            value = self.raw(mid)
            if value < key or (right and value == key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find(self, key: str) -> tuple[int, int]:
        """``[lo, hi)``: the positions holding ``key`` (empty when absent)."""
        raw = key.encode("utf-8", "surrogatepass")
        lo = self._bisect(raw, right=False)
        if lo == len(self) or self.raw(lo) != raw:
            return lo, lo
        return lo, self._bisect(raw, right=True)

    def index(self, key: str) -> int | None:
        """Position of ``key`` in a column of unique keys, or ``None``."""
        lo, hi = self.find(key)
        return lo if hi > lo else None
