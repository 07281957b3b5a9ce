"""Output formats for ``check``. Every format gets findings already sorted by
(path, line, column, code) and renders them without any further reordering."""

from __future__ import annotations

import json
from collections import Counter
from typing import Callable, Sequence

from .checks import RULES_BY_CODE
from .model import Finding


def render_text(findings: Sequence[Finding]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}\n" for f in findings)


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        level = "error" if f.code == "DET000" else "warning"
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


def render_statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for code in sorted(counts):
        rule = RULES_BY_CODE.get(code)
        name = rule.name if rule is not None else "unchecked-file"
        fixable = sum(1 for f in findings if f.code == code and f.fix is not None)
        marker = f"  [{fixable} fixable]" if fixable else ""
        lines.append(f"{counts[code]:>{width}}  {code}  {name}{marker}\n")
    return "".join(lines)


def _render_sarif(findings: Sequence[Finding]) -> str:
    from .sarif import render_sarif

    return render_sarif(findings)


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "github": render_github,
    "json": render_json,
    "sarif": _render_sarif,
    "text": render_text,
}
