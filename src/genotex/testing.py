"""Small, seeded, hand-made datasets for tests and docs examples.

:func:`tiny_release_tables` returns a realistic miniature release (6 genes, 3 GTEx tissues,
6 donors, per-sample TPM, medians, eGenes and eQTL pairs) as DataFrames in the store's table
schemas; :func:`build_tiny_release` writes it with :func:`genotex.store.build_release`;
:func:`prepare_simulated_tissue` and :func:`map_simulated_tissue` run the per-tissue
expression and cis-QTL steps on a simulated cohort.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from genotex.tissues import get_tissue

if TYPE_CHECKING:
    from genotex.simulate import CohortFiles

TINY_DATASET_ID = "genotex_tiny_v1"
TINY_TISSUES = ("Liver", "Lung", "Whole_Blood")

_GENES = [
    # gene_id, name, type, chrom, start, end, strand
    ("ENSG00000132693.12", "CRP", "protein_coding", "chr1", 159_682_079, 159_684_379, "-"),
    ("ENSG00000223603.1", "CRPP1", "unprocessed_pseudogene", "chr1", 159_704_983, 159_705_607,
     "-"),
    ("ENSG00000160791.17", "CCR5", "protein_coding", "chr3", 46_370_854, 46_376_206, "+"),
    ("ENSG00000065613.9", "SLK", "protein_coding", "chr10", 104_000_000, 104_100_000, "+"),
    ("ENSG00000203782.5", "LOR", "protein_coding", "chr1", 153_259_000, 153_261_000, "+"),
    ("ENSG00000198804.2", "MT-CO1", "protein_coding", "chrM", 5_904, 7_445, "+"),
]
_DONORS = [
    # donor_id, sex, age_bracket, hardy_scale, age
    ("GTEX-1117F", "female", "60-69", "Slow death", 66),
    ("GTEX-111CU", "male", "50-59", "Ventilator case", 57),
    ("GTEX-111FC", "male", "60-69", "Fast death - natural causes", 61),
    ("GTEX-111VG", "male", "60-69", None, 63),
    ("GTEX-111YS", "female", "20-29", "Intermediate death", 24),
    ("GTEX-1122O", "female", "30-39", "Fast death - violent", 35),
]
_VARIANTS = [
    # variant_id, rs_id, maf
    ("chr1_159680000_A_G_b38", "rs3091244", 0.31),
    ("chr1_159690000_C_T_b38", "rs1205", 0.22),
    ("chr1_153260000_G_A_b38", None, 0.004),
    ("chr3_46370000_T_C_b38", "rs333", 0.12),
    ("chr10_103990000_G_GTTA_b38", "rs111", 0.45),
]


def _samples(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for d, (donor, *_rest) in enumerate(_DONORS):
        for t, tissue in enumerate(TINY_TISSUES):
            if (d + t) % 5 == 4:  # not every donor gave every tissue
                continue
            aliquot = f"SM-{d}{t}A{d}{t}"
            rows.append({
                "sample_id": f"{donor}-{100 * (t + 1) + d:04d}-{aliquot}",
                "donor_id": donor,
                "tissue_id": tissue,
                "has_genotype": d != 5,
                "rin": round(float(rng.uniform(5, 9.5)), 1),
                "ischemic_time": int(rng.integers(60, 1300)),
                "autolysis_score": ["None", "Mild", "Moderate"][d % 3],
                "freeze_type": "PAXgene",
                "data_type": "RNASEQ",
            })
    return pd.DataFrame(rows)


def _expression(samples: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for g, gene in enumerate(_GENES):
        base = 10.0 ** (g % 4) if gene[1] != "MT-CO1" else 5_000.0
        for s in samples.itertuples():
            factor = 1.0 + TINY_TISSUES.index(s.tissue_id)
            tpm = base * factor * float(rng.lognormal(0.0, 0.3))
            rows.append((gene[0], s.sample_id, s.tissue_id, round(tpm, 3)))
    return pd.DataFrame(rows, columns=["gene_id", "sample_id", "tissue_id", "tpm"])


def _genes() -> pd.DataFrame:
    genes = pd.DataFrame(
        _GENES, columns=["gene_id", "gene_name", "gene_type", "chrom", "start", "end", "strand"]
    )
    genes["tss"] = np.where(genes["strand"] == "+", genes["start"], genes["end"])
    genes["description"] = genes["gene_name"] + " (tiny test gene)"
    genes["data_source"] = "HAVANA"
    genes["entrez_gene_id"] = pd.array([1401, None, 1234, 9748, 4014, 4512], dtype="Int64")
    return genes


def _variants() -> pd.DataFrame:
    rows = []
    for vid, rs, maf in _VARIANTS:
        chrom, pos, ref, alt, _build = vid.split("_")
        rows.append((vid, chrom, int(pos), ref, alt, rs, maf))
    return pd.DataFrame(rows, columns=["variant_id", "chrom", "pos", "ref", "alt", "rs_id", "maf"])


def _association_tables(genes: pd.DataFrame, variants: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tss = dict(zip(genes["gene_id"], genes["tss"], strict=True))
    pos = dict(zip(variants["variant_id"], variants["pos"], strict=True))
    maf = dict(zip(variants["variant_id"], variants["maf"], strict=True))
    pairs = [
        # tissue, gene, variant, pval, slope
        ("Whole_Blood", "ENSG00000132693.12", "chr1_159680000_A_G_b38", 1e-12, 0.8),
        ("Whole_Blood", "ENSG00000132693.12", "chr1_159690000_C_T_b38", 3e-6, 0.4),
        ("Liver", "ENSG00000132693.12", "chr1_159680000_A_G_b38", 2e-20, 1.1),
        ("Liver", "ENSG00000223603.1", "chr1_159690000_C_T_b38", 4e-5, -0.3),
        ("Lung", "ENSG00000160791.17", "chr3_46370000_T_C_b38", 5e-9, -0.6),
        ("Whole_Blood", "ENSG00000065613.9", "chr10_103990000_G_GTTA_b38", 7e-7, 0.25),
    ]
    sig = pd.DataFrame(pairs, columns=["tissue_id", "gene_id", "variant_id", "pval_nominal",
                                       "slope"])
    sig["tss_distance"] = [int(pos[v] - tss[g]) for g, v in zip(sig.gene_id, sig.variant_id,
                                                                 strict=True)]
    sig["maf"] = [maf[v] for v in sig.variant_id]
    sig["slope_se"] = (sig["slope"].abs() / 6.0).round(4)
    top = sig.sort_values("pval_nominal").drop_duplicates(["tissue_id", "gene_id"])
    egenes = top[["tissue_id", "gene_id", "variant_id", "pval_nominal", "slope"]].copy()
    egenes["pval_beta"] = (egenes["pval_nominal"] * 50).clip(upper=1.0)
    egenes["qval"] = (egenes["pval_beta"] * 3).clip(upper=1.0)
    egenes["pval_nominal_threshold"] = 1e-4
    egenes["log2_afc"] = (egenes["slope"] * 1.3).round(3)
    # one tested gene that is not an eGene
    not_egene = pd.DataFrame([{
        "tissue_id": "Lung", "gene_id": "ENSG00000203782.5", "variant_id":
        "chr1_153260000_G_A_b38", "pval_nominal": 0.01, "slope": 0.1, "pval_beta": 0.4,
        "qval": 0.6, "pval_nominal_threshold": 1e-4, "log2_afc": np.nan,
    }])
    egenes = pd.concat([egenes, not_egene], ignore_index=True)
    chrom = dict(zip(genes["gene_id"], genes["chrom"], strict=True))
    nominal = sig.assign(chrom=[chrom[g] for g in sig.gene_id])
    independent = top.drop(columns=[]).assign(rank=1)[
        ["tissue_id", "gene_id", "variant_id", "rank", "tss_distance", "maf", "pval_nominal",
         "slope", "slope_se"]]
    return {"egenes": egenes, "signif_pairs": sig, "nominal_pairs": nominal,
            "independent_eqtls": independent, **_more_association_tables()}


_INTRON = "chr1:159682200:159683000:clu_1_-:ENSG00000132693.12"


def _more_association_tables() -> dict[str, pd.DataFrame]:
    crp, v1, v2 = "ENSG00000132693.12", "chr1_159680000_A_G_b38", "chr1_159690000_C_T_b38"
    sgenes = pd.DataFrame([{
        "tissue_id": "Liver", "phenotype_id": _INTRON, "gene_id": crp, "variant_id": v1,
        "pval_nominal": 1e-9, "slope": 0.7, "pval_beta": 1e-7, "qval": 1e-5,
        "pval_nominal_threshold": 1e-4, "n_phenotypes": 3}])
    sqtls = pd.DataFrame([{
        "tissue_id": "Liver", "phenotype_id": _INTRON, "gene_id": crp, "variant_id": v1,
        "tss_distance": 4379, "maf": 0.31, "pval_nominal": 1e-9, "slope": 0.7,
        "slope_se": 0.1}])
    finemapping = pd.DataFrame([
        ("Whole_Blood", crp, v1, "SuSiE", 0.93, 1, 2),
        ("Whole_Blood", crp, v2, "SuSiE", 0.05, 1, 2),
    ], columns=["tissue_id", "gene_id", "variant_id", "method", "pip", "set_id", "set_size"])
    metasoft = pd.DataFrame([
        (crp, v1, 1e-25, t, m, p, 0.1, b) for t, m, p, b in
        (("Liver", 1.0, 2e-20, 1.1), ("Lung", 0.4, 0.2, 0.1), ("Whole_Blood", 1.0, 1e-12, 0.8))
    ], columns=["gene_id", "variant_id", "meta_p", "tissue_id", "m_value", "pval", "se", "nes"])
    ld = pd.DataFrame([(crp, v1, v2, 0.42)],
                      columns=["gene_id", "variant_id_1", "variant_id_2", "r2"])
    return {"sgenes": sgenes, "sqtls": sqtls, "finemapping": finemapping,
            "metasoft": metasoft, "ld": ld, **_individual_tables(crp, v1, v2)}


def _individual_tables(gene: str, v1: str, v2: str) -> dict[str, pd.DataFrame]:
    """Mapping inputs of CRP in Whole_Blood (5 genotyped donors) and two variants' dosages."""
    donors = [d[0] for d in _DONORS[:5]]
    g1 = [0.0, 1.0, 2.0, 1.0, 0.0]
    g2 = [1.0, 1.0, 0.0, 2.0, np.nan]
    expr = [-1.1, 0.2, 1.3, 0.4, -0.8]
    cov = [0.5, -0.2, 0.1, 0.3, -0.6]
    dosages = pd.DataFrame(
        [(v, d, x) for v, xs in ((v1, g1), (v2, g2)) for d, x in zip(donors, xs, strict=True)],
        columns=["variant_id", "sample_id", "dosage"])
    phen = pd.DataFrame({"tissue_id": "Whole_Blood", "phenotype_id": gene,
                         "sample_id": donors, "value": expr})
    covs = pd.DataFrame({"tissue_id": "Whole_Blood", "sample_id": donors,
                         "covariate_id": "PC1", "value": cov})
    return {"dosages": dosages, "qtl_phenotypes": phen, "qtl_covariates": covs}


