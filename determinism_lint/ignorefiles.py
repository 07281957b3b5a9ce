"""``.gitignore`` and ``.ignore`` files, matched as git does (``respect-gitignore``).

Patterns are git's (negation, directory-only ``dir/``, anchored ``/dir`` and ``a/b``, ``**``),
matched by :mod:`pathspec`. Each directory's ``.gitignore`` and ``.ignore`` apply below it,
relative to it; a deeper file's match overrides a shallower one's, and within a directory
``.ignore`` overrides ``.gitignore`` (as in ruff and ripgrep). In a git repository,
``.git/info/exclude`` applies too, and files above the repository are not read. Outside one,
ignore files are read from the given path downwards.
"""

from __future__ import annotations

import os
from typing import Optional

import pathspec

IGNORE_FILES = (".gitignore", ".ignore")


class IgnoreFiles:
    """Cached ignore rules; one instance per run."""

    def __init__(self) -> None:
        self._specs: dict[str, Optional[pathspec.GitIgnoreSpec]] = {}
        self._git_roots: dict[str, Optional[str]] = {}

    def top_for(self, path: str) -> str:
        """The highest directory whose ignore files apply to ``path`` (a path given to the run)."""
        absolute = os.path.abspath(path)
        start = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        root = self._git_root(start)
        return root if root is not None else start

    def is_ignored(self, path: str, is_dir: bool, top: str) -> bool:
        """Whether the ignore files in ``top`` and below (to ``path``'s folder) ignore ``path``.

        Only ``path`` itself is matched: a walk never enters an ignored folder.
        """
        absolute = os.path.abspath(path)
        parent = os.path.dirname(absolute)
        if parent != top and not parent.startswith(top.rstrip(os.sep) + os.sep):
            return False
        directories = [parent]
        while directories[-1] != top:
            directories.append(os.path.dirname(directories[-1]))
        decision: Optional[bool] = None
        for directory in reversed(directories):
            spec = self._spec(directory)
            if spec is None:
                continue
            rel = os.path.relpath(absolute, directory).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(rel)
            if result.include is not None:
                decision = result.include
        return bool(decision)

    def is_ignored_below(self, path: str, is_dir: bool, top: str) -> bool:
        """Like :meth:`is_ignored`, also when a folder between ``top`` and ``path`` is ignored
        (for paths named on the command line, which no walk pruned)."""
        rel = os.path.relpath(os.path.abspath(path), top)
        if rel == os.curdir or rel.startswith(os.pardir):
            return False
        parts = rel.split(os.sep)
        current = top
        for index, part in enumerate(parts):
            current = os.path.join(current, part)
            last = index == len(parts) - 1
            if self.is_ignored(current, is_dir if last else True, top):
                return True
        return False

    def _git_root(self, directory: str) -> Optional[str]:
        pending = []
        found: Optional[str] = None
        while True:
            if directory in self._git_roots:
                found = self._git_roots[directory]
                break
            pending.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                found = directory
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for seen in pending:
            self._git_roots[seen] = found
        return found

    def _spec(self, directory: str) -> Optional[pathspec.GitIgnoreSpec]:
        if directory in self._specs:
            return self._specs[directory]
        lines: list[str] = []
        sources = [os.path.join(directory, ".git", "info", "exclude")]
        sources += [os.path.join(directory, name) for name in IGNORE_FILES]
        for source in sources:
            try:
                with open(source, encoding="utf-8", errors="replace") as handle:
                    lines.extend(handle.read().splitlines())
            except OSError:  # absent (the usual case) or unreadable: nothing to apply
                continue
        spec = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        self._specs[directory] = spec
        return spec
