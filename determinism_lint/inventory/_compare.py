"""Comparing two JSON inventories: sites matched across runs, regressions, Markdown."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ._document import _counts, assign_occurrences
from ._markdown import _caught_cell, _cell, _code, _location, _plural, _table
from ._vocabulary import (
    COMPARISON_VERSION, FAIL_CLOSED_BEHAVIOURS, INVENTORY_VERSION, NON_ATOMIC, SILENT, UNSORTED, _SIMILARITY,
)

# -- comparing two inventories ----------------------------------------------------------------------

_SECTIONS = (("exceptions", "handler"), ("writes", "write"), ("enumerations", "listing"))
_REQUIRED = {
    "exceptions": ("path", "line", "col", "function", "source", "behaviour"),
    "writes": ("path", "line", "col", "function", "source", "status", "api"),
    "enumerations": ("path", "line", "col", "function", "source", "order", "api"),
}


def load_inventory(path: str) -> dict[str, Any]:
    """A JSON inventory written by ``inventory --format json``; ``ConfigError`` when it is not one."""
    import json

    from ..settings import ConfigError

    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"--compare {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ConfigError(
            f"--compare {path}: not a JSON inventory ({error}); write one with `inventory --format json`"
        ) from None
    except RecursionError:
        raise ConfigError(
            f"--compare {path}: not a JSON inventory (nested too deeply); write one with `inventory --format json`"
        ) from None
    if not isinstance(document, dict) or document.get("version") != INVENTORY_VERSION:
        raise ConfigError(
            f"--compare {path}: not an inventory of version {INVENTORY_VERSION};"
            " write one with `inventory --format json`"
        )
    for section, fields in _REQUIRED.items():
        records = document.get(section)
        if not isinstance(records, list) or not all(
            isinstance(record, dict) and all(_field_ok(name, record.get(name, _MISSING)) for name in fields)
            for record in records
        ):
            raise ConfigError(f"--compare {path}: malformed {section!r} section")
        for record in records:
            # Display-only fields: anything but the shapes the renderers expect is dropped.
            for name in ("caught", "findings", "suppressed"):
                value = record.get(name)
                if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    record[name] = None
            for name in ("clause", "api"):
                if name in record and record[name] is not None and not isinstance(record[name], str):
                    raise ConfigError(f"--compare {path}: malformed {section!r} section")
    files = document.get("files")
    if not isinstance(files, list) or not all(
        isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("error"), (str, type(None)))
        for row in files
    ):
        raise ConfigError(f"--compare {path}: malformed 'files' section")
    return document


_MISSING = object()
_INT_FIELDS = ("line", "col")


def _field_ok(name: str, value: Any) -> bool:
    """A required record field of the type the comparison relies on (sorting, hashing)."""
    if name in _INT_FIELDS:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def match_sites(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Pair the sites of one kind: ``(pairs, removed, added)``.

    First by identity (path, function, normalized source line, occurrence), which survives
    inserted lines; then, within one function of one file, rewritten lines by similarity
    (``open(...)`` -> ``atomic_open(...)``), and a last single leftover on each side.
    """
    from difflib import SequenceMatcher

    old_records = [dict(record) for record in old]
    new_records = [dict(record) for record in new]
    assign_occurrences(old_records)
    assign_occurrences(new_records)

    def identity(record: dict[str, Any]) -> tuple[str, str, str, int]:
        return (record["path"], record["function"], record["source"], record["occurrence"])

    by_identity = {identity(record): index for index, record in enumerate(new_records)}
    pairs: list[tuple[int, int]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for index, record in enumerate(old_records):
        other = by_identity.get(identity(record))
        if other is not None:
            pairs.append((index, other))
            taken_old.add(index)
            taken_new.add(other)

    groups: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for index, record in enumerate(old_records):
        if index not in taken_old:
            groups.setdefault((record["path"], record["function"]), ([], []))[0].append(index)
    for index, record in enumerate(new_records):
        if index not in taken_new:
            group = groups.get((record["path"], record["function"]))
            if group is not None:
                group[1].append(index)
    for key in sorted(groups):
        olds, news = groups[key]
        candidates = sorted(
            (-SequenceMatcher(None, old_records[o]["source"], new_records[n]["source"]).ratio(), o, n)
            for o in olds
            for n in news
        )
        for negative_ratio, o, n in candidates:
            if -negative_ratio < _SIMILARITY or o in taken_old or n in taken_new:
                continue
            pairs.append((o, n))
            taken_old.add(o)
            taken_new.add(n)
        left_old = [o for o in olds if o not in taken_old]
        left_new = [n for n in news if n not in taken_new]
        if len(left_old) == 1 and len(left_new) == 1:
            pairs.append((left_old[0], left_new[0]))
            taken_old.add(left_old[0])
            taken_new.add(left_new[0])

    pairs.sort(key=lambda pair: _position(new_records[pair[1]]))
    removed = [record for index, record in enumerate(old_records) if index not in taken_old]
    added = [record for index, record in enumerate(new_records) if index not in taken_new]
    return [(old_records[o], new_records[n]) for o, n in pairs], removed, added


def _position(record: dict[str, Any]) -> tuple[str, int, int]:
    return (record["path"], record["line"], record["col"])


def _is_fail_closed(record: dict[str, Any]) -> bool:
    return record["behaviour"] in FAIL_CLOSED_BEHAVIOURS


def _change(old: Optional[dict[str, Any]], new: Optional[dict[str, Any]], field: str) -> dict[str, Any]:
    where = new if new is not None else old
    assert where is not None
    row: dict[str, Any] = {
        "path": where["path"],
        "line": where["line"],
        "function": where["function"],
        "source": where["source"],
        "before": old[field] if old is not None else None,
        "line_before": old["line"] if old is not None else None,
        "after": new[field] if new is not None else None,
    }
    if "api" in where:
        row["api"] = where["api"]
    if "caught" in where:
        row["caught"] = where.get("caught") or []
        row["bare"] = bool(where.get("bare"))
    return row


def compare_inventories(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two inventory documents; ``regression_count`` > 0 means a regression."""
    matched: dict[str, tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for section, _ in _SECTIONS:
        matched[section] = match_sites(old[section], new[section])

    pairs, removed, added = matched["exceptions"]
    became_fail_closed = [_change(o, n, "behaviour") for o, n in pairs if not _is_fail_closed(o) and _is_fail_closed(n)]
    no_longer_silent = [_change(o, n, "behaviour") for o, n in pairs if o["behaviour"] == SILENT and n["behaviour"] != SILENT]
    new_silent = [_change(o, n, "behaviour") for o, n in pairs if o["behaviour"] != SILENT and n["behaviour"] == SILENT]
    new_silent += [_change(None, n, "behaviour") for n in added if n["behaviour"] == SILENT]
    handler_changes = _change_counts(pairs, removed, added)

    pairs, removed, added = matched["writes"]
    made_atomic = [_change(o, n, "status") for o, n in pairs if o["status"] == NON_ATOMIC and n["status"] != NON_ATOMIC]
    new_non_atomic = [_change(o, n, "status") for o, n in pairs if o["status"] != NON_ATOMIC and n["status"] == NON_ATOMIC]
    new_non_atomic += [_change(None, n, "status") for n in added if n["status"] == NON_ATOMIC]
    write_changes = _change_counts(pairs, removed, added)

    pairs, removed, added = matched["enumerations"]
    sorted_now = [_change(o, n, "order") for o, n in pairs if o["order"] == UNSORTED and n["order"] != UNSORTED]
    new_unsorted = [_change(o, n, "order") for o, n in pairs if o["order"] != UNSORTED and n["order"] == UNSORTED]
    new_unsorted += [_change(None, n, "order") for n in added if n["order"] == UNSORTED]
    listing_changes = _change_counts(pairs, removed, added)

    # A file that no longer parses drops out of the inventory and would hide its regressions.
    old_files = {row.get("path"): row for row in old["files"] if isinstance(row, dict)}
    lost = [
        {"path": row.get("path"), "error": row.get("error")}
        for row in new["files"]
        if isinstance(row, dict) and not row.get("analysed") and bool(old_files.get(row.get("path"), {}).get("analysed"))
    ]
    lost.sort(key=lambda row: str(row["path"]))

    for rows in (became_fail_closed, no_longer_silent, new_silent, made_atomic, new_non_atomic, sorted_now, new_unsorted):
        rows.sort(key=lambda row: (row["path"], row["line"], row["source"]))
    regressions = {
        "new_silent_handlers": new_silent,
        "new_non_atomic_writes": new_non_atomic,
        "new_unsorted_listings": new_unsorted,
        "files_no_longer_analysed": lost,
    }
    return {
        "version": COMPARISON_VERSION,
        "regressions": regressions,
        "regression_count": sum(len(rows) for rows in regressions.values()),
        "improvements": {
            "handlers_fail_closed": became_fail_closed,
            "handlers_no_longer_silent": no_longer_silent,
            "writes_made_atomic": made_atomic,
            "listings_sorted": sorted_now,
        },
        "changes": {"handlers": handler_changes, "writes": write_changes, "listings": listing_changes},
        "totals": {"before": _totals(old), "after": _totals(new)},
    }


def _change_counts(pairs: Sequence[Any], removed: Sequence[Any], added: Sequence[Any]) -> dict[str, int]:
    return {"matched": len(pairs), "removed": len(removed), "added": len(added)}


def _totals(document: dict[str, Any]) -> dict[str, int]:
    counts = _counts(document["exceptions"], document["writes"], document["enumerations"])
    files = [row for row in document["files"] if isinstance(row, dict)]
    counts["files_analysed"] = sum(1 for row in files if row.get("analysed"))
    counts["files_not_analysed"] = len(files) - counts["files_analysed"]
    return counts


_TOTAL_ROWS = (
    ("files analysed", "files_analysed"),
    ("files not analysed", "files_not_analysed"),
    ("exception handlers", "handlers"),
    ("fail-closed handlers", "fail_closed"),
    ("silent handlers", "silent"),
    ("file writes", "writes"),
    ("non-atomic writes", "non_atomic"),
    ("directory listings", "listings"),
    ("unsorted listings", "unsorted"),
)


def render_comparison_markdown(comparison: dict[str, Any]) -> str:
    regressions = comparison["regressions"]
    improvements = comparison["improvements"]
    count = comparison["regression_count"]
    lines = ["# Inventory comparison", ""]
    old_name, new_name = comparison.get("old"), comparison.get("new")
    prefix = f"{_code(old_name)} → {_code(new_name)}: " if old_name and new_name else ""
    verdict = f"{count} {_plural(count, 'regression')}." if count else "no regressions."
    lines += [prefix + verdict, ""]
    before, after = comparison["totals"]["before"], comparison["totals"]["after"]
    lines += _table(
        ["totals", "before", "after"],
        [[label, str(before[key]), str(after[key])] for label, key in _TOTAL_ROWS],
        ["---", "--:", "--:"],
    )
    changes = comparison["changes"]
    lines += _table(
        ["sites", "matched", "removed", "added"],
        [
            [name, str(changes[name]["matched"]), str(changes[name]["removed"]), str(changes[name]["added"])]
            for name in ("handlers", "writes", "listings")
        ],
        ["---", "--:", "--:", "--:"],
    )
    lines += ["## Regressions", ""]
    lines += _change_section("New silent handlers", regressions["new_silent_handlers"], "catches")
    lines += _change_section("New non-atomic writes", regressions["new_non_atomic_writes"], "API")
    lines += _change_section("New unsorted listings", regressions["new_unsorted_listings"], "API")
    lost = regressions["files_no_longer_analysed"]
    if lost:
        lines += [f"### Files no longer analysed ({len(lost)})", ""]
        lines += _table(["file", "reason"], [[_code(str(row["path"])), _cell(row.get("error") or "")] for row in lost])
    lines += ["## Improvements", ""]
    lines += _change_section("Handlers that became fail-closed", improvements["handlers_fail_closed"], "catches")
    lines += _change_section("Handlers no longer silent", improvements["handlers_no_longer_silent"], "catches")
    lines += _change_section("Writes made atomic", improvements["writes_made_atomic"], "API")
    lines += _change_section("Listings sorted", improvements["listings_sorted"], "API")
    return "\n".join(lines).rstrip("\n") + "\n"


def _change_section(title: str, rows: Sequence[dict[str, Any]], what: str) -> list[str]:
    lines = [f"### {title} ({len(rows)})", ""]
    table_rows = []
    for row in rows:
        detail = _caught_cell(row) if what == "catches" else _code(row.get("api"))
        before = _cell(row["before"]) if row["before"] is not None else "(new)"
        table_rows.append([_location(row), _code(row["function"]), detail, before, _cell(row["after"]), _code(row["source"])])
    return lines + _table(["location", "function", what, "before", "after", "source"], table_rows)
