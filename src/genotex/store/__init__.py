"""genotex.store."""
