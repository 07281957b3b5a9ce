"""Examples for determinism-lint (``python -m examples.pipeline OUTDIR``)."""
