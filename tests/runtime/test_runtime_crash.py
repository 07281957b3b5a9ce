"""Crash and concurrency behaviour of the atomic writers, with real processes.

* SIGKILL a writer at random moments: the target is always exactly the old or the new content.
  The same harness shows that a plain ``open(p, "w")`` writer does get torn, so it can fail.
* Several processes write the same path at once: none fails, readers only ever see a complete
  file, and the final file is exactly one writer's content.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from determinism_lint.runtime import is_temp_artifact_name, listdir_sorted

REPO = Path(__file__).resolve().parents[2]
SIZE = 3 << 20  # 3 MiB: large enough that a write takes many page copies
CONTENT = {
    b"A": (b"A" * 1023 + b"\n") * (SIZE // 1024),
    b"B": (b"B" * 1023 + b"\n") * (SIZE // 1024),
}

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL and POSIX rename semantics")

# The writer alternates A and B forever. It reports "ready" once running, so that kills land
# during writes rather than during interpreter start-up.
WRITER = """
import os, sys
sys.path.insert(0, {repo!r})
from determinism_lint.runtime import write_atomic_bytes
target, kind = sys.argv[1], sys.argv[2]
contents = [(b"A" * 1023 + b"\\n") * ({size} // 1024), (b"B" * 1023 + b"\\n") * ({size} // 1024)]
def plain(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
write = write_atomic_bytes if kind == "atomic" else plain
write(target, contents[0])
sys.stdout.write("ready\\n")
sys.stdout.flush()
i = 1
while True:
    write(target, contents[i % 2])
    i += 1
"""


def classify(path: Path) -> str:
    data = path.read_bytes()
    for name, content in CONTENT.items():
        if data == content:
            return name.decode()
    return f"torn({len(data)} bytes)"


def kill_writer_repeatedly(
    directory: Path, kind: str, kills: int, rng: random.Random, deadline: float
) -> list[str]:
    target = directory / "target.bin"
    target.write_bytes(CONTENT[b"A"])
    code = WRITER.format(repo=str(REPO), size=SIZE)
    outcomes = []
    for _ in range(kills):
        if time.monotonic() > deadline:
            break
        # -S: no site-packages, a faster start; the package needs only the standard library.
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", code, str(target), kind],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line == b"ready\n", proc.stderr.read() if proc.stderr else line
            time.sleep(rng.uniform(0.0, 0.025))
        finally:
            proc.kill()  # SIGKILL: no cleanup code runs in the writer
            proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        outcomes.append(classify(target))
    return outcomes


def test_sigkill_never_leaves_a_torn_file(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    deadline = time.monotonic() + 14.0
    atomic_dir = tmp_path / "atomic"
    atomic_dir.mkdir()
    outcomes = kill_writer_repeatedly(atomic_dir, "atomic", kills=40, rng=rng, deadline=deadline)
    assert len(outcomes) >= 10, "too few kills to mean anything"
    torn = [outcome for outcome in outcomes if outcome.startswith("torn")]
    assert torn == [], f"atomic writer left torn files: {torn}"
    assert {"A", "B"} & set(outcomes)

    # Kills that landed mid-write leave temporary files behind (nothing can remove them after
    # SIGKILL); they must be recognizable so that listings skip them.
    leftovers = sorted(name for name in os.listdir(atomic_dir) if name != "target.bin")
    assert leftovers, "no kill interrupted a write: the test did not exercise anything"
    assert all(is_temp_artifact_name(name) for name in leftovers), leftovers
    assert listdir_sorted(atomic_dir) == ["target.bin"]

    # Control: the same harness with a plain open(p, "wb") writer does catch torn files.
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    plain = kill_writer_repeatedly(plain_dir, "plain", kills=12, rng=rng, deadline=deadline + 4.0)
    assert any(outcome.startswith("torn") for outcome in plain), f"plain writer never torn: {plain}"


CONCURRENT_WRITER = """
import sys
sys.path.insert(0, {repo!r})
from determinism_lint.runtime import atomic_open
target, index, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
payload = bytes([65 + index]) * {size}
sys.stdin.readline()  # start together
for _ in range(rounds):
    with atomic_open(target, "wb") as handle:
        for start in range(0, len(payload), 65536):  # many small writes: interleaving would show
            handle.write(payload[start:start + 65536])
"""


def test_concurrent_writers_each_leave_a_complete_file(tmp_path: Path) -> None:
    target = tmp_path / "shared.bin"
    size = 256 << 10
    writers, rounds = 6, 25
    valid = {bytes([65 + index]) * size for index in range(writers)}
    code = CONCURRENT_WRITER.format(repo=str(REPO), size=size)
    procs = [
        subprocess.Popen(
            [sys.executable, "-S", "-c", code, str(target), str(index), str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for index in range(writers)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    # Read while they write: every read must be one writer's complete content.
    reads = 0
    while any(proc.poll() is None for proc in procs):
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            continue  # before the first commit
        assert data in valid, f"read a mixed or partial file of {len(data)} bytes"
        reads += 1
    failures = []
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            failures.append(err.decode(errors="replace"))
    assert failures == []
    assert target.read_bytes() in valid
    assert reads > 0
    assert sorted(os.listdir(tmp_path)) == ["shared.bin"], "writers must not leave temporary files"
