"""A per-task cost model: expected seconds and peak memory from the problem's sizes.

Each task kind has a *work* measure (e.g. genes × cis variants × samples × (1 + permutations)
for the permutation pass) and a *memory* measure (bytes of the arrays it holds). Time is
``t0 + t1 · work`` and the peak memory increment ``m0 + m1 · memory``, with the coefficients
fitted by ``bench/workflow.py`` on measured runs and stored in ``costs.json`` beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["COST_FILE", "CostModel", "Sizes", "TaskCost", "load_cost_model", "task_measures"]

COST_FILE = Path(__file__).with_name("costs.json")

#: Fallback coefficients (seconds, bytes) used when costs.json lacks a kind.
_DEFAULT = {"t0": 0.5, "t1": 2e-8, "m0": 50e6, "m1": 2.0}


@dataclass(frozen=True)
class Sizes:
    """The sizes a task's cost depends on."""

    genes: int = 0
    samples: int = 0
    cis_variants: float = 0.0
    variants: int = 0
    donors: int = 0
    n_perm: int = 0
    chunk_variants: int = 20_000
    total_samples: int = 0
    tissues: int = 1
    chromosomes: int = 1


@dataclass(frozen=True)
class TaskCost:
    """Expected wall time and peak memory increment of one task."""

    seconds: float
    peak_bytes: float


def task_measures(kind: str, s: Sizes) -> tuple[float, float]:
    """(work, memory) measures of a task kind on sizes ``s``; memory is in bytes of the arrays
    and tables the task holds at its peak (float64 matrices, ~100 bytes per long-table row).

    >>> task_measures("nominal", Sizes(genes=10, samples=100, cis_variants=50))
    (50000.0, 128000.0)
    """
    gs = float(s.genes * s.samples)
    window = min(float(s.chunk_variants), max(s.cis_variants, 1.0)) * s.samples
    pairs = s.genes * s.cis_variants
    if kind in ("expression", "covariates"):
        return gs, 8 * gs
    if kind == "genotype_pcs":  # LD-pruned common variants (~10 %) kept as float32, + one chunk
        kept = 0.1 * s.variants * 4 + s.chunk_variants * 8
        return float(s.variants * s.donors), kept * s.donors
    if kind == "nominal":
        return float(pairs * s.samples), 8 * (gs + 3 * window)
    if kind in ("permutations", "independent", "sqtl"):
        return pairs * s.samples * (1 + s.n_perm), 8 * (gs + 3 * window + s.n_perm * s.samples)
    if kind == "finemap":  # SuSiE per eGene: ~L x 100 products over its window
        return pairs * s.samples * 1000.0, 8 * (gs + 3 * window + window)
    if kind == "multitissue":  # slope/se of each eGene lead in every tissue
        return float(s.genes * s.tissues), 100.0 * s.genes * s.tissues
    if kind == "signif_pairs":  # reads one chromosome's nominal pairs at a time
        return pairs, 100 * pairs / max(s.chromosomes, 1)
    if kind in ("qvalues", "concat"):  # merge per-chromosome tables of one tissue
        return float(s.genes), 300.0 * s.genes
    if kind == "summaries":
        return float(s.genes * s.total_samples), 8 * float(s.genes * s.total_samples)
    if kind == "release":  # writes every row; holds one tissue's per-sample TPM or one
        # tissue x chromosome of nominal pairs at a time, beside the smaller whole tables
        rows = float(2 * s.genes * s.total_samples + pairs * s.tissues + s.variants)
        held = float(s.genes * s.samples + pairs / max(s.chromosomes, 1)
                     + s.genes * s.tissues + s.variants)
        return rows, 100 * held
    raise ValueError(f"unknown task kind {kind!r}")


@dataclass(frozen=True)
class CostModel:
    """Per-kind coefficients ``{kind: {"t0", "t1", "m0", "m1"}}``."""

    coefficients: dict[str, dict[str, float]]

    def predict(self, kind: str, sizes: Sizes) -> TaskCost:
        c = {**_DEFAULT, **self.coefficients.get(kind, {})}
        work, mem = task_measures(kind, sizes)
        return TaskCost(c["t0"] + c["t1"] * work, c["m0"] + c["m1"] * mem)

    def to_json(self) -> dict[str, Any]:
        return {"coefficients": self.coefficients}


def load_cost_model(path: Path | None = None) -> CostModel:
    """The fitted model (``costs.json``), or the defaults when it is absent."""
    p = path or COST_FILE
    if not p.is_file():
        return CostModel({})
    return CostModel(json.loads(p.read_text(encoding="utf-8"))["coefficients"])
