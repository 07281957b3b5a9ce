"""DET3xx: directory listings consumed in the file system's arbitrary order."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from ..model import FixSafety
from ._order import (
    consumer_is_order_sensitive,
    describe,
    loop_body_is_order_sensitive,
    name_uses_are_order_sensitive,
    returned_to_unknown_callers,
    sorts_in_place,
)
from ._util import argument, keyword, local_nodes, name_index, walk_local
from .base import NO_FIX, Invalid, Report, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixContext
    from ..settings import Settings

#: Module functions that list a directory, by resolved name, and what they yield.
MODULE_LISTINGS: dict[str, str] = {
    "glob.glob": "list",
    "glob.iglob": "list",
    "os.fwalk": "walk",
    "os.listdir": "list",
    "os.scandir": "scandir",
    "os.walk": "walk",
}

#: ``pathlib.Path`` methods, recognised by name and argument shape (the receiver's type is unknown).
_PATH_KEYWORDS: dict[str, frozenset[str]] = {
    "glob": frozenset({"case_sensitive", "recurse_symlinks"}),
    "rglob": frozenset({"case_sensitive", "recurse_symlinks"}),
    "iterdir": frozenset(),
    "walk": frozenset({"top_down", "on_error", "follow_symlinks"}),
}
_PATH_POSITIONALS = {"glob": 1, "rglob": 1, "iterdir": 0, "walk": 0}

#: Names that make a call worth resolving; everything else is rejected by looking at ``call.func``.
_QUICK_NAMES = frozenset({"fwalk", "glob", "iglob", "iterdir", "listdir", "rglob", "scandir", "walk"})

# fsspec-style file systems (``fs.glob(...)``, ``self.s3fs.glob(...)``) return sorted lists.
_FILESYSTEM_RECEIVER = re.compile(
    r"^(?:_?fs|.+_fs|s3fs|gcsfs|hdfs|webhdfs|adlfs|abfs|_?(?:file_?system)|.+_file_?system)$", re.IGNORECASE
)
_FILESYSTEM_MODULES = ("fsspec", "gcsfs", "s3fs", "adlfs")
#: Packages whose file-system classes are fsspec file systems.
_FILESYSTEM_PACKAGES = (*_FILESYSTEM_MODULES, "huggingface_hub")

_ALIAS_RE = re.compile(r"\b(?:listdir|scandir|walk|fwalk|glob|iglob)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)")

_WALK_WRAPPERS = frozenset({"builtins.sorted", "builtins.list", "builtins.tuple"})


@dataclass(frozen=True)
class Listing:
    """A call that lists a directory."""

    call: ast.Call
    #: How messages spell it: ``os.listdir()``, ``Path.glob()``.
    label: str
    #: ``"list"`` (names or paths), ``"scandir"`` (``DirEntry`` objects), ``"walk"``, ``"extra"``.
    kind: str


@dataclass(frozen=True)
class _Extras:
    dotted: frozenset[str]
    methods: frozenset[str]
    quick: frozenset[str]


def _extras(ctx: Context) -> _Extras:
    def compute() -> _Extras:
        dotted: set[str] = set()
        methods: set[str] = set()
        for entry in ctx.settings.extra_enumerators:
            name = entry.split(":", 1)[0]
            if name.startswith("."):
                methods.add(name[1:])
            else:
                dotted.add(name)
        quick = set(_QUICK_NAMES) | methods | {name.rsplit(".", 1)[-1] for name in dotted}
        # ``from os import listdir as ls``, in any scope: ``ls`` is worth resolving too.
        quick.update(_ALIAS_RE.findall(ctx.source))
        known = set(MODULE_LISTINGS) | dotted
        quick.update(alias for alias, target in ctx.resolver.bindings(ctx.tree).items() if target in known)
        return _Extras(frozenset(dotted), frozenset(methods), frozenset(quick))

    return ctx.memo("fs_order.extras", ctx.tree, compute)  # type: ignore[return-value]


def find_listing(call: ast.Call, ctx: Context) -> Optional[Listing]:
    """The directory listing ``call`` makes, or ``None``; cheap for every other call."""
    func = call.func
    if isinstance(func, ast.Attribute):
        short = func.attr
    elif isinstance(func, ast.Name):
        short = func.id
    else:
        return None
    extras = _extras(ctx)
    if short not in extras.quick:
        return None
    name = ctx.call_name(call)
    if name is not None:
        kind = MODULE_LISTINGS.get(name)
        if kind is not None:
            return Listing(call, f"{name}()", kind)
        if name in extras.dotted:
            return Listing(call, f"{name}()", "extra")
    if not isinstance(func, ast.Attribute):
        return None
    if short in extras.methods:
        return Listing(call, f".{short}()", "extra")
    if short in _PATH_KEYWORDS and _has_path_shape(call, func, name, ctx):
        if short == "walk" and not _is_walk_loop(call, ctx):
            return None  # ``tree.walk()``, ``msg.walk()``: only ``for root, dirs, files in p.walk()`` is a Path
        label = f"{name}()" if name is not None else f"Path.{short}()"  # ``tf.io.gfile.glob`` keeps its name
        return Listing(call, label, "walk" if short == "walk" else "list")
    return None


def _is_walk_loop(call: ast.Call, ctx: Context) -> bool:
    loop = ctx.parent(call)
    return (
        isinstance(loop, (ast.For, ast.AsyncFor))
        and loop.iter is call
        and isinstance(loop.target, (ast.Tuple, ast.List))
        and len(loop.target.elts) == 3
    )


def _has_path_shape(call: ast.Call, func: ast.Attribute, name: Optional[str], ctx: Context) -> bool:
    method = func.attr
    if len(call.args) != _PATH_POSITIONALS[method] or any(isinstance(arg, ast.Starred) for arg in call.args):
        return False
    if any(kw.arg is None or kw.arg not in _PATH_KEYWORDS[method] for kw in call.keywords):
        return False
    if name is not None and name.split(".", 1)[0] in ("glob", "os", "ast", *_FILESYSTEM_MODULES):
        return False  # a module function of the same name, not a Path method
    if call.args and not _may_be_pattern(call.args[0]):
        return False  # ``parser.glob(lambda: ...)``: some other ``glob``
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return False  # a class's own ``glob``/``iterdir`` method, rarely a Path subclass
    last = None
    if isinstance(receiver, ast.Attribute):
        last = receiver.attr
    elif isinstance(receiver, ast.Name):
        last = receiver.id
    if last is not None and _FILESYSTEM_RECEIVER.match(last):
        return False
    if isinstance(receiver, ast.Name) and _bound_to_filesystem(receiver, ctx):
        return False  # ``dirfs = DirFileSystem(fs=..., path=...)``: an fsspec glob, sorted
    receiver_name = ctx.qualified_name(receiver.func) if isinstance(receiver, ast.Call) else None
    return not (receiver_name is not None and receiver_name.split(".", 1)[0] in _FILESYSTEM_MODULES)


_EXISTENCE_TESTS = frozenset({"isfile", "exists", "access", "is_file"})


def _locates_a_program(escape: ast.AST, ctx: Context) -> bool:
    """``for candidate in candidates: if os.path.isfile(candidate): return candidate`` in a
    function that falls back to a bare program name (``return "git"``): it locates an
    executable, and any installed copy it finds gives the same effect."""
    if not (isinstance(escape, ast.Return) and isinstance(escape.value, ast.Name)):
        return False
    function = ctx.enclosing_function(escape)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.body:
        return False
    last = function.body[-1]
    if not (
        isinstance(last, ast.Return)
        and isinstance(last.value, ast.Constant)
        and isinstance(last.value.value, str)
        and last.value.value
        and not any(sep in last.value.value for sep in "/\\ ")
    ):
        return False
    found = escape.value.id
    for ancestor in ctx.ancestors(escape):
        if ancestor is function:
            return False
        if isinstance(ancestor, ast.If):
            for test in ast.walk(ancestor.test):
                if (
                    isinstance(test, ast.Call)
                    and _last_attr(test.func) in _EXISTENCE_TESTS
                    and any(isinstance(inner, ast.Name) and inner.id == found for inner in ast.walk(test))
                ):
                    return True
    return False


def _last_attr(func: ast.AST) -> Optional[str]:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _bound_to_filesystem(name: ast.Name, ctx: Context) -> bool:
    """``name`` is bound in its scope (or at module level) to an fsspec-style file system made
    by a call into one of its packages (``DirFileSystem(...)``, ``fsspec.filesystem("s3")``,
    ``HfFileSystem(...)``): their ``glob`` returns a sorted list."""
    for scope in (ctx.enclosing_scope(name), ctx.tree):
        for node in ctx.fact(local_nodes, scope):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and any(isinstance(target, ast.Name) and target.id == name.id for target in node.targets)
            ):
                qualified = ctx.call_name(node.value) or ""
                if qualified.split(".", 1)[0] in _FILESYSTEM_PACKAGES:
                    return True
    return False


def _may_be_pattern(expr: ast.AST) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    return not isinstance(expr, (ast.Lambda, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.GeneratorExp))


def matches_at_most_one(listing: Listing, ctx: Context) -> bool:
    """``glob.glob("config.yaml")``, ``p.glob(glob.escape(name))``: a pattern without wildcards."""
    call = listing.call
    if listing.label not in ("glob.glob()", "glob.iglob()") and not listing.label.endswith(".glob()"):
        return False
    pattern = argument(call, 0, "pathname")
    if isinstance(pattern, ast.Constant) and isinstance(pattern.value, (str, bytes)):
        text = pattern.value if isinstance(pattern.value, str) else pattern.value.decode("latin-1")
        return not any(char in text for char in "*?[")
    return isinstance(pattern, ast.Call) and ctx.call_name(pattern) == "glob.escape"


def _listing_call_names(settings: Settings) -> frozenset[str]:
    """Callee names that can be a listing: the engine routes only these calls (and their
    ``from ... import ... as`` aliases) to the DET3xx rules."""
    names = set(_QUICK_NAMES)
    for entry in settings.extra_enumerators:
        names.add(entry.split(":", 1)[0].rsplit(".", 1)[-1].lstrip("."))
    return frozenset(names)


class UnsortedListing(Rule):
    """
    ## What it does
    Flags a directory listing whose result is used in an order-sensitive way: `os.listdir`,
    `os.scandir`, `glob.glob`, `glob.iglob`, `Path.glob`, `Path.rglob` and `Path.iterdir`
    (plus the calls named in `extra-enumerators`) whose entries are appended to a list that
    is returned or written, hashed, written to a file, numbered, picked with `next(...)` or
    `[0]`, or passed on to code that may depend on their order.

    Order-insensitive uses stay quiet: `sorted(...)`, `set(...)`, `len(...)`, `any`/`all`,
    `sum`/`min`/`max`, `collections.Counter`, membership and emptiness tests, set and dict
    comprehensions, logging, and loops that only delete, move or copy files, count, or store
    into a dict by key. A list that is sorted in place (`names.sort()`) before its first
    order-sensitive use is fine too. `os.walk` has its own rule (DET302).

    Returning or yielding the entries (or a list built from them) hands the order to the
    callers: that counts only where the function is artifact-shaping by evidence, or where a
    function of the same module calls it and lets the order escape. A drop-in wrapper of
    `os.listdir` whose callers this module cannot see mirrors the standard library's contract
    and stays quiet. A `return` inside the loop over the entries is a first match, flagged
    wherever it is. A `yield` inside it streams the entries to callers as the loop finds them:
    flagged unless the module's own callers (direct calls, or `map(gen, items)`) all consume
    the stream order-insensitively, such as patching each file in place; a recursive
    `yield from gen(child)` continues the same stream. fsspec file systems
    (`fs = DirFileSystem(...)`, `fsspec.filesystem(...)`, `HfFileSystem(...)`) return `glob`
    results sorted and are not listings. A first match that locates a program (the loop
    returns the first candidate that exists, the function falls back to a bare name such as
    `"git"`) is quiet: any installed copy gives the same effect. Entries grouped into the
    lists of a local dict (`groups[key].append(path)`) are judged by what the code does with
    the dict and each group it looks up: `len(groups[k])` and `min(groups, key=...)` ignore
    the order, writing or returning a group does not. A listing passed to a
    function of the same module
    (`delete_all(*root.glob("*.egg-info"))`, `write_lines(os.listdir(d), target)`) is judged
    by what that function does with the parameter, and the message names the sink inside it.

    ## Why is this bad?
    The operating system returns directory entries in whatever order the file system keeps
    them: it differs between ext4, XFS, APFS, NTFS and network file systems, and changes as
    files are created and deleted. A manifest, a shard list, a hash over "all files in the
    directory" or the checkpoint picked by `next(ckpt_dir.glob("*.pt"))` then differs from run
    to run and from machine to machine, and the artifact is no longer byte-identical.

    ## Example
    ```python
    import hashlib
    from pathlib import Path


    def dataset_fingerprint(root: Path) -> str:
        digest = hashlib.sha256()
        for shard in root.glob("*.parquet"):
            digest.update(shard.read_bytes())
        return digest.hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib
    from pathlib import Path


    def dataset_fingerprint(root: Path) -> str:
        digest = hashlib.sha256()
        for shard in sorted(root.glob("*.parquet")):
            digest.update(shard.read_bytes())
        return digest.hexdigest()
    ```

    ## Fix safety
    The fix wraps the listing in `sorted(...)`, which is safe: the same entries, now in a fixed
    order. `os.scandir` gets `sorted(..., key=lambda entry: entry.name)`, because `DirEntry`
    objects don't compare. `list(p.glob(...))` becomes `sorted(p.glob(...))` (a list either
    way). `sorted` returns a list, not an iterator, so where the consumer may need an iterator
    the fix keeps one: `next(p.glob(...))` becomes `next(iter(sorted(p.glob(...))))`, and a
    generator or `os.scandir` iterator that is returned, passed on, or used after `next(...)`
    is wrapped in `iter(sorted(...))`. Where the iterator object itself is used (`it.close()`,
    `with it:`), for `with os.scandir(...) as it` (sort where `it` is iterated), for an
    `os.scandir` iterator that leaves the function, and for calls named in `extra-enumerators`,
    whose entries may not be comparable, there is no fix.

    ## Test code
    Not checked in test code (`test-paths`): the order in which a test lists files reaches no
    artifact.

    ## References
    - [`os.listdir`: "The list is in arbitrary order"](https://docs.python.org/3/library/os.html#os.listdir)
    - [`os.scandir`: "The entries are yielded in arbitrary order"](https://docs.python.org/3/library/os.html#os.scandir)
    - [`glob`: the path names are returned in no particular order](https://docs.python.org/3/library/glob.html)
    - [`Path.glob` and `Path.rglob`: the paths are returned in no particular
      order](https://docs.python.org/3/library/pathlib.html#pathlib.Path.glob)
    - [bpo-30461](https://bugs.python.org/issue30461): sorting `glob.glob` results in CPython itself,
      asked for by reproducible-builds packagers, was declined; callers have to sort
    """

    code = "DET301"
    name = "unsorted-listing"
    message = "directory listing is used in the file system's arbitrary order: wrap it in `sorted(...)`"
    fix_title = "Wrap the listing in `sorted(...)`"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _listing_call_names(settings)

    VALID = (
        "import os\nnames = sorted(os.listdir(d))\nfor name in names:\n    out.append(name)\n",
        "import os\nfor name in os.listdir(tmp):\n    os.remove(os.path.join(tmp, name))\n",
        "import os\nif not os.listdir(d):\n    raise SystemExit('empty')\n",
        "import glob\ncount = len(glob.glob('*.csv'))\n",
        "from pathlib import Path\nhas_any = any(Path(d).iterdir())\n",
        "from pathlib import Path\nnames = {p.name for p in Path(d).glob('*.json')}\n",
        "import os\nif 'done' in os.listdir(d):\n    finish()\n",
        "def f(d):\n    names = os.listdir(d)\n    names.sort()\n    return names\n\nimport os\n",
        "import glob\nfiles = []\nfor f in glob.glob('*.txt'):\n    files.append(f)\nfiles.sort()\nemit(files)\n",
        "import os\nsizes = {name: os.path.getsize(name) for name in os.listdir('.')}\n",
        "from pathlib import Path\nlatest = max(Path(d).glob('*.pt'), key=lambda p: p.stat().st_mtime)\n",
        "import os\nimport logging\nlogging.info('found %s', os.listdir(d))\n",
        "def listdir(d):\n    return ['a', 'b']\n\nfor name in listdir('x'):\n    out.append(name)\n",
        "import fsspec\nfs = fsspec.filesystem('s3')\nfor path in fs.glob('bucket/*.json'):\n    out.append(path)\n",
        "import os\ndef xlistdir(path):\n    return os.listdir(path)\n",
        "import glob\ndef find_records(pattern, load):\n    found = []\n    for path in glob.iglob(pattern):\n"
        "        found.append(load(path))\n    return found\n",
        "from fsspec.implementations.dirfs import DirFileSystem\ndef stale_files(fs, root, data_dir):\n"
        "    dirfs = DirFileSystem(fs=fs, path=root)\n    return list(dirfs.glob(f'{data_dir}/*'))\n",
        "import glob\nfrom collections import defaultdict\ndef best_num_proc(prefix):\n"
        "    groups = defaultdict(list)\n    for path in glob.iglob(prefix + '*'):\n"
        "        groups[int(path.rsplit('_', 1)[1])].append(path)\n"
        "    return min(groups, key=lambda n: (n - len(groups[n]), n))\n",
        "import os\ndef find_git(root):\n    candidates = []\n    for sub in os.listdir(root):\n"
        "        candidates.append(os.path.join(root, sub, 'bin', 'git.exe'))\n    for candidate in candidates:\n"
        "        if os.path.isfile(candidate):\n            return candidate\n    return 'git'\n",
        # A generator whose only caller patches each file in place: the visiting order cannot matter.
        "from itertools import chain\ndef iter_subtree(path):\n    for item in path.iterdir():\n"
        "        if item.is_dir():\n            yield from iter_subtree(item)\n        else:\n            yield item\n"
        "def patch_all(paths):\n    for file in chain.from_iterable(map(iter_subtree, paths)):\n"
        "        file.write_text(file.read_text().replace('a', 'b'))\n",
    )
    INVALID = (
        Invalid(
            "import os\nfor name in os.listdir(d):\n    out.append(name)\n",
            fixed="import os\nfor name in sorted(os.listdir(d)):\n    out.append(name)\n",
        ),
        Invalid(
            "from os import listdir\ndef manifest_names(d):\n    return listdir(d)\n",
            fixed="from os import listdir\ndef manifest_names(d):\n    return sorted(listdir(d))\n",
        ),
        Invalid(
            "import glob as g\nfirst = g.glob('*.csv')[0]\n",
            fixed="import glob as g\nfirst = sorted(g.glob('*.csv'))[0]\n",
        ),
        Invalid(
            "from pathlib import Path\nckpt = next(Path(d).glob('*.pt'))\n",
            fixed="from pathlib import Path\nckpt = next(iter(sorted(Path(d).glob('*.pt'))))\n",
        ),
        Invalid(
            "import os\nfor i, name in enumerate(os.listdir(d)):\n    ids[name] = i\n",
            fixed="import os\nfor i, name in enumerate(sorted(os.listdir(d))):\n    ids[name] = i\n",
        ),
        Invalid(
            "import hashlib, os\nh = hashlib.sha256()\nfor e in os.scandir(d):\n    h.update(e.name.encode())\n",
            fixed="import hashlib, os\nh = hashlib.sha256()\n"
            "for e in sorted(os.scandir(d), key=lambda entry: entry.name):\n"
            "    h.update(e.name.encode())\n",
        ),
        Invalid(
            "import glob\ndef csv_manifest():\n    files = glob.glob('*.csv')\n    return ','.join(files)\n",
            fixed="import glob\ndef csv_manifest():\n    files = sorted(glob.glob('*.csv'))\n    return ','.join(files)\n",
        ),
        Invalid(
            "import json, glob\njson.dumps(glob.glob('*.csv'))\n",
            fixed="import json, glob\njson.dumps(sorted(glob.glob('*.csv')))\n",
        ),
        Invalid(
            "from pathlib import Path\ndef shard_manifest(root):\n    for p in root.rglob('*.parquet'):\n        yield p",
            fixed="from pathlib import Path\ndef shard_manifest(root):\n    for p in sorted(root.rglob('*.parquet')):\n"
            "        yield p",
        ),
        Invalid(
            "import os\ndef first_match(d):\n    for name in os.listdir(d):\n        if name.endswith('.pt'):\n"
            "            return name\n",
            fixed="import os\ndef first_match(d):\n    for name in sorted(os.listdir(d)):\n"
            "        if name.endswith('.pt'):\n"
            "            return name\n",
        ),
        Invalid(
            "import os\nwith os.scandir(d) as it:\n    for entry in it:\n        out.append(entry.name)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "for blob in client.list_blobs('bucket'):\n    out.append(blob)\n",
            fixed=NO_FIX,
            settings=(("extra_enumerators", (".list_blobs",)),),
        ),
        Invalid(
            "import glob\ntext = ''\nfor f in glob.iglob('*.md'):\n    text += f\nemit(text)\n",
            fixed="import glob\ntext = ''\nfor f in sorted(glob.iglob('*.md')):\n    text += f\nemit(text)\n",
        ),
        # ``list(...)`` of a listing: ``sorted(...)`` is a list too.
        Invalid(
            "def latest(root):\n    return list(root.glob('*.pt'))[-1]\n",
            fixed="def latest(root):\n    return sorted(root.glob('*.pt'))[-1]\n",
        ),
        Invalid(
            "import os\nentries = list(os.scandir(d))  # one pass\nemit([e.name for e in entries])\n",
            fixed="import os\nentries = sorted(os.scandir(d), key=lambda entry: entry.name)  # one pass\n"
            "emit([e.name for e in entries])\n",
        ),
        Invalid(
            "import os\nfirst = next(os.scandir(d))\n",
            fixed="import os\nfirst = next(iter(sorted(os.scandir(d), key=lambda entry: entry.name)))\n",
        ),
        # A generator that leaves the function stays an iterator: callers may call ``next`` on it.
        Invalid(
            "def shard_manifest(root):\n    return root.glob('*.parquet')\n",
            fixed="def shard_manifest(root):\n    return iter(sorted(root.glob('*.parquet')))\n",
        ),
        Invalid(
            "import glob\ndef f(pattern):\n    found = glob.iglob(pattern)\n    header = next(found)\n"
            "    return header, [p for p in found]\n",
            fixed="import glob\ndef f(pattern):\n    found = iter(sorted(glob.iglob(pattern)))\n"
            "    header = next(found)\n"
            "    return header, [p for p in found]\n",
        ),
        Invalid(
            "def manifest(root):\n    paths = root.iterdir()\n    return [p.name for p in paths]\n",
            fixed="def manifest(root):\n    paths = sorted(root.iterdir())\n    return [p.name for p in paths]\n",
        ),
        Invalid(
            "import os\ndef manifest_lines(d):\n    lines = []\n    for e in os.scandir(  # the shard directory\n        d\n    ):\n"
            "        lines.append(e.name)\n    return lines\n",
            fixed="import os\ndef manifest_lines(d):\n    lines = []\n    for e in sorted(os.scandir(  # the shard directory\n"
            "        d\n    ),"
            " key=lambda entry: entry.name):\n        lines.append(e.name)\n    return lines\n",
        ),
        # An iterator object: ``it.close()`` / returned ``DirEntry`` iterators have no fix.
        Invalid(
            "import os\ndef manifest_names(d):\n    it = os.scandir(d)\n    names = [e.name for e in it]\n    it.close()\n"
            "    return names\n",
            fixed=NO_FIX,
        ),
        Invalid("import os\ndef manifest_entries(d):\n    return os.scandir(d)\n", fixed=NO_FIX),
        Invalid(
            "import glob\nfrom collections import defaultdict\ndef shards_by_split(prefix, out):\n"
            "    groups = defaultdict(list)\n    for path in glob.iglob(prefix + '*'):\n"
            "        groups[path.split('-')[0]].append(path)\n    out.write('\\n'.join(groups['train']))\n",
            fixed="import glob\nfrom collections import defaultdict\ndef shards_by_split(prefix, out):\n"
            "    groups = defaultdict(list)\n    for path in sorted(glob.iglob(prefix + '*')):\n"
            "        groups[path.split('-')[0]].append(path)\n    out.write('\\n'.join(groups['train']))\n",
        ),
        Invalid(
            "def iter_subtree(path):\n    for item in path.iterdir():\n        if item.is_dir():\n"
            "            yield from iter_subtree(item)\n        else:\n            yield item\n"
            "def write_members(root, out):\n    for p in iter_subtree(root):\n        out.write(str(p) + '\\n')\n",
            fixed="def iter_subtree(path):\n    for item in sorted(path.iterdir()):\n        if item.is_dir():\n"
            "            yield from iter_subtree(item)\n        else:\n            yield item\n"
            "def write_members(root, out):\n    for p in iter_subtree(root):\n        out.write(str(p) + '\\n')\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        listing = find_listing(node, ctx)
        if listing is None or listing.kind == "walk" or matches_at_most_one(listing, ctx):
            return
        escape = consumer_is_order_sensitive(node, ctx)
        if escape is None or returned_to_unknown_callers(escape, ctx) or _locates_a_program(escape, ctx):
            return
        yield self._report(listing, escape, ctx)

    def _report(self, listing: Listing, escape: ast.AST, ctx: Context) -> Report:
        call = listing.call
        where = describe(escape)
        head = f"`{listing.label}` lists entries in arbitrary order and the order reaches {where}"
        if listing.kind == "extra":
            return Report(call, f"{head}: sort the entries", fixable=False, data=(("label", listing.label), ("reaches", where)))
        if isinstance(ctx.parent(call), ast.withitem):
            return Report(
                call,
                f"{head}: iterate the entries sorted, `sorted(it, key=lambda entry: entry.name)`",
                fixable=False,
                data=(("label", listing.label), ("reaches", where)),
            )
        by_name = listing.kind == "scandir"
        key = ", key=lambda entry: entry.name" if by_name else ""
        why = " (`DirEntry` objects don't compare)" if by_name else ""
        form = wrap_form(listing, ctx)
        data: tuple[tuple[str, object], ...] = (
            ("label", listing.label),
            ("key", "name" if by_name else ""),
            ("reaches", where),
        )
        if form is None:
            return Report(
                call,
                f"{head}: sort the entries where they are used (`sorted(...{key})`); no automatic fix, as the"
                " iterator itself is used (`.close()`, `with`) or leaves the function",
                fixable=False,
                data=data,
            )
        needs = ("sorted", "iter") if form in ("next", "iter") else ("sorted",)
        shadowed = [name for name in needs if ctx.resolver.resolve_name(name, call) != f"builtins.{name}"]
        if shadowed:
            return Report(
                call,
                f"{head}: sort it with the builtin `sorted(...{key})` (no automatic fix: `{shadowed[0]}` is"
                " not the builtin here)",
                fixable=False,
                data=data,
            )
        if form == "next":
            return Report(
                call,
                f"`next({listing.label})` picks an arbitrary entry: use `next(iter(sorted(...{key})))`{why}",
                # The message names the pick, not a use further on: no ``reaches``.
                data=(*(item for item in data if item[0] != "reaches"), ("wrap", "next_iter_sorted")),
            )
        if form == "list":
            return Report(
                call,
                f"{head}: sort it, `sorted(...{key})` instead of `list(...)`{why}",
                data=(*data, ("wrap", "list_to_sorted")),
            )
        if form == "iter":
            return Report(
                call,
                f"{head}: wrap it in `iter(sorted(...{key}))`, which stays an iterator{why}",
                data=(*data, ("wrap", "iter_sorted")),
            )
        wrap = "sorted_by_name" if by_name else "sorted"
        return Report(call, f"{head}: wrap it in `sorted(...{key})`{why}", data=(*data, ("wrap", wrap)))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        data = _fix_data(self, ctx)
        if data is None:
            return None
        return _listing_fix(node, ctx, str(data.get("wrap", "")), data.get("key") == "name")


class UnsortedWalk(Rule):
    """
    ## What it does
    Flags `os.walk(...)`, `os.fwalk(...)` and `Path.walk()` loops whose results depend on the
    order of the walk, when the directory list is not sorted in place (`dirs.sort()` or
    `dirs[:] = sorted(...)`) or the file names are iterated unsorted (`for name in files`
    instead of `for name in sorted(files)`).

    A walk whose body only deletes, copies, counts, sums, logs or stores into a dict by key is
    not flagged, and neither is one whose results are collected and sorted afterwards.
    Walks used in comprehensions or through `next(os.walk(...))` are flagged without a fix.
    A walk passed on whole to callers this module cannot see (`yield from os.walk(top)` in a
    function that is not artifact-shaping) stays quiet, as for DET301, and so does a drop-in
    walk whose callers in the module all loop over it as over `os.walk`, sorting the
    directory list in place and iterating the file names sorted.

    ## Why is this bad?
    `os.walk` lists every directory with `os.scandir`, so both the order in which
    subdirectories are visited and the order of the file names within each directory are
    whatever the file system returns. A manifest, archive or hash built while walking differs
    between machines and runs.

    Wrapping the walk in `sorted(os.walk(...))` is not the cure: it walks the whole tree before
    the loop body runs, so pruning with `dirs[:] = [...]` silently stops working, and the file
    names inside each directory are still unsorted. Sort the directory list in place at the top
    of the loop body (the walk descends in that order) and iterate the file names sorted.

    ## Example
    ```python
    import hashlib
    import os


    def tree_digest(root: str) -> str:
        digest = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                digest.update(os.path.join(dirpath, name).encode())
        return digest.hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib
    import os


    def tree_digest(root: str) -> str:
        digest = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                digest.update(os.path.join(dirpath, name).encode())
        return digest.hexdigest()
    ```

    ## Fix safety
    The fix inserts `dirnames.sort()` and `filenames.sort()` (those that need it, with the
    loop's own names) as the first statements of the loop body; it is safe: the same
    directories and files are visited, pruning with `dirnames[:] = ...` keeps working, and
    every use of the file names in the body sees them sorted. There is no fix when the list to
    sort is unpacked as `_` (name it first), for a bottom-up walk (`topdown=False`),
    where sorting the directory list in the loop body no longer changes the order (collect the
    results and sort them, or use `determinism_lint.runtime.walk_sorted`), for walks in
    comprehensions or through `next(...)`, for `sorted(os.walk(...))` that prunes, and for
    `list(os.walk(...))`, which has walked the whole tree before the loop body runs.

    ## Test code
    Not checked in test code (`test-paths`): the order in which a test walks a directory
    reaches no artifact.

    ## References
    - [`os.walk`: modifying `dirnames` in place with `topdown=True`](https://docs.python.org/3/library/os.html#os.walk)
    - [`pathlib.Path.walk`](https://docs.python.org/3/library/pathlib.html#pathlib.Path.walk)
    """

    code = "DET302"
    name = "unsorted-walk"
    message = (
        "`os.walk()` yields directories and file names in arbitrary order: sort the directory list"
        " in place and iterate the file names sorted"
    )
    fix_title = "Sort the directory list and the file names in place at the top of the loop body"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _listing_call_names(settings)

    VALID = (
        "import os\ndef xwalk(top, **kwargs):\n    yield from os.walk(top, **kwargs)\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    for f in sorted(files):\n"
        "        out.append(os.path.join(root, f))\n",
        "import os\nfor root, dirs, files in os.walk(tmp):\n    for f in files:\n"
        "        os.remove(os.path.join(root, f))\n",
        "import os\ntotal = 0\nfor root, dirs, files in os.walk(d):\n    total += len(files)\n",
        "import os\ndef f(d):\n    out = []\n    for root, dirs, files in os.walk(d):\n        for f in files:\n"
        "            out.append(os.path.join(root, f))\n    return sorted(out)\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    dirs[:] = sorted(x for x in dirs if x != '.git')\n"
        "    files.sort()\n    for f in files:\n        h.update(f.encode())\n",
        "import os\nsizes = {}\nfor root, dirs, files in os.walk(d):\n    for f in files:\n"
        "        p = os.path.join(root, f)\n        sizes[p] = os.path.getsize(p)\n",
        "import os\nfound = {os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs}\n",
        "import os\npaths = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)\n",
        "import ast\nfor node in ast.walk(tree):\n    out.append(node)\n",
        "from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    dirs.sort()\n"
        "    for f in sorted(files):\n"
        "        out.append(root / f)\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    if 'setup.py' in files:\n        seen.add(root)\n",
        "import os\ndef xwalk(top, **kwargs):\n    yield from os.walk(top, **kwargs)\n"
        "def iter_files(top):\n    for root, dirs, files in xwalk(top):\n        dirs[:] = sorted(dirs)\n"
        "        for name in sorted(files):\n            yield os.path.join(root, name)\n",
    )
    INVALID = (
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    for f in files:\n"
            "        out.append(os.path.join(root, f))\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        out.append(os.path.join(root, f))\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    for f in files:\n"
            "        h.update(f.encode())\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        h.update(f.encode())\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    dirs[:] = [x for x in dirs if x != '.git']\n"
            "    for f in sorted(files):\n        h.update(f.encode())\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n"
            "    dirs[:] = [x for x in dirs if x != '.git']\n    for f in sorted(files):\n"
            "        h.update(f.encode())\n",
        ),
        Invalid(
            "from os import walk\ndef f(d):\n    for root, _, files in walk(d):\n        if 'model.pt' in files:\n"
            "            return root\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    for f in files:\n"
            "        writer.writerow([root / f])\n",
            fixed="from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    dirs.sort()\n"
            "    files.sort()\n"
            "    for f in files:\n        writer.writerow([root / f])\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d, topdown=False):\n    dirs.sort()\n"
            "    for f in sorted(files):\n        out.append(f)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\ndef tree_manifest(d):\n    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    dirs[:] = [x for x in dirs if x != 'skip']\n"
            "    for f in sorted(files):\n        out.append(f)\n",
            fixed=NO_FIX,
        ),
        Invalid("import os\ndef f(d):\n    _, dirs, files = next(os.walk(d))\n    return dirs\n", fixed=NO_FIX),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    for f in files:\n        print(f, file=manifest)\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        print(f, file=manifest)\n",
        ),
        # Comments in the loop body stay with their statements; a one-line body becomes a block.
        Invalid(
            "import os\nfor top, subdirs, names in os.walk(d):  # the release tree\n    # skip VCS metadata\n"
            "    subdirs[:] = [s for s in subdirs if s != '.git']\n    out.extend(names)  # keep\n",
            fixed="import os\nfor top, subdirs, names in os.walk(d):  # the release tree\n    subdirs.sort()\n"
            "    names.sort()\n"
            "    # skip VCS metadata\n    subdirs[:] = [s for s in subdirs if s != '.git']\n"
            "    out.extend(names)  # keep\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d): out.extend(files)  # all of them\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):  # all of them\n    dirs.sort()\n    files.sort()\n"
            "    out.extend(files)\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    for f in files:\n        out.append(f)\n",
            fixed="import os\nfor root, dirs, files in sorted(os.walk(d)):\n    files.sort()\n    for f in files:\n"
            "        out.append(f)\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files, fd in os.fwalk(d):\n    for f in files:\n        out.append(f)\n",
            fixed="import os\nfor root, dirs, files, fd in os.fwalk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n        out.append(f)\n",
        ),
        Invalid(
            "import os\ndef xwalk(top):\n    yield from os.walk(top)\n"
            "def write_listing(top, out):\n    for root, dirs, files in xwalk(top):\n        for name in files:\n"
            "            out.write(name + '\\n')\n",
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        listing = find_listing(node, ctx)
        if listing is None or listing.kind != "walk":
            return
        parent = ctx.parent(node)
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            yield from self._check_loop(listing, parent, None, ctx)
            return
        if isinstance(parent, ast.Call) and node in parent.args:
            wrapper = ctx.call_name(parent)
            loop = ctx.parent(parent)
            if wrapper in _WALK_WRAPPERS and isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is parent:
                yield from self._check_loop(listing, loop, wrapper, ctx)
                return
            if wrapper == "builtins.next":
                report = self._check_next(listing, parent, ctx)
                if report is not None:
                    yield report
                return
        escape = consumer_is_order_sensitive(node, ctx)
        if (
            escape is not None
            and not returned_to_unknown_callers(escape, ctx)
            and not self._callers_sort_the_walk(listing, escape, ctx)
        ):
            yield Report(
                node,
                f"`{listing.label}` visits directories and files in arbitrary order and the order reaches"
                f" {describe(escape)}: sort the result",
                fixable=False,
                data=(("label", listing.label), ("reaches", describe(escape))),
            )

    def _callers_sort_the_walk(self, listing: Listing, escape: ast.AST, ctx: Context) -> bool:
        """A drop-in walk (``yield from os.walk(top)``, ``return os.walk(top)``) whose callers in
        this module all loop over it as over ``os.walk`` itself, sorting the directory list in
        place and iterating the file names sorted: the order they see is sorted."""
        if not (isinstance(escape, (ast.YieldFrom, ast.Return)) and escape.value is listing.call):
            return False
        function = ctx.enclosing_function(escape)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        calls = [call for call in ctx.calls_by_name.get(function.name, ()) if isinstance(call, ast.Call)]
        if not calls:
            return False
        for call in calls:
            loop = ctx.parent(call)
            if not (isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is call):
                return False
            if next(self._check_loop(Listing(call, listing.label, "walk"), loop, None, ctx), None) is not None:
                return False
        return True

    def _check_loop(
        self, listing: Listing, loop: Union[ast.For, ast.AsyncFor], wrapper: Optional[str], ctx: Context
    ) -> Iterator[Report]:
        call = listing.call
        dirs, files = _walk_names(loop.target)
        if wrapper is not None and dirs is not None and _prunes(loop, dirs):
            yield Report(
                call,
                f"`{wrapper.split('.')[-1]}({listing.label})` walks the whole tree before the loop starts, so changing"
                f" `{dirs}` in the loop prunes nothing: loop over the walk itself and sort `{dirs}` in place",
                fixable=False,
                data=(("label", listing.label),),
            )
            return
        walk_escape = loop_body_is_order_sensitive(loop, ctx) if wrapper != "builtins.sorted" else None
        if walk_escape is not None and _is_trailing_break(walk_escape, loop, _target_names(loop.target)):
            walk_escape = None  # ``if not recursive: break`` after the top directory
        if dirs is None:
            # ``for entry in os.walk(d)``: nothing to sort in place.
            if walk_escape is not None:
                yield Report(
                    call,
                    f"`{listing.label}` yields directories and files in arbitrary order and the order reaches"
                    f" {describe(walk_escape)}: unpack `root, dirs, files`, sort `dirs` in place and iterate"
                    " the file names sorted",
                    fixable=False,
                    data=(("label", listing.label), ("reaches", describe(walk_escape))),
                )
            return
        if wrapper in ("builtins.list", "builtins.tuple"):
            escape = walk_escape or (name_uses_are_order_sensitive(files, loop.target, loop, ctx) if files else None)
            if escape is not None:
                yield Report(
                    call,
                    f"`{wrapper.split('.')[-1]}({listing.label})` walks the whole tree in arbitrary order before the"
                    f" loop starts, and the order reaches {describe(escape)}: loop over the walk itself, sort"
                    f" `{dirs}` in place and iterate the file names sorted",
                    fixable=False,
                    data=(("label", listing.label), ("reaches", describe(escape))),
                )
            return
        # Bottom-up, the walk has already listed and descended before the body runs.
        dirs_sorted = _is_topdown(call, listing) and _sorted_in_body(loop, dirs)
        files_escape = None if files is None else name_uses_are_order_sensitive(files, loop.target, loop, ctx)
        if walk_escape is not None and returned_to_unknown_callers(walk_escape, ctx):
            walk_escape = None
        if files_escape is not None and returned_to_unknown_callers(files_escape, ctx):
            files_escape = None
        sort_dirs = walk_escape is not None and not dirs_sorted
        if not sort_dirs and files_escape is None:
            return
        escape = _first(walk_escape if sort_dirs else None, files_escape)
        head = (
            f"`{listing.label}` yields directories and files in arbitrary order and the order reaches"
            f" {describe(escape)}"
        )
        data: tuple[tuple[str, object], ...] = (
            ("label", listing.label),
            ("reaches", describe(escape)),
            ("dirs", dirs),
            ("files", files or ""),
            ("sort_dirs", sort_dirs),
            ("sort_files", files_escape is not None),
        )
        if sort_dirs and not _is_topdown(call, listing):
            yield Report(
                call,
                f"{head}: in a bottom-up walk sorting `{dirs}` in place changes nothing; collect the results and"
                " sort them, or walk with `determinism_lint.runtime.walk_sorted`",
                fixable=False,
                data=data,
            )
            return
        remedies = []
        if sort_dirs:
            if dirs == "_":
                remedies.append("name the directory list and sort it in place at the top of the loop body")
            else:
                remedies.append(f"add `{dirs}.sort()` at the top of the loop body")
        if files_escape is not None:
            remedies.append(f"sort `{files}` too (`{files}.sort()`, or iterate `sorted({files})`)")
        tail = f" (not `sorted({listing.label[:-1]}...))`, which stops `{dirs}[:]` pruning)" if sort_dirs else ""
        # ``for root, _, files in os.walk(d)``: the fix sorts the lists by name; ``_`` it leaves alone.
        unnamed = (sort_dirs and dirs == "_") or (files_escape is not None and files == "_")
        yield Report(call, f"{head}: {' and '.join(remedies)}{tail}", fixable=not unnamed, data=data)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        data = _fix_data(self, ctx)
        if data is None:
            return None
        names = [str(data[key]) for key, flag in (("dirs", "sort_dirs"), ("files", "sort_files")) if data.get(flag)]
        return _walk_fix(node, ctx, names)

    def _check_next(self, listing: Listing, next_call: ast.Call, ctx: Context) -> Optional[Report]:
        statement = ctx.parent(next_call)
        escape: Optional[ast.AST] = None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            dirs, files = _walk_names(statement.targets[0])
            scope = ctx.enclosing_scope(statement)
            for name in (dirs, files):
                if name is not None and escape is None:
                    escape = name_uses_are_order_sensitive(name, statement, scope, ctx)
        elif isinstance(statement, ast.Subscript) and statement.value is next_call:
            # ``next(os.walk(d))[2]``: the file names; ``[0]`` is the top directory itself.
            index = statement.slice
            if isinstance(index, ast.Constant) and index.value == 0:
                return None
            escape = consumer_is_order_sensitive(statement, ctx)
        else:
            escape = consumer_is_order_sensitive(next_call, ctx)
        if escape is None:
            return None
        return Report(
            listing.call,
            f"the name lists from `next({listing.label})` are in arbitrary order and the order reaches"
            f" {describe(escape)}: sort them (`sorted(...)`)",
            fixable=False,
            data=(("label", listing.label), ("reaches", describe(escape))),
        )


def _walk_names(target: ast.AST) -> tuple[Optional[str], Optional[str]]:
    """The directory-list and file-list names of a ``root, dirs, files`` target."""
    if not isinstance(target, (ast.Tuple, ast.List)) or len(target.elts) < 3:
        return None, None
    dirs, files = target.elts[1], target.elts[2]
    return (
        dirs.id if isinstance(dirs, ast.Name) else None,
        files.id if isinstance(files, ast.Name) else None,
    )


def _sorted_in_body(loop: Union[ast.For, ast.AsyncFor], dirs: str) -> bool:
    """``dirs.sort()``/``dirs[:] = sorted(...)``/``dirs.clear()`` in the body, or a body that always leaves."""
    if loop.body and isinstance(loop.body[-1], (ast.Break, ast.Return, ast.Raise)):
        return True  # only the top directory is looked at
    return any(isinstance(node, ast.stmt) and sorts_in_place(node, dirs) for node in walk_local(loop))


def _is_trailing_break(node: ast.AST, loop: Union[ast.For, ast.AsyncFor], names: set[str]) -> bool:
    """A ``break`` that ends a walk after the top directory whatever it holds (``if not recursive: break``)."""
    if not isinstance(node, ast.Break) or not loop.body:
        return False
    last = loop.body[-1]
    if last is node:
        return True
    return (
        isinstance(last, ast.If)
        and last.body == [node]
        and not last.orelse
        and not any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(last.test))
    )


def _target_names(target: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _prunes(loop: Union[ast.For, ast.AsyncFor], dirs: str) -> bool:
    for node in walk_local(loop):
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
            if any(_is_item_of(target, dirs) for target in targets):
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("remove", "clear", "pop")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == dirs
        ):
            return True
    return False


def _is_item_of(target: ast.AST, name: str) -> bool:
    return isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name


def _is_topdown(call: ast.Call, listing: Listing) -> bool:
    flag = keyword(call, "top_down" if listing.label.startswith("Path.") else "topdown")
    if flag is None and not listing.label.startswith("Path."):
        flag = argument(call, 1)
    return not (isinstance(flag, ast.Constant) and flag.value is False)


def _first(*nodes: Optional[ast.AST]) -> ast.AST:
    found = [node for node in nodes if node is not None]
    return min(found, key=lambda node: (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))


# -- fixes --------------------------------------------------------------------------------------

#: Listings that return a list: ``sorted(...)`` is a drop-in replacement wherever they are used.
_LIST_RESULTS = frozenset({"os.listdir()", "glob.glob()"})

#: Calls that take any iterable and go through it once, by the position(s) of that argument
#: (``None``: every positional argument).
_ITERABLE_CONSUMERS: dict[str, Optional[frozenset[int]]] = {
    "builtins.list": None,
    "builtins.tuple": None,
    "builtins.enumerate": frozenset({0}),
    "builtins.zip": None,
    "builtins.map": None,  # not the function: see ``_takes_iterable``
    "builtins.filter": frozenset({1}),
    "itertools.chain": None,
    "itertools.islice": frozenset({0}),
    "itertools.zip_longest": None,
    "itertools.product": None,
}

_REPEATING = (ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def wrap_form(listing: Listing, ctx: Context) -> Optional[str]:
    """How the fix sorts ``listing`` without changing what its consumer gets.

    ``"sorted"``: ``sorted(x)`` (a list is fine there); ``"list"``: ``list(x)`` becomes
    ``sorted(x)``; ``"next"``: ``next(iter(sorted(x)))``; ``"iter"``: ``iter(sorted(x))``, for
    a generator or iterator whose consumer is not seen (returned, passed on, used twice);
    ``None`` when no wrapping keeps the behaviour (``it.close()``, a ``DirEntry`` iterator that
    leaves the function).
    """
    call = listing.call
    parent = ctx.parent(call)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is call:
        name = ctx.call_name(parent)
        if name == "builtins.next":
            return "next"
        if name == "builtins.list" and len(parent.args) == 1 and not parent.keywords:
            return "list"
    if listing.label in _LIST_RESULTS or _takes_iterable(call, ctx):
        return "sorted"
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return _assigned_form(targets[0].id, parent, listing, ctx)
    return "iter" if listing.kind != "scandir" else None


def _takes_iterable(node: ast.AST, ctx: Context) -> bool:
    """``node`` is iterated once, right where it stands, by something that takes any iterable."""
    parent = ctx.parent(node)
    if isinstance(parent, (ast.For, ast.comprehension)):
        return parent.iter is node
    if isinstance(parent, (ast.Starred, ast.YieldFrom)):
        return True
    if isinstance(parent, ast.AugAssign):
        return parent.value is node and isinstance(parent.op, ast.Add)  # ``names += ...``
    if not isinstance(parent, ast.Call) or not any(arg is node for arg in parent.args):
        return False
    index = next(position for position, arg in enumerate(parent.args) if arg is node)
    func = parent.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "join"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, (str, bytes))
    ):
        return len(parent.args) == 1 and not parent.keywords  # ``", ".join(...)``
    name = ctx.call_name(parent)
    if name not in _ITERABLE_CONSUMERS:
        return False
    if name == "builtins.map":
        return index > 0
    positions = _ITERABLE_CONSUMERS[name]
    return positions is None or index in positions


def _assigned_form(name: str, statement: ast.AST, listing: Listing, ctx: Context) -> Optional[str]:
    """The wrapping for ``name = <listing>``, from every use of ``name`` in its scope."""
    fallback = "iter" if listing.kind != "scandir" else None
    scope = ctx.enclosing_scope(statement)
    if isinstance(scope, ast.Module):
        return fallback  # other modules may import it
    index = ctx.fact(name_index, scope)  # one pass per function, not one per listing
    if name in index.declared:
        return fallback
    stores = index.args.get(name, 0)
    loads: list[ast.Name] = []
    for node in index.names.get(name, ()):
        if isinstance(node.ctx, ast.Load):
            loads.append(node)
        else:
            stores += 1
    kinds = [_use_kind(node, ctx) for node in loads]
    if "object" in kinds:
        return None  # ``it.close()``, ``with it:``: a list would not do
    if stores == 1 and kinds == ["iterate"] and _runs_once_after(loads[0], statement, ctx):
        return "sorted"
    if stores == 1 and all(kind in ("iterate", "next") for kind in kinds):
        return "iter"
    return fallback


def _use_kind(node: ast.Name, ctx: Context) -> str:
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute) or isinstance(parent, ast.withitem):
        return "object"
    if _takes_iterable(node, ctx):
        return "iterate"
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node and ctx.call_name(parent) in (
        "builtins.next",
        "builtins.iter",
    ):
        return "next"
    return "other"


def _runs_once_after(use: ast.AST, statement: ast.AST, ctx: Context) -> bool:
    """``use`` comes after ``statement`` in its block and runs at most once per run of it."""
    block = ctx.parent(statement)
    end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)  # type: ignore[attr-defined]
    if (use.lineno, use.col_offset) < end:  # type: ignore[attr-defined]
        return False
    child = use
    for ancestor in ctx.ancestors(use):
        if ancestor is block:
            return True
        if isinstance(ancestor, _REPEATING):
            return False
        if isinstance(ancestor, (ast.For, ast.AsyncFor)) and child is not ancestor.iter:
            return False
        if isinstance(ancestor, ast.comprehension) and child is not ancestor.iter:
            return False
        if isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and (
            child is not ancestor.generators[0]
        ):
            return False
        child = ancestor
    return False


def _fix_data(rule: Rule, ctx: FixContext) -> Optional[dict[str, object]]:
    """The data of ``rule``'s fixable report at the finding being fixed, from ``check`` itself."""
    view = ctx.analysis
    call = view.call_at(ctx.finding)
    if call is None:
        return None
    for report in rule.check(call, view.ctx):
        if report.node is call and report.fixable:
            return dict(report.data)
    return None


def _listing_fix(node: Any, ctx: FixContext, wrap: str, by_name: bool) -> Optional[Edit]:
    import libcst as cst

    from ..cst_util import as_argument_value
    from ..fixer import Edit

    if not isinstance(node, cst.Call) or wrap not in (
        "sorted",
        "sorted_by_name",
        "list_to_sorted",
        "iter_sorted",
        "next_iter_sorted",
    ):
        return None
    as_iterator = wrap in ("iter_sorted", "next_iter_sorted")

    def with_key(arg: cst.Arg) -> list[cst.Arg]:
        """``arg, key=lambda entry: entry.name`` for ``DirEntry`` objects; ``arg`` alone otherwise."""
        if not by_name:
            return [arg]
        key = cst.Arg(
            keyword=cst.Name("key"),
            value=cst.parse_expression("lambda entry: entry.name"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
        )
        return [arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), key]

    if wrap == "list_to_sorted":
        parent = ctx.parent(node)
        outer = ctx.parent(parent) if isinstance(parent, cst.Arg) else None
        if isinstance(outer, cst.Call) and len(outer.args) == 1 and (
            not by_name or outer.args[0].comma is cst.MaybeSentinel.DEFAULT
        ):

            def to_sorted(updated: Any) -> Any:
                return updated.with_changes(func=cst.Name("sorted"), args=with_key(updated.args[0]))

            return Edit(outer, to_sorted)
        # ``list(\n    os.scandir(d),\n)``: sorting inside the ``list(...)`` is as good.

    def wrap_in_sorted(updated: Any) -> Any:
        listing = cst.Arg(as_argument_value(updated))
        result: cst.BaseExpression = cst.Call(func=cst.Name("sorted"), args=with_key(listing))
        if as_iterator:
            result = cst.Call(func=cst.Name("iter"), args=[cst.Arg(result)])
        return result

    return Edit(node, wrap_in_sorted)


def _walk_fix(node: Any, ctx: FixContext, names: list[str]) -> Optional[Edit]:
    """``dirs.sort()`` and ``files.sort()`` as the first statements of the walk's loop body."""
    import libcst as cst

    from ..cst_util import prepend_statements
    from ..fixer import Edit

    if not names or any(not name.isidentifier() or name == "_" for name in names):
        return None
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, cst.For):
            if ancestor.iter is not child:
                return None
            loop = ancestor
            break
        if not isinstance(ancestor, (cst.Arg, cst.Call)):
            return None  # ``sorted(os.walk(d))`` is as far as the walk may be wrapped
        child = ancestor
    else:
        return None
    statements = [
        cst.SimpleStatementLine(
            body=[cst.Expr(cst.Call(func=cst.Attribute(value=cst.Name(name), attr=cst.Name("sort"))))]
        )
        for name in names
    ]
    names_of_lists = _walk_list_names(loop)

    def insert(updated: Any) -> Any:
        old = updated.body
        if isinstance(old, cst.IndentedBlock):
            # After a ``dirs.sort()`` the body already starts with, so the two sorts read in order.
            skip = 0
            while skip < len(old.body) and _sorts_a_walk_list(old.body[skip], names_of_lists):
                skip += 1
            if skip:
                return updated.with_changes(
                    body=old.with_changes(body=[*old.body[:skip], *statements, *old.body[skip:]])
                )
        body = prepend_statements(old, statements, drop_pass=False)
        if isinstance(old, cst.SimpleStatementSuite) and old.trailing_whitespace.comment is not None:
            # ``for ...: body  # comment``: the comment stays on the header line, spaced as it was.
            body = body.with_changes(header=body.header.with_changes(whitespace=old.trailing_whitespace.whitespace))
        return updated.with_changes(body=body)

    return Edit(loop, insert)


def _walk_list_names(loop: Any) -> set[str]:
    """The directory-list and file-list names a walk loop unpacks (``root, dirs, files``)."""
    import libcst as cst

    target = loop.target
    if not isinstance(target, (cst.Tuple, cst.List)):
        return set()
    return {element.value.value for element in target.elements[1:3] if isinstance(element.value, cst.Name)}


def _sorts_a_walk_list(statement: Any, names: set[str]) -> bool:
    """``dirs.sort()`` on a line of its own, for one of ``names``."""
    import libcst as cst

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call) or small.value.args:
        return False
    func = small.value.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "sort"
        and isinstance(func.value, cst.Name)
        and func.value.value in names
    )


RULES: tuple[type[Rule], ...] = (UnsortedListing, UnsortedWalk)
