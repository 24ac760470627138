"""The serving index: built from the Parquet, answers equal to the DuckDB queries, refused or
rebuilt when stale or damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from genotex.store import Store, build_release
from genotex.store.manifest import write_manifest
from genotex.store.serving import (
    ServingIndex,
    StaleIndexError,
    check_serving_index,
    ensure_serving_index,
)
from genotex.store.serving_build import SERVING_DIR, build_serving_index
from genotex.testing import tiny_release_tables


def _richer_tables(seed: int = 5) -> dict[str, pd.DataFrame]:
    """The tiny release plus many random significant pairs (variants missing from the
    variants table, shared and missing rsIDs), null medians and missing TPM values."""
    rng = np.random.default_rng(seed)
    tables = tiny_release_tables()
    genes = [*tables["genes"]["gene_id"], "ENSG09999999999.1"]  # not in genes table
    tissues = sorted(tables["tissues"]["tissue_id"])
    positions = rng.choice(np.arange(1_000, 9_000), 60, replace=False)
    extra = pd.DataFrame({
        "variant_id": [f"chr2_{p}_A_C_b38" for p in positions], "chrom": "chr2",
        "pos": positions, "ref": "A", "alt": "C",
        "rs_id": [None if i % 5 == 0 else f"rs{900 + i % 7}" for i in range(60)],
        "maf": 0.1})
    tables["variants"] = pd.concat([tables["variants"], extra[:50]], ignore_index=True)
    n = 400
    pairs = pd.DataFrame({
        "tissue_id": rng.choice(tissues, n), "gene_id": rng.choice(genes, n),
        "variant_id": rng.choice(extra["variant_id"].to_numpy(), n),
        "pval_nominal": 10.0 ** -rng.uniform(3, 20, n), "slope": rng.normal(0, 1, n),
        "tss_distance": rng.integers(-9_000, 9_000, n), "maf": 0.2, "slope_se": 0.1})
    pairs = pairs.drop_duplicates(["tissue_id", "gene_id", "variant_id"])
    tables["signif_pairs"] = pd.concat([tables["signif_pairs"], pairs], ignore_index=True)
    median = tables["median_expression"].copy()
    median.loc[median.index[::7], "median_tpm"] = np.nan
    tables["median_expression"] = median
    expr = tables["sample_expression"].copy()
    expr.loc[expr.index[::9], "tpm"] = np.nan
    tables["sample_expression"] = expr
    return tables


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_release(tmp_path_factory.mktemp("serving"), "serving_test_v1",
                         _richer_tables())


@pytest.fixture(scope="module")
def stores(release: Path):  # type: ignore[no-untyped-def]
    sql, served = Store(release), Store(release, serving_index=True)
    yield sql, served
    sql.close()
    served.close()


def _keys(release: Path, sql: str) -> list[str]:
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(sql.format(r=release)).fetchall()]
    finally:
        con.close()


def test_build__median_and_expression_equal_the_parquet(release: Path, stores) -> None:  # type: ignore[no-untyped-def]
    _, served = stores
    index: ServingIndex = served.serving
    median = pd.read_parquet(release / "median_expression.parquet").sort_values(
        ["gene_id", "tissue_id"])
    genes, codes, values = index.median_rows(sorted(set(median["gene_id"])), None)
    assert genes == list(median["gene_id"])
    assert [index.tissues[c] for c in codes] == list(median["tissue_id"])
    np.testing.assert_array_equal(values, median["median_tpm"].to_numpy())
    expr = pd.read_parquet(release / "sample_expression").dropna(subset=["tpm"])
    expr["tissue_id"] = expr["tissue_id"].astype(str)
    for (gene, tissue), rows in expr.groupby(["gene_id", "tissue_id"]):
        (found,) = index.expression([str(gene)], [str(tissue)])
        np.testing.assert_array_equal(found[2], rows.sort_values("sample_id")["tpm"])
    assert len(index.expression(sorted(set(expr["gene_id"])), None)) == expr.groupby(
        ["gene_id", "tissue_id"]).ngroups


def test_lookups__equal_the_duckdb_queries(release: Path, stores) -> None:  # type: ignore[no-untyped-def]
    sql, served = stores
    genes = _keys(release, "SELECT DISTINCT gene_id FROM '{r}/signif_pairs.parquet' "
                  "UNION SELECT gene_id FROM '{r}/genes.parquet' ORDER BY 1")
    variants = _keys(release, "SELECT DISTINCT variant_id FROM '{r}/signif_pairs.parquet'")
    rs = _keys(release, "SELECT DISTINCT rs_id FROM '{r}/variants.parquet' "
               "WHERE rs_id IS NOT NULL")
    tissue_sets = [None, ["Liver"], ["Lung", "UBERON:0002107", "Whole_Blood"], ["nope"]]
    for gene in [*genes, "ENSG_missing.1"]:
        for tissues in tissue_sets:
            assert served.median_expression([gene], tissues) == sql.median_expression(
                [gene], tissues)
            assert served.gene_expression([gene], tissues) == sql.gene_expression(
                [gene], tissues)
            assert served.single_tissue_eqtls(gene_ids=[gene], tissues=tissues) == \
                sql.single_tissue_eqtls(gene_ids=[gene], tissues=tissues)
    for variant in [*variants, *rs, "RS900", "chr9_1_A_C_b38"]:
        assert served.single_tissue_eqtls(variant_ids=[variant]) == sql.single_tissue_eqtls(
            variant_ids=[variant])
    for page in range(4):
        kwargs = {"page": page, "items_per_page": 7}
        assert served.single_tissue_eqtls(variant_ids=variants[:20] + rs[:3], **kwargs) == \
            sql.single_tissue_eqtls(variant_ids=variants[:20] + rs[:3], **kwargs)
        assert served.single_tissue_eqtls(gene_ids=genes[:3], variant_ids=variants[:30],
                                          tissues=["Liver", "Lung"], **kwargs) == \
            sql.single_tissue_eqtls(gene_ids=genes[:3], variant_ids=variants[:30],
                                    tissues=["Liver", "Lung"], **kwargs)
        assert served.median_expression(genes, **kwargs) == sql.median_expression(
            genes, **kwargs)
        assert served.gene_expression(genes, **kwargs) == sql.gene_expression(genes, **kwargs)


def test_lookups__nonempty_on_this_release(stores) -> None:  # type: ignore[no-untyped-def]
    _, served = stores  # guards the equality test against comparing empty answers
    assert served.single_tissue_eqtls(variant_ids=["rs901"]).total > 0
    assert served.gene_expression(["ENSG00000132693.12"]).total == 3
    assert served.median_expression(["ENSG00000132693.12"]).total == 3


@pytest.fixture()
def copy(release: Path, tmp_path: Path) -> Path:
    target = tmp_path / release.name
    shutil.copytree(release, target)
    build_serving_index(target)
    return target


def test_check__stale_when_a_source_table_changes(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    entry = manifest["tables"]["median_expression"]["files"]["median_expression.parquet"]
    entry["sha256"] = "0" * 64
    write_manifest(copy, manifest)
    with pytest.raises(StaleIndexError, match="stale"):
        check_serving_index(copy)
    with pytest.raises(StaleIndexError, match="genotex store index"):
        ensure_serving_index(copy, build=False)
    ensure_serving_index(copy)  # rebuilds
    check_serving_index(copy)


def test_check__truncated_file_is_refused_then_rebuilt(copy: Path) -> None:
    victim = copy / SERVING_DIR / "pairs.pval.npy"
    victim.write_bytes(victim.read_bytes()[:-8])
    with pytest.raises(StaleIndexError, match="truncated"):
        ServingIndex(copy)
    store = Store(copy, serving_index=True)  # rebuilds
    try:
        assert store.single_tissue_eqtls(variant_ids=["rs901"]).total > 0
    finally:
        store.close()


def test_check__damaged_meta_or_other_format_is_rebuilt(copy: Path) -> None:
    meta_path = copy / SERVING_DIR / "meta.json"
    meta_path.write_text("{not json")
    with pytest.raises(StaleIndexError, match="no readable serving index"):
        check_serving_index(copy)
    ensure_serving_index(copy)
    meta = json.loads(meta_path.read_text())
    meta["format"] = -1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(StaleIndexError, match="format"):
        check_serving_index(copy)
    ensure_serving_index(copy)
    check_serving_index(copy, checksums=True)


def test_check__checksum_mismatch_found_by_full_check(copy: Path) -> None:
    victim = copy / SERVING_DIR / "median.value.npy"
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))
    check_serving_index(copy)  # sizes still match
    with pytest.raises(StaleIndexError, match="checksum"):
        check_serving_index(copy, checksums=True)


def test_check__missing_index_says_so(copy: Path) -> None:
    shutil.rmtree(copy / SERVING_DIR)
    with pytest.raises(StaleIndexError, match="no serving index yet"):
        check_serving_index(copy)
    ensure_serving_index(copy)
    check_serving_index(copy)
