"""Recall spot check, step 1: candidate hazard sites that determinism-lint leaves unflagged.

For each corpus (an extracted public code base, never imported or executed) this

1. parses every Python file the tool would check (same discovery and excludes) with ``ast``
   and collects *candidate* sites by syntax alone: file writes, copies and renames,
   directory listings, broad or bare handlers, hash inputs, set iteration, dict iteration in
   code that dumps JSON/YAML, completion-order results (see ``CATEGORIES``);
2. runs ``determinism-lint check --format json`` (default settings) over the corpus and marks
   a candidate *flagged* when a finding lies on its line or inside the same statement (for a
   compound statement — ``for``, ``with``, ``if``, ``except`` … — its header lines);
3. draws a seeded random sample of the *unflagged* candidates outside test code, spread over
   categories and corpora, and writes it with per-category counts to
   ``benchmarks/recall/<label>/candidates.json``.

Only paths, line numbers, categories and API names are written: no source text.

Usage::

    python benchmarks/recall/candidates.py --label 2026-12-02-before \\
        --corpora /work/corpora --tool .venv/bin/determinism-lint

The sample is deterministic: candidates are sorted before sampling and the generator is
seeded (``--seed``, default 20261202).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from determinism_lint.discovery import discover  # noqa: E402
from determinism_lint.runtime import write_atomic_text  # noqa: E402
from determinism_lint.settings import Settings  # noqa: E402

SEED = 20261202
SAMPLE_SIZE = 60
CORPORA = (
    "huggingface+datasets",
    "joblib+joblib",
    "kedro-org+kedro",
    "Lightning-AI+pytorch-lightning",
    "Netflix+metaflow",
    "iterative+dvc",
)

CATEGORIES = {
    "write-open": "open()/io/gzip/bz2/lzma/codecs/tarfile.open, zipfile.ZipFile with a w/x/a mode",
    "write-method-open": "X.open(..., 'w'...) on anything else (Path.open, fsspec fs.open, ...)",
    "write-path": "Path.write_text / Path.write_bytes",
    "write-dump": "json/yaml/pickle dump into a stream; to_csv/to_parquet/...; numpy/torch save",
    "copy-rename": "shutil.copy*/copytree/move, os.rename/replace/renames",
    "listing": "os.listdir/scandir/walk, glob.glob/iglob, .glob/.rglob/.iterdir/.listdir/.ls",
    "broad-handler": "bare except, except Exception/BaseException (not ending in raise)",
    "hash-input": "hashlib/xxhash constructor with data, .update() on such a hasher",
    "builtin-hash": "builtin hash(...)",
    "set-iteration": "iteration over a set known by syntax (constructor, literal, algebra, "
    "annotation, a name or attribute bound to one)",
    "dict-iteration-near-dump": "iteration over .items()/.keys()/.values() in a function "
    "that also calls json/yaml dump(s)",
    "completion-order": "as_completed / imap_unordered",
}

WRITE_MODE = re.compile(r"^[rwxabt+U:gzbz2xz]*[wxa][rwxabt+U:gzbz2xz]*$")
OPENERS = {
    "io.open",
    "codecs.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tarfile.open",
    "zipfile.ZipFile",
    "gzip.GzipFile",
}
JSON_DUMP = {"json.dump", "simplejson.dump", "ujson.dump"}
JSON_DUMPS = {"json.dumps", "simplejson.dumps", "ujson.dumps"}
YAML_DUMP = {"yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all"}
PICKLE_DUMP = {"pickle.dump", "cloudpickle.dump", "dill.dump", "joblib.dump", "marshal.dump"}
PATH_SAVERS = {
    "torch.save",
    "numpy.save",
    "numpy.savez",
    "numpy.savez_compressed",
    "numpy.savetxt",
    "pyarrow.parquet.write_table",
}
FRAME_WRITERS = {"to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "to_hdf", "to_excel"}
COPIERS = {
    "shutil.copy",
    "shutil.copy2",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "os.rename",
    "os.replace",
    "os.renames",
}
LISTERS = {"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob"}
LIST_METHODS = {"glob", "rglob", "iterdir", "listdir", "scandir", "walk", "ls"}
NOT_LISTERS = {"ast.walk", "os.path.walk"}
HASH_MODULES = ("hashlib.", "xxhash.")
ORDER_FREE = {"sorted", "set", "frozenset", "len", "any", "all", "sum", "min", "max", "Counter"}
ITER_CALLS = {"list", "tuple", "enumerate", "iter", "next", "zip", "dict"}
SET_TYPES = {"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"}
SET_METHODS = {"union", "intersection", "difference", "symmetric_difference"}
TEST_DIRS = {"test", "tests"}


def is_test_path(path: str) -> bool:
    """Test code as the design defines it: tests/ (or test/), test_*.py, *_test.py, conftest.py."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(part in TEST_DIRS for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


