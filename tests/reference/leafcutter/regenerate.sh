#!/bin/sh
# Rebuild the leafcutter fixture (run from the repository root).
# 1. inputs from genotex.simulate (project venv); 2. outputs from the clean-room transcription
#    of leafcutter/GTEx (tensorQTL reference venv plus scikit-learn, see README.md).
set -e
.venv/bin/python tests/reference/leafcutter/make_inputs.py
.venv-ref-tqtl/bin/python tests/reference/leafcutter/transcription.py
