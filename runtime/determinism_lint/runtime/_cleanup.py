"""Removing the temporary files that killed writers left behind.

A writer killed in the middle of an atomic write (``SIGKILL``, the OOM killer, a power loss)
cannot remove its temporary file. Such files are harmless (never renamed over a target, skipped
by the listing helpers) but take space; :func:`remove_stale_temp_files` removes them.

A temporary file is *stale*, and removed, when all of these hold:

* its name is one of this package's own temporary names (``.tmp-<16 hex digits>.<name>``);
  names that merely end in ``.tmp`` or ``.partial`` belong to other tools and are left alone;
* it is a regular file (not a directory, not a symbolic link);
* it was last modified (or had its metadata changed) at least ``older_than`` seconds ago;
* no live writer holds it: the atomic writers keep a shared ``flock`` on their temporary file
  while they write it, and the kernel drops that lock when the writer closes it or dies. A
  file whose lock cannot be taken is in use and is kept, however old.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from typing import AnyStr, Union, overload

from ._tempnames import is_own_temp_name

try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    # A module or None: the checker types the name from the import alone.
    _fcntl = None  # type: ignore[assignment]

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

#: The default age: far longer than any single write should take.
DEFAULT_STALE_AGE = 3600.0


@overload
def remove_stale_temp_files(
    directory: Union[str, "os.PathLike[str]"], *, older_than: float = ..., recursive: bool = ...
) -> list[str]: ...


@overload
def remove_stale_temp_files(
    directory: Union[bytes, "os.PathLike[bytes]"], *, older_than: float = ..., recursive: bool = ...
) -> list[bytes]: ...


def remove_stale_temp_files(
    directory: PathArg, *, older_than: float = DEFAULT_STALE_AGE, recursive: bool = False
) -> Union[list[str], list[bytes]]:
    """Remove the atomic writers' temporary files in ``directory`` that no writer is using.

    A file is removed when its name is one of this package's temporary names, it is a regular
    file, it has not been modified for ``older_than`` seconds (default: one hour) and no writer
    holds the lock the atomic writers keep on their temporary file while they write it (on
    systems with ``flock``; elsewhere, and for files this process cannot open, age alone
    decides). With ``recursive=True`` subdirectories are cleaned too (symbolic links to
    directories are not followed).

    Returns the removed paths, sorted (``bytes`` for a ``bytes`` directory, else ``str``).
    Files that vanish or cannot be removed meanwhile are skipped; a ``directory`` that cannot
    be listed raises ``OSError``.
    """
    if older_than < 0:
        raise ValueError("older_than must be 0 or more seconds")
    root = os.fspath(directory)
    if isinstance(root, bytes):  # the same call twice: each one has a single path type
        return _remove_stale_below(root, older_than, recursive)
    return _remove_stale_below(root, older_than, recursive)


def _remove_stale_below(root: AnyStr, older_than: float, recursive: bool) -> list[AnyStr]:
    removed: list[AnyStr] = []
    now = time.time()
    pending = [root]
    while pending:
        current = pending.pop()
        with os.scandir(current) as entries:
            children = sorted(entries, key=lambda entry: os.fsencode(entry.name))
        for entry in children:
            if recursive and entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif is_own_temp_name(entry.name) and _remove_if_stale(entry.path, now - older_than):
                removed.append(entry.path)
    return sorted(removed, key=os.fsencode)


def _remove_if_stale(path: Union[str, bytes], cutoff: float) -> bool:
    try:
        before = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(before.st_mode) or max(before.st_mtime, before.st_ctime) > cutoff:
        return False
    fd = _open_for_lock(path)
    try:
        if fd is not None:
            now = os.fstat(fd)
            if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
                return False  # the name was reused meanwhile
            if _fcntl is not None and hasattr(_fcntl, "flock"):
                try:
                    _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                except BlockingIOError:
                    return False  # a live writer holds it
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EACCES):
                        return False
                    # No locks on this file system: age alone decides.
        try:
            after = os.lstat(path)
        except OSError:
            return False
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            return False
        try:
            os.unlink(path)
        except OSError:
            return False
        return True
    finally:
        if fd is not None:
            os.close(fd)


def _open_for_lock(path: Union[str, bytes]) -> Union[int, None]:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except OSError:
        return None  # not ours to open (another user's 0600 temporary file): age decides
