"""Speed of determinism-lint, as ratios to baselines measured in the same run.

Machines are shared and noisy, so absolute seconds mean little; each number here is
divided by a baseline timed moments before on the same files, in interleaved rounds (the
order of the two sides alternates), and the median of the per-round ratios is reported:

* ``check``: the check engine in one process against the parse floor, i.e. reading and
  ``ast.parse``-ing the same files in one process (the least any ast-based linter does);
  as CPU time of this process (robust to other load) and as wall time; and against the
  floor with garbage collection paused per file, as the engine runs (a share of the plain
  floor is the collector scanning each new tree, which the engine does not pay);
* ``plugin``: ``flake8 --jobs 1`` with the DET plugin against ``flake8`` without it, same
  files, as CPU time of the child process;
* ``fix``: ``determinism-lint fix --diff`` against ``check`` and against parsing every
  file with libcst (first corpus only).

Two corpora by default: the installed standard library (many short functions) and a
generated corpus of long pipeline-like modules (``benchmarks/make_long_corpus.py``:
4,000-line modules with 200-360-line functions full of listings, handlers, dict iterations
and writes), where the cost of an analysis that re-walks the enclosing function per site
would show. ``--long PATH`` uses real pipeline modules instead of the generated ones.

Usage::

    python benchmarks/bench.py                          # stdlib + generated long-function corpus
    python benchmarks/bench.py PATH --long OTHER --rounds 5 --flake8-files 300
    python benchmarks/bench.py --skip-fix --skip-stdlib # the long-function corpus only
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from determinism_lint.discovery import discover  # noqa: E402
from determinism_lint.settings import Settings  # noqa: E402
from make_long_corpus import write_corpus  # noqa: E402

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


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """``(cpu, wall)`` seconds of ``action``: CPU of this process and of waited-for children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.process_time() - cpu + children, time.perf_counter() - wall


def interleaved(rounds: int, base: Callable[[], object], other: Callable[[], object]) -> dict[str, float]:
    """Median ratios ``other / base`` (CPU and wall) over ``rounds`` rounds, alternating which runs first."""
    cpu_ratios, wall_ratios, base_cpu, base_wall = [], [], [], []
    for index in range(rounds):
        if index % 2:
            other_time, base_time = timed(other), timed(base)
        else:
            base_time, other_time = timed(base), timed(other)
        cpu_ratios.append(other_time[0] / base_time[0])
        wall_ratios.append(other_time[1] / base_time[1])
        base_cpu.append(base_time[0])
        base_wall.append(base_time[1])
    return {
        "cpu": statistics.median(cpu_ratios),
        "wall": statistics.median(wall_ratios),
        "base_cpu": statistics.median(base_cpu),
        "base_wall": statistics.median(base_wall),
    }


def parse_floor(files: Sequence[str]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            pass


def parse_floor_gc_paused(files: Sequence[str]) -> None:
    """The parse floor with automatic garbage collection paused per file, as the engine
    parses and checks each file: how much of the floor is collection, not parsing."""
    for path in files:
        gc.disable()
        try:
            parse_floor([path])
        finally:
            gc.enable()


def run_quiet(command: Sequence[str], cwd: str | None = None) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)