def tiny_release_tables(*, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A miniature release as DataFrames in the store's table schemas.

    >>> tables = tiny_release_tables()
    >>> sorted(tables)[:3], len(tables["genes"]), sorted(tables["tissues"]["tissue_id"])
    (['donors', 'dosages', 'egenes'], 6, ['Liver', 'Lung', 'Whole_Blood'])
    """
    rng = np.random.default_rng(seed)
    genes, variants = _genes(), _variants()
    donors = pd.DataFrame(_DONORS, columns=["donor_id", "sex", "age_bracket", "hardy_scale",
                                            "age"])
    samples = _samples(rng)
    expression = _expression(samples, rng)
    medians = (expression.groupby(["gene_id", "tissue_id"], as_index=False)["tpm"].median()
               .rename(columns={"tpm": "median_tpm"}))
    tissues = pd.DataFrame([{
        "tissue_id": t.tissue_site_detail_id, "tissue_name": t.tissue_site_detail,
        "tissue_site": t.tissue_site, "abbreviation": t.abbreviation,
        "color_hex": t.color_hex, "ontology_id": t.ontology_id,
    } for t in map(get_tissue, TINY_TISSUES)])
    tissues["expressed_gene_count"] = pd.array([5, 6, 5], dtype="Int64")
    return {
        "genes": genes, "variants": variants, "tissues": tissues, "donors": donors,
        "samples": samples, "sample_expression": expression, "median_expression": medians,
        **_association_tables(genes, variants),
    }


def build_tiny_release(root: str | Path, *, dataset_id: str = TINY_DATASET_ID) -> Path:
    """Write :func:`tiny_release_tables` as a release under ``root`` and return its folder."""
    from genotex.store.writer import build_release

    return build_release(
        root, dataset_id, tiny_release_tables(),
        metadata={"description": "A tiny hand-made release for tests",
                  "display_name": "genotex tiny", "gencode_version": "v26", "dbsnp_build": 151},
    )


@dataclass(frozen=True)
class MappedTissue:
    """One simulated tissue's cis-QTL files (see :func:`map_simulated_tissue`)."""

    bed: Path
    covariates: Path
    egenes: Path
    nominal_pairs: tuple[Path, ...]
    signif_pairs: Path


def prepare_simulated_tissue(
    files: CohortFiles,
    tissue: str,
    output_dir: Path,
    *,
    genotype_pcs: Path,
    n_hidden: int | None = 2,
    genotypes: Path | None = None,
) -> tuple[Path, Path]:
    """The expression BED (``output_dir/<tissue>.expression.bed.gz``) and covariates
    (``output_dir/cov.txt``: ``genotype_pcs`` + ``n_hidden`` hidden factors, ``None`` for the
    GTEx rule) of one simulated tissue; ``genotypes`` (default the cohort's VCF) name the
    genotyped donors."""
    from genotex.pipeline.expression_steps import prepare_tissue_expression, tissue_covariates

    out = Path(output_dir)
    bed = prepare_tissue_expression(
        tpm_gct=files.gene_tpm[tissue], counts_gct=files.gene_reads[tissue],
        annotation=files.genes_gtf, genotypes=genotypes or files.vcf, output_prefix=out / tissue,
        sample_participant_lookup=files.sample_participant_lookup).bed
    cov = tissue_covariates(expression_bed_path=bed, genotype_pcs_path=genotype_pcs,
                            output=out / "cov.txt", n_hidden=n_hidden)
    return bed, cov


def map_simulated_tissue(
    files: CohortFiles,
    tissue: str,
    output_dir: Path,
    *,
    genotype_pcs: Path,
    n_hidden: int = 2,
    n_perm: int = 200,
    seed: int = 1,
    maf_threshold: float = 0.01,
) -> MappedTissue:
    """The pipeline's per-tissue steps, in process, on a simulated cohort's files: expression
    preparation → covariates (``genotype_pcs`` + ``n_hidden`` hidden factors) → cis nominal →
    permutations → significant pairs, all under ``output_dir`` with prefix ``tissue``.

    Genotypes are the cohort's VCF. Tests and benchmarks that need a mapped tissue call this
    instead of repeating the steps.
    """
    from genotex.pipeline.qtl_steps import cis_nominal, cis_permutations, significant_pairs

    out = Path(output_dir)
    bed, cov = prepare_simulated_tissue(files, tissue, out, genotype_pcs=genotype_pcs,
                                        n_hidden=n_hidden)
    nominal = cis_nominal(phenotype_bed=bed, genotypes=files.vcf, covariates=cov, output_dir=out,
                          prefix=tissue, maf_threshold=maf_threshold)
    perm = cis_permutations(phenotype_bed=bed, genotypes=files.vcf, covariates=cov,
                            output_dir=out, prefix=tissue, maf_threshold=maf_threshold,
                            n_perm=n_perm, seed=seed)
    sig = significant_pairs(cis_results=perm.table, nominal_files=nominal.files.values(),
                            output_dir=out, prefix=tissue)
    return MappedTissue(bed, cov, perm.table, tuple(nominal.files.values()), sig.path)
