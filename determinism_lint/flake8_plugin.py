"""flake8 adapter: a thin shell around :class:`determinism_lint.engine.Engine`.

flake8 does not read ``pyproject.toml``, so the plugin loads ``[tool.determinism-lint]``
itself (from the nearest pyproject.toml above the working directory, or ``--det-config``)
and lets flake8 options override it. flake8 applies its own ``--select``/``--ignore``,
``per-file-ignores`` and ``# noqa`` on top.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any, ClassVar, Iterator, Optional, Sequence

from . import __version__
from .engine import Engine
from .settings import ConfigError, Settings, load_settings

Flake8Error = tuple[int, int, str, type]


class DeterminismChecker:
    name = "determinism-lint"
    version = __version__

    _engine: ClassVar[Optional[Engine]] = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(manager: Any) -> None:
        manager.add_option(
            "--det-config",
            parse_from_config=True,
            metavar="FILE",
            help="determinism-lint: pyproject.toml to read [tool.determinism-lint] from (default: nearest)",
        )
        manager.add_option(
            "--det-strict",
            action="store_true",
            parse_from_config=True,
            help="determinism-lint: treat all code as artifact-shaping",
        )
        for option, what in (
            ("--det-exempt-paths", "extra write-target globs that are not artifacts"),
            ("--det-extra-writers", "extra writers that take a path (pkg.mod.func[:N] or .method)"),
            ("--det-extra-enumerators", "extra directory-listing calls"),
            ("--det-safe-writers", "calls that already write atomically"),
        ):
            manager.add_option(
                option,
                default="",
                parse_from_config=True,
                comma_separated_list=True,
                metavar="LIST",
                help=f"determinism-lint: {what} (added to pyproject.toml's list)",
            )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            cls._engine = Engine(settings_from_flake8(options))
        except ConfigError as error:
            print(f"determinism-lint: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[Flake8Error]:
        engine = type(self)._engine
        if engine is None:
            engine = type(self)._engine = Engine(_default_settings())
        if engine.settings.is_excluded(self.filename):
            return
        assert isinstance(self.tree, ast.Module)
        for finding in engine.check_tree(self.tree, "".join(self.lines), self.filename):
            # flake8 counts columns from 0 and adds 1 when it prints.
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)


def _default_settings() -> Settings:
    try:
        return load_settings(None, start=os.getcwd())
    except ConfigError:
        return Settings()


def settings_from_flake8(options: Any) -> Settings:
    """pyproject settings with flake8's ``--det-*`` options applied on top.

    A broken pyproject is a configuration error; flake8 shows the message and stops.
    """
    settings = load_settings(getattr(options, "det_config", None) or None, start=os.getcwd())
    changes: dict[str, object] = {}
    if getattr(options, "det_strict", False):
        changes["strict"] = True
    for option, field in (
        ("det_exempt_paths", "exempt_paths"),
        ("det_extra_writers", "extra_writers"),
        ("det_extra_enumerators", "extra_enumerators"),
        ("det_safe_writers", "safe_writers"),
    ):
        extra = tuple(item for item in (getattr(options, option, None) or ()) if item)
        if extra:
            changes[field] = getattr(settings, field) + extra
    return settings.replace(**changes) if changes else settings
