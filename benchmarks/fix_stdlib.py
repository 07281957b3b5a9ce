"""`fix --unsafe-fixes` over a copy of the whole standard library.

Checks the two promises that matter in a migration: no file is ever written that does not
parse, and a second run changes nothing. Prints what it measured and exits 1 on a broken
promise. Slow (libcst on every flagged file): run it by hand or in a nightly job.

    python benchmarks/fix_stdlib.py [--strict] [-j N]
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from determinism_lint.discovery import discover  # noqa: E402
from determinism_lint.fixer import plan_fixes  # noqa: E402
from determinism_lint.runtime import write_atomic_bytes  # noqa: E402
from determinism_lint.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strict", action="store_true", help="every rule everywhere (more fixes)")
    parser.add_argument("-j", "--jobs", type=int, default=0)
    args = parser.parse_args()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "stdlib"
        shutil.copytree(stdlib, copy, ignore=shutil.ignore_patterns("__pycache__", "site-packages"), symlinks=True)
        settings = Settings(strict=args.strict, root=str(copy))
        files = discover([str(copy)], settings)
        start = time.perf_counter()
        first = plan_fixes(files, settings, unsafe=True, jobs=args.jobs)
        elapsed = time.perf_counter() - start
        broken = []
        changed = [item for item in first if item.changed]
        for item in changed:
            try:
                ast.parse(item.new)
            except SyntaxError as error:
                broken.append(f"{item.path}: {error}")
                continue
            write_atomic_bytes(item.path, item.new)
        second = plan_fixes(files, settings, unsafe=True, jobs=args.jobs)
        again = [item.path for item in second if item.changed]
        applied = sum(len(item.applied) for item in changed)
        dropped = sum(len(item.dropped) for item in first)
        print(f"{len(files)} files, {applied} fixes applied in {len(changed)} files, {dropped} dropped, {elapsed:.1f}s")
        print(f"files that would not parse: {len(broken)}; files changed by a second run: {len(again)}")
        for line in broken + again:
            print(f"  {line}")
        return 1 if broken or again else 0


if __name__ == "__main__":
    sys.exit(main())
