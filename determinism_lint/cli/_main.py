"""The subcommands and the entry point."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from ..arguments import UsageError
from ..settings import ConfigError
from ._args import EXIT_FINDINGS, EXIT_USAGE, build_parser
from ._check import cmd_check
from ._fix import cmd_fix
from ._rules import cmd_explain, cmd_rules


def cmd_inventory(args: argparse.Namespace) -> int:
    from ..inventory import run as run_inventory

    return run_inventory(args)


def cmd_verify(args: argparse.Namespace) -> int:
    from ..verify import run as run_verify

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
