"""Speed of determinism-lint, as ratios to baselines measured in the same run.

Machines are shared and noisy, so absolute seconds mean little; each number here is
divided by a baseline timed moments before on the same files:

* ``check``: ``determinism-lint check`` against the parse floor, i.e. reading and
  ``ast.parse``-ing the same files in one process (the least any ast-based linter does);
* ``plugin``: ``flake8`` with the DET plugin against ``flake8`` without it, same files;
* ``fix``: ``determinism-lint fix --diff`` against ``check`` and against parsing every
  file with libcst.

Usage::

    python benchmarks/bench.py                 # the installed standard library
    python benchmarks/bench.py PATH --repeat 3 --flake8-files 300

Each measurement is repeated and the fastest run kept (the least disturbed by others).
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from determinism_lint.discovery import discover  # noqa: E402
from determinism_lint.settings import Settings  # noqa: E402

FLAKE8_WITHOUT_PLUGIN = """
import sys
import flake8.plugins.finder as finder
_original = finder._find_importlib_plugins
def _without_det():
    for plugin in _original():
        if plugin.package != "determinism-lint":
            yield plugin
finder._find_importlib_plugins = _without_det
import runpy
sys.argv[0] = "flake8"
runpy.run_module("flake8", run_name="__main__")
"""


def best_of(repeat: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def parse_floor(files: Sequence[str]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            pass


def run_quiet(command: Sequence[str], cwd: str | None = None) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flake8-files", type=int, default=300, help="how many files flake8 runs on (it is slow)")
    parser.add_argument("--skip-fix", action="store_true")
    parser.add_argument("--skip-flake8", action="store_true")
    args = parser.parse_args(argv)

    settings = Settings()  # what `determinism-lint check PATH` uses without a config file
    files = discover([args.path], settings)
    lines = 0
    for path in files:
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    print(f"tree: {args.path}: {len(files)} files, {lines:,} lines; best of {args.repeat}; {os.cpu_count()} cores")
    print(f"command: {sys.executable} benchmarks/bench.py {' '.join(argv if argv is not None else sys.argv[1:])}")

    from determinism_lint.cli import run_engine

    floor = best_of(args.repeat, lambda: parse_floor(files))
    serial = best_of(args.repeat, lambda: run_engine(files, settings, jobs=1))
    auto = best_of(args.repeat, lambda: run_engine(files, settings, jobs=0))
    print(f"parse floor (read + ast.parse, 1 process): {floor:.2f}s")
    print(f"check engine, 1 process:                   {serial:.2f}s  = {serial / floor:.2f}x parse floor")
    print(f"check engine, default jobs:                {auto:.2f}s  = {auto / floor:.2f}x parse floor")

    command = [sys.executable, "-m", "determinism_lint", "check", "-q", "--exit-zero", args.path]
    whole = best_of(args.repeat, lambda: run_quiet(command))
    print(f"`determinism-lint check PATH` end to end:  {whole:.2f}s  = {whole / floor:.2f}x parse floor"
          " (start-up and default excludes included)")

    if not args.skip_flake8:
        subset = files[: args.flake8_files]
        base = [sys.executable, "-c", FLAKE8_WITHOUT_PLUGIN, "--jobs", "1", "--exit-zero", *subset]
        with_plugin = [sys.executable, "-m", "flake8", "--jobs", "1", "--exit-zero", *subset]
        # Interleaved, so that drift in the machine's load hits both sides alike.
        without_times, plugged_times = [], []
        for _ in range(args.repeat):
            without_times.append(best_of(1, lambda: run_quiet(base)))
            plugged_times.append(best_of(1, lambda: run_quiet(with_plugin)))
        without, plugged = min(without_times), min(plugged_times)
        # The plugin's own work, timed in-process on the trees flake8 would hand it.
        from determinism_lint.engine import Engine

        engine = Engine(settings)
        trees = []
        for path in subset:
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                trees.append((ast.parse(data), data.decode("utf-8", "replace"), path))
            except (SyntaxError, ValueError):
                continue
        plugin_work = best_of(args.repeat, lambda: [engine.check_tree(t, text, p) for t, text, p in trees])
        print(f"flake8 without plugin ({len(subset)} files):    {without:.2f}s")
        print(f"flake8 with DET plugin:                    {plugged:.2f}s  = {(plugged - without) / without * 100:+.1f}%"
              " of flake8's run (difference of two noisy runs)")
        print(f"DET plugin's own work on those trees:      {plugin_work:.2f}s  = {plugin_work / without * 100:.1f}%"
              " of flake8's run without it")

    if not args.skip_fix:
        try:
            import libcst
        except ImportError:
            print("libcst not installed: fix benchmark skipped")
            return 0
        from determinism_lint.fixer import plan_fixes  # noqa: F401  (fails loudly if the fixer is absent)

        def libcst_floor() -> None:
            for path in files:
                with open(path, "rb") as handle:
                    data = handle.read()
                try:
                    libcst.parse_module(data)
                except libcst.ParserSyntaxError:
                    continue

        command = [sys.executable, "-m", "determinism_lint", "fix", "--diff", "-q", "--unsafe-fixes", args.path]
        check_command = [sys.executable, "-m", "determinism_lint", "check", "-q", "--exit-zero", args.path]
        fix_time = best_of(args.repeat, lambda: run_quiet(command))
        check_time = best_of(args.repeat, lambda: run_quiet(check_command))
        cst = best_of(1, libcst_floor)
        print(f"libcst parse of every file, 1 process:     {cst:.2f}s")
        print(f"`fix --diff --unsafe-fixes` end to end:    {fix_time:.2f}s  = {fix_time / check_time:.2f}x check,"
              f" {fix_time / cst:.2f}x libcst-parsing every file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
