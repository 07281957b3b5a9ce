"""DET2xx: serialization that is not canonical where its bytes reach a hash or a file."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..model import FixSafety
from ._flow import FILE, HASH, RETURN, SERIALIZE, _is_hash_call, first_sink
from ._sources import unstable_keys
from ._util import keyword, last_name, local_names, local_nodes, walk_local
from .base import Invalid, Report, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixContext

_CONTAINER_CALLS = frozenset({"builtins.dict", "builtins.set", "builtins.frozenset", "collections.OrderedDict",
                              "collections.defaultdict", "collections.Counter", "builtins.vars", "builtins.locals",
                              "builtins.globals"})
_CONTAINER_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "set", "Set", "frozenset",
                                    "FrozenSet", "AbstractSet", "MutableSet", "DefaultDict", "OrderedDict", "Counter"})


def _is_true(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _no_mappings(obj: Optional[ast.AST], ctx: Context) -> bool:
    """The serialized object cannot hold a dict: a constant, a string, or a ``sorted()`` list."""
    if obj is None:
        return False
    if isinstance(obj, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(obj, ast.Call) and ctx.is_builtin(obj.func, "sorted"):
        return True
    if _visibly_scalar(obj, ctx):
        return True
    if isinstance(obj, ast.DictComp) and all(
        isinstance(gen.iter, ast.Call) and ctx.is_builtin(gen.iter.func, "sorted") for gen in obj.generators
    ):
        # ``{k: info[k] for k in sorted(info)}``: the author sorted the first level on purpose
        # (nested mappings keep their order, which ``sort_keys=True`` would change).
        return True
    if isinstance(obj, (ast.List, ast.Tuple)):
        return all(_fixed_order_value(element, ctx) for element in obj.elts)
    if isinstance(obj, ast.Dict):
        # A literal's keys come in source order; only its values could bring an unordered mapping.
        return _fixed_order_value(obj, ctx)
    if isinstance(obj, (ast.ListComp, ast.GeneratorExp)):
        return _string_element(obj, ctx)
    if isinstance(obj, ast.Name):
        # ``names = [p.name for p in paths]`` then ``json.dump(names, f)``: one plain assignment.
        assigned = _single_assignment(obj, ctx)
        if assigned is None:
            return _scalar_parameter(obj, ctx)
        return _no_mappings(assigned, ctx)
    return False


#: Methods that return a string (or a number): their JSON text holds no mapping.
_STRING_METHODS = frozenset(
    {"as_posix", "capitalize", "casefold", "decode", "format", "hexdigest", "join", "lower", "lstrip",
     "replace", "rstrip", "strip", "title", "upper"}
)
_SCALAR_ANNOTATIONS = frozenset({"str", "int", "float", "bool", "bytes"})


def _visibly_scalar(obj: ast.AST, ctx: Context) -> bool:
    """A string or number built visibly: ``str(x)``, ``x.strip()``, ``"a" + b``, ``"%s" % x``."""
    if isinstance(obj, ast.Call):
        if _fixed_order_value(obj, ctx):
            return True
        return isinstance(obj.func, ast.Attribute) and obj.func.attr in _STRING_METHODS
    if isinstance(obj, ast.BinOp) and isinstance(obj.op, (ast.Add, ast.Mod)):
        return any(
            isinstance(side, ast.JoinedStr) or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in (obj.left, obj.right)
        )
    return False


def _scalar_parameter(name: ast.Name, ctx: Context) -> bool:
    """A parameter annotated ``str`` (or another scalar) that the function never rebinds."""
    scope = ctx.enclosing_scope(name)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    args = scope.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg == name.id:
            annotation = arg.annotation
            text = annotation.value if isinstance(annotation, ast.Constant) else (
                ast.unparse(annotation) if annotation is not None else ""
            )
            if text not in _SCALAR_ANNOTATIONS:
                return False
            return not any(
                isinstance(node, ast.Name) and node.id == name.id and isinstance(node.ctx, ast.Store)
                for node in walk_local(scope)
            )
    return False


#: Path parts and listings that are strings, never mappings.
_STRING_ATTRIBUTES = frozenset({"name", "stem", "suffix", "parent_name", "as_posix"})
_STRING_LISTINGS = frozenset({"os.listdir", "glob.glob", "glob.iglob", "fnmatch.filter"})


def _string_element(comp: ast.AST, ctx: Context) -> bool:
    """A comprehension whose elements are visibly strings (``p.name``, ``str(x)``, f-strings,
    or the names ``os.listdir``/``glob.glob`` yield)."""
    element = comp.elt  # type: ignore[attr-defined]
    if _fixed_order_value(element, ctx):
        return True
    if isinstance(element, ast.Attribute) and element.attr in _STRING_ATTRIBUTES:
        return True
    if isinstance(element, ast.Call) and isinstance(element.func, ast.Attribute) and element.func.attr == "as_posix":
        return True
    if isinstance(element, ast.Name):
        for generator in comp.generators:  # type: ignore[attr-defined]
            if isinstance(generator.target, ast.Name) and generator.target.id == element.id:
                return isinstance(generator.iter, ast.Call) and ctx.call_name(generator.iter) in _STRING_LISTINGS
    return False


_FILLING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault"})


def _single_assignment(name: ast.Name, ctx: Context) -> Optional[ast.AST]:
    """The value of the only plain assignment to ``name`` in its scope, if there is exactly one."""
    return ctx.fact(_single_assignments, ctx.enclosing_scope(name)).get(name.id)


def _single_assignments(scope: ast.AST, ctx: Context) -> dict[str, ast.AST]:
    """For each name bound exactly once in ``scope``, by a plain ``name = value`` and never
    filled in place (``name.append(...)``), its value; one pass over the scope."""
    values: dict[str, ast.AST] = {}
    spoiled: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr)):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if isinstance(node, ast.With):
                targets = [item.optional_vars for item in node.items]
            for target in targets:
                if isinstance(target, ast.Name):
                    if target.id in values or not isinstance(node, ast.Assign) or len(node.targets) != 1:
                        spoiled.add(target.id)
                    else:
                        values[target.id] = node.value
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    spoiled.add(target.value.id)  # ``x = {}`` then ``x[k] = v``: filled later
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and node.func.attr in _FILLING_METHODS:
                spoiled.add(receiver.id)  # filled later: its elements are not the ones assigned
    return {name: value for name, value in values.items() if name not in spoiled}


_SCALAR_BUILTINS = frozenset({"bool", "float", "int", "len", "round", "sorted", "str"})


def _fixed_order_value(value: ast.AST, ctx: Context) -> bool:
    """A literal value whose JSON text cannot depend on any dict's insertion order."""
    if isinstance(value, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(value, (ast.List, ast.Tuple)):
        return all(_fixed_order_value(element, ctx) for element in value.elts)
    if isinstance(value, ast.Dict):
        return all(isinstance(key, ast.Constant) for key in value.keys) and all(
            _fixed_order_value(item, ctx) for item in value.values
        )
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        name = value.func.id
        if name in _SCALAR_BUILTINS and ctx.is_builtin(value.func, name):
            return True
        if name == "list" and len(value.args) == 1 and isinstance(value.args[0], ast.Call):
            inner = value.args[0].func
            return isinstance(inner, ast.Name) and inner.id == "range" and ctx.is_builtin(inner, "range")
    return False


#: Calls whose mapping has a fixed key order: field order, keyword order, or the order of
#: the document it was loaded from.
_FIXED_ORDER_CALLS = frozenset(
    {"dataclasses.asdict", "json.load", "json.loads", "yaml.safe_load", "yaml.load", "yaml.full_load",
     "tomllib.load", "tomllib.loads", "toml.load", "toml.loads", "attr.asdict", "attrs.asdict"}
)
_UNORDERED_CALLS = frozenset({"builtins.set", "builtins.frozenset"})


def _fixed_key_order(obj: ast.AST, ctx: Context, depth: int = 2) -> bool:
    """The mapping's keys come in an order fixed by the code or the data it was loaded from:
    a dict literal with literal keys (and ``**`` of such), ``dict(a=..., b=...)``,
    ``dataclasses.asdict(...)``, a parsed document, or a local name bound once to one of these
    and then filled only under literal keys (``d["a"] = ...``). Values are not followed except
    where they are visibly unordered (a set)."""
    if isinstance(obj, ast.Dict):
        for key, value in zip(obj.keys, obj.values):
            if key is None:
                if not _fixed_key_order(value, ctx, depth):
                    return False
            elif not isinstance(key, ast.Constant) or _visibly_unordered(value, ctx):
                return False
        return True
    if isinstance(obj, ast.Call):
        name = ctx.call_name(obj)
        if name == "builtins.dict":
            return not obj.args and all(kw.arg is not None and not _visibly_unordered(kw.value, ctx)
                                        for kw in obj.keywords)
        if name in _FIXED_ORDER_CALLS:
            return True
        func = obj.func
        # ``response.json()``: the order of the document received.
        return isinstance(func, ast.Attribute) and func.attr == "json" and not obj.args
    if isinstance(obj, ast.Name) and depth > 0:
        built = ctx.fact(_literal_key_builds, ctx.enclosing_scope(obj)).get(obj.id)
        return built is not None and all(
            _fixed_key_order(value, ctx, depth - 1) or _no_mappings(value, ctx) for value in built
        )
    return False


def _visibly_unordered(value: ast.AST, ctx: Context) -> bool:
    if isinstance(value, (ast.Set, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name in _UNORDERED_CALLS:
            return True
        if name in ("builtins.list", "builtins.tuple") and value.args:
            return _visibly_unordered(value.args[0], ctx)
    return False


def _literal_key_builds(scope: ast.AST, ctx: Context) -> dict[str, tuple[ast.AST, ...]]:
    """For each local name whose every binding is a plain ``name = value`` and that is
    afterwards changed only by stores under literal keys (``d["k"] = v``) or inside loops over
    a fixed sequence (a list or tuple literal, ``range``), the values it was bound to; one pass
    over the scope. A store under a computed key in a loop over anything else,
    ``update``/``setdefault``, or a binding by ``for``/``with`` spoils the name: its order then
    comes from elsewhere."""
    values: dict[str, list[ast.AST]] = {}
    spoiled: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    if isinstance(node, ast.AugAssign) or node.value is None:
                        spoiled.add(target.id)
                    else:
                        values.setdefault(target.id, []).append(node.value)
                elif isinstance(target, ast.Subscript) and isinstance(_subscript_base(target), ast.Name):
                    # ``d["a"] = v`` and ``d["a"]["b"] = v``: literal keys keep a fixed order.
                    base = _subscript_base(target)
                    if (
                        isinstance(base, ast.Name)
                        and not _literal_subscripts(target)
                        and not _in_fixed_loops(node, scope, ctx)
                    ):
                        spoiled.add(base.id)
                else:
                    for inner in ast.walk(target):
                        if isinstance(inner, ast.Name):
                            spoiled.add(inner.id)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.NamedExpr, ast.comprehension)):
            for inner in ast.walk(getattr(node, "target", None) or ast.Pass()):
                if isinstance(inner, ast.Name):
                    spoiled.add(inner.id)
            if isinstance(node, ast.With):
                spoiled.update(inner.id for item in node.items if item.optional_vars is not None
                               for inner in ast.walk(item.optional_vars) if isinstance(inner, ast.Name))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and node.func.attr in _FILLING_METHODS | {"__setitem__"}:
                spoiled.add(receiver.id)
    return {name: tuple(found) for name, found in values.items() if name not in spoiled}


def _subscript_base(target: ast.Subscript) -> ast.AST:
    node: ast.AST = target
    while isinstance(node, ast.Subscript):
        node = node.value
    return node


def _literal_subscripts(target: ast.Subscript) -> bool:
    node: ast.AST = target
    while isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant):
            return False
        node = node.value
    return True


