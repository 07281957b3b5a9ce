"""Atomic, durable file writes.

Every writer here follows the same protocol:

1. create a temporary file with a unique name (see ``_tempnames``) in the directory of the
   *real* target (symbolic links resolved), so that the final rename never crosses a file system;
2. write, flush and ``fsync`` it;
3. give it the permission bits the target has (or what ``open()`` would create);
4. ``os.replace`` it over the target (for ``"x"`` modes: link it without replacing);
5. ``fsync`` the directory so that the rename itself survives a power loss.

On any failure before step 4 the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import codecs
import errno
import io
import logging
import os
import stat
import sys
import threading
from contextlib import contextmanager
from pathlib import PurePath
from types import TracebackType
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Callable,
    Iterator,
    Literal,
    NamedTuple,
    TextIO,
    TypeVar,
    Union,
    overload,
)

from ._canonical import canonical_json
from ._tempnames import make_temp_name

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    if sys.version_info >= (3, 12):
        from collections.abc import Buffer
    else:
        from typing_extensions import Buffer

if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
    import fcntl as _fcntl

    # On macOS fsync() only reaches the drive's cache; F_FULLFSYNC asks the drive to flush it.
    _FULLFSYNC: int | None = getattr(_fcntl, "F_FULLFSYNC", None)
else:
    try:
        import fcntl as _fcntl
    except ImportError:  # pragma: no cover - Windows
        # A module or None: the checker types the name from the import alone.
        _fcntl = None  # type: ignore[assignment]
    _FULLFSYNC = None

_LOG = logging.getLogger("determinism_lint.runtime")

StrOrBytesPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
_PathT = TypeVar("_PathT", bound=PurePath)

# Windows cannot open a directory to fsync it; neither can platforms without O_DIRECTORY.
_CAN_FSYNC_DIRECTORY = os.name != "nt" and hasattr(os, "O_DIRECTORY")
# Errors meaning "this file system cannot sync a directory" rather than "the sync failed".
_DIR_FSYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)})
# Errors of os.link meaning "no hard links here"; "x" modes then fall back to check + replace.
_LINK_UNSUPPORTED = frozenset(
    {errno.EPERM, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP), errno.ENOSYS, errno.EXDEV}
)
_VALID_NEWLINES = (None, "", "\n", "\r", "\r\n")
_NEW_NAME_ATTEMPTS = 100

_umask_lock = threading.Lock()
_proc_status_usable = sys.platform.startswith("linux")


# --------------------------------------------------------------------------------------------
# low-level helpers


def _current_umask() -> int:
    """Return the process umask without changing it where the platform allows that.

    ``os.umask`` can only be read by setting it, and a set/restore pair races with other threads
    creating files. Linux (4.7+) reports the umask in ``/proc/self/status``; elsewhere the
    set/restore pair runs under a lock so that at least this module's own writers never see
    the temporary value.
    """
    global _proc_status_usable
    if _proc_status_usable:
        try:
            with open("/proc/self/status", encoding="ascii", errors="replace") as status:
                lines = status.read().splitlines()
        except OSError:
            _LOG.debug("cannot read /proc/self/status; reading the umask with os.umask", exc_info=True)
            _proc_status_usable = False
        else:
            for line in lines:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
            # Kernels before 4.7 have no "Umask:" line.
            _proc_status_usable = False
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _new_file_mode() -> int:
    """Permission bits ``open()`` gives a new file."""
    return 0o666 & ~_current_umask()


def _fsync_fd(fd: int) -> None:
    if _FULLFSYNC is not None and _fcntl is not None:
        try:
            _fcntl.fcntl(fd, _FULLFSYNC)
        except OSError:
            # Some file systems (network, FUSE) reject F_FULLFSYNC; a plain fsync is the best
            # they offer.
            _LOG.debug("F_FULLFSYNC failed; using fsync", exc_info=True)
        else:
            return
    os.fsync(fd)


def _fsync_path(path: str | bytes) -> None:
    """fsync a file that is not open here (written by someone else's code)."""
    # Windows only flushes handles opened for writing; POSIX fsync works on a read-only fd.
    flags = os.O_RDWR | getattr(os, "O_BINARY", 0) if os.name == "nt" else os.O_RDONLY
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        _fsync_fd(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str | bytes) -> None:
    """Make a rename in ``directory`` durable (no-op where directories can't be synced)."""
    if not _CAN_FSYNC_DIRECTORY:
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        _fsync_fd(fd)
    except OSError as exc:
        if exc.errno not in _DIR_FSYNC_UNSUPPORTED:
            raise
        # The rename has happened; this file system simply offers no way to persist it sooner.
        _LOG.debug("file system cannot fsync directory %r", directory, exc_info=True)
    finally:
        os.close(fd)


def _mark_live(fd: int) -> None:
    """Hold a shared ``flock`` on a temporary file while it is written.

    The kernel drops the lock when the writer closes the file or dies, even by ``SIGKILL``:
    :func:`remove_stale_temp_files` never removes a file whose lock is still held.
    """
    if _fcntl is None or not hasattr(_fcntl, "flock"):
        return
    try:
        _fcntl.flock(fd, _fcntl.LOCK_SH | _fcntl.LOCK_NB)
    except OSError:
        # No locks on this file system (some network mounts): age alone protects the file.
        _LOG.debug("cannot lock temporary file descriptor %d", fd, exc_info=True)


def _remove_quietly(path: str | bytes) -> None:
    """Remove a temporary file during cleanup without masking the error being handled."""
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return  # already gone (never created, or moved into place)
        # The caller is already propagating the real error; a leftover temp file is worth a
        # warning (listing helpers skip it) but must not replace that error.
        _LOG.warning("could not remove temporary file %r; remove it by hand", path, exc_info=True)


def _remove_tree_quietly(path: str | bytes) -> None:
    import shutil  # only needed on this rare failure path

    try:
        shutil.rmtree(path)
    except OSError:
        _LOG.warning("could not remove temporary directory %r; remove it by hand", path, exc_info=True)


def _error_for(exc: OSError, path: str | bytes, why: str = "") -> OSError:
    """Re-create ``exc`` naming the user's target instead of the temporary file (or nothing).

    The errno (and so the subclass: ``PermissionError``, ``FileNotFoundError``, ...) is kept;
    ``why`` adds what the plain error message would not tell, such as which directory refused.
    Callers chain the original with ``raise ... from exc``.
    """
    strerror = exc.strerror or os.strerror(exc.errno or 0)
    return OSError(exc.errno, f"{strerror} ({why})" if why else strerror, path)


def _names_target(exc: OSError, target: _Target) -> bool:
    return exc.filename in (target.fspath, target.real) and exc.filename2 is None


#: Errors of writing data that carry no file name; raised inside an ``atomic_open`` block, they
#: come from the block's writes to the temporary file.
_WRITE_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG, errno.EIO) if code is not None
)


