"""Every fix: the stated result, parses, converges, is idempotent, keeps CRLF and encodings."""

from __future__ import annotations

import ast
import os
import stat
import textwrap
from pathlib import Path

import pytest

from determinism_lint.checks import ALL_RULES
from determinism_lint.checks.base import NO_FIX
from determinism_lint.cli import main
from determinism_lint.engine import Engine
from determinism_lint.fixer import fix_source
from determinism_lint.model import FixSafety
from determinism_lint.settings import Settings


def _fixed_cases():
    for rule in ALL_RULES:
        for index, example in enumerate(rule.INVALID):
            if isinstance(example.fixed, str):
                yield pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")


FIXED_CASES = list(_fixed_cases())


def _engine(rule, example) -> Engine:
    return Engine(Settings(**dict(example.settings)), rules=[rule])


def _fix(engine: Engine, source: bytes) -> bytes:
    result = fix_source(source, "example.py", engine, unsafe=True)
    assert result.error is None, result.error
    return result.new if result.new is not None else source


@pytest.mark.parametrize("rule, example", FIXED_CASES)
def test_fix_gives_stated_result(rule, example) -> None:
    engine = _engine(rule, example)
    before = textwrap.dedent(example.code).encode()
    after = _fix(engine, before)
    assert after.decode() == textwrap.dedent(example.fixed)
    ast.parse(after)
    # Converged: the rule no longer fires on the fixed code.
    assert [f for f in engine.check_source(after, "example.py").findings if f.code == rule.code] == []
    # Idempotent: a second run changes nothing.
    assert _fix(engine, after) == after


@pytest.mark.parametrize("rule, example", FIXED_CASES)
def test_fix_keeps_crlf_and_encoding_declaration(rule, example) -> None:
    engine = _engine(rule, example)
    header = "# -*- coding: latin-1 -*-\n# caf\xe9 r\xe9sum\xe9\n"
    source = (header + textwrap.dedent(example.code)).replace("\n", "\r\n").encode("latin-1")
    expected = (header + textwrap.dedent(example.fixed)).replace("\n", "\r\n").encode("latin-1")
    assert _fix(engine, source) == expected


@pytest.mark.parametrize("rule, example", FIXED_CASES)
def test_fix_keeps_bom(rule, example) -> None:
    engine = _engine(rule, example)
    source = b"\xef\xbb\xbf" + textwrap.dedent(example.code).encode()
    assert _fix(engine, source) == b"\xef\xbb\xbf" + textwrap.dedent(example.fixed).encode()


def test_invalid_examples_of_implemented_fixes_state_their_result() -> None:
    missing = [
        f"{rule.code} INVALID[{index}]"
        for rule in ALL_RULES
        if rule.fix_node
        for index, example in enumerate(rule.INVALID)
        if example.fixed is None
    ]
    assert not missing, "state `fixed=` (or NO_FIX) for: " + ", ".join(missing)


def test_no_fix_examples_are_left_alone() -> None:
    for rule in ALL_RULES:
        for example in rule.INVALID:
            if example.fixed is NO_FIX and rule.fix_safety is not FixSafety.NONE:
                engine = _engine(rule, example)
                source = textwrap.dedent(example.code).encode()
                assert _fix(engine, source) == source, rule.code


# -- the command ---------------------------------------------------------------------------

SILENT = textwrap.dedent(
    """\
    import logging

    logger = logging.getLogger(__name__)


    def load(paths):
        for path in paths:
            try:  # keep going
                hashlib.sha256(read(path)).hexdigest()
            except:
                pass
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    return tmp_path


def test_fix_safe_only_by_default_and_unsafe_opt_in(project: Path, capsys) -> None:
    target = project / "a.py"
    target.write_text(SILENT)
    assert main(["fix", "a.py"]) == 1  # the unsafe DET401 fix is left: exit 1 like `ruff --fix`
    text = target.read_text()
    assert "logger.debug(\"load: ignored exception\", exc_info=True)" in text
    assert "try:  # keep going" in text
    assert "1 more fixable with --unsafe-fixes" in capsys.readouterr().err
    assert main(["fix", "--unsafe-fixes", "a.py"]) == 0
    assert "try:  # keep going" in target.read_text() and "except Exception:\n" in target.read_text()
    assert main(["check", "a.py"]) == 0


def test_fix_diff_writes_nothing(project: Path, capsys) -> None:
    target = project / "a.py"
    target.write_text(SILENT)
    assert main(["fix", "--diff", "a.py"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/a.py\n+++ b/a.py\n")
    assert '+            logger.debug("load: ignored exception", exc_info=True)' in out
    assert target.read_text() == SILENT
    clean = project / "b.py"
    clean.write_text("x = 1\n")
    assert main(["fix", "--diff", "b.py"]) == 0


def test_fix_keeps_permissions(project: Path) -> None:
    target = project / "a.py"
    target.write_text(SILENT)
    os.chmod(target, 0o751)
    main(["fix", "--unsafe-fixes", "a.py"])
    assert stat.S_IMODE(target.stat().st_mode) == 0o751


def test_fix_skips_noqa_and_ignored(project: Path) -> None:
    source = SILENT.replace("except:\n", "except:  # noqa: DET402\n")
    target = project / "a.py"
    target.write_text(source)
    main(["fix", "--ignore", "DET401", "a.py"])
    assert target.read_text() == source


def test_fix_without_module_logger_adds_logging_import(project: Path) -> None:
    target = project / "a.py"
    target.write_text("def f():\n    try:\n        g()\n    except Exception:\n        pass\n")
    main(["fix", "--strict", "a.py"])
    assert target.read_text() == (
        "import logging\n\n\n"
        "def f():\n    try:\n        g()\n    except Exception:\n"
        '        logging.getLogger(__name__).debug("f: ignored Exception", exc_info=True)\n'
    )
