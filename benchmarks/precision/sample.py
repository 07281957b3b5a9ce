"""Draw a seeded random sample of findings from real code bases, for a hand review.

For each corpus root (a public code base extracted at a known commit), this runs
``determinism-lint check --format json`` with default settings, exactly as a user
would, and keeps at most ``--per-rule`` findings per rule per corpus, drawn at random
with a fixed seed. The result is ``benchmarks/precision/<label>/sample.json``: the
sites to judge (corpus, path relative to the corpus root, line, col, code, message),
plus the corpus commits, the tool commit and the full per-rule counts.

Sampling is deterministic: the findings of one (corpus, rule) group are sorted by
(path, line, col, code) and drawn with ``random.Random(f"{seed}:{corpus}:{code}")``,
so one group's draw does not depend on which other corpora or rules are present.
Parse failures (DET000) are diagnostics, not rule findings: counted, never sampled.

Usage::

    python benchmarks/precision/sample.py --label 2026-12-02-before-36143ae \\
        huggingface+datasets joblib+joblib kedro-org+kedro Lightning-AI+pytorch-lightning

The analysed code is only read by the linter, never imported or executed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

from determinism_lint.runtime import write_atomic_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_CORPORA = Path("/work/corpora")
DEFAULT_SEED = 20261202
DEFAULT_PER_RULE = 12


def default_tool() -> str:
    venv = ROOT / ".venv" / "bin" / "determinism-lint"
    return str(venv) if venv.exists() else "determinism-lint"


def tool_commit() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    status = git("status", "--porcelain", "--untracked-files=no", "--", "determinism_lint")
    return {"commit": git("rev-parse", "HEAD"), "tool_source_dirty": bool(status)}


def read_shas(corpora_dir: Path) -> dict[str, str]:
    shas: dict[str, str] = {}
    path = corpora_dir / "SHAS.txt"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                shas[parts[0]] = parts[1]
    return shas


def rule_scopes(tool: str) -> dict[str, bool]:
    out = subprocess.run(
        [tool, "rules", "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    return {rule["code"]: bool(rule["artifact_only"]) for rule in json.loads(out)}


def run_check(tool: str, root: Path) -> list[dict]:
    """Findings of ``check`` on ``root`` (default settings, paths relative to it)."""
    proc = subprocess.run(
        [tool, "check", "--format", "json", "--exit-zero", "-q", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"check failed on {root} (exit {proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def site_key(finding: dict) -> tuple:
    return (finding["path"], finding["line"], finding["col"], finding["code"])


def draw(findings: list[dict], corpus: str, code: str, seed: int, k: int) -> list[dict]:
    group = sorted(findings, key=site_key)
    if len(group) <= k:
        return group
    rng = random.Random(f"{seed}:{corpus}:{code}")
    return sorted(rng.sample(group, k), key=site_key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", help="corpus directory names under --corpora-dir")
    parser.add_argument("--label", required=True, help="output folder under benchmarks/precision/")
    parser.add_argument("--corpora-dir", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-rule", type=int, default=DEFAULT_PER_RULE)
    parser.add_argument("--tool", default=default_tool(), help="determinism-lint executable")
    args = parser.parse_args(argv)

    shas = read_shas(args.corpora_dir)
    scopes = rule_scopes(args.tool)
    sample: list[dict] = []
    corpora_meta = []
    for corpus in sorted(args.corpora):
        root = args.corpora_dir / corpus
        findings = run_check(args.tool, root)
        counts = Counter(f["code"] for f in findings)
        by_code: dict[str, list[dict]] = {}
        for finding in findings:
            if finding["code"] in scopes and finding["code"] != "DET000":
                by_code.setdefault(finding["code"], []).append(finding)
        picked = 0
        for code in sorted(by_code):
            for finding in draw(by_code[code], corpus, code, args.seed, args.per_rule):
                sample.append(
                    {
                        "corpus": corpus,
                        "path": finding["path"],
                        "line": finding["line"],
                        "col": finding["col"],
                        "code": finding["code"],
                        "message": finding["message"],
                        "artifact_scoped": scopes[finding["code"]],
                    }
                )
                picked += 1
        corpora_meta.append(
            {
                "corpus": corpus,
                "commit": shas.get(corpus),
                "findings": len(findings),
                "sampled": picked,
                "counts": dict(sorted(counts.items())),
            }
        )
        print(f"{corpus}: {len(findings)} findings, {picked} sampled", file=sys.stderr)

    out_dir = HERE / args.label
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "tool": tool_commit(),
        "command": "determinism-lint check --format json --exit-zero -q .  (cwd: corpus root)",
        "seed": args.seed,
        "per_rule": args.per_rule,
        "corpora": corpora_meta,
        "sample": sample,
    }
    out = out_dir / "sample.json"
    write_atomic_text(out, json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(sample)} findings sampled -> {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
