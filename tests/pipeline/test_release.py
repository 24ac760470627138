"""The release built from a tiny simulated cohort run through the expression and QTL steps."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from genotex.api.app import create_app
from genotex.config import Settings
from genotex.io.bed import read_phenotype_bed
from genotex.pipeline.expression_steps import compute_genotype_pcs
from genotex.pipeline.qtl_steps import cis_independent
from genotex.pipeline.release import (
    ReleaseInputs,
    TissueQtlOutputs,
    build_cohort_release,
    release_tables,
    tss_distance,
)
from genotex.pipeline.summaries import summarize_expression
from genotex.simulate import SimulationConfig, simulate
from genotex.store import Store
from genotex.testing import map_simulated_tissue

TISSUE = "Lung"
TOKEN = "release-test-token"


@dataclass(frozen=True)
class Built:
    inputs: ReleaseInputs
    qtl_dir: Path
    release: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    config = SimulationConfig(n_donors=100, n_genes=30, variants_per_chrom=300,
                              tissues=(TISSUE,), chromosomes=("chr22",), seed=3)
    cohort = simulate(tmp_path_factory.mktemp("cohort"), config, progress=False)
    out = tmp_path_factory.mktemp("qtl")
    pcs = compute_genotype_pcs(genotypes=cohort.plink_prefix, output=out / "pcs.txt", n_pcs=3)
    m = map_simulated_tissue(cohort, TISSUE, out, genotype_pcs=pcs)
    ind = cis_independent(phenotype_bed=m.bed, genotypes=cohort.vcf, covariates=m.covariates,
                          output_dir=out, prefix=TISSUE, maf_threshold=0.01,
                          cis_results=m.egenes, n_perm=200, seed=1)
    summarize_expression(tpm_gcts=cohort.gene_tpm, sample_attributes=cohort.sample_attributes,
                         subject_attributes=cohort.subject_phenotypes,
                         annotation=cohort.genes_gtf, output_dir=out / "summaries")
    inputs = ReleaseInputs(
        annotation=cohort.genes_gtf, genotypes=cohort.vcf,
        sample_attributes=cohort.sample_attributes,
        subject_attributes=cohort.subject_phenotypes, summaries_dir=out / "summaries",
        qtl={TISSUE: TissueQtlOutputs(
            egenes=m.egenes, signif_pairs=m.signif_pairs, nominal_pairs=m.nominal_pairs,
            independent=ind.path, expression_bed=m.bed, covariates=m.covariates)})
    release = build_cohort_release(inputs, root=out / "releases", dataset_id="genotex_rel_v1")
    return Built(inputs, out, release)


@pytest.fixture(scope="module")
def client(built: Built) -> TestClient:
    settings = Settings(controlled_tokens=TOKEN)
    return TestClient(create_app(settings, store=Store(built.release)))


def test_tss_distance__strand_aware() -> None:
    genes = pd.DataFrame({"gene_id": ["P", "M"], "tss": [1000, 1000], "strand": ["+", "-"]})
    got = tss_distance(pd.Series([1200, 1200]), pd.Series(["P", "M"]), genes)
    assert got.tolist() == [200, -200]


def test_release_tables__has_qtl_ld_and_mapping_inputs(built: Built) -> None:
    tables = release_tables(built.inputs)
    for name in ("egenes", "signif_pairs", "independent_eqtls", "ld", "dosages",
                 "qtl_phenotypes", "qtl_covariates"):
        assert not tables[name].empty, name
    for name in ("nominal_pairs", "sample_expression"):  # streamed: one piece per partition
        pieces = [load() for load in tables[name].pieces]
        assert pieces and all(not p.empty for p in pieces), name
    nominal = pd.concat([load() for load in tables["nominal_pairs"].pieces])
    assert len(nominal) == sum(len(pd.read_parquet(f))
                               for f in built.inputs.qtl[TISSUE].nominal_pairs)
    pairs = tables["signif_pairs"]
    assert (pairs["maf"] <= 0.5).all()
    assert tables["ld"]["r2"].between(0, 1).all()
    per_gene = tables["ld"].groupby("gene_id")[["variant_id_1", "variant_id_2"]].nunique()
    assert (per_gene.max(axis=1) <= built.inputs.max_ld_variants).all()
    genes = tables["genes"].set_index("gene_id")
    row = pairs.iloc[0]
    pos = int(row["variant_id"].split("_")[1])
    sign = -1 if genes.loc[row["gene_id"], "strand"] == "-" else 1
    assert row["tss_distance"] == sign * (pos - genes.loc[row["gene_id"], "tss"])


def test_api__egene_and_single_tissue_eqtl_return_pipeline_numbers(
        built: Built, client: TestClient) -> None:
    perm = pd.read_csv(built.qtl_dir / f"{TISSUE}.cis_qtl.txt.gz", sep="\t", index_col=0)
    egenes = perm[perm["qval"] <= 0.05]
    assert len(egenes) > 0
    got = client.get("/api/v2/association/egene",
                     params={"tissueSiteDetailId": TISSUE}).json()["data"]
    assert {g["gencodeId"] for g in got} == set(egenes.index)
    for g in got:
        e = egenes.loc[g["gencodeId"]]
        np.testing.assert_allclose(g["pValue"], e["pval_nominal"], rtol=1e-12)
        np.testing.assert_allclose(g["empiricalPValue"], e["pval_beta"], rtol=1e-12)
        np.testing.assert_allclose(g["qValue"], e["qval"], rtol=1e-12)
    sig = pd.read_parquet(built.qtl_dir / f"{TISSUE}.signif_variant_gene_pairs.parquet")
    gene = egenes.index[0]
    rows = client.get("/api/v2/association/singleTissueEqtl",
                      params={"gencodeId": gene, "itemsPerPage": 10_000}).json()["data"]
    mine = sig[sig["gene_id"] == gene].set_index("variant_id")
    assert {r["variantId"] for r in rows} == set(mine.index)
    for r in rows:
        np.testing.assert_allclose(r["pValue"], mine.loc[r["variantId"], "pval_nominal"],
                                   rtol=1e-12)
        np.testing.assert_allclose(r["nes"], mine.loc[r["variantId"], "slope"], rtol=1e-6)


def test_api__dyneqtl_recomputes_the_pipeline_regression(
        built: Built, client: TestClient) -> None:
    perm = pd.read_csv(built.qtl_dir / f"{TISSUE}.cis_qtl.txt.gz", sep="\t", index_col=0)
    gene = perm["qval"].idxmin()
    variant = perm.loc[gene, "variant_id"]
    params = {"gencodeId": gene, "variantId": variant, "tissueSiteDetailId": TISSUE}
    open_ = client.get("/api/v2/association/dyneqtl", params=params)
    assert open_.status_code == 200, open_.text
    body = open_.json()
    # the permutation table is text with 6 significant digits
    np.testing.assert_allclose(body["pValue"], perm.loc[gene, "pval_nominal"], rtol=1e-5)
    np.testing.assert_allclose(body["nes"], perm.loc[gene, "slope"], rtol=1e-5)
    np.testing.assert_allclose(body["pValueThreshold"], perm.loc[gene, "pval_nominal_threshold"])
    assert body["data"] == [] and body["genotypes"] == []  # no token: aggregates only
    full = client.get("/api/v2/association/dyneqtl", params=params,
                      headers={"Authorization": f"Bearer {TOKEN}"}).json()
    n = len(read_phenotype_bed(built.inputs.qtl[TISSUE].expression_bed).values.columns)
    assert len(full["data"]) == len(full["genotypes"]) == n
    assert full["homoRefCount"] + full["hetCount"] + full["homoAltCount"] == n
    bad = client.get("/api/v2/association/dyneqtl", params=params,
                     headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 403


def test_api__ld_and_nominal_pairs(built: Built, client: TestClient) -> None:
    perm = pd.read_csv(built.qtl_dir / f"{TISSUE}.cis_qtl.txt.gz", sep="\t", index_col=0)
    gene = perm["qval"].idxmin()
    ld = client.get("/api/v2/dataset/ld", params={"gencodeId": gene}).json()["data"]
    assert ld and all(len(pair) == 2 and "," in pair[0] for pair in ld)
    nominal = pd.read_parquet(next(built.qtl_dir.glob(f"{TISSUE}.cis_qtl_pairs.*.parquet")))
    rows = client.get("/api/genotex/v1/nominalPairs",
                      params={"gencodeId": gene, "itemsPerPage": 100_000}).json()["data"]
    assert len(rows) == int((nominal["phenotype_id"] == gene).sum())


def test_find_qtl_outputs__finds_the_pipeline_files(built: Built) -> None:
    from genotex.pipeline.release import find_qtl_outputs

    found = find_qtl_outputs(built.qtl_dir)
    assert set(found) == {TISSUE}
    expected = built.inputs.qtl[TISSUE]
    # the test names its covariates cov.txt, not <prefix>.covariates.txt
    assert found[TISSUE] == dataclasses.replace(expected, covariates=None)


@dataclass(frozen=True)
class Downstream:
    gene: str
    coloc: Path
    metasoft: Path
    finemapping: Path
    client: TestClient


@pytest.fixture(scope="module")
def downstream(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Downstream:
    """SuSiE fine-mapping, METASOFT and coloc outputs of the cohort, built into a release."""
    from genotex.pipeline.coloc_steps import run_coloc
    from genotex.pipeline.multitissue import run_multitissue
    from genotex.pipeline.susie_steps import finemap_egenes

    out = tmp_path_factory.mktemp("downstream")
    q = built.inputs.qtl[TISSUE]
    susie = finemap_egenes(phenotype_bed=q.expression_bed, genotypes=built.inputs.genotypes,
                           covariates=q.covariates, output_dir=out, prefix=TISSUE,
                           cis_results=q.egenes)
    # two "tissues" reading the same files: METASOFT sees one effect measured twice
    multi = run_multitissue(qtl_dirs={TISSUE: (built.qtl_dir, TISSUE),
                                      "Whole_Blood": (built.qtl_dir, TISSUE)},
                            output=out / "multitissue")
    perm = pd.read_csv(built.qtl_dir / f"{TISSUE}.cis_qtl.txt.gz", sep="\t", index_col=0)
    gene = str(perm["qval"].idxmin())
    nominal = pd.concat(pd.read_parquet(p) for p in q.nominal_pairs)
    pairs = nominal.loc[nominal["phenotype_id"] == gene]
    ids = pairs["variant_id"].str.split("_", expand=True)
    gwas = pd.DataFrame({"chromosome": ids[0], "base_pair_location": ids[1].astype(int),
                         "effect_allele": ids[3], "other_allele": ids[2],
                         "beta": pairs["slope"], "standard_error": pairs["slope_se"],
                         "p_value": pairs["pval_nominal"], "n": 100})
    gwas.to_csv(out / "trait.tsv", sep="\t", index=False)
    coloc = run_coloc(gwas=out / "trait.tsv", qtl_dirs={TISSUE: (built.qtl_dir, TISSUE)},
                      output=out / "trait.coloc.parquet", variants=built.inputs.genotypes,
                      lead_variants=[str(perm.loc[gene, "variant_id"])], method="susie")
    inputs = dataclasses.replace(built.inputs, coloc=(coloc.path,),
                                 metasoft=multi.metasoft_path,
                                 finemapping={TISSUE: susie.summary})
    release = build_cohort_release(inputs, root=out / "releases", dataset_id="genotex_rel_v2")
    client = TestClient(create_app(Settings(), store=Store(release)))
    return Downstream(gene, coloc.path, multi.metasoft_path, susie.summary, client)


def _all(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    body = client.get(path, params={**params, "itemsPerPage": 100_000})
    assert body.status_code == 200, body.text
    rows: list[dict[str, Any]] = body.json()["data"]
    return rows


def test_api__fine_mapping_serves_the_susie_summary(downstream: Downstream) -> None:
    summary = pd.read_parquet(downstream.finemapping)
    assert not summary.empty
    gene = str(summary["phenotype_id"].iloc[0])
    rows = _all(downstream.client, "/api/v2/association/fineMapping", gencodeId=gene)
    mine = summary.loc[summary["phenotype_id"] == gene]
    assert sorted((r["variantId"], r["setId"]) for r in rows) == sorted(
        zip(mine["variant_id"], mine["cs_id"].astype(int), strict=True))
    sizes = mine.groupby("cs_id")["variant_id"].size()
    for r in rows:
        assert r["method"] == "SuSiE" and r["tissueSiteDetailId"] == TISSUE
        assert r["setSize"] == sizes[str(r["setId"])]
        np.testing.assert_allclose(
            r["pip"], mine.set_index("variant_id").loc[r["variantId"], "pip"], rtol=1e-12)


def test_api__metasoft_serves_run_multitissue(downstream: Downstream) -> None:
    meta = pd.read_parquet(downstream.metasoft)
    gene = str(meta["gene_id"].iloc[0])
    rows = _all(downstream.client, "/api/v2/association/metasoft", gencodeId=gene)
    mine = meta.loc[meta["gene_id"] == gene]
    assert {r["variantId"] for r in rows} == set(mine["variant_id"])
    for r in rows:
        m = mine.loc[mine["variant_id"] == r["variantId"]].set_index("tissue_id")
        assert set(r["tissues"]) == {TISSUE, "Whole_Blood"}
        np.testing.assert_allclose(r["metaP"], m["meta_p"].iloc[0], rtol=1e-12)
        for tissue, t in r["tissues"].items():
            np.testing.assert_allclose(t["mValue"], m.loc[tissue, "m_value"], rtol=1e-12)
            np.testing.assert_allclose(t["nes"], m.loc[tissue, "nes"], rtol=1e-12)


def test_api__coloc_serves_run_coloc(downstream: Downstream) -> None:
    table = pd.read_parquet(downstream.coloc)
    rows = _all(downstream.client, "/api/genotex/v1/coloc", gencodeId=downstream.gene)
    assert len(rows) == 1
    row = rows[0]
    want = table.loc[table["gene_id"] == downstream.gene].iloc[0]
    assert (row["traitId"], row["tissueSiteDetailId"]) == ("trait", TISSUE)
    for h in range(5):
        np.testing.assert_allclose(row[f"ppH{h}"], want[f"pp_h{h}"], rtol=1e-12)
    assert row["ppH4"] > 0.8  # the trait is the gene's own eQTL
    assert len(_all(downstream.client, "/api/genotex/v1/coloc", minPpH4=0.99,
                    traitId="trait")) == int((table["pp_h4"] >= 0.99).sum())
    assert _all(downstream.client, "/api/genotex/v1/coloc", traitId="other") == []
    bad = downstream.client.get("/api/genotex/v1/coloc", params={"minPpH4": 2})
    assert bad.status_code == 400 or bad.status_code == 422


def test_release_tables__without_downstream_files_has_no_result_tables(built: Built) -> None:
    from genotex.pipeline.release import result_tables

    assert result_tables(built.inputs) == {}


def test_build_release__mapping_inputs_of_several_tissues(built: Built, tmp_path: Path) -> None:
    """Two tissues share donors and genes: keys of the per-sample tables include the tissue."""
    from genotex.pipeline.release import release_tables
    from genotex.store.writer import build_release

    same = built.inputs.qtl[TISSUE]
    inputs = dataclasses.replace(built.inputs, qtl={TISSUE: same, "Whole_Blood": same})
    tables = release_tables(inputs)
    assert set(tables["qtl_phenotypes"]["tissue_id"]) == {TISSUE, "Whole_Blood"}
    release = build_release(tmp_path, "two_tissues", tables)
    assert (release / "manifest.json").is_file()
