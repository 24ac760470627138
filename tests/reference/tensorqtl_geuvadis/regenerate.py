"""Regenerate the tensorQTL 1.0.10 golden outputs on the GEUVADIS chr22 example.

Run with the reference environment (see ../tensorqtl/README.md) on a machine with Debian's
``qtltools-example`` and ``plink2``:

    .venv-ref-tqtl/bin/python tests/reference/tensorqtl_geuvadis/regenerate.py

Steps: extract ``/usr/share/doc/qtltools/examples/examples.tar.xz`` to a temporary folder; write
the 4-column phenotype BED and the covariates (tab-separated, short IDs) as
``/work/shared/peers/prepare_geuvadis.py`` does; convert the VCF to a PLINK 2 fileset with
``plink2 --vcf … --make-pgen`` (tensorQTL reads PLINK, not VCF); run ``cis.map_cis`` on all 608
genes (nperm=1000, seed=1, maf_threshold=0.01, window=1 Mb, one torch thread) and
``cis.map_nominal`` on every 90th gene of the BED (7 genes; the fixture is kept small).
A ``variant_id_b38`` column (``chr22_<pos>_<ref>_<alt>_b38``, genotex's ID of the same variant)
is added beside tensorQTL's ``variant_id`` (the VCF ID, ``22_<pos>``).
"""

from __future__ import annotations

import glob
import gzip
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TARBALL = Path("/usr/share/doc/qtltools/examples/examples.tar.xz")
NPERM = 1000
SEED = 1
MAF = 0.01
WINDOW = 1_000_000
NOMINAL_EVERY = 90  # nominal pairs for genes 0, 90, 180, … of the BED (7 genes)


def prepare(d: Path) -> tuple[Path, Path, Path]:
    """4-column BED, covariates x samples TSV and a pgen prefix from the extracted example."""
    with gzip.open(d / "genes.50percent.chr22.bed.gz", "rt") as fi:
        rows = [line.rstrip("\n").split("\t") for line in fi]
    rows[0][3] = "phenotype_id"
    samples = rows[0][6:]
    bed = d / "phenotypes.bed"
    bed.write_text("".join("\t".join(r[:4] + r[6:]) + "\n" for r in rows))
    with gzip.open(d / "genes.covariates.pc50.txt.gz", "rt") as fi:
        cov = [line.split() for line in fi if line.strip()]
    col = [cov[0][1:].index(s) + 1 for s in samples]
    cov_path = d / "covariates.txt"
    cov_path.write_text("\t".join(["id", *samples]) + "\n" + "".join(
        "\t".join([os.path.basename(r[0])] + [r[c] for c in col]) + "\n" for r in cov[1:]))
    subprocess.run(["plink2", "--vcf", str(d / "genotypes.chr22.vcf.gz"), "--output-chr",
                    "chrM", "--make-pgen", "pvar-cols=-info", "--threads", "1", "--out",
                    str(d / "geno")], check=True, stdout=subprocess.DEVNULL)
    return bed, cov_path, d / "geno"


def b38_ids(pvar: Path) -> pd.Series:
    """tensorQTL variant ID -> genotex ID (chrom_pos_ref_alt_b38) from the pvar."""
    skip = sum(1 for line in pvar.open() if line.startswith("##"))
    v = pd.read_csv(pvar, sep="\t", skiprows=skip, dtype=str)
    v = v.rename(columns={"#CHROM": "chrom"})
    ids = v["chrom"] + "_" + v["POS"] + "_" + v["REF"] + "_" + v["ALT"] + "_b38"
    return pd.Series(ids.to_numpy(), index=v["ID"].to_numpy())


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from tensorqtl import cis, core, genotypeio

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        with tarfile.open(TARBALL) as tar:
            tar.extractall(d, filter="data")
        bed, cov_path, geno = prepare(d)
        phenotype_df, pos_df = core.read_phenotype_bed(str(bed))
        cov_df = pd.read_csv(cov_path, sep="\t", index_col=0).T.loc[phenotype_df.columns]
        genotype_df, variant_df = genotypeio.load_genotypes(str(geno))
        to_b38 = b38_ids(Path(f"{geno}.pvar"))

        perm = cis.map_cis(genotype_df, variant_df, phenotype_df, pos_df,
                           covariates_df=cov_df, maf_threshold=MAF, nperm=NPERM,
                           window=WINDOW, seed=SEED, verbose=False)
        perm["variant_id_b38"] = to_b38.loc[perm["variant_id"]].to_numpy()
        perm.index.name = "phenotype_id"
        perm.to_parquet(HERE / "cis_permutation.parquet")

        genes = phenotype_df.index[::NOMINAL_EVERY]
        cis.map_nominal(genotype_df, variant_df, phenotype_df.loc[genes], pos_df.loc[genes],
                        "nom", covariates_df=cov_df, maf_threshold=MAF, window=WINDOW,
                        output_dir=tmp, verbose=False)
        nom = pd.concat([pd.read_parquet(p) for p in sorted(glob.glob(f"{tmp}/nom.*.parquet"))])
        nom["variant_id_b38"] = to_b38.loc[nom["variant_id"]].to_numpy()
        keep = ["phenotype_id", "variant_id", "variant_id_b38", "start_distance", "af",
                "ma_samples", "ma_count", "pval_nominal", "slope", "slope_se"]
        nom[keep].reset_index(drop=True).to_parquet(HERE / "cis_nominal.parquet",
                                                    compression="zstd", compression_level=19)
    print(perm.shape, nom.shape, np.sort(perm["pval_beta"].to_numpy())[:3])


if __name__ == "__main__":
    main()
