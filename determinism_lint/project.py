"""The project index: what the functions of the other modules of the checked project do.

Whether a function shapes an artifact often depends on a helper that lives in another module:
``save_index(path, index)`` imported from ``pkg.utils.index`` dumps JSON into a file, so
every function that calls it writes an artifact too. The index answers "does this imported
function reach a persistent sink, and which one?" from a SUMMARY of each top-level function
and method of the project:

* the sink it reaches (a file write that is not exempt, a dump into a file, a hash), found by
  the same detectors that decide artifact scopes in one module (``scopes.classify_call``),
  with the file and line of that sink;
* the calls it makes ("calls X" edges), local and imported.

Per module the index keeps FACTS, computed by :class:`~determinism_lint.scopes.ArtifactScopes`
from that module alone (the sink each function reaches in it, to a fixpoint over its own calls;
its calls of other functions, local or imported); a module is parsed at most once per process,
only when a call into it needs resolving. A summary then follows calls across modules, depth
first, in line order, to the first sink (``from pkg.utils import save_index``, ``import
pkg.utils as u; u.save_index()``, relative imports, names re-exported by a package's
``__init__``), and is memoized; recursion and import cycles end where a function is met again.

Which files make the project: ``check`` hands the index its file list (:func:`use_files`).
The flake8 plugin sees one file at a time, so the index finds the project root itself (the
nearest folder above the file holding ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or
``.git``) and lists the ``.py`` files under it the first time a call needs resolving.

The analysed code is never imported or executed.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from .project_files import (  # noqa: F401  (find_root, module_name: part of this module's interface)
    PROJECT_MARKERS,
    _is_package,
    _list_py_files,
    _listed_dir,
    find_root,
    module_name,
    module_names,
)
from .stdlib_modules import STDLIB_MODULE_NAMES

if TYPE_CHECKING:
    from .context import Context
    from .settings import Settings

_DEF_RE = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)
_CLASS_RE = re.compile(r"^[ \t]*class[ \t]+(\w+)", re.MULTILINE)
_WORD_RE = re.compile(r"\w+")
#: Calls followed at most this deep in one search (a chain of helpers across modules).
_MAX_DEPTH = 64
#: Re-exports followed at most this deep (``pkg/__init__.py`` -> ``pkg/utils/__init__.py`` -> ...).
_MAX_REEXPORTS = 8


@dataclass(frozen=True)
class Sink:
    """A persistent sink a function reaches: ``json.dump(...)`` in ``path`` on ``line``."""

    spelling: str
    path: str
    line: int


@dataclass(frozen=True)
class Summary:
    """What one top-level function or method does, as far as artifacts go."""

    name: str  # qualified name in its module: ``save_index``, ``Store.save``
    path: str
    line: int
    sink: Optional[Sink]
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionFacts:
    """One function, as its own module sees it: the sink it reaches in that module, and its
    calls of other functions (``("local", "Store.save")``, ``("remote", "pkg.io.put")``)."""

    name: str
    line: int
    sink: Optional[Sink]
    calls: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    functions: dict[str, FunctionFacts]


def file_stamp(path: str) -> tuple[int, int]:
    """``(mtime in ns, size)`` of ``path``, or ``(0, -1)`` when it cannot be read: a cache key."""
    try:
        info = os.stat(path)
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)


class ProjectIndex:
    """Summaries of the functions of one project's modules, computed on demand."""

    def __init__(self, root: str, files: Optional[Sequence[str]] = None) -> None:
        self.root = root
        self._files = files
        self._modules: Optional[dict[str, str]] = None
        self._listed = False
        self._tops: frozenset[str] = frozenset()
        self._facts: dict[tuple[str, Settings], ModuleFacts] = {}
        self._exports: dict[tuple[str, Settings], dict[str, str]] = {}
        #: (mtime, size) of each file when its facts were taken: a changed file is read again.
        self._stamps: dict[tuple[str, Settings], tuple[int, int]] = {}
        self._reached: dict[tuple[str, str, Settings], Optional[Sink]] = {}
        self._visiting: set[tuple[str, str, Settings]] = set()
        self._cuts = 0
        self._words: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        #: (top-level name, folder): where the modules of a name were looked for (see _ensure).
        self._searched: set[tuple[str, str]] = set()
        #: Folders a top-level module or package can be imported from: the root, ``src/``,
        #: and the folder above the outermost package of each file of the run.
        self._bases: set[str] = set()
        self._packages: dict[str, bool] = {}
        #: Modules parsed by the index (each at most once per settings).
        self.parsed = 0
        for path in files or ():
            self.add_file(path)

    # -- which modules -----------------------------------------------------------------

    def modules(self) -> dict[str, str]:
        """Dotted module name -> file: the files of the run, then those found under the root
        for each top-level name asked about once the run's files did not answer (see
        :meth:`_ensure`)."""
        if self._modules is None:
            self._listed = self._files is None
            self._modules = self._names(self._files) if self._files is not None else {}
        return self._modules

    def _complete(self) -> bool:
        """From now on, look under the root for the modules the run did not name (a run over
        some files of the project still resolves imports of the others); False when already
        doing so."""
        self.modules()
        if self._listed:
            return False
        self._listed = True
        return True

    def add_file(self, path: str) -> None:
        """Note a file of the project being checked: top-level modules next to its outermost
        package are found."""
        folder = os.path.dirname(os.path.abspath(path))
        while _is_package(folder, self._packages):
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        self._bases.add(folder)

    def _ensure(self, top: str) -> None:
        """Once the index looks beyond the run's files: add every module named ``top`` or
        ``top.*`` that a file under the root defines, as listing the whole root would.

        Only where such a module can be imported from is looked at: ``top.py`` or ``top/``
        in the root, in ``src/``, and in the folder above the outermost package of each file
        checked. A module elsewhere under the root, importable only through a change of
        ``sys.path``, is not found; in exchange a run never lists the whole root (thousands of
        files for a folder of installed Python versions), only the folders of the names its
        files import.
        """
        if not self._listed:
            return
        root = self.root
        bases = [
            base for base in sorted({root, os.path.join(root, "src"), *self._bases})
            if (top, base) not in self._searched
        ]
        if not bases:
            return
        self._searched.update((top, base) for base in bases)
        modules = self.modules()
        files: list[str] = []
        for base in bases:
            if not self._listable(base):
                continue
            module = os.path.join(base, top + ".py")
            if os.path.isfile(module):
                files.append(module)
            folder = os.path.join(base, top)
            if os.path.isdir(folder) and _listed_dir(base, top):
                files.extend(_list_py_files(folder))
        found: dict[str, str] = {}
        prefix = top + "."
        for path in sorted(set(files)):
            for name in module_names(path, root, self._packages):
                if name == top or name.startswith(prefix):
                    found.setdefault(name, os.path.abspath(path))
        for name, path in found.items():
            modules.setdefault(name, path)
        if found:
            self._tops = self._tops | {top}

    def _listable(self, folder: str) -> bool:
        """Whether listing the root would enter ``folder`` (the root itself, or a folder below
        it whose every part is one the listing enters)."""
        root = self.root.rstrip(os.sep)
        if folder.rstrip(os.sep) == root:
            return True
        if not folder.startswith(root + os.sep):
            return False
        current = root
        for part in folder[len(root) + 1:].split(os.sep):
            if not part:
                continue
            if not _listed_dir(current, part):
                return False
            current = os.path.join(current, part)
        return True

    def _names(self, files: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        packages: dict[str, bool] = {}
        for path in sorted(files):
            if path.endswith(".py"):
                for name in module_names(path, self.root, packages):
                    found.setdefault(name, os.path.abspath(path))
        self._tops = frozenset(name.split(".", 1)[0] for name in found)
        return found

    def _list_files(self) -> list[str]:
        return _list_py_files(self.root)

    def knows_package(self, top: str) -> bool:
        """Whether a module of the project starts with ``top`` (cheap filter for imports)."""
        self.modules()
        if top in self._tops:
            return True
        self._complete()
        self._ensure(top)
        return top in self._tops

    # -- summaries ---------------------------------------------------------------------

    def summary(self, qualified: str, settings: Settings) -> Optional[Summary]:
        """The summary of the function ``qualified`` (``pkg.utils.index.save_index``,
        ``pkg.store.Store.save``), or ``None`` when it is no function of the project."""
        target = self._resolve(qualified, settings)
        if target is None:
            return None
        path, name = target
        facts = self.facts(path, settings).functions[name]
        sink = self._reach(path, name, settings)
        return Summary(name, path, facts.line, sink, tuple(callee for _, callee in facts.calls))

    def _resolve(self, qualified: str, settings: Settings) -> Optional[tuple[str, str]]:
        found = self._find(qualified, settings, 0)
        if found is None and self._complete():  # maybe in a file the run did not name
            found = self._find(qualified, settings, 0)
        return found

    def _find(self, qualified: str, settings: Settings, depth: int) -> Optional[tuple[str, str]]:
        modules = self.modules()
        parts = qualified.split(".")
        self._ensure(parts[0])
        for cut in range(len(parts) - 1, 0, -1):
            path = modules.get(".".join(parts[:cut]))
            if path is None:
                continue
            rest = ".".join(parts[cut:])
            if not self._may_define(path, parts[-1]):  # e.g. a class of the module: no parse
                return None
            facts = self.facts(path, settings)
            if rest in facts.functions:
                return path, rest
            # A name the module imports from elsewhere (``from .index import save_index`` in
            # a package's ``__init__``).
            head, _, tail = rest.partition(".")
            target = self._exports.get((path, settings), {}).get(head)
            if target is not None and depth < _MAX_REEXPORTS:
                return self._find(f"{target}.{tail}" if tail else target, settings, depth + 1)
            return None
        return None

    def _may_define(self, path: str, name: str) -> bool:
        """Whether the text of ``path`` can define or import a function ``name``: a ``def`` of
        it, or the name anywhere but as a class. A cheap look at the bytes saves a parse."""
        words = self._words.get(path)
        if words is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = b""
            text = data.decode("utf-8", "replace")
            defs = frozenset(_DEF_RE.findall(text))
            classes = frozenset(_CLASS_RE.findall(text))
            words = self._words[path] = (defs, classes, frozenset(_WORD_RE.findall(text)))
        defs, classes, every = words
        return name in defs or (name in every and name not in classes)

    def _reach(self, path: str, name: str, settings: Settings) -> Optional[Sink]:
        """The first persistent sink function ``name`` of ``path`` reaches: in its own module,
        or through its calls, in line order, across modules (a depth-first search).

        A function met again on the way (recursion, an import cycle) adds nothing; an answer
        that such a cut may have cut short is not kept, except for the function the search
        started from, whose answer is exact: reaching a sink is reachability in the call graph.
        """
        key = (path, name, settings)
        if key in self._reached:
            return self._reached[key]
        facts = self.facts(path, settings).functions.get(name)
        if facts is None:
            return None
        if facts.sink is not None:
            self._reached[key] = facts.sink
            return facts.sink
        if key in self._visiting or len(self._visiting) >= _MAX_DEPTH:
            self._cuts += 1
            return None
        cuts = self._cuts
        self._visiting.add(key)
        found: Optional[Sink] = None
        try:
            for kind, callee in facts.calls:
                target = (path, callee) if kind == "local" else self._resolve(callee, settings)
                if target is not None:
                    found = self._reach(target[0], target[1], settings)
                    if found is not None:
                        break
        finally:
            self._visiting.discard(key)
        if found is not None or self._cuts == cuts or not self._visiting:
            self._reached[key] = found
        return found

    def facts(self, path: str, settings: Settings) -> ModuleFacts:
        """The facts of the module in ``path``: parsed once (again only if the file changed)."""
        key = (path, settings)
        found = self._facts.get(key)
        stamp = file_stamp(path)
        if found is not None and self._stamps.get(key) == stamp:
            return found
        if found is not None:  # changed on disk: what was derived from it is stale
            self._reached.clear()
        self._stamps[key] = stamp
        found = self._facts[key] = self._summarize(key)
        return found

    def _summarize(self, key: tuple[str, Settings]) -> ModuleFacts:
        from .context import Context
        from .engine import ALWAYS_COLLECTED, SourceError, _walk, parse_source, read_limited, skips_file
        from .scopes import ArtifactScopes

        path, settings = key
        empty = ModuleFacts(path, {})
        self._exports[key] = {}
        try:
            with open(path, "rb") as handle:
                data = read_limited(handle, settings.max_file_size)
        except OSError:
            return empty
        if len(data) > settings.max_file_size or skips_file(data):
            return empty
        cache = FactsCache(self.root) if settings.cache else None
        cache_key = cache.key(path, data, settings) if cache is not None else ""
        if cache is not None:
            cached = cache.load(cache_key, path)
            if cached is not None:
                self._exports[key] = cached[1]
                return cached[0]
        try:
            parsed = parse_source(data, path)
        except SourceError:
            return empty
        self.parsed += 1
        parents, buckets = _walk(parsed.tree, ALWAYS_COLLECTED)
        ctx = Context(path=path, source=parsed.text, tree=parsed.tree, parents=parents, settings=settings,
                      buckets=buckets)
        try:
            exports = self._exports[key] = dict(imported_names(ctx))
            facts = ArtifactScopes(ctx).facts()
        finally:
            ctx.close()
        if cache is not None:
            cache.store(cache_key, facts, exports)
        return facts


# -- the cache on disk -------------------------------------------------------------------

CACHE_DIR = ".determinism_lint_cache"
#: Changes whenever the facts or their spelling on disk change.
_CACHE_FORMAT = "facts-1"


class FactsCache:
    """Per-file facts in ``.determinism_lint_cache/`` at the project root, one JSON file per
    (file content, path, settings, tool version); a ``.gitignore`` inside hides the folder
    from git, as ruff's cache does. A cache that cannot be read or written is no error: the
    file is parsed instead."""

    def __init__(self, root: str) -> None:
        self.folder = os.path.join(root, CACHE_DIR)

    @staticmethod
    def key(path: str, data: bytes, settings: Settings) -> str:
        from . import __version__

        digest = hashlib.sha256()
        for part in (_CACHE_FORMAT, __version__, repr(settings), os.path.abspath(path)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def load(self, key: str, path: str) -> Optional[tuple[ModuleFacts, dict[str, str]]]:
        try:
            with open(os.path.join(self.folder, f"{key}.json"), "rb") as handle:
                raw = json.loads(handle.read())
            functions: dict[str, FunctionFacts] = {}
            for name, line, sink, calls in raw["functions"]:
                functions[name] = FunctionFacts(
                    name, int(line), Sink(sink[0], path, int(sink[1])) if sink else None,
                    tuple((str(kind), str(callee)) for kind, callee in calls),
                )
            exports = {str(name): str(target) for name, target in raw["exports"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None
        return ModuleFacts(path, functions), exports

    def store(self, key: str, facts: ModuleFacts, exports: dict[str, str]) -> None:
        functions = [
            [item.name, item.line, [item.sink.spelling, item.sink.line] if item.sink else None,
             [list(call) for call in item.calls]]
            for item in sorted(facts.functions.values(), key=lambda item: item.name)
        ]
        text = json.dumps({"functions": functions, "exports": exports}, sort_keys=True)
        try:
            if not os.path.isdir(self.folder):
                os.makedirs(self.folder, exist_ok=True)
                _replace(os.path.join(self.folder, ".gitignore"), b"# Created by determinism-lint\n*\n")
            _replace(os.path.join(self.folder, f"{key}.json"), text.encode("utf-8"))
        except OSError:
            pass


def _replace(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it into place: a reader
    never sees half a file."""
    folder = os.path.dirname(path)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- imports of a module ------------------------------------------------------------------


def current_module(ctx: Context, index: ProjectIndex) -> str:
    names = module_names(ctx.path, index.root)
    return names[0] if names else ""


def imported_names(ctx: Context) -> dict[str, str]:
    """Local name -> dotted name, for every name an import statement of the file binds
    (relative imports resolved against the file's package)."""
    return ctx.fact(_imported_names, ctx.tree)


def _imported_names(tree: ast.Module, ctx: Context) -> dict[str, str]:
    index = index_for(ctx)
    package: list[str] = []
    has_relative = any(node.level for node in ctx.nodes_of(ast.ImportFrom))
    if index is not None and has_relative:
        module = current_module(ctx, index)
        package = module.split(".") if module else []
        if not os.path.basename(ctx.path).startswith("__init__."):
            package = package[:-1]
    table: dict[str, str] = {}
    for node in ctx.nodes_of(ast.Import):
        for alias in node.names:
            if alias.asname:
                table[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                table[top] = top
    for from_node in ctx.nodes_of(ast.ImportFrom):
        if from_node.level:
            if from_node.level - 1 > len(package):
                continue
            base = package[: len(package) - (from_node.level - 1)]
            module = ".".join([*base, *([from_node.module] if from_node.module else [])])
        else:
            module = from_node.module or ""
        if not module:
            continue
        for alias in from_node.names:
            if alias.name != "*":
                table[alias.asname or alias.name] = f"{module}.{alias.name}"
    return table


def imported_callee(call: ast.Call, ctx: Context) -> Optional[str]:
    """``save_index(...)``, ``u.save_index(...)``, ``Store.save(...)``: the dotted name of a
    function imported from a module of the project, else ``None``."""
    index = index_for(ctx)
    if index is None:
        return None
    attrs: list[str] = []
    func: ast.AST = call.func
    while isinstance(func, ast.Attribute):
        attrs.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    base = imported_names(ctx).get(func.id)
    if base is None:
        return None
    top = base.split(".", 1)[0]
    if top in STDLIB_MODULE_NAMES or not index.knows_package(top):
        return None
    # The name must still mean the import where it is called (not a local of the same name).
    for scope in ctx.resolver.enclosing_scopes(call):
        if func.id in ctx.resolver.bindings(scope):
            if scope is not ctx.tree:
                holder = scope
                if not any(
                    isinstance(node, (ast.Import, ast.ImportFrom)) and ctx.enclosing_scope(node) is holder
                    for node in (*ctx.nodes_of(ast.Import), *ctx.nodes_of(ast.ImportFrom))
                ):
                    return None
            break
    return ".".join([base, *reversed(attrs)])


# -- one index per project ----------------------------------------------------------------

_FILES: list[Optional[tuple[str, ...]]] = [None]
_INDEXES: dict[str, ProjectIndex] = {}


def use_files(files: Optional[Sequence[str]]) -> None:
    """The files of this run (``check`` knows them): the index is built from them, not by
    listing folders. ``None`` goes back to finding the project of each file."""
    _FILES[0] = tuple(os.path.abspath(path) for path in files) if files is not None else None
    _INDEXES.clear()


def index_for(ctx: Context) -> Optional[ProjectIndex]:
    """The project index for the file of ``ctx`` (memoized per project root)."""
    return ctx.fact(_index_for_file, ctx.tree)


def _index_for_file(tree: ast.Module, ctx: Context) -> Optional[ProjectIndex]:
    path = ctx.path
    if path in ("-", "<stdin>"):
        return None
    root = find_root(path)
    index = _INDEXES.get(root)
    if index is None:
        files = _FILES[0]
        if files is not None:
            prefix = root.rstrip(os.sep) + os.sep
            files = tuple(item for item in files if item.startswith(prefix))
        index = _INDEXES[root] = ProjectIndex(root, files or None)
    index.add_file(path)
    return index


def display(path: str, root: str) -> str:
    """``path`` relative to the project root, with ``/`` separators."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root) if absolute.startswith(root.rstrip(os.sep) + os.sep) else path
    return rel.replace(os.sep, "/")
