"""The package ships ``py.typed``: mypy must find no error in it.

mypy runs with the ``[tool.mypy]`` settings of pyproject.toml, which check the linter
(``determinism_lint``), the runtime helpers (``runtime/determinism_lint/runtime``, from this
checkout) and tests/runtime/typing_usage.py, which pins the types users' code gets from the
runtime helpers. It checks them as code for the oldest supported Python (the configured
``python_version``) and for the Python running the tests, where the ``ast`` types differ.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.mark.parametrize("python_version", sorted({"configured", RUNNING}))
def test_mypy_finds_no_error(python_version: str) -> None:
    pytest.importorskip("mypy", reason="mypy is in the `test` extra")
    sources = [
        path
        for folder in ("determinism_lint", "runtime/determinism_lint/runtime")
        for path in (ROOT / folder).rglob("*.py")
    ]
    command = [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"]
    if python_version != "configured":
        command += ["--python-version", python_version]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    # Every module of both packages was checked, and the usage module too.
    assert result.stdout.strip() == f"Success: no issues found in {len(sources) + 1} source files", result.stdout
