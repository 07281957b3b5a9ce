"""Run the pipeline as a script: ``python examples/pipeline/run.py OUTDIR``."""

import sys
from pathlib import Path

if __name__ == "__main__":
    # As a script, the package's parent directory is not on sys.path yet.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pipeline.cli import main

    raise SystemExit(main())
