"""Text and JSON renderings of a verify report."""

from __future__ import annotations

import shlex
from typing import Any, Optional

MAX_PATHS_SHOWN = 5
#: Differences described in full per pair of runs in the text report.
MAX_DETAILED = 12


def render_json(report: dict) -> str:
    from ..runtime import canonical_json

    return canonical_json(report, indent=2)


def render_text(report: dict) -> str:
    lines = [f"Command: {shlex.join(report['command'])}", f"Artifacts: {report['artifacts']}"]
    if report["mode"] == "crash":
        _crash_text(report, lines)
    else:
        _runs_text(report, lines)
    if report["failure"] is not None:
        _failure_text(report["failure"], lines)
    if report["notes"]:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in report["notes"])
    lines.append("")
    lines.append(_result_line(report))
    return "\n".join(lines) + "\n"


def _runs_text(report: dict, lines: list[str]) -> None:
    vary = ", ".join(report["vary"]) or "nothing"
    lines.append(f"Varied: {vary} (seed {report['seed']})")
    for run in report["runs"]:
        settings = " ".join(f"{name}={value}" for name, value in run["settings"].items()) or "no variation"
        extra = ""
        if "python_processes" in run:
            count = run["python_processes"]
            extra = f"; dirorder reached {count} Python process{'es' if count != 1 else ''}"
        lines.append(f"  {run['run']}: exit {run['returncode']} in {run['duration']:.2f} s{extra}")
        lines.append(f"      {settings}")
    by_pair: dict[tuple[int, int], list[dict]] = {}
    for difference in report["differences"]:
        by_pair.setdefault(tuple(difference["runs"]), []).append(difference)
    for (first, second), differences in sorted(by_pair.items()):
        noun = "path" if len(differences) == 1 else "paths"
        lines.append("")
        lines.append(f"run-{first} and run-{second} differ in {len(differences)} {noun}:")
        for difference in differences[:MAX_DETAILED]:
            lines.extend("  " + line for line in _difference_lines(difference))
        rest = [difference["path"] for difference in differences[MAX_DETAILED:]]
        if rest:
            shown = ", ".join(rest[:MAX_DETAILED]) + (", ..." if len(rest) > MAX_DETAILED else "")
            lines.append(f"  ... and {len(rest)} more (all in --format json): {shown}")


def _difference_lines(difference: dict) -> list[str]:
    path = difference["path"]
    first, second = difference["runs"]
    kind = difference["kind"]
    if kind == "missing":
        what = difference["type"]
        if what == "directory":
            what = f"directory with {difference['entries']} entries"
        return [f"{path}: only in run-{difference['only_in']} ({what})"]
    if kind == "type":
        return [f"{path}: a {difference['types'][0]} in run-{first}, a {difference['types'][1]} in run-{second}"]
    if kind == "symlink":
        a, b = difference["targets"]
        return [f"{path}: symbolic link to {a!r} in run-{first}, to {b!r} in run-{second}"]
    sizes = difference["sizes"]
    size_text = f"{sizes[0]} bytes in both" if sizes[0] == sizes[1] else f"{sizes[0]} vs {sizes[1]} bytes"
    out = [f"{path}: content differs ({difference['format']}, {size_text})"]
    body: list[str] = []
    if "note" in difference:
        body.append(difference["note"])
    if "summary" in difference:
        body.append(difference["summary"])
    for item in difference.get("key_paths", []):
        body.append(_key_path_text(item, first, second))
    if difference.get("key_paths_truncated"):
        body.append("... (more differences not shown)")
    if "diff" in difference:
        body.extend(difference["diff"].splitlines())
    elif "first_different_line" in difference:
        body.append(f"first different line: {difference['first_different_line']}")
    if difference["format"] == "binary":
        if "first_difference_at" in difference:
            body.append(f"first difference at byte {difference['first_difference_at']}")
        body.append(f"sha256 {difference['sha256'][0]} (run-{first})")
        body.append(f"sha256 {difference['sha256'][1]} (run-{second})")
    out.extend("    " + line for line in body)
    return out


def _key_path_text(item: dict, first: int, second: int) -> str:
    path, change = item["path"], item["change"]
    values: Any = item.get("values")  # two JSON values, for the changes that show them
    if change == "value":
        return f"{path}: {values[0]} (run-{first}) vs {values[1]} (run-{second})"
    if change == "only-in-first":
        return f"{path}: only in run-{first}: {values[0]}"
    if change == "only-in-second":
        return f"{path}: only in run-{second}: {values[1]}"
    if change == "key-order":
        return f"{path}: keys in a different order: {values[0]} (run-{first}) vs {values[1]} (run-{second})"
    if change == "item-order":
        return f"{path}: the same items in a different order"
    if change == "length":
        return f"{path}: {values[0]} items (run-{first}) vs {values[1]} items (run-{second})"
    return f"{path}: {change}"