def bench_corpus(label: str, path: str, args: argparse.Namespace, flake8_files: int) -> None:
    from determinism_lint.cli import run_engine
    from determinism_lint.engine import Engine

    settings = Settings()  # what `determinism-lint check PATH` uses without a config file
    files = discover([path], settings)
    lines = 0
    for name in files:
        with open(name, "rb") as handle:
            lines += handle.read().count(b"\n")
    print(f"\n== {label}: {path}: {len(files)} files, {lines:,} lines; median of {args.rounds} interleaved rounds")

    check = interleaved(args.rounds, lambda: parse_floor(files), lambda: run_engine(files, settings, jobs=1))
    print(f"parse floor (read + ast.parse, 1 process):  {check['base_cpu']:.2f}s CPU, {check['base_wall']:.2f}s wall")
    print(f"check engine, 1 process:                    {check['cpu']:.2f}x parse floor (CPU), {check['wall']:.2f}x (wall)")
    paused = interleaved(args.rounds, lambda: parse_floor(files), lambda: parse_floor_gc_paused(files))
    print(f"parse floor with collection paused per file: {paused['cpu']:.2f}x parse floor (CPU): the check engine"
          f" is {check['cpu'] / paused['cpu']:.2f}x that")

    command = [sys.executable, "-m", "determinism_lint", "check", "-q", "--exit-zero", path]
    whole = interleaved(args.rounds, lambda: parse_floor(files), lambda: run_quiet(command))
    print(f"`determinism-lint check PATH` end to end:   {whole['wall']:.2f}x parse floor (wall; default jobs,"
          " start-up included)")

    if args.skip_flake8:
        return
    subset = files[:flake8_files]
    base = [sys.executable, "-c", FLAKE8_WITHOUT_PLUGIN, "--jobs", "1", "--exit-zero", *subset]
    with_plugin = [sys.executable, "-m", "flake8", "--jobs", "1", "--exit-zero", *subset]
    plugin = interleaved(args.rounds, lambda: run_quiet(base), lambda: run_quiet(with_plugin))
    # The plugin's own work, timed in-process on the trees flake8 would hand it.
    engine = Engine(settings)
    trees = []
    for name in subset:
        with open(name, "rb") as handle:
            data = handle.read()
        try:
            trees.append((ast.parse(data), data.decode("utf-8", "replace"), name))
        except (SyntaxError, ValueError):
            continue
    work = statistics.median(
        timed(lambda: [engine.check_tree(t, text, p) for t, text, p in trees])[0] for _ in range(args.rounds)
    )
    print(f"flake8 --jobs 1 without plugin ({len(subset)} files): {plugin['base_cpu']:.2f}s CPU")
    print(f"flake8 with DET plugin:                     {(plugin['cpu'] - 1) * 100:+.1f}% CPU"
          f" ({(plugin['wall'] - 1) * 100:+.1f}% wall) over flake8 alone")
    print(f"DET plugin's own work on those trees:       {work / plugin['base_cpu'] * 100:.1f}% of flake8's CPU without it")


def bench_fix(path: str, repeat: int) -> None:
    try:
        import libcst
    except ImportError:
        print("libcst not installed: fix benchmark skipped")
        return
    from determinism_lint.discovery import discover as find
    from determinism_lint.fixer import plan_fixes  # noqa: F401  (fails loudly if the fixer is absent)

    files = find([path], Settings())

    def libcst_floor() -> None:
        for name in files:
            with open(name, "rb") as handle:
                data = handle.read()
            try:
                libcst.parse_module(data)
            except libcst.ParserSyntaxError:
                continue

    command = [sys.executable, "-m", "determinism_lint", "fix", "--diff", "-q", "--unsafe-fixes", path]
    check_command = [sys.executable, "-m", "determinism_lint", "check", "-q", "--exit-zero", path]
    fix_time = best_of(repeat, lambda: run_quiet(command))
    check_time = best_of(repeat, lambda: run_quiet(check_command))
    cst = best_of(1, libcst_floor)
    print(f"\nlibcst parse of every file, 1 process:      {cst:.2f}s")
    print(f"`fix --diff --unsafe-fixes` end to end:     {fix_time:.2f}s  = {fix_time / check_time:.2f}x check,"
          f" {fix_time / cst:.2f}x libcst-parsing every file")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--long", metavar="PATH", help="long pipeline modules to use instead of generated ones")
    parser.add_argument("--rounds", "--repeat", type=int, default=5, dest="rounds")
    parser.add_argument("--flake8-files", type=int, default=300, help="how many files flake8 runs on (it is slow)")
    parser.add_argument("--skip-fix", action="store_true")
    parser.add_argument("--skip-flake8", action="store_true")
    parser.add_argument("--skip-stdlib", action="store_true", help="only the long-function corpus")
    parser.add_argument("--skip-long", action="store_true", help="only the first corpus")
    args = parser.parse_args(argv)

    print(f"command: {sys.executable} benchmarks/bench.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not args.skip_stdlib:
        bench_corpus("first corpus", args.path, args, args.flake8_files)
    if not args.skip_long:
        if args.long:
            bench_corpus("long-function corpus", args.long, args, args.flake8_files)
        else:
            with tempfile.TemporaryDirectory() as scratch:
                write_corpus(scratch)
                bench_corpus("long-function corpus (benchmarks/make_long_corpus.py, 20 modules)", scratch, args,
                             args.flake8_files)
    if not args.skip_fix and not args.skip_stdlib:
        bench_fix(args.path, min(args.rounds, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
