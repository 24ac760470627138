"""Write a simulated cohort as the GTEx-format input files of the pipeline (layout: see package)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from genotex.schema import (
    GENE_COLUMNS,
    SAMPLE_ATTRIBUTE_COLUMNS,
    SCHEMA_VERSION,
    SUBJECT_ATTRIBUTE_COLUMNS,
    VARIANT_COLUMNS,
)
from genotex.simulate.cohort import Cohort, simulate_cohort
from genotex.simulate.config import SimulationConfig


@dataclass(frozen=True)
class CohortFiles:
    """Paths of everything :func:`write_cohort` wrote (all under ``outdir``)."""

    outdir: Path
    genes_gtf: Path
    vcf: Path
    vcf_index: Path
    plink_prefix: Path
    sample_attributes: Path
    subject_phenotypes: Path
    sample_participant_lookup: Path
    genotyped_participants: Path
    #: tissue_id → ``expression/<tissue_id>.gene_tpm.gct.gz``
    gene_tpm: Mapping[str, Path]
    #: tissue_id → ``expression/<tissue_id>.gene_reads.gct.gz``
    gene_reads: Mapping[str, Path]
    #: tissue_id → ``splicing/<tissue_id>_perind.counts.gz``
    leafcutter_counts: Mapping[str, Path]
    truth_eqtls: Path
    truth_sqtls: Path
    tissue_specific_genes: Path
    gene_programmes: Path
    simulation_json: Path
    #: Headline numbers: donors, genotyped donors, samples per tissue, genes, variants, eQTLs.
    summary: Mapping[str, object]

    def paths(self) -> list[Path]:
        """Every file written, sorted."""
        out = [self.genes_gtf, self.vcf, self.vcf_index, self.sample_attributes,
               self.subject_phenotypes, self.sample_participant_lookup,
               self.genotyped_participants, self.truth_eqtls, self.truth_sqtls,
               self.tissue_specific_genes, self.gene_programmes, self.simulation_json]
        out += [self.plink_prefix.with_suffix(s) for s in (".bed", ".bim", ".fam")]
        for table in (self.gene_tpm, self.gene_reads, self.leafcutter_counts):
            out += list(table.values())
        return sorted(out)


def summarize(cohort: Cohort) -> dict[str, object]:
    """Headline numbers of a cohort (what ``genotex simulate`` prints)."""
    truth = cohort.truth_eqtls
    return {
        "donors": len(cohort.donors),
        "genotyped_donors": int(cohort.genotyped.sum()),
        "samples_per_tissue": {t: d.reads.shape[1] for t, d in cohort.tissues.items()},
        "genes": len(cohort.genes),
        "variants": len(cohort.genotypes.variants),
        "chromosomes": list(cohort.config.chromosomes),
        "egenes": int(truth["gene_id"].nunique()),
        "eqtls_by_class": {k: int(v) for k, v in
                           truth.drop_duplicates(["gene_id", "variant_id"])["effect_class"]
                           .value_counts().sort_index().items()},
        "intron_clusters": int(cohort.introns["cluster_id"].nunique()),
        "sqtls": int(cohort.truth_sqtls["cluster_id"].nunique()),
    }


def _layout(outdir: Path, tissues: tuple[str, ...], summary: dict[str, object]) -> CohortFiles:
    expr, meta, truth = outdir / "expression", outdir / "metadata", outdir / "truth"
    return CohortFiles(
        outdir=outdir,
        genes_gtf=outdir / "annotation" / "genes.gtf.gz",
        vcf=outdir / "genotypes" / "cohort.vcf.gz",
        vcf_index=outdir / "genotypes" / "cohort.vcf.gz.tbi",
        plink_prefix=outdir / "genotypes" / "cohort",
        sample_attributes=meta / "SampleAttributesDS.txt",
        subject_phenotypes=meta / "SubjectPhenotypesDS.txt",
        sample_participant_lookup=meta / "sample_participant_lookup.txt",
        genotyped_participants=meta / "genotyped_participants.txt",
        gene_tpm=MappingProxyType({t: expr / f"{t}.gene_tpm.gct.gz" for t in tissues}),
        gene_reads=MappingProxyType({t: expr / f"{t}.gene_reads.gct.gz" for t in tissues}),
        leafcutter_counts=MappingProxyType(
            {t: outdir / "splicing" / f"{t}_perind.counts.gz" for t in tissues}),
        truth_eqtls=truth / "eqtls.tsv",
        truth_sqtls=truth / "sqtls.tsv",
        tissue_specific_genes=truth / "tissue_specific_genes.tsv",
        gene_programmes=truth / "gene_programmes.tsv",
        simulation_json=outdir / "simulation.json",
        summary=MappingProxyType(summary),
    )


def _write_tsv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        frame.to_csv(fh, sep="\t", index=False, lineterminator="\n", float_format="%.6g")


def _genes_with_exons(cohort: Cohort) -> pd.DataFrame:
    """Genes plus per-gene ``exon_starts`` / ``exon_ends`` lists (what ``write_gtf`` takes)."""
    by_gene = cohort.exons.groupby("gene_id", sort=False)
    starts = by_gene["start"].agg(list).reindex(cohort.genes["gene_id"])
    ends = by_gene["end"].agg(list).reindex(cohort.genes["gene_id"])
    return cohort.genes[list(GENE_COLUMNS)].assign(
        exon_starts=starts.to_numpy(), exon_ends=ends.to_numpy())


def _write_genotypes(cohort: Cohort, files: CohortFiles) -> None:
    from genotex.io.plink import write_plink
    from genotex.io.vcf import write_vcf

    g = cohort.genotypes
    keep = cohort.genotyped
    hap = g.haplotypes[:, keep]
    geno = hap.sum(axis=2, dtype=np.int8)
    if g.missing is not None:
        miss = g.missing[:, keep]
        hap = np.where(miss[:, :, None], np.int8(-1), hap).astype(np.int8)
        geno = np.where(miss, np.int8(-1), geno).astype(np.int8)
    variants = g.variants[list(VARIANT_COLUMNS)]
    samples = cohort.genotyped_donors
    write_vcf(files.vcf, variants, samples, hap, phased=True)
    sex = cohort.donors["SEX"].to_numpy()[keep].tolist()
    write_plink(files.plink_prefix, variants, samples, geno, sex=sex)


def _write_metadata(cohort: Cohort, files: CohortFiles) -> None:
    from genotex.io.attributes import (
        write_sample_attributes,
        write_sample_participant_lookup,
        write_subject_attributes,
    )

    write_sample_attributes(cohort.samples[list(SAMPLE_ATTRIBUTE_COLUMNS)],
                            files.sample_attributes)
    write_subject_attributes(cohort.donors[list(SUBJECT_ATTRIBUTE_COLUMNS)],
                             files.subject_phenotypes)
    write_sample_participant_lookup(cohort.sample_participant_lookup,
                                    files.sample_participant_lookup)
    files.genotyped_participants.write_text(
        "".join(f"{d}\n" for d in cohort.genotyped_donors), encoding="utf-8")


def _write_tissue(cohort: Cohort, files: CohortFiles, tissue_id: str) -> None:
    from genotex.io.gct import write_gct
    from genotex.io.leafcutter import write_leafcutter_counts

    data = cohort.tissues[tissue_id]
    names = pd.Series(cohort.genes["gene_name"].to_numpy(), index=cohort.genes["gene_id"])
    write_gct(data.tpm, files.gene_tpm[tissue_id], description=names, float_format="%.6g")
    write_gct(data.reads, files.gene_reads[tissue_id], description=names)
    write_leafcutter_counts(files.leafcutter_counts[tissue_id], data.junction_numerators,
                            data.junction_denominators)


def _write_truth(cohort: Cohort, files: CohortFiles) -> None:
    from genotex import __version__

    _write_tsv(cohort.truth_eqtls, files.truth_eqtls)
    _write_tsv(cohort.truth_sqtls, files.truth_sqtls)
    _write_tsv(cohort.tissue_specific_genes, files.tissue_specific_genes)
    _write_tsv(cohort.programmes, files.gene_programmes)
    record = {
        "genotex_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "seed": cohort.config.seed,
        "config": cohort.config.to_dict(),
    }
    files.simulation_json.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n",
                                     encoding="utf-8")


def write_cohort(cohort: Cohort, outdir: str | Path, *, progress: bool = True) -> CohortFiles:
    """Write ``cohort`` under ``outdir`` in GTEx input formats; returns the paths written.

    Same cohort → byte-identical files (gzip/BGZF headers carry no time stamp).
    """
    from genotex.io.gtf import write_gtf

    files = _layout(Path(outdir), cohort.config.tissue_ids, summarize(cohort))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("annotation", lambda: write_gtf(files.genes_gtf, _genes_with_exons(cohort))),
        ("genotypes", lambda: _write_genotypes(cohort, files)),
        ("metadata", lambda: _write_metadata(cohort, files)),
    ]
    steps += [(t, functools.partial(_write_tissue, cohort, files, t))
              for t in cohort.config.tissue_ids]
    steps.append(("truth", lambda: _write_truth(cohort, files)))
    with tqdm(total=len(steps), desc="writing", unit="part", disable=not progress) as bar:
        for label, action in steps:
            bar.set_postfix_str(label)
            action()
            bar.update()
    return files


def simulate(outdir: str | Path, config: SimulationConfig | None = None, *,
             progress: bool = True) -> CohortFiles:
    """Simulate a cohort and write it: :func:`simulate_cohort` then :func:`write_cohort`."""
    config = config or SimulationConfig()
    n_steps = 4 + len(config.tissue_ids)
    with tqdm(total=n_steps, desc="simulating", unit="part", disable=not progress) as bar:
        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update()

        cohort = simulate_cohort(config, on_step=step)
    return write_cohort(cohort, outdir, progress=progress)
