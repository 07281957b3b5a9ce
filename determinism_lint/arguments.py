"""Settings from parsed command-line arguments: the nearest config of each file (or
``--config``) with the command-line options on top. Shared by the subcommands of
:mod:`determinism_lint.cli` and by :mod:`determinism_lint.inventory`."""

from __future__ import annotations

import argparse
import os
from typing import Optional

from .configs import Overrides, SettingsResolver
from .settings import Settings, parse_code_list


class UsageError(Exception):
    """A command-line mistake: reported on one line, exit status 2."""


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
        reader_evidence=False if getattr(args, "no_reader_evidence", False) else None,
    )
    return SettingsResolver(getattr(args, "config", None), overrides)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings that govern the first path (or the current directory)."""
    paths = [path for path in (getattr(args, "paths", None) or ["."]) if path != "-"] or ["."]
    start = paths[0] if os.path.exists(paths[0]) else "."
    return resolver_from_args(args).for_path(start)
