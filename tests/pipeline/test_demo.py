from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from genotex.api.app import create_app
from genotex.pipeline.demo import DEMO_DATASET_ID, run_demo
from genotex.simulate import SimulationConfig
from genotex.store.manifest import verify_release
from genotex.store.queries import Store

SMALL = SimulationConfig(n_donors=50, n_genes=40, variants_per_chrom=300,
                         tissues=("Lung", "Whole_Blood"), chromosomes=("chr22",), seed=11)


def test_run_demo__builds_a_served_release(tmp_path: Path) -> None:
    result = run_demo(tmp_path, config=SMALL, progress=False, echo=lambda _: None)
    assert result.release_dir == tmp_path / "releases" / DEMO_DATASET_ID
    verify_release(result.release_dir)
    for tissue in ("Lung", "Whole_Blood"):
        assert (result.pipeline_dir / tissue / f"{tissue}.expression.bed.gz").is_file()
        assert (result.pipeline_dir / tissue / f"{tissue}.covariates.txt").is_file()
    client = TestClient(create_app(store=Store.open(result.releases_root)))
    tissues = client.get("/api/v2/dataset/tissueSiteDetail").json()["data"]
    assert sorted(t["tissueSiteDetailId"] for t in tissues) == ["Lung", "Whole_Blood"]
    gene = client.get("/api/v2/reference/geneSearch", params={"geneId": "ENSG"}).json()
    gencode_id = gene["data"][0]["gencodeId"]
    medians = client.get("/api/v2/expression/medianGeneExpression",
                         params={"gencodeId": gencode_id}).json()["data"]
    assert {m["tissueSiteDetailId"] for m in medians} == {"Lung", "Whole_Blood"}
    # every analysis of the workflow reaches the release: eQTLs, sQTLs, fine-mapping, METASOFT
    tables = {p.name.split(".")[0] for p in result.release_dir.iterdir()}
    assert {"egenes", "signif_pairs", "nominal_pairs", "sgenes", "metasoft"} <= tables
    for tissue in ("Lung", "Whole_Blood"):
        sgenes = client.get("/api/v2/association/sgene",
                            params={"tissueSiteDetailId": tissue}).json()
        assert sgenes["paging_info"]["totalNumberOfItems"] >= 0


def test_run_demo__rerun_gives_identical_release_tables(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "a", config=SMALL, progress=False, echo=lambda _: None)
    second = run_demo(tmp_path / "b", config=SMALL, progress=False, echo=lambda _: None)
    parquet = sorted(p.relative_to(first.release_dir)
                     for p in first.release_dir.rglob("*.parquet"))
    assert parquet
    for rel in parquet:
        assert (first.release_dir / rel).read_bytes() == (second.release_dir / rel).read_bytes()
