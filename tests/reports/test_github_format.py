"""``check --format github``: GitHub Actions workflow commands that survive any path and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from determinism_lint.cli import main
from determinism_lint.formats import render_github
from determinism_lint.model import Finding

BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n"


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command the way the Actions runner does (``ActionCommand.TryParseV2``)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    head, message = line[2:end], line[end + 2 :]
    command, _, props_text = head.partition(" ")
    props = {}
    for pair in props_text.split(","):
        if pair:
            key, _, value = pair.partition("=")
            props[key] = _unescape_property(value)
    return command, props, _unescape_data(message)


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def finding(path: str = "a.py", message: str = "m", code: str = "DET101") -> Finding:
    return Finding(path=path, line=3, col=5, code=code, message=message, end_line=4, end_col=9)


@pytest.mark.parametrize(
    "path",
    [
        "a.py",
        "dir,with,commas/a.py",
        "c:/odd:name.py",
        "100%/x%2C%3A%25.py",
        "spa ce/=eq=.py",
        "new\nline.py",
        "::double.py",
    ],
)
def test_paths_round_trip(path: str) -> None:
    (line,) = render_github([finding(path=path)]).splitlines()
    command, props, message = parse_command(line)
    assert command == "error"
    assert props == {"file": path, "line": "3", "col": "5", "endLine": "4", "endColumn": "9", "title": "DET101"}
    assert message == "DET101 m"


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "two\nlines",
        "crlf\r\nline",
        "percent 100% and %0A literally",
        "colons: a::b, and commas",
        "trailing newline\n",
    ],
)
def test_messages_round_trip(text: str) -> None:
    out = render_github([finding(message=text)])
    assert out.endswith("\n") and out.count("\n") == 1, "one annotation is one line"
    assert "\r" not in out
    _, _, message = parse_command(out[:-1])
    assert message == f"DET101 {text}"


def test_escapes_exactly() -> None:
    out = render_github([finding(path="a,b:c%d.py", message="50% done\nnext: x, y")])
    assert out == (
        "::error file=a%2Cb%3Ac%25d.py,line=3,col=5,endLine=4,endColumn=9,title=DET101::"
        "DET101 50%25 done%0Anext: x, y\n"
    )


def test_unchecked_files_are_errors() -> None:
    out = render_github([finding(code="DET000", message="cannot parse")], level="notice")
    assert out.startswith("::error ")


@pytest.mark.parametrize("level", ["error", "warning", "notice"])
def test_annotation_level_is_configurable(level: str) -> None:
    assert render_github([finding()], level=level).startswith(f"::{level} file=")


def test_one_line_per_finding_in_order(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    odd = tmp_path / "odd, dir" / "x:y%z.py"
    odd.parent.mkdir()
    odd.write_text(BARE)
    (tmp_path / "a.py").write_text(BARE)
    assert main(["check", "-q", "--format", "github", "."]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [parse_command(line) for line in lines]
    assert [(props["file"], props["title"]) for _, props, _ in parsed] == [
        ("a.py", "DET401"),
        ("odd, dir/x:y%z.py", "DET401"),
    ]
    assert lines[1].startswith("::error file=odd%2C dir/x%3Ay%25z.py,line=3,")
