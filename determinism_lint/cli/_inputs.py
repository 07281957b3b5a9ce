"""What a command reads: the files to check (or standard input), and the engine run over them;
where it writes: standard output or ``--output``."""

from __future__ import annotations

import argparse
import sys
from typing import Iterator, Optional, Sequence, Union

from ..arguments import UsageError
from ..configs import SettingsResolver
from ..discovery import discover, is_path_excluded
from ..engine import Engine, FileResult
from ..settings import Settings
from ..workers import map_files


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


def _emit(text: str, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..runtime import write_atomic_text

    write_atomic_text(output, text, encoding="utf-8", newline="\n")
