"""DET301/DET302 fixes on realistic code: the fixtures, and what the fixed code does when it runs.

The behavioural tests run small programs before and after the fix in a subprocess whose
directory listings come back in a perturbed order (the start-up hook of ``determinism-lint
verify``): the fixed program visits the same entries, prunes the same directories, and prints
the same order under every perturbation.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tokenize
from collections import Counter
from pathlib import Path

import pytest

import determinism_lint
from determinism_lint.cli import main
from determinism_lint.engine import Engine
from determinism_lint.fixer import fix_source
from determinism_lint.settings import Settings

from ..helpers import check_result

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERIFY_SITE = Path(determinism_lint.__file__).resolve().parent / "_verify_site"
ORDERS = ("reverse", "shuffle:1", "shuffle:7")
DET3 = ("DET301", "DET302")


def _comments(source: str) -> Counter:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return Counter(token.string for token in tokens if token.type == tokenize.COMMENT)


def _det3(source: str) -> list:
    result = check_result(source, "fixture.py")
    assert result.checked
    return [f for f in result.findings if f.code in DET3]


def _fixed(source: str) -> str:
    result = fix_source(textwrap.dedent(source).encode(), "snippet.py", Engine(Settings()), unsafe=False)
    assert result.error is None and not result.dropped, (result.error, result.dropped)
    return result.new.decode() if result.new is not None else textwrap.dedent(source)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    return tmp_path


# -- the fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["det3_pipeline.py", "det3_walks.py"])
def test_fixture_fix(project: Path, name: str, capsys) -> None:
    original = (FIXTURES / name).read_text(encoding="utf-8")
    before = _det3(original)
    without_fix = Counter(f.code for f in before if f.fix is None)
    assert len(before) > len(without_fix) > 0
    copy = project / name
    shutil.copyfile(FIXTURES / name, copy)

    assert main(["fix", name]) == 1  # findings without a fix are left: exit 1, like `ruff --fix`
    fixed = copy.read_text(encoding="utf-8")
    assert fixed != original
    ast.parse(fixed)
    # Converged: only the findings reported without a fix are left, and nothing new appeared.
    after = check_result(fixed, name).findings
    assert all(f.code in DET3 and f.fix is None for f in after), after
    assert Counter(f.code for f in after) == without_fix
    # Idempotent.
    assert main(["fix", name]) == 1
    assert copy.read_text(encoding="utf-8") == fixed
    # Every comment is still there (the `# expect:` markers included).
    assert _comments(fixed) == _comments(original)
    # Only lines that were flagged changed, plus the inserted `x.sort()` lines.
    old_lines = set(original.splitlines())
    for line in fixed.splitlines():
        if line not in old_lines:
            assert "sorted(" in line or line.strip().endswith(".sort()"), line
    capsys.readouterr()


def test_pipeline_fixture_fix_forms(project: Path) -> None:
    shutil.copyfile(FIXTURES / "det3_pipeline.py", project / "p.py")
    main(["fix", "p.py"])
    fixed = (project / "p.py").read_text(encoding="utf-8")
    for line in (
        'CONFIG_FILES = sorted(glob.glob("configs/*.yaml"))  # expect: DET301',
        "    return sorted(root.glob(SHARD_PATTERN))  # expect: DET301",
        '        return sorted(self.root.glob("*.parquet"))[-1]  # expect: DET301',
        '    return next(iter(sorted(ckpt_dir.glob("*.pt"))))  # expect: DET301',
        '    for path in sorted(iglob(os.path.join(data_dir, "**", "*.jsonl"), recursive=True)):  # expect: DET301',
        "        for entry in sorted(scandir(shard_dir), key=lambda entry: entry.name):  # expect: DET301",
        '    paths += sorted(glob.glob(os.path.join(data_dir, "extra-*.parquet")))  # expect: DET301',
        "    for position, name in enumerate(sorted(os.listdir(shard_dir))):  # expect: DET301",
        # Left alone: `with os.scandir(...) as entries` has no fix.
        "    with os.scandir(shard_dir) as entries:  # expect: DET301",
    ):
        assert line + "\n" in fixed, line


def test_walks_fixture_fix_forms(project: Path) -> None:
    shutil.copyfile(FIXTURES / "det3_walks.py", project / "w.py")
    main(["fix", "w.py"])
    fixed = (project / "w.py").read_text(encoding="utf-8")
    assert (
        "    for dirpath, dirnames, filenames in os.walk(root):  # expect: DET302\n"
        "        dirnames.sort()\n"
        "        filenames.sort()\n"
        "        dirnames[:] = [name for name in dirnames if name not in SKIP_DIRS]\n"
    ) in fixed
    # Already sorted directories: the file names are sorted right after them.
    assert (
        "            dirnames.sort()\n"
        "            filenames.sort()\n"
        "            for name in filenames:\n"
        "                print(os.path.join(dirpath, name), file=handle)\n"
    ) in fixed
    # Only the directory order mattered here.
    assert (
        "    for dirpath, dirnames, filenames in os.walk(root):  # expect: DET302\n"
        "        dirnames.sort()\n"
        '        if "pyproject.toml" in filenames:\n'
    ) in fixed
    # The trap stays a finding, never `sorted(os.walk(...))`, and is not rewritten.
    assert "    for dirpath, dirnames, filenames in sorted(os.walk(root)):  # expect: DET302\n" in fixed
    assert fixed.count("sorted(os.walk(") == 1
    # `for dirpath, _, filenames`: the directory list has no name to sort.
    assert "    for dirpath, _, filenames in os.walk(root):  # expect: DET302\n        for name" in fixed


# -- running the fixed code -------------------------------------------------------------------


def _run(script: Path, order: str, *args: str) -> object:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(VERIFY_SITE), env.get("PYTHONPATH")]))
    env["DETERMINISM_VERIFY_DIRORDER"] = order
    env["PYTHONHASHSEED"] = "0"
    done = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "not perturbed" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _outputs(script: Path, *args: str) -> list[object]:
    return [_run(script, order, *args) for order in ORDERS]


def _fix_script(path: Path) -> str:
    before = path.read_text(encoding="utf-8")
    fixed = _fixed(before)
    assert fixed != before
    assert [f for f in _det3(fixed) if f.fix is not None] == []
    path.write_text(fixed, encoding="utf-8")
    return fixed


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    files = [
        "README.md",
        "setup.cfg",
        "b.txt",
        "a.txt",
        ".git/HEAD",
        ".git/objects/ab/cdef",
        "pkg/__init__.py",
        "pkg/zeta.py",
        "pkg/alpha.py",
        "pkg/__pycache__/alpha.cpython-311.pyc",
        "pkg/sub/mid.py",
        "pkg/sub/deep/leaf.py",
        "docs/index.md",
        "docs/api.md",
        "data/x.bin",
        "data/.git/config",
    ]
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    return root


PRUNING_WALK = """\
import json
import os
import sys

