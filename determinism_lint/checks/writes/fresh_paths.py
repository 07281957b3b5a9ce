"""Functions of the project that return a FRESH scratch path: a path with a random or
temporary component made on every call (``os.path.join(sandbox, uuid4().hex)``,
``UUID(int=random.getrandbits(128)).hex``, ``tempfile.mkdtemp()``), decided from the body of
every definition of the function, in this module or in the other modules of the project.

Also what the callers in the OTHER modules of the project pass to a function of this module
(:func:`values_from_other_modules`): a writer whose every caller hands it a temporary
directory writes scratch files, wherever the callers live.

A write into such a path never replaces a file anyone trusts: each call names a new file, a
crash leaves at worst an orphan nobody points to. Facts layer: no libcst. The analysed code is
never imported or executed.
"""

from __future__ import annotations

import ast
import os
import re
from typing import TYPE_CHECKING, Optional

from .._util import keyword, last_name
from .bindings import _reaching_binds

if TYPE_CHECKING:
    from ...context import Context

#: Calls whose result is new on every call.
_FRESH_CALLS = frozenset(
    {
        "uuid.uuid1",
        "uuid.uuid4",
        "os.urandom",
        "tempfile.mkdtemp",
        "tempfile.mktemp",
        "tempfile.TemporaryDirectory",
        "tempfile.NamedTemporaryFile",
    }
)
_FRESH_MODULES = ("random.", "secrets.")
#: A seeded generator repeats its values from run to run.
_SEEDED = frozenset({"random.Random", "random.seed", "random.setstate", "random.getstate"})
#: How deep an expression, a chain of helpers, is followed.
_MAX_DEPTH = 12
#: A name defined more often than this in the project is too common to judge by its bodies.
_MAX_DEFINITIONS = 8

_DEF_TEXT_RE = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)

_FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


def fresh_path_call(call: ast.Call, ctx: Context) -> bool:
    """``call`` calls a function of the project (by its name: ``get_random_local_path()``,
    ``ctx.file_access.get_random_local_path()``) whose every definition returns a fresh path."""
    return _fresh_call(call, ctx, 0, set())


def _fresh_call(call: ast.Call, ctx: Context, depth: int, visiting: set[str]) -> bool:
    resolved = ctx.call_name(call)
    if resolved is not None and (
        resolved in _FRESH_CALLS or resolved.startswith(_FRESH_MODULES) and resolved not in _SEEDED
    ):
        return True
    if resolved is not None and "." in resolved and _external(resolved, ctx):
        return False
    if resolved is not None and _generator_draw(resolved, ctx):
        return True
    name = last_name(call.func)
    if name is None or name in visiting or depth > _MAX_DEPTH:
        return False
    found = _definitions(name, ctx)
    if not found or len(found) > _MAX_DEFINITIONS:
        return False
    visiting.add(name)
    try:
        return all(_returns_fresh(function, where, depth + 1, visiting) for function, where in found)
    finally:
        visiting.discard(name)


def _external(resolved: str, ctx: Context) -> bool:
    """A dotted call name that resolves outside the project (``os.path.join``, ``json.dumps``)."""
    from ...project import index_for

    top = resolved.split(".", 1)[0]
    index = index_for(ctx)
    return index is None or not index.knows_package(top)


_GENERATORS = frozenset({"random.Random", "random.SystemRandom"})


def _generator_draw(resolved: str, ctx: Context) -> bool:
    """``pkg.rand.random.getrandbits(...)``: a method of a module-level name of a project module
    that every assignment binds to an unseeded (or not literally seeded) ``random.Random()``."""
    from ...project import index_for

    index = index_for(ctx)
    parts = resolved.split(".")
    if index is None or len(parts) < 3:
        return False
    path = index.modules().get(".".join(parts[:-2]))
    if path is None:
        return False
    other = _module_context(path, ctx)
    if other is None:
        return False
    name = parts[-2]
    values = [
        node.value
        for node in other.nodes_of(ast.Assign)
        if any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]
    return bool(values) and all(
        isinstance(value, ast.Call)
        and other.call_name(value) in _GENERATORS
        and not any(isinstance(arg, ast.Constant) for arg in value.args)
        for value in values
    )


