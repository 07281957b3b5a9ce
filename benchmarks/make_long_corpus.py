"""Write a corpus of long pipeline-like modules, the same bytes on every run.

Real pipeline code (orchestrators, data-set builders) holds modules of thousands of lines
with functions of hundreds: each function lists directories, iterates dicts and sets,
opens files for writing, hashes manifests and catches errors, over and over. This script
writes such modules so that ``benchmarks/bench.py`` can time the analysis where its cost
depends on the length of the enclosing function, not only on the size of the file::

    python benchmarks/make_long_corpus.py OUT_DIR                 # 20 modules of ~4,000 lines
    python benchmarks/make_long_corpus.py OUT_DIR --modules 5 --seed 7

The modules parse and are never run. The output depends only on the arguments.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Callable, Sequence

HEADER = '''"""Generated pipeline stage {module} (benchmark input, never executed)."""

import glob
import hashlib
import json
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

logger = logging.getLogger(__name__)

'''

# Each block is a piece of a long function body; ``{i}`` makes its names unique within the
# module, so that the function holds many distinct names, as real long functions do.
BLOCKS: tuple[str, ...] = (
    # a listing consumed in order
    """names_{i} = os.listdir(src_dir)
for name_{i} in names_{i}:
    if name_{i}.endswith(".json"):
        paths.append(os.path.join(src_dir, name_{i}))
""",
    # a sorted listing
    """for path_{i} in sorted(Path(src_dir).glob("*.csv")):
    rows_{i} = load_rows(path_{i})
    total += len(rows_{i})
    lines.append(f"{{path_{i}.name}}: {{len(rows_{i})}}")
""",
    # dict order into a hash
    """digest_{i} = hashlib.sha256()
for key_{i}, value_{i} in config.items():
    digest_{i}.update(f"{{key_{i}}}={{value_{i}}}".encode())
manifest["digest_{i}"] = digest_{i}.hexdigest()
""",
    # an in-place write of a JSON file
    """with open(os.path.join(out_dir, "part_{i}.json"), "w") as handle_{i}:
    json.dump(records, handle_{i})
""",
    # a silent broad handler
    """try:
    stats_{i} = compute_stats(records, {i})
except Exception:
    stats_{i} = None
manifest["stats_{i}"] = stats_{i}
""",
    # a handler that logs and re-raises
    """try:
    upload(out_dir, "part_{i}")
except OSError as error_{i}:
    logger.warning("upload of part {i} failed: %s", error_{i})
    raise
""",
    # set order into a list
    """seen_{i} = set(tags)
for tag_{i} in seen_{i}:
    lines.append(tag_{i})
""",
    # a glob written into an index
    """files_{i} = glob.glob(os.path.join(src_dir, "*.txt"))
Path(out_dir, "index_{i}.txt").write_text("\\n".join(files_{i}))
""",
    # plain computation
    """count_{i} = 0
for record_{i} in records:
    if record_{i}.get("kind") == "k{i}":
        count_{i} += 1
totals["k{i}"] = count_{i}
""",
    # a handle whose name is used
    """with open(os.path.join(out_dir, "log_{i}.txt"), "w") as out_{i}:
    out_{i}.write("\\n".join(lines))
    logger.info("wrote %s", out_{i}.name)
""",
    # os.walk
    """for root_{i}, dirs_{i}, found_{i} in os.walk(src_dir):
    for fname_{i} in found_{i}:
        sizes[fname_{i}] = os.path.getsize(os.path.join(root_{i}, fname_{i}))
""",
    # a comprehension over a listing
    """entries_{i} = [entry.name for entry in os.scandir(src_dir) if entry.is_file()]
results.extend(entries_{i})
""",
    # completion order
    """with ThreadPoolExecutor() as pool_{i}:
    futures_{i} = [pool_{i}.submit(process, path) for path in paths]
    for future_{i} in as_completed(futures_{i}):
        results.append(future_{i}.result())
""",
    # a dict iteration that is fine
    """for key_{i} in sorted(sizes):
    lines.append(f"{{key_{i}}} {{sizes[key_{i}]}}")
""",
    # a reading loop
    """with open(os.path.join(src_dir, "input_{i}.txt")) as source_{i}:
    text_{i} = source_{i}.read()
words_{i} = text_{i}.split()
total += len(words_{i})
""",
    # copies
    """for name_{i} in os.listdir(src_dir):
    shutil.copy(os.path.join(src_dir, name_{i}), out_dir)
""",
    # a last-one-wins search
    """latest_{i} = None
for candidate_{i} in Path(out_dir).iterdir():
    if candidate_{i}.suffix == ".ckpt":
        latest_{i} = candidate_{i}
manifest["latest_{i}"] = str(latest_{i})
""",
    # a narrow handler around a write
    """try:
    Path(out_dir, "done_{i}").write_text("ok")
except FileNotFoundError:
    pass
""",
)

FUNCTION_HEAD = """def {name}(src_dir, out_dir, config, records, tags):
    paths = []
    lines = []
    results = []
    manifest = {{}}
    sizes = {{}}
    totals = {{}}
    total = 0
"""

FUNCTION_TAIL = """    with open(os.path.join(out_dir, "manifest.json"), "w") as manifest_handle:
        json.dump(manifest, manifest_handle, sort_keys=True)
    return manifest, paths, lines, results, sizes, totals, total
"""


def indent(text: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))


def make_function(name: str, rng: random.Random, counter: Callable[[], int], target_lines: int, prefix: str) -> str:
    parts = [FUNCTION_HEAD.format(name=name)]
    lines = parts[0].count("\n") + FUNCTION_TAIL.count("\n")
    while lines < target_lines:
        block = rng.choice(BLOCKS).format(i=counter())
        parts.append(indent(block, "    "))
        lines += block.count("\n")
    parts.append(FUNCTION_TAIL)
    return indent("".join(parts), prefix)


def make_module(module: int, rng: random.Random, target_lines: int) -> str:
    count = [0]

    def counter() -> int:
        count[0] += 1
        return count[0]

    chunks = [HEADER.format(module=module)]
    lines = HEADER.count("\n")
    index = 0
    while lines < target_lines:
        length = rng.randrange(200, 360)
        if index % 3 == 2:
            # methods of a class, as in stage or flow classes
            chunk = f"class Stage{index}:\n" + make_function(f"run_{index}", rng, counter, length, "    ")
            chunk = chunk.replace("(src_dir,", "(self, src_dir,", 1)
        else:
            chunk = make_function(f"step_{index}", rng, counter, length, "")
        chunks.append(chunk + "\n\n")
        lines += chunk.count("\n") + 2
        index += 1
    return "".join(chunks)


def write_corpus(out_dir: str, modules: int = 20, seed: int = 11, lines: int = 4000) -> list[str]:
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for module in range(modules):
        target = rng.randrange(int(lines * 0.75), int(lines * 1.25) + 1)
        path = os.path.join(out_dir, f"stage_{module:02d}.py")
        text = make_module(module, rng, target)
        with open(path, "w", encoding="utf-8") as handle:  # noqa: DET101  (benchmark input)
            handle.write(text)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--lines", type=int, default=4000, help="about how many lines per module")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    written = write_corpus(args.out_dir, args.modules, args.seed, args.lines)
    print(f"wrote {len(written)} modules to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
