"""Shared test helpers: run the engine on a snippet, build a snippet's Context, read inline expectations."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from determinism_lint.checks.base import Rule
from determinism_lint.cli import main
from determinism_lint.context import Context
from determinism_lint.engine import Engine, FileResult, _walk
from determinism_lint.model import Finding
from determinism_lint.settings import Settings

EXPECT_RE = re.compile(r"#.*?\bexpect:\s*(?P<codes>DET[0-9]{3}(?:\s*,\s*DET[0-9]{3})*)")


def check(
    source: str,
    *,
    codes: Optional[Iterable[str]] = None,
    path: str = "pipeline.py",
    **settings: object,
) -> list[Finding]:
    """Findings for ``source`` (dedented), optionally only some codes, noqa applied."""
    result = check_result(textwrap.dedent(source), path, **settings)
    wanted = tuple(codes) if codes is not None else None
    return [f for f in result.findings if wanted is None or f.code.startswith(wanted)]


def check_result(
    source: Union[str, bytes],
    path: str = "pipeline.py",
    *,
    rules: Optional[Sequence[type[Rule]]] = None,
    **settings: object,
) -> FileResult:
    """The engine's result for ``source`` exactly as given (not dedented): every rule, or ``rules``."""
    engine = Engine(Settings(**settings), rules=rules)  # type: ignore[arg-type]
    return engine.check_source(source, path)


def context(source: str, path: str = "pipeline.py", **settings: object) -> Context:
    """The per-file ``Context`` of ``source`` (dedented) that rules and analyses read."""
    text = textwrap.dedent(source)
    tree = ast.parse(text)
    parents, _ = _walk(tree, {})
    return Context(path=path, source=text, tree=tree, parents=parents, settings=Settings(**settings))  # type: ignore[arg-type]


def expected_findings(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` pairs from ``# expect: DET101, DET301`` comments."""
    expected = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT_RE.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                expected.append((number, code))
    return sorted(expected)


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8) or bytes to ``path``, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``determinism-lint ARGV`` in this process: exit code, stdout, stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
