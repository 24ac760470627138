"""genotex: a self-hostable re-creation of the GTEx resource.

Stages (data flows one way): ``simulate``/``io`` → ``expression`` and ``qtl`` (pure array
kernels) → ``pipeline`` → ``store`` → ``api`` / ``portal``.
"""

from __future__ import annotations

from genotex.errors import GenotexError, InputError
from genotex.schema import SCHEMA_VERSION
from genotex.tissues import TISSUES, Tissue, get_tissue, tissue_table

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "TISSUES",
    "GenotexError",
    "InputError",
    "Tissue",
    "__version__",
    "get_tissue",
    "tissue_table",
]