def _write_error(exc: BaseException, target: _Target, *, in_block: bool = False) -> OSError | None:
    """``exc`` re-created naming ``target`` when it is an error of this write, else None.

    Errors of the helpers' own steps (flush, fsync, chmod, rename) always are. Of the errors
    raised inside the caller's ``with`` block, only those that name no file and are what a
    write of data fails with: an error naming another file belongs to the caller's code.
    """
    if not isinstance(exc, OSError) or exc.errno is None or _names_target(exc, target):
        return None
    if in_block and (exc.filename is not None or exc.errno not in _WRITE_ERRNOS):
        return None
    why = ""
    if exc.errno in (errno.EPERM, errno.EACCES) and exc.filename2 is not None and _is_sticky(target.directory):
        why = (
            f"the directory {os.fsdecode(target.directory)!r} is sticky: only the owner of the file (or of the"
            " directory) can replace it"
        )
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and exc.filename not in (None, target.real):
        why = f"cannot create or rename files in the directory {os.fsdecode(target.directory)!r}"
    return _error_for(exc, target.fspath, why)


def _is_sticky(directory: str | bytes) -> bool:
    try:
        return bool(os.stat(directory).st_mode & stat.S_ISVTX)
    except OSError:
        return False


def _os_error(code: int, path: str | bytes) -> OSError:
    return OSError(code, os.strerror(code), path)


