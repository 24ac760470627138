"""genotex.simulate."""