SKIP_DIRS = {".git", "__pycache__"}


def release_files(root):
    visited, files = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        # Prune VCS metadata and caches: the walk must not descend into them.
        dirnames[:] = [name for name in dirnames if name not in SKIP_DIRS]
        visited.append(os.path.relpath(dirpath, root))
        for name in filenames:
            files.append(os.path.relpath(os.path.join(dirpath, name), root))
    return visited, files


print(json.dumps(release_files(sys.argv[1])))
"""


def test_fixed_pruning_walk_keeps_pruning_and_is_deterministic(tmp_path: Path, tree: Path) -> None:
    script = tmp_path / "walk.py"
    script.write_text(PRUNING_WALK)
    before = _outputs(script, str(tree))
    assert len({json.dumps(out) for out in before}) > 1  # the perturbation shows the hazard

    fixed = _fix_script(script)
    assert "        dirnames.sort()\n        filenames.sort()\n        # Prune VCS metadata" in fixed
    after = _outputs(script, str(tree))
    assert all(out == after[0] for out in after)  # the same order under every perturbation
    visited, files = after[0]
    # The same directories and files as before the fix: pruning still works.
    for old_visited, old_files in before:
        assert sorted(old_visited) == sorted(visited)
        assert sorted(old_files) == sorted(files)
    assert not any(".git" in part or "__pycache__" in part for part in visited + files)
    # Top-down, directories and file names in sorted order.
    assert visited == [".", "data", "docs", "pkg", "pkg/sub", "pkg/sub/deep"]
    assert files == [
        "README.md",
        "a.txt",
        "b.txt",
        "setup.cfg",
        "data/x.bin",
        "docs/api.md",
        "docs/index.md",
        "pkg/__init__.py",
        "pkg/alpha.py",
        "pkg/zeta.py",
        "pkg/sub/mid.py",
        "pkg/sub/deep/leaf.py",
    ]


SCANDIR = """\
import json
import os
import sys