class _Target(NamedTuple):
    fspath: str | bytes  # the path as given, for error messages
    real: str | bytes  # absolute path with symbolic links resolved: what gets replaced
    directory: str | bytes  # directory of ``real``: where the temporary file goes
    special: bool  # an existing device, FIFO or socket: written in place, nothing to replace


def _fspath(path: StrOrBytesPath) -> str | bytes:
    if isinstance(path, int) or not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"expected a str, bytes or os.PathLike path, not {type(path).__name__}")
    return os.fspath(path)


def _is_writable(path: str | bytes) -> bool:
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _prepare_target(path: StrOrBytesPath, *, exclusive: bool) -> _Target:
    """Check ``path`` the way ``open()`` would, and find where the temporary file goes."""
    fspath = _fspath(path)
    if not fspath:
        # os.path.realpath("") is the current directory: never write next to it.
        raise _os_error(errno.ENOENT, fspath)
    seps = tuple(sep for sep in (os.sep, os.altsep) if sep)
    if isinstance(fspath, bytes):
        ends_with_sep = fspath.endswith(tuple(os.fsencode(sep) for sep in seps))
    else:
        ends_with_sep = fspath.endswith(seps)
    if ends_with_sep:
        # "dir/name/" names a directory; realpath would drop the slash and write "dir/name".
        raise _os_error(errno.EISDIR, fspath)
    if exclusive and os.path.lexists(fspath):
        raise _os_error(errno.EEXIST, fspath)
    try:
        st: os.stat_result | None = os.stat(fspath)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise _os_error(errno.EISDIR, fspath)
        if not stat.S_ISREG(st.st_mode):
            return _Target(fspath, fspath, os.path.dirname(fspath), special=True)
        if not _is_writable(fspath):
            if _on_read_only_file_system(fspath):
                raise _os_error(errno.EROFS, fspath)
            # open() would refuse; replacing the file behind its read-only bits must not succeed.
            raise _os_error(errno.EACCES, fspath)
    real = os.path.realpath(fspath)
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise _os_error(errno.ENOTDIR if os.path.exists(directory) else errno.ENOENT, fspath)
    if st is not None:
        _check_replaceable(fspath, st, directory)
    return _Target(fspath, real, directory, special=False)


def _on_read_only_file_system(path: str | bytes) -> bool:
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return False
    try:
        return bool(statvfs(path).f_flag & getattr(os, "ST_RDONLY", 1))
    except OSError:
        return False


def _check_replaceable(fspath: str | bytes, st: os.stat_result, directory: str | bytes) -> None:
    """Refuse before writing when a sticky directory will not let this process replace the file.

    In a sticky directory (``/tmp``, shared upload folders) only the owner of a file, the owner
    of the directory or a privileged process may rename over it, even when the file itself is
    writable; finding that out at the rename would waste the whole write.
    """
    if not hasattr(os, "geteuid"):
        return
    euid = os.geteuid()
    if euid == 0 or st.st_uid == euid:
        return
    try:
        dir_st = os.stat(directory)
    except OSError:
        return
    if dir_st.st_mode & stat.S_ISVTX and dir_st.st_uid != euid:
        raise OSError(
            errno.EPERM,
            f"{os.strerror(errno.EPERM)} (the directory {os.fsdecode(directory)!r} is sticky: only the owner"
            " of the file (or of the directory) can replace it)",
            fspath,
        )


