"""Independent, named random streams: each component of the cohort draws from its own.

``numpy.random.SeedSequence(seed, spawn_key=(component, key))`` is what ``SeedSequence.spawn``
builds, so the streams are independent and stable: adding a tissue or a gene leaves the donors,
genotypes and other tissues' draws untouched.
"""

from __future__ import annotations

from typing import Final

import numpy as np

COMPONENTS: Final = (
    "donors", "samples", "genes", "genotypes", "eqtls", "expression", "splicing_structure",
    "splicing", "programmes", "missing",
)


def rng(seed: int, component: str, *keys: int) -> np.random.Generator:
    """The generator of one component (and optionally one tissue / chromosome index).

    >>> a = rng(1, "genes").integers(0, 1000, 3)
    >>> b = rng(1, "genes").integers(0, 1000, 3)
    >>> bool((a == b).all())
    True
    """
    key = (COMPONENTS.index(component), *keys)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
