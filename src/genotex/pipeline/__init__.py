"""genotex.pipeline."""
