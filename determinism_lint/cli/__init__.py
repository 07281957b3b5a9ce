"""The ``determinism-lint`` command.

Exit codes: 0 clean, 1 findings (or files that could not be checked), 2 usage or
configuration error. ``check`` never imports libcst: start-up time matters in pre-commit.

One module per part: ``_args`` (the parser and the settings it gives), ``_inputs`` (the files
or standard input, the engine run over them, the output), ``_report`` (how ``check`` writes
findings and its summary), ``_check``, ``_fix``, ``_rules`` (``rules`` and ``explain``) and
``_main`` (the subcommand table and ``main``, the console script's entry point). The settings
a command line gives are built in :mod:`determinism_lint.arguments`, which ``inventory`` shares.
"""

from __future__ import annotations

from ..arguments import UsageError, resolver_from_args, settings_from_args
from ._args import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_USAGE,
    FORMAT_CHOICES,
    build_parser,
)
from ._check import cmd_check
from ._fix import cmd_fix
from ._inputs import iter_engine, run_engine
from ._main import COMMANDS, cmd_inventory, cmd_verify, main
from ._rules import PSEUDO_RULES, cmd_explain, cmd_rules

__all__ = [
    "COMMANDS",
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_USAGE",
    "FORMAT_CHOICES",
    "PSEUDO_RULES",
    "UsageError",
    "build_parser",
    "cmd_check",
    "cmd_explain",
    "cmd_fix",
    "cmd_inventory",
    "cmd_rules",
    "cmd_verify",
    "iter_engine",
    "main",
    "resolver_from_args",
    "run_engine",
    "settings_from_args",
]
