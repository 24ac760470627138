"""genotex.io."""
