"""Output formats for ``check``. Every format gets findings already sorted by
(path, line, column, code) and renders them without any further reordering."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, TextIO

from .checks import RULES_BY_CODE
from .model import PSEUDO_RULE_NAMES, UNCHECKED_CODE, Finding, FixSafety

#: GitHub annotation levels, most severe first (``--annotation-level``).
ANNOTATION_LEVELS = ("error", "warning", "notice")

_BOLD, _RED, _CYAN, _BLUE, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[34m", "\x1b[0m"


def use_color(choice: str, stream: TextIO) -> bool:
    """``--color auto|always|never``: auto is on for a terminal, off when piped or with ``NO_COLOR``."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _head(f: Finding, color: bool) -> str:
    if not color:
        return f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}"
    sep = f"{_CYAN}:{_RESET}"
    return f"{_BOLD}{f.path}{_RESET}{sep}{f.line}{sep}{f.col}{sep} {_BOLD}{_RED}{f.code}{_RESET} {f.message}"


def render_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    return "".join(_head(f, color) + "\n" for f in findings)


def render_full(
    findings: Sequence[Finding], source_line: Callable[[str, int], Optional[str]], *, color: bool = False
) -> str:
    """``--show-source`` (``--output-format full``): each finding with its line and a caret under it."""
    out = []
    for f in findings:
        out.append(_head(f, color) + "\n")
        text = source_line(f.path, f.line)
        if text is None:
            continue
        text = text.rstrip("\r\n").expandtabs(1)
        end = f.end_col if f.end_line == f.line and f.end_col > f.col else len(text) + 1
        width = max(1, min(end, len(text) + 1) - f.col)
        number = str(f.line)
        gutter = " " * len(number)
        bar = f"{_BLUE}|{_RESET}" if color else "|"
        caret = "^" * width
        if color:
            caret = f"{_BOLD}{_RED}{caret}{_RESET}"
        out.append(f"{number} {bar} {text}\n")
        out.append(f"{gutter} {bar} {' ' * (f.col - 1)}{caret}\n")
    return "".join(out)


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(findings: Sequence[Finding], *, level: str = "error") -> str:
    """GitHub Actions workflow commands: one annotation per finding, at ``level`` (a file
    that could not be checked is always an error)."""
    lines = []
    chosen = level
    for f in findings:
        level = "error" if f.code == UNCHECKED_CODE else chosen
        props = ",".join(
            (
                f"file={_github_escape(f.path, property_value=True)}",
                f"line={f.line}",
                f"col={f.col}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_col}",
                f"title={_github_escape(f.code, property_value=True)}",
            )
        )
        lines.append(f"::{level} {props}::{_github_escape(f'{f.code} {f.message}')}\n")
    return "".join(lines)


@dataclass
class Statistics:
    """Counts per code, safe and unsafe fixes apart; fed one finding at a time."""

    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        row = self.counts.get(finding.code)
        if row is None:
            row = self.counts[finding.code] = [0, 0, 0]
        row[0] += 1
        if finding.fix is not None:
            row[1 if finding.fix.safety is FixSafety.SAFE else 2] += 1

    def rows(self) -> list[dict[str, object]]:
        out = []
        for code in sorted(self.counts):
            total, safe, unsafe = self.counts[code]
            rule = RULES_BY_CODE.get(code)
            name = rule.name if rule is not None else PSEUDO_RULE_NAMES.get(code, "")
            out.append({"code": code, "name": name, "count": total, "fixable": safe, "unsafe_fixable": unsafe})
        return out

    def render_text(self) -> str:
        rows = self.rows()
        width = max((len(str(row["count"])) for row in rows), default=1)
        name_width = max((len(str(row["name"])) for row in rows), default=1)
        lines = []
        for row in rows:
            parts = []
            for key, kind in (("fixable", "safe"), ("unsafe_fixable", "unsafe")):
                if row[key]:
                    parts.append(f"{row[key]} {kind} fix{'es' if row[key] != 1 else ''}")
            marker = f"  [{', '.join(parts)}]" if parts else ""
            lines.append(f"{row['count']:>{width}}  {row['code']}  {row['name']:<{name_width}}{marker}".rstrip() + "\n")
        return "".join(lines)

    def render_json(self) -> str:
        return json.dumps(self.rows(), indent=2, sort_keys=True) + "\n"


def render_statistics(findings: Sequence[Finding]) -> str:
    stats = Statistics()
    for finding in findings:
        stats.add(finding)
    return stats.render_text()


def _render_sarif(findings: Sequence[Finding]) -> str:
    from .sarif import render_sarif

    return render_sarif(findings)


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "github": render_github,
    "json": render_json,
    "sarif": _render_sarif,
    "text": render_text,
}
