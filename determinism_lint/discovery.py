"""Which files a run checks: ``*.py`` under the given paths, in sorted order."""

from __future__ import annotations

import os
from typing import Iterable, Optional, Union

from .configs import SettingsResolver
from .ignorefiles import IgnoreFiles
from .settings import ConfigError, Settings

PYTHON_SUFFIXES = (".py",)


def display_path(path: str) -> str:
    """A stable, readable spelling: normalized, without a leading ``./``."""
    normalized = os.path.normpath(path)
    return normalized.replace(os.sep, "/") if os.sep != "/" else normalized


def is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(
    paths: Iterable[str],
    settings: Union[Settings, SettingsResolver],
    *,
    force_exclude: bool = False,
    problems: Optional[list[str]] = None,
) -> list[str]:
    """Python files under ``paths``, sorted and without duplicates.

    Directories are walked with excluded folders (defaults: VCS, virtualenvs, build and
    cache folders; plus ``exclude``/``extend-exclude``, and what ``.gitignore``/``.ignore``
    files ignore) pruned, each entry judged by the settings of its own folder's nearest
    config. A file named explicitly is checked even if excluded, unless ``force_exclude``
    (what pre-commit needs: it passes every staged file by name). A folder that cannot be
    read is skipped and described in ``problems`` (one line each) when given.
    """
    resolver = settings if isinstance(settings, SettingsResolver) else SettingsResolver.fixed_to(settings)
    ignores = IgnoreFiles()
    found: set[str] = set()
    for raw in paths:
        path = display_path(raw)
        if os.path.isfile(path):
            if force_exclude and _excluded(path, False, resolver, ignores, None):
                continue
            found.add(path)
        elif os.path.isdir(path):
            if force_exclude and path != "." and _excluded(path, True, resolver, ignores, None):
                continue
            found.update(_walk(path, resolver, ignores, problems))
        else:
            raise ConfigError(f"{raw}: {_missing_reason(raw)}")
    return sorted(found)


def is_path_excluded(path: str, settings: Union[Settings, SettingsResolver]) -> bool:
    """Whether a walk would leave ``path`` out (``--stdin-filename NAME --force-exclude``)."""
    resolver = settings if isinstance(settings, SettingsResolver) else SettingsResolver.fixed_to(settings)
    return _excluded(display_path(path), False, resolver, IgnoreFiles(), None)


def _missing_reason(path: str) -> str:
    try:
        os.stat(path)
    except OSError as error:
        if os.path.islink(path):
            # A link to itself (ELOOP) or to nothing: say it is a link, not that it is missing.
            return f"a symbolic link that cannot be followed ({error.strerror or error})"
        return error.strerror.lower() if error.strerror else "no such file or directory"
    return "not a file or directory"


def _excluded(path: str, is_dir: bool, resolver: SettingsResolver, ignores: IgnoreFiles, top: Optional[str]) -> bool:
    """Excluded by the settings of ``path``'s folder, or ignored by an ignore file.

    ``top`` is where the walk's ignore files start; ``None`` for a path named on the command
    line, which is judged with every folder above it.
    """
    folder_settings = resolver.for_directory(os.path.dirname(os.path.abspath(path)))
    if folder_settings.is_excluded(path):
        return True
    if not folder_settings.respect_gitignore:
        return False
    if top is None:
        return ignores.is_ignored_below(path, is_dir, ignores.top_for(path))
    return ignores.is_ignored(path, is_dir, top)


def _walk(root: str, resolver: SettingsResolver, ignores: IgnoreFiles, problems: Optional[list[str]]) -> list[str]:
    files: list[str] = []
    top = ignores.top_for(root)
    absolute = os.path.abspath(root)
    if top != absolute and ignores.is_ignored_below(absolute, True, top):
        # A folder named on the command line inside an ignored one (a Python installation
        # inside a git checkout): walk it, with the ignore files from it downwards only.
        top = absolute

    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = display_path(error.filename) if error.filename else root
            problems.append(f"{where}: cannot read directory: {error.strerror or error}")

    for directory, dirnames, filenames in os.walk(root, onerror=unreadable):
        # Sorted in place so the walk order (and pruning) is the same on every machine.
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not _excluded(os.path.join(directory, name), True, resolver, ignores, top)
            and not is_virtualenv(os.path.join(directory, name))
        )
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                path = display_path(os.path.join(directory, name))
                if not _excluded(path, False, resolver, ignores, top):
                    files.append(path)
    return files