def _temp_path_in(target: _Target) -> str | bytes:
    name = make_temp_name(os.fsdecode(os.path.basename(target.real)))
    if isinstance(target.real, bytes):
        return os.path.join(target.directory, os.fsencode(name))  # type: ignore[arg-type]
    return os.path.join(target.directory, name)  # type: ignore[arg-type]


def _apply_mode(target: _Target, *, fd: int | None, path: str | bytes, keep_new: bool = False) -> None:
    """Give the temporary file the target's permission bits, or those of a new ``open()``.

    Read at commit time, so a ``chmod`` of the target during the write is honoured. With
    ``keep_new`` a new target keeps the mode the temporary file already has.
    """
    try:
        old = os.stat(target.real)
    except FileNotFoundError:
        if keep_new:
            return
        mode = _new_file_mode()
    else:
        mode = stat.S_IMODE(old.st_mode)
        if mode & (stat.S_ISUID | stat.S_ISGID):
            # Set-user-ID and set-group-ID grant the file's owner or group: the new file belongs
            # to the writer, so the bit is kept only where that identity is the same as before.
            new = os.fstat(fd) if fd is not None else os.stat(path)
            if new.st_uid != old.st_uid:
                mode &= ~stat.S_ISUID
            if new.st_gid != old.st_gid:
                mode &= ~stat.S_ISGID
    if fd is not None and hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:
        os.chmod(path, mode)


def _commit(temp: str | bytes, target: _Target, *, exclusive: bool) -> None:
    """Move the finished, synced temporary file into place."""
    if not exclusive:
        os.replace(temp, target.real)
    elif os.name == "nt":
        # Windows' rename fails when the destination exists: an atomic "create, don't replace".
        try:
            os.rename(temp, target.real)
        except FileExistsError as exc:
            raise _os_error(errno.EEXIST, target.fspath) from exc
    else:
        _link_exclusive(temp, target)
    _fsync_directory(target.directory)


def _link_exclusive(temp: str | bytes, target: _Target) -> None:
    # POSIX rename always replaces; link() fails if the name exists, atomically.
    try:
        os.link(temp, target.real)
    except FileExistsError as exc:
        raise _os_error(errno.EEXIST, target.fspath) from exc
    except OSError as exc:
        if exc.errno not in _LINK_UNSUPPORTED:
            raise
        # No hard links on this file system (FAT, some network shares): check, then replace.
        # A writer creating the target in between is not detected here.
        if os.path.lexists(target.real):
            raise _os_error(errno.EEXIST, target.fspath) from exc
        os.replace(temp, target.real)
        return
    os.unlink(temp)


# --------------------------------------------------------------------------------------------
# atomic_open


class _Mode(NamedTuple):
    exclusive: bool
    binary: bool
    open_mode: str  # what the temporary file is opened with


def _parse_mode(mode: str) -> _Mode:
    if not isinstance(mode, str):
        raise TypeError(f"mode must be str, not {type(mode).__name__}")
    chars = set(mode)
    if "a" in chars or "r" in chars:
        raise ValueError(
            f"atomic_open writes a complete new file and cannot use mode {mode!r}: "
            "use one of 'w', 'wb', 'w+', 'w+b', 'x', 'xb' (with optional 't'); "
            "read or append with open()"
        )
    if len(chars) != len(mode) or not chars <= set("wxbt+") or ("w" in chars) == ("x" in chars):
        raise ValueError(f"invalid mode for atomic_open: {mode!r}")
    if "b" in chars and "t" in chars:
        raise ValueError("can't have text and binary mode at once")
    binary = "b" in chars
    open_mode = "w" + ("b" if binary else "") + ("+" if "+" in chars else "")
    return _Mode(exclusive="x" in chars, binary=binary, open_mode=open_mode)


