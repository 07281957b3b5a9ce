"""The README's promises: two Quick start commands, and .ci/run runs the second verbatim."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> str:
    match = re.search(r"^## Quick start\n(?P<body>.*?)^## ", README, re.DOTALL | re.MULTILINE)
    assert match, "README.md has no Quick start section"
    return match.group("body")


def test_quick_start_has_exactly_two_commands() -> None:
    commands = re.findall(r"^\$ (.+)$", _quick_start(), re.MULTILINE)
    assert len(commands) == 2
    install_and_run, install_and_test = commands
    assert "pip install" in install_and_run and "determinism-lint check examples/" in install_and_run
    assert "[test]" in install_and_test and "pytest" in install_and_test
    # No other "$ " command lines anywhere: .ci/run picks the second one in the file.
    assert re.findall(r"^\$ (.+)$", README, re.MULTILINE) == commands


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extracted = subprocess.run(
        ["bash", "-c", "sed -n 's/^\\$ //p' README.md | sed -n '2p'"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert extracted == re.findall(r"^\$ (.+)$", _quick_start(), re.MULTILINE)[1]
    assert "sed -n 's/^\\$ //p' README.md | sed -n '2p'" in script
