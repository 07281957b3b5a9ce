"""The Markdown rendering of an inventory."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ._vocabulary import ARTIFACT, BEHAVIOURS, EXEMPT, LOGS, ORDERS, POLICIES, SCOPES, WRITE_STATUSES

# -- Markdown --------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    value = " ".join(str(text).split())
    return value.replace("\\", "\\\\").replace("|", "\\|") if value else "—"


def _code(text: Optional[str]) -> str:
    if not text:
        return "—"
    value = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Optional[Sequence[str]] = None) -> list[str]:
    if not rows:
        return ["None.", ""]
    marks = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    lines.append("")
    return lines


def _location(record: dict[str, Any]) -> str:
    return _code(f"{record['path']}:{record['line']}")


def _finding_cell(record: dict[str, Any]) -> str:
    codes = list(record.get("findings") or [])
    codes += [f"{code} (noqa)" for code in record.get("suppressed") or []]
    return ", ".join(codes) if codes else "—"


def _caught_cell(record: dict[str, Any]) -> str:
    if record.get("bare"):
        return "bare `except:`"
    caught = ", ".join(record.get("caught") or [])
    prefix = "suppress " if record.get("clause") == "suppress" else ""
    return prefix + _code(caught) if caught else "—"


def _behaviour_cell(record: dict[str, Any]) -> str:
    behaviour = str(record["behaviour"])
    if behaviour == LOGS:
        details = [str(record.get("log_level") or "log")]
        if record.get("traceback"):
            details.append("traceback")
        return f"{behaviour} ({', '.join(details)})"
    return behaviour


def _scope_cell(record: dict[str, Any]) -> str:
    if record["scope"] == ARTIFACT and record.get("scope_reason"):
        return _cell(f"{record['scope']}: {record['scope_reason']}")
    return _cell(record["scope"])


def _status_cell(record: dict[str, Any]) -> str:
    if record.get("exempt") and record["status"] == EXEMPT:
        return _cell(f"{record['status']}: {record['exempt']}")
    return _cell(record["status"])


def _ordered_tally(tally: dict[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    known = [(name, tally[name]) for name in order if tally.get(name)]
    return known + [(name, count) for name, count in sorted(tally.items()) if name not in order and count]


def render_markdown(document: dict[str, Any]) -> str:
    summary = document["summary"]
    total = summary["total"]
    files = summary["files"]
    lines = ["# Determinism inventory", ""]
    head = f"{files['analysed']} {_plural(files['analysed'], 'file')} analysed"
    if files["not_analysed"]:
        head += f", {files['not_analysed']} not analysed"
    lines.append(
        f"{head}: {total['handlers']} exception {_plural(total['handlers'], 'handler')}"
        f" ({total['silent']} silent, {total['fail_closed']} fail closed),"
        f" {total['writes']} file {_plural(total['writes'], 'write')} ({total['non_atomic']} non-atomic),"
        f" {total['listings']} directory {_plural(total['listings'], 'listing')} ({total['unsorted']} unsorted)."
    )
    if document.get("settings", {}).get("strict"):
        lines.append("")
        lines.append("Strict mode: all code counts as artifact-shaping.")
    lines += ["", "## Summary", ""]
    count_header = ["file", "handlers", "silent", "fail closed", "writes", "non-atomic", "listings", "unsorted"]
    keys = ("handlers", "silent", "fail_closed", "writes", "non_atomic", "listings", "unsorted")
    rows = []
    for row in document["files"]:
        if row["analysed"]:
            rows.append([_code(row["path"]), *(str(row["counts"][key]) for key in keys)])
        else:
            rows.append([_code(row["path"]), "not analysed", *("—" for _ in keys[1:])])
    rows.append(["**total**", *(f"**{total[key]}**" for key in keys)])
    lines += _table(count_header, rows, ["---", *("--:" for _ in keys)])
    for title, tally, order in (
        ("handler behaviour", summary["handlers"]["by_behaviour"], BEHAVIOURS),
        ("handler scope", summary["handlers"]["by_scope"], SCOPES),
        ("recommended policy", summary["handlers"]["by_policy"], POLICIES),
        ("write status", summary["writes"]["by_status"], WRITE_STATUSES),
        ("listing order", summary["enumerations"]["by_order"], ORDERS),
    ):
        counted = _ordered_tally(tally, order)
        if counted:
            lines += _table([title, "count"], [[_cell(name), str(count)] for name, count in counted], ["---", "--:"])

    lines += ["## Exception handlers", ""]
    lines += _table(
        ["location", "function", "catches", "behaviour", "scope", "findings", "policy"],
        [
            [
                _location(h),
                _code(h["function"]),
                _caught_cell(h),
                _cell(_behaviour_cell(h)),
                _scope_cell(h),
                _finding_cell(h),
                _cell(h["policy"]),
            ]
            for h in document["exceptions"]
        ],
    )
    lines += ["## File writes", ""]
    lines += _table(
        ["location", "function", "API", "mode", "target", "status", "findings"],
        [
            [
                _location(w),
                _code(w["function"]),
                _code(w["api"]),
                _code(w["mode"]),
                _code(w["target"]),
                _status_cell(w),
                _finding_cell(w),
            ]
            for w in document["writes"]
        ],
    )
    lines += ["## Directory listings", ""]
    lines += _table(
        ["location", "function", "API", "order", "consumed", "findings"],
        [
            [
                _location(item),
                _code(item["function"]),
                _code(item["api"]),
                _cell(item["order"]),
                _cell(item["consumed"]),
                _finding_cell(item),
            ]
            for item in document["enumerations"]
        ],
    )
    skipped = [row for row in document["files"] if not row["analysed"]]
    if skipped:
        lines += ["## Not analysed", ""]
        lines += _table(
            ["file", "reason"],
            [
                [_code(row["path"] + (f":{row['error_line']}" if row.get("error_line") else "")), _cell(row["error"])]
                for row in skipped
            ],
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"
