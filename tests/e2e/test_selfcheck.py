"""The project passes its own linter, with its own pyproject settings."""

from __future__ import annotations

import os
from pathlib import Path

from determinism_lint.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_project_passes_its_own_check(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["check", "determinism_lint", "runtime", "tests", "benchmarks"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == ""


def test_package_passes_strict_check(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["check", "--strict", os.path.join("runtime", "determinism_lint", "runtime")])
    assert code == 0, capsys.readouterr().out
