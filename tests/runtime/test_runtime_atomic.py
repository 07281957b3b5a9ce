"""atomic_open, atomic_path and the write_atomic_* helpers: one test (at least) per promise."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from determinism_lint.runtime import (
    atomic_open,
    atomic_path,
    canonical_json,
    is_temp_artifact_name,
    write_atomic_bytes,
    write_atomic_json,
    write_atomic_text,
    write_atomic_yaml,
)
from determinism_lint.runtime import _atomic, _tempnames

REPO = Path(__file__).resolve().parents[2]
POSIX = os.name == "posix"


def names_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def temp_leftovers(directory: Path) -> list[str]:
    return [name for name in names_in(directory) if is_temp_artifact_name(name)]


def run_python(code: str, *args: str, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()) -> str:
    """Run ``code`` in a fresh interpreter that can import the package from the checkout."""
    prelude = f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
    result = subprocess.run(
        [sys.executable, *flags, "-c", prelude + code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------------------- basic behaviour


def test_text_write_creates_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_open(target, "w", encoding="utf-8") as handle:
        handle.write("hello\n")
        assert not target.exists(), "the target must not appear before the block ends"
    assert target.read_text(encoding="utf-8") == "hello\n"
    assert names_in(tmp_path) == ["out.txt"]


def test_replaces_existing_content_completely(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"x" * 1000)
    with atomic_open(target, "wb") as handle:
        handle.write(b"short")
    assert target.read_bytes() == b"short"


@pytest.mark.parametrize("mode", ["w", "wt", "w+", "w+t", "x", "xt", "x+"])
def test_text_modes(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "t.txt"
    with atomic_open(target, mode, encoding="utf-8") as handle:
        handle.write("abc")
        if "+" in mode:
            handle.seek(0)
            assert handle.read() == "abc"
    assert target.read_text(encoding="utf-8") == "abc"


@pytest.mark.parametrize("mode", ["wb", "wb+", "w+b", "xb", "xb+"])
def test_binary_modes(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "t.bin"
    with atomic_open(target, mode) as handle:
        handle.write(b"\x00\x01")
        if "+" in mode:
            handle.seek(0)
            assert handle.read() == b"\x00\x01"
    assert target.read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("mode", ["a", "ab", "a+", "r", "rb", "r+", "r+b", "wa"])
def test_read_and_append_modes_are_rejected(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ValueError, match="read or append with open"):
        atomic_open(tmp_path / "t", mode)
    assert names_in(tmp_path) == []


@pytest.mark.parametrize("mode", ["", "q", "ww", "wx", "wbt", "b", "w b"])
def test_invalid_modes_are_rejected(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ValueError):
        atomic_open(tmp_path / "t", mode)


def test_binary_mode_rejects_text_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="encoding"):
        atomic_open(tmp_path / "t", "wb", encoding="utf-8")
    with pytest.raises(ValueError, match="newline"):
        atomic_open(tmp_path / "t", "wb", newline="")


def test_bad_encoding_and_newline_fail_before_anything_is_created(tmp_path: Path) -> None:
    with pytest.raises(LookupError):
        atomic_open(tmp_path / "t", "w", encoding="no-such-codec")
    with pytest.raises(ValueError, match="illegal newline"):
        atomic_open(tmp_path / "t", "w", newline="\n\n")
    assert names_in(tmp_path) == []


def test_file_descriptor_is_not_a_path() -> None:
    with pytest.raises(TypeError):
        atomic_open(1, "w")  # type: ignore[call-overload]


def test_context_can_be_entered_once(tmp_path: Path) -> None:
    context = atomic_open(tmp_path / "t", "w", encoding="utf-8")
    with context as handle:
        handle.write("a")
    with pytest.raises(RuntimeError):
        context.__enter__()


def test_closing_inside_block_still_commits(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    with atomic_open(target, "w", encoding="utf-8") as handle:
        handle.write("closed early")
        handle.close()
    assert target.read_text(encoding="utf-8") == "closed early"
    assert temp_leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", [str, bytes, Path])
def test_accepts_str_bytes_and_path(tmp_path: Path, kind: type) -> None:
    target = tmp_path / "t.txt"
    path = os.fsencode(target) if kind is bytes else kind(target)
    with atomic_open(path, "w", encoding="utf-8") as handle:
        handle.write(kind.__name__)
    assert target.read_text(encoding="utf-8") == kind.__name__


# --------------------------------------------------------------- same bytes as open()


@pytest.mark.parametrize("newline", [None, "", "\n", "\r", "\r\n"])
@pytest.mark.parametrize(
    ("encoding", "errors"),
    [("utf-8", None), ("latin-1", "replace"), ("utf-16", None), ("ascii", "backslashreplace")],
)
def test_text_bytes_match_open(tmp_path: Path, newline: str | None, encoding: str, errors: str | None) -> None:
    text = "line one\nline two\r\nthird\rcafé ☕ €\n"
    with open(tmp_path / "plain", "w", encoding=encoding, errors=errors, newline=newline) as handle:
        handle.write(text)
    with atomic_open(tmp_path / "atomic", "w", encoding=encoding, errors=errors, newline=newline) as handle:
        handle.write(text)
    assert (tmp_path / "atomic").read_bytes() == (tmp_path / "plain").read_bytes()


@pytest.mark.parametrize("utf8_mode", ["0", "1"])
def test_default_encoding_matches_open(tmp_path: Path, utf8_mode: str) -> None:
    # A C locale without UTF-8 mode encodes as ASCII; UTF-8 mode as UTF-8. Either way
    # atomic_open(p, "w") and open(p, "w") must produce the same bytes.
    code = (
        "import sys\n"
        "from determinism_lint.runtime import atomic_open, write_atomic_text\n"
        "text = 'caf\\u00e9\\n'\n"
        "with open(sys.argv[1] + '/plain', 'w', errors='backslashreplace') as f: f.write(text)\n"
        "with atomic_open(sys.argv[1] + '/atomic', 'w', errors='backslashreplace') as f: f.write(text)\n"
        "write_atomic_text(sys.argv[1] + '/helper', text, errors='backslashreplace')\n"
    )
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0")
    env.pop("PYTHONUTF8", None)
    run_python(code, str(tmp_path), env=env, flags=("-X", f"utf8={utf8_mode}"))
    plain = (tmp_path / "plain").read_bytes()
    assert plain == (b"caf\xc3\xa9\n" if utf8_mode == "1" else b"caf\\xe9\n")
    assert (tmp_path / "atomic").read_bytes() == plain
    assert (tmp_path / "helper").read_bytes() == plain


@pytest.mark.skipif(sys.version_info < (3, 10), reason="EncodingWarning is new in Python 3.10")
def test_default_encoding_warning_points_at_caller(tmp_path: Path) -> None:
    script = tmp_path / "caller.py"
    script.write_text(
        "import sys, warnings\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from determinism_lint.runtime import atomic_open, write_atomic_text\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    with atomic_open(sys.argv[1], 'w') as f:\n"  # line 6
        "        f.write('x')\n"
        "    write_atomic_text(sys.argv[1], 'y')\n"  # line 8
        "print([(w.category.__name__, w.lineno, w.filename == __file__) for w in caught])\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-X", "warn_default_encoding", str(script), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('EncodingWarning', 6, True), ('EncodingWarning', 8, True)]"


# ------------------------------------------------------------------ failure leaves target intact


def test_exception_in_block_keeps_old_content_and_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyError):
        with atomic_open(target, "w", encoding="utf-8") as handle:
            handle.write("new")
            raise KeyError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert names_in(tmp_path) == ["t.txt"]


def test_exception_in_block_creates_nothing_for_new_target(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with atomic_open(tmp_path / "new.txt", "w", encoding="utf-8") as handle:
            handle.write("partial")
            raise RuntimeError
    assert names_in(tmp_path) == []


def test_disk_full_at_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as info:
        with atomic_open(target, "wb") as handle:
            handle.write(b"new")
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old"
    assert names_in(tmp_path) == ["t.bin"]


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_real_write_error_file_size_limit(tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes the kernel fail write() with EFBIG part-way through: a real I/O error
    # raised by the file object, not a simulated one.
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    code = (
        "import errno, resource, signal, sys\n"
        "from determinism_lint.runtime import atomic_open\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        "try:\n"
        "    with atomic_open(sys.argv[1], 'wb') as f:\n"
        "        f.write(b'n' * (3 << 20))\n"
        "except OSError as exc:\n"
        "    print(errno.errorcode[exc.errno])\n"
    )
    assert run_python(code, str(target)).strip() == "EFBIG"
    assert target.read_bytes() == b"old"
    assert names_in(tmp_path) == ["t.bin"]


def test_replace_failure_removes_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")

    def denied(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dst)

    monkeypatch.setattr(os, "replace", denied)
    with pytest.raises(PermissionError):
        with atomic_open(target, "w", encoding="utf-8") as handle:
            handle.write("new")
    assert target.read_text(encoding="utf-8") == "old"
    assert names_in(tmp_path) == ["t.txt"]


def test_unwritable_directory_names_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, which ignores permission bits: simulate the kernel's answer.
    real_open = os.open

    def read_only_dir(path: object, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only_dir)
    target = tmp_path / "t.txt"
    with pytest.raises(PermissionError) as info:
        with atomic_open(target, "w", encoding="utf-8"):
            pytest.fail("the block must not run")
    assert info.value.filename == str(target)
    assert names_in(tmp_path) == []


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="root ignores permission bits")
def test_unwritable_directory_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            write_atomic_text(locked / "t.txt", "x", encoding="utf-8")
    finally:
        locked.chmod(0o755)


def test_read_only_target_is_refused_like_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.txt"
    target.write_text("keep", encoding="utf-8")
    target.chmod(0o444)
    if os.access(target, os.W_OK):  # root: simulate what an ordinary user would get
        monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(PermissionError) as info:
        write_atomic_text(target, "new", encoding="utf-8")
    assert info.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "keep"


def test_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "t.txt"
    with pytest.raises(FileNotFoundError) as info:
        with atomic_open(target, "w", encoding="utf-8"):
            pytest.fail("the block must not run")
    assert info.value.filename == str(target)
    assert names_in(tmp_path) == []


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        write_atomic_text(tmp_path / "file" / "t.txt", "x", encoding="utf-8")


def test_target_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError) as info:
        write_atomic_bytes(tmp_path / "d", b"x")
    assert info.value.filename == str(tmp_path / "d")
    with pytest.raises(IsADirectoryError):
        write_atomic_bytes(str(tmp_path / "new") + os.sep, b"x")
    assert names_in(tmp_path) == ["d"]
    assert names_in(tmp_path / "d") == []


def test_empty_path() -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic_bytes("", b"x")


# -------------------------------------------------------------------------- fsync and commit


def test_fsync_file_then_replace_then_fsync_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic_bytes(tmp_path / "t", b"data")
    expected = ["fsync-file", "replace"] + (["fsync-dir"] if _atomic._CAN_FSYNC_DIRECTORY else [])
    assert events == expected


@pytest.mark.skipif(not _atomic._CAN_FSYNC_DIRECTORY, reason="no directory fsync on this platform")
def test_directory_fsync_unsupported_is_tolerated_but_io_errors_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    code = {"value": errno.EINVAL}

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(code["value"], os.strerror(code["value"]))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic_bytes(tmp_path / "t", b"one")
    assert (tmp_path / "t").read_bytes() == b"one"
    code["value"] = errno.EIO
    with pytest.raises(OSError) as info:
        write_atomic_bytes(tmp_path / "t", b"two")
    assert info.value.errno == errno.EIO


def test_full_fsync_is_preferred_when_available(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []

    class FakeFcntl:
        fails = False

        @classmethod
        def fcntl(cls, fd: int, command: int) -> int:
            calls.append(("fcntl", command))
            if cls.fails:
                raise OSError(errno.ENOTSUP, "not supported")
            return 0

    monkeypatch.setattr(_atomic, "_fcntl", FakeFcntl)
    monkeypatch.setattr(_atomic, "_FULLFSYNC", 51)
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(("fsync", fd)))
    _atomic._fsync_fd(7)
    assert calls == [("fcntl", 51)]
    calls.clear()
    FakeFcntl.fails = True
    _atomic._fsync_fd(7)
    assert calls == [("fcntl", 51), ("fsync", 7)]


# ------------------------------------------------------------------------------- exclusive mode


def test_x_mode_fails_at_start_if_target_exists(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError) as info:
        with atomic_open(target, "x", encoding="utf-8"):
            pytest.fail("the block must not run")
    assert info.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old"


def test_x_mode_fails_at_commit_if_target_appeared(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    with pytest.raises(FileExistsError):
        with atomic_open(target, "x", encoding="utf-8") as handle:
            handle.write("mine")
            target.write_text("theirs", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert names_in(tmp_path) == ["t.txt"]


def test_x_mode_without_hard_links_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "t.txt"
    with atomic_open(target, "x", encoding="utf-8") as handle:
        handle.write("one")
    assert target.read_text(encoding="utf-8") == "one"
    with pytest.raises(FileExistsError):
        with atomic_open(tmp_path / "u.txt", "x", encoding="utf-8") as handle:
            (tmp_path / "u.txt").write_text("theirs", encoding="utf-8")
    assert names_in(tmp_path) == ["t.txt", "u.txt"]


def test_x_mode_concurrent_writers_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        barrier.wait()
        try:
            with atomic_open(target, "x", encoding="utf-8") as handle:
                handle.write(f"writer {index}")
        except FileExistsError:
            result = "exists"
        else:
            result = f"won {index}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if outcome.startswith("won")]
    assert len(winners) == 1 and outcomes.count("exists") == 7
    assert target.read_text(encoding="utf-8") == "writer " + winners[0].split()[1]
    assert names_in(tmp_path) == ["t.txt"]


# --------------------------------------------------------------------------------- permissions


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002, 0o077])
def test_new_file_mode_follows_umask_like_open(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        with open(tmp_path / "plain", "w", encoding="utf-8") as handle:
            handle.write("x")
        write_atomic_text(tmp_path / "atomic", "x", encoding="utf-8")
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == expected
    assert stat.S_IMODE((tmp_path / "atomic").stat().st_mode) == expected


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
def test_umask_fallback_without_procfs(monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0o027)
    try:
        from_proc = _atomic._current_umask()
        monkeypatch.setattr(_atomic, "_proc_status_usable", False)
        assert _atomic._current_umask() == from_proc == 0o027
        assert os.umask(0o027) == 0o027, "reading the umask must not change it"
    finally:
        os.umask(old)


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o664, 0o755])
def test_existing_file_mode_is_kept(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"old")
    target.chmod(mode)
    write_atomic_bytes(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    with atomic_path(target) as temp:
        Path(temp).write_bytes(b"newer")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() == b"newer"


# ------------------------------------------------------------------------------------ symlinks


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_symlink_is_kept_and_its_target_replaced(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "data.json"
    real.write_text("old", encoding="utf-8")
    link_dir = tmp_path / "links"
    link_dir.mkdir()
    link = link_dir / "data.json"
    link.symlink_to(os.path.relpath(real, link_dir))
    with atomic_open(link, "w", encoding="utf-8") as handle:
        assert temp_leftovers(real_dir) and not temp_leftovers(link_dir), "temp file belongs next to the real target"
        assert handle.name == link, "the handle reports the path as given"
        handle.write("new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"
    assert names_in(real_dir) == ["data.json"] and names_in(link_dir) == ["data.json"]


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to("made.txt")
    write_atomic_text(link, "x", encoding="utf-8")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_x_mode_refuses_existing_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to("nowhere")
    with pytest.raises(FileExistsError):
        with atomic_open(link, "x", encoding="utf-8"):
            pass


@pytest.mark.skipif(not os.path.exists("/dev/null") or not POSIX, reason="needs /dev/null")
def test_special_files_are_written_in_place() -> None:
    with atomic_open(os.devnull, "w", encoding="utf-8") as handle:
        handle.write("discarded")
    with atomic_path(os.devnull) as path:
        assert path == os.devnull
        with open(path, "wb") as handle:
            handle.write(b"discarded")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode), "/dev/null must still be a device"


# ------------------------------------------------------------------------- temporary file names


def test_temp_name_is_unique_recognizable_and_keeps_the_suffix(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with atomic_open(target, "w", encoding="utf-8") as first, atomic_open(target, "w", encoding="utf-8") as second:
        names = set(temp_leftovers(tmp_path))
        assert len(names) == 2 and first.name == second.name == target
        for name in names:
            assert name.startswith(".tmp-") and name.endswith(".x.json")
            assert is_temp_artifact_name(name)
        assert sorted(temp_leftovers(tmp_path)) == sorted(names)
        first.write("1")
        second.write("2")
    assert target.read_text(encoding="utf-8") == "1"  # last commit wins
    assert names_in(tmp_path) == ["x.json"]


def test_sibling_targets_never_share_a_temp_name(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "x.json") as json_temp, atomic_path(tmp_path / "x.yaml") as yaml_temp:
        assert json_temp != yaml_temp
        Path(json_temp).write_text("{}", encoding="utf-8")
        Path(yaml_temp).write_text("{}", encoding="utf-8")


@pytest.mark.parametrize(
    ("stem", "suffix"),
    [("a" * 250, ".json"), ("é" * 120, ".tar.gz"), ("b" * 255, ""), ("c" * 100, "." + "d" * 150)],
)
def test_long_target_names_stay_within_name_limit(tmp_path: Path, stem: str, suffix: str) -> None:
    name = stem + suffix
    if len(os.fsencode(name)) > 255:
        pytest.skip("target itself too long")
    target = tmp_path / name
    with atomic_open(target, "wb") as handle:
        (temp_name,) = temp_leftovers(tmp_path)
        handle.write(b"ok")
    assert len(os.fsencode(temp_name)) <= 255
    assert is_temp_artifact_name(temp_name)
    kept = suffix if len(os.fsencode(suffix)) <= 116 else ""
    assert temp_name.endswith(kept)
    assert target.read_bytes() == b"ok"


def test_temp_name_truncation_rules() -> None:
    long_ext = "x" * 90 + ".tar" + ".gz"
    name = _tempnames.make_temp_name(long_ext * 3)
    assert len(os.fsencode(name)) <= 255 and name.endswith(".gz")
    short = _tempnames.make_temp_name("model.npy")
    assert short.endswith(".model.npy") and len(short) == len(".tmp-") + 16 + len(".model.npy")
    # characters are never split, even when each takes several bytes
    emoji = _tempnames.make_temp_name("🙂" * 70 + ".txt")
    assert len(os.fsencode(emoji)) <= 255 and emoji.endswith(".txt")
    emoji.encode("utf-8")


# ------------------------------------------------------------------------------------ atomic_path


@pytest.mark.parametrize("kind", [str, Path, bytes])
def test_atomic_path_gives_same_path_type(tmp_path: Path, kind: type) -> None:
    target = tmp_path / "t.txt"
    path = os.fsencode(target) if kind is bytes else kind(target)
    with atomic_path(path) as temp:
        assert type(temp) is type(path)
        assert not os.path.exists(temp), "the writer creates the file"
        assert is_temp_artifact_name(temp)
        assert os.path.dirname(os.fsdecode(temp)) == str(tmp_path)
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write("via path")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "via path"
    assert names_in(tmp_path) == ["t.txt"]


def test_atomic_path_exception_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        with atomic_path(target) as temp:
            Path(temp).write_text("half", encoding="utf-8")
            raise ValueError
    assert target.read_text(encoding="utf-8") == "old"
    assert names_in(tmp_path) == ["t.txt"]


def test_atomic_path_writer_that_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="did not create"):
        with atomic_path(target):
            pass
    assert target.read_text(encoding="utf-8") == "old"


def fake_numpy_save(file: str, data: bytes) -> None:
    """Behaves like numpy.save with a file name: appends ".npy" when it is missing."""
    if not file.endswith(".npy"):
        file += ".npy"
    with open(file, "wb") as handle:
        handle.write(b"\x93NUMPY" + data)


def test_atomic_path_with_suffix_sniffing_writer(tmp_path: Path) -> None:
    target = tmp_path / "weights.npy"
    with atomic_path(str(target)) as temp:
        fake_numpy_save(temp, b"payload")
    assert target.read_bytes() == b"\x93NUMPYpayload"
    assert names_in(tmp_path) == ["weights.npy"]


def test_atomic_path_explains_an_appended_extension_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "weights"
    with pytest.raises(FileNotFoundError, match=r"\.npy.*instead"):
        with atomic_path(str(target)) as temp:
            fake_numpy_save(temp, b"payload")
    assert names_in(tmp_path) == []


def test_atomic_path_with_numpy(tmp_path: Path) -> None:
    numpy = pytest.importorskip("numpy")
    target = tmp_path / "array.npy"
    array = numpy.arange(10)
    with atomic_path(target) as temp:
        numpy.save(temp, array)
    assert (numpy.load(target) == array).all()
    assert names_in(tmp_path) == ["array.npy"]


def test_atomic_path_gzip_suffix_sniffing(tmp_path: Path) -> None:
    import gzip

    def to_csv(path: str, text: str) -> None:  # chooses compression by extension, like pandas
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "wt", encoding="utf-8") as handle:
            handle.write(text)

    target = tmp_path / "table.csv.gz"
    with atomic_path(str(target)) as temp:
        to_csv(temp, "a,b\n1,2\n")
    assert gzip.decompress(target.read_bytes()) == b"a,b\n1,2\n"


def test_atomic_path_rejects_directories_and_removes_them(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    with pytest.raises(IsADirectoryError, match="directory"):
        with atomic_path(target) as temp:
            os.mkdir(temp)
            Path(temp, "part-0").write_bytes(b"x")
    assert names_in(tmp_path) == []


def test_atomic_path_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with atomic_path(tmp_path / "nope" / "t"):
            pytest.fail("the block must not run")


# ------------------------------------------------------------------------------ write_atomic_*


def test_write_atomic_text_matches_path_write_text(tmp_path: Path) -> None:
    text = "a\nb\r\nc é"
    for newline in (None, "", "\r\n"):
        expected_path = tmp_path / "expected"
        with open(expected_path, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        count = write_atomic_text(tmp_path / "got", text, encoding="utf-8", newline=newline)
        assert count == len(text)
        assert (tmp_path / "got").read_bytes() == expected_path.read_bytes()
    with pytest.raises(TypeError, match="must be str"):
        write_atomic_text(tmp_path / "got", b"bytes", encoding="utf-8")  # type: ignore[arg-type]


def test_write_atomic_bytes_accepts_bytes_like(tmp_path: Path) -> None:
    assert write_atomic_bytes(tmp_path / "a", bytearray(b"abc")) == 3
    assert write_atomic_bytes(tmp_path / "b", memoryview(b"abcd")) == 4
    assert (tmp_path / "a").read_bytes() == b"abc" and (tmp_path / "b").read_bytes() == b"abcd"
    with pytest.raises(TypeError):
        write_atomic_bytes(tmp_path / "c", "text")  # type: ignore[arg-type]
    assert names_in(tmp_path) == ["a", "b"]


def test_write_atomic_json(tmp_path: Path) -> None:
    data = {"z": 1, "a": {"set": {3, 1, 2}}, "é": [1.5, None]}
    write_atomic_json(tmp_path / "d.json", data)
    raw = (tmp_path / "d.json").read_bytes()
    assert raw == canonical_json(data, indent=2).encode("utf-8")
    assert raw.endswith(b"}\n") and b"\r\n" not in raw
    assert json.loads(raw) == {"a": {"set": [1, 2, 3]}, "z": 1, "é": [1.5, None]}
    write_atomic_json(tmp_path / "c.json", data, indent=None)
    assert (tmp_path / "c.json").read_text(encoding="utf-8") == '{"a":{"set":[1,2,3]},"z":1,"é":[1.5,null]}\n'


def test_write_atomic_json_failure_leaves_target(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        write_atomic_json(target, {"x": float("nan")})
    with pytest.raises(TypeError):
        write_atomic_json(target, {"x": object()})
    assert target.read_text(encoding="utf-8") == "old"
    assert names_in(tmp_path) == ["d.json"]


def test_write_atomic_json_default(tmp_path: Path) -> None:
    from decimal import Decimal

    write_atomic_json(tmp_path / "d.json", {"price": Decimal("1.10")}, default=str, indent=None)
    assert (tmp_path / "d.json").read_text(encoding="utf-8") == '{"price":"1.10"}\n'


def test_write_atomic_yaml(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    data = {"b": [1, 2], "a": {"ü": "x"}}
    write_atomic_yaml(tmp_path / "d.yaml", data)
    raw = (tmp_path / "d.yaml").read_bytes()
    expected = yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True)
    assert raw == expected.encode("utf-8")
    assert raw.startswith(b"a:") and "ü".encode() in raw
    assert yaml.safe_load(raw) == data


def test_handle_reports_the_target_name_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Like ``open(p).name``: code that hands the file object on after the block (a config
    # loader reading ``f.name``) finds the committed file under that name.
    monkeypatch.chdir(tmp_path)
    with atomic_open("settings.yml", "w", encoding="utf-8") as text:
        text.write("a: 1\n")
    assert text.name == "settings.yml"
    assert Path(text.name).read_text(encoding="utf-8") == "a: 1\n"
    with atomic_open(tmp_path / "blob.bin", "wb") as binary:
        binary.write(b"x")
    assert binary.name == tmp_path / "blob.bin"
    with atomic_open(b"raw.txt", "w", encoding="utf-8") as raw:
        assert raw.name == b"raw.txt"
    assert "settings.yml" in repr(text)