def _returns_fresh(function: ast.AST, ctx: Context, depth: int, visiting: set[str]) -> bool:
    """Every ``return`` of ``function`` (and there is one) returns a fresh path."""
    returns = [node for node in _own_nodes(function) if isinstance(node, ast.Return)]
    return bool(returns) and all(
        node.value is not None and _fresh(node.value, ctx, depth, visiting) for node in returns
    )


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of ``function``'s body, not those of the functions and classes it defines."""
    found: list[ast.AST] = []
    todo = list(getattr(function, "body", []))
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def _fresh(expr: ast.expr, ctx: Context, depth: int, visiting: set[str]) -> bool:
    """``expr`` holds a component made anew on each evaluation: a random or temporary value,
    anywhere in a path built from parts (``os.path.join(base, key, tail)``, ``f"{base}/{key}"``,
    ``base + key``, ``uuid4().hex``); in every arm of a choice (``a if c else b``, ``a or b``)."""
    if depth > _MAX_DEPTH:
        return False
    depth += 1
    if isinstance(expr, ast.Call):
        if _fresh_call(expr, ctx, depth, visiting):
            return True
        func = expr.func
        parts = [*expr.args, *(kw.value for kw in expr.keywords)]
        if isinstance(func, ast.Attribute):
            parts.append(func.value)
        return any(not isinstance(part, ast.Starred) and _fresh(part, ctx, depth, visiting) for part in parts)
    if isinstance(expr, ast.Attribute):
        if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
            return f"self.{expr.attr}" in visiting  # being decided: see :func:`fresh_value`
        return isinstance(expr.value, (ast.Call, ast.Name, ast.Attribute)) and _fresh(
            expr.value, ctx, depth, visiting
        )
    if isinstance(expr, ast.Subscript):
        # ``name[:max_length]``: a fresh name cut to what the file system allows.
        return isinstance(expr.slice, ast.Slice) and _fresh(expr.value, ctx, depth, visiting)
    if isinstance(expr, ast.BinOp):
        return _fresh(expr.left, ctx, depth, visiting) or _fresh(expr.right, ctx, depth, visiting)
    if isinstance(expr, ast.JoinedStr):
        return any(
            isinstance(part, ast.FormattedValue) and _fresh(part.value, ctx, depth, visiting) for part in expr.values
        )
    if isinstance(expr, ast.IfExp):
        return _fresh(expr.body, ctx, depth, visiting) and _fresh(expr.orelse, ctx, depth, visiting)
    if isinstance(expr, ast.BoolOp):
        return all(_fresh(value, ctx, depth, visiting) for value in expr.values)
    if isinstance(expr, ast.Name):
        # Every assignment of the name in effect here makes it fresh (a rebinding after the
        # write does not count); a rebinding that derives it from itself
        # (``name = name.replace("/", "::")``) keeps it so.
        binds = _reaching_binds(expr, ctx)
        key = f"name:{expr.id}:{id(binds[0]) if binds else 0}"
        if key in visiting:
            return True
        if not binds or any(bind.kind != "assign" or bind.value is None for bind in binds):
            return False
        if all(_mentions(bind.value, expr.id) for bind in binds):  # type: ignore[arg-type]
            return False  # only ever derived from itself: no evidence
        visiting.add(key)
        try:
            return all(_fresh(bind.value, ctx, depth, visiting) for bind in binds)  # type: ignore[arg-type]
        finally:
            visiting.discard(key)
    return False


def _mentions(expr: ast.expr, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(expr))


def fresh_value(value: ast.expr, ctx: Context, attribute: Optional[str] = None) -> bool:
    """``value`` is a fresh path (a random or temporary component made on each evaluation);
    with ``attribute``, a value assigned to ``self.<attribute>`` that may derive from the
    attribute itself (``self.tmp_dir = self.tmp_dir[:max_length]``)."""
    visiting = {f"self.{attribute}"} if attribute else set()
    return _fresh(value, ctx, 0, visiting)


# -- where a function name is defined -------------------------------------------------------


