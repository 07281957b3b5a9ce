"""The command line as ruff users know it: hierarchical configuration, file selection,
stdin, output options, and the messages a new user reads."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from determinism_lint.cli import build_parser
from determinism_lint.engine import Engine
from determinism_lint.model import Finding
from determinism_lint.settings import Settings

from ..helpers import check_result, run, write

BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n"  # DET401 + DET402 on line 3
CLEAN = "import logging\n\nlogger = logging.getLogger(__name__)\n"
DUMP = "import json\n\n\ndef write_manifest(data: set, out):\n    out.write(json.dumps(dict.fromkeys(data)))\n"  # DET201


def codes_by_path(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in out.splitlines():
        location, rest = line.split(": ", 1)
        found.setdefault(location.split(":")[0], set()).add(rest.split()[0])
    return found


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    return tmp_path


@pytest.fixture
def monorepo(project: Path) -> Path:
    """p1 selects DET4 only, p2 selects DET2 only; both hold the same two files."""
    write(project / "p1" / "pyproject.toml", '[tool.determinism-lint]\nselect = ["DET4"]\nextend-exclude = ["gen"]\n')
    write(project / "p2" / "pyproject.toml", '[tool.determinism-lint]\nselect = ["DET2"]\n')
    for name in ("p1", "p2"):
        write(project / name / "bare.py", BARE)
        write(project / name / "dump.py", DUMP)
        write(project / name / "gen" / "g.py", BARE)
    return project


# -- hierarchical configuration --------------------------------------------------------------


def test_each_path_uses_its_nearest_config(monorepo: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "p1", "p2")
    assert code == 1
    found = codes_by_path(out)
    assert found["p1/bare.py"] == {"DET401"} and "p1/dump.py" not in found
    assert found["p2/dump.py"] == {"DET201"} and "p2/bare.py" not in found
    # p1 excludes its gen/ folder; p2 does not.
    assert "p1/gen/g.py" not in found and "p2/gen/g.py" not in found  # DET4 is off in p2
    # The order of the paths does not matter: p2's settings never reach p1's files.
    assert run(capsys, "check", "p2/bare.py", "p1/bare.py")[1] == run(capsys, "check", "p1/bare.py", "p2/bare.py")[1]
    _, out, _ = run(capsys, "check", "p2/bare.py", "p1/bare.py")
    assert set(codes_by_path(out)) == {"p1/bare.py"}


def test_run_from_the_root_applies_each_projects_config(monorepo: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", ".")
    assert set(codes_by_path(out)) == {"p1/bare.py", "p2/dump.py"}


def test_config_option_governs_every_file(monorepo: Path, capsys) -> None:
    write(monorepo / "all.toml", 'select = ["DET"]\n')
    _, out, _ = run(capsys, "check", "--config", "all.toml", "p1", "p2")
    assert set(codes_by_path(out)) == {"p1/bare.py", "p1/dump.py", "p2/bare.py", "p2/dump.py", "p1/gen/g.py", "p2/gen/g.py"}


def test_precommit_style_run_over_a_monorepo(monorepo: Path, capsys) -> None:
    # pre-commit passes staged files by name, with --force-exclude.
    staged = ["p1/bare.py", "p1/dump.py", "p1/gen/g.py", "p2/bare.py", "p2/dump.py"]
    _, out, _ = run(capsys, "check", "--force-exclude", *staged)
    assert set(codes_by_path(out)) == {"p1/bare.py", "p2/dump.py"}


def test_fix_uses_each_files_config(monorepo: Path, capsys) -> None:
    code, out, _ = run(capsys, "fix", "--diff", "--unsafe-fixes", "p1", "p2")
    assert code == 1
    changed = {line[6:] for line in out.splitlines() if line.startswith("+++ b/")}
    assert changed == {"p1/bare.py", "p2/dump.py"}


def test_inventory_uses_each_files_config(monorepo: Path, capsys) -> None:
    code, out, _ = run(capsys, "inventory", "--format", "json", "p1", "p2")
    assert code == 0
    paths = {row["path"] for row in json.loads(out)["files"]}
    assert "p1/gen/g.py" not in paths and "p2/gen/g.py" in paths


def test_settings_are_looked_up_once_per_directory(monorepo: Path, monkeypatch) -> None:
    from determinism_lint import configs

    reads = []
    original = configs.config_table_of
    monkeypatch.setattr(configs, "config_table_of", lambda path: reads.append(path) or original(path))
    resolver = configs.SettingsResolver()
    for _ in range(3):
        for name in ("bare.py", "dump.py"):
            resolver.for_path(str(monorepo / "p1" / name))
    assert len(reads) == 1


# -- rule codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("--select", "DET999"),
        ("--ignore", "DET7"),
        ("--extend-select", "DET109"),
    ],
)
def test_unknown_rule_is_a_usage_error(project: Path, capsys, argv) -> None:
    write(project / "a.py", BARE)
    code, out, err = run(capsys, "check", *argv, "a.py")
    assert code == 2 and out == ""
    assert f"unknown rule {argv[1]}" in err


def test_unknown_rule_in_config_is_a_usage_error(project: Path, capsys) -> None:
    write(project / "a.py", BARE)
    write(project / "pyproject.toml", '[tool.determinism-lint]\n[tool.determinism-lint.per-file-ignores]\n"a.py" = ["DET999"]\n')
    code, _, err = run(capsys, "check", "a.py")
    assert code == 2 and "unknown rule DET999" in err


@pytest.mark.parametrize("selection", ["DET", "ALL", "DET0", "DET000", "DET001", "DET1", "DET40", "det401"])
def test_known_codes_and_prefixes_are_accepted(project: Path, capsys, selection: str) -> None:
    write(project / "a.py", CLEAN)
    assert run(capsys, "check", "--select", selection, "a.py")[0] == 0


def test_extend_select_adds_to_the_configured_selection(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.determinism-lint]\nselect = ["DET401"]\n')
    write(project / "a.py", BARE + DUMP)
    _, out, _ = run(capsys, "check", "a.py")
    assert codes_by_path(out)["a.py"] == {"DET401"}
    _, out, _ = run(capsys, "check", "--extend-select", "DET2", "a.py")
    assert codes_by_path(out)["a.py"] == {"DET401", "DET201"}


# -- files --------------------------------------------------------------------------------


def test_unreadable_directory_is_named_and_fails(project: Path, capsys, monkeypatch) -> None:
    write(project / "ok" / "a.py", CLEAN)
    (project / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run(capsys, "check", ".")
    assert code == 1 and out == ""
    assert "determinism-lint: error: locked: cannot read directory: Permission denied" in err


def test_no_python_files_warns(project: Path, capsys) -> None:
    (project / "docs").mkdir()
    write(project / "docs" / "x.txt", "hello")
    code, _, err = run(capsys, "check", "docs")
    assert code == 0 and "warning: no Python files found" in err


def test_exclude_and_extend_exclude_on_the_command_line(project: Path, capsys) -> None:
    write(project / "src" / "a.py", BARE)
    write(project / "src" / "legacy" / "b.py", BARE)
    write(project / "build" / "c.py", BARE)
    _, out, _ = run(capsys, "check", "--extend-exclude", "src/legacy", ".")
    assert set(codes_by_path(out)) == {"src/a.py"}
    # --exclude replaces the defaults (build/ is excluded by default).
    _, out, _ = run(capsys, "check", "--exclude", "legacy", ".")
    assert set(codes_by_path(out)) == {"src/a.py", "build/c.py"}


GITIGNORE_TREE = {
    ".gitignore": "*.gen.py\n/top_only/\nbuild_out/\n!keep.gen.py\n",
    "a.py": BARE,
    "x.gen.py": BARE,
    "keep.gen.py": BARE,
    "top_only/t.py": BARE,
    "sub/top_only/t.py": BARE,
    "sub/build_out/b.py": BARE,
    "sub/build_out.py": BARE,
    "sub/.gitignore": "secret*.py\n!keep.gen.py\n",
    "sub/secret1.py": BARE,
    "sub/y.gen.py": BARE,
    "sub/deep/.ignore": "!secret2.py\n",
    "sub/deep/secret2.py": BARE,
    "sub/deep/secret3.py": BARE,
}


def test_gitignore_is_respected(project: Path, capsys) -> None:
    (project / ".git").mkdir()
    for name, text in GITIGNORE_TREE.items():
        write(project / name, text)
    _, out, _ = run(capsys, "check", ".")
    assert set(codes_by_path(out)) == {
        "a.py",
        "keep.gen.py",  # negated
        "sub/top_only/t.py",  # "/top_only/" is anchored to the root
        "sub/build_out.py",  # "build_out/" matches directories only
        "sub/deep/secret2.py",  # a deeper ignore file re-includes it
    }
    _, out, _ = run(capsys, "check", "--no-respect-gitignore", ".")
    assert len(codes_by_path(out)) == len([name for name in GITIGNORE_TREE if name.endswith(".py")])


def test_respect_gitignore_setting_and_named_files(project: Path, capsys) -> None:
    (project / ".git").mkdir()
    write(project / ".gitignore", "ignored/\n")
    write(project / "ignored" / "a.py", BARE)
    assert run(capsys, "check", ".")[0] == 0
    # A file named on the command line is checked, unless --force-exclude (as ruff does).
    assert run(capsys, "check", "ignored/a.py")[0] == 1
    assert run(capsys, "check", "--force-exclude", "ignored/a.py")[0] == 0
    # A folder named on the command line inside an ignored one is walked (as ruff does).
    assert run(capsys, "check", "ignored")[0] == 1
    write(project / "pyproject.toml", "[tool.determinism-lint]\nrespect-gitignore = false\n")
    assert run(capsys, "check", ".")[0] == 1


def test_skip_file_pragma(project: Path, capsys) -> None:
    write(project / "a.py", "# determinism-lint: skip-file\n" + BARE)
    write(project / "b.py", BARE + "x = '# determinism-lint: skip-file'\n")
    _, out, _ = run(capsys, "check", ".")
    assert set(codes_by_path(out)) == {"b.py"}
    assert check_result(b"# determinism-lint: skip-file\r\n" + BARE.encode(), "c.py").findings == ()


# -- standard input -------------------------------------------------------------------------


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_stdin_filename(monorepo: Path, capsys, monkeypatch) -> None:
    _stdin(monkeypatch, BARE + DUMP)
    code, out, _ = run(capsys, "check", "--stdin-filename", "p2/new.py", "-")
    assert code == 1
    assert codes_by_path(out) == {"p2/new.py": {"DET201"}}  # p2's settings: DET2 only


def test_stdin_filename_with_force_exclude(monorepo: Path, capsys, monkeypatch) -> None:
    _stdin(monkeypatch, BARE)
    assert run(capsys, "check", "--force-exclude", "--stdin-filename", "p1/gen/new.py", "-")[:2] == (0, "")
    _stdin(monkeypatch, BARE)
    assert run(capsys, "check", "--stdin-filename", "p1/gen/new.py", "-")[0] == 1


def test_fix_from_stdin_writes_the_fixed_source(project: Path, capsys, monkeypatch) -> None:
    _stdin(monkeypatch, DUMP)
    code, out, _ = run(capsys, "fix", "--unsafe-fixes", "--stdin-filename", "a.py", "-")
    assert code == 0 and "json.dumps(dict.fromkeys(data), sort_keys=True)" in out
    assert not (project / "a.py").exists()


# -- output -----------------------------------------------------------------------------------


def test_show_source_prints_the_line_and_a_caret(project: Path, capsys) -> None:
    write(project / "a.py", DUMP)
    _, out, _ = run(capsys, "check", "--show-source", "a.py")
    assert out.splitlines()[1:] == [
        "5 |     out.write(json.dumps(dict.fromkeys(data)))",
        "  |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    ]
    assert run(capsys, "check", "--output-format", "full", "a.py")[1] == out


def test_colour(project: Path, capsys, monkeypatch) -> None:
    write(project / "a.py", DUMP)
    plain = run(capsys, "check", "a.py")[1]
    assert "\x1b[" not in plain  # captured output is not a terminal
    coloured = run(capsys, "check", "--color", "always", "a.py")[1]
    assert "\x1b[" in coloured
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert "\x1b[" in run(capsys, "check", "a.py")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(capsys, "check", "a.py")[1] == plain
    assert run(capsys, "check", "--color", "never", "a.py")[1] == plain


def test_explain_scopes_as_json(project: Path, capsys) -> None:
    write(project / "a.py", "def write_index(out):\n    pass\n\n\ndef helper():\n    pass\n")
    code, out, _ = run(capsys, "check", "--explain-scopes", "--format", "json", "a.py")
    assert code == 0
    rows = {row["function"]: row for row in json.loads(out)}
    assert rows["write_index"]["artifact"] is True and rows["write_index"]["line"] == 1
    assert rows["helper"]["artifact"] is False and rows["helper"]["reason"] is None


def test_findings_are_written_as_each_file_is_checked(project: Path, capsys, monkeypatch) -> None:
    write(project / "a.py", BARE)
    write(project / "b.py", BARE)
    seen = []
    original = Engine.check_path

    def check_path(self, path):
        seen.append((path, capsys.readouterr().out))
        return original(self, path)

    monkeypatch.setattr(Engine, "check_path", check_path)
    run(capsys, "check", "-j", "1", ".")
    assert seen[0] == ("a.py", "") and seen[1][0] == "b.py" and seen[1][1].startswith("a.py:3:1: DET401")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="slots on the per-finding records from Python 3.11")
def test_findings_are_light() -> None:
    finding = Finding("a.py", 1, 1, "DET401", "m", 1, 2)
    assert not hasattr(finding, "__dict__")


def test_check_fix_and_diff_are_fix(project: Path, capsys) -> None:
    write(project / "a.py", DUMP)
    code, diff, _ = run(capsys, "check", "--diff", "--unsafe-fixes", "a.py")
    assert code == 1 and "+    out.write(json.dumps(dict.fromkeys(data), sort_keys=True))" in diff
    assert run(capsys, "fix", "--diff", "--unsafe-fixes", "a.py")[1] == diff
    code, _, err = run(capsys, "check", "--fix", "a.py")
    assert "1 more fixable with --unsafe-fixes" in err and "sort_keys" not in (project / "a.py").read_text()
    code, _, err = run(capsys, "check", "--fix", "--unsafe-fixes", "a.py")
    assert code == 0 and "Fixed 1 finding in 1 file." in err
    assert "sort_keys=True" in (project / "a.py").read_text()


def test_check_help_groups_options_as_ruff_does() -> None:
    text = build_parser()._subparsers._group_actions[0].choices["check"].format_help()  # type: ignore[union-attr]
    headings = [line for line in text.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    assert headings[-5:] == ["Rule selection:", "Output:", "File selection:", "Fixing:", "Miscellaneous:"]
    for option in ("--extend-select", "--stdin-filename", "--show-source", "--color", "--fix", "--no-respect-gitignore"):
        assert option in text


# -- messages ---------------------------------------------------------------------------------


def test_summary_for_unchecked_files_only(project: Path, capsys) -> None:
    write(project / "bad.py", "def (:\n")
    _, out, err = run(capsys, "check", "bad.py")
    assert "DET000" in out
    assert err.strip() == "1 file could not be checked (DET000)."
    write(project / "ok.py", CLEAN)
    assert run(capsys, "check", ".")[2].strip() == "1 file could not be checked (DET000); no findings in the other 1 file."


def test_size_over_the_limit_is_never_shown_as_the_limit(project: Path) -> None:
    write(project / "big.py", "x = 1\n" * 833_357)  # 5,000,142 bytes
    (finding,) = Engine(Settings()).check_path("big.py").findings
    assert "5.0 MB (5,000,142 bytes)" in finding.message and "limit of 5,000,000 bytes" in finding.message


def test_self_referencing_symlink_is_not_called_missing(project: Path, capsys) -> None:
    os.symlink("loop.py", project / "loop.py")
    code, _, err = run(capsys, "check", "loop.py")
    assert code == 2 and "no such file" not in err and "symbolic link" in err


def test_config_file_with_only_other_tools_tables(project: Path, capsys) -> None:
    write(project / "other.toml", "[tool.other]\nx = 1\n")
    write(project / "a.py", CLEAN)
    code, _, err = run(capsys, "check", "--config", "other.toml", "a.py")
    assert code == 2 and "other.toml has no [tool.determinism-lint] table" in err


def test_flake8_names_its_own_option(tmp_path: Path) -> None:
    write(tmp_path / "a.py", CLEAN)
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "DET", "--det-config", str(tmp_path / "missing.toml"), "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "--det-config" in done.stderr and "--config " not in done.stderr.replace("--det-config", "")


def test_singular_messages(project: Path, capsys) -> None:
    write(project / "a.py", BARE + DUMP)
    run(capsys, "check", "--write-baseline", "b.json", "a.py")
    write(project / "a.py", BARE)
    err = run(capsys, "check", "--baseline", "b.json", "a.py")[2]
    assert "1 baseline entry no longer matches" in err
    write(project / "h.py", "def shard_of(data, n):\n    return hash(data) % n\n")  # DET203: no fix
    err = run(capsys, "fix", "h.py")[2]
    assert "1 finding has no automatic fix" in err


# -- explain and rules ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["DET000", "DET001", "unused-noqa", "unchecked-file"])
def test_explain_pseudo_codes(capsys, code: str) -> None:
    status, out, _ = run(capsys, "explain", code)
    assert status == 0 and out.startswith("# DET00")


def test_rules_lists_pseudo_codes_and_explain_has_no_maintainer_comment(capsys) -> None:
    out = run(capsys, "rules")[1]
    assert out.splitlines()[0].startswith("DET000  unchecked-file") and "DET001  unused-noqa" in out
    assert [row["code"] for row in json.loads(run(capsys, "rules", "--format", "json")[1])][:2] == ["DET000", "DET001"]
    out = run(capsys, "explain", "DET401")[1]
    assert "<!--" not in out and "do not edit" not in out


# -- verify -----------------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="verify's process handling is tested on POSIX")
@pytest.mark.parametrize("mode", [(), ("--crash", "--kills", "1")])
def test_verify_with_no_output_is_a_setup_error(tmp_path: Path, capsys, monkeypatch, mode) -> None:
    monkeypatch.delenv("DETERMINISM_VERIFY_OUT", raising=False)
    code, out, err = run(
        capsys, "verify", "-q", *mode, "--artifacts", str(tmp_path / "a"), "--", sys.executable, "-c", "pass"
    )
    assert code == 2
    assert "determinism-lint: error:" in err and "wrote no files into its output directory" in err
    assert "nothing was compared" in out


SILENT_BARE = """\
import json


def save(f, data):
    try:
        json.dump(data, f)
    except:
        pass
"""


def test_check_summary_counts_the_safe_fix_of_a_merged_handler_finding(project: Path, capsys) -> None:
    # One DET401 stands for the silent swallow too; `fix` applies the safe log-call fix of
    # the swallow, so the summary counts the finding as safely fixable.
    write(project / "a.py", SILENT_BARE)
    code, out, err = run(capsys, "check", "a.py")
    assert code == 1 and out.count("DET401") == 1 and "also swallows the error silently" in out
    assert "1 fixable with `determinism-lint fix`." in err
    assert "Fixed 1 finding in 1 file." in run(capsys, "fix", "a.py")[2]
