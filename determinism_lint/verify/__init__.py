"""``determinism-lint verify``: run a pipeline under perturbation and compare its artifacts.

Static rules find likely hazards; running the program shows whether its artifacts really are
reproducible (the same bytes whatever the hash seed, directory order, time zone, locale and
working directory) and crash-safe (no torn file after a SIGKILL). See ``docs/verify.md``.

This module only defines the command line; the work happens in submodules imported by
:func:`run`, so building the CLI parser stays cheap.
"""

from __future__ import annotations

import argparse

VARIATION_NAMES = ("hashseed", "dirorder", "tz", "locale", "cwd")

EXIT_IDENTICAL = 0
EXIT_DIFFERENT = 1
EXIT_FAILED = 2

DEFAULT_RUNS = 2
DEFAULT_KILLS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verify`` to ``parser``."""
    parser.epilog = (
        "The command gets its output directory through the {out} placeholder in its arguments and the"
        " DETERMINISM_VERIFY_OUT environment variable. Exit status: 0 all runs byte-identical (or no torn"
        " file with --crash), 1 differences (torn files), 2 the command failed or a usage error."
    )
    parser.add_argument(
        "--artifacts",
        required=True,
        metavar="DIR",
        help="keep each run's output tree here (DIR/run-1, DIR/run-2, ...); must be empty or new",
    )
    parser.add_argument(
        "--runs", type=int, metavar="N", help=f"how many times to run the command (default: {DEFAULT_RUNS})"
    )
    parser.add_argument(
        "--vary",
        metavar="LIST",
        help="comma-separated variations among " + ",".join(VARIATION_NAMES) + ", or 'all' or 'none'"
        " (default: all)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed for hash seeds, shuffles and kill moments (default: 0)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="kill a run that takes longer, and fail (default: no limit)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="reuse a non-empty DIR: first remove the run-N, reference, rerun, crash-N and logs entries there",
    )
    parser.add_argument(
        "--crash",
        action="store_true",
        help="crash test: a clean reference run and rerun, then reruns over a copy of the reference output"
        " killed with SIGKILL at seeded moments; checks that every file left is complete",
    )
    parser.add_argument(
        "--kills", type=int, metavar="K", help=f"with --crash: how many killed runs (default: {DEFAULT_KILLS})"
    )
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help="with --crash: load .pkl/.pickle artifacts (and allow pickled NumPy arrays) to check them;"
        " loading pickle runs code from the file",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on standard error")
    parser.add_argument(
        "program",
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND [ARGS...]",
        help="the command to verify; {out} in an argument is replaced by the run's output directory",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``verify`` with parsed arguments; return the exit status."""
    from ._main import main

    return main(args)