def _definitions(name: str, ctx: Context) -> list[tuple[ast.AST, Context]]:
    """Every ``def name`` in this module and in the other modules of the project, each with
    the context of its module; more than :data:`_MAX_DEFINITIONS` + 1 are not collected."""
    found: list[tuple[ast.AST, Context]] = [
        (node, ctx)
        for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef))
        if node.name == name  # type: ignore[attr-defined]
    ]
    here = os.path.abspath(ctx.path)
    for path in _project_files_defining(name, ctx):
        if path == here or len(found) > _MAX_DEFINITIONS:
            continue
        other = _module_context(path, ctx)
        if other is None:
            continue
        found.extend(
            (node, other)
            for node in (*other.nodes_of(ast.FunctionDef), *other.nodes_of(ast.AsyncFunctionDef))
            if node.name == name  # type: ignore[attr-defined]
        )
    return found


#: Project root -> (the files it was built from, function name -> files that define it).
_DEFINED_IN: dict[str, tuple[frozenset[str], dict[str, list[str]]]] = {}
#: File -> ((mtime, size), its context), for the few modules whose definitions are read.
_CONTEXTS: dict[str, tuple[tuple[int, int], Optional[Context]]] = {}


def _project_files_defining(name: str, ctx: Context) -> list[str]:
    """The files that define ``name``: among the files of the run (``check`` knows them: a
    plugin package checked with the library it extends sees the library's definitions), else
    among the modules of the project of ``ctx``."""
    return _files_mentioning(name, ctx, _DEF_TEXT_RE, _DEFINED_IN)


def _files_mentioning(
    name: str,
    ctx: Context,
    pattern: re.Pattern[str],
    tables: dict[str, tuple[frozenset[str], dict[str, list[str]]]],
) -> list[str]:
    """The files of the run (else of the project of ``ctx``) whose text has ``name`` as a match
    of ``pattern``'s group: a text index built once per set of files, read without parsing."""
    from ...project import _FILES, index_for

    index = index_for(ctx)
    if index is None:
        return []
    run = _FILES[0]
    files = frozenset(path for path in run if path.endswith(".py")) if run else frozenset(index.modules().values())
    key = "" if run else index.root
    cached = tables.get(key)
    if cached is None or cached[0] != files:
        table: dict[str, list[str]] = {}
        for path in sorted(files):
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except OSError:
                continue
            for found in sorted(set(pattern.findall(text))):
                table.setdefault(found, []).append(path)
        cached = tables[key] = (files, table)
    return cached[1].get(name, [])


def _module_context(path: str, ctx: Context) -> Optional[Context]:
    """A context for another module of the project (parsed once, again if it changed)."""
    from ...project import file_stamp

    stamp = file_stamp(path)
    cached = _CONTEXTS.get(path)
    if cached is not None and cached[0] == stamp and (cached[1] is None or cached[1].settings == ctx.settings):
        return cached[1]
    from ...context import Context
    from ...engine import ALWAYS_COLLECTED, SourceError, _walk, parse_source, read_limited, skips_file

    settings = ctx.settings
    made: Optional[Context] = None
    try:
        with open(path, "rb") as handle:
            data = read_limited(handle, settings.max_file_size)
        if len(data) <= settings.max_file_size and not skips_file(data):
            parsed = parse_source(data, path)
            parents, buckets = _walk(parsed.tree, ALWAYS_COLLECTED)
            made = Context(path=path, source=parsed.text, tree=parsed.tree, parents=parents, settings=settings,
                           buckets=buckets)
    except (OSError, SourceError):
        made = None
    _CONTEXTS[path] = (stamp, made)
    return made


# -- what the callers in other modules pass -------------------------------------------------

_CALLED_TEXT_RE = re.compile(r"(\w+)[ \t]*\(")
#: A function called from more modules than this is too widely used to decide by its callers.
_MAX_CALLER_FILES = 12

#: Project root (or "" for the files of the run) -> (its files, called name -> files calling it).
_CALLED_IN: dict[str, tuple[frozenset[str], dict[str, list[str]]]] = {}


def files_calling(name: str, ctx: Context) -> list[str]:
    """The files of the project whose text calls ``name(...)``."""
    return _files_mentioning(name, ctx, _CALLED_TEXT_RE, _CALLED_IN)


def names_used_as_values(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """Names the module loads other than as the callee of a call (``write_patch`` in
    ``run_op(spec, write_patch)``); a fact of the module."""
    found: set[str] = set()
    parents = ctx.parents
    for node in ctx.nodes_of(ast.Name):
        if isinstance(node.ctx, ast.Load):
            parent = parents.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node):
                found.add(node.id)
    return frozenset(found)


