"""genotex.api."""
