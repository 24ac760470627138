# Shared by susier/regenerate.R and susier_rss/regenerate.R (sourced from those folders):
# the simulated loci, number formatting and the writer of one susieR fit.
# simulate_locus: two haplotypes per sample from an AR(1) latent Gaussian (rho) thresholded at
# the allele frequency, so neighbouring variants are in LD; the n_tags variants after each
# causal one copy its haplotypes with `flip` of alleles flipped; ncov covariates C (drawn after
# the genotypes) enter y with N(0, 0.5^2) effects.

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

write_tsv <- function(df, path) {
  con <- if (grepl("\\.gz$", path)) gzfile(path, "w") else file(path, "w")
  write.table(df, con, sep = "\t", quote = FALSE, row.names = FALSE)
  close(con)
}

# intercept: also write fit$intercept into <prefix>.scalars.tsv (susie fits; susie_rss has none)
write_fit <- function(fit, prefix, intercept = FALSE) {
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
  scalars <- data.frame(key = c("sigma2", "niter", "converged"),
                        value = c(fmt(fit$sigma2), fit$niter, as.integer(fit$converged)))
  if (intercept) scalars <- rbind(scalars, data.frame(key = "intercept", value = fmt(fit$intercept)))
  write_tsv(scalars, paste0(prefix, ".scalars.tsv"))
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