def _resolve_encoding(encoding: str | None, stacklevel: int) -> str | None:
    """Pick the encoding ``open()`` would use, warning like ``open()`` under -X warn_default_encoding."""
    text_encoding: Callable[[str | None, int], str] | None = getattr(io, "text_encoding", None)  # Python 3.10+
    if text_encoding is None:
        # Python 3.9: open() with encoding=None uses the locale encoding; so will our open().
        return encoding
    return text_encoding(encoding, stacklevel + 1)


def _report_target_name(handle: IO[Any], path: StrOrBytesPath) -> None:
    """``handle.name`` is ``path`` as given, as with ``open(path)``: code that hands the file
    object on (``load(config_file=f)``) or checks ``f.name`` sees the target, which exists
    under that name once the block has ended. Only the raw file's ``name`` is settable."""
    raw: Any = getattr(getattr(handle, "buffer", handle), "raw", handle)  # io.FileIO, normally
    try:
        raw.name = path
    except (AttributeError, TypeError):  # pragma: no cover - every ``open()`` result allows it
        pass


class _AtomicOpen:
    """Context manager behind :func:`atomic_open`."""

    def __init__(
        self,
        path: StrOrBytesPath,
        mode: str,
        encoding: str | None,
        errors: str | None,
        newline: str | None,
        stacklevel: int,
    ) -> None:
        self._path = path
        self._mode = _parse_mode(mode)
        _fspath(path)  # reject file descriptors and other non-paths now, like open() does
        if self._mode.binary:
            for what, value in (("an encoding", encoding), ("an errors", errors), ("a newline", newline)):
                if value is not None:
                    raise ValueError(f"binary mode doesn't take {what} argument")
        else:
            # Validate now: open() would create the temporary file before complaining.
            if encoding is not None and encoding != "locale":
                codecs.lookup(encoding)
            if newline not in _VALID_NEWLINES:
                raise ValueError(f"illegal newline value: {newline!r}")
            encoding = _resolve_encoding(encoding, stacklevel + 1)
        self._encoding = encoding
        self._errors = errors
        self._newline = newline
        self._file: IO[Any] | None = None
        self._target: _Target | None = None
        self._temp: str | bytes | None = None
        self._entered = False

    def __enter__(self) -> IO[Any]:
        if self._entered:
            raise RuntimeError("an atomic_open() context can be entered only once")
        self._entered = True
        target = _prepare_target(self._path, exclusive=self._mode.exclusive)
        self._target = target
        if target.special:
            # A device, FIFO or socket has no content to replace: write to it like open() does.
            self._file = open(
                target.fspath,
                self._mode.open_mode,
                encoding=self._encoding,
                errors=self._errors,
                newline=self._newline,
            )
            return self._file
        self._file = self._open_temp(target)
        return self._file

    def _open_temp(self, target: _Target) -> IO[Any]:
        for _attempt in range(_NEW_NAME_ATTEMPTS):
            temp = _temp_path_in(target)
            created = False

            def opener(path: str | bytes, flags: int) -> int:
                nonlocal created
                # O_EXCL: never reuse (or follow a symlink planted at) an existing name. 0o600
                # until commit, when the final permission bits are applied.
                fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
                created = True
                _mark_live(fd)
                return fd

            try:
                handle = open(
                    temp,
                    self._mode.open_mode,
                    encoding=self._encoding,
                    errors=self._errors,
                    newline=self._newline,
                    opener=opener,
                )
            except FileExistsError:
                continue  # someone else's temporary file has this name: draw another
            except BaseException as exc:
                if created:
                    _remove_quietly(temp)
                if isinstance(exc, OSError) and exc.errno is not None:
                    why = ""
                    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                        why = (
                            f"cannot create a file in the directory {os.fsdecode(target.directory)!r}:"
                            " an atomic write creates its temporary file there"
                        )
                    raise _error_for(exc, target.fspath, why) from exc
                raise
            self._temp = temp
            _report_target_name(handle, self._path)
            return handle
        raise _os_error(errno.EEXIST, target.fspath)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        handle, target, temp = self._file, self._target, self._temp
        if handle is None or target is None:
            return
        if target.special:
            handle.close()
            return
        assert temp is not None
        if exc_type is not None:
            self._discard(handle, temp)
            assert exc is not None
            named = _write_error(exc, target, in_block=True)
            if named is not None:
                raise named from exc
            return
        try:
            if handle.closed:
                # The caller closed the file early: sync it by name.
                _apply_mode(target, fd=None, path=temp)
                _fsync_path(temp)
            else:
                handle.flush()
                _apply_mode(target, fd=handle.fileno(), path=temp)
                _fsync_fd(handle.fileno())
                handle.close()
            _commit(temp, target, exclusive=self._mode.exclusive)
        except BaseException as failure:
            self._discard(handle, temp)
            named = _write_error(failure, target)
            if named is not None:
                raise named from failure
            raise

    @staticmethod
    def _discard(handle: IO[Any], temp: str | bytes) -> None:
        try:
            handle.close()
        except (OSError, ValueError):
            # Closing flushes buffered data into a file that is being thrown away; the error
            # the caller is propagating is the one that matters.
            _LOG.debug("error while closing discarded temporary file %r", temp, exc_info=True)
        _remove_quietly(temp)


