"""The inventory document: records of all files, occurrences, counts, canonical JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from ..settings import Settings

from ._records import FileInventory
from ._vocabulary import FAIL_CLOSED_BEHAVIOURS, INVENTORY_VERSION, NON_ATOMIC, SILENT, UNSORTED


# -- the document ----------------------------------------------------------------------------------


def _document(results: Sequence[FileInventory], settings: Settings) -> dict[str, Any]:
    results = sorted(results, key=lambda result: result.file.path)
    handlers: list[dict[str, Any]] = []
    writes: list[dict[str, Any]] = []
    listings: list[dict[str, Any]] = []
    files = []
    for result in results:
        entry = result.file
        own = (
            [item.as_dict() for item in result.handlers],
            [item.as_dict() for item in result.writes],
            [item.as_dict() for item in result.listings],
        )
        handlers += own[0]
        writes += own[1]
        listings += own[2]
        files.append(
            {
                "path": entry.path,
                "analysed": entry.analysed,
                "error": entry.error,
                "error_line": entry.error_line,
                "counts": _counts(*own),
            }
        )
    for records in (handlers, writes, listings):
        assign_occurrences(records)
    analysed = sum(1 for row in files if row["analysed"])
    summary = {
        "files": {"analysed": analysed, "not_analysed": len(files) - analysed},
        "total": _counts(handlers, writes, listings),
        "handlers": {
            "by_behaviour": _tally(handlers, "behaviour"),
            "by_scope": _tally(handlers, "scope"),
            "by_policy": _tally(handlers, "policy"),
        },
        "writes": {"by_status": _tally(writes, "status"), "by_api": _tally(writes, "api")},
        "enumerations": {"by_order": _tally(listings, "order"), "by_api": _tally(listings, "api")},
    }
    return {
        "version": INVENTORY_VERSION,
        "settings": {"strict": bool(settings.strict)},
        "files": files,
        "exceptions": handlers,
        "writes": writes,
        "enumerations": listings,
        "summary": summary,
    }


def assign_occurrences(records: list[dict[str, Any]]) -> None:
    """Number sites that share path, function and source line, in source order."""
    records.sort(key=lambda r: (r["path"], r["line"], r["col"], r["source"]))
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        key = (record["path"], record["function"], record["source"])
        record["occurrence"] = seen.get(key, 0)
        seen[key] = record["occurrence"] + 1


def _counts(
    handlers: Sequence[dict[str, Any]], writes: Sequence[dict[str, Any]], listings: Sequence[dict[str, Any]]
) -> dict[str, int]:
    return {
        "handlers": len(handlers),
        "silent": sum(1 for h in handlers if h["behaviour"] == SILENT),
        "fail_closed": sum(1 for h in handlers if h["behaviour"] in FAIL_CLOSED_BEHAVIOURS),
        "writes": len(writes),
        "non_atomic": sum(1 for w in writes if w["status"] == NON_ATOMIC),
        "listings": len(listings),
        "unsorted": sum(1 for item in listings if item["order"] == UNSORTED),
    }


def _tally(records: Sequence[dict[str, Any]], field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[str(record[field])] = counts.get(str(record[field]), 0) + 1
    return dict(sorted(counts.items()))


def render_json(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, sort_keys=True, indent=2) + "\n"
