from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from genotex.cli import main


def _cohort_module():  # type: ignore[no-untyped-def]
    """tests/pipeline/qtl_cohort.py (a helper module, not a package import)."""
    name = "_genotex_tests_qtl_cohort"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "pipeline" / "qtl_cohort.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def tissue(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return _cohort_module().mapped_tissue(tmp_path_factory)


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_qtl_run__tensorqtl_command_line_all_modes(tissue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    geno, bed, cov = tissue.cohort.plink_prefix, tissue.bed, tissue.cov
    base = ["qtl", geno, bed, "T", "--covariates", cov, "--output_dir", tmp_path, "--quiet",
            "--maf_threshold", "0.01", "--seed", "1"]
    _run([*base, "--mode", "cis", "--permutations", "200", "--window", "1000000"])
    egenes = pd.read_csv(tmp_path / "T.cis_qtl.txt.gz", sep="\t", index_col=0)
    assert {"pval_beta", "qval", "pval_nominal_threshold"} <= set(egenes.columns)
    same = pd.read_parquet(tissue.perm.parquet)
    assert egenes.index.tolist() == same.index.tolist()
    cis_out = tmp_path / "T.cis_qtl.txt.gz"
    _run([*base, "--mode", "cis_nominal", "--cis_output", cis_out])
    assert sorted(p.name for p in tmp_path.glob("T.cis_qtl_pairs.*.parquet")) == [
        "T.cis_qtl_pairs.chr21.parquet", "T.cis_qtl_pairs.chr22.parquet"]
    assert (tmp_path / "T.signif_variant_gene_pairs.parquet").is_file()
    _run([*base, "--mode", "cis_independent", "--cis_output", cis_out, "--permutations", "200"])
    assert (tmp_path / "T.cis_independent_qtl.txt.gz").is_file()
    _run([*base, "--mode", "cis_susie", "--cis_output", cis_out])
    summary = pd.read_parquet(tmp_path / "T.SuSiE_summary.parquet")
    assert list(summary.columns) == ["phenotype_id", "variant_id", "pip", "af", "cs_id"]
    _run([*base, "--mode", "trans", "--pval_threshold", "1e-4", "--chunk_size", "250"])
    trans = pd.read_parquet(tmp_path / "T.trans_qtl_pairs.parquet")
    assert list(trans.columns) == ["variant_id", "phenotype_id", "pval", "b", "b_se", "af"]


def test_qtl_run__explicit_run_and_help(tissue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = _run(["qtl", "run", tissue.cohort.vcf, tissue.bed, "A", "--covariates", tissue.cov,
                "-o", tmp_path, "--quiet", "--permutations", "100", "--adaptive", "--seed", "1"])
    assert "phenotypes" in out
    table = pd.read_parquet(tmp_path / "A.cis_qtl.parquet")
    assert table["num_perm"].isin([100]).all()
    assert "--mode" in _run(["qtl", "run", "--help"])
    assert "tensorQTL drop-in" in _run(["qtl", "--help"])
    res = CliRunner().invoke(main, ["qtl", str(tissue.cohort.vcf), str(tissue.bed), "B",
                                    "--mode", "cis_susie"])
    assert res.exit_code == 2 and "--cis_output" in res.output


def test_qtl_sqtl_phenotypes_then_cis_permute_groups(tissue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = tissue.cohort
    _run(["qtl", "sqtl-phenotypes", c.leafcutter_counts["Lung"], c.genes_gtf, "S", "-o",
          tmp_path, "--sample-participant-lookup", c.sample_participant_lookup,
          "--genotypes", c.plink_prefix])
    out = _run(["qtl", "cis-permute", c.plink_prefix, tmp_path / "S.leafcutter.bed.gz", "S",
                "--covariates", tissue.out / "pcs.txt", "--phenotype-groups",
                tmp_path / "S.leafcutter.phenotype_groups.txt", "-o", tmp_path, "--quiet",
                "--permutations", "100", "--seed", "1"])
    assert "eGenes" in out
    assert "group_id" in pd.read_parquet(tmp_path / "S.cis_qtl.parquet").columns
