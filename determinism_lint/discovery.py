"""Which files a run checks: ``*.py`` under the given paths, in sorted order."""

from __future__ import annotations

import os
from typing import Iterable

from .settings import ConfigError, Settings

PYTHON_SUFFIXES = (".py",)


def display_path(path: str) -> str:
    """A stable, readable spelling: normalized, without a leading ``./``."""
    normalized = os.path.normpath(path)
    return normalized.replace(os.sep, "/") if os.sep != "/" else normalized


def is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(paths: Iterable[str], settings: Settings, *, force_exclude: bool = False) -> list[str]:
    """Python files under ``paths``, sorted and without duplicates.

    Directories are walked with excluded folders (defaults: VCS, virtualenvs, build and
    cache folders; plus ``exclude``/``extend-exclude``) pruned. A file named explicitly is
    checked even if excluded, unless ``force_exclude`` (what pre-commit needs: it passes
    every staged file by name).
    """
    found: set[str] = set()
    for raw in paths:
        path = display_path(raw)
        if os.path.isfile(path):
            if force_exclude and settings.is_excluded(path):
                continue
            found.add(path)
        elif os.path.isdir(path):
            if force_exclude and path != "." and settings.is_excluded(path):
                continue
            found.update(_walk(path, settings))
        else:
            raise ConfigError(f"{raw}: no such file or directory")
    return sorted(found)


def _walk(root: str, settings: Settings) -> list[str]:
    files: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        # Sorted in place so the walk order (and pruning) is the same on every machine.
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not settings.is_excluded(os.path.join(directory, name))
            and not is_virtualenv(os.path.join(directory, name))
        )
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                path = display_path(os.path.join(directory, name))
                if not settings.is_excluded(path):
                    files.append(path)
    return files
