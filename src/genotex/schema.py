"""Every table genotex reads or writes: names, column order and coordinate conventions.

Conventions
-----------
* Positions of variants and genes are **1-based, inclusive** (VCF/GTF/GTEx style), except in
  BED files, which are 0-based half-open as the format demands (``start = pos - 1``).
* Chromosomes are named with the ``chr`` prefix (``chr1`` … ``chr22``, ``chrX``, ``chrY``,
  ``chrM``), as GTEx v8 does on GRCh38.
* Genotype dosages count the **ALT** allele, in [0, 2]; missing is NaN.
* Variant IDs have the GTEx form ``chr1_12345_A_G_b38`` (chrom, pos, ref, alt, build).
* Sample IDs have the GTEx form ``GTEX-1117F-0226-SM-5GZZ7``; the donor (subject) ID is the
  first two dash-separated fields (``GTEX-1117F``).
"""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = "0.1"

#: GRCh38 primary-assembly chromosome lengths (bp).
GRCH38_CHROM_LENGTHS: Final[dict[str, int]] = {
    "chr1": 248_956_422, "chr2": 242_193_529, "chr3": 198_295_559, "chr4": 190_214_555,
    "chr5": 181_538_259, "chr6": 170_805_979, "chr7": 159_345_973, "chr8": 145_138_636,
    "chr9": 138_394_717, "chr10": 133_797_422, "chr11": 135_086_622, "chr12": 133_275_309,
    "chr13": 114_364_328, "chr14": 107_043_718, "chr15": 101_991_189, "chr16": 90_338_345,
    "chr17": 83_257_441, "chr18": 80_373_285, "chr19": 58_617_616, "chr20": 64_444_167,
    "chr21": 46_709_983, "chr22": 50_818_468, "chrX": 156_040_895, "chrY": 57_227_415,
    "chrM": 16_569,
}

#: Canonical chromosome order.
CHROMOSOMES: Final[tuple[str, ...]] = tuple(GRCH38_CHROM_LENGTHS)

# --- gene annotation (one row per gene; GENCODE-like) ------------------------------------------
GENE_COLUMNS: Final = (
    "gene_id",      # versioned Ensembl ID, e.g. ENSG00000223972.5
    "gene_name",    # symbol
    "gene_type",    # protein_coding, lncRNA, ...
    "chrom",
    "start",        # 1-based inclusive
    "end",          # 1-based inclusive
    "strand",       # "+" or "-"
    "tss",          # 1-based: start on "+", end on "-"
)

# --- variants (one row per biallelic variant) ---------------------------------------------------
VARIANT_COLUMNS: Final = ("variant_id", "chrom", "pos", "ref", "alt")

# --- GTEx sample attributes (SampleAttributesDS) ------------------------------------------------
SAMPLE_ATTRIBUTE_COLUMNS: Final = (
    "SAMPID",    # sample ID
    "SMTS",      # tissue type (e.g. "Adipose Tissue")
    "SMTSD",     # detailed tissue (e.g. "Adipose - Subcutaneous")
    "SMUBRID",   # UBERON ID without prefix
    "SMRIN",     # RNA integrity number
    "SMCENTER",  # collection centre code (B1, C1, D1)
    "SMTSISCH",  # ischemic time (minutes)
    "SMNABTCHT", # nucleic acid isolation batch type
    "SMGEBTCH",  # genotype/expression batch ID
    "SMAFRZE",   # analysis freeze ("RNASEQ")
    "SMMAPRT",   # mapping rate
    "SMRRNART",  # rRNA rate
)

# --- GTEx subject phenotypes (SubjectPhenotypesDS) ----------------------------------------------
SUBJECT_ATTRIBUTE_COLUMNS: Final = (
    "SUBJID",  # donor ID, e.g. GTEX-1117F
    "SEX",     # 1 = male, 2 = female
    "AGE",     # 10-year bracket: 20-29 ... 70-79
    "DTHHRDY", # Hardy scale 0-4 (death classification)
)

AGE_BRACKETS: Final = ("20-29", "30-39", "40-49", "50-59", "60-69", "70-79")

# --- phenotype BED (tensorQTL / FastQTL / QTLtools) ---------------------------------------------
BED_COORD_COLUMNS: Final = ("#chr", "start", "end", "phenotype_id")
#: QTLtools' six-column layout adds these two after ``phenotype_id``.
QTLTOOLS_BED_EXTRA_COLUMNS: Final = ("gid", "strand")

# --- simulator ground truth -----------------------------------------------------------------------
TRUTH_EQTL_COLUMNS: Final = (
    "tissue_id", "gene_id", "variant_id", "effect_class", "effect_size",
)
TRUTH_SQTL_COLUMNS: Final = (
    "tissue_id", "gene_id", "cluster_id", "intron_id", "variant_id", "effect_size",
)


def variant_id(chrom: str, pos: int, ref: str, alt: str, build: str = "b38") -> str:
    """Build a GTEx-style variant ID.

    >>> variant_id("chr1", 12345, "A", "G")
    'chr1_12345_A_G_b38'
    """
    return f"{chrom}_{pos}_{ref}_{alt}_{build}"


def donor_id(sample_id: str) -> str:
    """The donor (subject) ID of a GTEx sample ID.

    >>> donor_id("GTEX-1117F-0226-SM-5GZZ7")
    'GTEX-1117F'
    """
    return "-".join(sample_id.split("-")[:2])


def chrom_sort_key(chrom: str) -> int:
    """Sort key for chromosome names: ``chr1`` < … < ``chr22`` < ``chrX`` < ``chrY`` < ``chrM``.

    Unknown contigs sort after the canonical ones.

    >>> sorted(["chrX", "chr10", "chr2"], key=chrom_sort_key)
    ['chr2', 'chr10', 'chrX']
    """
    try:
        return CHROMOSOMES.index(chrom)
    except ValueError:
        return len(CHROMOSOMES)