_TextMode = Literal["w", "wt", "tw", "w+", "w+t", "wt+", "x", "xt", "tx", "x+", "x+t", "xt+"]
_BinaryMode = Literal["wb", "bw", "wb+", "w+b", "xb", "bx", "xb+", "x+b"]


@overload
def atomic_open(
    path: StrOrBytesPath,
    mode: _TextMode = ...,
    *,
    encoding: str | None = ...,
    errors: str | None = ...,
    newline: str | None = ...,
) -> AbstractContextManager[TextIO]: ...


@overload
def atomic_open(
    path: StrOrBytesPath,
    mode: _BinaryMode,
    *,
    encoding: None = ...,
    errors: None = ...,
    newline: None = ...,
) -> AbstractContextManager[BinaryIO]: ...


@overload
def atomic_open(
    path: StrOrBytesPath,
    mode: str,
    *,
    encoding: str | None = ...,
    errors: str | None = ...,
    newline: str | None = ...,
) -> AbstractContextManager[IO[Any]]: ...


def atomic_open(
    path: StrOrBytesPath,
    mode: str = "w",
    *,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
) -> AbstractContextManager[IO[Any]]:
    """Open ``path`` for writing; the file appears complete or not at all.

    Use it as a context manager in place of ``open()``::

        with atomic_open("result.json", "w", encoding="utf-8") as f:
            json.dump(result, f)

    The ``with`` block writes into a temporary file next to the target (named
    ``.tmp-<random>.<name>``). When the block ends normally the file is flushed, ``fsync``-ed,
    given the target's permission bits (or ``0o666 & ~umask`` for a new file, like ``open()``),
    renamed over ``path`` with :func:`os.replace`, and the directory is ``fsync``-ed. When the
    block raises, the temporary file is removed, ``path`` is untouched and the exception
    propagates. Readers see the old content or the new one, never a mix; two writers at once each
    produce a complete file and the last rename wins.

    Modes: ``"w"``, ``"wt"``, ``"wb"``, ``"w+"``, ``"w+b"``/``"wb+"``, and the exclusive
    ``"x"``, ``"xt"``, ``"xb"`` (``FileExistsError`` if ``path`` exists when the block starts or
    when the file is committed). Read and append modes raise ``ValueError``.

    Text mode uses exactly the encoding, ``errors`` and ``newline`` handling ``open()`` uses,
    including its default encoding (the locale's, or UTF-8 in UTF-8 mode), so replacing
    ``open`` by ``atomic_open`` writes the same bytes.

    A symbolic link is kept: the file it points to is replaced. Existing character/block
    devices, FIFOs and sockets (``/dev/null``) are written in place, as ``open()`` would.
    ``f.name`` is ``path`` as given, as with ``open()``; the new content is there under that
    name once the block has ended.

    Raises what ``open()`` raises for the same path (``FileNotFoundError`` for a missing
    directory, ``IsADirectoryError``, ``PermissionError`` for a read-only target), naming
    ``path``.
    """
    return _AtomicOpen(path, mode, encoding, errors, newline, stacklevel=2)


