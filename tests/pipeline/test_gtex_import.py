"""``import_gtex_release``: GTEx-format files (synthetic + the shared real allpairs) → release."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from genotex.api.app import create_app
from genotex.cli import main
from genotex.config import Settings
from genotex.pipeline.gtex_import import find_gtex_files, import_gtex_release
from genotex.store import Store

GENE, GENE2 = "ENSG00000227232.5", "ENSG00000186092.4"
SAMPLES = ["GTEX-1117F-0226-SM-5GZZ7", "GTEX-111CU-0326-SM-5GZXO", "GTEX-1117F-0526-SM-5EGHJ"]


def _gct(path: Path, frame: pd.DataFrame) -> None:
    with gzip.open(path, "wt") as fh:
        fh.write(f"#1.2\n{frame.shape[0]}\t{frame.shape[1] - 2}\n")
        frame.to_csv(fh, sep="\t", index=False)


def _write_gtex_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "SAMPID": [*SAMPLES, "GTEX-1117F-0003-SM-58Q7G"],
        "SMTSD": ["Whole Blood", "Whole Blood", "Lung", "Whole Blood"],
        "SMRIN": [7.1, 8.0, 6.5, None], "SMTSISCH": [100, 200, 300, None],
        "SMAFRZE": ["RNASEQ", "RNASEQ", "RNASEQ", "WGS"],
    }).to_csv(folder / "GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt", sep="\t",
              index=False)
    pd.DataFrame({"SUBJID": ["GTEX-1117F", "GTEX-111CU"], "SEX": [2, 1],
                  "AGE": ["60-69", "50-59"], "DTHHRDY": [4, None]}).to_csv(
        folder / "GTEx_Analysis_v8_Annotations_SubjectPhenotypesDS.txt", sep="\t", index=False)
    _gct(folder / "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",
         pd.DataFrame({"Name": [GENE, GENE2], "Description": ["WASH7P", "OR4F5"],
                       "Whole Blood": [3.5, 0.0], "Lung": [10.25, 0.1]}))
    _gct(folder / "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_tpm.gct.gz",
         pd.DataFrame({"Name": [GENE, GENE2], "Description": ["WASH7P", "OR4F5"],
                       SAMPLES[0]: [3.0, 0.0], SAMPLES[1]: [4.0, 0.0], SAMPLES[2]: [10.25, 0.1]}))
    pd.DataFrame([{
        "gene_id": GENE, "gene_name": "WASH7P", "gene_chr": "chr1", "gene_start": 14410,
        "gene_end": 29553, "strand": "-", "num_var": 1364, "variant_id": "chr1_13550_G_A_b38",
        "tss_distance": 16003, "chr": "chr1", "variant_pos": 13550, "ref": "G", "alt": "A",
        "rs_id_dbSNP151_GRCh38p7": "rs554008981", "maf": 0.0277778, "pval_nominal": 1e-8,
        "slope": 0.79, "slope_se": 0.1, "pval_perm": 1e-4, "pval_beta": 2e-6, "qval": 1e-4,
        "pval_nominal_threshold": 1e-5, "log2_aFC": 0.5}]).to_csv(
        folder / "Whole_Blood.v8.egenes.txt.gz", sep="\t", index=False)
    pd.DataFrame([{
        "variant_id": "chr1_13550_G_A_b38", "gene_id": GENE, "tss_distance": 16003,
        "ma_samples": 4, "ma_count": 4, "maf": 0.0277778, "pval_nominal": 1e-8, "slope": 0.79,
        "slope_se": 0.1, "pval_nominal_threshold": 1e-5, "min_pval_nominal": 1e-8,
        "pval_beta": 2e-6}]).to_csv(
        folder / "Whole_Blood.v8.signif_variant_gene_pairs.txt.gz", sep="\t", index=False)


@pytest.fixture(scope="module")
def gtex_folder(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    example = shared_data / "gtex_allpairs_example" / "Tissue_1.fastqtl.gz"
    if not example.is_file():
        pytest.skip(f"{example} is absent")
    folder = tmp_path_factory.mktemp("gtex")
    _write_gtex_files(folder)
    # the real all-pairs file, under a GTEx tissue name (read in place would need its name)
    shutil.copy(example, folder / "Whole_Blood.allpairs.txt.gz")
    return folder


def test_import_gtex_release__serves_gtex_numbers(gtex_folder: Path, tmp_path: Path) -> None:
    files = find_gtex_files(gtex_folder)
    assert len(files.egenes) == len(files.allpairs) == 1
    release = import_gtex_release(files, root=tmp_path, dataset_id="gtex_import_v1")
    client = TestClient(create_app(Settings(), store=Store(release)))
    eg = client.get("/api/v2/association/egene").json()["data"]
    assert [(e["gencodeId"], e["pValue"], e["log2AllelicFoldChange"]) for e in eg] == [
        (GENE, 1e-8, 0.5)]
    st = client.get("/api/v2/association/singleTissueEqtl",
                    params={"variantId": "rs554008981"}).json()["data"]
    assert [s["gencodeId"] for s in st] == [GENE]
    med = client.get("/api/v2/expression/medianGeneExpression",
                     params={"gencodeId": GENE, "tissueSiteDetailId": "Lung"}).json()["data"]
    assert med[0]["median"] == 10.25
    expr = client.get("/api/v2/expression/geneExpression",
                      params={"gencodeId": GENE, "tissueSiteDetailId": "Whole_Blood"}).json()
    assert sorted(expr["data"][0]["data"]) == [3.0, 4.0]
    samples = client.get("/api/v2/dataset/sample").json()["data"]
    assert len(samples) == 3  # the WGS sample is not an RNA-seq sample
    real = pd.read_csv(files.allpairs[0], sep="\t", na_values=["-nan"])
    rows = client.get("/api/genotex/v1/nominalPairs",
                      params={"gencodeId": GENE, "itemsPerPage": 100_000}).json()["data"]
    mine = real[real["gene_id"] == GENE].set_index("variant_id")
    assert len(rows) == len(mine)
    for r in rows[:50]:
        assert r["pValue"] == pytest.approx(mine.loc[r["variantId"], "pval_nominal"])
        assert r["tssDistance"] == mine.loc[r["variantId"], "tss_distance"]


def test_store_import_gtex__cli(gtex_folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["store", "import-gtex", str(tmp_path),
                                       "--dataset-id", "gtex_cli_v1",
                                       "--folder", str(gtex_folder)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gtex_cli_v1" / "manifest.json").is_file()


def test_import_gtex_release__all_pairs_of_several_tissues(gtex_folder: Path,
                                                          tmp_path: Path) -> None:
    """Each tissue's all-pairs file is one piece of the streamed build; variants are shared."""
    folder = tmp_path / "two"
    shutil.copytree(gtex_folder, folder)
    shutil.copy(folder / "Whole_Blood.allpairs.txt.gz", folder / "Lung.allpairs.txt.gz")
    files = find_gtex_files(folder)
    release = import_gtex_release(files, root=tmp_path, dataset_id="gtex_two_v1")
    store = Store(release)
    real = pd.read_csv(files.allpairs[0], sep="\t", na_values=["-nan"])
    tables = store.manifest["tables"]
    assert tables["nominal_pairs"]["rows"] == 2 * len(real)
    assert {rel.split("/")[1] for rel in tables["nominal_pairs"]["files"]} == {
        "tissue_id=Lung", "tissue_id=Whole_Blood"}
    variants = pd.read_parquet(release / tables["variants"]["path"])
    assert variants["variant_id"].is_unique
    assert set(real["variant_id"]) <= set(variants["variant_id"])
