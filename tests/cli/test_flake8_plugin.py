"""The flake8 plugin, run through flake8 itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flake8")

BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n"


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _registered() -> bool:
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    return "determinism-lint" in result.stdout


pytestmark = pytest.mark.skipif(not _registered(), reason="package not installed (pip install -e .)")


def test_plugin_reports_same_as_cli(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BARE)
    result = flake8(tmp_path, "--select", "DET", "a.py")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "a.py:3:1: DET401 bare `except:` swallows the failure of `hashlib.sha256(step()).hexdigest(...)` on line 2;"
        " it also catches a Ctrl-C and SystemExit; the handler also swallows the error silently and does not fail closed",
    ]


def test_plugin_respects_noqa_and_flake8_ignore(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET401\n    pass\n")
    result = flake8(tmp_path, "--select", "DET", "--extend-ignore", "DET402", "a.py")
    assert result.stdout == "" and result.returncode == 0


def test_plugin_reads_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.determinism-lint]\nignore = ["DET402"]\n')
    (tmp_path / "a.py").write_text(BARE)
    result = flake8(tmp_path, "--select", "DET", "a.py")
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["DET401"]


def test_plugin_config_error_is_clear(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\nbogus = 1\n")
    (tmp_path / "a.py").write_text(BARE)
    result = flake8(tmp_path, "--select", "DET", "a.py")
    assert result.returncode != 0
    assert "unknown key(s) 'bogus'" in result.stderr


def test_plugin_finds_the_config_above_each_file_like_check(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "legacy").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.determinism-lint]\n[tool.determinism-lint.per-file-ignores]\n"legacy/*" = ["DET4"]\n'
    )
    (project / "legacy" / "old.py").write_text(BARE)
    (project / "new.py").write_text(BARE)
    result = flake8(tmp_path, "--select", "DET", "project")
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == ["project/new.py"]


def test_plugin_honours_other_linters_noqa_codes(tmp_path: Path) -> None:
    # flake8 itself only applies `# noqa: E722` to E722; the plugin applies it to DET401 too.
    (tmp_path / "a.py").write_text("try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: E722\n    pass\n")
    assert flake8(tmp_path, "--select", "DET", "a.py").stdout == ""
    off = flake8(tmp_path, "--select", "DET", "--det-no-foreign-noqa", "a.py")
    assert [line.split()[1] for line in off.stdout.splitlines()] == ["DET401"]
    disabled = flake8(tmp_path, "--select", "DET", "--disable-noqa", "a.py")
    assert [line.split()[1] for line in disabled.stdout.splitlines()] == ["DET401"]
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\nhonor-foreign-noqa = false\n")
    from_config = flake8(tmp_path, "--select", "DET", "a.py")
    assert [line.split()[1] for line in from_config.stdout.splitlines()] == ["DET401"]


def test_plugin_one_finding_per_handler_follows_flake8_ignore(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BARE)
    result = flake8(tmp_path, "--select", "DET", "--extend-ignore", "DET401", "a.py")
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["DET402"]


def test_plugin_quiet_in_test_code(tmp_path: Path) -> None:
    source = "def test_x(workdir):\n    open(workdir / 'a', 'w').write('x')\n" + BARE
    for rel in ("tests/test_io.py", "features/steps.py", "src/io.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source)
    result = flake8(tmp_path, "--select", "DET", "--det-no-reader-evidence", ".")
    found = sorted((line.split(":")[0], line.split()[1]) for line in result.stdout.splitlines())
    # Test code: no artifact, so no DET101; the bare ``except:`` is reported there under --strict only.
    assert ("./tests/test_io.py", "DET401") not in found and ("./tests/test_io.py", "DET101") not in found
    assert ("./features/steps.py", "DET101") in found and ("./src/io.py", "DET101") in found
    extended = flake8(tmp_path, "--select", "DET", "--det-no-reader-evidence", "--det-test-paths", "features", ".")
    assert "./features/steps.py:2" not in extended.stdout and "./src/io.py:2" in extended.stdout
