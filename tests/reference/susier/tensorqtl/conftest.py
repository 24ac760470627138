"""regenerate.py runs in the tensorQTL reference environment, not under the doctest import."""

collect_ignore = ["regenerate.py"]
