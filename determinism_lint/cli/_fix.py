"""``determinism-lint fix`` (and ``check --fix``/``check --diff``)."""

from __future__ import annotations

import argparse
import sys

from ..arguments import UsageError, resolver_from_args
from ..configs import SettingsResolver
from ..engine import Engine
from ._args import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE
from ._inputs import _discover, _stdin_mode, _stdin_result


def cmd_fix(args: argparse.Namespace) -> int:
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number")
    return _fix(args, resolver_from_args(args))


def _fix(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    """``fix``, and ``check --fix``/``check --diff``: the same operation."""
    from ..fixer import run_fix

    if _stdin_mode(args):
        return _fix_stdin(args, resolver)
    files, problems = _discover(args, resolver)
    code = run_fix(files, resolver, unsafe=args.unsafe_fixes, diff=args.diff, jobs=args.jobs, quiet=args.quiet)
    return max(code, EXIT_FINDINGS) if problems and code != EXIT_USAGE else code


def _fix_stdin(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    """Standard input in, the fixed source (or, with ``--diff``, the diff) out, as ruff does."""
    from ..fixer import fix_source, unified_diff

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
