#!/bin/sh
# Rebuild the PLINK 1 and PLINK 2 filesets from input.vcf with the real plink2.
# input.vcf: 6 samples x 12 biallelic variants on chr1/chr2 with missing and half-missing calls
# (half calls are set to missing, as genotex reads them).
set -eu
cd "$(dirname "$0")"
plink2 --vcf input.vcf --vcf-half-call m --make-bed --threads 1 --out from_vcf
plink2 --vcf input.vcf --vcf-half-call m --make-pgen --threads 1 --out from_vcf
rm -f from_vcf.log
