"""The command line: the parser of every subcommand and the settings it gives."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import __version__
from ..formats import ANNOTATION_LEVELS


EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


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
    from ..inventory import add_arguments as add_inventory_arguments

    add_inventory_arguments(inventory)

    verify = commands.add_parser(
        "verify",
        help="run a pipeline under perturbation and compare its artifacts",
        description="Run a command several times under perturbation (hash seed, directory order, time"
        " zone, locale, working directory) and check that its artifacts are byte-identical.",
    )
    from ..verify import add_arguments as add_verify_arguments

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
    selection.add_argument(
        "--no-reader-evidence",
        action="store_true",
        help="DET101/DET103/DET104: report every in-place write, not only those the project reads back",
    )
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
