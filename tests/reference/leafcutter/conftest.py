"""The fixture scripts run outside pytest (one needs scikit-learn); keep them out of doctests."""

collect_ignore = ["make_inputs.py", "transcription.py"]
