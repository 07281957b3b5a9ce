"""Hierarchical configuration: every file is checked with the settings of its nearest config.

As in ruff, the nearest ``pyproject.toml`` with a ``[tool.determinism-lint]`` table above a
file governs it, whatever paths the run was given (``check p1 p2`` reads both projects'
tables, and ``check p2/m.py p1/m.py`` applies each its own); ``--config FILE`` governs every
file. Command-line options apply on top of whichever table governs a file.

The CLI (``check``, ``fix``, ``inventory``) and the flake8 plugin share this lookup. Results
are cached per directory and per config file, so a run over a large tree reads each
``pyproject.toml`` once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Protocol, Sequence, Union

from .settings import Settings, config_table_of, load_settings

#: Dictionary key for "no config file": the defaults govern.
NO_CONFIG = ""


@dataclass(frozen=True)
class Overrides:
    """Command-line options that apply on top of every config."""

    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    #: ``--exclude`` replaces the config's (or the default) ``exclude``; both lists match
    #: relative to the current directory.
    exclude: Optional[tuple[str, ...]] = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: Optional[bool] = None
    cache: Optional[bool] = None
    reader_evidence: Optional[bool] = None

    def apply(self, settings: Settings) -> Settings:
        changes: dict[str, object] = {}
        if self.select is not None or self.extend_select:
            select = self.select if self.select is not None else settings.select
            changes["select"] = select + self.extend_select
        if self.ignore:
            changes["ignore"] = settings.ignore + self.ignore
        if self.strict:
            changes["strict"] = True
        if self.exclude is not None:
            changes["exclude"] = ()  # the config's extend-exclude still applies, as in ruff
        if self.exclude or self.extend_exclude:
            changes["cli_exclude"] = (self.exclude or ()) + self.extend_exclude
        if self.respect_gitignore is not None:
            changes["respect_gitignore"] = self.respect_gitignore
        if self.cache is not None:
            changes["cache"] = self.cache
        if self.reader_evidence is not None:
            changes["reader_evidence"] = self.reader_evidence
        return settings.replace(**changes) if changes else settings


class AppliesOverrides(Protocol):
    """What :class:`SettingsResolver` applies on top of every config, as :class:`Overrides`."""

    def apply(self, settings: Settings) -> Settings: ...


class SettingsResolver:
    """The settings that govern each path of a run."""

    def __init__(self, config_file: Optional[str] = None, overrides: Optional[AppliesOverrides] = None,
                 *, option: str = "--config") -> None:
        """``overrides``: anything with ``apply(settings) -> settings`` (the flake8 plugin
        passes its ``--det-*`` options)."""
        self.overrides: AppliesOverrides = overrides if overrides is not None else Overrides()
        self._fixed: Optional[Settings] = None
        if config_file is not None:
            self._fixed = self.overrides.apply(load_settings(config_file, option=option))
        self._config_for_dir: dict[str, str] = {}
        self._by_config: dict[str, Settings] = {}

    @classmethod
    def fixed_to(cls, settings: Settings) -> SettingsResolver:
        """A resolver that answers ``settings`` for every path."""
        resolver = cls()
        resolver._fixed = settings
        return resolver

    @property
    def fixed(self) -> Optional[Settings]:
        """The one settings of a ``--config`` run, else ``None``."""
        return self._fixed

    def config_for(self, path: str) -> str:
        """The config file governing ``path`` (a file or a directory); ``NO_CONFIG`` for none."""
        absolute = os.path.abspath(path)
        directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        return self._config_for_directory(directory)

    def _config_for_directory(self, directory: str) -> str:
        pending: list[str] = []
        found: Optional[str] = None
        while True:
            cached = self._config_for_dir.get(directory)
            if cached is not None:
                found = cached
                break
            pending.append(directory)
            candidate = os.path.join(directory, "pyproject.toml")
            if os.path.isfile(candidate) and config_table_of(candidate) is not None:
                found = candidate
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                found = NO_CONFIG
                break
            directory = parent
        for seen in pending:
            self._config_for_dir[seen] = found
        return found

    def for_path(self, path: str) -> Settings:
        """Settings for ``path`` (a file or a directory)."""
        if self._fixed is not None:
            return self._fixed
        return self.for_config(self.config_for(path))

    def for_directory(self, directory: str) -> Settings:
        """Settings for the files directly in ``directory``."""
        if self._fixed is not None:
            return self._fixed
        return self.for_config(self._config_for_directory(os.path.abspath(directory)))

    def for_config(self, config: str) -> Settings:
        settings = self._by_config.get(config)
        if settings is None:
            base = load_settings(config) if config != NO_CONFIG else Settings()
            settings = self._by_config[config] = self.overrides.apply(base)
        return settings

    def root_settings(self) -> Settings:
        """Settings of the current directory: what governs the run as a whole (output)."""
        return self.for_path(".")


def settings_per_file(
    files: Sequence[str], settings: Union[Settings, SettingsResolver]
) -> tuple[list[Settings], list[int]]:
    """The distinct settings of a run, and for each file the index of its own."""
    if isinstance(settings, Settings):
        return [settings], [0] * len(files)
    distinct: list[Settings] = []
    position: dict[Settings, int] = {}
    indexes = []
    for path in files:
        own = settings.for_path(path)
        index = position.get(own)
        if index is None:
            index = position[own] = len(distinct)
            distinct.append(own)
        indexes.append(index)
    return distinct, indexes
