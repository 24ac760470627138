"""The release config: one TOML file describes a whole release (inputs, parameters, output).

Example (``genotex run --init-demo release.toml`` writes one pointing at a simulated cohort)::

    dataset_id = "genotex_demo_v1"
    output = "out"                       # relative paths are relative to this file's folder

    [inputs]
    genotypes = "cohort/genotypes/cohort.vcf.gz"          # VCF/BCF/PLINK of the donors
    pca_genotypes = "cohort/genotypes/cohort"             # optional (default: genotypes)
    annotation = "cohort/annotation/genes.gtf.gz"
    sample_attributes = "cohort/metadata/SampleAttributesDS.txt"
    subject_attributes = "cohort/metadata/SubjectPhenotypesDS.txt"
    sample_participant_lookup = "cohort/metadata/sample_participant_lookup.txt"

    [tissues.Lung]
    tpm = "cohort/expression/Lung.gene_tpm.gct.gz"
    counts = "cohort/expression/Lung.gene_reads.gct.gz"

    [parameters]                         # every key optional; defaults below (GTEx v8's choices)
    window = 1_000_000
    maf_threshold = 0.0
    n_perm = 1000
    seed = 0
    fdr = 0.05
    n_hidden = "auto"                    # hidden factors: "auto" (GTEx by sample size) or an int
    n_genotype_pcs = 5
    split_nominal = "auto"               # "auto" | "chromosome" | "none"
    split_permutations = "auto"          # same, for the permutation pass + independent search
    independent = true                   # conditionally independent eQTLs
    finemap = true                       # SuSiE credible sets of every eGene
    multitissue = true                   # METASOFT + pi1 across tissues (with >= 2 tissues)

    [tissues.Lung]                       # one table per tissue
    tpm = "expression/Lung.gene_tpm.gct.gz"
    counts = "expression/Lung.gene_reads.gct.gz"
    leafcutter = "splicing/Lung_perind.counts.gz"   # optional: sQTLs (sGenes) of the tissue
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from genotex.errors import InputError

PathLike = str | Path

__all__ = ["ReleaseConfig", "ReleaseParameters", "TissueInputs", "load_release_config",
           "release_config_toml"]


@dataclass(frozen=True)
class TissueInputs:
    """One tissue's expression files (GCT) and, optionally, its leafcutter junction counts."""

    tpm: Path
    counts: Path
    leafcutter: Path | None = None


@dataclass(frozen=True)
class ReleaseParameters:
    """The release's analysis parameters; each task depends on a subset of them."""

    window: int = 1_000_000
    maf_threshold: float = 0.0
    n_perm: int = 1000
    seed: int = 0
    fdr: float = 0.05
    qvalue_lambda: float | None = None
    n_hidden: int | Literal["auto"] = "auto"
    n_genotype_pcs: int = 5
    tpm_threshold: float = 0.1
    count_threshold: float = 6.0
    sample_frac_threshold: float = 0.2
    chunk_variants: int = 20_000
    split_nominal: Literal["auto", "chromosome", "none"] = "auto"
    split_permutations: Literal["auto", "chromosome", "none"] = "auto"
    independent: bool = True
    finemap: bool = True
    multitissue: bool = True


@dataclass(frozen=True)
class ReleaseConfig:
    """Everything ``genotex run`` needs; paths are absolute once loaded."""

    dataset_id: str
    output: Path
    genotypes: Path
    annotation: Path
    sample_attributes: Path
    subject_attributes: Path
    sample_participant_lookup: Path
    tissues: Mapping[str, TissueInputs]
    pca_genotypes: Path | None = None
    parameters: ReleaseParameters = field(default_factory=ReleaseParameters)
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None

    @property
    def pipeline_dir(self) -> Path:
        """``<output>/pipeline``: every task's outputs except the release."""
        return self.output / "pipeline"

    @property
    def releases_root(self) -> Path:
        """``<output>/releases``: the store root holding ``<dataset_id>/``."""
        return self.output / "releases"

    @property
    def state_dir(self) -> Path:
        """``<output>/.genotex``: the task manifest, run reports, Dask scratch space."""
        return self.output / ".genotex"

    def with_parameters(self, **changes: Any) -> ReleaseConfig:
        """A copy with some parameters changed."""
        return replace(self, parameters=replace(self.parameters, **changes))


_INPUT_KEYS = ("genotypes", "annotation", "sample_attributes", "subject_attributes",
               "sample_participant_lookup")


