"""The ``determinism-lint`` command: exit codes, formats, config, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from determinism_lint.cli import main

from ..helpers import run, write

# One DET401 on line 3 that says it is also silent (DET402): the hash it swallows is a sink by evidence.
BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n"
BARE_MESSAGE = (
    "bare `except:` swallows the failure of `hashlib.sha256(step()).hexdigest(...)` on line {line}; it also catches"
    " a Ctrl-C and SystemExit; the handler also swallows the error silently and does not fail closed"
)
CLEAN = "import logging\n\nlogger = logging.getLogger(__name__)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    return tmp_path


def test_clean_exit_zero(project: Path, capsys) -> None:
    write(project / "pkg" / "ok.py", CLEAN)
    code, out, err = run(capsys, "check", "pkg")
    assert code == 0
    assert out == ""
    assert "No findings in 1 file" in err


def test_findings_exit_one_sorted_lines(project: Path, capsys) -> None:
    write(project / "b.py", BARE)
    write(project / "a.py", "x = 1\n" + BARE)
    code, out, _ = run(capsys, "check", ".")
    assert code == 1
    assert out.splitlines() == ["a.py:4:1: DET401 " + BARE_MESSAGE.format(line=3), "b.py:3:1: DET401 " + BARE_MESSAGE.format(line=2)]


def test_exit_zero_flag(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    assert run(capsys, "check", "--exit-zero", "a.py")[0] == 0


def test_select_and_ignore(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    _, out, _ = run(capsys, "check", "--select", "DET401", "a.py")
    assert [line.split()[1] for line in out.splitlines()] == ["DET401"]
    _, out, _ = run(capsys, "check", "--ignore", "DET401", "a.py")
    assert [line.split()[1] for line in out.splitlines()] == ["DET402"]
    _, out, _ = run(capsys, "check", "--ignore", "DET4", "a.py")
    assert out == ""


def test_bad_select_is_usage_error(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    code, _, err = run(capsys, "check", "--select", "E501", "a.py")
    assert code == 2
    assert "E501" in err and "rule code" in err


def test_json_format(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    code, out, _ = run(capsys, "check", "--format", "json", "a.py")
    assert code == 1
    data = json.loads(out)
    assert [item["code"] for item in data] == ["DET401"]
    first = data[0]
    assert set(first) == {"path", "line", "col", "end_line", "end_col", "code", "message", "fix"}
    assert (first["path"], first["line"], first["col"], first["end_line"], first["end_col"]) == ("a.py", 3, 1, 4, 9)
    assert first["fix"] == {"safety": "unsafe", "title": "Catch `Exception` instead"}


def test_github_format(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    _, out, _ = run(capsys, "check", "--format", "github", "--select", "DET401", "a.py")
    assert out == (
        "::error file=a.py,line=3,col=1,endLine=4,endColumn=9,title=DET401::"
        "DET401 bare `except:` swallows the failure of `hashlib.sha256(step()).hexdigest(...)` on line 2; it also catches"
        " a Ctrl-C and SystemExit\n"
    )
    _, out, _ = run(capsys, "check", "--format", "github", "--annotation-level", "warning", "--select", "DET401", "a.py")
    assert out.startswith("::warning file=a.py,line=3,")


def test_output_file(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    code, out, _ = run(capsys, "check", "--format", "json", "--output", "report.json", "a.py")
    assert code == 1 and out == ""
    assert len(json.loads((project / "report.json").read_text())) == 1


def test_statistics(project: Path, capsys) -> None:
    write(project / "a.py", BARE + BARE)
    code, out, err = run(capsys, "check", "--statistics", "a.py")
    # Only the table, as ruff prints it: no findings, no summary.
    assert code == 1 and err == ""
    # A silent bare ``except:`` is one DET401 finding that also says it is silent.
    assert out.splitlines() == ["2  DET401  bare-except  [2 unsafe fixes]"]
    code, out, _ = run(capsys, "check", "--statistics", "--format", "json", "a.py")
    assert json.loads(out)[0] == {"code": "DET401", "name": "bare-except", "count": 2, "fixable": 0, "unsafe_fixable": 2}


def test_noqa(project: Path, capsys) -> None:
    write(
        project / "a.py",
        "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET401\n    pass\n"
        "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa\n    pass\n"
        "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET4\n    pass\n"
        "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET402\n    pass\n",
    )
    _, out, _ = run(capsys, "check", "a.py")
    # One finding per handler: `# noqa: DET401` silences all of it; `# noqa: DET402` does not
    # silence the bare `except:`.
    assert out.splitlines() == ["a.py:15:1: DET401 " + BARE_MESSAGE.format(line=14)]


def test_unused_noqa(project: Path, capsys) -> None:
    write(project / "a.py", "x = 1  # noqa: DET101\ny = 2  # noqa: E501\n" + "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET4\n    pass\n")
    _, out, _ = run(capsys, "check", "--report-unused-noqa", "a.py")
    assert out.splitlines() == ["a.py:1:1: DET001 unused `noqa` for DET101: nothing to suppress on this line"]


def test_config_select_ignore_and_per_file_ignores(project: Path, capsys) -> None:
    write(
        project / "pyproject.toml",
        '[tool.determinism-lint]\nignore = ["DET402"]\n[tool.determinism-lint.per-file-ignores]\n"legacy/*" = ["DET4"]\n',
    )
    write(project / "src" / "a.py", BARE)
    write(project / "legacy" / "old.py", BARE)
    _, out, _ = run(capsys, "check")
    assert [line.split(":")[0] + " " + line.split()[1] for line in out.splitlines()] == ["src/a.py DET401"]


def test_config_exclude_and_force_exclude(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.determinism-lint]\nextend-exclude = ["generated"]\n')
    write(project / "generated" / "a.py", BARE)
    write(project / "build" / "b.py", BARE)
    write(project / ".venv" / "lib" / "c.py", BARE)
    write(project / "env2" / "pyvenv.cfg", "home = /usr\n")
    write(project / "env2" / "lib" / "d.py", BARE)
    assert run(capsys, "check")[0] == 0
    # Named explicitly: checked, unless --force-exclude (what pre-commit uses).
    assert run(capsys, "check", "generated/a.py")[0] == 1
    assert run(capsys, "check", "--force-exclude", "generated/a.py")[0] == 0


@pytest.mark.parametrize(
    "table, message",
    [
        ("bogus = 1\n", "unknown key(s) 'bogus'"),
        ("strict = 'yes'\n", "strict must be true or false"),
        ('select = "DET1"\n', "must be a list of strings"),
        ('ignore = ["XYZ"]\n', "is not a rule code"),
        ('extra-writers = ["not a name"]\n', "is not a dotted name"),
        ("max-file-size = -1\n", "max-file-size must be a positive number"),
        ("[[broken\n", "is not valid TOML"),
    ],
)
def test_config_errors_exit_two(project: Path, capsys, table: str, message: str) -> None:
    write(project / "pyproject.toml", "[tool.determinism-lint]\n" + table)
    write(project / "a.py", CLEAN)
    code, out, err = run(capsys, "check", "a.py")
    assert code == 2, err
    assert message in err
    assert err.startswith("determinism-lint: error: ")


def test_explicit_config_file(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    write(project / "other.toml", '[tool.determinism-lint]\nselect = ["DET402"]\n')
    _, out, _ = run(capsys, "check", "--config", "other.toml", "a.py")
    assert [line.split()[1] for line in out.splitlines()] == ["DET402"]
    code, _, err = run(capsys, "check", "--config", "missing.toml", "a.py")
    assert code == 2 and "missing.toml" in err


def test_missing_path_is_usage_error(project: Path, capsys) -> None:
    code, _, err = run(capsys, "check", "nope.py")
    assert code == 2 and "nope.py: no such file or directory" in err


def test_unknown_option_is_usage_error(project: Path, capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check", "--no-such-option"])
    assert raised.value.code == 2


def test_bad_files_reported_and_others_still_checked(project: Path, capsys) -> None:
    write(project / "a_syntax.py", "def broken(:\n    pass\n")
    write(project / "b_latin1.py", b"x = '\xe9t\xe9'\n")
    write(project / "c_nul.py", b"x = 1\x00\n")
    write(project / "d_huge.py", "x = 1\n" * 2_000_000)  # 12 MB
    write(project / "e_ok.py", BARE)
    write(project / "f_coding.py", b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    code, out, err = run(capsys, "check", ".")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("a_syntax.py:1:12: DET000 cannot parse: SyntaxError")
    assert lines[1] == (
        "b_latin1.py:1:6: DET000 cannot decode as utf-8: invalid byte 0xe9"
        " (declare the encoding with a coding comment or save the file as UTF-8)"
    )
    assert lines[2] == "c_nul.py:1:6: DET000 cannot parse: the file contains a NUL byte (is it binary?)"
    assert lines[3].startswith("d_huge.py:1:1: DET000 not checked: the file is 12.0 MB (12,000,000 bytes), over the max-file-size")
    assert [line.split()[1] for line in lines[4:]] == ["DET401"]
    assert "4 files could not be checked (DET000)" in err


def test_rules_and_explain(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "DET401  bare-except" in out
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert {"code": "DET401", "name": "bare-except"}.items() <= json.loads(out)[[r["code"] for r in json.loads(out)].index("DET401")].items()
    code, out, _ = run(capsys, "explain", "DET401")
    assert code == 0 and out.startswith("# DET401: bare-except") and "## Why is this bad?" in out
    assert run(capsys, "explain", "silent-except")[0] == 0
    code, _, err = run(capsys, "explain", "DET999")
    assert code == 2 and "unknown rule" in err


def test_parallel_results_match_serial(project: Path, capsys) -> None:
    for index in range(80):
        write(project / f"m{index:03d}.py", ("x = 1\n" * (index % 7)) + BARE)
    _, serial, _ = run(capsys, "check", "-j", "1", ".")
    _, parallel, _ = run(capsys, "check", "-j", "2", ".")
    assert serial == parallel and len(serial.splitlines()) == 80


def _run_subprocess(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "determinism_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_check_does_not_import_libcst(tmp_path: Path) -> None:
    write(tmp_path / "a.py", BARE)
    code = textwrap.dedent(
        """
        import sys
        from determinism_lint.cli import main
        rc = main(["check", "-q", "a.py"])
        assert "libcst" not in sys.modules, sorted(m for m in sys.modules if m.startswith("libcst"))
        print(rc)
        """
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(root)}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_module_entry_point_exit_codes(tmp_path: Path) -> None:
    write(tmp_path / "a.py", BARE)
    root = str(Path(__file__).resolve().parents[2])
    assert _run_subprocess(["check", "a.py"], tmp_path, PYTHONPATH=root).returncode == 1
    assert _run_subprocess(["check", "--bogus"], tmp_path, PYTHONPATH=root).returncode == 2
    assert _run_subprocess([], tmp_path, PYTHONPATH=root).returncode == 2


def test_output_into_missing_directory_is_a_clear_error(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    code, _, err = run(capsys, "check", "--output", "missing/report.json", "a.py")
    assert code == 2
    assert err.startswith("determinism-lint: error: ") and "missing/report.json" in err
    code, _, err = run(capsys, "check", "--write-baseline", "missing/baseline.json", "a.py")
    assert code == 2


def test_empty_select_is_an_error_not_a_silent_pass(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    code, _, err = run(capsys, "check", "--select", ",", "a.py")
    assert code == 2 and "--select names no code" in err
    write(project / "pyproject.toml", "[tool.determinism-lint]\nselect = []\n")
    code, _, err = run(capsys, "check", "a.py")
    assert code == 2 and "select is empty" in err


def test_more_specific_select_beats_broader_ignore(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    _, out, _ = run(capsys, "check", "--select", "DET401", "--ignore", "DET4", "a.py")
    assert [line.split()[1] for line in out.splitlines()] == ["DET401"]
    _, out, _ = run(capsys, "check", "--select", "DET4", "--ignore", "DET401", "a.py")
    assert [line.split()[1] for line in out.splitlines()] == ["DET402"]
