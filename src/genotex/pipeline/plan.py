"""Plan a release: the task graph, each task's key, expected time and peak memory.

Per tissue: ``<T>/expression`` → ``<T>/covariates`` → ``<T>/nominal`` (or one
``<T>/nominal/<chrom>`` per chromosome where that pays) and ``<T>/permutations`` →
``<T>/signif_pairs`` and ``<T>/independent``. Per release: ``genotype_pcs`` (before every
tissue's covariates), ``summaries`` and ``release`` (after everything).

A task's *key* hashes its id, its external inputs' SHA-256, the parameters it uses, the keys of
the tasks it depends on and the genotex version; so changing a parameter changes the keys of
exactly the tasks that use it and of everything downstream of them.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genotex.errors import InputError
from genotex.io.genotypes import open_genotypes
from genotex.io.gtf import read_gene_annotation
from genotex.pipeline.config import ReleaseConfig
from genotex.pipeline.costs import CostModel, Sizes, TaskCost, load_cost_model
from genotex.pipeline.manifest import FileFingerprint, fingerprint, input_files, task_key

__all__ = ["Plan", "Task", "check_memory", "format_plan", "plan_release"]

#: Split a tissue's nominal pass (``split_nominal = "auto"``), or its permutation pass and
#: independent search (``split_permutations = "auto"``), per chromosome above this many seconds.
SPLIT_SECONDS = 60.0
#: Memory a worker process uses before any task (interpreter, numpy, pandas, dask).
WORKER_BASE_BYTES = 250e6


@dataclass(frozen=True)
class Task:
    """One node of the release graph."""

    task_id: str
    kind: str
    tissue: str | None
    deps: tuple[str, ...]
    parameters: dict[str, Any]
    inputs: tuple[str, ...]
    chrom: str | None = None
    key: str = ""
    cost: TaskCost = field(default_factory=lambda: TaskCost(0.0, 0.0))
    sizes: Sizes = field(default_factory=Sizes)


@dataclass(frozen=True)
class Plan:
    """Tasks in dependency order, and the sizes the costs came from."""

    tasks: list[Task]
    sizes: dict[str, Sizes]
    chromosomes: list[str]

    def by_id(self) -> dict[str, Task]:
        return {t.task_id: t for t in self.tasks}


# --------------------------------------------------------------------------- sizes
def gct_dims(path: Path) -> tuple[int, int]:
    """(genes, samples) from a GCT's second line, without reading the matrix."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        fh.readline()
        dims = fh.readline().split()
    try:
        return int(dims[0]), int(dims[1])
    except (IndexError, ValueError) as err:
        raise InputError(path, "no 'n_genes<TAB>n_samples' on line 2", "write GCT 1.2",
                         line=2) from err


def _genotype_sizes(path: Path, window: int) -> tuple[dict[str, int], float, int, list[str]]:
    """Variants per chromosome, mean variants per cis window, donors, chromosomes."""
    with open_genotypes(path) as reader:
        table = reader.variant_table  # chromosomes and positions only: no variant IDs built
        donors = len(reader.samples)
    per_chrom: dict[str, int] = {}
    density = []
    for chrom in table.chroms:
        pos = table.pos[table.chrom_slice(chrom)]
        n = len(pos)
        per_chrom[str(chrom)] = n
        span = max(float(pos.max() - pos.min()), 1.0)
        density.append((n, min(float(n), n / span * (2 * window + 1))))
    total = sum(n for n, _ in density)
    cis = sum(n * c for n, c in density) / max(total, 1)
    return per_chrom, cis, donors, list(per_chrom)


def _sizes(config: ReleaseConfig) -> tuple[dict[str, Sizes], list[str], dict[str, list[str]]]:
    p = config.parameters
    per_chrom, cis, donors, chroms = _genotype_sizes(config.genotypes, p.window)
    genes = read_gene_annotation(config.annotation)
    gene_chroms = set(genes["chrom"].astype(str))
    dims = {t: gct_dims(ti.tpm) for t, ti in config.tissues.items()}
    total = sum(s for _, s in dims.values())
    n_variants = sum(per_chrom.values())
    common = Sizes(cis_variants=cis, variants=n_variants, donors=donors, n_perm=p.n_perm,
                   chunk_variants=p.chunk_variants, total_samples=total,
                   tissues=len(config.tissues), chromosomes=len(chroms))
    sizes = {t: replace(common, genes=g, samples=min(s, donors)) for t, (g, s) in dims.items()}
    n_genes = max((g for g, _ in dims.values()), default=0)
    sizes[""] = replace(common, genes=n_genes, samples=donors)
    tissue_chroms = {t: [c for c in chroms if c in gene_chroms] for t in config.tissues}
    return sizes, chroms, tissue_chroms