# --------------------------------------------------------------------------------------------
# atomic_path


@overload
def atomic_path(path: str) -> AbstractContextManager[str]: ...


@overload
def atomic_path(path: bytes) -> AbstractContextManager[bytes]: ...


@overload
def atomic_path(path: _PathT) -> AbstractContextManager[_PathT]: ...


# A path-like typed only as such may still be a PurePath at run time, which gives a PurePath.
@overload
def atomic_path(path: os.PathLike[str]) -> AbstractContextManager[str | PurePath]: ...


@overload
def atomic_path(path: os.PathLike[bytes]) -> AbstractContextManager[str]: ...


def atomic_path(path: StrOrBytesPath) -> AbstractContextManager[Any]:
    """Give a path-taking writer a temporary path; commit it atomically when the block ends.

    For writers that want a file name rather than a file object::

        with atomic_path(out_dir / "table.parquet") as tmp:
            df.to_parquet(tmp)
        with atomic_path("weights.npy") as tmp:
            numpy.save(tmp, weights)

    The temporary path is in the target's directory, has the same type as ``path`` (``str``,
    ``bytes`` or the same ``PurePath`` class; other path-likes give ``str``) and ends with the
    target's file name, so writers that choose a format or compression from the extension
    behave the same. It does not exist yet when the block starts: the writer creates it.

    On normal exit the file is ``fsync``-ed, given the target's permission bits if the target
    exists (a new target keeps the mode the writer created it with), renamed over ``path`` and the
    directory is ``fsync``-ed. If the writer did not create a regular file at the temporary path
    (for example it appended an extension of its own), ``FileNotFoundError`` /
    ``IsADirectoryError`` explains what happened and ``path`` is untouched. On an exception
    everything the writer created at the temporary path (or at that path plus an extension) is
    removed and the exception propagates.
    """
    return _atomic_path(path)


@contextmanager
def _atomic_path(path: StrOrBytesPath) -> Iterator[Any]:
    target = _prepare_target(path, exclusive=False)
    if target.special:
        # Nothing to replace on a device or FIFO: hand the writer the path itself.
        yield path
        return
    for _attempt in range(_NEW_NAME_ATTEMPTS):
        temp = _temp_path_in(target)
        if not os.path.lexists(temp):
            break
    else:
        raise _os_error(errno.EEXIST, target.fspath)
    try:
        yield _same_path_type(path, temp)
    except BaseException as failure:
        _remove_temp_family(temp)
        # The writer's own errors about the temporary path are errors of writing the target.
        about_temp = isinstance(failure, OSError) and failure.filename is not None and (
            os.fsdecode(failure.filename) == os.fsdecode(temp)
        )
        named = _write_error(failure, target, in_block=not about_temp)
        if named is not None:
            raise named from failure
        raise
    try:
        _check_writer_output(temp)
        _apply_mode(target, fd=None, path=temp, keep_new=True)
        _fsync_path(temp)
        _commit(temp, target, exclusive=False)
    except BaseException as failure:
        _remove_temp_family(temp)
        if isinstance(failure, OSError) and failure.strerror and failure.strerror.startswith("atomic_path:"):
            raise  # already explains what the writer did, naming what it created
        named = _write_error(failure, target)
        if named is not None:
            raise named from failure
        raise


