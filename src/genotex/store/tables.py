"""The tables of a release: column names, Arrow types, sort order and partitioning.

Every table is written as Parquet with exactly these columns, in this order. Columns marked
optional may be left out of the DataFrame handed to :func:`genotex.store.writer.build_release`;
they are then written as nulls (or derived, where a derivation is noted). Positions are 1-based
(see :mod:`genotex.schema`); tissue IDs are GTEx ``tissueSiteDetailId`` values; gene IDs are
versioned GENCODE IDs; variant IDs have the GTEx form ``chr1_12345_A_G_b38``.

The names here are the store's own (snake_case, close to the GTEx/tensorQTL file headers). The
API maps them to the GTEx Portal API v2 field names in :mod:`genotex.store.queries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

STRING = pa.string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()


@dataclass(frozen=True)
class Column:
    """One column of a release table."""

    name: str
    type: pa.DataType
    required: bool = True
    doc: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One release table.

    ``partition_by`` names columns written as Hive folders (``tissue_id=Lung/``); such columns
    are not stored inside the Parquet files, and readers recover them from the path.
    """

    name: str
    columns: tuple[Column, ...]
    sort_by: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    doc: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def arrow_schema(self, *, include_partitions: bool = True) -> pa.Schema:
        """Arrow schema of the table (without partition columns when asked)."""
        cols = [
            c for c in self.columns if include_partitions or c.name not in self.partition_by
        ]
        return pa.schema([pa.field(c.name, c.type, nullable=True) for c in cols])


def _c(name: str, typ: pa.DataType, doc: str = "", *, required: bool = True) -> Column:
    return Column(name, typ, required=required, doc=doc)


def _o(name: str, typ: pa.DataType, doc: str = "") -> Column:
    return Column(name, typ, required=False, doc=doc)


_PAIR_STATS = (
    _c("tss_distance", INT, "variant position minus the gene's TSS (bp, strand-aware)"),
    _c("maf", FLOAT, "minor allele frequency in the mapped samples"),
    _c("pval_nominal", FLOAT, "nominal p-value of the variant-gene regression"),
    _c("slope", FLOAT, "regression slope (NES) in normalized expression units per ALT allele"),
    _c("slope_se", FLOAT, "standard error of the slope"),
    _o("ma_samples", INT, "samples carrying the minor allele"),
    _o("ma_count", INT, "minor allele count"),
)

