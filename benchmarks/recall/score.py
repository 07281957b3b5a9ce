"""Recall spot check, step 3: tally the judged sample.

Reads ``benchmarks/recall/<label>/verdicts.json`` (and ``candidates.json`` for the candidate
counts) and prints, as Markdown tables:

* per category: candidates outside test code, how many of them the tool flagged, how many
  unflagged ones were sampled, and the verdicts (miss / debatable / correct-silence);
* the misses grouped by cause (pattern), each with ``corpus:path:line`` and the rule;
* the misses whose cause is not one of the known ones (pattern starting with ``new``).

Usage::

    python benchmarks/recall/score.py 2026-12-02-before
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
VERDICTS = ("miss", "debatable", "correct-silence")


def load(label: str) -> tuple[dict, dict]:
    folder = HERE / label
    with open(folder / "candidates.json", encoding="utf-8") as f:
        candidates = json.load(f)
    with open(folder / "verdicts.json", encoding="utf-8") as f:
        verdicts = json.load(f)
    return candidates, verdicts


def category_table(candidates: dict, verdicts: dict) -> list[str]:
    non_test: Counter = Counter()
    flagged: Counter = Counter()
    for per_category in candidates["counts"].values():
        for category, numbers in per_category.items():
            non_test[category] += numbers["non_test"]
            flagged[category] += numbers["non_test_flagged"]
    judged: dict[str, Counter] = defaultdict(Counter)
    for row in verdicts["verdicts"]:
        judged[row["category"]][row["verdict"]] += 1
    lines = [
        "| category | candidates (non-test) | flagged | unflagged | sampled | miss | debatable "
        "| correct-silence |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals = Counter()
    for category in sorted(set(non_test) | set(judged)):
        counts = judged[category]
        sampled = sum(counts.values())
        row = {
            "candidates": non_test[category],
            "flagged": flagged[category],
            "unflagged": non_test[category] - flagged[category],
            "sampled": sampled,
            **{v: counts[v] for v in VERDICTS},
        }
        totals.update(row)
        lines.append(
            f"| {category} | {row['candidates']} | {row['flagged']} | {row['unflagged']} "
            f"| {sampled} | {row['miss']} | {row['debatable']} | {row['correct-silence']} |"
        )
    lines.append(
        f"| **total** | {totals['candidates']} | {totals['flagged']} | {totals['unflagged']} "
        f"| {totals['sampled']} | {totals['miss']} | {totals['debatable']} "
        f"| {totals['correct-silence']} |"
    )
    return lines


def pattern_table(verdicts: dict) -> list[str]:
    by_pattern: dict[str, list[dict]] = defaultdict(list)
    for row in verdicts["verdicts"]:
        if row["verdict"] == "miss":
            by_pattern[row["pattern"]].append(row)
    lines = ["| cause | misses | sites (corpus:path:line, rule) |", "|---|---:|---|"]
    for pattern in sorted(by_pattern, key=lambda p: (-len(by_pattern[p]), p)):
        rows = by_pattern[pattern]
        sites = "; ".join(
            f"{r['id']} {r['corpus']}:{r['path']}:{r['line']} {r['rule']}" for r in rows
        )
        lines.append(f"| {pattern} | {len(rows)} | {sites} |")
    return lines


def new_patterns(verdicts: dict) -> list[str]:
    return [
        f"- {r['id']} {r['corpus']}:{r['path']}:{r['line']} ({r['rule']}): {r.get('pattern_detail') or r['reason']}"
        for r in verdicts["verdicts"]
        if r["verdict"] == "miss" and r["pattern"].startswith("new")
    ]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("label", help="folder under benchmarks/recall/")
    args = parser.parse_args(argv)
    candidates, verdicts = load(args.label)
    out = sys.stdout
    print(f"# {verdicts['label']} (tool {verdicts['tool_commit'][:12]}, seed {verdicts['seed']})",
          file=out)
    print(file=out)
    print("\n".join(category_table(candidates, verdicts)), file=out)
    print(file=out)
    print("\n".join(pattern_table(verdicts)), file=out)
    extra = new_patterns(verdicts)
    print(file=out)
    print("Misses of a cause not in the known list:" if extra else "No miss of a new cause.",
          file=out)
    for line in extra:
        print(line, file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
