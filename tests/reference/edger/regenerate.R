#!/usr/bin/env Rscript
# Rebuilds the edgeR TMM fixtures in this folder (run from anywhere):
#   Rscript tests/reference/edger/regenerate.R
# Needs Debian r-bioc-edger (edgeR 3.40.2 was used). Inputs are simulated here with a fixed seed,
# written as <case>.counts.tsv.gz (genes x samples), and edgeR's calcNormFactors(method="TMM")
# factors as <case>.tmm.tsv (sample, norm_factor, full precision).
suppressPackageStartupMessages(library(edgeR))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

write_case <- function(name, counts) {
  rownames(counts) <- sprintf("G%04d", seq_len(nrow(counts)))
  colnames(counts) <- sprintf("S%02d", seq_len(ncol(counts)))
  con <- gzfile(file.path(here, paste0(name, ".counts.tsv.gz")), "w")
  write.table(data.frame(gene_id = rownames(counts), counts, check.names = FALSE), con,
              sep = "\t", quote = FALSE, row.names = FALSE)
  close(con)
  f <- calcNormFactors(counts, method = "TMM")
  # the reference column edgeR picks (same lines as calcNormFactors.default)
  x <- counts[rowSums(counts > 0) > 0, , drop = FALSE]
  f75 <- suppressWarnings(edgeR:::.calcFactorQuantile(data = x, lib.size = colSums(counts), p = 0.75))
  ref <- if (median(f75) < 1e-20) which.max(colSums(sqrt(x))) else which.min(abs(f75 - mean(f75)))
  out <- data.frame(sample_id = colnames(counts), norm_factor = sprintf("%.17g", f),
                    is_reference = seq_len(ncol(counts)) == ref)
  write.table(out, file.path(here, paste0(name, ".tmm.tsv")), sep = "\t", quote = FALSE,
              row.names = FALSE)
}

# 1. Poisson-gamma (negative binomial) 500 x 30 with 25 all-zero rows and varied depths.
set.seed(20240601)
mu <- rgamma(500, shape = 0.6, scale = 200)
depth <- runif(30, 0.4, 2.5)
pg <- matrix(rnbinom(500 * 30, mu = outer(mu, depth), size = 5), 500, 30)
pg[sample(500, 25), ] <- 0L
pg[1:40, 3] <- pg[1:40, 3] * 4L   # a few up-shifted genes in one sample
write_case("poisson_gamma", pg)

# 2. Sparse low counts with many ties: 400 x 24, means 0.2-4, every sample present twice, so
#    the reference is an f75 tie (the first copy wins) and its copy has max|logR| = 0.
set.seed(7)
lam <- rexp(400, rate = 1 / 1.5) + 0.2
half <- matrix(rpois(400 * 12, lambda = outer(lam, runif(12, 0.5, 1.5))), 400, 12)
sp <- cbind(half, half[, c(12:1)])
write_case("sparse_ties", sp)

# 3. Very sparse: most genes zero in most samples, so median(f75) < 1e-20 (the sqrt rule).
set.seed(11)
vs <- matrix(rpois(1500 * 12, lambda = 0.02), 1500, 12)
vs[1:30, ] <- matrix(rpois(30 * 12, lambda = 20), 30, 12)
write_case("very_sparse", vs)
cat("edgeR", as.character(packageVersion("edgeR")), "R", R.version.string, "\n",
    file = file.path(here, "VERSIONS.txt"))