def values_from_other_modules(
    function: ast.AST, param: str, ctx: Context
) -> Optional[list[tuple[ast.expr, Context]]]:
    """``(value, its module's context)`` for each call of the module-level ``function`` from
    another module that imports it (``utils.write_blob(blob, path)``, ``write_blob(...)`` after
    ``from pkg.utils import write_blob``). ``None`` when a call passes ``param`` in a way not
    known statically, when only tests (or nothing else) call it, when this module hands it on
    as a value, or when too many modules call it."""
    from ...project import current_module, imported_callee, index_for

    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    index = index_for(ctx)
    if index is None:
        return None
    owner = ctx.parent(function)
    if isinstance(owner, ast.ClassDef) and ctx.parent(owner) is ctx.tree:
        return _method_values(function, param, ctx)
    if owner is not ctx.tree:
        return None
    module = current_module(ctx, index)
    if not module:
        return None
    qualified = f"{module}.{function.name}"
    here = os.path.abspath(ctx.path)
    files = [path for path in files_calling(function.name, ctx) if path != here]
    if not files or len(files) > _MAX_CALLER_FILES:
        return None
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    values: list[tuple[ast.expr, Context]] = []
    if function.name in ctx.fact(names_used_as_values, ctx.tree):
        return None  # handed on as a value here (``run_op(spec, write_patch)``): callers unknown
    for path in files:
        other = _module_context(path, ctx)
        if other is None or other.is_test_code:
            continue  # a test's temporary directory says nothing of the callers that ship
        for call in other.nodes_of(ast.Call):
            assert isinstance(call, ast.Call)
            if last_name(call.func) != function.name or imported_callee(call, other) != qualified:
                continue
            value = _passed(call, param, positional)
            if value is None:
                return None
            values.append((value, other))
    return values or None


def _method_values(function: ast.FunctionDef | ast.AsyncFunctionDef, param: str, ctx: Context) -> Optional[list[tuple[ast.expr, Context]]]:
    """:func:`values_from_other_modules` for a method of a module-level class, found by its
    name: ``options.write_to_bento(bento_fs, ...)``. Only for a name that no other module of
    the project defines, so that every ``.name(...)`` call of the project reaches one of this
    module's definitions (a library method of the same name only adds calls that must pass a
    temporary path too). Calls of this module count as well; ``None`` when a call passes
    ``param`` in a way not known statically, or none is found outside tests."""
    name = function.name
    if name.startswith("__") or any(
        last_name(decorator) in ("staticmethod", "classmethod") for decorator in function.decorator_list
    ):
        return None
    here = os.path.abspath(ctx.path)
    if any(os.path.abspath(path) != here for path in _project_files_defining(name, ctx)):
        return None
    files = files_calling(name, ctx)
    if not files or len(files) > _MAX_CALLER_FILES:
        return None
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)][1:]
    values: list[tuple[ast.expr, Context]] = []
    for path in sorted(set(files) | {here}):
        other = ctx if os.path.abspath(path) == here else _module_context(path, ctx)
        if other is None or other.is_test_code:
            continue
        for call in other.nodes_of(ast.Call):
            assert isinstance(call, ast.Call)
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr != name:
                continue
            value = _passed(call, param, positional)
            if value is None:
                return None
            values.append((value, other))
    if any(
        isinstance(node, ast.Attribute) and node.attr == name and not (
            isinstance(ctx.parent(node), ast.Call) and ctx.parent(node).func is node  # type: ignore[union-attr]
        )
        for node in ctx.nodes_of(ast.Attribute)
    ):
        return None  # handed on as a bound method (``run(self.write)``): callers unknown
    return values or None


def _passed(call: ast.Call, param: str, positional: list[str]) -> Optional[ast.expr]:
    """What ``call`` passes as ``param`` (``positional``: the parameter names a positional
    argument fills, in order); ``None`` when it leaves it out or passes arguments in a way not
    known statically (``*args``, ``**kwargs``)."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return None
    value = keyword(call, param)
    if value is None and param in positional:
        index_of = positional.index(param)
        value = call.args[index_of] if index_of < len(call.args) else None
    return value
