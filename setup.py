"""Build of the ``determinism-lint`` distribution: everything is declared in ``pyproject.toml``
except the dependency list, which depends on where the build runs.

The linter depends on ``determinism-lint-runtime`` (the runtime helpers, built from
``runtime/``). Built from a clone, it names that directory, so ``pip install .`` works with no
package index knowing the runtime; set ``DETERMINISM_LINT_RUNTIME_FROM_INDEX=1`` to build
release artifacts that ask an index for the same version instead.
"""

import os
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
RUNTIME = HERE / "runtime"
RUNTIME_VERSION = "0.1.0"

if (RUNTIME / "pyproject.toml").is_file() and not os.environ.get("DETERMINISM_LINT_RUNTIME_FROM_INDEX"):
    runtime = f"determinism-lint-runtime @ {RUNTIME.as_uri()}"
else:
    runtime = f"determinism-lint-runtime=={RUNTIME_VERSION}"

setup(
    install_requires=[
        runtime,
        "flake8>=5",
        "libcst>=1.1",
        "pathspec>=0.12",
        "pyyaml>=6",
        "tomli>=1.1; python_version < '3.11'",
    ]
)
