"""The runtime package imports only the standard library and exports a stable, sorted API."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import determinism_lint.runtime as runtime

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "determinism_lint" / "runtime"

PUBLIC_API = [
    "atomic_open",
    "atomic_path",
    "canonical_json",
    "get_error_policy",
    "glob_sorted",
    "handle_error_with_policy",
    "is_temp_artifact_name",
    "iterdir_sorted",
    "listdir_sorted",
    "rglob_sorted",
    "set_error_policy",
    "sorted_items",
    "sorted_total",
    "walk_sorted",
    "write_atomic_bytes",
    "write_atomic_json",
    "write_atomic_text",
    "write_atomic_yaml",
]

PROBE = """
import json, sys
sys.path.insert(0, {repo!r})
before = set(sys.modules)
import determinism_lint.runtime
new = sorted(set(sys.modules) - before)
print(json.dumps(new))
"""


@pytest.mark.skipif(not hasattr(sys, "stdlib_module_names"), reason="needs Python 3.10+ to list the stdlib")
def test_import_loads_only_the_standard_library() -> None:
    result = subprocess.run(
        [sys.executable, "-S", "-c", PROBE.format(repo=str(REPO))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)
    assert "determinism_lint.runtime" in new
    assert "yaml" not in new
    foreign = [
        name
        for name in new
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "determinism_lint"
    ]
    assert foreign == []


def test_public_api_is_exported_in_sorted_order() -> None:
    assert runtime.__all__ == PUBLIC_API
    assert runtime.__all__ == sorted(runtime.__all__)
    for name in PUBLIC_API:
        assert callable(getattr(runtime, name)), name
        assert getattr(runtime, name).__doc__, f"{name} needs a docstring"


def test_sources_parse_as_python_39() -> None:
    # Users run Python 3.9+: no syntax from later versions in the runtime package.
    for source in sorted(PACKAGE.glob("*.py")):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source), feature_version=(3, 9))
        assert "from __future__ import annotations" in source.read_text(encoding="utf-8"), source.name
