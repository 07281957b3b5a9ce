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
# The runtime is a distribution of its own, built from runtime/ (see runtime/pyproject.toml).
PACKAGE = REPO / "runtime" / "determinism_lint" / "runtime"

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
    "remove_stale_temp_files",
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


ALONE = """
import json, sys
sys.path.insert(0, {portion!r})
before = set(sys.modules)
import determinism_lint.runtime as runtime
runtime.canonical_json({{"b": 1, "a": 2}})
print(json.dumps({{"new": sorted(set(sys.modules) - before), "path": list(sys.modules["determinism_lint"].__path__)}}))
"""


@pytest.mark.skipif(not hasattr(sys, "stdlib_module_names"), reason="needs Python 3.10+ to list the stdlib")
def test_runtime_alone_imports_nothing_of_the_linter() -> None:
    # Only the runtime's own directory on the path, as in an environment where only
    # determinism-lint-runtime is installed: ``determinism_lint`` is then a namespace package.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", ALONE.format(portion=str(REPO / "runtime"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["path"] == [str(REPO / "runtime" / "determinism_lint")]
    linter = [name for name in report["new"] if name.split(".")[0] == "determinism_lint"]
    assert all(name == "determinism_lint" or name.startswith("determinism_lint.runtime") for name in linter), linter
    foreign = [name for name in report["new"] if name.split(".")[0] not in {*sys.stdlib_module_names, "determinism_lint"}]
    assert foreign == []  # no flake8, no libcst, no yaml


def test_runtime_sources_import_only_the_stdlib_and_themselves() -> None:
    for source in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    assert node.level == 1, f"{source.name}: reaches out of the runtime package"
                else:
                    assert not (node.module or "").startswith(("determinism_lint", "flake8", "libcst")), source.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("determinism_lint", "flake8", "libcst")), source.name