def _crash_text(report: dict, lines: list[str]) -> None:
    reference = report["reference"]
    if reference is None:
        return
    lines.append(
        f"Reference run: exit {reference['returncode']} in {reference['duration']:.2f} s,"
        f" {reference['files']} file{'s' if reference['files'] != 1 else ''} in {reference['out']}"
    )
    rerun = report.get("rerun")
    if rerun is not None:
        if rerun["returncode"] != 0:
            state = ""
        elif rerun.get("changed"):
            count = len(rerun["changed"])
            state = f", {count} path{' differs' if count == 1 else 's differ'} from the reference"
        else:
            state = ", the same bytes as the reference"
        lines.append(
            f"Rerun into a copy of the reference output: exit {rerun['returncode']} in {rerun['duration']:.2f} s{state}"
        )
    if not report["kill_runs"]:
        return
    lines.append(
        f"Kill runs (seed {report['seed']}; each into a copy of the reference output, SIGKILL to the"
        " process group at a moment within the reference run's duration):"
    )
    for run in report["kill_runs"]:
        if run["killed"]:
            head = f"  {run['run']}: killed at {run['kill_at']:.3f} s"
            if run.get("phase") in _PHASE_TEXT:
                head += f" ({_PHASE_TEXT[run['phase']]})"
        else:
            head = f"  {run['run']}: finished (exit {run['returncode']}) before the kill at {run['kill_at']:.3f} s"
        problems = run.get("problems")
        if problems is None:
            lines.append(head)
            continue
        torn = sum(1 for problem in problems if problem["kind"] == "torn")
        differs = len(problems) - torn
        verdict = []
        if torn:
            verdict.append(f"{torn} torn file{'s' if torn != 1 else ''}")
        if differs:
            verdict.append(f"{differs} file{'s' if differs != 1 else ''} different from the reference")
        extras = []
        if run["temp_files"]:
            count = len(run["temp_files"])
            extras.append(f"{count} in-flight temporary file{'s' if count != 1 else ''} ignored")
        if run["missing"]:
            extras.append(f"{len(run['missing'])} missing")
        if run["unexpected"]:
            extras.append(f"{len(run['unexpected'])} not in the reference")
        suffix = f" ({'; '.join(extras)})" if extras else ""
        lines.append(f"{head}: {', '.join(verdict) or 'intact'}{suffix}")
        for problem in problems[:MAX_PATHS_SHOWN]:
            reference_size = problem["reference_size"]
            sizes = f"{problem['size']} bytes" + (
                f", reference {reference_size} bytes" if reference_size is not None else ""
            )
            lines.append(f"      {problem['path']}: {problem['kind']}: {problem['reason']} ({sizes})")
        if len(problems) > MAX_PATHS_SHOWN:
            lines.append(f"      ... and {len(problems) - MAX_PATHS_SHOWN} more")
        for label in ("missing", "unexpected"):
            if run[label]:
                shown = ", ".join(run[label][:MAX_PATHS_SHOWN]) + (", ..." if len(run[label]) > MAX_PATHS_SHOWN else "")
                title = "missing" if label == "missing" else "not in the reference"
                lines.append(f"      {title}: {shown}")
    phases_line = _phases_line(report)
    if phases_line:
        lines.append(phases_line)


_PHASE_TEXT = {
    "before-writes": "before its first write",
    "writing": "while writing",
    "after-writes": "after its last write",
}


def _phases_line(report: dict) -> Optional[str]:
    phases = report.get("phases")
    if not phases:
        return None
    total = sum(phases.values())
    parts = []
    if phases.get("before-writes"):
        parts.append(f"{phases['before-writes']} before its first write")
    if phases.get("after-writes"):
        parts.append(f"{phases['after-writes']} after its last write")
    if phases.get("finished"):
        parts.append(f"{phases['finished']} after it had finished")
    rest = f" ({', '.join(parts)})" if parts else ""
    return f"Kills that landed while the command was writing: {phases.get('writing', 0)} of {total}{rest}."


def _failure_text(failure: dict, lines: list[str]) -> None:
    lines.append("")
    if failure.get("error"):
        lines.append(f"{failure['run']}: {failure['error']}")
        return
    if failure["timed_out"]:
        lines.append(f"{failure['run']}: timed out and was killed")
    else:
        lines.append(f"{failure['run']}: the command failed with exit code {failure['returncode']}")
    if failure.get("context"):
        lines.append(f"  ({failure['context']})")
    tail = failure["stderr_tail"]
    if tail:
        lines.append("  standard error (last lines):")
        lines.extend("    " + line for line in tail.splitlines())
    else:
        lines.append("  (nothing on standard error)")


def _result_line(report: dict) -> str:
    code = report["exit_code"]
    result = report["result"]
    if result == "command-failed":
        return f"Result: the command failed; nothing was compared (exit {code})."
    if result == "no-output":
        return f"Result: the command wrote no files; nothing was compared (exit {code})."
    if report["mode"] == "crash":
        if result == "torn":
            total = len(report["kill_runs"])
            return f"Result: {report['torn_runs']} of {total} kill runs left torn or altered files (exit {code})."
        return f"Result: every file left by {len(report['kill_runs'])} kill runs is complete (exit {code})."
    if result == "identical":
        runs = len(report["runs"])
        files = f"{report['files']} file{'s' if report['files'] != 1 else ''}"
        return f"Result: all {runs} runs produced byte-identical artifacts ({files}) (exit {code})."
    paths = len({difference["path"] for difference in report["differences"]})
    verb = "path differs" if paths == 1 else "paths differ"
    return f"Result: not reproducible: {paths} {verb} between runs (exit {code})."
