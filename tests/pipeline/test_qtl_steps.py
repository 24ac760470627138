from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from genotex.cli import main
from genotex.errors import InputError
from genotex.io import open_genotypes, read_covariates, read_phenotype_bed, write_phenotype_bed
from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.qtl_steps import (
    CisNominalOutputs,
    CisPermutationOutputs,
    cis_independent,
    cis_nominal,
    cis_permutations,
    significant_pairs,
)
from genotex.qtl import Residualizer, cis_windows, map_cis_nominal, qvalue
from genotex.simulate import CohortFiles, SimulationConfig, simulate
from genotex.testing import prepare_simulated_tissue

TISSUE = "Lung"


@dataclass(frozen=True)
class Mapped:
    cohort: CohortFiles
    bed: Path
    cov: Path
    out: Path
    nominal: CisNominalOutputs
    perm: CisPermutationOutputs


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Mapped:
    config = SimulationConfig(n_donors=150, n_genes=80, variants_per_chrom=800,
                              tissues=(TISSUE,), chromosomes=("chr21", "chr22"), seed=1)
    cohort = simulate(tmp_path_factory.mktemp("cohort"), config, progress=False)
    out = tmp_path_factory.mktemp("qtl")
    pcs = compute_genotype_pcs(genotypes=cohort.plink_prefix, output=out / "pcs.txt", n_pcs=3)
    bed, cov = prepare_simulated_tissue(cohort, TISSUE, out, genotype_pcs=pcs, n_hidden=3)
    nominal = cis_nominal(phenotype_bed=bed, genotypes=cohort.vcf, covariates=cov,
                          output_dir=out, prefix=TISSUE, maf_threshold=0.01)
    perm = cis_permutations(phenotype_bed=bed, genotypes=cohort.vcf, covariates=cov,
                            output_dir=out, prefix=TISSUE, n_perm=1000, seed=1,
                            maf_threshold=0.01)
    return Mapped(cohort, bed, cov, out, nominal, perm)


def _in_memory_nominal(m: Mapped, maf_threshold: float) -> pd.DataFrame:
    bed = read_phenotype_bed(m.bed)
    samples = list(bed.values.columns)
    with open_genotypes(m.cohort.vcf, samples=samples) as reader:
        chunks = list(reader.iter_chunks(100_000))
    variants = pd.concat([c.variants for c in chunks], ignore_index=True)
    dosages = np.concatenate([c.dosages for c in chunks])
    cov = read_covariates(m.cov, samples=samples).to_numpy()
    pos = bed.positions
    w = cis_windows(variants["chrom"], variants["pos"], pos["chrom"], pos["start"] + 1,
                    pos["end"], window=1_000_000)
    res = map_cis_nominal(dosages, bed.values.to_numpy(), w, Residualizer(cov),
                          maf_threshold=maf_threshold)
    return pd.DataFrame({
        "phenotype_id": pos["phenotype_id"].to_numpy()[res.phenotype_index],
        "variant_id": variants["variant_id"].to_numpy()[res.variant_index],
        "pval_nominal": res.pval_nominal, "slope": res.slope.astype(np.float32),
        "af": res.af, "ma_count": res.ma_count,
    })


def _read_pairs(files: dict[str, Path]) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(files[c]) for c in sorted(files)], ignore_index=True)


def test_cis_nominal__files_per_chromosome_with_tensorqtl_dtypes(mapped: Mapped) -> None:
    assert sorted(mapped.nominal.files) == ["chr21", "chr22"]
    assert not list(mapped.out.glob(".staging-*"))
    schema = pq.read_schema(mapped.nominal.files["chr21"])
    assert schema.names == ["phenotype_id", "variant_id", "start_distance", "af", "ma_samples",
                            "ma_count", "pval_nominal", "slope", "slope_se"]
    assert [str(t) for t in schema.types] == ["string", "string", "int32", "float", "int32",
                                              "int32", "double", "float", "float"]
    pairs = _read_pairs(mapped.nominal.files)
    assert len(pairs) == mapped.nominal.n_pairs
    assert pairs["start_distance"].abs().max() <= 1_000_000


