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

fmt <- function(x) sprintf("%.17g", x)

simulate_locus <- function(seed, n = 100, p = 300, causal = integer(0), effect = numeric(0),
                           ncov = 0, rho = 0.9, n_tags = 3, flip = 0.04) {
  set.seed(seed)
  af <- runif(p, 0.05, 0.5)
  hap <- function() {
    z <- numeric(p)
    z[1] <- rnorm(1)
    for (j in 2:p) z[j] <- rho * z[j - 1] + sqrt(1 - rho^2) * rnorm(1)
    as.integer(z < qnorm(af))
  }
  H1 <- t(sapply(seq_len(n), function(i) hap()))
  H2 <- t(sapply(seq_len(n), function(i) hap()))
  # tag variants: copies of each causal variant's haplotypes with a few flipped alleles
  for (k in causal) for (j in k + seq_len(n_tags)) {
    H1[, j] <- ifelse(runif(n) < flip, 1L - H1[, k], H1[, k])
    H2[, j] <- ifelse(runif(n) < flip, 1L - H2[, k], H2[, k])
  }
  G <- H1 + H2
  stopifnot(all(apply(G, 2, sd) > 0))
  C <- matrix(rnorm(n * ncov), n, ncov)
  y <- rnorm(n)
  if (length(causal) > 0) y <- y + drop(G[, causal, drop = FALSE] %*% effect)
  if (ncov > 0) y <- y + drop(C %*% rnorm(ncov, sd = 0.5))
  list(G = G, C = C, y = y)
}

residualize <- function(M, C) {
  Cc <- cbind(1, C)
  M - Cc %*% solve(crossprod(Cc), crossprod(Cc, M))
}

write_tsv <- function(df, path) {
  con <- if (grepl("\\.gz$", path)) gzfile(path, "w") else file(path, "w")
  write.table(df, con, sep = "\t", quote = FALSE, row.names = FALSE)
  close(con)
}

write_fit <- function(fit, prefix) {
  L <- nrow(fit$alpha)
  mats <- NULL
  for (q in c("alpha", "mu", "mu2", "lbf_variable")) {
    m <- matrix(fmt(fit[[q]]), nrow = L)
    mats <- rbind(mats, cbind(quantity = q, effect = seq_len(L), m))
  }
  mats <- rbind(mats, c("pip", 0, fmt(fit$pip)))
  colnames(mats) <- c("quantity", "effect", paste0("v", seq_len(ncol(fit$alpha))))
  write_tsv(as.data.frame(mats), paste0(prefix, ".matrices.tsv.gz"))
  write_tsv(data.frame(effect = seq_len(L), V = fmt(fit$V), lbf = fmt(fit$lbf), KL = fmt(fit$KL)),
            paste0(prefix, ".effects.tsv"))
  write_tsv(data.frame(elbo = fmt(fit$elbo)), paste0(prefix, ".elbo.tsv"))
  write_tsv(data.frame(key = c("sigma2", "niter", "converged", "intercept"),
                       value = c(fmt(fit$sigma2), fit$niter, as.integer(fit$converged),
                                 fmt(fit$intercept))),
            paste0(prefix, ".scalars.tsv"))
  s <- fit$sets
  if (is.null(s$cs)) {
    sets <- data.frame(cs = character(0), cs_index = integer(0), coverage = character(0),
                       min_abs_corr = character(0), mean_abs_corr = character(0),
                       median_abs_corr = character(0), variables = character(0))
  } else {
    sets <- data.frame(cs = names(s$cs), cs_index = s$cs_index, coverage = fmt(s$coverage),
                       min_abs_corr = fmt(s$purity[, 1]), mean_abs_corr = fmt(s$purity[, 2]),
                       median_abs_corr = fmt(s$purity[, 3]),
                       variables = sapply(s$cs, function(v) paste(v, collapse = ",")))
  }
  write_tsv(sets, paste0(prefix, ".sets.tsv"))
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
  write_fit(em, file.path(name, "em"))
  default <- susie(X, y, L = 10)
  write_fit(default, file.path(name, "default"))
  cat(name, ": em niter", em$niter, "sets", length(em$sets$cs), "; default niter",
      default$niter, "sets", length(default$sets$cs), "\n")
}
writeLines(c(R.version.string, paste("susieR", packageVersion("susieR"))), "versions.txt")