def manifest(directory):
    lines = []
    for entry in os.scandir(directory):
        if entry.is_file():
            lines.append(entry.name)
    return lines


def first_entry(directory):
    return next(os.scandir(directory)).name


def all_entries(directory):
    entries = list(os.scandir(directory))
    return [entry.name for entry in entries]


print(json.dumps([manifest(sys.argv[1]), first_entry(sys.argv[1]), all_entries(sys.argv[1])]))
"""


def test_fixed_scandir_sorts_by_name_without_type_error(tmp_path: Path, tree: Path) -> None:
    script = tmp_path / "scan.py"
    script.write_text(SCANDIR)
    before = _outputs(script, str(tree))
    assert len({json.dumps(out) for out in before}) > 1

    fixed = _fix_script(script)
    assert "for entry in sorted(os.scandir(directory), key=lambda entry: entry.name):" in fixed
    assert "next(iter(sorted(os.scandir(directory), key=lambda entry: entry.name))).name" in fixed
    assert "entries = sorted(os.scandir(directory), key=lambda entry: entry.name)" in fixed
    after = _outputs(script, str(tree))  # no TypeError: DirEntry objects are never compared
    assert all(out == after[0] for out in after)
    names = sorted(os.listdir(tree))
    assert after[0] == [[n for n in names if (tree / n).is_file()], names[0], names]


GLOB_NEXT = """\
import json
import sys
from pathlib import Path


def latest_checkpoint(ckpt_dir):
    return next(Path(ckpt_dir).glob("*.pt")).name


def first_or_none(ckpt_dir):
    return next(Path(ckpt_dir).glob("*.missing"), None)


print(json.dumps([latest_checkpoint(sys.argv[1]), first_or_none(sys.argv[1])]))
"""


def test_fixed_next_of_glob(tmp_path: Path) -> None:
    script = tmp_path / "ckpt.py"
    script.write_text(GLOB_NEXT)
    one = tmp_path / "one"
    one.mkdir()
    (one / "step-100.pt").write_text("x")
    (one / "notes.txt").write_text("x")
    several = tmp_path / "several"
    several.mkdir()
    for name in ("step-300.pt", "step-100.pt", "step-200.pt"):
        (several / name).write_text("x")
    single_before = _outputs(script, str(one))
    several_before = _outputs(script, str(several))
    assert len({json.dumps(out) for out in several_before}) > 1

    fixed = _fix_script(script)
    assert 'return next(iter(sorted(Path(ckpt_dir).glob("*.pt")))).name' in fixed
    assert 'return next(iter(sorted(Path(ckpt_dir).glob("*.missing"))), None)' in fixed
    # One match: the same element as before; none: the default, as before.
    assert _outputs(script, str(one)) == single_before == [["step-100.pt", None]] * len(ORDERS)
    # Several: now always the first in sorted order.
    assert _outputs(script, str(several)) == [["step-100.pt", None]] * len(ORDERS)


ITERATORS = """\
import glob
import json
import os
import sys


def header_and_rest(pattern):
    found = glob.iglob(pattern)
    header = next(found)
    return [header, [os.path.basename(p) for p in found]]


def shard_paths(directory):
    return (os.path.basename(p) for p in glob.iglob(os.path.join(directory, "*")))


def twice(directory):
    names = glob.iglob(os.path.join(directory, "*"))
    first = [os.path.basename(p) for p in names]
    second = [os.path.basename(p) for p in names]
    return [first, second]


