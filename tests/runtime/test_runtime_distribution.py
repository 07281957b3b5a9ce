"""The runtime helpers build into a distribution of their own that works without the linter."""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

USE = """
import json, os, sys, tempfile
from determinism_lint.runtime import atomic_open, listdir_sorted, write_atomic_json
folder = tempfile.mkdtemp()
with atomic_open(os.path.join(folder, "b.txt"), "w") as handle:
    handle.write("done")
write_atomic_json(os.path.join(folder, "a.json"), {"z": 1, "y": 2})
print(json.dumps({
    "names": listdir_sorted(folder),
    "modules": sorted(name for name in sys.modules if name.split(".")[0] in ("determinism_lint", "flake8", "libcst", "yaml")),
}))
"""


def _wheel(project: Path, out: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {result.stderr[-500:]}")
    (wheel,) = out.glob("*.whl")
    return wheel


def test_runtime_wheel_ships_only_the_runtime_and_works_alone(tmp_path: Path) -> None:
    wheel = _wheel(REPO / "runtime", tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith("/METADATA"))))
        packaged = [name for name in names if ".dist-info/" not in name]
        assert packaged and all(name.startswith("determinism_lint/runtime/") for name in packaged), packaged
        assert "determinism_lint/runtime/py.typed" in packaged
        assert metadata["Name"] == "determinism-lint-runtime"
        assert not [req for req in metadata.get_all("Requires-Dist") or [] if "extra ==" not in req]
        site = tmp_path / "site"
        archive.extractall(site)
    # A Python that sees only the standard library and the unpacked wheel.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + USE],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = __import__("json").loads(result.stdout)
    assert report["names"] == ["a.json", "b.txt"]
    assert all(name == "determinism_lint" or name.startswith("determinism_lint.runtime") for name in report["modules"])


def test_linter_wheel_depends_on_the_runtime_and_leaves_it_out(tmp_path: Path) -> None:
    wheel = _wheel(REPO, tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith("/METADATA"))))
        entry_points = archive.read(next(n for n in names if n.endswith("/entry_points.txt"))).decode()
    assert not [name for name in names if name.startswith("determinism_lint/runtime/")]
    assert "determinism_lint/__init__.py" in names
    requires = metadata.get_all("Requires-Dist") or []
    assert any(req.startswith("determinism-lint-runtime") for req in requires), requires
    assert "DET = determinism_lint.flake8_plugin:DeterminismChecker" in entry_points
