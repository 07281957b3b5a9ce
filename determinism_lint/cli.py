"""The ``determinism-lint`` command.

Exit codes: 0 clean, 1 findings (or files that could not be checked), 2 usage or
configuration error. ``check`` never imports libcst: start-up time matters in pre-commit.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Optional, Sequence

from . import __version__
from .checks import ALL_RULES, RULES_BY_CODE
from .discovery import discover
from .engine import Engine, FileResult
from .model import UNCHECKED_CODE, Finding, FixSafety
from .settings import ConfigError, Settings, load_settings, parse_code_list

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="determinism-lint",
        description="Find and fix what makes pipeline artifacts non-reproducible or crash-unsafe.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="report findings", description="Report findings in Python files.")
    _add_common(check)
    check.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        default="text",
        help="output format (default: text)",
    )
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="show how many findings each rule has")
    check.add_argument("--baseline", metavar="FILE", help="report only findings that are not in the baseline FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    check.add_argument(
        "--report-unused-noqa", action="store_true", help="flag `# noqa: DETxxx` comments that suppress nothing"
    )
    check.add_argument(
        "--explain-scopes",
        action="store_true",
        help="show which functions count as artifact-shaping, and why, instead of findings",
    )

    fix = commands.add_parser("fix", help="apply fixes", description="Rewrite flagged code to the safe helpers.")
    _add_common(fix)
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change bytes or control flow")
    fix.add_argument("--diff", action="store_true", help="print a unified diff and write nothing (exit 1 if any)")

    inventory = commands.add_parser(
        "inventory",
        help="catalog exception handlers, file writes and directory listings",
        description="Generate an inventory of exception handlers, file writes and directory listings,"
        " or compare two inventories.",
    )
    from .inventory import add_arguments as add_inventory_arguments

    add_inventory_arguments(inventory)

    verify = commands.add_parser(
        "verify",
        help="run a pipeline under perturbation and compare its artifacts",
        description="Run a command several times under perturbation (hash seed, directory order, time"
        " zone, locale, working directory) and check that its artifacts are byte-identical.",
    )
    from .verify import add_arguments as add_verify_arguments

    add_verify_arguments(verify)

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", help="a rule code such as DET101, or a rule name")
    return parser


def _add_common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    sub.add_argument("--select", metavar="CODES", help="only these codes or prefixes, comma-separated (DET1,DET301)")
    sub.add_argument("--ignore", metavar="CODES", help="skip these codes or prefixes, comma-separated")
    sub.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    sub.add_argument("--strict", action="store_true", default=None, help="treat all code as artifact-shaping")
    sub.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude settings to files named on the command line too (for pre-commit)",
    )
    sub.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="worker processes (default: automatic)")
    sub.add_argument("-q", "--quiet", action="store_true", help="no summary on standard error")


def settings_from_args(args: argparse.Namespace) -> Settings:
    start = args.paths[0] if args.paths else "."
    if not os.path.exists(start):
        start = "."
    settings = load_settings(args.config, start=start)
    changes: dict[str, object] = {}
    if args.select is not None and args.select.strip():
        changes["select"] = parse_code_list(args.select, "--select")
        if not changes["select"]:
            raise UsageError("--select names no code: give codes or prefixes such as DET1,DET301")
    if args.ignore:
        changes["ignore"] = settings.ignore + parse_code_list(args.ignore, "--ignore")
    if args.strict:
        changes["strict"] = True
    return settings.replace(**changes) if changes else settings


# -- running the engine over files ------------------------------------------------------

_WORKER_ENGINE: Optional[Engine] = None


def _init_worker(settings: Settings) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine(settings)


def _check_in_worker(path: str) -> FileResult:
    assert _WORKER_ENGINE is not None
    return _WORKER_ENGINE.check_path(path)


def run_engine(files: Sequence[str], settings: Settings, jobs: int = 0) -> list[FileResult]:
    """Check ``files``; results come back in the order of ``files`` whatever the parallelism."""
    if jobs <= 0:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_THRESHOLD else 1
    if jobs == 1 or len(files) < 2:
        engine = Engine(settings)
        return [engine.check_path(path) for path in files]
    chunk = max(1, len(files) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        return list(pool.map(_check_in_worker, files, chunksize=chunk))


# -- commands ---------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number")
    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be used together")
    files = discover(args.paths, settings, force_exclude=args.force_exclude)
    if args.explain_scopes:
        from .scopes import explain_scopes

        _emit(explain_scopes(files, settings), args.output)
        return EXIT_CLEAN
    results = run_engine(files, settings, args.jobs)
    findings = sorted(f for result in results for f in result.findings)
    if args.report_unused_noqa:
        from .noqa import unused_noqa_findings

        findings = sorted(findings + unused_noqa_findings(results, settings))
    baseline_note = ""
    if args.write_baseline:
        from .baseline import write_baseline

        count = write_baseline(args.write_baseline, findings, results)
        if not args.quiet:
            print(f"Wrote {count} findings to {args.write_baseline}.", file=sys.stderr)
        return EXIT_CLEAN
    if args.baseline:
        from .baseline import apply_baseline

        findings, baseline_note = apply_baseline(args.baseline, findings, results)
    from .formats import FORMATS, render_statistics

    if args.format == "sarif":
        # Only SARIF carries the fixes' edits; computing them is what needs the fixer (libcst).
        from .sarif import render_sarif, sarif_fixes

        report = render_sarif(findings, sarif_fixes(findings, settings))
    else:
        report = FORMATS[args.format](findings)
    if args.statistics and args.format == "text":
        report += render_statistics(findings)
    _emit(report, args.output)
    if args.statistics and args.format != "text":
        sys.stderr.write(render_statistics(findings))
    if not args.quiet:
        print(_summary(findings, results) + baseline_note, file=sys.stderr)
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _emit(text: str, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .runtime import write_atomic_text

    write_atomic_text(output, text, encoding="utf-8", newline="\n")


def _summary(findings: Sequence[Finding], results: Sequence[FileResult]) -> str:
    unchecked = sum(1 for result in results if not result.checked)
    real = [f for f in findings if f.code != UNCHECKED_CODE]
    files = len({f.path for f in real})
    noun = "file" if len(results) == 1 else "files"
    if not real:
        text = f"No findings in {len(results)} {noun}."
    else:
        text = f"Found {len(real)} finding{'s' if len(real) != 1 else ''} in {files} of {len(results)} {noun}."
        safe = sum(1 for f in real if f.fix is not None and f.fix.safety is FixSafety.SAFE)
        unsafe = sum(1 for f in real if f.fix is not None and f.fix.safety is FixSafety.UNSAFE)
        if safe or unsafe:
            text += f" {safe} fixable with `determinism-lint fix`"
            text += f", {unsafe} more with `--unsafe-fixes`." if unsafe else "."
    if unchecked:
        text += f" {unchecked} {'file' if unchecked == 1 else 'files'} could not be checked ({UNCHECKED_CODE})."
    return text


def cmd_rules(args: argparse.Namespace) -> int:
    if args.format == "json":
        import json

        rows = [
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
    width = max(len(rule.name) for rule in ALL_RULES)
    for rule in ALL_RULES:
        fix = rule.fix_safety.value
        scope = "artifact" if rule.artifact_only else "all"
        print(f"{rule.code}  {rule.name:<{width}}  fix:{fix:<6}  {scope:<8}  {rule.message}")
    return EXIT_CLEAN


def cmd_explain(args: argparse.Namespace) -> int:
    from .docs import rule_page

    wanted = args.code.strip()
    rule = RULES_BY_CODE.get(wanted.upper()) or next((r for r in ALL_RULES if r.name == wanted.lower()), None)
    if rule is None:
        known = ", ".join(RULES_BY_CODE)
        raise UsageError(f"unknown rule {args.code!r}; known rules: {known}")
    sys.stdout.write(rule_page(rule))
    return EXIT_CLEAN


def cmd_fix(args: argparse.Namespace) -> int:
    from .fixer import run_fix

    settings = settings_from_args(args)
    files = discover(args.paths, settings, force_exclude=args.force_exclude)
    return run_fix(files, settings, unsafe=args.unsafe_fixes, diff=args.diff, jobs=args.jobs, quiet=args.quiet)


def cmd_inventory(args: argparse.Namespace) -> int:
    from .inventory import run as run_inventory

    return run_inventory(args)


def cmd_verify(args: argparse.Namespace) -> int:
    from .verify import run as run_verify

    return run_verify(args)


COMMANDS = {
    "check": cmd_check,
    "explain": cmd_explain,
    "fix": cmd_fix,
    "inventory": cmd_inventory,
    "rules": cmd_rules,
    "verify": cmd_verify,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError) as error:
        print(f"determinism-lint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # ``determinism-lint check | head``: the reader went away; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except OSError as error:
        # ``--output missing/dir/report.json`` and the like: say what, exit as a usage error.
        print(f"determinism-lint: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("determinism-lint: interrupted", file=sys.stderr)
        return 130
