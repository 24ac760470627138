#!/usr/bin/env bash
# tensorQTL reads the files genotex writes: the simulated cohort's PLINK genotypes, and the
# expression BED + covariates made by `genotex expression prepare/covariates`; its cis nominal
# pass on them is compared with genotex's (`genotex qtl cis-nominal`).
#
#   bash bench/interop/check_tensorqtl.sh          # writes bench/results/interop_tensorqtl.md
#
# Needs a venv with tensorQTL 1.0.10 (CPU torch) at .venv-ref-tqtl:
#   python3 -m venv .venv-ref-tqtl && .venv-ref-tqtl/bin/pip install torch==2.13.0 \
#       tensorqtl==1.0.10 pandas-plink pgenlib 'pandas<3'
set -euo pipefail
cd "$(dirname "$0")/../.."
REF=${REF_PYTHON:-.venv-ref-tqtl/bin/python}
W=bench/work/interop
rm -rf "$W" && mkdir -p "$W" bench/results
G=.venv/bin/genotex
$G simulate "$W/cohort" --quiet --tissues Whole_Blood --donors 150 --genes 120
C=$W/cohort
$G genotypes pcs "$C/genotypes/cohort.bed" "$W/pcs.txt" >/dev/null
$G expression prepare "$C/expression/Whole_Blood.gene_tpm.gct.gz" \
  "$C/expression/Whole_Blood.gene_reads.gct.gz" "$C/annotation/genes.gtf.gz" \
  "$C/metadata/sample_participant_lookup.txt" "$C/genotypes/cohort.bed" Whole_Blood -o "$W" >/dev/null
$G expression covariates "$W/Whole_Blood.expression.bed.gz" "$W/cov.txt" \
  --genotype-pcs "$W/pcs.txt" --n-hidden 5 >/dev/null
$G qtl cis-nominal "$C/genotypes/cohort.bed" "$W/Whole_Blood.expression.bed.gz" Whole_Blood \
  --covariates "$W/cov.txt" -o "$W/genotex" --quiet >/dev/null
"$REF" - "$W" <<'PY'
import glob, sys
import numpy as np, pandas as pd, torch
import tensorqtl
from tensorqtl import cis, genotypeio
torch.set_num_threads(2)
w = sys.argv[1]
pheno, pos = tensorqtl.read_phenotype_bed(f"{w}/Whole_Blood.expression.bed.gz")
cov = pd.read_csv(f"{w}/cov.txt", sep="\t", index_col=0).T
geno, var = genotypeio.load_genotypes(f"{w}/cohort/genotypes/cohort")
import os; os.makedirs(f"{w}/tensorqtl", exist_ok=True)
cis.map_nominal(geno, var, pheno, pos, "Whole_Blood", covariates_df=cov.loc[pheno.columns],
                output_dir=f"{w}/tensorqtl", verbose=False)
rows, worst_p, worst_slope = 0, 0.0, 0.0
for ref_path in sorted(glob.glob(f"{w}/tensorqtl/*.parquet")):
    ref = pd.read_parquet(ref_path)
    ours = pd.read_parquet(ref_path.replace("/tensorqtl/", "/genotex/"))
    m = ref.merge(ours, on=["phenotype_id", "variant_id"], suffixes=("_tq", ""))
    assert len(m) == len(ref) == len(ours), (len(m), len(ref), len(ours))
    ok = np.isfinite(m["pval_nominal_tq"])
    worst_p = max(worst_p, float(np.max(np.abs(np.log10(m.pval_nominal[ok]) - np.log10(m.pval_nominal_tq[ok])))))
    worst_slope = max(worst_slope, float(np.max(np.abs(m.slope[ok] - m.slope_tq[ok]) / m.slope_se_tq[ok])))
    rows += len(m)
text = (f"# tensorQTL reads genotex's files\n\n"
        f"`bash bench/interop/check_tensorqtl.sh`: tensorQTL {tensorqtl.__version__} read the simulated "
        f"PLINK genotypes ({geno.shape[0]:,} variants × {geno.shape[1]} donors), genotex's expression BED "
        f"({pheno.shape[0]} genes) and covariates ({cov.shape[1]}), and ran `cis.map_nominal`.\n\n"
        f"| pairs compared | max abs Δlog10 p | max abs Δslope / slope_se |\n|---|---|---|\n"
        f"| {rows:,} | {worst_p:.2e} | {worst_slope:.2e} |\n")
open("bench/results/interop_tensorqtl.md", "w").write(text)
print(text)
PY
