"""Baselines for legacy code: record today's findings, then report only new ones.

An entry is (code, path, source of the flagged line) with a count, not a line number:
inserting lines above a finding or reformatting other code keeps it matched, and so
does changing only whitespace on the flagged line or adding a ``# noqa`` for another
tool. Two identical flagged lines in one file are told apart by their count.

Paths are stored relative to the baseline file's directory, so the same baseline works
whichever directory ``check`` runs from. The file is canonical JSON (sorted, fixed
separators, ``\\n`` line ends): the same findings give the same bytes on every machine.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import Any, Sequence

from .engine import FileResult, SourceError, decode_source
from .model import UNCHECKED_CODE, Finding
from .settings import ConfigError

BASELINE_VERSION = 1
_SPACE_RE = re.compile(r"\s+")
#: Python's line breaks only: ``str.splitlines`` also splits on form feeds and U+2028,
#: which would put the text of the wrong line next to a finding's line number.
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_NOQA_RE = re.compile(r"#\s*noqa\b.*$", re.IGNORECASE)

#: (code, path relative to the baseline's directory, flagged line without whitespace)
Key = tuple[str, str, str]


def normalized_source(line: str) -> str:
    """The flagged line as stored: ``# noqa`` comment dropped, whitespace runs collapsed."""
    return _SPACE_RE.sub(" ", _NOQA_RE.sub("", line)).strip()


def _match_text(source: str) -> str:
    # Matching ignores whitespace entirely: a formatter that adds or removes spaces on the
    # flagged line (``open(p,'w')`` -> ``open(p, 'w')``) does not make the finding new.
    return _SPACE_RE.sub("", source)


def _file_lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    try:
        text = decode_source(data)
    except SourceError:
        text = data.decode("utf-8", "replace")
    return _NEWLINE_RE.split(text)


class _Paths:
    """Finding paths (relative to the working directory) <-> baseline paths."""

    def __init__(self, baseline_path: str) -> None:
        self.base = os.path.dirname(os.path.abspath(baseline_path))

    def key(self, path: str) -> str:
        absolute = os.path.abspath(path)
        try:
            relative = os.path.relpath(absolute, self.base)
        except ValueError:  # another drive on Windows
            relative = absolute
        return relative.replace(os.sep, "/")

    def exists(self, key: str) -> bool:
        return os.path.exists(os.path.join(self.base, key))


def _entries(findings: Sequence[Finding], paths: _Paths) -> Counter[tuple[str, str, str]]:
    """(path key, code, stored source) -> count, for the findings a baseline records."""
    cache: dict[str, list[str]] = {}
    counts: Counter[tuple[str, str, str]] = Counter()
    for finding in findings:
        if finding.code == UNCHECKED_CODE:
            continue  # a file that cannot be parsed is never "known"
        lines = cache.get(finding.path)
        if lines is None:
            lines = cache[finding.path] = _file_lines(finding.path)
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        counts[(paths.key(finding.path), finding.code, normalized_source(line))] += 1
    return counts


def write_baseline(path: str, findings: Sequence[Finding], results: Sequence[FileResult]) -> int:
    """Record ``findings`` in ``path``; return how many findings the file now holds.

    Entries for the files this run checked are replaced (so fixed findings drop out and
    the baseline shrinks); entries of an existing baseline for files this run did not
    look at, and that still exist, are kept, so writing from a subset of the project
    does not forget the rest.
    """
    from .runtime import write_atomic_text

    paths = _Paths(path)
    counts = _entries(findings, paths)
    # A file that could not be parsed this time keeps its entries: its findings are unknown.
    checked = {paths.key(result.path) for result in results if result.checked}
    if os.path.exists(path):
        try:
            previous = _read_entries(path)
        except ConfigError:
            previous = Counter()  # unreadable or malformed: this run replaces it
        for (file_key, code, source), count in previous.items():
            if file_key not in checked and paths.exists(file_key):
                counts[(file_key, code, source)] += count
    entries = [
        {"code": code, "count": count, "path": file_key, "source": source}
        for (file_key, code, source), count in sorted(counts.items())
    ]
    document = {"version": BASELINE_VERSION, "findings": entries}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic_text(path, text, encoding="utf-8", newline="\n")
    return sum(counts.values())