def test_cis_nominal__equals_in_memory_kernel(mapped: Mapped) -> None:
    got = _read_pairs(mapped.nominal.files)
    want = _in_memory_nominal(mapped, maf_threshold=0.01)
    want = want.sort_values(["phenotype_id", "variant_id"]).reset_index(drop=True)
    got = got.sort_values(["phenotype_id", "variant_id"]).reset_index(drop=True)
    pd.testing.assert_series_equal(got["variant_id"], want["variant_id"])
    np.testing.assert_allclose(got["pval_nominal"], want["pval_nominal"], rtol=1e-12)
    np.testing.assert_array_equal(got["slope"], want["slope"])
    np.testing.assert_array_equal(got["ma_count"], want["ma_count"])


def test_cis_nominal__small_chunks_and_resume(mapped: Mapped, tmp_path: Path) -> None:
    shutil.copy(mapped.nominal.files["chr21"], tmp_path / mapped.nominal.files["chr21"].name)
    before = (tmp_path / mapped.nominal.files["chr21"].name).stat().st_mtime_ns
    out = cis_nominal(phenotype_bed=mapped.bed, genotypes=mapped.cohort.plink_prefix,
                      covariates=mapped.cov, output_dir=tmp_path, prefix=TISSUE,
                      maf_threshold=0.01, chunk_variants=40)
    assert out.skipped_chromosomes == ["chr21"]
    assert (tmp_path / mapped.nominal.files["chr21"].name).stat().st_mtime_ns == before
    assert out.n_pairs == mapped.nominal.n_pairs
    a = pd.read_parquet(out.files["chr22"])
    b = pd.read_parquet(mapped.nominal.files["chr22"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


def test_cis_permutations__table_columns_and_chunking(mapped: Mapped, tmp_path: Path) -> None:
    table = pd.read_csv(mapped.perm.table, sep="\t", index_col=0)
    assert list(table.columns) == [
        "num_var", "beta_shape1", "beta_shape2", "true_df", "pval_true_df", "variant_id",
        "start_distance", "end_distance", "ma_samples", "ma_count", "af", "pval_nominal",
        "slope", "slope_se", "pval_perm", "pval_beta", "qval", "pval_nominal_threshold"]
    full = pd.read_parquet(mapped.perm.parquet)
    assert full["num_var"].dtype == np.int32 and full["slope"].dtype == np.float32
    assert mapped.perm.n_egenes == int((full["qval"] <= 0.05).sum()) > 0
    small = cis_permutations(phenotype_bed=mapped.bed, genotypes=mapped.cohort.vcf,
                             covariates=mapped.cov, output_dir=tmp_path, prefix="x",
                             n_perm=1000, seed=1, maf_threshold=0.01, chunk_variants=40)
    got = pd.read_parquet(small.parquet)
    # exactly tied top variants (e.g. mirrored genotypes) may swap with the product's blocking
    differ = got["variant_id"] != full["variant_id"]
    assert differ.mean() <= 0.05
    np.testing.assert_allclose(got["pval_nominal"], full["pval_nominal"], rtol=1e-9)
    cols = ["num_var", "pval_perm", "pval_beta", "true_df", "qval"]
    pd.testing.assert_frame_equal(got[cols], full[cols], rtol=1e-6)


def test_cis_permutations__adaptive_same_egenes_fewer_permutations(mapped: Mapped,
                                                                   tmp_path: Path) -> None:
    exact = pd.read_parquet(mapped.perm.parquet)
    out = cis_permutations(phenotype_bed=mapped.bed, genotypes=mapped.cohort.vcf,
                           covariates=mapped.cov, output_dir=tmp_path, prefix="a",
                           n_perm=1000, seed=1, maf_threshold=0.01, adaptive=True)
    fast = pd.read_parquet(out.parquet)
    assert fast.index.tolist() == exact.index.tolist()
    assert set(fast["num_perm"]) <= {100, 300, 900, 1000}
    assert fast["num_perm"].mean() < 400
    # each row's p-value comes from exactly num_perm permutations (a stopped row stays stopped)
    hits = fast["pval_perm"] * (fast["num_perm"] + 1)
    np.testing.assert_allclose(hits, np.round(hits), atol=1e-6)
    # with 59 genes the smoother's pi0 moves with the null genes' p-value noise; at fixed
    # lambda the calls agree (on GEUVADIS' 608 genes they agree with the smoother too)
    q_fast = qvalue(fast["pval_beta"].to_numpy(), lambda_=0.5).qvalues
    q_exact = qvalue(exact["pval_beta"].to_numpy(), lambda_=0.5).qvalues
    assert abs(int((q_fast <= 0.05).sum()) - int((q_exact <= 0.05).sum())) <= 1
    full = fast["num_perm"] == 1000
    np.testing.assert_allclose(fast.loc[full, "pval_beta"], exact.loc[full, "pval_beta"],
                               rtol=1e-6)


def test_cis_permutations__power_and_fdr_against_planted_truth(mapped: Mapped) -> None:
    egenes = pd.read_parquet(mapped.perm.parquet)
    truth = pd.read_csv(mapped.cohort.truth_eqtls, sep="\t")
    effect = truth[truth["tissue_id"] == TISSUE].groupby("gene_id")["effect_size"].apply(
        lambda e: e.abs().max())
    called = set(egenes.index[egenes["qval"] <= 0.05])
    large = set(effect.index[effect >= 1.0]) & set(egenes.index)
    assert len(large) >= 5
    assert len(large & called) >= 0.8 * len(large)
    false = called - set(effect.index)
    assert len(false) / len(called) <= 0.05 + 0.1


def test_significant_pairs__gtex_columns_below_threshold(mapped: Mapped) -> None:
    out = significant_pairs(cis_results=mapped.perm.table,
                            nominal_files=mapped.nominal.files.values(),
                            output_dir=mapped.out, prefix=TISSUE)
    pairs = pd.read_parquet(out.path)
    assert list(pairs.columns) == ["variant_id", "gene_id", "tss_distance", "ma_samples",
                                   "ma_count", "maf", "pval_nominal", "slope", "slope_se",
                                   "pval_nominal_threshold", "min_pval_nominal", "pval_beta"]
    assert (pairs["pval_nominal"] < pairs["pval_nominal_threshold"]).all()
    assert 0 < out.n_phenotypes <= mapped.perm.n_egenes
    assert (pairs["maf"] <= 0.5).all()


def test_cis_independent__one_or_more_signals_per_egene(mapped: Mapped, tmp_path: Path) -> None:
    out = cis_independent(phenotype_bed=mapped.bed, genotypes=mapped.cohort.vcf,
                          covariates=mapped.cov, cis_results=mapped.perm.parquet,
                          output_dir=tmp_path, prefix=TISSUE, n_perm=1000, seed=1,
                          maf_threshold=0.01)
    table = pd.read_csv(out.path, sep="\t", index_col=0)
    assert out.n_phenotypes == mapped.perm.n_egenes
    assert table["rank"].min() == 1 and list(table.columns)[-1] == "rank"
    egenes = pd.read_parquet(mapped.perm.parquet)
    first = table[table["rank"] == 1]
    same = (first["variant_id"] == egenes.loc[first.index, "variant_id"]).mean()
    assert same >= 0.8


def test_cis_nominal__sample_mismatch_names_files_and_ids(mapped: Mapped, tmp_path: Path) -> None:
    bed = read_phenotype_bed(mapped.bed)
    values = bed.values.rename(columns={bed.values.columns[0]: "GTEX-NOPE"})
    bad = tmp_path / "bad.bed.gz"
    write_phenotype_bed(bad, bed.positions, values)
    with pytest.raises(InputError, match=r"cohort\.vcf\.gz.*bad\.bed\.gz.*GTEX-NOPE"):
        cis_nominal(phenotype_bed=bad, genotypes=mapped.cohort.vcf, covariates=mapped.cov,
                    output_dir=tmp_path, prefix="x")
    cov = read_covariates(mapped.cov).iloc[1:]
    cov_path = tmp_path / "cov.txt"
    cov.T.rename_axis("ID").to_csv(cov_path, sep="\t")
    with pytest.raises(InputError, match=r"cov\.txt.*no covariates.*"
                       + bed.values.columns[0]):
        cis_nominal(phenotype_bed=mapped.bed, genotypes=mapped.cohort.vcf, covariates=cov_path,
                    output_dir=tmp_path, prefix="x")


def test_cis_nominal__chromosome_naming_mismatch(mapped: Mapped, tmp_path: Path) -> None:
    import gzip

    bare = tmp_path / "bare.bed.gz"
    with gzip.open(mapped.bed, "rt") as src, gzip.open(bare, "wt") as dst:
        for line in src:
            dst.write(line if line.startswith("#") else line.removeprefix("chr"))
    with pytest.raises(InputError, match=r"bare\.bed\.gz.*'chr"):
        cis_nominal(phenotype_bed=bare, genotypes=mapped.cohort.vcf, covariates=mapped.cov,
                    output_dir=tmp_path, prefix="x")


def test_qtl_cli__permute_then_signif_pairs(mapped: Mapped, tmp_path: Path) -> None:
    runner = CliRunner()
    args = [str(mapped.cohort.vcf), str(mapped.bed), "L", "--covariates", str(mapped.cov),
            "-o", str(tmp_path), "--maf-threshold", "0.01", "--quiet"]
    res = runner.invoke(main, ["qtl", "cis-permute", *args, "--seed", "1"])
    assert res.exit_code == 0, res.output
    assert f"{mapped.perm.n_egenes} eGenes at FDR 0.05" in res.output
    res = runner.invoke(main, ["qtl", "cis-nominal", *args])
    assert res.exit_code == 0, res.output
    assert f"{mapped.nominal.n_pairs:,} pairs" in res.output
    res = runner.invoke(main, ["qtl", "signif-pairs", "L", "-o", str(tmp_path)])
    assert res.exit_code == 0 and "significant pairs" in res.output
    assert "Example" in runner.invoke(main, ["qtl", "cis-permute", "--help"]).output


def test_map_cis_nominal__geuvadis_equals_naive_ols(geuvadis_dir: Path) -> None:
    bed = read_phenotype_bed(geuvadis_dir / "genes.50percent.chr22.bed.gz")
    samples = list(bed.values.columns)
    cov = read_covariates(geuvadis_dir / "genes.covariates.pc50.txt.gz",
                          samples=samples).to_numpy()
    from scipy import stats

    with open_genotypes(geuvadis_dir / "genotypes.chr22.vcf.gz", samples=samples) as reader:
        for gene in bed.positions.index[[0, 200, 400]]:
            tss = int(bed.positions.loc[gene, "start"]) + 1
            chunk = reader.read_region("chr22", tss - 20_000, tss + 20_000)
            g = chunk.dosages[:40]
            y = bed.values.loc[gene].to_numpy()
            w = cis_windows(["chr22"] * len(g), chunk.variants["pos"][:40], ["chr22"], [tss],
                            window=1_000_000)
            res = map_cis_nominal(g, y[None, :], w, Residualizer(cov))
            for k in range(len(g)):
                x = np.column_stack([np.ones(len(y)), cov, g[k].astype(np.float64)])
                beta, rss, *_ = np.linalg.lstsq(x, y, rcond=None)
                dof = len(y) - x.shape[1]
                se = np.sqrt(rss[0] / dof * np.linalg.inv(x.T @ x)[-1, -1])
                p = 2 * stats.t.sf(abs(beta[-1] / se), dof)
                np.testing.assert_allclose(res.slope[k], beta[-1], rtol=1e-8)
                np.testing.assert_allclose(res.slope_se[k], se, rtol=1e-8)
                np.testing.assert_allclose(np.log10(res.pval_nominal[k]), np.log10(p),
                                           rtol=1e-8)


def test_cis_permutations__adaptive_cache_does_not_change_results(
        mapped: Mapped, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from genotex.pipeline import qtl_steps

    kw = dict(phenotype_bed=mapped.bed, genotypes=mapped.cohort.vcf, covariates=mapped.cov,
              output_dir=tmp_path, n_perm=1000, seed=1, maf_threshold=0.01, adaptive=True,
              chunk_variants=60)
    cached = pd.read_parquet(cis_permutations(prefix="c", **kw).parquet)
    monkeypatch.setattr(qtl_steps, "ADAPTIVE_CACHE_BYTES", 1 << 20)  # some batches re-read
    part = pd.read_parquet(cis_permutations(prefix="p", **kw).parquet)
    monkeypatch.setattr(qtl_steps, "ADAPTIVE_CACHE_BYTES", 0)  # every stage re-reads
    reread = pd.read_parquet(cis_permutations(prefix="r", **kw).parquet)
    assert (cached["num_perm"] > 100).any()
    pd.testing.assert_frame_equal(cached, reread)
    pd.testing.assert_frame_equal(part, reread)
