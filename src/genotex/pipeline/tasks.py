"""What each task of the release graph does: call one pipeline step, list the files it wrote.

:func:`execute` maps a :class:`~genotex.pipeline.plan.Task` to the step functions of
:mod:`~genotex.pipeline.expression_steps`, :mod:`~genotex.pipeline.qtl_steps`,
:mod:`~genotex.pipeline.summaries` and :mod:`~genotex.pipeline.release`. Every step writes
atomically; the paths are fixed by the config, so a task's outputs are known before it runs.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from genotex.io.bed import read_phenotype_bed, write_phenotype_bed
from genotex.pipeline.atomic import staged_outputs
from genotex.pipeline.config import ReleaseConfig
from genotex.pipeline.expression_steps import (
    compute_genotype_pcs,
    prepare_tissue_expression,
    tissue_covariates,
)
from genotex.pipeline.plan import Task
from genotex.pipeline.qtl_steps import (
    cis_independent,
    cis_nominal,
    cis_permutations,
    significant_pairs,
)
from genotex.pipeline.release import ReleaseInputs, TissueQtlOutputs, build_cohort_release
from genotex.pipeline.summaries import summarize_expression

__all__ = ["execute", "tissue_paths"]

Outcome = tuple[list[Path], dict[str, Any]]


def tissue_paths(config: ReleaseConfig, tissue: str) -> dict[str, Path]:
    """The fixed output paths of one tissue's tasks."""
    d = config.pipeline_dir / tissue
    return {"dir": d, "bed": d / f"{tissue}.expression.bed.gz",
            "covariates": d / f"{tissue}.covariates.txt",
            "egenes": d / f"{tissue}.cis_qtl.txt.gz",
            "egenes_parquet": d / f"{tissue}.cis_qtl.parquet",
            "signif": d / f"{tissue}.signif_variant_gene_pairs.parquet",
            "independent": d / f"{tissue}.cis_independent_qtl.txt.gz",
            "finemap": d / f"{tissue}.SuSiE_summary.parquet",
            "sqtl_dir": d / "sqtl",
            "sgenes": d / "sqtl" / f"{tissue}.cis_qtl.parquet",
            "sqtl_pairs": d / "sqtl" / f"{tissue}.signif_variant_gene_pairs.parquet"}


def _pcs_path(config: ReleaseConfig) -> Path:
    return config.pipeline_dir / "genotype_pcs.txt"


def _with_index(path: Path) -> list[Path]:
    return [path] + [Path(f"{path}{ix}") for ix in (".tbi", ".csi") if Path(f"{path}{ix}").exists()]