def _read_entries(path: str) -> Counter[tuple[str, str, str]]:
    """(path key, code, stored source) -> count; a :class:`ConfigError` saying what is wrong."""
    where = f"--baseline {path}"
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file (create it with `check --write-baseline {path}`)") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a directory, not a baseline file") from None
    except OSError as error:
        raise ConfigError(f"{where}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not a baseline file (it is not UTF-8 text)") from None
    except ValueError as error:
        raise ConfigError(f"{where}: not a baseline file (invalid JSON: {error})") from None
    except RecursionError:
        raise ConfigError(f"{where}: not a baseline file (JSON nested too deeply)") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{where}: not a baseline file (expected a JSON object with 'version' and 'findings')")
    if document.get("version") != BASELINE_VERSION:
        raise ConfigError(
            f"{where}: unsupported baseline version {document.get('version')!r} (expected {BASELINE_VERSION});"
            " recreate it with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: 'findings' must be a list of entries")
    counts: Counter[tuple[str, str, str]] = Counter()
    for index, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem:
            raise ConfigError(f"{where}: malformed entry #{index + 1} ({problem}): {json.dumps(entry)[:200]}")
        counts[(entry["path"], entry["code"], entry["source"])] += entry["count"]
    return counts


def _entry_problem(entry: Any) -> str:
    if not isinstance(entry, dict):
        return "expected an object with code, count, path and source"
    missing = [key for key in ("code", "count", "path", "source") if key not in entry]
    if missing:
        return f"missing {', '.join(missing)}"
    for key in ("code", "path", "source"):
        if not isinstance(entry[key], str):
            return f"{key} must be a string"
    count = entry["count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        return "count must be a positive whole number"
    return ""


def read_baseline(path: str) -> Counter[Key]:
    """The baseline's entries as matching keys (code, path, source without whitespace)."""
    counts: Counter[Key] = Counter()
    for (file_key, code, source), count in _read_entries(path).items():
        counts[(code, file_key, _match_text(source))] += count
    return counts


def finding_keys(findings: Sequence[Finding], baseline_path: str = ".baseline.json") -> list[Key]:
    """One matching key per finding, in the same order (paths relative to the baseline's directory)."""
    paths = _Paths(baseline_path)
    cache: dict[str, list[str]] = {}
    keys = []
    for finding in findings:
        lines = cache.get(finding.path)
        if lines is None:
            lines = cache[finding.path] = _file_lines(finding.path)
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        keys.append((finding.code, paths.key(finding.path), _match_text(normalized_source(line))))
    return keys


def apply_baseline(path: str, findings: Sequence[Finding], results: Sequence[FileResult]) -> tuple[list[Finding], str]:
    """Findings not covered by the baseline, and a note for the summary."""
    remaining = read_baseline(path)
    paths = _Paths(path)
    new: list[Finding] = []
    matched = 0
    for finding, key in zip(findings, finding_keys(findings, path)):
        if finding.code != UNCHECKED_CODE and remaining[key] > 0:
            remaining[key] -= 1
            matched += 1
        else:
            new.append(finding)
    # An entry is stale when this run checked its file and did not find it, or when its
    # file is gone. Files outside this run (pre-commit passes only the staged ones) can't tell.
    checked = {paths.key(result.path) for result in results if result.checked}
    stale = sum(
        count
        for (code, file_key, source), count in remaining.items()
        if count > 0 and (file_key in checked or not paths.exists(file_key))
    )
    note = f" {matched} baseline finding{'s' if matched != 1 else ''} hidden."
    if stale:
        note += (
            f" {stale} baseline {'entries no longer match' if stale != 1 else 'entry no longer matches'}:"
            " rerun with --write-baseline to shrink it."
        )
    return new, note