# --------------------------------------------------------------------------- hashing
class _HashCache:
    """SHA-256 of input files, cached by (size, mtime) in ``<state>/input_hashes.json``."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "input_hashes.json"
        try:
            self.cache: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}
        self.dirty = False

    def fingerprints(self, path: str) -> list[FileFingerprint]:
        out = []
        for f in input_files(path):
            fp = fingerprint(f, self.cache)
            if self.cache.get(str(f)) != fp.as_dict():
                self.cache[str(f)] = fp.as_dict()
                self.dirty = True
            out.append(fp)
        return out

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.cache, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


# --------------------------------------------------------------------------- tasks
def _chunked(tissue: str, step: str, kind: str, merge_kind: str, chroms: list[str],
             deps: tuple[str, ...], chunk_params: dict[str, Any], merge_params: dict[str, Any],
             inputs: tuple[str, ...]) -> list[Task]:
    """One ``<tissue>/<step>/<chrom>`` task per chromosome, then ``<tissue>/<step>`` merging."""
    chunks = [Task(f"{tissue}/{step}/{c}", kind, tissue, deps, chunk_params, inputs, chrom=c)
              for c in chroms]
    return [*chunks, Task(f"{tissue}/{step}", merge_kind, tissue,
                          tuple(t.task_id for t in chunks), merge_params, ())]


def _tissue_tasks(config: ReleaseConfig, tissue: str, chroms: list[str], split: bool,
                  split_perm: bool) -> list[Task]:
    p = config.parameters
    ti = config.tissues[tissue]
    g = str(config.genotypes)
    expr, cov = f"{tissue}/expression", f"{tissue}/covariates"
    mapping = {"window": p.window, "maf_threshold": p.maf_threshold}
    perm_only = {**mapping, "n_perm": p.n_perm, "seed": p.seed}
    fdr = {"fdr": p.fdr, "qvalue_lambda": p.qvalue_lambda}
    perm = {**perm_only, **fdr}
    tasks = [
        Task(expr, "expression", tissue, (), {
            "tpm_threshold": p.tpm_threshold, "count_threshold": p.count_threshold,
            "sample_frac_threshold": p.sample_frac_threshold},
            (str(ti.tpm), str(ti.counts), str(config.annotation),
             str(config.sample_participant_lookup), g)),
        Task(cov, "covariates", tissue, (expr, "genotype_pcs"), {"n_hidden": p.n_hidden},
             (str(config.subject_attributes),)),
    ]
    if split:
        nominal = [Task(f"{tissue}/nominal/{c}", "nominal", tissue, (expr, cov), mapping, (g,),
                        chrom=c) for c in chroms]
    else:
        nominal = [Task(f"{tissue}/nominal", "nominal", tissue, (expr, cov), mapping, (g,))]
    tasks += nominal
    perm_id = f"{tissue}/permutations"
    if split_perm:  # per-chromosome permutation tables, q-values over all of them
        tasks += _chunked(tissue, "permutations", "permutations", "qvalues", chroms,
                          (expr, cov), perm_only, fdr, (g,))
    else:
        tasks.append(Task(perm_id, "permutations", tissue, (expr, cov), perm, (g,)))
    tasks.append(Task(f"{tissue}/signif_pairs", "signif_pairs", tissue,
                      (perm_id, *(t.task_id for t in nominal)), {"fdr": p.fdr}, ()))
    if p.independent and split_perm:
        tasks += _chunked(tissue, "independent", "independent", "concat", chroms,
                          (expr, cov, perm_id), perm, {}, (g,))
    elif p.independent:
        tasks.append(Task(f"{tissue}/independent", "independent", tissue,
                          (expr, cov, perm_id), perm, (g,)))
    if p.finemap:
        tasks.append(Task(f"{tissue}/finemap", "finemap", tissue, (expr, cov, perm_id),
                          {**mapping, "fdr": p.fdr}, (g,)))
    if ti.leafcutter is not None:  # sQTLs: leafcutter ratios, their covariates, grouped perms
        tasks.append(Task(f"{tissue}/sqtl", "sqtl", tissue, ("genotype_pcs",),
                          {**perm, "n_hidden": p.n_hidden},
                          (str(ti.leafcutter), str(config.annotation),
                           str(config.sample_participant_lookup), g)))
    return tasks


def _release_tasks(config: ReleaseConfig, tissue_tasks: list[Task]) -> list[Task]:
    tpms = tuple(str(config.tissues[t].tpm) for t in sorted(config.tissues))
    attrs = (str(config.sample_attributes), str(config.subject_attributes))
    summaries = Task("summaries", "summaries", None, (), {}, (*tpms, *attrs,
                                                               str(config.annotation)))
    extra: list[Task] = []
    if config.parameters.multitissue and len(config.tissues) > 1:
        mapped = tuple(t.task_id for t in tissue_tasks
                       if t.kind in ("nominal", "permutations", "qvalues"))
        extra.append(Task("multitissue", "multitissue", None, mapped,
                          {"fdr": config.parameters.fdr}, ()))
    release = Task("release", "release", None,
                   ("summaries", *(t.task_id for t in tissue_tasks),
                    *(t.task_id for t in extra)),
                   {"dataset_id": config.dataset_id, "metadata": dict(config.metadata)},
                   (str(config.annotation), str(config.genotypes), *attrs))
    return [summaries, *extra, release]


def plan_release(config: ReleaseConfig, *, cost_model: CostModel | None = None) -> Plan:
    """The release's tasks in dependency order, keyed and costed (reads no matrix).

    Reads the genotype file's variant list (for sizes and chromosomes), the GCT headers and
    hashes the inputs (cached by size and mtime under ``<output>/.genotex``).
    """
    model = cost_model or load_cost_model()
    p = config.parameters
    sizes, chroms, tissue_chroms = _sizes(config)
    pcs = Task("genotype_pcs", "genotype_pcs", None, (), {"n_pcs": p.n_genotype_pcs},
               (str(config.pca_genotypes or config.genotypes),))
    tissue_tasks: list[Task] = []
    for tissue in sorted(config.tissues):
        several = len(tissue_chroms[tissue]) > 1
        whole = model.predict("nominal", sizes[tissue]).seconds
        split = several and (p.split_nominal == "chromosome" or (
            p.split_nominal == "auto" and whole > SPLIT_SECONDS))
        whole = model.predict("permutations", sizes[tissue]).seconds
        split_perm = several and (p.split_permutations == "chromosome" or (
            p.split_permutations == "auto" and whole > SPLIT_SECONDS))
        tissue_tasks += _tissue_tasks(config, tissue, tissue_chroms[tissue], split, split_perm)
    raw = [pcs, *tissue_tasks, *_release_tasks(config, tissue_tasks)]
    hashes = _HashCache(config.state_dir)
    keys: dict[str, str] = {}
    tasks = []
    for t in raw:
        fps = [fp for path in t.inputs for fp in hashes.fingerprints(path)]
        keys[t.task_id] = task_key(t.task_id, fps, t.parameters,
                                   {d: keys[d] for d in t.deps})
        s = sizes[t.tissue or ""]
        if t.chrom is not None:
            share = 1.0 / max(len(tissue_chroms[t.tissue or ""]), 1)
            s = replace(s, genes=max(round(s.genes * share), 1))
        tasks.append(Task(**{**t.__dict__, "key": keys[t.task_id],
                             "cost": model.predict(t.kind, s), "sizes": s}))
    hashes.save()
    return Plan(tasks, sizes, chroms)


# --------------------------------------------------------------------------- checks / display
def check_memory(plan: Plan, worker_memory: float | None) -> None:
    """Raise :class:`InputError` when a task's expected peak cannot fit one worker's memory."""
    if not worker_memory:
        return
    budget = worker_memory - WORKER_BASE_BYTES
    worst = max(plan.tasks, key=lambda t: t.cost.peak_bytes)
    if worst.cost.peak_bytes <= budget:
        return
    need = (worst.cost.peak_bytes + WORKER_BASE_BYTES) / 2**30
    more = (f"give each worker at least {need:.1f} GiB (--memory-limit {np.ceil(need):.0f}GiB "
            "with fewer --workers per machine)")
    if worst.kind == "summaries":
        fix = (f"{more}; this task holds every tissue's TPM in memory, so build fewer "
               "tissues per release otherwise")
    elif worst.kind == "release":
        fix = (f"{more}; the store build holds the largest tissue's per-sample TPM (or one "
               "tissue x chromosome of nominal pairs) beside the whole smaller tables")
    else:
        fix = (f"{more}, or lower parameters.chunk_variants, or set split_nominal = "
               "\"chromosome\" and split_permutations = \"chromosome\"")
    raise InputError(
        None, f"task {worst.task_id} needs about {need:.1f} GiB but a worker has "
        f"{worker_memory / 2**30:.1f} GiB", fix)


def _fmt_seconds(s: float) -> str:
    if s < 120:
        return f"{s:.1f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def format_plan(plan: Plan, status: Mapping[str, str] | None = None) -> str:
    """The task graph as a table: id, dependencies, expected time and peak memory, status."""
    rows = []
    for t in plan.tasks:
        deps = ", ".join(t.deps) if len(t.deps) <= 3 else f"{len(t.deps)} tasks"
        rows.append({"task": t.task_id, "after": deps or "-",
                     "time": _fmt_seconds(t.cost.seconds),
                     "peak mem": f"{t.cost.peak_bytes / 2**20:.0f} MiB",
                     "status": (status or {}).get(t.task_id, "")})
    frame = pd.DataFrame(rows)
    total = sum(t.cost.seconds for t in plan.tasks)
    peak = max((t.cost.peak_bytes for t in plan.tasks), default=0.0)
    text = frame.to_string(index=False)
    return (f"{text}\n{len(plan.tasks)} tasks; {_fmt_seconds(total)} of work in all; "
            f"largest task peak {peak / 2**20:.0f} MiB")
