"""regenerate.py runs in the reference environment (pyqtl), not under pytest's doctest import."""

collect_ignore = ["regenerate.py"]
