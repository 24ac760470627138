"""Write the inputs of the leafcutter fixture from genotex.simulate (run with the project venv).

    .venv/bin/python tests/reference/leafcutter/make_inputs.py

* ``lung_perind.counts.gz``: the intron counts of a small simulated Lung tissue (34 samples,
  chr21, chr22, chrX) plus hand-made clusters that exercise every rule: a chrY copy (GTEx drops
  chrY), a cluster with 50 % of samples without reads (leafcutter skips > 40 % missing), one
  with 20 % (imputed), one whose ratios are constant (std < 0.005) and one of low complexity
  (33 nearly equal fractions and one outlier).
* ``exons.tsv``: GTEx's exon table (``chr start end strand gene_id gene_name``) of the
  simulated genes, plus two made-up genes: ``ENSGFAKE1`` shares both splice sites of one
  intron (a cluster mapped to two genes) and ``ENSGFAKE2`` only a 5' site of another cluster
  (assigned only when ``strict=False``).
* ``tss.tsv``: each gene's TSS as BED (``gene_id chr start end``), as pyqtl ``gtf_to_tss_bed``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from genotex.io.leafcutter import write_leafcutter_counts
from genotex.simulate.cohort import simulate_cohort
from genotex.simulate.config import SimulationConfig

HERE = Path(__file__).resolve().parent


def _cluster(num: pd.DataFrame, den: pd.DataFrame, ids: list[str], chrom: str, number: int):
    new = [f"{chrom}:{i.split(':')[1]}:{i.split(':')[2]}:clu_{number}_{i.split('_')[-1]}"
           for i in ids]
    return (num.loc[ids].set_axis(new).copy(), den.loc[ids].set_axis(new).copy())


def main() -> None:
    cfg = SimulationConfig(n_donors=40, n_genes=150, variants_per_chrom=100, tissues=("Lung",),
                           chromosomes=("chr21", "chr22", "chrX"))
    cohort = simulate_cohort(cfg)
    tissue = cohort.tissues["Lung"]
    num, den = tissue.junction_numerators.copy(), tissue.junction_denominators.copy()
    num.index.name = den.index.name = None
    n = num.shape[1]
    clusters = cohort.introns.groupby("cluster_id", sort=False)["intron_id"].apply(list)
    c21 = clusters[clusters.index.str.startswith("chr21")]
    c22 = clusters[clusters.index.str.startswith("chr22")]
    extra = [_cluster(num, den, c21.iloc[0], "chrY", 900)]
    a, b = _cluster(num, den, c22.iloc[0], "chr22", 901)
    a.iloc[:, : n // 2] = 0
    b.iloc[:, : n // 2] = 0
    extra.append((a, b))
    a, b = _cluster(num, den, c22.iloc[1], "chr22", 902)
    a.iloc[:, : n // 5] = 0
    b.iloc[:, : n // 5] = 0
    extra.append((a, b))
    s0 = 40_000_000
    d = np.arange(500, 500 + n)
    ids = [f"chr22:{s0}:{s0 + 900}:clu_903_+", f"chr22:{s0}:{s0 + 1200}:clu_903_+"]
    extra.append((pd.DataFrame([d, 0 * d], index=ids, columns=num.columns),
                  pd.DataFrame([d, d], index=ids, columns=num.columns)))
    low = np.full(n, 10_000)
    hit = 5_000 + np.arange(n)
    hit[-1] = 9_000
    ids = [f"chr22:{s0 + 5000}:{s0 + 5900}:clu_904_+", f"chr22:{s0 + 5000}:{s0 + 6200}:clu_904_+"]
    extra.append((pd.DataFrame([hit, low - hit], index=ids, columns=num.columns),
                  pd.DataFrame([low, low], index=ids, columns=num.columns)))
    num = pd.concat([num] + [e[0] for e in extra])
    den = pd.concat([den] + [e[1] for e in extra])
    write_leafcutter_counts(HERE / "lung_perind.counts.gz", num, den)

    genes = cohort.genes.set_index("gene_id")
    ex = cohort.exons.join(genes[["chrom", "strand", "gene_name"]], on="gene_id")
    ex = ex.rename(columns={"chrom": "chr"})[["chr", "start", "end", "strand", "gene_id",
                                             "gene_name"]]
    two = cohort.introns[cohort.introns["cluster_id"] == c22.index[2]].iloc[0]
    half = cohort.introns[cohort.introns["cluster_id"] == c22.index[3]].iloc[0]
    fake = pd.DataFrame([
        ("chr22", two["start"] - 100, two["start"], two["strand"], "ENSGFAKE1", "FAKE1"),
        ("chr22", two["end"], two["end"] + 100, two["strand"], "ENSGFAKE1", "FAKE1"),
        ("chr22", half["start"] - 100, half["start"], half["strand"], "ENSGFAKE2", "FAKE2"),
    ], columns=ex.columns)
    pd.concat([ex, fake]).to_csv(HERE / "exons.tsv", sep="\t", index=False)

    g = cohort.genes
    plus = g["strand"] == "+"
    tss = np.where(plus, g["start"], g["end"])
    tss_df = pd.DataFrame({"gene_id": g["gene_id"], "chr": g["chrom"], "start": tss - 1,
                           "end": tss})
    fake_tss = pd.DataFrame({"gene_id": ["ENSGFAKE1", "ENSGFAKE2"], "chr": ["chr22", "chr22"],
                             "start": [two["start"] - 101, half["start"] - 101],
                             "end": [two["start"] - 100, half["start"] - 100]})
    pd.concat([tss_df, fake_tss]).to_csv(HERE / "tss.tsv", sep="\t", index=False)


if __name__ == "__main__":
    main()
