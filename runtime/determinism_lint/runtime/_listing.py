"""Directory listings in a deterministic order.

The operating system returns directory entries in an order that depends on the file system,
its history and the platform. These helpers sort by name (code point order, case-sensitive on
every platform) and skip in-flight temporary files (see :func:`is_temp_artifact_name`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, AnyStr, Callable, Iterator, Union, overload

from ._tempnames import is_temp_artifact_name

StrPath = Union[str, "os.PathLike[str]"]


def _path_order(path: Path) -> tuple[str, ...]:
    # Component by component: "a/b" sorts right after "a" and before "a.txt" on every platform,
    # which a comparison of whole strings would not do ("/" and "\\" sort differently from ".").
    return path.parts


def _without_temp(paths: list[Path], root: Path, include_temp: bool) -> list[Path]:
    """Drop paths with an in-flight temporary name below ``root`` (order is kept)."""
    if include_temp:
        return paths
    depth = len(root.parts)
    return [path for path in paths if not any(is_temp_artifact_name(part) for part in path.parts[depth:])]


def iterdir_sorted(root: StrPath, *, include_temp: bool = False) -> list[Path]:
    """``sorted(Path(root).iterdir())``, by name, without in-flight temporary files."""
    base = Path(root)
    return _without_temp(sorted(base.iterdir(), key=_path_order), base, include_temp)


def glob_sorted(root: StrPath, pattern: str, *, include_temp: bool = False) -> list[Path]:
    """``Path(root).glob(pattern)`` as a sorted list.

    Paths are sorted component by component (by name). A result is skipped when any component
    below ``root`` is an in-flight temporary name, unless ``include_temp`` is true.
    """
    base = Path(root)
    return _without_temp(sorted(base.glob(pattern), key=_path_order), base, include_temp)


def rglob_sorted(root: StrPath, pattern: str, *, include_temp: bool = False) -> list[Path]:
    """``Path(root).rglob(pattern)`` as a sorted list (see :func:`glob_sorted`)."""
    base = Path(root)
    return _without_temp(sorted(base.rglob(pattern), key=_path_order), base, include_temp)


@overload
def listdir_sorted(root: bytes | os.PathLike[bytes], *, include_temp: bool = ...) -> list[bytes]: ...


@overload
def listdir_sorted(root: StrPath | int = ..., *, include_temp: bool = ...) -> list[str]: ...


def listdir_sorted(root: Any = ".", *, include_temp: bool = False) -> list[Any]:
    """``sorted(os.listdir(root))`` without in-flight temporary files.

    Like :func:`os.listdir`, a ``bytes`` directory (or a path-like giving ``bytes``) gives
    ``bytes`` names and anything else ``str`` names.
    """
    names = sorted(os.listdir(root))
    if include_temp:
        return names
    return [name for name in names if not is_temp_artifact_name(name)]


def walk_sorted(
    root: AnyStr | os.PathLike[AnyStr],
    topdown: bool = True,
    onerror: Callable[[OSError], object] | None = None,
    followlinks: bool = False,
    *,
    include_temp: bool = False,
) -> Iterator[tuple[AnyStr, list[AnyStr], list[AnyStr]]]:
    """:func:`os.walk` in a deterministic order.

    Yields ``(dirpath, dirnames, filenames)`` like :func:`os.walk`, with both name lists sorted
    and in-flight temporary names removed. ``dirnames`` is sorted *in place* and is the very list
    ``os.walk`` descends into, so with ``topdown=True`` pruning still works::

        for dirpath, dirnames, filenames in walk_sorted(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]

    Subdirectories are visited in sorted order. With ``topdown=False`` every directory is
    yielded after all of its subdirectories, in the same sorted order (a plain ``os.walk``
    bottom-up visits them in the file system's order).
    """
    if topdown:
        return _walk_topdown(root, onerror, followlinks, include_temp)
    return _walk_bottomup(root, onerror, followlinks, include_temp)


def _walk_topdown(
    root: Any, onerror: Callable[[OSError], object] | None, followlinks: bool, include_temp: bool
) -> Iterator[Any]:
    for dirpath, dirnames, filenames in os.walk(root, topdown=True, onerror=onerror, followlinks=followlinks):
        # In place: os.walk descends into this same list object after the caller has seen it,
        # so the caller's pruning (``dirnames[:] = ...``) keeps working.
        dirnames[:] = sorted(name for name in dirnames if include_temp or not is_temp_artifact_name(name))
        filenames[:] = sorted(name for name in filenames if include_temp or not is_temp_artifact_name(name))
        yield dirpath, dirnames, filenames


def _walk_bottomup(
    root: Any, onerror: Callable[[OSError], object] | None, followlinks: bool, include_temp: bool
) -> Iterator[Any]:
    # os.walk(topdown=False) recurses in the order os.scandir returns entries. Walk top-down in
    # sorted order instead and hold each directory back until its subtree is done: only the
    # chain of ancestors of the current directory is held at any time.
    pending: list[tuple[Any, set[Any]]] = []  # (entry, paths of its subdirectories)
    for entry in _walk_topdown(root, onerror, followlinks, include_temp):
        dirpath, dirnames, _filenames = entry
        while pending and dirpath not in pending[-1][1]:
            yield pending.pop()[0]
        pending.append((entry, {os.path.join(dirpath, name) for name in dirnames}))
    while pending:
        yield pending.pop()[0]
