"""Rebuild the gtex-pipeline expression-preparation fixtures in this folder.

Run with the reference environment (pyqtl = PyPI ``qtl``, pandas < 3, bgzip and tabix on PATH)::

    python3 -m venv .venv-ref-expr
    .venv-ref-expr/bin/pip install qtl "pandas<3"
    .venv-ref-expr/bin/python tests/reference/gtex_pipeline/regenerate.py \
        [--script /path/to/gtex-pipeline/qtl/src/eqtl_prepare_expression.py]

Inputs are simulated with fixed seeds (numpy only) and written here. The outputs are made by
calling pyqtl's own functions in the order ``eqtl_prepare_expression.py`` (gtex-pipeline
@ 728ea22) calls them: ``qtl.io.read_gct`` → filter → ``qtl.norm.edger_cpm`` (TMM on all genes)
or ``qtl.norm.normalize_quantiles`` → ``qtl.norm.inverse_normal_transform`` → rename samples to
participants → ``qtl.io.gtf_to_tss_bed(feature='transcript')`` → chromosome subset → merge →
``qtl.io.sort_bed`` → ``qtl.io.write_bed``. With ``--script``, the real script is also run on
the same inputs and its BED must be byte-identical to ours (nothing of it is copied here).
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import qtl.io
import qtl.norm

HERE = Path(__file__).resolve().parent
CHRS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]


def simulate_genes(rng: np.random.Generator, n: int) -> pd.DataFrame:
    chrom = rng.choice(CHRS, size=n)
    chrom[:4] = ["chrY", "chrM", "chrY", "chr1"]  # chrY/chrM are dropped by the default --chrs
    start = rng.choice(np.arange(10_000, 50_000_000, 97), size=n, replace=False)
    length = rng.integers(500, 200_000, size=n)
    return pd.DataFrame({
        "gene_id": [f"ENSG{i:011d}.{1 + i % 7}" for i in range(n)],
        "gene_name": [f"GENE{i}" for i in range(n)],
        "chrom": chrom, "start": start, "end": start + length,
        "strand": rng.choice(["+", "-"], size=n),
    })


def simulate_counts(rng: np.random.Generator, genes: pd.DataFrame, n_samples: int,
                    mean_scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(genes)
    mu = rng.gamma(0.5, mean_scale, size=n)
    mu[rng.choice(n, n // 6, replace=False)] *= 0.01          # a block of barely expressed genes
    depth = rng.uniform(0.5, 2.0, size=n_samples)
    counts = rng.negative_binomial(4, 4 / (4 + np.outer(mu, depth) + 1e-12)).astype(np.int64)
    counts[rng.choice(n, 5, replace=False)] = 0                 # all-zero genes
    eff_len = (genes["end"] - genes["start"]).to_numpy() / 1e3
    rpk = counts / eff_len[:, None]
    tpm = rpk / rpk.sum(axis=0) * 1e6
    samples = [f"GTEX-{1000 + j:04X}-0126-SM-{j:05d}" for j in range(n_samples)]
    idx = genes["gene_id"]
    return (pd.DataFrame(np.round(tpm, 4), index=idx, columns=samples),
            pd.DataFrame(counts, index=idx, columns=samples))


def write_table(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, sep="\t", index_label="gene_id", float_format="%.6g")


def write_gct(df: pd.DataFrame, path: Path) -> None:
    with gzip.open(path, "wt") as f:
        f.write(f"#1.2\n{df.shape[0]}\t{df.shape[1]}\n")
        out = df.copy()
        out.insert(0, "Description", out.index)
        out.to_csv(f, sep="\t", index_label="Name", float_format="%.6g")


def write_gtf(genes: pd.DataFrame, path: Path) -> None:
    with open(path, "w") as f:
        f.write("##description: collapsed-style test model\n")
        for g in genes.itertuples():
            attrs = (f'gene_id "{g.gene_id}"; transcript_id "{g.gene_id}"; '
                     f'gene_type "protein_coding"; gene_name "{g.gene_name}";')
            for feature in ("gene", "transcript"):
                f.write(f"{g.chrom}\tSIM\t{feature}\t{g.start}\t{g.end}\t.\t{g.strand}\t.\t"
                        f"{attrs}\n")


def reference_bed(tmp: Path, case: str, opts: dict[str, object],
                  sample_ids: list[str] | None) -> Path:
    """pyqtl calls in the script's order; returns the written .bed.gz."""
    counts_df = qtl.io.read_gct(str(tmp / f"{case}.counts.gct.gz"), sample_ids=sample_ids,
                                load_description=False)
    tpm_df = qtl.io.read_gct(str(tmp / f"{case}.tpm.gct.gz"), sample_ids=sample_ids,
                             load_description=False)
    lookup = pd.read_csv(HERE / f"{case}.sample_participant_lookup.tsv", sep="\t", index_col=0,
                         header=None, dtype=str).squeeze("columns")
    assert counts_df.columns.equals(tpm_df.columns)
    ns = tpm_df.shape[1]
    frac, mode = opts["sample_frac_threshold"], str(opts["normalization_method"])
    mask = ((np.sum(tpm_df >= opts["tpm_threshold"], axis=1) >= frac * ns)
            & (np.sum(counts_df >= opts["count_threshold"], axis=1) >= frac * ns)).values
    if mode == "tmm":
        tmm_counts_df = qtl.norm.edger_cpm(counts_df, normalized_lib_sizes=True)
        norm_df = qtl.norm.inverse_normal_transform(tmm_counts_df[mask])
    else:
        norm_df = qtl.norm.inverse_normal_transform(qtl.norm.normalize_quantiles(tpm_df.loc[mask]))
    norm_df = norm_df.rename(columns=lookup)
    template = qtl.io.gtf_to_tss_bed(str(tmp / "genes.gtf"), feature="transcript")
    template = template[template["chr"].isin(CHRS)]
    bed_df = pd.merge(template, norm_df, left_index=True, right_index=True)
    qtl.io.sort_bed(bed_df, inplace=True)
    out = HERE / f"{case}.expression.bed.gz"
    qtl.io.write_bed(bed_df, str(out))
    Path(str(out) + ".tbi").unlink()
    return out


