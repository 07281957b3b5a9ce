"""Where the modules of a project are: its root, the dotted names a file is imported by, and
the ``.py`` files below a folder that the project index may look at. Reads folder listings
only, never a file's text."""

from __future__ import annotations

import os
import re
from typing import Optional

#: A folder holding one of these is the root of a project.
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
#: Folders that hold no module of the project: skipped when the index lists files itself.
_SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env", ".venv", ".tox", ".nox"}
)


def find_root(path: str) -> str:
    """The nearest folder above ``path`` that holds a project marker; without one, the folder
    above the outermost package that holds ``path``."""
    start = os.path.dirname(os.path.abspath(path))
    current = start
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in PROJECT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    current = start
    while os.path.isfile(os.path.join(current, "__init__.py")):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def module_name(path: str, root: str) -> str:
    """The dotted name of ``path`` by its place below ``root`` (``src/`` left out)."""
    absolute, root_abs = os.path.abspath(path), os.path.abspath(root)
    prefix = root_abs.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):  # below the root: what relpath would compute, without its work
        rel = absolute[len(prefix):].replace(os.sep, "/")
    else:
        rel = os.path.relpath(absolute, root_abs).replace(os.sep, "/")
    if rel.startswith("../"):
        rel = path.replace(os.sep, "/")
    rel = re.sub(r"\.pyi?$", "", rel).strip("/")
    parts = [part for part in rel.split("/") if part not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src":
        parts.pop(0)
    return ".".join(parts)


def module_names(path: str, root: str, packages: Optional[dict[str, bool]] = None) -> list[str]:
    """Dotted names a file can be imported by: through its chain of packages (folders with an
    ``__init__.py``), and by its path below the project root (``src/`` left out).

    ``packages`` remembers, across the files of one listing, which folders hold an
    ``__init__.py``, so that each folder is looked at once."""
    absolute = os.path.abspath(path)
    folder, base = os.path.split(absolute)
    stem = base[:-3] if base.endswith(".py") else base
    parts = [] if stem == "__init__" else [stem]
    while _is_package(folder, packages):
        folder, name = os.path.split(folder)
        parts.insert(0, name)
        if not name:
            break
    names = []
    if parts:
        names.append(".".join(parts))
    by_root = module_name(absolute, root)
    if by_root and by_root not in names:
        names.append(by_root)
    return names


def _listed_dir(folder: str, name: str) -> bool:
    """Whether listing the project enters ``folder/name``: no hidden, build or virtual
    environment folder."""
    return (
        not name.startswith(".") and name not in _SKIPPED_DIRS
        and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
    )


def _list_py_files(top: str) -> list[str]:
    """The ``.py`` files below ``top``, in sorted order, skipping what the listing skips."""
    found: list[str] = []
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(name for name in dirs if _listed_dir(folder, name))
        found.extend(os.path.join(folder, name) for name in sorted(names) if name.endswith(".py"))
    return found


def _is_package(folder: str, packages: Optional[dict[str, bool]]) -> bool:
    if packages is None:
        return os.path.isfile(os.path.join(folder, "__init__.py"))
    found = packages.get(folder)
    if found is None:
        found = packages[folder] = os.path.isfile(os.path.join(folder, "__init__.py"))
    return found