def _in_fixed_loops(node: ast.AST, scope: ast.AST, ctx: Context) -> bool:
    """Every loop around ``node`` (up to ``scope``) iterates a sequence of fixed order."""
    for ancestor in ctx.ancestors(node):
        if ancestor is scope:
            return True
        if isinstance(ancestor, ast.While):
            return False
        if isinstance(ancestor, (ast.For, ast.AsyncFor)) and not _fixed_sequence(ancestor.iter, ctx):
            return False
    return True


def _fixed_sequence(expr: ast.AST, ctx: Context) -> bool:
    """A list or tuple literal, ``range(...)``, ``enumerate``/``zip`` of such, or a name bound
    once (in the function or at module level) to a list or tuple literal."""
    if isinstance(expr, (ast.List, ast.Tuple)):
        return True
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr)
        if name == "builtins.range":
            return True
        if name in ("builtins.enumerate", "builtins.zip", "builtins.reversed"):
            return bool(expr.args) and all(_fixed_sequence(arg, ctx) for arg in expr.args)
        return False
    if isinstance(expr, ast.Name):
        for scope in (ctx.enclosing_scope(expr), ctx.tree):
            bound = ctx.fact(_single_assignments, scope).get(expr.id)
            if bound is not None:
                return isinstance(bound, (ast.List, ast.Tuple))
    return False