class Module:
    """Name resolution and syntactic facts for one parsed file."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.aliases: dict[str, str] = {}
        self.defined: set[str] = set()
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        self.aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.defined.add(target.id)
        self.set_attrs = self._set_attributes()
        self.hasher_names, self.hasher_attrs = self._hashers()

    # -- names -------------------------------------------------------------------------

    def dotted(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def builtin(self, node: ast.AST, name: str) -> bool:
        return (
            isinstance(node, ast.Name)
            and node.id == name
            and name not in self.aliases
            and name not in self.defined
        )

    # -- sets ----------------------------------------------------------------------------

    def _set_attributes(self) -> set[str]:
        """Attribute names (``self.x``) bound to a set or annotated as one anywhere here."""
        attrs: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and self.is_set(node.value, (), ()):
                        attrs.add(target.attr)
            elif isinstance(node, ast.AnnAssign) and is_set_annotation(node.annotation):
                if isinstance(node.target, ast.Attribute):
                    attrs.add(node.target.attr)
                elif isinstance(node.target, ast.Name):
                    # a class-level field (dataclass) becomes an attribute
                    if isinstance(self.parents.get(node), ast.ClassDef):
                        attrs.add(node.target.id)
        return attrs

    def is_set(self, node: ast.AST, names: Iterable[str], attrs: Iterable[str]) -> bool:
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        if isinstance(node, ast.Call):
            if self.builtin(node.func, "set") or self.builtin(node.func, "frozenset"):
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in SET_METHODS:
                return self.is_set(node.func.value, names, attrs)
            return False
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
        ):
            return self.is_set(node.left, names, attrs) or self.is_set(node.right, names, attrs)
        if isinstance(node, ast.Name):
            return node.id in names
        if isinstance(node, ast.Attribute):
            return node.attr in attrs
        return False

    def set_names(self, scope: ast.AST) -> set[str]:
        """Names bound to a set in ``scope`` (flow-insensitive, one pass to a fixed point)."""
        names: set[str] = set()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = scope.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
                if arg.annotation is not None and is_set_annotation(arg.annotation):
                    names.add(arg.arg)
        for _ in range(3):
            before = len(names)
            for node in walk_scope(scope):
                if isinstance(node, ast.Assign) and self.is_set(node.value, names, self.set_attrs):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names.add(target.id)
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    if is_set_annotation(node.annotation) or (
                        node.value is not None
                        and self.is_set(node.value, names, self.set_attrs)
                    ):
                        names.add(node.target.id)
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    if self.is_set(node.value, names, self.set_attrs) and isinstance(
                        node.op, (ast.BitOr, ast.BitAnd)
                    ):
                        names.add(node.target.id)
            if len(names) == before:
                break
        return names

    # -- hashers ---------------------------------------------------------------------------

    def is_hasher_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        name = self.dotted(node.func) or ""
        return name.startswith(HASH_MODULES)

    def _hashers(self) -> tuple[set[str], set[str]]:
        names: set[str] = set()
        attrs: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and self.is_hasher_call(node.value):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names.add(target.id)
                    elif isinstance(target, ast.Attribute):
                        attrs.add(target.attr)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if self.is_hasher_call(item.context_expr) and isinstance(
                        item.optional_vars, ast.Name
                    ):
                        names.add(item.optional_vars.id)
        return names, attrs


def is_set_annotation(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return False
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr in SET_TYPES
    return isinstance(node, ast.Name) and node.id in SET_TYPES


def walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of ``scope`` without descending into nested functions and classes."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            yield node


def const_str(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def argument(call: ast.Call, index: int, *keywords: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return None


def is_write_mode(mode: Optional[str]) -> bool:
    return mode is not None and bool(WRITE_MODE.match(mode))


# -- candidate collection ---------------------------------------------------------------


class Candidate(dict):
    """corpus, path, line, category, api (what matched), span (statement lines)."""


def statement_span(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> tuple[int, int]:
    """Lines of the statement holding ``node``: the whole simple statement, or the header
    of a compound one (``for``/``with``/``if``/``while``/``def``/``except`` ...)."""
    current = node
    while current is not None and not isinstance(current, (ast.stmt, ast.ExceptHandler)):
        current = parents.get(current)
    if current is None:
        line = getattr(node, "lineno", 1)
        return line, line
    body = getattr(current, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.AST):
        first = body[0]
        start = current.lineno
        end = max(start, getattr(first, "lineno", start) - 1)
        # decorators come before the def line: keep the header from the def keyword
        return start, end
    return current.lineno, getattr(current, "end_lineno", current.lineno) or current.lineno


def directly_inside(node: ast.AST, module: Module, names: set[str]) -> bool:
    """``node`` is the first argument of ``sorted(...)``/``set(...)``/``len(...)``/..."""
    parent = module.parents.get(node)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        func = parent.func
        if isinstance(func, ast.Name) and func.id in names:
            return True
    return False


def iterated(node: ast.AST, module: Module) -> bool:
    """``node`` is iterated in order: a for loop, a comprehension, list()/tuple()/join()..."""
    parent = module.parents.get(node)
    if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
        return True
    if isinstance(parent, ast.comprehension) and parent.iter is node:
        return True
    if isinstance(parent, ast.Call) and node in parent.args:
        func = parent.func
        if isinstance(func, ast.Name) and func.id in ITER_CALLS:
            return True
        if isinstance(func, ast.Attribute) and func.attr in {"join", "extend", "writelines"}:
            return True
    if isinstance(parent, ast.Starred):
        return True
    return False


def collect(module: Module) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, category, api) for every candidate site; category ``prefiltered:<category>``
    marks a site dropped as trivially order-insensitive or re-raising."""
    yield from _writes_and_listings(module)
    yield from _handlers(module)
    yield from _scoped(module)


