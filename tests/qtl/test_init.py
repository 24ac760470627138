from __future__ import annotations

import genotex.qtl


def test_qtl__all_names_resolve() -> None:
    for name in genotex.qtl.__all__:
        assert getattr(genotex.qtl, name) is not None
    assert callable(genotex.qtl.qvalue)  # the function, not the submodule
