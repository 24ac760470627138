"""A seeded, deterministic simulator of a GTEx-like cohort: the input files of the pipeline.

The same :class:`SimulationConfig` gives byte-identical files. Each component (donors, samples,
genes, each chromosome's genotypes, eQTLs, each tissue's expression and splicing) draws from its
own ``numpy.random.SeedSequence`` child stream, so changing one size leaves the rest unchanged.

>>> from genotex.simulate import SimulationConfig, simulate_cohort
>>> cohort = simulate_cohort(SimulationConfig(n_donors=10, n_genes=15, variants_per_chrom=100,
...                                           tissues=("Whole_Blood",), chromosomes=("chr22",)))
>>> cohort.tissues["Whole_Blood"].reads.shape[0], len(cohort.donors)
(15, 10)

What :func:`write_cohort` (and ``genotex simulate OUTDIR``) writes under ``OUTDIR``::

    annotation/genes.gtf.gz                  gene annotation (GTF; GENCODE-like or real genes)
    genotypes/cohort.vcf.gz(.tbi)            phased GT of the genotyped donors (bgzip + tabix)
    genotypes/cohort.{bed,bim,fam}           the same genotypes as PLINK 1 hard calls
    metadata/SampleAttributesDS.txt          GTEx sample attributes (SAMPID, SMTSD, SMRIN, …)
    metadata/SubjectPhenotypesDS.txt         GTEx donor phenotypes (SUBJID, SEX, AGE, DTHHRDY)
    metadata/sample_participant_lookup.txt   headerless sample_id → participant_id
    metadata/genotyped_participants.txt      donors with genotypes (others: RNA-seq only)
    expression/<tissue_id>.gene_tpm.gct.gz   gene TPM (GCT 1.2), one file per tissue
    expression/<tissue_id>.gene_reads.gct.gz gene read counts (GCT 1.2)
    splicing/<tissue_id>_perind.counts.gz    leafcutter junction counts "num/den"
    truth/eqtls.tsv                          planted cis-eQTLs (class, log2 aFC)
    truth/sqtls.tsv                          planted sQTLs (tissue, gene, cluster, intron, variant)
    truth/tissue_specific_genes.tsv          genes boosted in one or two tissues
    truth/gene_programmes.tsv                each gene's expression programme and sex effect
    simulation.json                          the config, seed and genotex version

Models: :mod:`genotex.simulate.genotypes` (haplotype blocks, neutral allele-frequency
spectrum), :mod:`genotex.simulate.expression` (negative-binomial counts, programmes,
covariates, hidden factors, eQTLs as allelic fold change) and :mod:`genotex.simulate.splicing`
(Dirichlet-multinomial intron usage, sQTLs).
"""

from __future__ import annotations

from genotex.simulate.cohort import Cohort, TissueData, simulate_cohort
from genotex.simulate.config import DEFAULT_CHROMOSOMES, DEFAULT_TISSUES, SimulationConfig
from genotex.simulate.write import CohortFiles, simulate, summarize, write_cohort

__all__ = [
    "DEFAULT_CHROMOSOMES",
    "DEFAULT_TISSUES",
    "Cohort",
    "CohortFiles",
    "SimulationConfig",
    "TissueData",
    "simulate",
    "simulate_cohort",
    "summarize",
    "write_cohort",
]