def _writes_and_listings(module: Module) -> Iterator[tuple[ast.AST, str, str]]:
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = module.dotted(func) or ""
        attr = func.attr if isinstance(func, ast.Attribute) else None
        # writes ---------------------------------------------------------------------
        if module.builtin(func, "open") or name in OPENERS:
            mode = const_str(argument(node, 1, "mode"))
            if is_write_mode(mode):
                yield node, "write-open", f"{name or 'open'}(mode={mode!r})"
        elif attr == "open" and name not in OPENERS:
            first = const_str(node.args[0]) if node.args else None
            if first is not None and len(first) <= 4 and re.match(r"^[rwxabt+]+$", first):
                mode = first
            else:
                mode = const_str(argument(node, 1, "mode"))
            if is_write_mode(mode):
                yield node, "write-method-open", f".open(mode={mode!r})"
        if attr in ("write_text", "write_bytes"):
            yield node, "write-path", f".{attr}"
        if name in JSON_DUMP and argument(node, 1, "fp") is not None:
            yield node, "write-dump", name
        elif name in YAML_DUMP and argument(node, 1, "stream") is not None:
            yield node, "write-dump", name
        elif name in PICKLE_DUMP and argument(node, 1, "file", "filename") is not None:
            yield node, "write-dump", name
        elif name in PATH_SAVERS:
            yield node, "write-dump", name
        elif attr in FRAME_WRITERS and argument(node, 0, "path_or_buf", "path", "excel_writer"):
            yield node, "write-dump", f".{attr}"
        if name in COPIERS:
            yield node, "copy-rename", name
        # listings ---------------------------------------------------------------------
        if name in LISTERS or (
            attr in LIST_METHODS and name not in NOT_LISTERS and not name.startswith("ast.")
        ):
            if directly_inside(node, module, ORDER_FREE):
                yield node, "prefiltered:listing", name or f".{attr}"
            else:
                yield node, "listing", name if name in LISTERS else f".{attr}"
        # hashes ---------------------------------------------------------------------
        if module.is_hasher_call(node) and (node.args or node.keywords):
            if name not in ("hashlib.new",) or len(node.args) >= 2 or node.keywords:
                yield node, "hash-input", name
        if attr == "update" and node.args:
            receiver = func.value
            if (
                module.is_hasher_call(receiver)
                or isinstance(receiver, ast.Name)
                and receiver.id in module.hasher_names
                or isinstance(receiver, ast.Attribute)
                and receiver.attr in module.hasher_attrs
            ):
                yield node, "hash-input", ".update"
        if module.builtin(func, "hash"):
            yield node, "builtin-hash", "hash"
        # completion order ---------------------------------------------------------------
        last = attr or (func.id if isinstance(func, ast.Name) else None)
        if last in ("as_completed", "imap_unordered"):
            yield node, "completion-order", last


