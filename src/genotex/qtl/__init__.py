"""genotex.qtl."""
