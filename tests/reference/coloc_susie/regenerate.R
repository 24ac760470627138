#!/usr/bin/env Rscript
# Rebuilds the susieR fixtures used by tests/coloc/test_susie_coloc.py.
#   Rscript tests/reference/coloc_susie/regenerate.R [path/to/shared/data/coloc]
# Needs susieR (Debian r-cran-susier, 0.12.35 here). coloc itself is not needed: genotex's
# coloc_susie is checked against the coloc.susie values printed in coloc's vignette.
# Writes, for each dataset X: X.lbf.tsv.gz (the lbf_variable rows of the credible sets,
# one row per CS, columns = SNP ids, plus cs_index = susie's row index, 1-based) and
# X.alpha.tsv.gz (all L rows of alpha, for the credible-set helper).
suppressPackageStartupMessages(library(susieR))
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
shared <- if (length(args)) args[1] else file.path(here, "../../../../shared/data/coloc")

write_fit <- function(fit, snp, name) {
  cs <- fit$sets$cs_index
  lbf <- fit$lbf_variable[cs, , drop = FALSE]
  colnames(lbf) <- snp
  out <- data.frame(cs_index = cs, lbf, check.names = FALSE)
  con <- gzfile(file.path(here, paste0(name, ".lbf.tsv.gz")), "w")
  write.table(format(out, digits = 10), con, sep = "\t", quote = FALSE, row.names = FALSE)
  close(con)
  alpha <- fit$alpha
  colnames(alpha) <- snp
  con <- gzfile(file.path(here, paste0(name, ".alpha.tsv.gz")), "w")
  write.table(format(as.data.frame(alpha), digits = 8), con, sep = "\t", quote = FALSE,
              row.names = FALSE)
  close(con)
}

run <- function(z, R, n) {  # as coloc::runsusie: repeat with maxit*100 until converged
  maxit <- 100
  repeat {
    fit <- susie_rss(z = z, R = R, n = n, max_iter = maxit)
    if (fit$converged) return(fit)
    maxit <- maxit * 100
  }
}

# 1. coloc's own test data D3 (two signals) and D4 (one), with their LD
n_d <- 1000  # N of D3 and D4 in coloc_test_data_meta.json
ld <- as.matrix(read.table(gzfile(file.path(shared, "coloc_test_data_LD_D3_D4.tsv.gz")),
                           header = TRUE, row.names = 1, sep = "\t", check.names = FALSE))
for (d in c("D3", "D4")) {
  t <- read.table(file.path(shared, paste0("coloc_test_data_", d, ".tsv")), header = TRUE)
  fit <- run(t$beta / sqrt(t$varbeta), ld[t$snp, t$snp], n_d)
  write_fit(fit, t$snp, d)
}

# 2. a simulated locus: two causal variants shared by both traits (planted at s40, s120)
set.seed(20240601)
n <- 1000; p <- 160
h <- matrix(rnorm(n * p), n, p)
for (j in 2:p) h[, j] <- 0.8 * h[, j - 1] + 0.6 * h[, j]  # AR(1) LD
x <- (h > 0.6) + (matrix(rnorm(n * p), n, p) > 0.6 + 0.3 * h)  # 0/1/2 dosages, LD kept
x <- scale(x, center = TRUE, scale = FALSE)
snp <- paste0("s", seq_len(p))
R <- cor(x)
for (trait in c("T1", "T2")) {
  y <- 0.5 * x[, 40] - 0.45 * x[, 120] + rnorm(n)
  y <- y - mean(y)
  fitted <- apply(x, 2, function(g) summary(lm(y ~ g))$coefficients[2, 1:2])
  z <- fitted[1, ] / fitted[2, ]
  fit <- run(z, R, n)
  write_fit(fit, snp, paste0("sim_", trait))
}
writeLines(as.character(packageVersion("susieR")), file.path(here, "susieR_version.txt"))