def _genotype_pcs(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    out = compute_genotype_pcs(genotypes=config.pca_genotypes or config.genotypes,
                               output=_pcs_path(config), n_pcs=task.parameters["n_pcs"])
    return [out], {}


def _expression(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    t = str(task.tissue)
    ti, paths = config.tissues[t], tissue_paths(config, t)
    res = prepare_tissue_expression(
        tpm_gct=ti.tpm, counts_gct=ti.counts, annotation=config.annotation,
        sample_participant_lookup=config.sample_participant_lookup, genotypes=config.genotypes,
        output_prefix=paths["dir"] / t, **task.parameters)
    return _with_index(res.bed), {"genes": res.n_genes, "samples": res.n_samples}


def _covariates(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    t = str(task.tissue)
    paths = tissue_paths(config, t)
    n_hidden = task.parameters["n_hidden"]
    out = tissue_covariates(expression_bed_path=paths["bed"], genotype_pcs_path=_pcs_path(config),
                            output=paths["covariates"],
                            subject_attributes=config.subject_attributes,
                            n_hidden=None if n_hidden == "auto" else int(n_hidden))
    return [out], {}


@contextmanager
def _chrom_bed(paths: Mapping[str, Path], chrom: str | None) -> Iterator[Path | None]:
    """The tissue's expression BED, or a staged copy of one chromosome's rows (None if none)."""
    if chrom is None:
        yield paths["bed"]
        return
    bed = read_phenotype_bed(paths["bed"])
    keep = (bed.positions["chrom"].astype(str) == chrom).to_numpy()
    if not keep.any():
        yield None
        return
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=paths["dir"]))
    try:
        sub = stage / f"{paths['dir'].name}.{chrom}.bed.gz"
        positions = bed.positions[keep]
        write_phenotype_bed(sub, positions, bed.values.loc[positions["phenotype_id"]])
        yield sub
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _chunk_dir(config: ReleaseConfig, tissue: str) -> Path:
    return tissue_paths(config, tissue)["dir"] / "chunks"


def _nominal(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    t = str(task.tissue)
    paths = tissue_paths(config, t)
    p = config.parameters
    with _chrom_bed(paths, task.chrom) as bed:
        if bed is None:
            return [], {"pairs": 0}
        res = cis_nominal(phenotype_bed=bed, genotypes=config.genotypes,
                          covariates=paths["covariates"], output_dir=paths["dir"], prefix=t,
                          window=p.window, maf_threshold=p.maf_threshold,
                          chunk_variants=p.chunk_variants, force=True)
    return sorted(res.files.values()), {"pairs": res.n_pairs}


def _permutations(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    """The permutation pass of a tissue, or of one chromosome (q-values with λ = 0: the
    chunk's are discarded; ``qvalues`` recomputes them over every chromosome)."""
    t = str(task.tissue)
    paths = tissue_paths(config, t)
    p = config.parameters
    chunk = task.chrom is not None
    with _chrom_bed(paths, task.chrom) as bed:
        if bed is None:
            return [], {}
        res = cis_permutations(
            phenotype_bed=bed, genotypes=config.genotypes, covariates=paths["covariates"],
            output_dir=_chunk_dir(config, t) if chunk else paths["dir"],
            prefix=f"{t}.{task.chrom}" if chunk else t, n_perm=p.n_perm, seed=p.seed,
            window=p.window, maf_threshold=p.maf_threshold, fdr=p.fdr,
            qvalue_lambda=0.0 if chunk else p.qvalue_lambda, chunk_variants=p.chunk_variants)
    if chunk:
        return [res.parquet], {"phenotypes": res.n_phenotypes}
    return [res.table, res.parquet], {"phenotypes": res.n_phenotypes, "egenes": res.n_egenes,
                                      "pi0": res.pi0}


def _chunk_outputs(task: Task, up: Mapping[str, Any], suffix: str) -> list[Path]:
    """The chunks' outputs in chromosome (plan) order."""
    return [Path(f) for dep in task.deps for f in up[dep].outputs if f.endswith(suffix)]


def _qvalues(config: ReleaseConfig, task: Task, up: Mapping[str, Any]) -> Outcome:
    """Merge a tissue's per-chromosome permutation tables; q-values and thresholds over all."""
    from genotex.pipeline.qtl_steps import EGENE_DTYPES, _add_qvalues, _write_egenes

    t = str(task.tissue)
    p = config.parameters
    frames = [pd.read_parquet(f).reset_index() for f in _chunk_outputs(task, up, ".parquet")]
    frame = pd.concat(frames, ignore_index=True).drop(columns=["qval", "pval_nominal_threshold"])
    frame = frame.astype({k: v for k, v in EGENE_DTYPES.items() if v is not object})
    pi0, _ = _add_qvalues(frame, fdr=p.fdr, qvalue_lambda=p.qvalue_lambda)
    table, parquet = _write_egenes(frame, tissue_paths(config, t)["dir"], f"{t}.cis_qtl")
    return [table, parquet], {"phenotypes": len(frame),
                              "egenes": int((frame["qval"] <= p.fdr).sum()), "pi0": pi0}


def _nominal_files(task: Task, up: Mapping[str, Any]) -> list[Path]:
    files = []
    for dep in task.deps:
        if "/nominal" in dep:
            files += [Path(f) for f in up[dep].outputs]
    return sorted(files)


def _signif_pairs(config: ReleaseConfig, task: Task, up: Mapping[str, Any]) -> Outcome:
    t = str(task.tissue)
    paths = tissue_paths(config, t)
    res = significant_pairs(cis_results=paths["egenes_parquet"],
                            nominal_files=_nominal_files(task, up), output_dir=paths["dir"],
                            prefix=t, fdr=config.parameters.fdr)
    return [res.path], {"pairs": res.n_pairs, "egenes": res.n_phenotypes}


def _independent(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    t = str(task.tissue)
    paths = tissue_paths(config, t)
    p = config.parameters
    chunk = task.chrom is not None
    out = (_chunk_dir(config, t) / f"{t}.{task.chrom}.cis_independent_qtl.txt.gz" if chunk
           else paths["independent"])
    egenes = pd.read_parquet(paths["egenes_parquet"], columns=["qval"])
    with _chrom_bed(paths, task.chrom) as bed:
        if bed is not None and chunk:  # only the chromosome's eGenes are conditioned on
            ids = set(read_phenotype_bed(bed).positions["phenotype_id"])
            egenes = egenes[egenes.index.isin(ids)]
        if bed is None or not (egenes["qval"] <= p.fdr).any():
            out.unlink(missing_ok=True)
            return [], {"signals": 0}
        res = cis_independent(phenotype_bed=bed, genotypes=config.genotypes,
                              covariates=paths["covariates"], cis_results=paths["egenes_parquet"],
                              output_dir=out.parent, prefix=out.name.split(".cis_indep")[0],
                              n_perm=p.n_perm, seed=p.seed, window=p.window,
                              maf_threshold=p.maf_threshold, fdr=p.fdr,
                              chunk_variants=p.chunk_variants)
    return [res.path], {"signals": res.n_signals}


def _concat(config: ReleaseConfig, task: Task, up: Mapping[str, Any]) -> Outcome:
    """Concatenate a tissue's per-chromosome independent-eQTL tables (one header)."""
    t = str(task.tissue)
    final = tissue_paths(config, t)["independent"]
    parts = _chunk_outputs(task, up, ".txt.gz")
    if not parts:
        final.unlink(missing_ok=True)
        return [], {"signals": 0}
    n = 0
    with staged_outputs(final.parent) as stage, gzip.open(stage / final.name, "wt") as out:
        for i, part in enumerate(parts):
            with gzip.open(part, "rt") as fh:
                header = fh.readline()
                if i == 0:
                    out.write(header)
                for line in fh:
                    out.write(line)
                    n += 1
    return [final], {"signals": n}


def _finemap(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    """SuSiE credible sets of the tissue's eGenes (tensorQTL ``cis_susie`` outputs)."""
    from genotex.pipeline.susie_steps import finemap_egenes

    t = str(task.tissue)
    paths = tissue_paths(config, t)
    p = config.parameters
    egenes = pd.read_parquet(paths["egenes_parquet"], columns=["qval"])
    if not (egenes["qval"] <= p.fdr).any():  # no eGene: nothing to fine-map
        paths["finemap"].unlink(missing_ok=True)
        return [], {"credible_sets": 0}
    res = finemap_egenes(phenotype_bed=paths["bed"], genotypes=config.genotypes,
                         covariates=paths["covariates"], output_dir=paths["dir"], prefix=t,
                         cis_results=paths["egenes_parquet"], fdr=p.fdr, window=p.window,
                         maf_threshold=p.maf_threshold, chunk_variants=p.chunk_variants)
    return [res.summary, res.credible_sets], {"credible_sets": res.n_credible_sets}


def _sqtl(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    """sGenes: leafcutter ratios → their covariates → grouped permutations → nominal pairs
    → significant variant–intron pairs, in ``<tissue>/sqtl/`` (GTEx's sQTL outputs)."""
    from genotex.pipeline.sqtl_steps import map_sgenes, prepare_sqtl_phenotypes

    t = str(task.tissue)
    paths = tissue_paths(config, t)
    out = paths["sqtl_dir"]
    p = config.parameters
    n_hidden = task.parameters["n_hidden"]
    counts = config.tissues[t].leafcutter
    if counts is None:  # the plan adds an sqtl task only for tissues with leafcutter counts
        raise ValueError(f"tissue {t} has no leafcutter counts: it has no sqtl task")
    pheno = prepare_sqtl_phenotypes(
        counts=counts, annotation=config.annotation, output_dir=out,
        prefix=t, sample_participant_lookup=config.sample_participant_lookup,
        genotypes=config.genotypes)
    cov = tissue_covariates(expression_bed_path=pheno.bed, genotype_pcs_path=_pcs_path(config),
                            output=out / f"{t}.covariates.txt",
                            subject_attributes=config.subject_attributes,
                            n_hidden=None if n_hidden == "auto" else int(n_hidden))
    perm = map_sgenes(phenotypes=pheno, genotypes=config.genotypes, covariates=cov,
                      output_dir=out, prefix=t, n_perm=p.n_perm, seed=p.seed, window=p.window,
                      maf_threshold=p.maf_threshold, fdr=p.fdr, qvalue_lambda=p.qvalue_lambda)
    nominal = cis_nominal(phenotype_bed=pheno.bed, genotypes=config.genotypes, covariates=cov,
                          output_dir=out, prefix=t, window=p.window,
                          maf_threshold=p.maf_threshold, chunk_variants=p.chunk_variants,
                          force=True)
    nominal_files = [nominal.files[c] for c in sorted(nominal.files)]
    signif = significant_pairs(cis_results=paths["sgenes"], nominal_files=nominal_files,
                               output_dir=out, prefix=t, fdr=p.fdr, groups=pheno.groups)
    files = [*_with_index(pheno.bed), pheno.groups, cov, perm.table, perm.parquet,
             *nominal_files, signif.path]
    return files, {"sgenes": perm.n_egenes, "introns": pheno.n_phenotypes}


def _multitissue_dir(config: ReleaseConfig) -> Path:
    return config.pipeline_dir / "multitissue"


def _multitissue(config: ReleaseConfig, task: Task, _up: Mapping[str, Any]) -> Outcome:
    """METASOFT over every eGene lead across tissues, and pairwise pi1."""
    from genotex.pipeline.multitissue import run_multitissue

    dirs = {t: (tissue_paths(config, t)["dir"], t) for t in sorted(config.tissues)}
    res = run_multitissue(qtl_dirs=dirs, output=_multitissue_dir(config),
                          fdr=task.parameters["fdr"])
    return ([res.metasoft_path, res.summary_path, res.pi1_path, res.pi1_tsv],
            {"pairs": int(res.summary.shape[0])})


def _summaries(config: ReleaseConfig, _task: Task, _up: Mapping[str, Any]) -> Outcome:
    res = summarize_expression(
        tpm_gcts={t: ti.tpm for t, ti in sorted(config.tissues.items())},
        sample_attributes=config.sample_attributes, subject_attributes=config.subject_attributes,
        annotation=config.annotation, output_dir=config.pipeline_dir / "summaries")
    files = sorted(f for f in res.output_dir.rglob("*")
                   if f.is_file() and ".staging-" not in str(f))
    return files, {"genes": res.n_genes, "tissues": res.n_tissues}


def _release(config: ReleaseConfig, task: Task, up: Mapping[str, Any]) -> Outcome:
    qtl = {}
    for t in sorted(config.tissues):
        paths = tissue_paths(config, t)
        done = {d.split("/", 1)[1].split("/")[0]: up[d] for d in task.deps if d.startswith(f"{t}/")}
        nominal = tuple(Path(f) for d in task.deps if d.startswith(f"{t}/nominal")
                        for f in up[d].outputs)
        indep = done.get("independent")
        qtl[t] = TissueQtlOutputs(
            egenes=paths["egenes_parquet"], signif_pairs=paths["signif"],
            nominal_pairs=tuple(sorted(nominal)),
            independent=paths["independent"] if indep is not None and indep.outputs else None,
            expression_bed=paths["bed"], covariates=paths["covariates"],
            finemapping=paths["finemap"] if "finemap" in done and done["finemap"].outputs
            else None,
            sgenes=paths["sgenes"] if "sqtl" in done else None,
            sqtl_pairs=paths["sqtl_pairs"] if "sqtl" in done else None)
    inputs = ReleaseInputs(annotation=config.annotation, genotypes=config.genotypes,
                           sample_attributes=config.sample_attributes,
                           subject_attributes=config.subject_attributes,
                           summaries_dir=config.pipeline_dir / "summaries", qtl=qtl,
                           metasoft=(_multitissue_dir(config) / "metasoft.parquet"
                                     if "multitissue" in task.deps else None))
    release = build_cohort_release(inputs, root=config.releases_root,
                                   dataset_id=config.dataset_id, metadata=dict(config.metadata))
    files = sorted(f for f in release.rglob("*") if f.is_file())
    return files, {"release": str(release)}


_EXECUTORS = {"genotype_pcs": _genotype_pcs, "expression": _expression,
              "covariates": _covariates, "nominal": _nominal, "permutations": _permutations,
              "qvalues": _qvalues, "concat": _concat,
              "signif_pairs": _signif_pairs, "independent": _independent,
              "finemap": _finemap, "sqtl": _sqtl, "multitissue": _multitissue,
              "summaries": _summaries, "release": _release}


def execute(config: ReleaseConfig, task: Task, upstream: Mapping[str, Any]) -> Outcome:
    """Run ``task``; return the files it wrote and a few headline numbers.

    ``upstream`` maps each dependency's id to its :class:`~genotex.pipeline.runner.TaskResult`.
    """
    return _EXECUTORS[task.kind](config, task, upstream)