def _handlers(module: Module) -> Iterator[tuple[ast.AST, str, str]]:
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.ExceptHandler):
            continue
        kinds = []
        if node.type is None:
            kinds = ["bare"]
        else:
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            kinds = [
                t.id for t in types if isinstance(t, ast.Name) and t.id in ("Exception", "BaseException")
            ]
        if not kinds:
            continue
        api = "except:" if kinds == ["bare"] else f"except {kinds[0]}"
        if node.body and isinstance(node.body[-1], ast.Raise):
            yield node, "prefiltered:broad-handler", api
        else:
            yield node, "broad-handler", api


def _scoped(module: Module) -> Iterator[tuple[ast.AST, str, str]]:
    for scope in scopes(module.tree):
        nodes = list(walk_scope(scope))
        names = module.set_names(scope) if not isinstance(scope, ast.Lambda) else set()
        dumps = any(
            isinstance(n, ast.Call)
            and (module.dotted(n.func) or "") in JSON_DUMP | JSON_DUMPS | YAML_DUMP
            for n in nodes
        )
        for node in nodes:
            if not isinstance(node, ast.expr):
                continue
            if module.is_set(node, names, module.set_attrs) and iterated(node, module):
                yield node, "set-iteration", "set"
            if (
                dumps
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("items", "keys", "values")
                and not node.args
                and iterated(node, module)
            ):
                yield node, "dict-iteration-near-dump", f".{node.func.attr}()"


def corpus_candidates(corpus_root: Path, corpus: str) -> tuple[list[Candidate], Counter]:
    settings = Settings()
    previous = os.getcwd()
    os.chdir(corpus_root)
    try:
        files = discover(["."], settings)
    finally:
        os.chdir(previous)
    found: dict[tuple, Candidate] = {}
    prefiltered: Counter = Counter()
    for path in files:
        try:
            source = (corpus_root / path).read_bytes()
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        module = Module(tree)
        for node, category, api in collect(module):
            if category.startswith("prefiltered:"):
                prefiltered[category.split(":", 1)[1]] += 1
                continue
            line = node.lineno
            key = (corpus, path, line, category)
            if key in found:
                continue
            span = statement_span(node, module.parents)
            found[key] = Candidate(
                corpus=corpus, path=path, line=line, category=category, api=api,
                span=list(span), test=is_test_path(path),
            )
    return sorted(found.values(), key=sort_key), prefiltered


def sort_key(c: dict) -> tuple:
    return (c["category"], c["corpus"], c["path"], c["line"])


# -- the tool ---------------------------------------------------------------------------