TABLES: Mapping[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "genes",
            (
                _c("gene_id", STRING, "versioned GENCODE ID"),
                _c("gene_name", STRING, "gene symbol"),
                _c("gene_type", STRING, "protein_coding, lncRNA, ..."),
                _c("chrom", STRING, "chr1 ... chrM"),
                _c("start", INT, "1-based inclusive"),
                _c("end", INT, "1-based inclusive"),
                _c("strand", STRING, "'+' or '-'"),
                _c("tss", INT, "1-based TSS: start on '+', end on '-'"),
                _o("description", STRING),
                _o("entrez_gene_id", INT),
                _o("gene_status", STRING),
                _o("data_source", STRING, "HAVANA / ENSEMBL"),
            ),
            key=("gene_id",),
            sort_by=("gene_id",),
            doc="Gene annotation, one row per gene (GENCODE-like).",
        ),
        TableSpec(
            "variants",
            (
                _c("variant_id", STRING, "chr_pos_ref_alt_b38"),
                _c("chrom", STRING),
                _c("pos", INT, "1-based position of the first REF base"),
                _c("ref", STRING),
                _c("alt", STRING),
                _o("rs_id", STRING, "dbSNP rsID, null when none"),
                _o("b37_variant_id", STRING, "GRCh37 ID (1_878314_G_C_b37) when lifted"),
                _o("maf", FLOAT, "minor allele frequency in the cohort"),
            ),
            key=("variant_id",),
            sort_by=("chrom", "pos", "variant_id"),
            doc="Biallelic variants of the cohort, one row per variant.",
        ),
        TableSpec(
            "tissues",
            (
                _c("tissue_id", STRING, "tissueSiteDetailId, e.g. Whole_Blood"),
                _c("tissue_name", STRING, "tissueSiteDetail, e.g. 'Whole Blood'"),
                _c("tissue_site", STRING, "e.g. 'Blood'"),
                _c("abbreviation", STRING, "e.g. WHLBLD"),
                _c("color_hex", STRING, "portal colour, '#RRGGBB' or 'RRGGBB'"),
                _c("ontology_id", STRING, "UBERON:... or EFO:..."),
                _o("sampling_site", STRING),
                _o("expressed_gene_count", INT),
                _o("mapped_in_hubmap", BOOL),
            ),
            key=("tissue_id",),
            sort_by=("tissue_id",),
            doc="Tissues of the release (a subset of genotex.tissues.TISSUES or others).",
        ),
        TableSpec(
            "donors",
            (
                _c("donor_id", STRING, "GTEX-1117F"),
                _c("sex", STRING, "'male' or 'female'"),
                _c("age_bracket", STRING, "'20-29' ... '70-79'"),
                _o("hardy_scale", STRING, "'Ventilator case', 'Fast death - violent', ..."),
                _o("age", INT, "exact age in years (controlled; only summaries are served)"),
            ),
            key=("donor_id",),
            sort_by=("donor_id",),
            doc="Donors (GTEx subjects).",
        ),
        TableSpec(
            "samples",
            (
                _c("sample_id", STRING, "GTEX-1117F-0226-SM-5GZZ7"),
                _c("donor_id", STRING),
                _c("tissue_id", STRING),
                _o("has_genotype", BOOL, "sample used for eQTL mapping (RNA-seq + WGS)"),
                _o("rin", FLOAT, "RNA integrity number"),
                _o("ischemic_time", INT, "minutes"),
                _o("autolysis_score", STRING, "None / Mild / Moderate / Severe"),
                _o("freeze_type", STRING, "e.g. PAXgene"),
                _o("pathology_notes", STRING),
                _o("data_type", STRING, "RNASEQ, WGS, ... (default RNASEQ)"),
            ),
            key=("sample_id",),
            sort_by=("sample_id",),
            doc="RNA-seq samples, one row per sample.",
        ),
        TableSpec(
            "sample_expression",
            (
                _c("gene_id", STRING),
                _c("sample_id", STRING),
                _c("tissue_id", STRING),
                _c("tpm", FLOAT, "transcripts per million"),
            ),
            key=("gene_id", "sample_id"),
            sort_by=("gene_id", "sample_id"),
            partition_by=("tissue_id",),
            doc="Per-sample TPM in long form, partitioned by tissue.",
        ),
        TableSpec(
            "median_expression",
            (
                _c("gene_id", STRING),
                _c("tissue_id", STRING),
                _c("median_tpm", FLOAT),
            ),
            key=("gene_id", "tissue_id"),
            sort_by=("gene_id", "tissue_id"),
            doc="Median TPM of each gene in each tissue.",
        ),
        TableSpec(
            "egenes",
            (
                _c("tissue_id", STRING),
                _c("gene_id", STRING),
                _c("variant_id", STRING, "top (lead) variant"),
                _c("pval_nominal", FLOAT, "nominal p of the top variant"),
                _c("slope", FLOAT),
                _c("pval_beta", FLOAT, "beta-approximated permutation p (empiricalPValue)"),
                _c("qval", FLOAT, "Storey q-value of pval_beta; eGene when <= 0.05"),
                _c("pval_nominal_threshold", FLOAT, "gene-level nominal p threshold"),
                _o("log2_afc", FLOAT, "log2 allelic fold change of the top variant"),
                _o("num_var", INT, "variants tested in the cis window"),
                _o("slope_se", FLOAT),
                _o("pval_perm", FLOAT, "direct permutation p"),
            ),
            key=("tissue_id", "gene_id"),
            sort_by=("tissue_id", "gene_id"),
            doc="Per-gene permutation results (every tested gene; eGenes have qval <= 0.05).",
        ),
        TableSpec(
            "signif_pairs",
            (_c("tissue_id", STRING), _c("gene_id", STRING), _c("variant_id", STRING),
             *_PAIR_STATS,
             _o("pval_nominal_threshold", FLOAT), _o("min_pval_nominal", FLOAT),
             _o("pval_beta", FLOAT)),
            sort_by=("tissue_id", "gene_id", "variant_id"),
            doc="Significant variant-gene pairs (nominal p below the gene's threshold).",
        ),
        TableSpec(
            "nominal_pairs",
            (_c("tissue_id", STRING), _c("chrom", STRING), _c("gene_id", STRING),
             _c("variant_id", STRING), *_PAIR_STATS),
            sort_by=("gene_id", "variant_id"),
            partition_by=("tissue_id", "chrom"),
            doc="All cis variant-gene pairs, partitioned by tissue and chromosome of the gene.",
        ),
        TableSpec(
            "independent_eqtls",
            (_c("tissue_id", STRING), _c("gene_id", STRING), _c("variant_id", STRING),
             _c("rank", INT, "conditional signal index, 1-based"), *_PAIR_STATS),
            sort_by=("tissue_id", "gene_id", "rank"),
            doc="Conditionally independent eQTLs (stepwise regression).",
        ),
        TableSpec(
            "sgenes",
            (
                _c("tissue_id", STRING),
                _c("phenotype_id", STRING, "top intron chr:start:end:clu_N:gene_id"),
                _c("gene_id", STRING),
                _c("variant_id", STRING),
                _c("pval_nominal", FLOAT),
                _c("slope", FLOAT),
                _c("pval_beta", FLOAT),
                _c("qval", FLOAT),
                _c("pval_nominal_threshold", FLOAT),
                _o("n_phenotypes", INT, "introns tested for the gene"),
            ),
            sort_by=("tissue_id", "gene_id"),
            doc="Per-gene sQTL permutation results (grouped by gene).",
        ),
        TableSpec(
            "sqtls",
            (_c("tissue_id", STRING), _c("phenotype_id", STRING), _c("gene_id", STRING),
             _c("variant_id", STRING), *_PAIR_STATS),
            sort_by=("tissue_id", "gene_id", "phenotype_id", "variant_id"),
            doc="Significant variant-intron pairs.",
        ),
        TableSpec(
            "finemapping",
            (
                _c("tissue_id", STRING),
                _c("gene_id", STRING),
                _c("variant_id", STRING),
                _c("method", STRING, "SuSiE, DAP-G, CAVIAR"),
                _c("pip", FLOAT, "posterior inclusion probability"),
                _c("set_id", INT, "credible set index within the gene"),
                _c("set_size", INT),
            ),
            sort_by=("tissue_id", "gene_id", "method", "set_id", "variant_id"),
            doc="Fine-mapped credible-set members.",
        ),
        TableSpec(
            "metasoft",
            (
                _c("gene_id", STRING),
                _c("variant_id", STRING),
                _c("meta_p", FLOAT, "random-effects (RE2) meta-analysis p"),
                _c("tissue_id", STRING),
                _c("m_value", FLOAT, "posterior probability of an effect in the tissue"),
                _c("pval", FLOAT),
                _c("se", FLOAT),
                _c("nes", FLOAT),
            ),
            sort_by=("gene_id", "variant_id", "tissue_id"),
            doc="Multi-tissue meta-analysis, one row per gene x variant x tissue.",
        ),
        TableSpec(
            "coloc",
            (
                _c("tissue_id", STRING),
                _c("gene_id", STRING),
                _c("trait_id", STRING, "GWAS trait or study ID"),
                _c("nsnps", INT),
                _c("pp_h0", FLOAT), _c("pp_h1", FLOAT), _c("pp_h2", FLOAT),
                _c("pp_h3", FLOAT), _c("pp_h4", FLOAT),
                _o("lead_variant_id", STRING),
                _o("qtl_type", STRING, "'eqtl' or 'sqtl'"),
                _o("phenotype_id", STRING, "gene (eQTL) or intron chr:start:end:clu_N:gene (sQTL)"),
            ),
            sort_by=("trait_id", "tissue_id", "gene_id"),
            doc="Colocalization posteriors (coloc.abf / coloc.susie) per trait x tissue x "
                "gene (x intron for sQTLs).",
        ),
        TableSpec(
            "ld",
            (
                _c("gene_id", STRING, "gene whose lead variants the pair belongs to"),
                _c("variant_id_1", STRING),
                _c("variant_id_2", STRING),
                _c("r2", FLOAT),
            ),
            sort_by=("gene_id", "variant_id_1", "variant_id_2"),
            doc="LD (r2) between variants of each gene's cis region.",
        ),
        TableSpec(
            "qtl_phenotypes",
            (
                _c("tissue_id", STRING),
                _c("phenotype_id", STRING, "gene ID (eQTL) or intron ID (sQTL)"),
                _c("sample_id", STRING, "column of the phenotype BED: the donor ID in GTEx"),
                _c("value", FLOAT, "normalized (inverse-normal) expression or splicing ratio"),
            ),
            key=("tissue_id", "phenotype_id", "sample_id"),
            sort_by=("phenotype_id", "sample_id"),
            partition_by=("tissue_id",),
            doc="Per-sample normalized phenotypes the QTLs were mapped on (controlled: "
                "individual-level; serves dyneqtl / dynsqtl).",
        ),
        TableSpec(
            "qtl_covariates",
            (
                _c("tissue_id", STRING),
                _c("sample_id", STRING),
                _c("covariate_id", STRING, "e.g. PC1, InferredCov1, sex"),
                _c("value", FLOAT),
            ),
            sort_by=("tissue_id", "covariate_id", "sample_id"),
            doc="Covariates of each tissue's QTL mapping, long form (one row per value).",
        ),
        TableSpec(
            "dosages",
            (
                _c("variant_id", STRING),
                _c("sample_id", STRING, "donor ID of the genotype file"),
                _c("dosage", FLOAT, "ALT allele dosage in [0, 2], null = missing"),
            ),
            key=("variant_id", "sample_id"),
            sort_by=("variant_id", "sample_id"),
            doc="Genotype dosages of the lead variants of every gene (the same variants as the "
                "ld table; controlled: individual-level).",
        ),
    )
}

#: Tables with individual-level (controlled-access) data: never listed as open downloads and
#: served only through token-checked endpoints. ``donors`` holds exact ages.
CONTROLLED_TABLES: frozenset[str] = frozenset({"qtl_phenotypes", "qtl_covariates", "dosages",
                                               "donors"})

#: Names of all release tables, in manifest order.
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def get_table(name: str) -> TableSpec:
    """The spec of a release table.

    >>> get_table("genes").required[:3]
    ('gene_id', 'gene_name', 'gene_type')
    """
    return TABLES[name]
