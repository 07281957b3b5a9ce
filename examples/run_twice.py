"""Run the example pipeline twice under different hash seeds and compare its artifacts.

    python examples/run_twice.py              # seeds 1 and 2
    python examples/run_twice.py --seeds 3 4 --keep

Each run writes into its own fresh temporary directory. Exit status: 0 when every
artifact is byte-identical, 1 when any differs (the differing files are listed), 2 when
a run fails. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIPELINE = HERE / "pipeline" / "run.py"


def run_pipeline(out_dir: Path, seed: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, str(PIPELINE), str(out_dir)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def artifact_files(root: Path) -> list[str]:
    """Every file under ``root``, as sorted relative POSIX paths."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            found.append(Path(directory, name).relative_to(root).as_posix())
    return sorted(found)


def compare(first: Path, second: Path) -> list[str]:
    """Relative paths that differ: present in one tree only, or with different bytes."""
    left, right = artifact_files(first), artifact_files(second)
    differing = sorted(set(left) ^ set(right))
    for name in sorted(set(left) & set(right)):
        if not filecmp.cmp(first / name, second / name, shallow=False):
            differing.append(name)
    return sorted(differing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs=2, default=["1", "2"], metavar="SEED", help="two PYTHONHASHSEED values")
    parser.add_argument("--keep", action="store_true", help="keep the output directories and print where they are")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="run-twice-"))
    try:
        outputs = []
        for index, seed in enumerate(args.seeds):
            out_dir = work / f"run-{index + 1}-seed-{seed}"
            done = run_pipeline(out_dir, seed)
            if done.returncode != 0:
                sys.stderr.write(f"run with PYTHONHASHSEED={seed} failed:\n{done.stderr}")
                return 2
            outputs.append(out_dir)
        differing = compare(outputs[0], outputs[1])
        files = len(artifact_files(outputs[0]))
        seeds = " and ".join(args.seeds)
        if differing:
            print(f"NOT reproducible: {len(differing)} of {files} artifacts differ between PYTHONHASHSEED={seeds}:")
            for name in differing:
                print(f"  {name}")
        else:
            print(f"reproducible: all {files} artifacts are byte-identical under PYTHONHASHSEED={seeds}")
        if args.keep:
            print(f"outputs kept in {work}")
        return 1 if differing else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