def run_tool(tool: str, corpus_root: Path) -> list[dict]:
    result = subprocess.run(
        [tool, "check", "--format", "json", "--exit-zero", "-q", "."],
        cwd=corpus_root, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{tool} failed on {corpus_root}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def mark_flagged(candidates: list[Candidate], findings: list[dict]) -> None:
    by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for finding in findings:
        by_path[finding["path"]].append((finding["line"], finding["code"]))
    for candidate in candidates:
        start, end = candidate["span"]
        lines = {candidate["line"]} | set(range(start, end + 1))
        codes = sorted({code for line, code in by_path.get(candidate["path"], ()) if line in lines})
        candidate["flagged_by"] = codes


# -- sampling ---------------------------------------------------------------------------


def draw(pool: list[dict], size: int, seed: int) -> list[dict]:
    """Spread ``size`` picks over categories (equal quotas, leftovers redistributed), and
    inside a category over corpora (round robin over a shuffled corpus order)."""
    rng = random.Random(seed)
    by_category: dict[str, list[dict]] = defaultdict(list)
    for candidate in sorted(pool, key=sort_key):
        by_category[candidate["category"]].append(candidate)
    categories = sorted(by_category)
    quota = {c: 0 for c in categories}
    remaining = size
    while remaining > 0:
        open_ = [c for c in categories if quota[c] < len(by_category[c])]
        if not open_:
            break
        for category in open_:
            if remaining == 0:
                break
            quota[category] += 1
            remaining -= 1
    picked: list[dict] = []
    for category in categories:
        per_corpus: dict[str, list[dict]] = defaultdict(list)
        for candidate in by_category[category]:
            per_corpus[candidate["corpus"]].append(candidate)
        order = sorted(per_corpus)
        for corpus in order:
            rng.shuffle(per_corpus[corpus])
        rng.shuffle(order)
        chosen: list[dict] = []
        while len(chosen) < quota[category]:
            for corpus in order:
                if per_corpus[corpus] and len(chosen) < quota[category]:
                    chosen.append(per_corpus[corpus].pop())
        picked.extend(sorted(chosen, key=sort_key))
    return picked


def git_head(path: Path) -> tuple[str, bool]:
    head = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return head, bool(dirty)


def corpus_shas(corpora: Path) -> dict[str, str]:
    shas = {}
    shas_file = corpora / "SHAS.txt"
    if shas_file.exists():
        for line in shas_file.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                shas[parts[0]] = parts[1]
    return shas


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="output folder under benchmarks/recall/")
    parser.add_argument("--corpora", default="/work/corpora", type=Path)
    parser.add_argument("--tool", default=str(ROOT / ".venv" / "bin" / "determinism-lint"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--size", type=int, default=SAMPLE_SIZE)
    parser.add_argument("corpus", nargs="*", default=list(CORPORA))
    args = parser.parse_args(argv)

    shas = corpus_shas(args.corpora)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    pool: list[dict] = []
    prefiltered_total: Counter = Counter()
    for corpus in sorted(args.corpus):
        root = args.corpora / corpus
        candidates, prefiltered = corpus_candidates(root, corpus)
        prefiltered_total.update(prefiltered)
        mark_flagged(candidates, run_tool(args.tool, root))
        per_category: dict[str, dict[str, int]] = {}
        for category in CATEGORIES:
            mine = [c for c in candidates if c["category"] == category]
            non_test = [c for c in mine if not c["test"]]
            per_category[category] = {
                "all": len(mine),
                "non_test": len(non_test),
                "non_test_flagged": sum(1 for c in non_test if c["flagged_by"]),
            }
        counts[corpus] = per_category
        pool.extend(c for c in candidates if not c["test"] and not c["flagged_by"])
        print(f"{corpus}: {len(candidates)} candidates, "
              f"{sum(1 for c in candidates if c['flagged_by'])} flagged", file=sys.stderr)

    sample = draw(pool, args.size, args.seed)
    tool_commit, dirty = git_head(ROOT)
    out = {
        "label": args.label,
        "tool_commit": tool_commit,
        "tool_tree_dirty": dirty,
        "tool_command": "determinism-lint check --format json --exit-zero -q .  (cwd: corpus root)",
        "seed": args.seed,
        "corpora": {corpus: shas.get(corpus, "unknown") for corpus in sorted(args.corpus)},
        "categories": CATEGORIES,
        "test_code_excluded_from_sample": "tests/ or test/ folders, test_*.py, *_test.py, conftest.py",
        "prefiltered_not_candidates": {
            "listing": "first argument of sorted/set/frozenset/len/any/all/sum/min/max/Counter",
            "broad-handler": "handler whose last statement is a raise",
            "counts": dict(sorted(prefiltered_total.items())),
        },
        "counts": counts,
        "sample": [
            {
                "id": f"R{index:03d}",
                "corpus": c["corpus"],
                "path": c["path"],
                "line": c["line"],
                "category": c["category"],
                "api": c["api"],
            }
            for index, c in enumerate(sample, 1)
        ],
    }
    target = Path(__file__).resolve().parent / args.label
    target.mkdir(parents=True, exist_ok=True)
    write_atomic_text(target / "candidates.json", json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"wrote {target / 'candidates.json'}: {len(sample)} sampled of {len(pool)} unflagged "
          f"non-test candidates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