def _path(base: Path, value: object, where: str, source: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(source, f"{where} must be a non-empty path string",
                         f"set {where} = \"path/to/file\"")
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def _parameters(raw: Mapping[str, Any], source: Path) -> ReleaseParameters:
    known = {f.name for f in fields(ReleaseParameters)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(source, f"unknown parameter(s) {unknown} in [parameters]",
                         f"use only {sorted(known)}")
    params = ReleaseParameters(**raw)
    for key in ("split_nominal", "split_permutations"):
        if getattr(params, key) not in ("auto", "chromosome", "none"):
            raise InputError(source, f"{key} = {getattr(params, key)!r}",
                             "use \"auto\", \"chromosome\" or \"none\"")
    if params.n_hidden != "auto" and not isinstance(params.n_hidden, int):
        raise InputError(source, f"n_hidden = {params.n_hidden!r}", "use \"auto\" or an integer")
    return params


def load_release_config(path: PathLike) -> ReleaseConfig:
    """Read a release config (TOML); relative paths resolve against the file's folder.

    Raises
    ------
    InputError
        On invalid TOML, a missing key, an unknown parameter, or an input file that does not
        exist (naming the key and the path).
    """
    source = Path(path).resolve()
    if not source.is_file():
        raise InputError(path, "release config not found",
                         "write one (see `genotex run --init-demo CONFIG`)")
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(source, f"invalid TOML ({err})", "fix the syntax") from err
    base = source.parent
    for key in ("dataset_id", "output", "inputs", "tissues"):
        if key not in raw:
            raise InputError(source, f"missing '{key}'", "see docs/cluster.md for an example")
    inputs = raw["inputs"]
    for key in _INPUT_KEYS:
        if key not in inputs:
            raise InputError(source, f"[inputs] lacks '{key}'", f"add {key} = \"path\"")
    paths = {k: _path(base, inputs[k], f"inputs.{k}", source) for k in _INPUT_KEYS}
    pca = inputs.get("pca_genotypes")
    tissues = {}
    for tissue, spec in sorted(raw["tissues"].items()):
        if not isinstance(spec, Mapping) or not {"tpm", "counts"} <= set(spec):
            raise InputError(source, f"[tissues.{tissue}] needs 'tpm' and 'counts'",
                             "give the tissue's TPM and read-count GCT files")
        leafcutter = spec.get("leafcutter")
        tissues[tissue] = TissueInputs(
            _path(base, spec["tpm"], f"{tissue}.tpm", source),
            _path(base, spec["counts"], f"{tissue}.counts", source),
            None if leafcutter is None else _path(base, leafcutter, f"{tissue}.leafcutter",
                                                   source))
    if not tissues:
        raise InputError(source, "no [tissues.<id>] table", "add at least one tissue")
    config = ReleaseConfig(
        dataset_id=str(raw["dataset_id"]), output=_path(base, raw["output"], "output", source),
        tissues=tissues, pca_genotypes=None if pca is None else _path(base, pca, "pca", source),
        parameters=_parameters(raw.get("parameters", {}), source),
        metadata={str(k): str(v) for k, v in raw.get("metadata", {}).items()},
        source=source, **paths)
    _check_inputs_exist(config)
    return config


def _check_inputs_exist(config: ReleaseConfig) -> None:
    src = config.source
    for key in _INPUT_KEYS:
        p = getattr(config, key)
        if not p.exists() and not Path(f"{p}.bed").exists():
            raise InputError(src, f"inputs.{key} = {p} does not exist", "fix the path")
    for tissue, t in config.tissues.items():
        for p in (t.tpm, t.counts):
            if not p.is_file():
                raise InputError(src, f"tissue {tissue}: {p} does not exist", "fix the path")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def release_config_toml(config: ReleaseConfig, *, relative_to: Path | None = None) -> str:
    """The TOML text of ``config`` (paths relative to ``relative_to`` where possible).

    >>> cfg = ReleaseConfig(dataset_id="x", output=Path("/o"), genotypes=Path("/g.vcf.gz"),
    ...     annotation=Path("/a.gtf"), sample_attributes=Path("/s"), subject_attributes=Path("/p"),
    ...     sample_participant_lookup=Path("/l"), tissues={"Lung": TissueInputs(Path("/t"),
    ...     Path("/c"))})
    >>> print(release_config_toml(cfg).splitlines()[0])
    dataset_id = "x"
    """

    def rel(p: Path) -> str:
        if relative_to is not None:
            try:
                return str(p.relative_to(relative_to))
            except ValueError:
                pass
        return str(p)

    lines = [f"dataset_id = {_toml_value(config.dataset_id)}",
             f"output = {_toml_value(rel(config.output))}", "", "[inputs]"]
    for key in _INPUT_KEYS:
        lines.append(f"{key} = {_toml_value(rel(getattr(config, key)))}")
    if config.pca_genotypes is not None:
        lines.append(f"pca_genotypes = {_toml_value(rel(config.pca_genotypes))}")
    lines += ["", "[parameters]"]
    for key, value in asdict(config.parameters).items():
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    if config.metadata:
        lines += ["", "[metadata]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in sorted(config.metadata.items())]
    for tissue, t in sorted(config.tissues.items()):
        lines += ["", f"[tissues.{tissue}]", f"tpm = {_toml_value(rel(t.tpm))}",
                  f"counts = {_toml_value(rel(t.counts))}"]
        if t.leafcutter is not None:
            lines.append(f"leafcutter = {_toml_value(rel(t.leafcutter))}")
    return "\n".join(lines) + "\n"
