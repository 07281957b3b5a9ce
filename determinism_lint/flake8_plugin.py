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
from .checks import ALL_RULES
from .engine import Engine
from .model import UNCHECKED_CODE
from .configs import SettingsResolver
from .noqa import without_foreign_suppressed
from .options import OPTIONS, Kind
from .settings import ConfigError, Settings, parse_option_value, load_settings

Flake8Error = tuple[int, int, str, type]


class DeterminismChecker:
    name = "determinism-lint"
    version = __version__

    _options: ClassVar[Any] = None
    #: An engine per distinct settings, as ``check`` would use for the same paths: settings
    #: come from the nearest pyproject.toml above each checked file (the CLI's resolver).
    _engines: ClassVar[dict[Settings, Engine]] = {}
    _resolver: ClassVar[Optional[SettingsResolver]] = None

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
        for option in OPTIONS:
            if option.flake8 is None:
                continue
            text = "determinism-lint: " + (option.flake8_help or option.help).replace("`", "")
            if option.kind is Kind.BOOL:
                manager.add_option(option.flake8, action="store_true", parse_from_config=True, help=text)
            elif option.kind.is_list:
                manager.add_option(
                    option.flake8,
                    default="",
                    parse_from_config=True,
                    comma_separated_list=True,
                    metavar="LIST",
                    help=f"{text} (added to pyproject.toml's list)",
                )
            else:
                manager.add_option(option.flake8, parse_from_config=True, metavar="VALUE", help=text)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls._options = options
        cls._engines = {}
        cls._resolver = None
        # Fail early on a broken configuration where flake8 starts.
        try:
            cls._engine_for(os.path.join(os.getcwd(), "__init__.py"))
        except ConfigError as error:
            print(f"determinism-lint: error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    @classmethod
    def _engine_for(cls, filename: str) -> Engine:
        if cls._resolver is None:
            explicit = getattr(cls._options, "det_config", None) or None
            cls._resolver = SettingsResolver(explicit, _Flake8Overrides(cls._options), option="--det-config")
        settings = cls._resolver.for_path(filename)
        engine = cls._engines.get(settings)
        if engine is None:
            engine = cls._engines[settings] = Engine(settings)
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
        text = "".join(self.lines)
        findings = engine.check_tree(self.tree, text, self.filename)
        if engine.settings.honor_foreign_noqa and not getattr(type(self)._options, "disable_noqa", False):
            findings = without_foreign_suppressed(findings, text)
        for finding in findings:
            # flake8 counts columns from 0 and adds 1 when it prints.
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)


class _Flake8Overrides:
    """flake8's ``--det-*`` options, applied on top of whichever config governs a file."""

    def __init__(self, options: Any) -> None:
        self.options = options

    def apply(self, settings: Settings) -> Settings:
        return _with_flake8_options(settings, self.options)


def settings_from_flake8(options: Any, config: Optional[str] = None) -> Settings:
    """Settings from ``config`` (a pyproject.toml, or none) with flake8's ``--det-*``
    options applied on top. A broken pyproject is a :class:`ConfigError`."""
    settings = load_settings(config, option="--det-config") if config is not None else Settings()
    return _with_flake8_options(settings, options)


def _with_flake8_options(settings: Settings, options: Any) -> Settings:
    changes: dict[str, object] = {}
    dropped = _ignored_by_flake8(options)
    if dropped:
        changes["ignore"] = settings.ignore + dropped
    defaults = Settings()
    for option in OPTIONS:
        dest = option.flake8_dest
        if dest is None:
            continue
        value = getattr(options, dest, None)
        if option.kind is Kind.BOOL:
            if value:  # the flag turns the default around: --det-strict, --det-no-foreign-noqa
                changes[option.field] = not getattr(defaults, option.field)
        elif option.kind.is_list:
            extra = tuple(item for item in (value or ()) if item)
            if extra:
                changes[option.field] = getattr(settings, option.field) + extra
        elif value:
            changes[option.field] = parse_option_value(option, value, option.flake8 or option.key)
    return settings.replace(**changes) if changes else settings


def _ignored_by_flake8(options: Any) -> tuple[str, ...]:
    """Rule codes that flake8's ``--select``/``--ignore`` drop anyway.

    The engine does not run them, so that one ``except`` handler's single finding goes to a
    rule flake8 reports: with ``--extend-ignore DET401`` a silent bare ``except:`` is
    reported as DET402, as ``check --ignore DET401`` does.
    """
    try:
        from flake8.style_guide import Decision, DecisionEngine

        decide = DecisionEngine(options).decision_for
        return tuple(rule.code for rule in ALL_RULES if decide(rule.code) is Decision.Ignored)
    except (ImportError, AttributeError, TypeError, ValueError):  # an options object without flake8's fields
        return ()
