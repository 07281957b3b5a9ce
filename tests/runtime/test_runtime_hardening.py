"""Errors that name the target, kept mode bits, and removing the temporary files of dead writers.

Some cases need what an ordinary user meets: they run as ``nobody`` when the tests run as root,
and a full disk is a real 1 MiB tmpfs when this process may mount one.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from determinism_lint.runtime import (
    atomic_open,
    atomic_path,
    is_temp_artifact_name,
    remove_stale_temp_files,
    write_atomic_bytes,
)
from determinism_lint.runtime._tempnames import make_temp_name

REPO = Path(__file__).resolve().parents[2]
POSIX = os.name == "posix"
IS_ROOT = POSIX and os.geteuid() == 0
NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"


def names_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


# -- a real full disk ------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    if not IS_ROOT or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mount_point = Path(tempfile.mkdtemp(prefix="det-tiny-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        mount_point.rmdir()


def test_disk_full_names_the_target_and_keeps_errno_and_cause(tiny_disk: Path) -> None:
    target = tiny_disk / "model.bin"
    target.write_bytes(b"old")
    with pytest.raises(OSError) as info:
        write_atomic_bytes(target, b"x" * (2 << 20))
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.ENOSPC
    assert target.read_bytes() == b"old" and names_in(tiny_disk) == ["model.bin"]


def test_disk_full_in_a_chunked_atomic_open_block(tiny_disk: Path) -> None:
    target = tiny_disk / "rows.csv"
    with pytest.raises(OSError) as info:
        with atomic_open(target, "w", encoding="utf-8") as handle:
            for _ in range(4096):
                handle.write("r" * 1024)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert names_in(tiny_disk) == []


def test_disk_full_in_an_atomic_path_writer(tiny_disk: Path) -> None:
    target = tiny_disk / "table.parquet"
    with pytest.raises(OSError) as info:
        with atomic_path(target) as temp:
            Path(temp).write_bytes(b"x" * (2 << 20))
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert names_in(tiny_disk) == []


def test_an_unrelated_error_in_the_block_is_left_alone(tmp_path: Path) -> None:
    missing = tmp_path / "input.csv"
    with pytest.raises(FileNotFoundError) as info:
        with atomic_open(tmp_path / "out.txt", "w", encoding="utf-8"):
            missing.read_text()
    assert info.value.filename == str(missing) and info.value.__cause__ is None


def test_errors_at_fsync_and_rename_name_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")

    def renamed_refused(src: object, dst: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), src, None, dst)

    monkeypatch.setattr(os, "replace", renamed_refused)
    with pytest.raises(PermissionError) as info:
        write_atomic_bytes(target, b"new")
    assert info.value.errno == errno.EPERM and info.value.filename == str(target)
    assert info.value.filename2 is None and ".tmp-" not in str(info.value)
    assert info.value.__cause__ is not None and info.value.__cause__.filename2 == str(target)
    assert target.read_bytes() == b"old" and names_in(tmp_path) == ["t.bin"]


@pytest.mark.skipif(not POSIX, reason="read-only mounts")
def test_read_only_file_system_says_so(tiny_disk: Path) -> None:
    target = tiny_disk / "t.txt"
    target.write_text("keep")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    try:
        with pytest.raises(OSError) as info:
            write_atomic_bytes(target, b"new")
        assert info.value.errno == errno.EROFS and info.value.filename == str(target)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)


# -- as an ordinary user ---------------------------------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory ``nobody`` can reach, and a Python it can run that imports the package."""
    if not IS_ROOT or not os.path.exists(SYSTEM_PYTHON):
        pytest.skip("runs a writer as another user: needs root and a system Python")
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r}); import determinism_lint.runtime"],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        capture_output=True,
        cwd="/",
    )
    if probe.returncode != 0:
        pytest.skip("the checkout is not readable by nobody")
    path = Path(tempfile.mkdtemp(prefix="det-shared-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def as_nobody(code: str, *args: str) -> str:
    prelude = f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", prelude + code, *args],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


WRITE_AND_REPORT = (
    "import errno\n"
    "from determinism_lint.runtime import write_atomic_bytes\n"
    "try:\n"
    "    write_atomic_bytes(sys.argv[1], b'new')\n"
    "except OSError as exc:\n"
    "    print(errno.errorcode[exc.errno], exc.filename, exc.strerror, sep='|')\n"
)


def test_sticky_directory_refuses_before_writing_and_names_the_target(shared_dir: Path) -> None:
    sticky = shared_dir / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    target = sticky / "shared.json"
    target.write_bytes(b"old")
    target.chmod(0o666)  # writable by everyone, but owned by root
    code, filename, message = as_nobody(WRITE_AND_REPORT, str(target)).strip().split("|")
    assert code == "EPERM" and filename == str(target) and "sticky" in message
    assert target.read_bytes() == b"old" and names_in(sticky) == ["shared.json"]


def test_read_only_directory_is_named_as_the_cause(shared_dir: Path) -> None:
    locked = shared_dir / "locked"
    locked.mkdir()
    target = locked / "t.txt"
    target.write_bytes(b"old")
    target.chmod(0o666)
    locked.chmod(0o755)  # the file is writable, its directory is not (for nobody)
    code, filename, message = as_nobody(WRITE_AND_REPORT, str(target)).strip().split("|")
    assert code == "EACCES" and filename == str(target)
    assert f"directory {str(locked)!r}" in message
    assert target.read_bytes() == b"old"


# -- mode bits ------------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX mode bits")
@pytest.mark.parametrize("mode", [0o1644, 0o4755, 0o2755, 0o6755, 0o1777])
def test_sticky_setuid_and_setgid_bits_are_kept_for_the_same_owner(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "tool"
    target.write_bytes(b"old")
    os.chmod(target, mode)
    if stat.S_IMODE(target.stat().st_mode) != mode:
        pytest.skip("this file system does not keep these bits")
    write_atomic_bytes(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    with atomic_path(target) as temp:
        Path(temp).write_bytes(b"newer")
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(not IS_ROOT, reason="needs to own a file as another user")
def test_setuid_is_dropped_when_the_owner_changes(tmp_path: Path) -> None:
    # Root rewriting nobody's set-user-ID file: the new file is root's, and must not become a
    # set-user-ID-root program.
    target = tmp_path / "tool"
    target.write_bytes(b"old")
    os.chown(target, NOBODY, NOBODY)
    os.chmod(target, 0o6755)
    write_atomic_bytes(target, b"new")
    st = target.stat()
    assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o755


# -- stale temporary files ------------------------------------------------------------------------


def make_old(path: Path, age: float) -> None:
    then = time.time() - age
    os.utime(path, (then, then))


def test_remove_stale_temp_files_by_age_and_name(tmp_path: Path) -> None:
    old_temp = tmp_path / make_temp_name("model.npy")
    fresh_temp = tmp_path / make_temp_name("model.npy")
    foreign = tmp_path / "download.partial"
    target = tmp_path / "model.npy"
    sub = tmp_path / "sub"
    sub.mkdir()
    nested = sub / make_temp_name("x.json")
    directory_like = tmp_path / make_temp_name("dir")
    directory_like.mkdir()
    for path in (old_temp, fresh_temp, foreign, target, nested):
        path.write_bytes(b"data")
    for path in (old_temp, foreign, target, nested, directory_like):
        make_old(path, 7200)
    if POSIX:
        link = tmp_path / make_temp_name("link")
        link.symlink_to(target)
    # ctime cannot be set back; an age of 0 seconds looks at what is stale "now".
    assert remove_stale_temp_files(tmp_path, older_than=3600) == []
    removed = remove_stale_temp_files(tmp_path, older_than=0)
    assert removed == sorted([str(old_temp), str(fresh_temp)])
    assert target.exists() and foreign.exists() and nested.exists() and directory_like.is_dir()
    assert remove_stale_temp_files(str(tmp_path), older_than=0, recursive=True) == [str(nested)]
    assert remove_stale_temp_files(os.fsencode(tmp_path), older_than=0) == []
    with pytest.raises(ValueError):
        remove_stale_temp_files(tmp_path, older_than=-1)


WRITER = (
    "import sys, time\n"
    "from determinism_lint.runtime import atomic_open\n"
    "with atomic_open(sys.argv[1], 'wb') as handle:\n"
    "    handle.write(b'partial')\n"
    "    handle.flush()\n"
    "    print('writing', flush=True)\n"
    "    time.sleep(60)\n"
)


@pytest.mark.skipif(not POSIX, reason="flock and SIGKILL")
def test_a_live_writer_keeps_its_temp_file_however_old(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r})\n" + WRITER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        (temp,) = [name for name in names_in(tmp_path) if is_temp_artifact_name(name)]
        assert remove_stale_temp_files(tmp_path, older_than=0) == []  # locked by a live writer
        assert (tmp_path / temp).exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
    # The kernel dropped the dead writer's lock: now the file is stale.
    assert remove_stale_temp_files(tmp_path, older_than=0) == [str(tmp_path / temp)]
    assert names_in(tmp_path) == []
