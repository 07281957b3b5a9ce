"""``# noqa`` and ``# noqa: DET101,DET3`` comments, with flake8's semantics.

A blanket ``# noqa`` suppresses every finding on its line; a list suppresses the codes
it names, and a prefix (``DET3``) suppresses the family, as in flake8.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import TYPE_CHECKING, Iterable, Optional

if TYPE_CHECKING:
    from .engine import FileResult
    from .model import Finding

# flake8's own pattern: codes separated by commas and/or spaces after ``noqa:``.
NOQA_RE = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"[,\s]+")


def parse_noqa(text: str) -> dict[int, tuple[str, ...]]:
    """Map line number -> codes of its ``# noqa`` comment (empty tuple: blanket noqa).

    Only real comments count: the tokenizer tells them apart from ``"# noqa"`` inside a
    string. A cheap substring test skips the tokenizer for the many files without any.
    """
    if "noqa" not in text.lower():
        return {}
    found: dict[int, tuple[str, ...]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return _parse_noqa_lines(text)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            parsed = _parse_comment(token.string)
            if parsed is not None:
                found[token.start[0]] = parsed
    return found


def _parse_noqa_lines(text: str) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" in line:
            parsed = _parse_comment(line[line.index("#"):])
            if parsed is not None:
                found[number] = parsed
    return found


def _parse_comment(comment: str) -> Optional[tuple[str, ...]]:
    match = NOQA_RE.search(comment)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return ()
    return tuple(code.upper() for code in _CODE_SPLIT.split(codes.strip()) if code)


def suppresses(codes: Optional[tuple[str, ...]], code: str) -> bool:
    """True when a noqa comment with ``codes`` (None: no comment) suppresses ``code``."""
    if codes is None:
        return False
    if not codes:
        return True
    return any(code.startswith(listed) for listed in codes)


UNUSED_NOQA_CODE = "DET001"

if TYPE_CHECKING:
    from .settings import Settings


def unused_noqa_findings(results: Iterable[FileResult], settings: Optional[Settings] = None) -> list[Finding]:
    """``# noqa: DETxxx`` codes that suppressed nothing (ruff's RUF100, for our codes only).

    Codes of other tools and blanket ``# noqa`` comments are left alone: they may serve
    another linter that runs on the same line. With ``settings``, a code is judged only
    when every rule it covers ran on the file: under ``--select DET1`` (or a per-file
    ignore) a ``# noqa: DET401`` cannot be told unused. A comment that names DET001
    itself keeps its line out of this report.
    """
    from .checks import ALL_RULES
    from .model import Finding

    known = [rule.code for rule in ALL_RULES]
    found: list[Finding] = []
    for result in results:
        if not result.noqa or not result.checked:
            continue
        used: dict[int, list[str]] = {}
        for finding in result.suppressed:
            used.setdefault(finding.line, []).append(finding.code)
        for line, codes in result.noqa:
            if UNUSED_NOQA_CODE in codes:
                continue
            suppressed_here = used.get(line, [])
            unused = [
                code
                for code in codes
                if code.startswith("DET")
                and not any(s.startswith(code) for s in suppressed_here)
                and _judged(code, result.path, known, settings)
            ]
            if unused:
                found.append(
                    Finding(
                        path=result.path,
                        line=line,
                        col=1,
                        code=UNUSED_NOQA_CODE,
                        message=f"unused `noqa` for {', '.join(unused)}: nothing to suppress on this line",
                        end_line=line,
                        end_col=1,
                    )
                )
    return found


def _judged(code: str, path: str, known: list[str], settings: Optional[Settings]) -> bool:
    """True when every rule that ``code`` (a code or a prefix) covers ran on ``path``.

    A code that covers no rule at all (a typo, a rule that was removed) is always judged:
    it can never suppress anything.
    """
    if settings is None:
        return True
    return all(settings.is_enabled(rule_code, path) for rule_code in known if rule_code.startswith(code))
