"""Clean-room transcription of the leafcutter / GTEx sQTL phenotype preparation.

THIS IS NOT THE REFERENCE TOOL. leafcutter is not on PyPI, so this script re-expresses, step
by step and in its own code, what these published sources do (read at the commits pinned in
QTL_SPEC §0):

* gtex-pipeline @ 728ea22 ``qtl/leafcutter/src/cluster_prepare_fastqtl.py``:
  ``filter_counts``, ``map_cluster_to_genes`` (strict and non-strict), the BED sort, the
  "adding TSSs" loop and the phenotype-groups file;
* leafcutter @ 2c9907e ``scripts/prepare_phenotype_table.py``: the ratio / NA / std rules,
  ``sklearn.preprocessing.scale`` per intron, ``qqnorm`` per sample, the output sort.

It uses the same libraries as those scripts (pandas, numpy, scipy, scikit-learn), so it runs
in the tensorQTL reference environment after ``pip install scikit-learn``:

    .venv-ref-tqtl/bin/python tests/reference/leafcutter/transcription.py

Not transcribed: the PCA outputs, the ``.ave`` file and the sample → participant renaming.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata
from sklearn import preprocessing

HERE = Path(__file__).resolve().parent
COUNTS = HERE / "lung_perind.counts.gz"
GZIP = {"method": "gzip", "mtime": 0}  # reproducible bytes


def gzip_text(path: Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")


# ---- gtex-pipeline: filter_counts -------------------------------------------------------
def gtex_filter_counts(counts: pd.DataFrame) -> pd.DataFrame:
    def fraction(cell: str) -> float:
        a, b = (int(v) for v in cell.split("/"))
        return float(a) / float(b) if b > 0 else 0

    frac = counts.map(fraction)
    zero_share = (frac == 0).sum(1) / frac.shape[1]
    distinct = frac.apply(lambda row: len(row.unique()), axis=1)
    z = ((frac.T - frac.mean(1)) / frac.std(1)).T
    need = np.floor(frac.shape[1] * 0.1)
    need = 10 if need < 10 else need
    keep = (zero_share <= 0.5) & (distinct >= need)
    ns = z.shape[1]
    low_complexity = ((z.abs() < 0.25).sum(1) >= ns - 3) & ((z.abs() > 6).sum(1) <= 3)
    keep = keep & ~low_complexity
    out = counts.loc[keep].copy()
    return out[~out.index.str.startswith(("chrY:", "Y:"))]


# ---- leafcutter: prepare_phenotype_table.py ---------------------------------------------
def leafcutter_qqnorm(x: np.ndarray) -> np.ndarray:
    n = len(x)
    a = 3.0 / 8.0 if n <= 10 else 0.5
    return norm.ppf((rankdata(x) - a) / (n + 1.0 - 2.0 * a))


def leafcutter_prepare(counts: pd.DataFrame, blacklist=("X", "Y")):
    """Returns (phen_lines, qqnorm_lines): the rows of the .phen_ and .qqnorm_ files."""
    samples = list(counts.columns)
    kept_ids, raw_rows, scaled_rows = [], [], []
    for intron_id, cells in zip(counts.index, counts.itertuples(index=False), strict=True):
        if intron_id.split(":")[0] in list(blacklist):
            continue
        values, n_missing, observed = [], 0, []
        for cell in cells:
            a, b = cell.split("/")
            if float(b) < 1:
                values.append(None)
                n_missing += 1
            else:
                r = (float(a) + 0.5) / (float(b) + 0.5)
                values.append(r)
                observed.append(r)
        if n_missing > len(values) * 0.4:
            continue
        fill = np.mean(observed)
        row = [fill if v is None else v for v in values]
        if np.std(row) < 0.005:
            continue
        kept_ids.append(intron_id)
        raw_rows.append(row)
        scaled_rows.append(preprocessing.scale(row))
    matrix = np.array(scaled_rows)
    for j in range(matrix.shape[1]):
        matrix[:, j] = leafcutter_qqnorm(matrix[:, j])
    phen = [(i.split(":")[0], i.split(":")[1], i.split(":")[2], i, [str(v) for v in r])
            for i, r in zip(kept_ids, raw_rows, strict=True)]
    lines = []
    for i, r in zip(kept_ids, matrix, strict=True):
        c, s, e = i.split(":")[:3]
        lines.append((c, int(s), "\t".join([c, s, e, i] + [str(v) for v in r]) + "\n"))
    lines.sort()
    return samples, phen, lines


# ---- gtex-pipeline: map_cluster_to_genes -------------------------------------------------
def gtex_map_clusters(counts: pd.DataFrame, exons: pd.DataFrame, *, strict: bool) -> pd.Series:
    introns = pd.DataFrame([i.split(":") for i in counts.index],
                           columns=["chr", "start", "end", "clu"])
    introns["start"] = introns["start"].astype(np.int32)
    introns["end"] = introns["end"].astype(np.int32)
    found = []
    for c in sorted(introns["chr"].unique()):
        ic = introns[introns["chr"] == c]
        ec = exons[exons["chr"] == c]
        five = ic.merge(ec, left_on="start", right_on="end", how="inner")
        three = ic.merge(ec, left_on="end", right_on="start", how="inner")
        if strict:
            s5 = {tuple(v) for v in five[["clu", "gene_id"]].drop_duplicates().values}
            s3 = {tuple(v) for v in three[["clu", "gene_id"]].drop_duplicates().values}
            both = pd.DataFrame(sorted(s5 & s3), columns=["clu", "gene_id"])  # sorted: see README
        else:
            both = pd.concat([three, five])[["clu", "gene_id"]].drop_duplicates()
        both["clu"] = c + ":" + both["clu"]
        found.append(both)
    found = pd.concat(found).reset_index(drop=True)
    return found.groupby("clu", sort=True).apply(
        lambda x: ",".join(x["gene_id"]), include_groups=False).rename("genes")


# ---- gtex-pipeline: BED with TSSs and phenotype groups -----------------------------------
def gtex_bed(samples, lines, clu_s: pd.Series, tss: pd.DataFrame):
    bed = pd.DataFrame([ln[2].rstrip("\n").split("\t") for ln in lines],
                       columns=["chr", "start", "end", "ID", *samples])
    bed["chr_ix"] = bed["chr"].str.replace("chr", "").str.replace("X", "23").astype(np.int32)
    for col in ["start", "end"]:
        bed[col] = bed[col].astype(np.int32)
    bed = bed.sort_values(["chr_ix", "start", "end"]).drop("chr_ix", axis=1)
    genes_of = clu_s.to_dict()
    tss = tss.set_index("gene_id")
    out, groups = [], {}
    for _, r in bed.iterrows():
        parts = r["ID"].split(":")
        key = parts[0] + ":" + parts[-1]
        if key not in genes_of:
            continue
        for g in genes_of[key].split(","):
            pid = r["ID"] + ":" + g
            out.append([*tss.loc[g, ["chr", "start", "end"]].tolist(), pid, *r.iloc[4:].tolist()])
            groups[pid] = g
    gene_bed = pd.DataFrame(out, columns=bed.columns)
    gene_bed = pd.concat([gdf.sort_values(["start", "end"])
                          for _, gdf in gene_bed.groupby("chr", sort=False, as_index=False)])
    return gene_bed.reset_index(drop=True), pd.Series(groups).sort_values(kind="stable")


def main() -> None:
    with gzip.open(COUNTS, "rt") as fh:
        counts = pd.read_csv(fh, sep=r"\s+", index_col=0, dtype=str)
    exons = pd.read_csv(HERE / "exons.tsv", sep="\t")
    tss = pd.read_csv(HERE / "tss.tsv", sep="\t")

    filtered = gtex_filter_counts(counts)
    (HERE / "filtered_introns.txt").write_text("\n".join(filtered.index) + "\n")

    samples, phen, lines = leafcutter_prepare(counts)
    with gzip_text(HERE / "prepare_unfiltered.phen.tsv.gz") as fh:
        fh.write("\t".join(["#Chr", "start", "end", "ID", *samples]) + "\n")
        for c, s, e, i, vals in phen:
            fh.write("\t".join([c, s, e, i, *vals]) + "\n")
    with gzip_text(HERE / "prepare_unfiltered.qqnorm.tsv.gz") as fh:
        fh.write("\t".join(["#Chr", "start", "end", "ID", *samples]) + "\n")
        fh.writelines(ln[2] for ln in lines)

    for strict in (True, False):
        clu = gtex_map_clusters(counts, exons, strict=strict)
        clu.to_csv(HERE / f"clusters_to_genes.{'strict' if strict else 'nonstrict'}.tsv",
                   sep="\t")
    samples, _, lines = leafcutter_prepare(filtered)
    bed, groups = gtex_bed(samples, lines, gtex_map_clusters(counts, exons, strict=True), tss)
    bed.rename(columns={"chr": "#chr"}).to_csv(HERE / "leafcutter.bed.tsv.gz", sep="\t",
                                               index=False, compression=GZIP)
    groups.to_csv(HERE / "phenotype_groups.txt", sep="\t", header=False)


if __name__ == "__main__":
    main()
