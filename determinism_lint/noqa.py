"""``# noqa`` and ``# noqa: DET101,DET3`` comments, with flake8's semantics.

A blanket ``# noqa`` suppresses every finding on its line; a list suppresses the codes
it names, and a prefix (``DET3``) suppresses the family, as in flake8.

Codes other linters give the same hazard count too: ``# noqa: E722`` (ruff, pycodestyle)
suppresses DET401, ``S110``/``S112``/``BLE001`` suppress DET402, ``BLE001`` DET403. Each
rule lists its own in ``foreign_noqa``; ``honor-foreign-noqa = false`` turns this off.
"""

from __future__ import annotations

import functools
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


def suppresses(codes: Optional[tuple[str, ...]], code: str, *, foreign: bool = True) -> bool:
    """True when a noqa comment with ``codes`` (None: no comment) suppresses ``code``.

    With ``foreign``, another linter's code for the same hazard counts as ``code``
    (``# noqa: E722`` suppresses DET401); prefixes match as in flake8.
    """
    if codes is None:
        return False
    if not codes:
        return True
    if any(code.startswith(listed) for listed in codes):
        return True
    return foreign and suppressed_as_foreign(codes, code)


def suppressed_as_foreign(codes: tuple[str, ...], code: str) -> bool:
    """True when ``codes`` name another linter's code for the hazard ``code`` flags."""
    aliases = foreign_codes().get(code, ())
    return any(alias.startswith(listed) for alias in aliases for listed in codes)


@functools.lru_cache(maxsize=1)
def foreign_codes() -> dict[str, tuple[str, ...]]:
    """Rule code -> the codes other linters give the same hazard (``DET401``: ``E722``, ...)."""
    from .checks import ALL_RULES

    return {rule.code: rule.foreign_noqa for rule in ALL_RULES if rule.foreign_noqa}


def without_foreign_suppressed(findings: Iterable[Finding], text: str) -> list[Finding]:
    """``findings`` minus those that only another linter's code suppresses on their line.

    For the flake8 plugin: flake8 applies ``# noqa: DET401`` and a blanket ``# noqa``
    itself, but not ``# noqa: E722`` to a DET401 finding.
    """
    findings = list(findings)
    comments = parse_noqa(text) if findings else {}
    if not comments:
        return findings
    kept = []
    for finding in findings:
        codes = comments.get(finding.line)
        if codes and suppressed_as_foreign(codes, finding.code):
            continue
        kept.append(finding)
    return kept


UNUSED_NOQA_CODE = "DET001"

if TYPE_CHECKING:
    from .settings import Settings


def unused_noqa_findings(results: Iterable[FileResult], settings: Optional[Settings] = None) -> list[Finding]:
    """``# noqa: DETxxx`` codes that suppressed nothing (ruff's RUF100, for our codes only).

    Codes of other tools (also those that suppress a DET finding, like ``E722``) and
    blanket ``# noqa`` comments are left alone: they may serve another linter that runs on
    the same line. With ``settings``, a code is judged only
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
            used.setdefault(finding.line, []).extend((finding.code, *finding.also_codes))
        for finding in result.findings:
            # One finding stands for all the rules that flagged its handler: a ``# noqa:
            # DET402`` there is what silences DET402 once the bare ``except:`` is narrowed.
            if finding.also:
                used.setdefault(finding.line, []).extend(finding.also_codes)
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
