#!/usr/bin/env Rscript
# Regenerate the susieR golden outputs in this folder (run from this folder):
#     Rscript regenerate.R
# Needs R with susieR (Debian r-cran-susier; the fixture was made with susieR 0.12.35).
#
# Three simulated loci (100 samples; genotypes = two haplotypes from an AR(1) latent Gaussian
# with rho = 0.9 thresholded at the allele frequency, so neighbouring variants are in LD;
# the 3 variants after each causal one copy its haplotypes with 4% of alleles flipped):
#   one_causal  300 variants, one causal variant, no covariates
#   two_causal  300 variants, two causal variants, 3 covariates; SuSiE runs on the genotypes
#               and phenotype residualized on [1, covariates] (as tensorQTL susie.map does)
#   null        300 variants, no causal variant
# Each locus is fitted twice:
#   em       susie(X, y, L=10, estimate_prior_method="EM", residual_variance_lowerbound=0,
#                  max_iter=500, tol=1e-3)          (the tensorQTL argument set, QTL_SPEC 8.3)
#   default  susie(X, y, L=10)                      (susieR defaults: optim prior, var(y)/1e4 floor)
# Outputs per locus <case>/: inputs.tsv.gz (y, covariates c*, genotypes g*; samples in rows)
# and for each fit <fit>.matrices.tsv.gz (alpha, mu, mu2, lbf_variable: one row per effect;
# pip: effect 0), <fit>.effects.tsv (V, lbf, KL), <fit>.elbo.tsv, <fit>.scalars.tsv
# (sigma2, niter, converged, intercept) and <fit>.sets.tsv (susie_get_cs with purity).
suppressPackageStartupMessages(library(susieR))
stopifnot(packageVersion("susieR") == "0.12.35")

source("../susie_common.R")

residualize <- function(M, C) {
  Cc <- cbind(1, C)
  M - Cc %*% solve(crossprod(Cc), crossprod(Cc, M))
}

cases <- list(
  one_causal = simulate_locus(101, causal = 120, effect = 0.8),
  two_causal = simulate_locus(206, causal = c(50, 220), effect = c(1.1, -1.0), ncov = 3),
  null = simulate_locus(303)
)
for (name in names(cases)) {
  d <- cases[[name]]
  dir.create(name, showWarnings = FALSE)
  inputs <- data.frame(y = fmt(d$y))
  if (ncol(d$C) > 0) inputs <- cbind(inputs, setNames(as.data.frame(matrix(fmt(d$C), nrow(d$C))),
                                                       paste0("c", seq_len(ncol(d$C)))))
  inputs <- cbind(inputs, setNames(as.data.frame(d$G), paste0("g", seq_len(ncol(d$G)))))
  write_tsv(inputs, file.path(name, "inputs.tsv.gz"))
  X <- d$G * 1.0  # susie needs a double matrix
  y <- d$y
  if (ncol(d$C) > 0) {
    X <- residualize(d$G, d$C)
    y <- drop(residualize(matrix(d$y), d$C))
  }
  em <- susie(X, y, L = 10, estimate_prior_method = "EM", residual_variance_lowerbound = 0,
              max_iter = 500, tol = 1e-3)
  write_fit(em, file.path(name, "em"), intercept = TRUE)
  default <- susie(X, y, L = 10)
  write_fit(default, file.path(name, "default"), intercept = TRUE)
  cat(name, ": em niter", em$niter, "sets", length(em$sets$cs), "; default niter",
      default$niter, "sets", length(default$sets$cs), "\n")
}
writeLines(c(R.version.string, paste("susieR", packageVersion("susieR"))), "versions.txt")
