"""A small training-run pipeline, written the way pipelines often are: it works, and its
artifacts are neither byte-identical from run to run nor safe against a crash.

config -> run id -> run directory -> cached features -> model and metrics -> manifest
-> report, under a lock file. Only the standard library is used.

Run it with ``python -m examples.pipeline OUTDIR`` (from the repository root) or
``python examples/pipeline/run.py OUTDIR``; ``python examples/run_twice.py`` runs it
under two hash seeds and compares the artifacts. ``determinism-lint check examples``
lists what is wrong, and ``determinism-lint fix --unsafe-fixes examples`` repairs it:
see ``examples/README.md``.
"""
