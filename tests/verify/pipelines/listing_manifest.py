"""Lists an input directory without sorting, through every listing API, one manifest each.

Usage: listing_manifest.py INPUT_DIR OUT_DIR. ``sorted.txt`` is the only order-proof file.
``child_listdir.txt`` comes from a Python subprocess, which inherits any perturbation through
the environment.
"""

import glob
import os
import subprocess
import sys
from pathlib import Path

src, out = sys.argv[1], sys.argv[2]


def write(name, items):
    with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
        handle.write("\n".join(items) + "\n")


write("listdir.txt", os.listdir(src))
write("scandir.txt", [entry.name for entry in os.scandir(src)])
write("iterdir.txt", [path.name for path in Path(src).iterdir()])
write("path_glob.txt", [path.name for path in Path(src).glob("*.csv")])
write("rglob.txt", [path.relative_to(src).as_posix() for path in Path(src).rglob("*.csv")])
write("glob.txt", [os.path.basename(path) for path in glob.glob(os.path.join(src, "*.csv"))])
write("iglob.txt", [os.path.basename(path) for path in glob.iglob(os.path.join(src, "*.csv"))])
write("walk.txt", [f"{os.path.relpath(top, src)}: {' '.join(d)} | {' '.join(f)}" for top, d, f in os.walk(src)])
write("sorted.txt", sorted(os.listdir(src)))
child = subprocess.run(
    [sys.executable, "-c", "import os, sys; print('\\n'.join(os.listdir(sys.argv[1])))", src],
    capture_output=True,
    text=True,
    check=True,
)
with open(os.path.join(out, "child_listdir.txt"), "w", encoding="utf-8") as handle:
    handle.write(child.stdout)
