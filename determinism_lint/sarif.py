"""SARIF 2.1.0 output for code-scanning services.

Fixable findings carry a SARIF ``fix`` with the exact text edits, so that a SARIF viewer
can offer the rewrite. Computing them needs the fixer (and libcst): only ``--format
sarif`` calls :func:`sarif_fixes`; plain ``check`` runs never import it.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union
from urllib.parse import quote

from . import __version__
from .checks import ALL_RULES
from .docs import page_name, rule_page, sections
from .model import UNCHECKED_CODE, Finding, FixSafety

if TYPE_CHECKING:
    from .configs import SettingsResolver
    from .engine import Engine, FileResult
    from .settings import Settings

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
PROJECT_URI = "https://github.com/determinism-lint/determinism-lint"
RULES_URI = f"{PROJECT_URI}/blob/main/rules/"


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    what = sections(rule).get("What it does", rule.message).strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": what},
        "helpUri": RULES_URI + page_name(rule),
        "help": {"text": what, "markdown": rule_page(rule)},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "fix": rule.fix_safety.value,
            "scope": "artifact" if rule.artifact_only else "all",
            "tags": ["determinism", rule.code[:4] + "xx"],
        },
    }


_UNCHECKED_DESCRIPTOR = {
    "id": UNCHECKED_CODE,
    "name": "unchecked-file",
    "shortDescription": {"text": "the file could not be checked"},
    "fullDescription": {"text": "The file could not be read, decoded or parsed, or is over max-file-size."},
    "defaultConfiguration": {"level": "error"},
}


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": finding.line, "startColumn": finding.col}
    if (finding.end_line, finding.end_col) > (finding.line, finding.col):
        region["endLine"] = finding.end_line
        region["endColumn"] = finding.end_col
    return region


def render_sarif(findings: Sequence[Finding], fixes: Optional[dict[Finding, list[dict[str, Any]]]] = None) -> str:
    """One run; ``fixes`` maps a finding to SARIF ``artifactChanges`` when the fixer supplied them."""
    rules = list(ALL_RULES)
    index = {rule.code: position for position, rule in enumerate(rules)}
    descriptors = [_rule_descriptor(rule) for rule in rules]
    if any(f.code == UNCHECKED_CODE for f in findings):
        index[UNCHECKED_CODE] = len(descriptors)
        descriptors.append(_UNCHECKED_DESCRIPTOR)
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": "error" if finding.code == UNCHECKED_CODE else "warning",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact_location(finding.path),
                        "region": _region(finding),
                    }
                }
            ],
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        if finding.fix is not None:
            result["properties"] = {"fix": finding.fix.as_dict()}
            changes = (fixes or {}).get(finding)
            if changes:
                title = finding.fix.title
                if finding.fix.safety is FixSafety.UNSAFE:
                    title += " (unsafe fix: it may change bytes or control flow; review it)"
                result["fixes"] = [{"description": {"text": title}, "artifactChanges": changes}]
        results.append(result)
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "determinism-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory the check ran in"}}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- fixes ------------------------------------------------------------------------------

#: Python's own line breaks (``str.splitlines`` also splits on form feeds and U+2028,
#: which would shift line numbers away from the ones ``ast`` reports).
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    """``text`` split after each line break, line breaks kept."""
    lines: list[str] = []
    start = 0
    for match in _NEWLINE_RE.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


class _Positions:
    """Character offsets in a text to SARIF 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        # After a final line break comes an empty last line: an offset there is (n + 1, 1).
        self.starts = [0] + [match.end() for match in _NEWLINE_RE.finditer(text)]
        self.length = len(text)

    def offset(self, line_index: int) -> int:
        """Where the 0-based line starts (the end of the text past the last line)."""
        return self.starts[line_index] if line_index < len(self.starts) else self.length

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def text_replacements(old: str, new: str) -> list[dict[str, Any]]:
    """SARIF ``replacement`` objects that turn ``old`` into ``new``.

    One replacement per changed line (or per changed stretch of lines where lines are
    added or removed), trimmed to the characters that really change (``open(`` ->
    ``atomic_open(`` is an insertion of ``atomic_``). Regions are given in the original
    text, in order, and never overlap; an empty region (start == end) is an insertion
    point.
    """
    old_lines, new_lines = _lines(old), _lines(new)
    positions = _Positions(old)
    replacements = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:
            # Lines edited in place: one replacement each, so that edits of neighbouring
            # lines stay apart.
            pairs = [(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            pairs = [(i1, i2, j1, j2)]
        for a1, a2, b1, b2 in pairs:
            deleted = "".join(old_lines[a1:a2])
            inserted = "".join(new_lines[b1:b2])
            if deleted == inserted:
                continue
            replacements.append(_trimmed(positions, positions.offset(a1), deleted, inserted))
    return replacements


def _trimmed(positions: _Positions, start: int, deleted: str, inserted: str) -> dict[str, Any]:
    prefix = _common_prefix(deleted, inserted)
    suffix = _common_prefix(deleted[prefix:][::-1], inserted[prefix:][::-1])
    start_line, start_column = positions.position(start + prefix)
    end_line, end_column = positions.position(start + len(deleted) - suffix)
    return {
        "deletedRegion": {
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        },
        "insertedContent": {"text": inserted[prefix : len(inserted) - suffix]},
    }


def _common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    index = 0
    while index < limit and a[index] == b[index]:
        index += 1
    return index


def apply_replacements(text: str, replacements: Sequence[dict[str, Any]]) -> str:
    """``text`` with SARIF replacements applied (regions refer to ``text``, in order)."""
    starts = _Positions(text).starts
    spans = []
    for replacement in replacements:
        region = replacement["deletedRegion"]
        start = starts[region["startLine"] - 1] + region["startColumn"] - 1
        end = starts[region["endLine"] - 1] + region["endColumn"] - 1
        spans.append((start, end, replacement.get("insertedContent", {}).get("text", "")))
    for start, end, inserted in reversed(spans):
        text = text[:start] + inserted + text[end:]
    return text


class _FixableOnly:
    """An engine, as the fixer sees it, on which only ``targets`` are fixable.

    The other findings stay in the result without a fix, so that the fixer's re-check
    still counts them. The original bytes are checked once per file, not once per fix;
    the fixer's later passes (on rewritten bytes) see nothing fixable, so nothing but the
    targets is ever rewritten.
    """

    def __init__(self, engine: Engine, original: bytes, result: FileResult) -> None:
        self.settings = engine.settings
        self._engine = engine
        self._original = original
        self._result = result
        self.targets: frozenset[Finding] = frozenset()

    def check_source(self, data: Union[bytes, str], path: str) -> FileResult:
        if data == self._original:
            result, targets = self._result, self.targets
        else:
            result, targets = self._engine.check_source(data, path), frozenset()
        findings = tuple(_own_fix_only(f) if f in targets else _without_fixes(f) for f in result.findings)
        return dataclasses.replace(result, findings=findings)


def _own_fix_only(finding: Finding) -> Finding:
    """A SARIF result carries its own rule's fix: the stronger fix of another finding on the
    same handler (which ``fix --unsafe-fixes`` prefers) is not offered under its code."""
    if finding.fix is None or not finding.also:
        return finding
    return dataclasses.replace(finding, also=tuple(dataclasses.replace(other, fix=None) for other in finding.also))


def _without_fixes(finding: Finding) -> Finding:
    """``finding`` with no fix, nor any fix of the findings it stands for (same handler)."""
    also = tuple(dataclasses.replace(other, fix=None) for other in finding.also)
    return dataclasses.replace(finding, fix=None, also=also)


def sarif_fixes(
    findings: Sequence[Finding], settings: Union[Settings, SettingsResolver]
) -> dict[Finding, list[dict[str, Any]]]:
    """``artifactChanges`` for every fixable finding whose fix the fixer would apply.

    Each SARIF fix is complete by itself, including the import it needs, and can be
    applied without the others (safe and unsafe fixes alike; the result's
    ``properties.fix.safety`` says which). The fixer runs once per rule code and file;
    its edits are then shared out among that code's findings by position, and each
    finding's share is checked on its own (it parses, that finding is gone, nothing new
    appears). A share that fails the check is computed exactly, by fixing that finding
    alone.
    """
    from .engine import Engine, SourceError, decode_source
    from .fixer import fix_source

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None:
            by_path.setdefault(finding.path, []).append(finding)
    engines: dict[Settings, Engine] = {}
    fixes: dict[Finding, list[dict[str, Any]]] = {}
    for path in sorted(by_path):
        own = settings.for_path(path) if hasattr(settings, "for_path") else settings
        engine = engines.get(own)
        if engine is None:
            engine = engines[own] = Engine(own)
        try:
            with open(path, "rb") as handle:
                original = handle.read()
            old_text = decode_source(original)
        except (OSError, SourceError):  # gone or changed since it was checked
            continue
        result = engine.check_source(original, path)
        view = _FixableOnly(engine, original, result)

        def fixed_text(targets: frozenset[Finding]) -> tuple[list[Finding], Optional[str]]:
            view.targets = targets
            fixed = fix_source(original, path, view, unsafe=True)  # type: ignore[arg-type]
            applied = [f for f in fixed.applied if f in targets]
            if not applied or fixed.new is None:
                return [], None
            return applied, decode_source(fixed.new)

        by_code: dict[str, list[Finding]] = {}
        for finding in by_path[path]:
            by_code.setdefault(finding.code, []).append(finding)
        shares_by_finding: dict[Finding, list[dict[str, Any]]] = {}
        for code in sorted(by_code):
            applied, new_text = fixed_text(frozenset(by_code[code]))
            if new_text is None:
                continue
            replacements = text_replacements(old_text, new_text)
            if len(applied) == 1:
                shares = {applied[0]: replacements}
            else:
                shares = _share_out(replacements, applied)
            for finding in applied:
                share = shares.get(finding, [])
                if not share or not _fixes_alone(engine, path, old_text, share, finding, result):
                    alone, alone_text = fixed_text(frozenset({finding}))
                    if not alone or alone_text is None:
                        continue
                    share = text_replacements(old_text, alone_text)
                shares_by_finding[finding] = share
        _share_imports(shares_by_finding, fixed_text, old_text, engine, path, result)
        _readable_together(old_text, shares_by_finding)
        for finding, share in shares_by_finding.items():
            fixes[finding] = [{"artifactLocation": _artifact_location(path), "replacements": share}]
    return fixes


def _share_imports(
    shares: dict[Finding, list[dict[str, Any]]],
    fixed_text: Any,
    old_text: str,
    engine: Engine,
    path: str,
    result: FileResult,
) -> None:
    """One edit of the import block for every fix of a file, in place.

    Fixes computed apart each add the import they need (``import logging``, ``from
    ... import atomic_open``), each its own way: applied together they would add the same
    import twice or edit one import line in two conflicting ways. When they differ, the
    fixer is run once over all of the file's findings, and its edit of the lines above the
    first finding (the imports) replaces each fix's own, provided the fix still works alone
    with it.
    """
    if not shares:
        return
    first_line = min(finding.line for finding in shares)

    def in_header(replacement: dict[str, Any]) -> bool:
        return replacement["deletedRegion"]["endLine"] < first_line

    headers = {_key(r) for share in shares.values() for r in share if in_header(r)}
    own_headers = {tuple(_key(r) for r in share if in_header(r)) for share in shares.values()} - {()}
    if len(own_headers) < 2 and len(headers) < 2:
        return  # at most one import edit, the same in every fix that has one
    applied, new_text = fixed_text(frozenset(shares))
    if new_text is None:
        return
    combined = [r for r in text_replacements(old_text, new_text) if in_header(r)]
    for finding, share in shares.items():
        if not any(in_header(r) for r in share):
            continue
        candidate = combined + [r for r in share if not in_header(r)]
        if _fixes_alone(engine, path, old_text, candidate, finding, result):
            shares[finding] = candidate


def _key(replacement: dict[str, Any]) -> str:
    return json.dumps(replacement, sort_keys=True)


def _offset_of(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _readable_together(old_text: str, shares: dict[Finding, list[dict[str, Any]]]) -> None:
    """Make a file's fixes readable and safe to apply together, in place.

    * An edit the fixer made for several findings (the import they all need) is the very
      same replacement in each of their fixes: a consumer applying them together applies
      each distinct replacement once.
    * Each replacement is widened from the characters that change to the whole syntax node
      around them (``set(counts)`` -> ``sorted(set(counts))``), or failing that to whole
      tokens (``except`` -> ``except Exception``), as long as it does not reach into another
      distinct replacement of the file: the distinct replacements of a file never overlap,
      so all of them can be applied at once. The text each fix produces is unchanged.
    """
    positions = _Positions(old_text)
    starts = positions.starts
    distinct: dict[str, tuple[int, int]] = {}
    for share in shares.values():
        for replacement in share:
            region = replacement["deletedRegion"]
            start = _offset_of(starts, region["startLine"], region["startColumn"])
            end = _offset_of(starts, region["endLine"], region["endColumn"])
            distinct.setdefault(_key(replacement), (start, end))
    spans = _node_spans(old_text, starts)
    widened: dict[str, dict[str, Any]] = {}
    for key, (start, end) in distinct.items():
        others = [span for other, span in distinct.items() if other != key]
        replacement = json.loads(key)
        inserted = replacement.get("insertedContent", {}).get("text", "")
        for low, high in (_node_around(spans, start, end), _tokens_around(old_text, start, end)):
            if low is None or high is None or (low, high) == (start, end):
                continue
            if any(_overlaps(low, high, a, b) for a, b in others):
                continue
            start_line, start_column = positions.position(low)
            end_line, end_column = positions.position(high)
            replacement = {
                "deletedRegion": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
                "insertedContent": {"text": old_text[low:start] + inserted + old_text[end:high]},
            }
            break
        widened[key] = replacement
    for finding, share in shares.items():
        shares[finding] = [widened[_key(replacement)] for replacement in share]


def _overlaps(low: int, high: int, a: int, b: int) -> bool:
    """Whether region ``[a, b)`` (an insertion point when ``a == b``) touches the inside of ``[low, high)``."""
    if a == b:
        return low < a < high
    return a < high and b > low


def _node_spans(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """Character spans of the syntax nodes of ``text`` that sit on one line, smallest first."""
    import ast
    import warnings

    from .positions import char_col

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = _lines(text)
    spans = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line is None or getattr(node, "end_lineno", None) != line:
            continue
        row = lines[line - 1] if line - 1 < len(lines) else ""
        low = starts[line - 1] + char_col(row, node.col_offset)  # type: ignore[attr-defined]
        high = starts[line - 1] + char_col(row, node.end_col_offset)  # type: ignore[attr-defined]
        if high > low:
            spans.add((low, high))
    return sorted(spans, key=lambda span: (span[1] - span[0], span))


def _node_around(spans: list[tuple[int, int]], start: int, end: int) -> tuple[Optional[int], Optional[int]]:
    """The smallest one-line node holding the changed text (or, for an insertion, the
    point: inside it, else at its start)."""
    if start == end:
        inside = next(((low, high) for low, high in spans if low < start < high), None)
        found = inside or next(((low, high) for low, high in spans if low == start < high), None)
    else:
        found = next(((low, high) for low, high in spans if low <= start and end <= high), None)
    return found if found is not None else (None, None)


_WORD_RE = re.compile(r"\w")


def _tokens_around(text: str, start: int, end: int) -> tuple[Optional[int], Optional[int]]:
    """Widen to whole words (names, keywords, numbers) at both ends; an insertion between
    two tokens takes the word before it (``except`` -> ``except Exception``)."""

    def word(index: int) -> bool:
        return 0 <= index < len(text) and _WORD_RE.match(text[index]) is not None

    low, high = start, end
    if start == end and not (word(start - 1) and word(start)):
        if word(start - 1):
            while word(low - 1):
                low -= 1
        elif word(start):
            while word(high):
                high += 1
        return low, high
    while word(low - 1) and word(low):
        low -= 1
    while word(high) and word(high - 1):
        high += 1
    return low, high


def _share_out(replacements: list[dict[str, Any]], findings: Sequence[Finding]) -> dict[Finding, list[dict[str, Any]]]:
    """Each replacement goes to the findings whose lines it touches; failing that, to the
    nearest finding above it (a statement a fix adds below the flagged line); above every
    finding (an import), to all of them."""
    shares: dict[Finding, list[dict[str, Any]]] = {finding: [] for finding in findings}
    for replacement in replacements:
        region = replacement["deletedRegion"]
        first, last = region["startLine"], region["endLine"]
        touched = [f for f in findings if f.line <= last and first <= f.end_line]
        if not touched:
            above = [f for f in findings if f.end_line < first]
            touched = [max(above, key=lambda f: (f.end_line, f.line, f.col))] if above else list(findings)
        for finding in touched:
            shares[finding].append(replacement)
    return shares


def _fixes_alone(
    engine: Engine, path: str, old_text: str, share: list[dict[str, Any]], finding: Finding, before: FileResult
) -> bool:
    """The share of edits, applied alone, parses and removes ``finding`` and nothing else new appears."""
    import ast
    import warnings
    from collections import Counter

    new_text = apply_replacements(old_text, share)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(new_text)
    except (SyntaxError, ValueError):
        return False
    after = engine.check_source(new_text, path)
    if not after.checked:
        return False
    # A handler's one finding stands for others (``also``): fixing it may leave them behind.
    expected = Counter(code for f in before.findings for code in (f.code, *f.also_codes))
    expected[finding.code] -= 1
    remaining = Counter(f.code for f in after.findings)
    return remaining[finding.code] == expected[finding.code] and all(
        remaining[code] <= expected[code] for code in remaining
    )


def _artifact_location(path: str) -> dict[str, str]:
    """A URI reference for ``path``: relative to ``%SRCROOT%``, or a ``file:`` URI when absolute.

    Percent-encoded, so that a space, ``%``, ``#`` or a ``:`` (which would read as a URI
    scheme) in a file name survives.
    """
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/"), safe="/"), "uriBaseId": "%SRCROOT%"}
