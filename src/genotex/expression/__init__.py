"""genotex.expression."""
