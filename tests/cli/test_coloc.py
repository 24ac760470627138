"""``genotex coloc`` / ``genotex multitissue`` over tiny hand-made cis-QTL outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from genotex.cli import main

N_SNPS = 40
GENES = {"ENSG_A": 10, "ENSG_B": 30}  # gene → index of its causal variant


def _variants() -> pd.DataFrame:
    pos = 1_000_000 + 5_000 * np.arange(N_SNPS)
    ref = np.array(list("ACGT" * N_SNPS))[:N_SNPS]
    alt = np.array(list("GTAC" * N_SNPS))[:N_SNPS]  # never palindromic
    ids = [f"chr1_{p}_{r}_{a}_b38" for p, r, a in zip(pos, ref, alt, strict=True)]
    return pd.DataFrame({"variant_id": ids, "pos": pos, "ref": ref, "alt": alt})


def _write_tissue(root: Path, tissue: str, rng: np.random.Generator, strength: float) -> Path:
    v = _variants()
    out = root / tissue
    out.mkdir()
    pairs, egenes = [], []
    for gene, causal in GENES.items():
        z = rng.standard_normal(N_SNPS)
        z[causal] = strength
        se = np.full(N_SNPS, 0.08)
        tss = int(v["pos"].iat[causal])
        pairs.append(pd.DataFrame({
            "phenotype_id": gene, "variant_id": v["variant_id"],
            "start_distance": (v["pos"] - tss).astype(np.int32),
            "af": np.float32(0.3), "ma_samples": np.int32(100), "ma_count": np.int32(120),
            "pval_nominal": 2 * stats.norm.sf(np.abs(z)), "slope": (z * se).astype(np.float32),
            "slope_se": se.astype(np.float32)}))
        egenes.append({"phenotype_id": gene, "variant_id": v["variant_id"].iat[causal],
                       "start_distance": 0, "pval_nominal": 2 * stats.norm.sf(strength),
                       "slope": strength * 0.08, "slope_se": 0.08, "pval_beta": 1e-8,
                       "qval": 1e-6, "pval_nominal_threshold": 1e-3})
    pd.concat(pairs).to_parquet(out / f"{tissue}.cis_qtl_pairs.chr1.parquet", index=False)
    pd.DataFrame(egenes).set_index("phenotype_id").to_csv(out / f"{tissue}.cis_qtl.txt.gz",
                                                          sep="\t")
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_coloc")
    rng = np.random.default_rng(0)
    _write_tissue(root, "Lung", rng, 9.0)
    _write_tissue(root, "Liver", rng, 7.0)
    v = _variants()
    z = rng.standard_normal(N_SNPS)
    z[GENES["ENSG_A"]] = 10.0  # the GWAS shares gene A's causal variant
    se = np.full(N_SNPS, 0.02)
    # PLINK-like layout; every third variant given with the alleles swapped
    swap = np.arange(N_SNPS) % 3 == 0
    a1 = np.where(swap, v["ref"], v["alt"])
    a2 = np.where(swap, v["alt"], v["ref"])
    beta = np.where(swap, -z * se, z * se)
    pd.DataFrame({"SNP": [f"rs{i}" for i in range(N_SNPS)], "CHR": 1, "BP": v["pos"],
                  "A1": a1, "A2": a2, "BETA": beta, "SE": se,
                  "P": 2 * stats.norm.sf(np.abs(z)), "N": 5000}).to_csv(
        root / "trait.txt", sep=" ", index=False)
    return root


def test_coloc__prints_mapping_report_and_pp4_table(inputs: Path) -> None:
    out = inputs / "res" / "trait.coloc.parquet"
    result = CliRunner().invoke(main, [
        "coloc", str(inputs / "trait.txt"), "--qtl", f"Lung={inputs / 'Lung'}",
        "--qtl", f"Liver={inputs / 'Liver'}:Liver", "--out", str(out), "--lead-variant", "rs10",
        "--trait-id", "trait1", "--snp-table"])
    assert result.exit_code == 0, result.output
    assert "effect_allele            ← A1" in result.output
    assert "swapped 14" in result.output
    assert "PP.H4" in result.output and "ENSG_A" in result.output
    table = pd.read_parquet(out).set_index(["tissue_id", "gene_id"])
    assert table.loc[("Lung", "ENSG_A"), "pp_h4"] > 0.95
    assert table.loc[("Liver", "ENSG_A"), "pp_h4"] > 0.95
    assert table.loc[("Lung", "ENSG_B"), "pp_h3"] > 0.95
    assert (table["trait_id"] == "trait1").all()
    assert (inputs / "res" / "trait.coloc.harmonization.json").is_file()
    assert (inputs / "res" / "trait.coloc.snps.parquet").is_file()


def test_coloc__region_and_auto(inputs: Path) -> None:
    for extra in (["--region", "chr1:1000000-1200000"], ["--auto"]):
        result = CliRunner().invoke(main, [
            "coloc", str(inputs / "trait.txt"), "--qtl", f"Lung={inputs / 'Lung'}",
            "--out", str(inputs / "r.parquet"), *extra])
        assert result.exit_code == 0, result.output
        assert "loci tested: 1" in result.output


def test_coloc__one_line_errors(inputs: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["coloc", str(inputs / "trait.txt"), "--qtl", "Lung",
                               "--out", str(inputs / "x.parquet")])
    assert bad.exit_code == 2 and "TISSUE=DIR" in bad.output
    missing = runner.invoke(main, ["coloc", str(inputs / "trait.txt"), "--qtl",
                                   f"Lung={inputs / 'nowhere'}", "--out",
                                   str(inputs / "x.parquet")])
    assert missing.exit_code == 1 and "eQTL directory of Lung not found" in missing.output
    both = runner.invoke(main, ["coloc", str(inputs / "trait.txt"), "--qtl",
                                f"Lung={inputs / 'Lung'}", "--out", str(inputs / "x.parquet"),
                                "--auto", "--region", "chr1:1-2"])
    assert both.exit_code == 2


def test_multitissue__writes_tables_and_prints_pi1(inputs: Path) -> None:
    out = inputs / "mt"
    result = CliRunner().invoke(main, ["multitissue", "--qtl", f"Lung={inputs / 'Lung'}",
                                       "--qtl", f"Liver={inputs / 'Liver'}", "--out", str(out),
                                       "--mvalue-method", "exact"])
    assert result.exit_code == 0, result.output
    assert "2 gene–variant pairs" in result.output and "π1" in result.output
    meta = pd.read_parquet(out / "metasoft.parquet")
    assert len(meta) == 4 and meta["m_value"].gt(0.9).all()
    assert (out / "pi1.tsv").is_file()


def test_help__teaches_with_examples() -> None:
    for cmd in ("coloc", "multitissue"):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0 and "Example" in result.output
