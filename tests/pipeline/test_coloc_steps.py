"""run_coloc on a simulated 3-tissue cohort with GWAS built from the simulator's truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from genotex.errors import InputError
from genotex.pipeline.coloc_steps import (
    COLOC_COLUMNS,
    SUSIE_PAIR_COLUMNS,
    Locus,
    find_loci,
    parse_region,
    run_coloc,
    variant_positions,
)
from genotex.pipeline.qtl_steps import cis_nominal
from genotex.store.tables import get_table

from .three_tissue_cohort import TISSUES, Cohort, mapped_cohort

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    return mapped_cohort(tmp_path_factory)


def gwas_from(c: Cohort, causal: str, *, h2: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """GWAS-SSF table of a quantitative trait driven by ``causal`` (in-sample regression)."""
    g = c.dosages
    x = g[c.variants["variant_id"].tolist().index(causal)]
    rng = np.random.default_rng(seed)
    y = np.sqrt(h2) * (x - x.mean()) / x.std() + np.sqrt(1 - h2) * rng.standard_normal(x.size)
    gc = g - g.mean(1, keepdims=True)
    sxx = (gc**2).sum(1)
    beta = gc @ (y - y.mean()) / sxx
    resid = ((y - y.mean())[None, :] - beta[:, None] * gc) ** 2
    se = np.sqrt(resid.sum(1) / (x.size - 2) / sxx)
    v = c.variants
    return pd.DataFrame({
        "chromosome": v["chrom"], "base_pair_location": v["pos"], "effect_allele": v["alt"],
        "other_allele": v["ref"], "beta": beta, "standard_error": se,
        "effect_allele_frequency": g.mean(1) / 2,
        "p_value": 2 * stats.t.sf(np.abs(beta / se), x.size - 2), "n": x.size,
        "rsid": [f"rs{i + 1}" for i in range(len(v))]})


def plink_layout(ssf: pd.DataFrame, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """SNP CHR BP A1 A2 OR SE P, with allele swaps and strand flips; returns the case planted."""
    rng = np.random.default_rng(seed)
    a1, a2 = ssf["effect_allele"].copy(), ssf["other_allele"].copy()
    beta = ssf["beta"].to_numpy().copy()
    palin = (a1.str.translate(_COMPLEMENT) == a2).to_numpy()
    case = pd.Series(np.where(palin, "palindromic", "exact"), dtype=object)
    draw = rng.random(len(ssf))
    swap = (draw < 0.3) & ~palin
    flip = (draw > 0.6) & (draw < 0.8) & ~palin
    both = (draw >= 0.8) & ~palin
    s = swap | both
    a1[s], a2[s] = ssf["other_allele"][s], ssf["effect_allele"][s]
    beta[s] = -beta[s]
    f = flip | both
    a1[f], a2[f] = a1[f].str.translate(_COMPLEMENT), a2[f].str.translate(_COMPLEMENT)
    case[swap], case[flip], case[both] = "swapped", "strand_flipped", "strand_flipped_swapped"
    frame = pd.DataFrame({"SNP": ssf["rsid"], "CHR": ssf["chromosome"].str.removeprefix("chr"),
                          "BP": ssf["base_pair_location"], "A1": a1, "A2": a2,
                          "OR": np.exp(beta), "SE": ssf["standard_error"],
                          "P": ssf["p_value"]})
    return frame, case


def _shared_gene(c: Cohort) -> tuple[str, str]:
    """The planted shared eQTL (one causal variant) with the strongest signal in every tissue."""
    t = c.truth
    n_causal = t.groupby("gene_id")["variant_id"].nunique()
    shared = t.loc[(t["effect_class"] == "shared") & t["gene_id"].map(n_causal).eq(1)]
    causal = shared.drop_duplicates("gene_id").set_index("gene_id")["variant_id"]
    weakest = pd.concat([c.egenes(x)["pval_nominal"] for x in TISSUES], axis=1).max(axis=1)
    gene = str(weakest.reindex(causal.index).idxmin())
    return gene, str(causal[gene])


def _unlinked(c: Cohort, causal: str) -> str:
    """A common variant 100–400 kb from ``causal`` with r² < 0.02 to it."""
    ids = c.variants["variant_id"].tolist()
    i = ids.index(causal)
    pos = c.variants["pos"].to_numpy()
    r = np.corrcoef(c.dosages[i], c.dosages)[0, 1:]
    af = c.dosages.mean(1) / 2
    ok = ((np.abs(pos - pos[i]) > 100_000) & (np.abs(pos - pos[i]) < 400_000) & (r**2 < 0.02)
          & (np.minimum(af, 1 - af) > 0.2))
    return ids[int(np.flatnonzero(ok)[0])]


@pytest.fixture(scope="module")
def h4_run(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    gene, causal = _shared_gene(cohort)
    out = tmp_path_factory.mktemp("h4")
    gwas_from(cohort, causal).to_csv(out / "trait.tsv", sep="\t", index=False)
    return gene, causal, out


def _pp(table: pd.DataFrame, gene: str, column: str) -> pd.Series:
    return table.loc[table["gene_id"] == gene].set_index("tissue_id")[column]


def test_run_coloc__shared_causal_variant_gives_h4_in_every_tissue(
        cohort: Cohort, h4_run: tuple[str, str, Path]) -> None:
    gene, causal, out = h4_run
    res = run_coloc(gwas=out / "trait.tsv", qtl_dirs=cohort.qtl_dirs, output=out / "c.parquet",
                    variants=cohort.vcf, lead_variants=[causal], snp_table=True)
    pp4 = _pp(res.table, gene, "pp_h4")
    assert sorted(pp4.index) == list(TISSUES)
    assert (pp4 > 0.8).all(), pp4
    assert tuple(pd.read_parquet(res.path).columns) == COLOC_COLUMNS
    assert (res.table["lead_variant_id"] == causal).all()
    pp = res.table[[f"pp_h{h}" for h in range(5)]].to_numpy()
    np.testing.assert_allclose(pp.sum(1), 1.0, rtol=1e-9)
    # the per-SNP table puts the shared causal variant (or one in LD with it) on top
    top = res.snps.loc[res.snps["gene_id"] == gene].sort_values("snp_pp_h4").iloc[-1]
    r = np.corrcoef(cohort.dosages[cohort.variants["variant_id"].tolist().index(causal)],
                    cohort.dosages[cohort.variants["variant_id"].tolist().index(
                        top["variant_id"])])[0, 1]
    assert r**2 > 0.8
    info = json.loads(res.report_path.read_text())
    assert info["column_map"]["beta"] == "beta"
    assert info["harmonization"]["exact"] > 0


def test_run_coloc__table_matches_store_spec(cohort: Cohort,
                                             h4_run: tuple[str, str, Path]) -> None:
    spec = get_table("coloc")
    assert tuple(c.name for c in spec.columns) == COLOC_COLUMNS


def test_run_coloc__different_causal_variant_gives_h3(cohort: Cohort, tmp_path: Path) -> None:
    gene, causal = _shared_gene(cohort)
    other = _unlinked(cohort, causal)
    gwas_from(cohort, other, seed=5).to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    res = run_coloc(gwas=tmp_path / "t.tsv", qtl_dirs=cohort.qtl_dirs,
                    output=tmp_path / "c.parquet", variants=cohort.vcf, lead_variants=[other])
    pp3 = _pp(res.table, gene, "pp_h3")
    assert sorted(pp3.index) == list(TISSUES)
    assert (pp3 > 0.7).all(), pp3  # the rest is mostly H1: the eQTL has p ~ 1e-9 (p2 = 1e-4)
    assert (_pp(res.table, gene, "pp_h4") < 0.1).all()


def test_run_coloc__plink_layout_with_swaps_and_flips_is_harmonised(
        cohort: Cohort, h4_run: tuple[str, str, Path], tmp_path: Path) -> None:
    _, causal, out = h4_run
    ssf = pd.read_csv(out / "trait.tsv", sep="\t")
    plink, case = plink_layout(ssf)
    plink.to_csv(tmp_path / "trait.assoc", sep=" ", index=False)
    kw = {"qtl_dirs": cohort.qtl_dirs, "variants": cohort.vcf, "lead_variants": [causal]}
    a = run_coloc(gwas=out / "trait.tsv", output=tmp_path / "a.parquet", **kw)
    b = run_coloc(gwas=tmp_path / "trait.assoc", output=tmp_path / "b.parquet", n=190, **kw)
    assert b.column_map["odds_ratio"] == "OR" and b.column_map["effect_allele"] == "A1"
    locus = a.loci[0]
    inside = ((ssf["base_pair_location"] >= locus.start)
              & (ssf["base_pair_location"] <= locus.end)).to_numpy()
    for name in ("swapped", "strand_flipped", "strand_flipped_swapped"):
        assert b.report[name] == int(((case == name).to_numpy() & inside).sum()) > 0
    assert b.report["palindromic_dropped"] == int(((case == "palindromic").to_numpy()
                                                   & inside).sum())
    cols = ["nsnps", *[f"pp_h{h}" for h in range(5)]]
    pd.testing.assert_frame_equal(a.table[cols], b.table[cols], rtol=1e-6)


def test_run_coloc__auto_loci_and_eqtl_variants(cohort: Cohort,
                                                h4_run: tuple[str, str, Path]) -> None:
    gene, causal, out = h4_run
    res = run_coloc(gwas=out / "trait.tsv", qtl_dirs=cohort.qtl_dirs,
                    output=out / "auto.parquet", sdy=1.0, trait_id="height")
    pos = int(variant_positions([causal])["pos"].iat[0])
    assert any(x.start <= pos <= x.end for x in res.loci)
    assert (res.table["trait_id"] == "height").all()
    best = res.table.loc[res.table["gene_id"] == gene].groupby("tissue_id")["pp_h4"].max()
    assert (best > 0.8).all()


def test_run_coloc__region_with_no_signal_is_not_colocalized(
        cohort: Cohort, h4_run: tuple[str, str, Path]) -> None:
    _, causal, out = h4_run
    pos = int(variant_positions([causal])["pos"].iat[0])
    far = f"chr22:{pos + 5_000_000}-{pos + 6_000_000}"
    res = run_coloc(gwas=out / "trait.tsv", qtl_dirs=cohort.qtl_dirs,
                    output=out / "far.parquet", region=far, egene_fdr=None)
    assert len(res.table) > 0
    assert (res.table["pp_h4"] < 0.5).all()


def test_find_loci__greedy_windows() -> None:
    g = pd.DataFrame({"chromosome": ["chr1"] * 4 + ["chr2"],
                      "base_pair_location": [1_000_000, 1_200_000, 3_000_000, 3_100_000, 500],
                      "p_value": [1e-10, 1e-9, 1e-3, 1e-12, 1e-20]})
    loci = find_loci(g, window=500_000)
    assert loci == [Locus("chr1", 500_000, 1_500_000), Locus("chr1", 2_600_000, 3_600_000),
                    Locus("chr2", 1, 500_500)]


def test_parse_region__rejects_bad_text() -> None:
    assert parse_region("chr22:1-10") == Locus("chr22", 1, 10)
    with pytest.raises(InputError, match="chrom:start-end"):
        parse_region("chr22-1-10")


def test_run_coloc__clear_errors(cohort: Cohort, h4_run: tuple[str, str, Path]) -> None:
    out = h4_run[2]
    with pytest.raises(InputError, match="susie"):
        run_coloc(gwas=out / "trait.tsv", qtl_dirs=cohort.qtl_dirs, output=out / "x.parquet",
                  method="susie")
    with pytest.raises(InputError, match="eQTL directory"):
        run_coloc(gwas=out / "trait.tsv", qtl_dirs={"Lung": out / "nope"},
                  output=out / "x.parquet")
    with pytest.raises(InputError, match="not in the GWAS"):
        run_coloc(gwas=out / "trait.tsv", qtl_dirs=cohort.qtl_dirs, output=out / "x.parquet",
                  lead_variants=["rs_unknown"])


def gwas_two_signals(c: Cohort, shared: str, other: str, *, h2_shared: float = 0.15,
                     h2_other: float = 0.4, seed: int = 7) -> pd.DataFrame:
    """GWAS-SSF table of a trait with two causal variants (in-sample regression)."""
    ids = c.variants["variant_id"].tolist()
    rng = np.random.default_rng(seed)
    y = np.sqrt(1 - h2_shared - h2_other) * rng.standard_normal(c.dosages.shape[1])
    for v, h2 in ((shared, h2_shared), (other, h2_other)):
        x = c.dosages[ids.index(v)]
        y += np.sqrt(h2) * (x - x.mean()) / x.std()
    g = c.dosages
    gc = g - g.mean(1, keepdims=True)
    sxx = (gc**2).sum(1)
    beta = gc @ (y - y.mean()) / sxx
    se = np.sqrt((((y - y.mean())[None, :] - beta[:, None] * gc) ** 2).sum(1)
                 / (y.size - 2) / sxx)
    v = c.variants
    return pd.DataFrame({
        "chromosome": v["chrom"], "base_pair_location": v["pos"], "effect_allele": v["alt"],
        "other_allele": v["ref"], "beta": beta, "standard_error": se,
        "p_value": 2 * stats.t.sf(np.abs(beta / se), y.size - 2), "n": y.size})


def test_run_coloc__susie_finds_the_shared_signal_that_abf_dilutes(
        cohort: Cohort, tmp_path: Path) -> None:
    """Two GWAS signals at one locus, the weaker one the planted eQTL's causal variant:
    coloc.abf (one causal variant per trait) pits the stronger GWAS signal against the eQTL
    (H3); coloc.susie tests each GWAS credible set and finds the shared one (H4)."""
    gene, causal = _shared_gene(cohort)
    other = _unlinked(cohort, causal)
    gwas_two_signals(cohort, causal, other).to_csv(tmp_path / "two.tsv", sep="\t", index=False)
    kw = {"gwas": tmp_path / "two.tsv", "qtl_dirs": cohort.qtl_dirs, "variants": cohort.vcf,
          "lead_variants": [causal]}
    abf = run_coloc(output=tmp_path / "abf.parquet", **kw)
    sus = run_coloc(output=tmp_path / "susie.parquet", method="susie", **kw)
    assert (_pp(abf.table, gene, "pp_h4") < 0.2).all(), _pp(abf.table, gene, "pp_h4")
    pp4 = _pp(sus.table, gene, "pp_h4")
    assert sorted(pp4.index) == list(TISSUES)
    assert (pp4 > 0.8).all(), pp4
    assert tuple(pd.read_parquet(sus.path).columns) == COLOC_COLUMNS
    pairs = pd.read_parquet(sus.pairs_path)
    assert tuple(pairs.columns) == SUSIE_PAIR_COLUMNS
    mine = pairs.loc[pairs["gene_id"] == gene]
    # two GWAS credible sets: one shared (H4 with the eQTL), one the other signal (H3)
    assert mine.groupby("tissue_id")["gwas_cs"].nunique().eq(2).all()
    ids = cohort.variants["variant_id"].tolist()
    for hit, pp3, pp4_pair in mine[["hit_gwas", "pp_h3", "pp_h4"]].itertuples(index=False):
        r2_other = np.corrcoef(cohort.dosages[ids.index(hit)],
                               cohort.dosages[ids.index(other)])[0, 1] ** 2
        assert (pp3 > 0.8) if r2_other > 0.8 else (pp4_pair > 0.8)


def test_run_coloc__grch37_gwas_is_flagged_then_lifted_with_a_chain(
        cohort: Cohort, h4_run: tuple[str, str, Path], tmp_path: Path) -> None:
    gene, causal, out = h4_run
    shift = 10_000
    gwas = pd.read_csv(out / "trait.tsv", sep="\t")
    gwas["base_pair_location"] -= shift  # as if on GRCh37
    gwas.to_csv(tmp_path / "b37.tsv", sep="\t", index=False)
    chain = tmp_path / "b37ToB38.chain"  # chr22 [0, 50 Mb) moves right by `shift`
    chain.write_text(f"chain 1 chr22 50818468 + 0 50000000 chr22 50818468 + {shift} "
                     f"{50_000_000 + shift} 1\n50000000\n\n")
    pos = int(causal.split("_")[1])
    region = f"chr22:{pos - 1_000_000}-{pos + 1_000_000}"
    flagged = run_coloc(gwas=tmp_path / "b37.tsv", qtl_dirs=cohort.qtl_dirs,
                        output=tmp_path / "flagged.parquet", variants=cohort.vcf, region=region)
    assert any("GRCh37" in m for m in flagged.messages), flagged.messages
    lifted = run_coloc(gwas=tmp_path / "b37.tsv", qtl_dirs=cohort.qtl_dirs,
                       output=tmp_path / "lifted.parquet", variants=cohort.vcf, region=region,
                       liftover_chain=chain)
    assert not any("GRCh37" in m for m in lifted.messages)
    assert any("lifted" in note for note in lifted.notes)
    assert (_pp(lifted.table, gene, "pp_h4") > 0.8).all()


@pytest.fixture(scope="module")
def sqtl_dir(cohort: Cohort) -> Path:
    """Whole_Blood's sQTL outputs (leafcutter ratios → grouped permutations → nominal pairs)."""
    from genotex.pipeline.expression_steps import tissue_covariates
    from genotex.pipeline.sqtl_steps import map_sgenes, prepare_sqtl_phenotypes

    t, files = "Whole_Blood", cohort.root / "cohort"
    out = cohort.root / "sqtl"
    if not (out / "done").is_file():
        pheno = prepare_sqtl_phenotypes(
            counts=files / "splicing" / f"{t}_perind.counts.gz",
            annotation=files / "annotation" / "genes.gtf.gz", output_dir=out, prefix=t,
            sample_participant_lookup=files / "metadata" / "sample_participant_lookup.txt",
            genotypes=cohort.vcf)
        cov = tissue_covariates(expression_bed_path=pheno.bed, output=out / "cov.txt",
                                genotype_pcs_path=cohort.root / "pcs.txt", n_hidden=2)
        map_sgenes(phenotypes=pheno, genotypes=cohort.vcf, covariates=cov, output_dir=out,
                   prefix=t, n_perm=200, seed=1, maf_threshold=0.01)
        cis_nominal(phenotype_bed=pheno.bed, genotypes=cohort.vcf, covariates=cov,
                    output_dir=out, prefix=t, maf_threshold=0.01)
        (out / "done").write_text("ok\n")
    return out