def _add_keyword_fix(node: Any, ctx: FixContext, name: str, value: str) -> Optional[Edit]:
    """``call(...)`` -> ``call(..., name=value)``, replacing an existing ``name=`` argument."""
    import libcst as cst

    from ..fixer import Edit

    if not isinstance(node, cst.Call):
        return None
    if any(arg.star for arg in node.args):
        return None

    def apply(updated: Any) -> Any:
        args = list(updated.args)
        new_value = cst.parse_expression(value)
        for index, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == name:
                args[index] = arg.with_changes(value=new_value)
                return updated.with_changes(args=args)
        if args:
            last = args[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT or isinstance(last.comma, cst.MaybeSentinel):
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                args.append(cst.Arg(keyword=cst.Name(name), value=new_value,
                                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                          whitespace_after=cst.SimpleWhitespace(""))))
            else:
                # A trailing comma (one argument per line): the new argument takes the
                # last line's comma and layout, the old last argument its neighbour's.
                previous_comma = args[-2].comma if len(args) >= 2 else last.comma
                args[-1] = last.with_changes(comma=previous_comma)
                args.append(cst.Arg(keyword=cst.Name(name), value=new_value,
                                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                          whitespace_after=cst.SimpleWhitespace("")),
                                    comma=last.comma))
        return updated.with_changes(args=args)

    return Edit(node, apply)


def _persistent_sink(node: ast.Call, name: str, ctx: Context, strict: bool) -> Optional[str]:
    """How the serialized text of ``node`` persists (``"written by `json.dump(...)` on line 3"``),
    or None: a dump into the console or a temp file, or text that is only printed, logged or
    returned from a function that reaches no sink by other evidence."""
    from ..scopes import _spelling, is_scratch_stream

    if not name.endswith("dumps") and not (name.startswith("yaml.") and len(node.args) < 2
                                          and keyword(node, "stream") is None):
        stream = node.args[1] if len(node.args) >= 2 else (keyword(node, "fp") or keyword(node, "stream"))
        if stream is not None and is_scratch_stream(stream, ctx):
            return None
        return f"is written by `{_spelling(node)}` on line {node.lineno}"
    sink = first_sink(node, ctx)
    if sink is None:
        return None
    kind, where = sink
    text = f"`{_spelling(where)}` on line {getattr(where, 'lineno', getattr(node, 'lineno', 1))}"
    if kind == HASH:
        return f"reaches hash input {text}"
    if kind in (FILE, SERIALIZE):
        return f"reaches {text}"
    if kind == RETURN:
        # Returned to callers this module cannot see: a sink only where the function reaches
        # one by other evidence (its scope is artifact-shaping for another reason).
        reason = ctx.scopes.reason(ctx.enclosing_scope(node)) or ""
        if strict or reason:
            return f"is returned on line {getattr(where, 'lineno', '?')} from artifact-shaping code ({reason or 'strict mode'})"
    return None