print(json.dumps([header_and_rest(os.path.join(sys.argv[1], "*")), list(shard_paths(sys.argv[1])), twice(sys.argv[1])]))
"""


def test_fixed_iterators_stay_iterators(tmp_path: Path, tree: Path) -> None:
    script = tmp_path / "iters.py"
    script.write_text(ITERATORS)
    fixed = _fix_script(script)
    # `next` on the name, or the name used twice: it stays a one-pass iterator.
    assert "    found = iter(sorted(glob.iglob(pattern)))\n" in fixed
    assert '    names = iter(sorted(glob.iglob(os.path.join(directory, "*"))))\n' in fixed
    assert 'for p in sorted(glob.iglob(os.path.join(directory, "*"))))' in fixed
    after = _outputs(script, str(tree))
    assert all(out == after[0] for out in after)
    names = sorted(name for name in os.listdir(tree) if not name.startswith("."))  # `*` skips dot files
    header, rest = after[0][0]
    assert os.path.basename(header) == names[0] and rest == names[1:]
    assert after[0][1] == names
    assert after[0][2] == [names, []]  # the second pass of a one-pass iterator is still empty


# -- sites that keep or lose their fix ------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        # A local list iterated once: a plain `sorted(...)`.
        (
            "def f(root):\n    paths = root.rglob('*.py')\n    for p in paths:\n        out.append(p)\n",
            "def f(root):\n    paths = sorted(root.rglob('*.py'))\n    for p in paths:\n        out.append(p)\n",
        ),
        # Iterated inside a loop that does not rebind it: only the first pass saw the entries.
        (
            "def f(root, xs):\n    paths = root.glob('*')\n    for x in xs:\n        for p in paths:\n"
            "            out.append((x, p))\n",
            "def f(root, xs):\n    paths = iter(sorted(root.glob('*')))\n    for x in xs:\n        for p in paths:\n"
            "            out.append((x, p))\n",
        ),
        # Module level: other modules may import the iterator.
        (
            "from pathlib import Path\nSHARDS = Path('data').glob('*.parquet')\n\ndef shard_manifest():\n    return list(SHARDS)\n",
            "from pathlib import Path\nSHARDS = iter(sorted(Path('data').glob('*.parquet')))\n\n"
            "def shard_manifest():\n    return list(SHARDS)\n",
        ),
        # Joined, starred, chained: any iterable will do.
        (
            "import glob\nemit(', '.join(glob.iglob('*.md')))\nemit([*glob.iglob('*.txt')])\n",
            "import glob\nemit(', '.join(sorted(glob.iglob('*.md'))))\nemit([*sorted(glob.iglob('*.txt'))])\n",
        ),
        # A multi-line `list(...)` with a trailing comma: sorted inside it.
        (
            "import os\nentries = list(\n    os.scandir(d),\n)\nemit(entries)\n",
            "import os\nentries = list(\n    sorted(os.scandir(d), key=lambda entry: entry.name),\n)\nemit(entries)\n",
        ),
        # The directory list is `_`, but only the file names need sorting.
        (
            "import os\nfor root, _, files in sorted(os.walk(d)):\n    for f in files:\n        out.append(f)\n",
            "import os\nfor root, _, files in sorted(os.walk(d)):\n    files.sort()\n    for f in files:\n"
            "        out.append(f)\n",
        ),
        # Nested walks: each loop gets its own sorts, with its own names.
        (
            "import os\nfor a, ad, af in os.walk(x):\n    for b, bd, bf in os.walk(a):\n        out.append(bf)\n"
            "    out.append(af)\n",
            "import os\nfor a, ad, af in os.walk(x):\n    ad.sort()\n    af.sort()\n    for b, bd, bf in os.walk(a):\n"
            "        bd.sort()\n        bf.sort()\n        out.append(bf)\n    out.append(af)\n",
        ),
    ],
)
def test_fix_forms(source: str, expected: str) -> None:
    assert _fixed(source) == expected
    assert _fixed(expected) == expected


@pytest.mark.parametrize(
    "source",
    [
        # The iterator object itself is used.
        "import glob\ndef f(p):\n    it = glob.iglob(p)\n    out.extend(it)\n    it.close()\n",
        "import os\ndef manifest_names(d):\n    it = os.scandir(d)\n    with it:\n        return [e.name for e in it]\n",
        # A DirEntry iterator handed to code we cannot see.
        "import os\ndef f(d):\n    return consume(os.scandir(d))\n",
        # `_` as the directory list, and the directory order matters.
        "import os\nfor root, _, files in os.walk(d):\n    out.append(root)\n",
    ],
)
def test_sites_without_a_fix(source: str) -> None:
    findings = _det3(source)
    assert findings and all(f.fix is None for f in findings)
    assert _fixed(source) == source


def test_shadowed_sorted_has_no_fix() -> None:
    source = "import os\ndef sorted(x):\n    return x\nfor n in os.listdir(d):\n    out.append(n)\n"
    (finding,) = _det3(source)
    assert finding.fix is None
    assert _fixed(source) == source