CASES = {
    # case: (inputs, options, sample subset)
    "tmm_default": ("a", {"tpm_threshold": 0.1, "count_threshold": 6,
                          "sample_frac_threshold": 0.2, "normalization_method": "tmm"}, None),
    "tmm_strict": ("b", {"tpm_threshold": 0.5, "count_threshold": 10,
                         "sample_frac_threshold": 0.3, "normalization_method": "tmm"}, "subset"),
    "qn_default": ("a", {"tpm_threshold": 0.1, "count_threshold": 6,
                         "sample_frac_threshold": 0.2, "normalization_method": "qn"}, None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--script", help="eqtl_prepare_expression.py to cross-check against")
    args = parser.parse_args()
    rng = np.random.default_rng(20240603)
    genes = simulate_genes(rng, 300)
    genes.to_csv(HERE / "genes.tsv", sep="\t", index=False)
    data = {"a": simulate_counts(rng, genes, 40, 300.0),
            "b": simulate_counts(rng, genes.iloc[:250], 36, 40.0)}  # low counts, many ties
    subset = list(rng.permutation(data["b"][0].columns)[:30])
    for key, (tpm, counts) in data.items():
        write_table(tpm, HERE / f"input_{key}.tpm.tsv.gz")
        write_table(counts, HERE / f"input_{key}.counts.tsv.gz")
    (HERE / "tmm_strict.sample_ids.txt").write_text("\n".join(subset) + "\n")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        write_gtf(genes, tmp / "genes.gtf")
        for case, (key, opts, sub) in CASES.items():
            tpm, counts = data[key]
            write_gct(pd.read_csv(HERE / f"input_{key}.tpm.tsv.gz", sep="\t", index_col=0),
                      tmp / f"{case}.tpm.gct.gz")
            write_gct(counts, tmp / f"{case}.counts.gct.gz")
            lookup = pd.Series(["-".join(s.split("-")[:2]) for s in tpm.columns], tpm.columns)
            lookup.to_csv(HERE / f"{case}.sample_participant_lookup.tsv", sep="\t", header=False)
            ours = reference_bed(tmp, case, opts, subset if sub else None)
            if args.script:
                cmd = [sys.executable, args.script, str(tmp / f"{case}.tpm.gct.gz"),
                       str(tmp / f"{case}.counts.gct.gz"), str(tmp / "genes.gtf"),
                       str(HERE / f"{case}.sample_participant_lookup.tsv"), case, "-o", d,
                       *[f"--{k}={v}" for k, v in opts.items()]]
                if sub:
                    cmd.append(f"--sample_ids={HERE / 'tmm_strict.sample_ids.txt'}")
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                theirs = tmp / f"{case}.expression.bed.gz"
                with gzip.open(theirs) as a, gzip.open(ours) as b:
                    same = a.read() == b.read()
                print(f"{case}: script output identical: {same}")
                if not same:
                    sys.exit(1)
    print("done")


if __name__ == "__main__":
    main()
