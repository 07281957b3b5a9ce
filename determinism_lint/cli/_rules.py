"""``determinism-lint rules`` and ``determinism-lint explain``."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from ..arguments import UsageError
from ..checks import ALL_RULES, RULES_BY_CODE
from ..model import PSEUDO_RULE_NAMES, UNCHECKED_CODE
from ._args import EXIT_CLEAN


#: Codes the tool reports that are not rules: (name, message, documentation).
PSEUDO_RULES: dict[str, tuple[str, str, str]] = {
    UNCHECKED_CODE: (
        PSEUDO_RULE_NAMES[UNCHECKED_CODE],
        "the file could not be checked",
        "Reported, once per file, for a file the tool could not check: it cannot be read,"
        " decoded or parsed (a syntax error, undecodable bytes, a NUL byte), it is larger than"
        " `max-file-size`, or a rule failed on it (the rest of the file is still checked). The"
        " message says why and the position points at the cause when it is known.\n\n"
        "It counts as a finding (exit status 1) so that a file nobody checked never passes"
        " silently. It cannot be suppressed with `# noqa` and has no fix: correct the file,"
        " raise `max-file-size`, or exclude the file.",
    ),
    "DET001": (
        PSEUDO_RULE_NAMES["DET001"],
        "unused `noqa` for DETxxx: nothing to suppress on this line",
        "Reported with `check --report-unused-noqa` for a `# noqa: DETxxx` comment whose"
        " codes suppress nothing on its line (ruff's RUF100, for this tool's codes only)."
        " Codes of other tools and blanket `# noqa` comments are left alone. A code is judged"
        " only when every rule it covers ran on the file. Remove the code from the comment;"
        " a comment that names DET001 itself keeps its line out of the report.",
    ),
}


def cmd_rules(args: argparse.Namespace) -> int:
    if args.format == "json":
        rows = [
            {"code": code, "name": name, "message": message, "fix": "none", "fix_title": "", "artifact_only": False}
            for code, (name, message, _) in sorted(PSEUDO_RULES.items())
        ]
        rows += [
            {
                "code": rule.code,
                "name": rule.name,
                "message": rule.message,
                "fix": rule.fix_safety.value,
                "fix_title": rule.fix_title,
                "artifact_only": rule.artifact_only,
            }
            for rule in ALL_RULES
        ]
        sys.stdout.write(json.dumps(rows, indent=2, sort_keys=True) + "\n")
        return EXIT_CLEAN
    width = max(len(name) for name in [rule.name for rule in ALL_RULES] + [row[0] for row in PSEUDO_RULES.values()])
    for code, (name, message, _) in sorted(PSEUDO_RULES.items()):
        print(f"{code}  {name:<{width}}  fix:{'none':<6}  {'all':<8}  {message}")
    for rule in ALL_RULES:
        fix = rule.fix_safety.value
        scope = "artifact" if rule.artifact_only else "all"
        print(f"{rule.code}  {rule.name:<{width}}  fix:{fix:<6}  {scope:<8}  {rule.message}")
    return EXIT_CLEAN


def cmd_explain(args: argparse.Namespace) -> int:
    from ..docs import rule_page

    wanted = args.code.strip()
    for code, (name, message, text) in PSEUDO_RULES.items():
        if wanted.upper() == code or wanted.lower() == name:
            sys.stdout.write(f"# {code}: {name}\n\n{textwrap.fill(text, 88, break_on_hyphens=False)}\n")
            return EXIT_CLEAN
    rule = RULES_BY_CODE.get(wanted.upper()) or next((r for r in ALL_RULES if r.name == wanted.lower()), None)
    if rule is None:
        known = ", ".join([*sorted(PSEUDO_RULES), *RULES_BY_CODE])
        raise UsageError(f"unknown rule {args.code!r}; known rules: {known}")
    sys.stdout.write(rule_page(rule, generated_note=False))
    return EXIT_CLEAN
