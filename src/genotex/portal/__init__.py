"""genotex.portal."""
