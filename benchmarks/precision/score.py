"""Score a judged sample of findings, or re-check the judged sites after a change.

Reads ``benchmarks/precision/<label>/verdicts.json`` (written by a reviewer from the
``sample.json`` that ``sample.py`` drew) and prints per-rule tables:

* ``n``, ``true``, ``false``, ``debatable``;
* ``prec`` = true / (true + false + debatable), debatable counted against the rule;
* ``prec_td`` = true / (true + false), debatable left out;

overall and per corpus, then the false positives grouped by cause and, for the
artifact-scoped rules, how many messages name their sink.

``--rerun`` runs ``determinism-lint check`` again on the same corpora (default
settings, as ``sample.py`` does) and reports which judged sites are still flagged.
A judged site matches a new finding with the same corpus, path and code whose line
is within ``--tolerance`` lines, or whose message is identical when that message is
unambiguous in the file. The next change is then compared on the same sites: false
positives should disappear, true findings should stay. Sites that were never judged
need a fresh sample (``sample.py`` with a new label).

Usage::

    python benchmarks/precision/score.py benchmarks/precision/2026-12-02-before-36143ae/verdicts.json
    python benchmarks/precision/score.py --rerun benchmarks/precision/2026-12-02-before-36143ae/verdicts.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sample as sampler  # noqa: E402

VERDICTS = ("true", "false", "debatable")

# Causes of false findings, grouped as in the project's precision review.
CAUSE_GROUPS = {
    "test": "1 test code treated as production (fixtures into tmp_path, temp dirs)",
    "nodict": "2 DET201 on JSON with no dict keys at all (a list, a number, a string)",
    "fixeddict": "3 dicts of fixed order treated as unordered (literal keys, asdict, loaded JSON)",
    "hash": "4 DET203 on in-memory hash keys, never persisted",
    "handler": "5 handler is no silent swallow of artifact work (fallbacks, probes, cleanup)",
    "reraise": "5 handler is no silent swallow of artifact work (fallbacks, probes, cleanup)",
    "importfallback": "5 handler is no silent swallow of artifact work (fallbacks, probes, cleanup)",
    "noartifact": "6 writes that produce no artifact (temp, FIFO, marker, log, scratch)",
    "misresolved": "6b not a file writer at all (a method that happens to be called write_text/write_json)",
    "order": "7 listing order that does not matter (delete loops, counts, sorted later, unknown callers)",
    "dup": "8 one handler, several findings",
    "noqa": "9 handler the maintainers already waived (noqa E722 / S110 / BLE001)",
}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def tally(rows: Iterable[dict]) -> Counter:
    return Counter(row["verdict"] for row in rows)


def ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "-"


def table(rows: list[dict], title: str) -> list[str]:
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_rule[row["code"]].append(row)
    lines = [title, "", "| rule | n | true | false | debatable | prec | prec_td |", "|---|---:|---:|---:|---:|---:|---:|"]
    groups = [(code, by_rule[code]) for code in sorted(by_rule)] + [("all", rows)]
    for code, group in groups:
        c = tally(group)
        t, f, d = c["true"], c["false"], c["debatable"]
        name = f"**{code}**" if code == "all" else code
        lines.append(
            f"| {name} | {len(group)} | {t} | {f} | {d} | {ratio(t, t + f + d)} | {ratio(t, t + f)} |"
        )
    return lines + [""]


def causes(rows: list[dict]) -> list[str]:
    counts: Counter = Counter()
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row["verdict"] != "false":
            continue
        group = CAUSE_GROUPS.get(row.get("cause") or "", "other")
        counts[group] += 1
        per_rule[group][row["code"]] += 1
    total = sum(counts.values())
    lines = [f"False findings by cause ({total} false)", "", "| cause | count | rules |", "|---|---:|---|"]
    for group, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rules = ", ".join(f"{code} {n}" for code, n in sorted(per_rule[group].items()))
        lines.append(f"| {group} | {count} | {rules} |")
    return lines + [""]


def sink_naming(rows: list[dict]) -> list[str]:
    scoped = [row for row in rows if row.get("artifact_scoped")]
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for row in scoped:
        by_rule[row["code"]][bool(row.get("names_sink"))] += 1
    lines = ["Artifact-scoped findings whose message names the sink", "", "| rule | n | names sink |", "|---|---:|---:|"]
    for code in sorted(by_rule):
        c = by_rule[code]
        lines.append(f"| {code} | {c[True] + c[False]} | {c[True]} |")
    return lines + [""]


def weighted(doc: dict) -> list[str]:
    """Share of all findings (not only the sampled ones) estimated true, stratified by corpus and rule."""
    rows = doc["verdicts"]
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        strata[(row["corpus"], row["code"])].append(row)
    total = est_true = est_debatable = 0.0
    for corpus in doc["corpora"]:
        for code, count in corpus.get("counts", {}).items():
            group = strata.get((corpus["corpus"], code))
            if not group:
                continue  # not a rule finding (parse errors), never sampled
            c = tally(group)
            total += count
            est_true += count * c["true"] / len(group)
            est_debatable += count * c["debatable"] / len(group)
    if not total:
        return []
    return [
        f"Estimated over all {int(total)} findings of the sampled corpora (each corpus x rule stratum "
        f"weighted by its size): {est_true / total:.2f} true, {est_debatable / total:.2f} debatable",
        "",
    ]


def report(doc: dict) -> str:
    rows = doc["verdicts"]
    out = [f"Tool commit {doc['tool']['commit']}, seed {doc['seed']}, {len(rows)} judged findings", ""]
    out += table(rows, "All corpora")
    out += weighted(doc)
    for corpus in sorted({row["corpus"] for row in rows}):
        out += table([row for row in rows if row["corpus"] == corpus], f"Corpus {corpus}")
    out += causes(rows)
    out += sink_naming(rows)
    return "\n".join(out)


def match(judged: list[dict], found: list[dict], tolerance: int) -> dict[int, dict]:
    """One-to-one match of judged sites to new findings; returns judged index -> finding."""
    pool: dict[tuple, list[dict]] = defaultdict(list)
    for finding in found:
        pool[(finding["corpus"], finding["path"], finding["code"])].append(finding)
    message_count = Counter((row["corpus"], row["path"], row["code"], row["message"]) for row in judged)
    matched: dict[int, dict] = {}
    order = sorted(range(len(judged)), key=lambda i: sampler.site_key(judged[i]))
    for i in order:
        row = judged[i]
        candidates = pool.get((row["corpus"], row["path"], row["code"]), [])
        near = [f for f in candidates if abs(f["line"] - row["line"]) <= tolerance]
        pick = None
        if near:
            pick = min(near, key=lambda f: (abs(f["line"] - row["line"]), f["line"], f["col"]))
        elif message_count[(row["corpus"], row["path"], row["code"], row["message"])] == 1:
            same = [f for f in candidates if f["message"] == row["message"]]
            if len(same) == 1:
                pick = same[0]
        if pick is not None:
            candidates.remove(pick)
            matched[i] = pick
    return matched


def rerun(doc: dict, args: argparse.Namespace) -> str:
    rows = doc["verdicts"]
    found: list[dict] = []
    for corpus in sorted({row["corpus"] for row in rows}):
        for finding in sampler.run_check(args.tool, args.corpora_dir / corpus):
            found.append({**finding, "corpus": corpus})
    matched = match(rows, found, args.tolerance)
    kept = [row for i, row in enumerate(rows) if i in matched]
    out = [
        f"Judged at tool commit {doc['tool']['commit']}; re-run with {sampler.tool_commit()['commit']}",
        f"{len(kept)} of {len(rows)} judged sites still flagged (tolerance {args.tolerance} lines)",
        "",
        "| rule | judged | still flagged | true kept | true lost | false left | debatable left | prec on kept |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_rule: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_rule[row["code"]].append(i)
    for code, idxs in sorted(by_rule.items()) + [("all", list(range(len(rows))))]:
        still = [rows[i] for i in idxs if i in matched]
        c_all, c_kept = tally(rows[i] for i in idxs), tally(still)
        out.append(
            f"| {code} | {len(idxs)} | {len(still)} | {c_kept['true']} | {c_all['true'] - c_kept['true']} "
            f"| {c_kept['false']} | {c_kept['debatable']} | {ratio(c_kept['true'], len(still))} |"
        )
    lost = [row for i, row in enumerate(rows) if row["verdict"] == "true" and i not in matched]
    if lost:
        out += ["", "True findings no longer reported:"]
        out += [f"  {r['corpus']} {r['path']}:{r['line']} {r['code']}  ({r['reason']})" for r in lost]
    if args.verbose:
        left = [row for i, row in enumerate(rows) if row["verdict"] == "false" and i in matched]
        out += ["", "False findings still reported:"]
        out += [f"  {r['corpus']} {r['path']}:{r['line']} {r['code']}  [{r.get('cause')}]" for r in left]
    judged_keys = {id(f) for f in matched.values()}
    unjudged = Counter(f["code"] for f in found if id(f) not in judged_keys and f["code"] != "DET000")
    out += ["", "Findings at sites never judged (draw a fresh sample for these): " + (
        ", ".join(f"{code} {n}" for code, n in sorted(unjudged.items())) or "none")]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("verdicts", type=Path, help="verdicts.json of a judged sample")
    parser.add_argument("--rerun", action="store_true", help="re-run the tool and match the judged sites")
    parser.add_argument("--tolerance", type=int, default=3, help="line distance that still matches (--rerun)")
    parser.add_argument("--corpora-dir", type=Path, default=sampler.DEFAULT_CORPORA)
    parser.add_argument("--tool", default=sampler.default_tool(), help="determinism-lint executable")
    parser.add_argument("-v", "--verbose", action="store_true", help="list false findings still reported")
    args = parser.parse_args(argv)
    doc = load(args.verdicts)
    bad = [row for row in doc["verdicts"] if row["verdict"] not in VERDICTS]
    if bad:
        sys.exit(f"unknown verdict in {len(bad)} rows, e.g. {bad[0]}")
    print(rerun(doc, args) if args.rerun else report(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
