"""``check --report-unused-noqa``: DET001 for ``# noqa: DETxxx`` that suppresses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from determinism_lint.cli import main
from determinism_lint.noqa import unused_noqa_findings
from determinism_lint.settings import Settings

from ..helpers import check_result

# A bare, silent handler: one DET401 on the `except` line that stands for DET402 too.
HANDLER = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:{comment}\n    pass\n"


def handler(comment: str) -> str:
    return HANDLER.format(comment=f"  {comment}" if comment else "")


def unused(source: str, **settings: object) -> list[str]:
    result = check_result(source, "a.py", **settings)
    findings = unused_noqa_findings([result], Settings(**settings))  # type: ignore[arg-type]
    return [f"{f.line}: {f.message}" for f in findings]


def message(codes: str) -> str:
    return f"unused `noqa` for {codes}: nothing to suppress on this line"


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("# noqa: DET401", []),  # used; the one finding says the handler is also silent
        ("# noqa: DET402", []),  # names the silence the DET401 finding stands for
        ("# noqa: DET401,DET402", []),
        ("# noqa: DET401 DET402", []),
        ("# noqa:DET401,DET402", []),
        ("#noqa: det401", []),
        ("# NOQA: DET401", []),
        ("# noqa: DET4", []),  # a prefix: the family
        ("# noqa: DET40", []),
        ("# noqa: DET1", ["3: " + message("DET1")]),
        ("# noqa: DET401, DET101", ["3: " + message("DET101")]),
        ("# noqa: DET101, DET301, DET402", ["3: " + message("DET101, DET301")]),
        ("# noqa: DET999", ["3: " + message("DET999")]),  # no such rule: can never be used
        ("# noqa: det101", ["3: " + message("DET101")]),
        ("# noqa", []),  # blanket: may serve another tool
        ("# noqa: E722", []),  # another tool's code
        ("# noqa: E722, B001, DET101", ["3: " + message("DET101")]),
        ("# noqa: DET001, DET101", []),  # naming DET001 keeps the line out of the report
    ],
)
def test_codes_on_a_flagged_line(comment: str, expected: list[str]) -> None:
    assert unused(handler(comment)) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("x = 1  # noqa: DET101", ["1: " + message("DET101")]),
        ("x = 1  # noqa: DET1", ["1: " + message("DET1")]),
        ("x = 1  # noqa", []),
        ("x = 1  # noqa: E501", []),
        ("x = '# noqa: DET101'", []),  # in a string, not a comment
        ("# noqa: DET101", ["1: " + message("DET101")]),  # a comment line of its own
    ],
)
def test_codes_on_a_clean_line(line: str, expected: list[str]) -> None:
    assert unused(line + "\n") == expected


def test_codes_of_rules_that_did_not_run_are_not_judged() -> None:
    source = handler("# noqa: DET401, DET402")
    # Only DET1 ran: nothing can be said about DET401 and DET402.
    assert unused(source, select=("DET1",)) == []
    # DET401 ran and is used; DET402 did not run.
    assert unused(source, select=("DET401",)) == []
    # A prefix is judged only when every rule it covers ran.
    assert unused(handler("# noqa: DET4"), select=("DET401",)) == []
    assert unused("x = 1  # noqa: DET4\n", select=("DET401",)) == []
    assert unused("x = 1  # noqa: DET4\n", select=("DET4",)) == ["1: " + message("DET4")]
    assert unused("x = 1  # noqa: DET401\n", ignore=("DET401",)) == []
    assert unused("x = 1  # noqa: DET999\n", select=("DET1",)) == ["1: " + message("DET999")]


def test_per_file_ignores_are_respected() -> None:
    settings = {"per_file_ignores": (("a.py", ("DET4",)),)}
    assert unused("x = 1  # noqa: DET401\n", **settings) == []
    assert unused("x = 1  # noqa: DET101\n", **settings) == ["1: " + message("DET101")]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    return tmp_path


def test_cli_reports_unused_noqa_sorted_with_findings(project: Path, capsys) -> None:
    (project / "a.py").write_text("y = 2  # noqa: DET3\n" + handler("# noqa: DET402, DET101"))
    code = main(["check", "--report-unused-noqa", "a.py"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines() == [
        "a.py:1:1: DET001 " + message("DET3"),
        "a.py:4:1: DET001 " + message("DET101"),
        "a.py:4:1: DET401 bare `except:` swallows the failure of `hashlib.sha256(step()).hexdigest(...)` on line 3;"
        " it also catches a Ctrl-C and SystemExit; the handler also swallows the error silently and does not fail closed",
    ]


def test_cli_respects_select_for_unused_noqa(project: Path, capsys) -> None:
    (project / "a.py").write_text(handler("# noqa: DET401, DET402"))
    assert main(["check", "--select", "DET1", "--report-unused-noqa", "a.py"]) == 0
    assert capsys.readouterr().out == ""


def test_unused_noqa_only_when_asked(project: Path, capsys) -> None:
    (project / "a.py").write_text("x = 1  # noqa: DET101\n")
    assert main(["check", "a.py"]) == 0
    assert main(["check", "--report-unused-noqa", "a.py"]) == 1


def test_unused_noqa_can_be_baselined(project: Path, capsys) -> None:
    (project / "a.py").write_text("x = 1  # noqa: DET101\n")
    assert main(["check", "--report-unused-noqa", "--write-baseline", "b.json", "a.py"]) == 0
    assert main(["check", "--report-unused-noqa", "--baseline", "b.json", "a.py"]) == 0
