"""genotex.coloc."""
