from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genotex.qtl.windows import CisWindows, cis_windows, window_blocks


def test_cis_windows__closed_interval_bounds() -> None:
    w = cis_windows(["1"] * 5, [90, 100, 110, 120, 130], ["1"], [100], [110], window=10)
    assert (w.start[0], w.stop[0]) == (0, 4)  # 90 and 120 are on the boundary: included


def test_cis_windows__other_chromosome_and_empty() -> None:
    w = cis_windows(["1", "1", "2"], [10, 20, 15], ["2", "3", "1"], [15, 15, 500], window=1)
    assert w.start.tolist() == [2, 0, 2]
    assert w.size.tolist() == [1, 0, 0]


@settings(max_examples=50, deadline=None)
@given(
    pos=st.lists(st.integers(1, 1000), min_size=1, max_size=40),
    tss=st.lists(st.integers(1, 1000), min_size=1, max_size=10),
    window=st.integers(0, 300),
)
def test_cis_windows__matches_naive_scan(pos: list[int], tss: list[int], window: int) -> None:
    p = np.sort(np.array(pos))
    w = cis_windows(np.zeros(p.size, int), p, np.zeros(len(tss), int), tss, window=window)
    for i, t in enumerate(tss):
        expect = np.flatnonzero(np.abs(p - t) <= window)
        got = np.arange(w.start[i], w.stop[i])
        np.testing.assert_array_equal(got, expect)


def test_cis_windows__rejects_unsorted_or_split_chromosomes() -> None:
    with pytest.raises(ValueError, match="sorted"):
        cis_windows([1, 1], [20, 10], [1], [10])
    with pytest.raises(ValueError, match="contiguous"):
        cis_windows([1, 2, 1], [1, 2, 3], [1], [1])


def test_window_blocks__cover_each_nonempty_window_once() -> None:
    rng = np.random.default_rng(0)
    s = np.sort(rng.integers(0, 1000, 50))
    w = CisWindows(s, s + rng.integers(0, 100, 50))
    blocks = window_blocks(w, max_phenotypes=4)
    seen = np.concatenate([b.phenotypes for b in blocks])
    np.testing.assert_array_equal(np.sort(seen), np.flatnonzero(w.size > 0))
    for b in blocks:
        assert (w.start[b.phenotypes] >= b.start).all()
        assert (w.stop[b.phenotypes] <= b.stop).all()
        assert b.phenotypes.size <= 4
