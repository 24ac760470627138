#!/usr/bin/env Rscript
# Regenerate the R qvalue reference outputs in this folder (Debian r-bioc-qvalue).
#   Rscript tests/reference/qvalue/regenerate.R      (run from the repository root)
suppressPackageStartupMessages(library(qvalue))
out <- "tests/reference/qvalue"
set.seed(20240611)
sets <- list(
  mixture = c(runif(800), rbeta(200, 0.2, 1)),                     # 1,000 p-values, pi0 ~ 0.8
  gtex_like = c(runif(1200), rbeta(800, 0.05, 1) * 1e-2, rbeta(500, 0.3, 4)),  # many eGenes
  uniform = runif(1000)                                            # all null
)
rows <- list(); pis <- list()
for (name in names(sets)) {
  p <- sets[[name]]
  a <- qvalue(p, lambda = 0.85)
  b <- qvalue(p)
  rows[[name]] <- data.frame(set = name, p = sprintf("%.17g", p),
                             qval_lambda085 = sprintf("%.17g", a$qvalues),
                             qval_smoother = sprintf("%.17g", b$qvalues))
  pis[[name]] <- data.frame(set = name, pi0_lambda085 = sprintf("%.17g", a$pi0),
                            pi0_smoother = sprintf("%.17g", b$pi0))
}
con <- gzfile(file.path(out, "qvalues.tsv.gz"), "w")
write.table(do.call(rbind, rows), con, sep = "\t", quote = FALSE, row.names = FALSE)
close(con)
write.table(do.call(rbind, pis), file.path(out, "pi0.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)
writeLines(c(paste("qvalue", as.character(packageVersion("qvalue"))), R.version.string),
           file.path(out, "versions.txt"))
