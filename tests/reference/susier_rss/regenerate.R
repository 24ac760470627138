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

fmt <- function(x) sprintf("%.17g", x)

simulate_locus <- function(seed, n = 300, p = 150, causal = integer(0), effect = numeric(0),
                           rho = 0.9, n_tags = 3, flip = 0.04) {
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
  for (k in causal) for (j in k + seq_len(n_tags)) {
    H1[, j] <- ifelse(runif(n) < flip, 1L - H1[, k], H1[, k])
    H2[, j] <- ifelse(runif(n) < flip, 1L - H2[, k], H2[, k])
  }
  G <- H1 + H2
  stopifnot(all(apply(G, 2, sd) > 0))
  y <- rnorm(n)
  if (length(causal) > 0) y <- y + drop(G[, causal, drop = FALSE] %*% effect)
  list(G = G, y = y)
}

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
  write_tsv(data.frame(key = c("sigma2", "niter", "converged"),
                       value = c(fmt(fit$sigma2), fit$niter, as.integer(fit$converged))),
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
  one_causal = simulate_locus(404, causal = 60, effect = 0.8),
  two_causal = simulate_locus(505, causal = c(40, 110), effect = c(0.9, -0.8))
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
