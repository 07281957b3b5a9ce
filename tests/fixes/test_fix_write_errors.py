"""``fix`` when a file cannot be written: the run goes on, the file and the real cause are named,
the summary is printed and the exit status is 1."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from determinism_lint.cli import main

HAZARD = "def save(path, text):\n    with open(path, 'w') as handle:\n        handle.write(text)\n"
FIXED_MARK = "atomic_open"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_read_only_directory_does_not_stop_the_run(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "job.py").write_text(HAZARD, encoding="utf-8")
    locked = str(tmp_path / "b")
    real_open = os.open

    # Tests may run as root, which ignores permission bits: the kernel's answer for a directory
    # without write permission, for files created in it.
    def read_only_b(path, flags, mode=0o777, **kwargs):
        if flags & os.O_CREAT and os.path.dirname(os.fsdecode(path)) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", read_only_b)
    code, _, err = run(capsys, "fix", "--no-reader-evidence", str(tmp_path))
    assert code == 1
    assert FIXED_MARK in (tmp_path / "a" / "job.py").read_text(encoding="utf-8")
    assert FIXED_MARK in (tmp_path / "c" / "job.py").read_text(encoding="utf-8")
    assert (tmp_path / "b" / "job.py").read_text(encoding="utf-8") == HAZARD
    assert "Fixed 2 findings in 2 files." in err
    line = next(line for line in err.splitlines() if "b/job.py" in line)
    assert "not fixed: cannot write it: Permission denied" in line
    assert f"directory {locked!r}" in line  # the directory is the cause, not the file
    assert "Traceback" not in err


def test_write_errors_are_reported_with_quiet_too(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "job.py").write_text(HAZARD, encoding="utf-8")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    code, _, err = run(capsys, "fix", "--no-reader-evidence", "-q", str(tmp_path))
    assert code == 1
    assert err.strip() == f"{tmp_path / 'job.py'}: not fixed: cannot write it: No space left on device"
    assert (tmp_path / "job.py").read_text(encoding="utf-8") == HAZARD


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mount_point = Path(tempfile.mkdtemp(prefix="det-fix-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        mount_point.rmdir()


def test_disk_full_names_the_file_and_goes_on(tiny_disk: Path, capsys) -> None:
    small = HAZARD
    big = HAZARD + "".join(f"VALUE_{index} = {index!r}  # {'x' * 60}\n" for index in range(5000))
    (tiny_disk / "a.py").write_text(small, encoding="utf-8")
    (tiny_disk / "b.py").write_text(big, encoding="utf-8")
    (tiny_disk / "c.py").write_text(small, encoding="utf-8")
    # Fill the disk so that the small files still fit and the big one does not.
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    (tiny_disk / "filler").write_bytes(b"\0" * (free - 64 * 1024))
    code, _, err = run(capsys, "fix", "--no-reader-evidence", str(tiny_disk))
    assert code == 1
    assert FIXED_MARK in (tiny_disk / "a.py").read_text(encoding="utf-8")
    assert FIXED_MARK in (tiny_disk / "c.py").read_text(encoding="utf-8")
    assert (tiny_disk / "b.py").read_text(encoding="utf-8") == big
    assert "Fixed 2 findings in 2 files." in err
    assert f"{tiny_disk / 'b.py'}: not fixed: cannot write it: No space left on device" in err
    assert sorted(os.listdir(tiny_disk)) == ["a.py", "b.py", "c.py", "filler"]  # no temp file left