def test_run_coloc__sqtls_are_colocalized_in_the_same_call(
        cohort: Cohort, sqtl_dir: Path, tmp_path: Path) -> None:
    truth = pd.read_csv(cohort.root / "cohort" / "truth" / "sqtls.tsv", sep="\t")
    sgenes = pd.read_parquet(sqtl_dir / "Whole_Blood.cis_qtl.parquet")
    found = set(sgenes.loc[sgenes["qval"] <= 0.05, "group_id"])
    planted = truth[(truth["tissue_id"] == "Whole_Blood") & truth["gene_id"].isin(found)
                    & truth["variant_id"].isin(cohort.variants["variant_id"])]
    assert len(planted), "no planted sQTL found as an sGene"
    gene, causal = planted.iloc[0][["gene_id", "variant_id"]]
    gwas_from(cohort, causal).to_csv(tmp_path / "trait.tsv", sep="\t", index=False)
    res = run_coloc(gwas=tmp_path / "trait.tsv", qtl_dirs=cohort.qtl_dirs,
                    sqtl_dirs={"Whole_Blood": sqtl_dir}, output=tmp_path / "c.parquet",
                    variants=cohort.vcf, lead_variants=[causal], egene_fdr=None)
    sq = res.table[res.table["qtl_type"] == "sqtl"]
    assert set(sq["tissue_id"]) == {"Whole_Blood"}
    assert (res.table.loc[res.table["qtl_type"] == "eqtl", "phenotype_id"]
            == res.table.loc[res.table["qtl_type"] == "eqtl", "gene_id"]).all()
    hit = sq[sq["gene_id"] == gene]
    assert len(hit) and hit["phenotype_id"].str.endswith(gene).all()
    assert hit["pp_h4"].max() > 0.8, hit
