"""flake8 adapter: a thin shell around :class:`determinism_lint.engine.Engine`.

flake8 does not read ``pyproject.toml``, so the plugin loads ``[tool.determinism-lint]``
itself (from the nearest pyproject.toml above each checked file, or ``--det-config``)
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
from .model import UNCHECKED_CODE
from .settings import ConfigError, Settings, find_config, load_settings, validate_fix_log_level

Flake8Error = tuple[int, int, str, type]


class DeterminismChecker:
    name = "determinism-lint"
    version = __version__

    _options: ClassVar[Any] = None
    #: An engine per configuration file (``None``: no file), as ``check`` would use for the
    #: same paths: settings come from the nearest pyproject.toml above each checked file.
    _engines: ClassVar[dict[Optional[str], Engine]] = {}
    _config_for_dir: ClassVar[dict[str, Optional[str]]] = {}

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
            help="determinism-lint: pyproject.toml to read [tool.determinism-lint] from"
            " (default: the nearest one above each checked file)",
        )
        manager.add_option(
            "--det-strict",
            action="store_true",
            parse_from_config=True,
            help="determinism-lint: treat all code as artifact-shaping",
        )
        manager.add_option(
            "--det-fix-log-level",
            parse_from_config=True,
            metavar="LEVEL",
            help="determinism-lint: level of the log call the fix adds to a silent handler"
            " (debug, info, warning, error; default: debug)",
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
        cls._options = options
        cls._engines = {}
        cls._config_for_dir = {}
        # Fail early on a broken configuration where flake8 starts.
        try:
            cls._engine_for(os.path.join(os.getcwd(), "__init__.py"))
        except ConfigError as error:
            print(f"determinism-lint: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    @classmethod
    def _engine_for(cls, filename: str) -> Engine:
        explicit = getattr(cls._options, "det_config", None) or None
        if explicit is not None:
            key: Optional[str] = explicit
        else:
            directory = os.path.dirname(os.path.abspath(filename))
            if directory not in cls._config_for_dir:
                found = find_config(directory)
                cls._config_for_dir[directory] = str(found) if found is not None else None
            key = cls._config_for_dir[directory]
        engine = cls._engines.get(key)
        if engine is None:
            engine = cls._engines[key] = Engine(settings_from_flake8(cls._options, key))
        return engine

    def run(self) -> Iterator[Flake8Error]:
        try:
            engine = type(self)._engine_for(self.filename)
        except ConfigError as error:
            yield 1, 0, f"{UNCHECKED_CODE} {error}", type(self)
            return
        if engine.settings.is_excluded(self.filename):
            return
        assert isinstance(self.tree, ast.Module)
        for finding in engine.check_tree(self.tree, "".join(self.lines), self.filename):
            # flake8 counts columns from 0 and adds 1 when it prints.
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)


def settings_from_flake8(options: Any, config: Optional[str] = None) -> Settings:
    """Settings from ``config`` (a pyproject.toml, or none) with flake8's ``--det-*``
    options applied on top. A broken pyproject is a :class:`ConfigError`."""
    settings = load_settings(config) if config is not None else Settings()
    changes: dict[str, object] = {}
    if getattr(options, "det_strict", False):
        changes["strict"] = True
    level = getattr(options, "det_fix_log_level", None)
    if level:
        changes["fix_log_level"] = validate_fix_log_level(level, "--det-fix-log-level")
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
