"""The ``determinism-lint`` command.

Exit codes: 0 clean, 1 findings (or files that could not be checked), 2 usage or
configuration error. ``check`` never imports libcst: start-up time matters in pre-commit.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import textwrap
from typing import Any, Iterable, Iterator, Optional, Sequence, TextIO, Union

from . import __version__
from .checks import ALL_RULES, RULES_BY_CODE
from .configs import Overrides, SettingsResolver
from .discovery import discover, is_path_excluded
from .engine import Engine, FileResult
from .formats import ANNOTATION_LEVELS, Statistics, render_full, render_github, render_text, use_color
from .model import PSEUDO_RULE_NAMES, UNCHECKED_CODE, Finding, FixSafety
from .settings import ConfigError, Settings, parse_code_list
from .workers import map_files

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

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
    groups = _add_common(check)
    output = groups["output"]
    output.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=FORMAT_CHOICES,
        default="text",
        help="output format (default: text; full = text with the source line and a caret)",
    )
    output.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    output.add_argument(
        "--show-source", action="store_true", help="show the source line under each finding (same as --output-format full)"
    )
    output.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto: on a terminal, off when piped or with NO_COLOR)",
    )
    output.add_argument(
        "--statistics", action="store_true", help="print only a count of findings per rule, fixable ones apart"
    )
    output.add_argument(
        "--annotation-level",
        choices=ANNOTATION_LEVELS,
        default="error",
        help="level of --output-format github annotations (default: error)",
    )
    output.add_argument(
        "--explain-scopes",
        action="store_true",
        help="show which functions count as artifact-shaping, and why, instead of findings",
    )
    groups["selection"].add_argument(
        "--report-unused-noqa", action="store_true", help="flag `# noqa: DETxxx` comments that suppress nothing (DET001)"
    )
    fixing = groups["fixing"]
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes, as `determinism-lint fix` does")
    misc = groups["misc"]
    misc.add_argument("-e", "--exit-zero", action="store_true", help="exit 0 even when there are findings")
    misc.add_argument("--baseline", metavar="FILE", help="report only findings that are not in the baseline FILE")
    misc.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")

    fix = commands.add_parser("fix", help="apply fixes", description="Rewrite flagged code to the safe helpers.")
    _add_common(fix)

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


FORMAT_CHOICES = ("text", "full", "json", "github", "sarif")


def _add_common(sub: argparse.ArgumentParser) -> dict[str, Any]:
    """Options of ``check`` and ``fix``, in the groups of ruff's help."""
    sub.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .); `-` reads standard input"
    )
    selection = sub.add_argument_group("Rule selection")
    selection.add_argument("--select", metavar="CODES", help="only these codes or prefixes, comma-separated (DET1,DET301)")
    selection.add_argument(
        "--extend-select", metavar="CODES", help="codes or prefixes to enable on top of the configured selection"
    )
    selection.add_argument("--ignore", metavar="CODES", help="skip these codes or prefixes, comma-separated")
    selection.add_argument("--strict", action="store_true", default=None, help="treat all code as artifact-shaping")
    output = sub.add_argument_group("Output")
    output.add_argument("-q", "--quiet", action="store_true", help="no summary on standard error")
    files = sub.add_argument_group("File selection")
    files.add_argument(
        "--exclude", metavar="PATTERNS", help="globs to exclude, comma-separated; replaces the configured exclude list"
    )
    files.add_argument("--extend-exclude", metavar="PATTERNS", help="globs to exclude on top of the configured ones")
    files.add_argument(
        "--respect-gitignore",
        dest="respect_gitignore",
        action="store_true",
        default=None,
        help="skip files that .gitignore and .ignore files ignore (the default)",
    )
    files.add_argument(
        "--no-respect-gitignore", dest="respect_gitignore", action="store_false", help="check ignored files too"
    )
    files.add_argument(
        "--no-cache",
        action="store_true",
        help="do not read or write .determinism_lint_cache/ (what the project index learns of each file)",
    )
    files.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude settings to files named on the command line too (for pre-commit)",
    )
    files.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="read the source from standard input and report it (and pick its settings) as NAME",
    )
    fixing = sub.add_argument_group("Fixing")
    fixing.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes that may change bytes or control flow"
    )
    fixing.add_argument("--diff", action="store_true", help="print a unified diff of the fixes and write nothing (exit 1 if any)")
    misc = sub.add_argument_group("Miscellaneous")
    misc.add_argument("--config", metavar="FILE", help="read settings for every file from FILE instead of the nearest pyproject.toml")
    misc.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="worker processes (default: automatic)")
    return {"selection": selection, "output": output, "files": files, "fixing": fixing, "misc": misc}


