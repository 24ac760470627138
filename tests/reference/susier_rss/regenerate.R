#!/usr/bin/env Rscript
# Regenerate the susieR summary-statistics (susie_rss) golden outputs here (run from this folder):
#     Rscript regenerate.R
# Needs R with susieR (Debian r-cran-susier; the fixture was made with susieR 0.12.35).
#
# Two simulated loci (300 samples, 150 variants; genotypes = two haplotypes from an AR(1) latent
# Gaussian with rho = 0.9 thresholded at the allele frequency, so neighbouring variants are in
# LD; the 3 variants after each causal one copy its haplotypes with 4% of alleles flipped):
#   one_causal  one causal variant (column 60)
#   two_causal  two causal variants (columns 40 and 110), opposite signs
# Summary statistics: the marginal regression of y on each genotype column with an intercept
# (bhat, shat, z = bhat/shat); LD: R = cor(G), the in-sample correlation.
# Fits per locus:
#   z_n      susie_rss(z, R, n = n, L = 10)                          (susieR defaults)
#   z_n_em   susie_rss(z, R, n = n, L = 10, estimate_prior_method = "EM")
#   bhat     susie_rss(bhat = bhat, shat = shat, R = R, n = n, var_y = var(y), L = 10,
#                      estimate_residual_variance = TRUE)
#   z_only   susie_rss(z, R, L = 10)                                  (no n: large-n approximation)
# Outputs per locus <case>/: inputs.tsv.gz (y and genotypes g*; samples in rows),
# sumstats.tsv (bhat, shat, z per variant) and per fit <fit>.matrices.tsv.gz (alpha, mu, mu2,
# lbf_variable: one row per effect; pip: effect 0), <fit>.effects.tsv (V, lbf, KL),
# <fit>.elbo.tsv, <fit>.scalars.tsv (sigma2, niter, converged) and <fit>.sets.tsv
# (susie_get_cs with purity from R; variables are 1-based).
suppressPackageStartupMessages(library(susieR))
stopifnot(packageVersion("susieR") == "0.12.35")

source("../susie_common.R")

marginal <- function(G, y) {
  n <- nrow(G)
  Gc <- scale(G, center = TRUE, scale = FALSE)
  yc <- y - mean(y)
  sxx <- colSums(Gc^2)
  bhat <- drop(crossprod(Gc, yc)) / sxx
  rss <- colSums((yc - sweep(Gc, 2, bhat, `*`))^2)
  shat <- sqrt(rss / (n - 2) / sxx)
  list(bhat = bhat, shat = shat, z = bhat / shat)
}

cases <- list(
  one_causal = simulate_locus(404, n = 300, p = 150, causal = 60, effect = 0.8),
  two_causal = simulate_locus(505, n = 300, p = 150, causal = c(40, 110), effect = c(0.9, -0.8))
)
for (name in names(cases)) {
  d <- cases[[name]]
  dir.create(name, showWarnings = FALSE)
  inputs <- cbind(data.frame(y = fmt(d$y)),
                  setNames(as.data.frame(d$G), paste0("g", seq_len(ncol(d$G)))))
  write_tsv(inputs, file.path(name, "inputs.tsv.gz"))
  ss <- marginal(d$G * 1.0, d$y)
  write_tsv(data.frame(bhat = fmt(ss$bhat), shat = fmt(ss$shat), z = fmt(ss$z)),
            file.path(name, "sumstats.tsv"))
  R <- cor(d$G * 1.0)
  n <- nrow(d$G)
  fits <- list(
    z_n = susie_rss(ss$z, R, n = n, L = 10),
    z_n_em = susie_rss(ss$z, R, n = n, L = 10, estimate_prior_method = "EM"),
    bhat = susie_rss(bhat = ss$bhat, shat = ss$shat, R = R, n = n, var_y = var(d$y), L = 10,
                     estimate_residual_variance = TRUE),
    z_only = suppressMessages(susie_rss(ss$z, R, L = 10))
  )
  for (f in names(fits)) {
    write_fit(fits[[f]], file.path(name, f))
    cat(name, f, ": niter", fits[[f]]$niter, "sets", length(fits[[f]]$sets$cs),
        paste(sapply(fits[[f]]$sets$cs, paste, collapse = ","), collapse = " | "), "\n")
  }
}
writeLines(c(R.version.string, paste("susieR", packageVersion("susieR"))), "versions.txt")
