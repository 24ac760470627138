"""genotex.io: the only code that parses input files.

Readers return schema-named frames/arrays (see :mod:`genotex.schema`) and raise
:class:`genotex.errors.InputError` naming the file, the line when known, and the fix.
"""

from genotex.io._checks import check_chrom_naming_matches
from genotex.io.attributes import (
    read_sample_attributes,
    read_sample_participant_lookup,
    read_subject_attributes,
    write_sample_attributes,
    write_sample_participant_lookup,
    write_subject_attributes,
)
from genotex.io.bed import PhenotypeBed, read_phenotype_bed, write_phenotype_bed
from genotex.io.covariates import read_covariates, write_covariates
from genotex.io.gct import read_gct, write_gct
from genotex.io.genotypes import GenotypeChunk, GenotypeReader, VariantTable, open_genotypes
from genotex.io.gtf import read_gene_annotation, write_gtf
from genotex.io.leafcutter import (
    read_leafcutter_counts,
    read_leafcutter_numerators,
    write_leafcutter_counts,
    write_leafcutter_numerators,
)
from genotex.io.pgen import PgenWriter, write_pgen
from genotex.io.plink import PlinkWriter, write_plink
from genotex.io.vcf import write_vcf

__all__ = [
    "GenotypeChunk",
    "GenotypeReader",
    "PgenWriter",
    "PhenotypeBed",
    "PlinkWriter",
    "VariantTable",
    "check_chrom_naming_matches",
    "open_genotypes",
    "read_covariates",
    "read_gct",
    "read_gene_annotation",
    "read_leafcutter_counts",
    "read_leafcutter_numerators",
    "read_phenotype_bed",
    "read_sample_attributes",
    "read_sample_participant_lookup",
    "read_subject_attributes",
    "write_covariates",
    "write_gct",
    "write_gtf",
    "write_leafcutter_counts",
    "write_leafcutter_numerators",
    "write_pgen",
    "write_phenotype_bed",
    "write_plink",
    "write_sample_attributes",
    "write_sample_participant_lookup",
    "write_subject_attributes",
    "write_vcf",
]