def _codes(args: argparse.Namespace, name: str, option: str) -> tuple[str, ...]:
    value = getattr(args, name, None)
    return parse_code_list(value, option) if value else ()


def _patterns(value: Optional[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def resolver_from_args(args: argparse.Namespace) -> SettingsResolver:
    """Settings for every file of the run: its nearest config (or ``--config``), with the
    command-line options on top."""
    select: Optional[tuple[str, ...]] = None
    if getattr(args, "select", None) is not None and args.select.strip():
        select = parse_code_list(args.select, "--select")
        if not select:
            raise UsageError("--select names no code: give codes or prefixes such as DET1,DET301")
    exclude = getattr(args, "exclude", None)
    overrides = Overrides(
        select=select,
        extend_select=_codes(args, "extend_select", "--extend-select"),
        ignore=_codes(args, "ignore", "--ignore"),
        strict=bool(getattr(args, "strict", False)),
        exclude=_patterns(exclude) if exclude is not None else None,
        extend_exclude=_patterns(getattr(args, "extend_exclude", None)),
        respect_gitignore=getattr(args, "respect_gitignore", None),
        cache=False if getattr(args, "no_cache", False) else None,
    )
    return SettingsResolver(getattr(args, "config", None), overrides)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings that govern the first path (or the current directory)."""
    paths = [path for path in (getattr(args, "paths", None) or ["."]) if path != "-"] or ["."]
    start = paths[0] if os.path.exists(paths[0]) else "."
    return resolver_from_args(args).for_path(start)


# -- running the engine over files ------------------------------------------------------

def _check_one(engine: Engine, path: str) -> FileResult:
    return engine.check_path(path)


def iter_engine(files: Sequence[str], settings: Union[Settings, SettingsResolver], jobs: int = 0) -> Iterator[FileResult]:
    """Check ``files``, each with its own settings; results come one file at a time, in the
    order of ``files`` whatever the parallelism, so a caller can write them out as they come."""
    return map_files(_check_one, files, settings, jobs)


def run_engine(files: Sequence[str], settings: Union[Settings, SettingsResolver], jobs: int = 0) -> list[FileResult]:
    """Check ``files``; results come back in the order of ``files`` whatever the parallelism."""
    return list(iter_engine(files, settings, jobs))


# -- commands ---------------------------------------------------------------------------


def _stdin_mode(args: argparse.Namespace) -> bool:
    """``PATH`` is ``-``, or ``--stdin-filename`` is given without paths (as in ruff)."""
    if "-" in args.paths:
        if len(args.paths) > 1:
            raise UsageError("`-` (standard input) cannot be combined with other paths")
        return True
    return bool(args.stdin_filename) and not args.paths


def _discover(args: argparse.Namespace, resolver: SettingsResolver) -> tuple[list[str], list[str]]:
    """The files to check, and one line per folder that could not be read."""
    problems: list[str] = []
    files = discover(args.paths or ["."], resolver, force_exclude=args.force_exclude, problems=problems)
    for line in problems:
        print(f"determinism-lint: error: {line}", file=sys.stderr)
    if not files and not problems and not getattr(args, "quiet", False):
        print("determinism-lint: warning: no Python files found under the given paths", file=sys.stderr)
    return files, problems


def _stdin_result(args: argparse.Namespace, resolver: SettingsResolver) -> tuple[Optional[bytes], str, Settings]:
    """Source from standard input, the name to report it under, and that name's settings;
    no source when ``--force-exclude`` excludes the name."""
    name = args.stdin_filename or "-"
    settings = resolver.for_path(name) if name != "-" else resolver.for_path(".")
    data = sys.stdin.buffer.read()
    if name != "-" and args.force_exclude and is_path_excluded(name, resolver):
        return None, name, settings
    return data, name, settings


def cmd_check(args: argparse.Namespace) -> int:
    resolver = resolver_from_args(args)
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number")
    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be used together")
    if args.fix or args.diff:
        return _fix(args, resolver)
    stdin = _stdin_mode(args)
    problems: list[str] = []
    if stdin:
        data, name, settings = _stdin_result(args, resolver)
        files = [name] if data is not None else []
        sources = {name: data} if data is not None else {}
    else:
        files, problems = _discover(args, resolver)
        sources = {}
    if args.explain_scopes:
        from .scopes import explain_scopes

        _emit(explain_scopes(files, resolver.for_path, as_json=args.format == "json"), args.output)
        return EXIT_FINDINGS if problems else EXIT_CLEAN
    if stdin:
        results: Iterable[FileResult] = [
            Engine(settings).check_source(sources[name], name) for name in files
        ]
    else:
        results = iter_engine(files, resolver, args.jobs)
    report = _Report(args, resolver, sources)
    if args.baseline or args.write_baseline or args.format == "sarif":
        # These need every finding at once: a baseline matches across files; SARIF is one document.
        results = list(results)
        findings = sorted(f for result in results for f in result.findings)
        if args.report_unused_noqa:
            findings = sorted(findings + _unused_noqa(results, resolver))
        if args.write_baseline:
            from .baseline import write_baseline

            count = write_baseline(args.write_baseline, findings, results)
            if not args.quiet:
                print(f"Wrote {count} finding{'s' if count != 1 else ''} to {args.write_baseline}.", file=sys.stderr)
            return EXIT_FINDINGS if problems else EXIT_CLEAN
        baseline_note = ""
        if args.baseline:
            from .baseline import apply_baseline

            findings, baseline_note = apply_baseline(args.baseline, findings, results)
        report.note = baseline_note
        report.add_all(findings, results)
    else:
        for result in results:
            findings = list(result.findings)
            if args.report_unused_noqa:
                findings = sorted(findings + _unused_noqa([result], resolver))
            report.add_file(result, findings)
    report.finish()
    if report.total and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _unused_noqa(results: Sequence[FileResult], resolver: SettingsResolver) -> list[Finding]:
    from .noqa import unused_noqa_findings

    found: list[Finding] = []
    for result in results:
        found += unused_noqa_findings([result], resolver.for_path(result.path))
    return found


class _Report:
    """Writes findings out as they come, one file at a time (memory stays bounded on huge
    runs), and keeps only counts for the summary."""

    def __init__(self, args: argparse.Namespace, resolver: SettingsResolver, sources: dict[str, bytes]) -> None:
        self.args = args
        self.resolver = resolver
        self.sources = sources
        self.format = "full" if args.show_source and args.format == "text" else args.format
        self.stream: TextIO = sys.stdout if args.output is None else io.StringIO()
        self.color = self.format in ("text", "full") and args.output is None and use_color(args.color, sys.stdout)
        self.stats = Statistics()
        self.files = 0
        self.unchecked = 0
        self.total = 0
        self.paths_with_findings = 0
        self.safe = 0
        self.unsafe = 0
        self.note = ""
        self.json_started = False
        self._sarif: list[Finding] = []
        self._lines_of: tuple[Optional[str], list[str]] = (None, [])

    def add_file(self, result: FileResult, findings: Sequence[Finding]) -> None:
        self.files += 1
        if not result.checked:
            self.unchecked += 1
        real = [f for f in findings if f.code != UNCHECKED_CODE]
        if real:
            self.paths_with_findings += 1
        for finding in findings:
            self._count(finding)
        self._write(findings)

    def add_all(self, findings: Sequence[Finding], results: Sequence[FileResult]) -> None:
        self.files = len(results)
        self.unchecked = sum(1 for result in results if not result.checked)
        self.paths_with_findings = len({f.path for f in findings if f.code != UNCHECKED_CODE})
        for finding in findings:
            self._count(finding)
        if self.format == "sarif":
            self._sarif = list(findings)
        else:
            self._write(findings)

    def _count(self, finding: Finding) -> None:
        self.total += 1
        self.stats.add(finding)
        if finding.code == UNCHECKED_CODE:
            return
        # A finding that stands for several on one handler (``also``) is fixable when any of
        # them is, and safely so when any of them has a safe fix (``fix`` applies that one).
        fixes = [one.fix for one in (finding, *finding.also) if one.fix is not None]
        if any(fix.safety is FixSafety.SAFE for fix in fixes):
            self.safe += 1
        elif fixes:
            self.unsafe += 1

    def _write(self, findings: Sequence[Finding]) -> None:
        if not findings or self.args.statistics:
            return
        if self.format == "json":
            for finding in findings:
                body = json.dumps(finding.as_dict(), indent=2, sort_keys=True, ensure_ascii=False)
                self.stream.write(("[\n" if not self.json_started else ",\n") + textwrap.indent(body, "  "))
                self.json_started = True
        elif self.format == "github":
            self.stream.write(render_github(findings, level=self.args.annotation_level))
        elif self.format == "full":
            self.stream.write(render_full(findings, self._source_line, color=self.color))
        else:
            self.stream.write(render_text(findings, color=self.color))

    def _source_line(self, path: str, line: int) -> Optional[str]:
        if self._lines_of[0] != path:
            self._lines_of = (path, self._read_lines(path))  # one file's lines at a time
        lines = self._lines_of[1]
        return lines[line - 1] if 0 < line <= len(lines) else None

    def _read_lines(self, path: str) -> list[str]:
        from .engine import SourceError, decode_source

        data = self.sources.get(path)
        try:
            if data is None:
                with open(path, "rb") as handle:
                    data = handle.read()
            # Python's own line breaks: ``str.splitlines`` also splits on form feeds.
            return re.split(r"\r\n|\r|\n", decode_source(data))
        except (OSError, SourceError):
            return []

    def finish(self) -> None:
        args = self.args
        if args.statistics:
            text = self.stats.render_json() if self.format == "json" else self.stats.render_text()
            self.stream.write(text)
        elif self.format == "json":
            self.stream.write("\n]\n" if self.json_started else "[]\n")
        elif self.format == "sarif":
            from .sarif import render_sarif, sarif_fixes

            # Fixes are computed from the files on disk: none for source read from standard input.
            fixes = sarif_fixes(self._sarif, self.resolver) if not self.sources else {}
            self.stream.write(render_sarif(self._sarif, fixes))
        if args.output is not None:
            assert isinstance(self.stream, io.StringIO)
            _emit(self.stream.getvalue(), args.output)
        else:
            self.stream.flush()
        if not args.quiet and not args.statistics:
            print(self.summary() + self.note, file=sys.stderr)

    def summary(self) -> str:
        noun = "file" if self.files == 1 else "files"
        real = self.total - self.stats.counts.get(UNCHECKED_CODE, [0])[0]
        unchecked = ""
        if self.unchecked:
            unchecked = f"{self.unchecked} {'file' if self.unchecked == 1 else 'files'} could not be checked ({UNCHECKED_CODE})"
        if not real:
            if not self.unchecked:
                return f"No findings in {self.files} {noun}."
            others = self.files - self.unchecked
            if not others:
                return f"{unchecked[0].upper()}{unchecked[1:]}."
            return f"{unchecked[0].upper()}{unchecked[1:]}; no findings in the other {others} {'file' if others == 1 else 'files'}."
        text = f"Found {real} finding{'s' if real != 1 else ''} in {self.paths_with_findings} of {self.files} {noun}."
        if self.safe or self.unsafe:
            if self.args.unsafe_fixes:
                text += f" {self.safe + self.unsafe} fixable with `determinism-lint fix --unsafe-fixes`."
            else:
                text += f" {self.safe} fixable with `determinism-lint fix`"
                text += f", {self.unsafe} more with `--unsafe-fixes`." if self.unsafe else "."
        return f"{text} {unchecked}." if unchecked else text


def _emit(text: str, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .runtime import write_atomic_text

    write_atomic_text(output, text, encoding="utf-8", newline="\n")


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
    from .docs import rule_page

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


def cmd_fix(args: argparse.Namespace) -> int:
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number")
    return _fix(args, resolver_from_args(args))


def _fix(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    """``fix``, and ``check --fix``/``check --diff``: the same operation."""
    from .fixer import run_fix

    if _stdin_mode(args):
        return _fix_stdin(args, resolver)
    files, problems = _discover(args, resolver)
    code = run_fix(files, resolver, unsafe=args.unsafe_fixes, diff=args.diff, jobs=args.jobs, quiet=args.quiet)
    return max(code, EXIT_FINDINGS) if problems and code != EXIT_USAGE else code


def _fix_stdin(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    """Standard input in, the fixed source (or, with ``--diff``, the diff) out, as ruff does."""
    from .fixer import fix_source, unified_diff

    data, name, settings = _stdin_result(args, resolver)
    if data is None:
        return EXIT_CLEAN
    fixed = fix_source(data, name, Engine(settings), unsafe=args.unsafe_fixes)
    if args.diff:
        if fixed.changed:
            sys.stdout.write(unified_diff(fixed))
        return EXIT_FINDINGS if fixed.changed else EXIT_CLEAN
    new = fixed.new if fixed.changed and fixed.new is not None else data
    sys.stdout.buffer.write(new)
    sys.stdout.flush()
    left = fixed.error or fixed.dropped or fixed.unfixable or fixed.unsafe_skipped
    return EXIT_FINDINGS if left else EXIT_CLEAN


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