class UnsortedJsonDump(Rule):
    """
    ## What it does
    Flags `json.dump(...)` and `json.dumps(...)` without `sort_keys=True` in
    artifact-shaping code when the key order of a dumped mapping comes from an unstable
    source and the bytes persist. The message names the source and the sink, with their
    lines.

    Unstable sources: a set, a directory listing (`os.listdir`, `glob`, `Path.iterdir`, the
    lists of `os.walk`), completion order (`as_completed`, `imap_unordered`), and a dict built
    from one of these: a comprehension over it, `dict.fromkeys(...)`/`Counter(...)` of it, or
    a dict filled by key in a loop over it (`index[name] = ...` for each listed file). The
    search follows local names, `self` attributes filled in the class's methods, the value a
    function of the module returns, and what the module's own callers pass for a parameter.
    Sinks: `json.dump` into a stream that is not the console or a temp file, or `json.dumps`
    text that is written to a file or hashed (directly, via `.encode()` or through a local
    variable).

    Quiet when no mapping has such a source: a number, a string, a list of them; a dict
    literal with literal keys; `dataclasses.asdict(...)`; `vars(namespace)`; a document from
    `json.load`/`json.loads`/`yaml.safe_load`; a dict built from argv, from keyword arguments
    or in a loop over a fixed sequence; a parameter that no caller in the module fills from a
    source. Quiet after a sanitizer: `sorted(...)`, a helper that sorts recursively
    (`deep_sort`: a function of the module that calls `sorted`), `canonical_json`. Not sinks:
    the body of an HTTP response (`self.wfile.write`), the console, logging, text sent or
    returned to callers that reach no sink by other evidence.

    ## Why is this bad?
    JSON objects keep the insertion order of the dict. A dict filled while walking a
    directory or a set, or while collecting results as workers finish, gets its keys in an
    order that changes between two runs on the same data: the file's bytes and its hash
    change, the cache misses and the "changed" artifact triggers needless work.

    ## Example
    ```python
    import json
    import os


    def write_index(data_dir, f):
        index = {}
        for name in os.listdir(data_dir):
            index[name] = os.path.getsize(os.path.join(data_dir, name))
        json.dump(index, f)
    ```

    ## Use instead
    ```python
    import json
    import os


    def write_index(data_dir, f):
        index = {}
        for name in os.listdir(data_dir):
            index[name] = os.path.getsize(os.path.join(data_dir, name))
        json.dump(index, f, sort_keys=True)
    ```
    Or `determinism_lint.runtime.canonical_json(index)`, which also fixes separators and
    rejects NaN.

    ## Fix safety
    The fix adds `sort_keys=True`. It is unsafe: the bytes written change once (the
    reordering is the point), and `sort_keys` raises `TypeError` when the keys of one
    mapping are of types that do not compare (`{1: ..., "a": ...}`).

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.
    JSON that a test writes or hashes is compared in the same run, not kept.

    """

    code = "DET201"
    name = "unsorted-json-dump"
    message = "JSON key order comes from an unstable source (a set, a listing, completion order) without `sort_keys=True`"
    fix_title = "Add `sort_keys=True`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"dump", "dumps"})
    artifact_only = True
    fix_node = ("Call",)

    VALID = (
        "import json, os\ndef save_index(d, f):\n    json.dump({n: 1 for n in os.listdir(d)}, f, sort_keys=True)\n",
        # A mapping of unknown origin: its order is the caller's, the same in every run.
        "import json\ndef save_manifest(m, f):\n    json.dump(m, f, indent=2)\n",
        "import hashlib, json\ndef config_hash(c):\n    return hashlib.sha256(json.dumps(c).encode()).hexdigest()\n",
        # No mapping at all.
        "import json\ndef save_bad_batches(bad_batches: list, f):\n    json.dump(bad_batches, f)\n",
        "import json\ndef write_splits(f, n):\n    json.dump(n, f)\n",
        # Fixed order: literal keys, dataclass fields, argv, keyword arguments, a loaded document.
        "import json\ndef write_meta(f, params):\n    json.dump({'version': 2, 'params': params}, f)\n",
        "import dataclasses, json\ndef save_run(run, path):\n    path.write_text(json.dumps(dataclasses.asdict(run)))\n",
        "import json, sys\ndef save_params(f):\n    params = {}\n    for arg in sys.argv[1:]:\n"
        "        key, value = arg.split('=')\n        params[key] = value\n    json.dump(params, f)\n",
        "import json\ndef save_args(f, **kwargs):\n    json.dump(dict(kwargs), f)\n",
        "import json\ndef add_token(path, token):\n    with open(path) as f:\n        config = json.load(f)\n"
        "    config['token'] = token\n    with open(path, 'w') as f:\n        json.dump(config, f)\n",
        "import json\ndef save_times(f, stages):\n    times = {}\n    for stage in ('load', 'train'):\n"
        "        times[stage] = stages[stage]\n    json.dump(times, f)\n",
        # Sanitized: sorted first level, a recursive sorting helper.
        "import json, os\ndef save_info(d, f):\n    info = {n: 1 for n in os.listdir(d)}\n"
        "    json.dump({k: info[k] for k in sorted(info)}, f)\n",
        "import hashlib, json, os\ndef deep_sort(obj):\n    if isinstance(obj, dict):\n"
        "        return {k: deep_sort(v) for k, v in sorted(obj.items())}\n    return obj\n"
        "def env_id(d):\n    env = {n: 1 for n in os.listdir(d)}\n"
        "    return hashlib.sha256(json.dumps(deep_sort(env)).encode()).hexdigest()\n",
        # Not persisted: printed, sent as an HTTP response, a temp file for another process.
        "import json\ndef respond(tags: set):\n    print(json.dumps(dict.fromkeys(tags)))\n",
        "import json, os\nclass Handler:\n    def do_GET(self):\n"
        "        self.wfile.write(json.dumps({n: 1 for n in os.listdir('.')}).encode())\n",
        "import json, os, tempfile\ndef send(d):\n    with tempfile.NamedTemporaryFile('w') as tmp:\n"
        "        json.dump({n: 1 for n in os.listdir(d)}, tmp)\n        notify(tmp.name)\n",
    )
    INVALID = (
        Invalid(
            "import json, os\ndef write_index(d, f):\n    index = {}\n    for name in os.listdir(d):\n"
            "        index[name] = os.path.getsize(os.path.join(d, name))\n    json.dump(index, f)\n",
            fixed=(
                "import json, os\ndef write_index(d, f):\n    index = {}\n    for name in os.listdir(d):\n"
                "        index[name] = os.path.getsize(os.path.join(d, name))\n    json.dump(index, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import hashlib, json\ndef tags_hash(tags: set):\n    payload = json.dumps({t: 1 for t in tags})\n"
            "    return hashlib.sha256(payload.encode()).hexdigest()\n",
            fixed=(
                "import hashlib, json\ndef tags_hash(tags: set):\n"
                "    payload = json.dumps({t: 1 for t in tags}, sort_keys=True)\n"
                "    return hashlib.sha256(payload.encode()).hexdigest()\n"
            ),
        ),
        Invalid(
            "import json\nfrom concurrent.futures import as_completed\ndef save_results(futures, path):\n"
            "    results = {}\n    for future in as_completed(futures):\n        name, value = future.result()\n"
            "        results[name] = value\n    path.write_text(json.dumps({'results': results}, indent=2))\n",
            fixed=(
                "import json\nfrom concurrent.futures import as_completed\ndef save_results(futures, path):\n"
                "    results = {}\n    for future in as_completed(futures):\n        name, value = future.result()\n"
                "        results[name] = value\n"
                "    path.write_text(json.dumps({'results': results}, indent=2, sort_keys=True))\n"
            ),
        ),
        Invalid(
            "import glob, json\ndef shard_sizes(root):\n    return {p: 1 for p in glob.glob(root + '/*.parquet')}\n"
            "def save(root, f):\n    json.dump(shard_sizes(root), f)\n",
            fixed=(
                "import glob, json\ndef shard_sizes(root):\n    return {p: 1 for p in glob.glob(root + '/*.parquet')}\n"
                "def save(root, f):\n    json.dump(shard_sizes(root), f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import json, os\nclass Catalog:\n    def __init__(self):\n        self.entries = {}\n"
            "    def scan(self, root):\n        for top, dirs, files in os.walk(root):\n"
            "            for name in files:\n                self.entries[name] = top\n"
            "    def save(self, f):\n        json.dump(self.entries, f)\n",
            fixed=(
                "import json, os\nclass Catalog:\n    def __init__(self):\n        self.entries = {}\n"
                "    def scan(self, root):\n        for top, dirs, files in os.walk(root):\n"
                "            for name in files:\n                self.entries[name] = top\n"
                "    def save(self, f):\n        json.dump(self.entries, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import json\ndef dump(tokens, f):\n    json.dump(\n        dict.fromkeys(set(tokens), 0),\n        f,\n    )\n",
            settings=(("strict", True),),
            fixed="import json\ndef dump(tokens, f):\n    json.dump(\n        dict.fromkeys(set(tokens), 0),\n"
            "        f,\n        sort_keys=True,\n    )\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)  # the engine only hands over calls named in CALL_NAMES (or aliases)
        name = ctx.call_name(node)
        if name not in ("json.dump", "json.dumps"):
            return
        if _is_true(keyword(node, "sort_keys")) or any(kw.arg is None for kw in node.keywords):
            return
        obj = node.args[0] if node.args else keyword(node, "obj")
        source = unstable_keys(obj, ctx) if obj is not None else None
        if source is None:
            return  # no mapping, or every key order is fixed by the code or the data loaded
        if not ctx.in_artifact_scope(node):
            return
        where = _persistent_sink(node, name, ctx, ctx.settings.strict)
        if where is not None:
            yield Report(
                node,
                f"JSON key order comes from {source.describe()}, and the text {where} without `sort_keys=True`:"
                " the bytes change between runs on the same data",
            )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return _add_keyword_fix(node, ctx, "sort_keys", "True")


def _is_container_value(expr: ast.AST, ctx: Context) -> bool:
    """``expr`` is visibly a dict, set or other container whose text depends on order."""
    if isinstance(expr, (ast.Dict, ast.Set, ast.DictComp, ast.SetComp, ast.List, ast.ListComp, ast.Tuple)):
        return not isinstance(expr, (ast.List, ast.Tuple)) or any(
            _is_container_value(element, ctx) for element in expr.elts
        )
    if isinstance(expr, ast.Call):
        return ctx.call_name(expr) in _CONTAINER_CALLS
    if isinstance(expr, ast.Attribute) and expr.attr == "__dict__":
        return True
    if isinstance(expr, ast.Name):
        return _name_is_container(expr, ctx)
    return False


def _name_is_container(name: ast.Name, ctx: Context) -> bool:
    scope = ctx.enclosing_scope(name)

    def compute() -> frozenset[str]:
        found: set[str] = set()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
                if arg.annotation is not None and _annotation_is_container(arg.annotation):
                    found.add(arg.arg)
        for node in ctx.fact(local_nodes, scope):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = node.value
                if isinstance(value, (ast.Dict, ast.Set, ast.DictComp, ast.SetComp)) or (
                    isinstance(value, ast.Call) and ctx.call_name(value) in _CONTAINER_CALLS
                ):
                    found.add(node.targets[0].id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if _annotation_is_container(node.annotation):
                    found.add(node.target.id)
        return frozenset(found)

    names = ctx.memo("container-names", scope, compute)
    return name.id in names  # type: ignore[operator]


def _annotation_is_container(annotation: ast.AST) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        head = annotation.value.split("[", 1)[0].rsplit(".", 1)[-1]
        return head in _CONTAINER_ANNOTATIONS
    name = last_name(annotation)
    return name in _CONTAINER_ANNOTATIONS


class UnstableHashInput(Rule):
    """
    ## What it does
    Flags hash input made with `str()`, `repr()`, an f-string or `format()` of a dict, set
    or other container, and `pickle.dumps(...)` used as hash input: arguments of
    `hashlib.*(...)`/`hmac.new(...)` and of `.update(...)` on a hash object. Containers are
    recognised from what the code shows: literals, comprehensions, `dict()`/`set()` calls,
    `vars()`/`__dict__`, and annotations such as `dict`, `Mapping` or `set`. Quiet on `str()`
    of a dict whose key order is fixed by the code (literal keys, filled only under literal
    keys, as for DET201): its text is the same in every run.

    ## Why is this bad?
    `str()` of a dict follows insertion order; `str()` of a set of strings follows the
    per-process hash seed, so it differs between two runs of the same program. `pickle`
    output depends on the protocol, the Python version and the same orders. A hash built
    on them changes when the data did not: cache keys miss, run ids drift.

    ## Example
    ```python
    import hashlib


    def cache_key(params: dict) -> str:
        return hashlib.sha256(str(params).encode()).hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib

    from determinism_lint.runtime import canonical_json


    def cache_key(params: dict) -> str:
        return hashlib.sha256(canonical_json(params).encode()).hexdigest()
    ```

    ## Fix safety
    No fix: the canonical form depends on the data (which types, which encoding), so the
    choice stays with the author.

    ## Test code
    Not checked in test code (`test-paths`): a hash a test computes is compared within the
    same run and never kept.

    """

    code = "DET202"
    name = "unstable-hash-input"
    message = "hash input built from the text or pickle of a container: its order is not stable across runs"
    node_types = (ast.Call, ast.JoinedStr)
    CALL_NAMES = frozenset({"dumps", "format", "repr", "str"})

    VALID = (
        "import hashlib\ndef key(seed: int):\n    return hashlib.sha256(str(seed).encode()).hexdigest()\n",
        "import hashlib\ndef key(name):\n    return hashlib.md5(f'{name}-v2'.encode()).hexdigest()\n",
        "import hashlib\ndef key(params):\n    return hashlib.sha256(canonical_json(params).encode()).hexdigest()\n",
        "import hashlib\ndef key(params: dict):\n    h = hashlib.sha256()\n    h.update(json.dumps(params, sort_keys=True).encode())\n",
        "def show(params: dict):\n    print(str(params))\n",
        "import hashlib\ndef definition_name(image, cpu):\n    spec = {'image': image, 'resources': {}}\n"
        "    spec['resources']['cpu'] = cpu\n    return hashlib.sha224(str(spec).encode()).hexdigest()\n",
    )
    INVALID = (
        Invalid("import hashlib\ndef key(params: dict):\n    return hashlib.sha256(str(params).encode()).hexdigest()\n"),
        Invalid("import hashlib\ndef key(a, b):\n    tags = {a, b}\n    return hashlib.md5(repr(tags).encode()).hexdigest()\n"),
        Invalid("import hashlib, pickle\ndef key(obj):\n    h = hashlib.sha1()\n    h.update(pickle.dumps(obj))\n    return h.hexdigest()\n"),
        Invalid("import hashlib\ndef key(cfg: 'Dict[str, int]'):\n    return hashlib.sha256(f'{cfg}'.encode()).digest()\n"),
        Invalid("import hashlib\ndef key(run):\n    return hashlib.sha256(str(vars(run)).encode()).hexdigest()\n"),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        if isinstance(node, ast.JoinedStr):
            culprit = "an f-string of a container" if _fstring_containers(node, ctx) else None
        else:
            assert isinstance(node, ast.Call)
            culprit = self._unstable_text(node, ctx)
        if culprit is None:
            return
        # The text must reach a hash directly (through ``.encode()`` and the like).
        current: ast.AST = node
        parent = ctx.parent(current)
        while parent is not None:
            if isinstance(parent, ast.Call) and parent.func is not current:
                if _is_hash_call(parent, ctx):
                    yield Report(node, f"hash input built from {culprit}: its order is not stable across runs")
                return
            if isinstance(parent, ast.Attribute) and parent.attr == "encode":
                current = ctx.parent(parent) or parent
                parent = ctx.parent(current)
                continue
            if isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)) and not (
                isinstance(node, ast.JoinedStr) and isinstance(parent, ast.FormattedValue)
            ):
                current = parent
                parent = ctx.parent(current)
                continue
            return

    @staticmethod
    def _unstable_text(node: ast.Call, ctx: Context) -> Optional[str]:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "repr") and node.args:
            if _fixed_key_order(node.args[0], ctx):
                return None  # a dict with literal keys, built in code order: the same text every run
            if ctx.is_builtin(func, func.id) and _is_container_value(node.args[0], ctx):
                return f"`{func.id}()` of a container"
            return None
        if ctx.call_name(node) in ("pickle.dumps", "cloudpickle.dumps", "marshal.dumps", "dill.dumps"):
            return "`pickle.dumps()`"
        if isinstance(func, ast.Attribute) and func.attr == "format":
            if any(_is_container_value(arg, ctx) for arg in (*node.args, *(kw.value for kw in node.keywords))):
                return "`str.format()` of a container"
        return None


def _fstring_containers(node: ast.JoinedStr, ctx: Context) -> bool:
    return any(
        isinstance(value, ast.FormattedValue) and _is_container_value(value.value, ctx) for value in node.values
    )


class BuiltinHashPersisted(Rule):
    """
    ## What it does
    Flags the builtin `hash()` where its value can leave the process: formatted into text
    or a name (`str()`, f-strings, `format`), reduced with `%` to pick a shard, written,
    hashed or serialized (directly or through a local variable), or, for visible text
    (`str()`, `.encode()`, f-strings, string literals), returned. The message says where the
    value goes and on which line.

    Quiet where the value cannot be salted or stays in memory: numbers and tuples of numbers
    (`hash((1, 2))`, `int(...)`, `len(...)`), `__hash__` methods, comparisons, a key of an
    in-memory dict or set (`cache[hash(k)] = v`, `seen.add(hash(fn))`), a seed, and a value of
    unknown type returned to callers this module cannot see.

    ## Why is this bad?
    `hash()` of `str` and `bytes` (and of tuples holding them) is salted per process
    (`PYTHONHASHSEED`): the same run id, shard number or cache file name comes out
    different in every process. Shard assignments move, caches never hit, and two workers
    disagree about where a record lives.

    ## Example
    ```python
    def shard_for(key: str, shards: int) -> int:
        return hash(key) % shards
    ```

    ## Use instead
    ```python
    import zlib


    def shard_for(key: str, shards: int) -> int:
        return zlib.crc32(key.encode()) % shards
    ```

    ## Fix safety
    No fix: which stable hash fits (crc32 for sharding, sha256 for ids) is the author's call.

    ## Test code
    Not checked in test code (`test-paths`): tests compare `hash()` values within one
    process (`assert hash(a) == hash(b)`), where the salt is the same.

    """

    code = "DET203"
    name = "builtin-hash-persisted"
    message = "builtin `hash()` is salted per process: its value differs between runs; use hashlib or zlib.crc32"
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"hash"})

    VALID = (
        "class Key:\n    def __hash__(self):\n        return hash((self.a, self.b))\n",
        "def same(a, b):\n    return hash(a) == hash(b)\n",
        "x = hash(42)\n",
        "def hash(x):\n    return 1\nrun_id = hash('abc')\n",
        "import random\ndef rng_for(seed, epoch, i):\n    return random.Random(hash((seed, epoch, i)))\n",
        "cache = {}\ndef remember(k, v):\n    cache[hash(k)] = v\n",
        "def memo_key(targets):\n    return hash(frozenset(targets))\n",
        "def warn_once(fn, seen):\n    key = hash(fn)\n    if key not in seen:\n        seen.add(key)\n",
    )
    INVALID = (
        Invalid("def shard_for(key, n):\n    return hash(key) % n\n"),
        Invalid("def run_dir(cfg):\n    run_id = hash(str(cfg))\n    return f'runs/{run_id}'\n"),
        Invalid("def name(parts):\n    return f'shard-{hash(tuple(parts))}.parquet'\n"),
        Invalid("def lock_name(path: str):\n    return hash(path.strip())\n"),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        func = node.func
        if not (isinstance(func, ast.Name) and func.id == "hash" and len(node.args) == 1):
            return
        if not ctx.is_builtin(func, "hash"):
            return
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float)) and not isinstance(arg.value, bool):
            return
        if isinstance(arg, ast.Call) and ctx.is_builtin(arg.func, "int"):
            return
        function = ctx.enclosing_function(node)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name == "__hash__":
            return
        salted = _visibly_salted(arg, ctx)
        if salted is False:
            return  # numbers, and tuples of them: the same in every process
        where = _hash_value_use(node, ctx, depth=2)
        if where is None:
            return  # compared, or kept in memory as a key or a set member
        if where == "returned" and not salted:
            return  # an unknown value returned to callers this module cannot see
        what = "of text " if salted else ""
        yield Report(
            node,
            f"builtin `hash()` {what}is salted per process and its value {where}: it differs between runs;"
            " use hashlib or zlib.crc32",
        )


_NUMERIC_CALLS = frozenset({"builtins.int", "builtins.len", "builtins.float", "builtins.round", "builtins.id",
                            "builtins.ord", "builtins.abs"})
_TEXT_CALLS = frozenset({"builtins.str", "builtins.repr", "builtins.bytes", "builtins.format"})


def _visibly_salted(arg: ast.AST, ctx: Context) -> Optional[bool]:
    """True for text (str/bytes literals, f-strings, ``str()``, ``.encode()``, tuples holding
    them), False for numbers and tuples of numbers, None when the code does not show it."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, (str, bytes))
    if isinstance(arg, ast.JoinedStr):
        return True
    if isinstance(arg, ast.Call):
        name = ctx.call_name(arg)
        if name in _NUMERIC_CALLS:
            return False
        if name in _TEXT_CALLS:
            return True
        if isinstance(arg.func, ast.Attribute) and arg.func.attr in _STRING_METHODS | {"encode"}:
            return True
        return None
    if isinstance(arg, ast.Tuple):
        kinds = [_visibly_salted(element, ctx) for element in arg.elts]
        if any(kind is True for kind in kinds):
            return True
        if all(kind is False for kind in kinds):
            return False
    return None


#: Methods that take a key and keep it in memory (``seen.add(hash(x))``, ``cache.get(...)``).
_IN_MEMORY_KEY_METHODS = frozenset({"add", "discard", "remove", "get", "pop", "setdefault", "__contains__"})


def _hash_value_use(node: ast.AST, ctx: Context, depth: int) -> Optional[str]:
    """Where the value of ``hash(...)`` goes when that can keep it beyond the process: turned
    into text (``str()``, f-string, ``format``), reduced with ``%`` to pick a shard, written,
    hashed or serialized; ``"returned"`` when returned; None when it stays an in-memory key or
    is only compared. Follows plain local names ``depth`` assignments deep."""
    current = node
    parent = ctx.parent(current)
    while parent is not None:
        if isinstance(parent, (ast.FormattedValue, ast.JoinedStr)):
            return f"is formatted into text on line {parent.lineno}"
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod) and parent.left is current:
            return f"picks a shard with `%` on line {parent.lineno}"
        if isinstance(parent, ast.Call):
            if parent.func is current:
                return None
            name = ctx.call_name(parent)
            if name in _TEXT_CALLS:
                return f"is turned into text by `{name.rsplit('.', 1)[-1]}()` on line {parent.lineno}"
            sink = first_sink(current, ctx)
            if sink is not None and sink[0] in (HASH, FILE, SERIALIZE):
                return f"reaches `{ast.unparse(sink[1].func)}(...)` on line {sink[1].lineno}"  # type: ignore[attr-defined]
            return None  # an in-memory key, a seed, an argument to code we cannot see
        if isinstance(parent, (ast.Tuple, ast.List, ast.BinOp, ast.UnaryOp)):
            current = parent
            parent = ctx.parent(current)
            continue
        if isinstance(parent, ast.Return):
            return "returned"
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is current:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if depth > 0 and len(targets) == 1 and isinstance(targets[0], ast.Name):
                scope = ctx.enclosing_scope(parent)
                for use in ctx.fact(local_names, scope).get(targets[0].id, ()):
                    if isinstance(use.ctx, ast.Load) and use.lineno >= parent.lineno:
                        found = _hash_value_use(use, ctx, depth - 1)
                        if found is not None:
                            return found
            return None
        return None
    return None


class UnsortedYamlDump(Rule):
    """
    ## What it does
    Flags `yaml.dump(...)`/`yaml.safe_dump(...)` with `sort_keys=False` in artifact-shaping
    code when the key order of a dumped mapping comes from an unstable source (a set, a
    directory listing, completion order, or a dict filled by key in a loop over one of
    these: see DET201) and the output persists: written to a stream that is not the console
    or a temp file, written to a file or hashed as text, or returned from a function that
    reaches a sink by other evidence. The message names the source and the sink, with their
    lines. Quiet when every key order is fixed (a dict literal with literal keys,
    `dataclasses.asdict(...)`, a loaded document, a dict built from argv or a fixed
    sequence), since `sort_keys=False` then keeps a deliberate order.

    ## Why is this bad?
    PyYAML sorts mapping keys by default; `sort_keys=False` opts out and makes the document
    follow dict insertion order. When that order comes from a directory listing or a set, it
    differs between runs on the same data: the artifact's bytes and hash change with no
    change in content.

    ## Example
    ```python
    import os

    import yaml


    def save_inventory(data_dir, stream):
        inventory = {name: os.path.getsize(os.path.join(data_dir, name)) for name in os.listdir(data_dir)}
        yaml.safe_dump(inventory, stream, sort_keys=False)
    ```

    ## Use instead
    ```python
    import os

    import yaml


    def save_inventory(data_dir, stream):
        inventory = {name: os.path.getsize(os.path.join(data_dir, name)) for name in os.listdir(data_dir)}
        yaml.safe_dump(inventory, stream, sort_keys=True)
    ```

    ## Fix safety
    The fix sets `sort_keys=True`. It is unsafe: the written bytes change once, and a
    human-friendly key order chosen on purpose is lost.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.
    YAML that a test writes is compared in the same run, not kept.

    """

    code = "DET204"
    name = "unsorted-yaml-dump"
    message = "YAML key order comes from an unstable source (a set, a listing, completion order) with `sort_keys=False`"
    fix_title = "Set `sort_keys=True`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"dump", "dump_all", "safe_dump", "safe_dump_all"})
    artifact_only = True
    fix_node = ("Call",)

    VALID = (
        "import yaml\ndef save_config(c, f):\n    yaml.safe_dump(c, f)\n",
        "import yaml, os\ndef save_inventory(d, f):\n    yaml.dump({n: 1 for n in os.listdir(d)}, f, sort_keys=True)\n",
        # A mapping of unknown origin, with a deliberate order.
        "import yaml\ndef save_config(c, f):\n    yaml.safe_dump(c, f, sort_keys=False)\n",
        "import yaml, os\ndef show(d):\n    print(yaml.safe_dump({n: 1 for n in os.listdir(d)}, sort_keys=False))\n",
        "import yaml\ndef write_task(f, includes, task):\n"
        "    yaml.dump({'include': includes, 'task': task}, f, sort_keys=False)\n",
        "import yaml\ndef update_params(path, lr):\n    params = yaml.safe_load(path.read_text())\n"
        "    params['lr'] = lr\n    path.write_text(yaml.safe_dump(params, sort_keys=False))\n",
    )
    INVALID = (
        Invalid(
            "import os, yaml\ndef save_inventory(d, f):\n    inventory = {n: 1 for n in os.listdir(d)}\n"
            "    yaml.safe_dump(inventory, f, sort_keys=False)\n",
            fixed="import os, yaml\ndef save_inventory(d, f):\n    inventory = {n: 1 for n in os.listdir(d)}\n"
            "    yaml.safe_dump(inventory, f, sort_keys=True)\n",
        ),
        Invalid(
            "import hashlib, yaml\ndef labels_digest(labels: set):\n"
            "    return hashlib.sha256(yaml.dump(dict.fromkeys(labels, 0), sort_keys=False).encode()).hexdigest()\n",
            fixed="import hashlib, yaml\ndef labels_digest(labels: set):\n"
            "    return hashlib.sha256(yaml.dump(dict.fromkeys(labels, 0), sort_keys=True).encode()).hexdigest()\n",
        ),
        Invalid(
            "from yaml import safe_dump\nfrom pathlib import Path\ndef write_params(root, path):\n"
            "    params = {}\n    for p in Path(root).glob('*.yaml'):\n        params[p.stem] = p.stat().st_size\n"
            "    path.write_text(safe_dump({'params': params}, sort_keys=False))\n",
            fixed="from yaml import safe_dump\nfrom pathlib import Path\ndef write_params(root, path):\n"
            "    params = {}\n    for p in Path(root).glob('*.yaml'):\n        params[p.stem] = p.stat().st_size\n"
            "    path.write_text(safe_dump({'params': params}, sort_keys=True))\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        sort_keys = keyword(node, "sort_keys")
        if not (isinstance(sort_keys, ast.Constant) and sort_keys.value is False):
            return
        if ctx.call_name(node) not in ("yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all"):
            return
        obj = node.args[0] if node.args else keyword(node, "data")
        source = unstable_keys(obj, ctx) if obj is not None else None
        if source is None:
            return  # ``sort_keys=False`` keeps a deliberate, fixed order
        if not ctx.in_artifact_scope(node):
            return
        where = _persistent_sink(node, ctx.call_name(node) or "yaml.dump", ctx, ctx.settings.strict)
        if where is not None:
            yield Report(
                node,
                f"YAML key order comes from {source.describe()}, and the text {where} with `sort_keys=False`:"
                " the bytes change between runs on the same data",
            )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return _add_keyword_fix(node, ctx, "sort_keys", "True")


RULES: tuple[type[Rule], ...] = (UnsortedJsonDump, UnstableHashInput, BuiltinHashPersisted, UnsortedYamlDump)
