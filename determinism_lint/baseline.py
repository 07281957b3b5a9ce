"""Baselines for legacy code: record today's findings, then report only new ones.

An entry is (code, path, normalized source of the flagged line) with a count, not a
line number: inserting lines above a finding or reformatting other code keeps it
matched. Two identical flagged lines in one file are told apart by their count.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Sequence

from .engine import FileResult
from .model import UNCHECKED_CODE, Finding
from .settings import ConfigError

BASELINE_VERSION = 1
_SPACE_RE = re.compile(r"\s+")

Key = tuple[str, str, str]


def _normalized_line(lines: list[str], number: int) -> str:
    text = lines[number - 1] if 0 < number <= len(lines) else ""
    text = text.split("# noqa", 1)[0]
    return _SPACE_RE.sub(" ", text).strip()


def _file_lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def finding_keys(findings: Sequence[Finding]) -> list[Key]:
    """One key per finding, in the same order."""
    cache: dict[str, list[str]] = {}
    keys = []
    for finding in findings:
        lines = cache.get(finding.path)
        if lines is None:
            lines = cache[finding.path] = _file_lines(finding.path)
        keys.append((finding.code, finding.path, _normalized_line(lines, finding.line)))
    return keys


def write_baseline(path: str, findings: Sequence[Finding], results: Sequence[FileResult]) -> int:
    from .runtime import write_atomic_text

    recorded = [f for f in findings if f.code != UNCHECKED_CODE]
    counts = Counter(finding_keys(recorded))
    entries = [
        {"code": code, "count": count, "path": file_path, "source": source}
        for (code, file_path, source), count in sorted(counts.items())
    ]
    document = {"version": BASELINE_VERSION, "findings": entries}
    write_atomic_text(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(recorded)


def read_baseline(path: str) -> Counter[Key]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"--baseline {path}: no such file (create it with --write-baseline)") from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"--baseline {path}: not a readable baseline ({error})") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(f"--baseline {path}: unknown baseline format (expected version {BASELINE_VERSION})")
    counts: Counter[Key] = Counter()
    try:
        for entry in document["findings"]:
            counts[(entry["code"], entry["path"], entry["source"])] += int(entry["count"])
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"--baseline {path}: malformed entry ({error!r})") from None
    return counts


def apply_baseline(path: str, findings: Sequence[Finding], results: Sequence[FileResult]) -> tuple[list[Finding], str]:
    """Findings not covered by the baseline, and a note for the summary."""
    remaining = read_baseline(path)
    new: list[Finding] = []
    matched = 0
    for finding, key in zip(findings, finding_keys(findings)):
        if finding.code != UNCHECKED_CODE and remaining[key] > 0:
            remaining[key] -= 1
            matched += 1
        else:
            new.append(finding)
    # Only entries for files this run looked at can be called stale.
    checked = {result.path for result in results}
    stale = sum(count for (code, file_path, source), count in remaining.items() if count > 0 and file_path in checked)
    note = f" {matched} baseline finding{'s' if matched != 1 else ''} hidden."
    if stale:
        note += f" {stale} baseline entr{'ies' if stale != 1 else 'y'} no longer match: rerun with --write-baseline to shrink it."
    return new, note