def _same_path_type(original: StrOrBytesPath, temp: str | bytes) -> Any:
    if isinstance(original, PurePath):
        return type(original)(os.fsdecode(temp))
    if isinstance(original, bytes):
        return os.fsencode(temp)
    return os.fsdecode(temp)


def _appended_names(temp: str | bytes) -> list[str | bytes]:
    """Names a writer created by appending an extension to ``temp`` (``numpy.save`` does)."""
    directory, base = os.path.split(temp)
    dot = "." if isinstance(base, str) else b"."
    prefix = base + dot  # type: ignore[operator]
    return sorted(name for name in os.listdir(directory) if name.startswith(prefix))  # type: ignore[arg-type]


def _check_writer_output(temp: str | bytes) -> None:
    try:
        st = os.lstat(temp)
    except FileNotFoundError as exc:
        appended = _appended_names(temp)
        message = "atomic_path: the writer did not create the temporary file, so nothing was written"
        if appended:
            message += (
                f"; it created {os.fsdecode(appended[0])!r} instead (it appends an extension): "
                "give the target a name that already ends with that extension"
            )
        raise FileNotFoundError(errno.ENOENT, message, temp) from exc
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(
            errno.EISDIR, "atomic_path: the writer created a directory; only single files can be committed", temp
        )
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "atomic_path: the writer did not create a regular file", temp)


def _remove_temp_family(temp: str | bytes) -> None:
    """Remove ``temp`` and ``temp`` + extension, whatever the writer left there."""
    directory = os.path.dirname(temp)
    appended = [os.path.join(directory, name) for name in _appended_names(temp)]  # type: ignore[arg-type]
    for path in [temp, *appended]:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode):
            _remove_tree_quietly(path)
        else:
            _remove_quietly(path)


# --------------------------------------------------------------------------------------------
# one-shot writers


def write_atomic_bytes(path: StrOrBytesPath, data: Buffer) -> int:
    """Atomically replace ``path`` with ``data``, like ``Path.write_bytes`` but crash-safe.

    Accepts any bytes-like object. Returns the number of bytes written.
    """
    view = memoryview(data)
    with atomic_open(path, "wb") as handle:
        return handle.write(view)


def write_atomic_text(
    path: StrOrBytesPath,
    text: str,
    *,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
) -> int:
    """Atomically replace ``path`` with ``text``, like ``Path.write_text`` but crash-safe.

    Encodes exactly as ``Path.write_text`` / ``open()`` would (default: the locale encoding, or
    UTF-8 in UTF-8 mode; ``newline=None`` translates ``"\\n"`` to ``os.linesep``). Returns the
    number of characters written.
    """
    if not isinstance(text, str):
        raise TypeError(f"data must be str, not {type(text).__name__}")
    encoding = _resolve_encoding(encoding, stacklevel=2)
    with _AtomicOpen(path, "w", encoding, errors, newline, stacklevel=2) as handle:
        return handle.write(text)


def write_atomic_json(
    path: StrOrBytesPath,
    obj: Any,
    *,
    indent: int | str | None = 2,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """Atomically write ``canonical_json(obj, indent=indent, default=default)`` as UTF-8.

    The bytes depend only on the data (see :func:`canonical_json`) and are the same on every
    platform: no newline translation happens. The data is serialized before the file is touched,
    so an unserializable object leaves the target as it was.
    """
    data = canonical_json(obj, indent=indent, default=default).encode("utf-8")
    write_atomic_bytes(path, data)


def write_atomic_yaml(path: StrOrBytesPath, obj: Any) -> None:
    """Atomically write ``obj`` as YAML (UTF-8, keys sorted, block style).

    Uses ``yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True)``;
    PyYAML is imported on the first call only, so the rest of this package works without it.
    """
    try:
        import yaml
    except ImportError as exc:
        raise ImportError("write_atomic_yaml needs PyYAML: pip install pyyaml") from exc
    text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True)
    write_atomic_bytes(path, text.encode("utf-8"))
