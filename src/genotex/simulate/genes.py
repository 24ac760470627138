"""A GENCODE-like gene annotation (synthetic, or sampled from a real one) with exon structure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genotex.schema import GENE_COLUMNS, GRCH38_CHROM_LENGTHS, chrom_sort_key
from genotex.simulate._random import rng

GENE_TYPES = np.array(
    ["protein_coding", "lncRNA", "processed_pseudogene", "misc_RNA", "snRNA", "miRNA"]
)
GENE_TYPE_PROBS = np.array([0.60, 0.25, 0.08, 0.03, 0.02, 0.02])
#: log-normal median gene length (bp) and exon count range by gene type.
_MEDIAN_LENGTH = {"protein_coding": 25_000, "lncRNA": 8_000, "processed_pseudogene": 1_200,
                  "misc_RNA": 300, "snRNA": 150, "miRNA": 90}
_EXONS = {"protein_coding": (3, 14), "lncRNA": (2, 5), "unknown": (2, 8)}
_ONSETS = ("B", "BR", "C", "CH", "D", "F", "G", "GR", "H", "K", "KR", "L", "M", "N", "P", "PL",
           "R", "S", "SL", "ST", "T", "TR", "V", "W", "Z")
_VOWELS = ("A", "E", "I", "O", "U", "Y")
_CODAS = ("", "B", "C", "D", "K", "L", "M", "N", "P", "R", "S", "T", "X")
EXON_COLUMNS = ("gene_id", "exon_number", "start", "end")


def _symbols(gen: np.random.Generator, gene_types: np.ndarray) -> list[str]:
    """Made-up, unique, gene-like symbols (``TRAK3``, ``LINC01234``, ``AC012345.1``)."""
    taken: set[str] = set()
    out = []
    for gtype in gene_types:
        while True:
            if gtype == "lncRNA" and gen.random() < 0.5:
                name = f"LINC{gen.integers(100, 2800):05d}"
            elif gtype in ("lncRNA", "processed_pseudogene", "misc_RNA"):
                name = f"A{'CLP'[gen.integers(0, 3)]}{gen.integers(1000, 999999):06d}.1"
            elif gtype == "miRNA":
                name = f"MIR{gen.integers(100, 9999)}"
            elif gtype == "snRNA":
                name = f"RNU{gen.integers(1, 12)}-{gen.integers(1, 99)}P"
            else:
                stem = "".join(
                    (_ONSETS[gen.integers(0, len(_ONSETS))], _VOWELS[gen.integers(0, 6)],
                     _CODAS[gen.integers(0, len(_CODAS))])
                )
                name = stem + (str(gen.integers(1, 20)) if gen.random() < 0.6 else "")
            if name not in taken and len(name) >= 3:
                taken.add(name)
                out.append(name)
                break
    return out


def _chromosome_counts(gen: np.random.Generator, n: int, chroms: tuple[str, ...]) -> np.ndarray:
    lengths = np.array([GRCH38_CHROM_LENGTHS[c] for c in chroms], dtype=float)
    return gen.multinomial(n, lengths / lengths.sum())


def synthetic_genes(n_genes: int, chromosomes: tuple[str, ...], *, seed: int) -> pd.DataFrame:
    """A synthetic GENCODE-like annotation on the GRCh38 chromosome lengths.

    Returns
    -------
    (n_genes, 8) frame with :data:`genotex.schema.GENE_COLUMNS`, sorted by chromosome and start;
    IDs ``ENSG000001xxxxx.N``; TSS = start on ``+``, end on ``-``.

    >>> genes = synthetic_genes(5, ("chr21",), seed=1)
    >>> list(genes.columns) == list(GENE_COLUMNS), len(genes)
    (True, 5)
    """
    gen = rng(seed, "genes")
    per_chrom = _chromosome_counts(gen, n_genes, chromosomes)
    chrom = np.repeat(np.asarray(chromosomes), per_chrom)
    gtype = GENE_TYPES[gen.choice(len(GENE_TYPES), size=n_genes, p=GENE_TYPE_PROBS)]
    median = np.array([_MEDIAN_LENGTH[t] for t in gtype], dtype=float)
    length = np.maximum(60, np.round(median * np.exp(gen.normal(0, 0.8, n_genes)))).astype(int)
    clen = np.array([GRCH38_CHROM_LENGTHS[c] for c in chrom])
    margin = np.minimum(100_000, clen // 10)
    start = np.array(
        [gen.integers(m, c - m - ln) for m, c, ln in zip(margin, clen, length, strict=True)]
    )
    number = gen.choice(np.arange(100_000), size=n_genes, replace=False)
    version = gen.integers(1, 20, size=n_genes)
    strand = np.where(gen.random(n_genes) < 0.5, "+", "-")
    genes = pd.DataFrame(
        {
            "gene_id": [f"ENSG000001{k:05d}.{v}" for k, v in zip(number, version, strict=True)],
            "gene_name": _symbols(gen, gtype),
            "gene_type": gtype,
            "chrom": chrom,
            "start": start.astype(np.int64),
            "end": (start + length - 1).astype(np.int64),
            "strand": strand,
        }
    )
    return sort_genes(genes)


def sort_genes(genes: pd.DataFrame) -> pd.DataFrame:
    """Sort by (chromosome, start), set the strand-aware TSS and order the columns."""
    genes = genes.assign(_key=genes["chrom"].map(chrom_sort_key))
    genes = genes.sort_values(["_key", "start", "gene_id"], kind="stable").drop(columns="_key")
    tss = np.where(genes["strand"].to_numpy() == "+", genes["start"], genes["end"])
    genes = genes.assign(tss=tss.astype(np.int64))
    return genes[list(GENE_COLUMNS)].reset_index(drop=True)


def sample_real_genes(
    annotation: pd.DataFrame, n_genes: int, chromosomes: tuple[str, ...], *, seed: int
) -> pd.DataFrame:
    """Real genes on the simulated chromosomes, sampled down to ``n_genes`` (all if fewer).

    Parameters
    ----------
    annotation
        Genes with :data:`genotex.schema.GENE_COLUMNS` (``genotex.io.gtf.read_gene_annotation``);
        a missing ``gene_type`` is filled with ``"unknown"`` (given 2–8 exons, like a gene).
    """
    genes = annotation[annotation["chrom"].isin(chromosomes)].reset_index(drop=True)
    genes = genes[genes["end"] >= genes["start"]].reset_index(drop=True)
    if "gene_type" not in genes:
        genes = genes.assign(gene_type="unknown")
    genes = genes.assign(gene_type=genes["gene_type"].astype(object).fillna("unknown"))
    if len(genes) > n_genes:
        keep = np.sort(rng(seed, "genes").choice(len(genes), size=n_genes, replace=False))
        genes = genes.iloc[keep]
    return sort_genes(genes.reset_index(drop=True))


def simulate_exons(genes: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """Exons inside each gene: the first and last exons touch the gene ends, none overlap.

    Returns
    -------
    frame with columns ``gene_id, exon_number, start, end`` (1-based inclusive), exons numbered
    in genomic order.
    """
    gen = rng(seed, "genes", 1)
    rows: list[tuple[str, int, int, int]] = []
    for gid, gtype, start, end in genes[["gene_id", "gene_type", "start", "end"]].itertuples(
        index=False
    ):
        length = end - start + 1
        low, high = _EXONS.get(gtype, (1, 1))
        n = int(min(gen.integers(low, high + 1), max(1, length // 400)))
        if n == 1:
            rows.append((gid, 1, start, end))
            continue
        widths = np.minimum(gen.integers(80, 300, size=n), length // (2 * n))
        cuts = np.sort(gen.choice(np.arange(1, n * 50), size=n - 2, replace=False)) / (n * 50)
        slack = length - widths.sum()
        gaps = np.diff(np.concatenate([[0], np.floor(cuts * slack), [slack]])).astype(int)
        pos = start
        for i in range(n):
            rows.append((gid, i + 1, pos, pos + int(widths[i]) - 1))
            pos += int(widths[i]) + (int(gaps[i]) if i < n - 1 else 0)
        rows[-1] = (gid, n, rows[-1][2], end)  # absorbs rounding
    exons = pd.DataFrame(rows, columns=list(EXON_COLUMNS))
    return exons.astype({"exon_number": np.int64, "start": np.int64, "end": np.int64})


def exonic_length(genes: pd.DataFrame, exons: pd.DataFrame) -> np.ndarray:
    """(n_genes,) summed exon length in bp, the gene length used for TPM."""
    lengths = (exons["end"] - exons["start"] + 1).groupby(exons["gene_id"]).sum()
    return lengths.reindex(genes["gene_id"]).to_numpy(dtype=np.float64)
