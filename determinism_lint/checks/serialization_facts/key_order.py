"""Whether the keys of a mapping that is serialized or hashed come in a fixed order: built from
literals, in fixed loops, or holding no mapping at all.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import local_nodes, walk_local

if TYPE_CHECKING:
    from ...context import Context


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
_FILLING_OR_SETITEM = _FILLING_METHODS | {"__setitem__"}


def _single_assignment(name: ast.Name, ctx: Context) -> Optional[ast.AST]:
    """The value of the only plain assignment to ``name`` in its scope, if there is exactly one."""
    return ctx.fact(_single_assignments, ctx.enclosing_scope(name)).get(name.id)


#: The node classes :func:`_single_assignments` looks at (exact classes).
_SINGLE_ASSIGNMENT_TYPES = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr, ast.Call})


def _single_assignments(scope: ast.AST, ctx: Context) -> dict[str, ast.AST]:
    """For each name bound exactly once in ``scope``, by a plain ``name = value`` and never
    filled in place (``name.append(...)``), its value; one pass over the scope."""
    values: dict[str, ast.AST] = {}
    spoiled: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ not in _SINGLE_ASSIGNMENT_TYPES:
            continue  # most nodes: names, attributes, constants
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


#: The node classes :func:`_literal_key_builds` looks at (exact classes).
_KEY_BUILD_TYPES = frozenset(
    {ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.With, ast.NamedExpr, ast.comprehension,
     ast.Call}
)


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
        if node.__class__ not in _KEY_BUILD_TYPES:
            continue  # most nodes: names, attributes, constants
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
            if isinstance(receiver, ast.Name) and node.func.attr in _FILLING_OR_SETITEM:
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
