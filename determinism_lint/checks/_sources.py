"""Where an order comes from: is it unstable between two runs of the same program?

The order rules (DET201, DET204, DET501) report a dict only when its *key order* visibly comes
from a source that differs between runs on the same data:

* a set (iteration order follows the per-process hash seed),
* a directory listing (``os.listdir``, ``glob``, ``Path.iterdir``, the lists of ``os.walk``),
* completion order (``as_completed``, ``imap_unordered``),
* a dict filled by key in a loop over one of these, or built from one (a comprehension,
  ``dict(...)``, ``dict.fromkeys(...)``, ``Counter(...)``, ``**spread``).

Everything else is of fixed order: literals, ``dataclasses.asdict``, ``vars(namespace)``,
parsed documents, dicts built from argv, from keyword arguments or from a fixed sequence, and
dicts filled while walking definitions. ``sorted(...)`` and any call this module does not
follow (a helper that sorts recursively, ``canonical_json``) end the search: their result is not
a source.

The analysis is syntactic: local names (every binding and every fill by key), ``self``
attributes filled in the methods of the class, functions of the module (their returned
value) and, one level up, the arguments the module's own callers pass for a parameter.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Union

from ._util import local_nodes

if TYPE_CHECKING:
    from ..context import Context


@dataclass(frozen=True)
class Source:
    """An unstable order: the node it starts at and how a message names it."""

    node: ast.AST
    text: str
    #: How the order got here when it crossed a function: `` (returned by `build()`)``.
    via: str = ""

    def describe(self) -> str:
        return f"{self.text} on line {getattr(self.node, 'lineno', '?')}{self.via}"


_COMPLETION_CALLS = frozenset({"concurrent.futures.as_completed", "asyncio.as_completed"})
_COMPLETION_METHODS = frozenset({"imap_unordered"})
#: Calls whose result iterates in the order of their (first) iterable argument.
_PASSING_CALLS = frozenset(
    {"builtins.list", "builtins.tuple", "builtins.iter", "builtins.reversed", "builtins.enumerate",
     "builtins.filter", "collections.deque", "itertools.chain", "itertools.islice", "tqdm.tqdm", "tqdm.auto.tqdm",
     "tqdm.std.tqdm", "rich.progress.track", "copy.copy", "copy.deepcopy"}
)
#: Calls that build a mapping whose keys follow the order of their argument.
_MAPPING_CALLS = frozenset(
    {"builtins.dict", "collections.OrderedDict", "collections.Counter", "collections.defaultdict"}
)
_VIEWS = frozenset({"items", "keys", "values"})
_FILL_METHODS = frozenset({"update", "setdefault", "__setitem__"})
_MAX_DEPTH = 10

Loop = Union[ast.For, ast.AsyncFor, ast.comprehension]


def unstable_iteration(expr: ast.AST, ctx: Context, depth: int = _MAX_DEPTH) -> Optional[Source]:
    """The unstable source of the iteration order of ``expr``, or None when it is fixed or unknown."""
    return _guarded(ctx, "iter", expr, depth, lambda: _iteration(expr, ctx, depth))


def unstable_keys(expr: ast.AST, ctx: Context, depth: int = _MAX_DEPTH) -> Optional[Source]:
    """The unstable source of the key order of a mapping in ``expr`` (at any nesting level:
    a value of a dict literal, an element of a list), or None when every key order is fixed
    or unknown."""
    return _guarded(ctx, "keys", expr, depth, lambda: _keys(expr, ctx, depth))


def _sources_state(tree: ast.Module, ctx: Context) -> dict[tuple[str, int, int], Optional[Source]]:
    """The answers of this file by ``(kind, id(expr), depth)``, ``None`` while one is computed."""
    return {}


def _guarded(
    ctx: Context, kind: str, expr: ast.AST, depth: int, compute: Callable[[], Optional[Source]]
) -> Optional[Source]:
    if depth <= 0:
        return None
    state = ctx.fact(_sources_state, ctx.tree)
    key = (kind, id(expr), depth)
    if key in state:
        return state[key]  # a cycle (None while computed), or a known answer
    state[key] = None
    value = compute()
    state[key] = value
    return value


# -- iteration order -------------------------------------------------------------------------


def _iteration(expr: ast.AST, ctx: Context, depth: int) -> Optional[Source]:
    from .listing_facts.listings import find_listing, matches_at_most_one
    from .iteration_facts.kinds import _kind

    if isinstance(expr, (ast.Set, ast.SetComp)):
        return Source(expr, "a set")
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr)
        if name == "builtins.sorted":
            return None
        func = expr.func
        if name in _COMPLETION_CALLS or (isinstance(func, ast.Attribute) and func.attr in _COMPLETION_METHODS):
            return Source(expr, f"completion order of `{_short(func)}(...)`")
        listing = find_listing(expr, ctx)
        if listing is not None and listing.kind != "walk" and not matches_at_most_one(listing, ctx):
            return Source(expr, f"the listing `{listing.label}`")
        if name in ("builtins.set", "builtins.frozenset"):
            return Source(expr, "a set")
        if name in _PASSING_CALLS or name in ("builtins.zip", "builtins.map"):
            args = expr.args[1:] if name == "builtins.map" else expr.args
            for arg in args:
                found = unstable_iteration(arg, ctx, depth - 1)
                if found is not None:
                    return found
            return None
        if isinstance(func, ast.Attribute) and func.attr in _VIEWS and not expr.args:
            return unstable_keys(func.value, ctx, depth - 1)
        if isinstance(func, ast.Attribute) and func.attr in ("union", "intersection", "difference",
                                                             "symmetric_difference"):
            if _kind(func.value, ctx) == "set":
                return Source(expr, "a set")
        if isinstance(func, ast.Name):
            return _returned(func.id, expr, ctx, depth, iteration=True)
        return None
    if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
        return _generators(expr.generators, ctx, depth)
    if isinstance(expr, (ast.Dict, ast.DictComp)):
        return unstable_keys(expr, ctx, depth - 1)
    if isinstance(expr, ast.BinOp):
        if _kind(expr, ctx) == "set":
            return Source(expr, "a set")
        if isinstance(expr.op, ast.Add):
            return unstable_iteration(expr.left, ctx, depth - 1) or unstable_iteration(expr.right, ctx, depth - 1)
        return None
    if isinstance(expr, ast.Attribute):
        if _kind(expr, ctx) == "set":
            return Source(expr, f"the set `{_short(expr)}`")
        return _attribute(expr, ctx, depth)
    if isinstance(expr, ast.Name):
        if _kind(expr, ctx) == "set":
            return Source(expr, f"the set `{expr.id}`")
        return _name(expr, ctx, depth, iteration=True)
    return None


def _generators(generators: list[ast.comprehension], ctx: Context, depth: int) -> Optional[Source]:
    for generator in generators:
        found = unstable_iteration(generator.iter, ctx, depth - 1)
        if found is not None:
            return found
    return None


# -- key order -------------------------------------------------------------------------------


def _keys(expr: ast.AST, ctx: Context, depth: int) -> Optional[Source]:
    if isinstance(expr, ast.DictComp):
        found = _generators(expr.generators, ctx, depth)
        if found is not None:
            return Source(found.node, f"a dict comprehension over {found.text}", found.via)
        return unstable_keys(expr.value, ctx, depth - 1)
    if isinstance(expr, ast.Dict):
        for key, value in zip(expr.keys, expr.values):
            found = unstable_keys(value, ctx, depth - 1)
            if found is not None:
                return found
        return None
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        for element in expr.elts:
            found = unstable_keys(element.value if isinstance(element, ast.Starred) else element, ctx, depth - 1)
            if found is not None:
                return found
        return None
    if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
        return unstable_keys(expr.elt, ctx, depth - 1)
    if isinstance(expr, ast.IfExp):
        return unstable_keys(expr.body, ctx, depth - 1) or unstable_keys(expr.orelse, ctx, depth - 1)
    if isinstance(expr, ast.BoolOp):
        for value in expr.values:
            found = unstable_keys(value, ctx, depth - 1)
            if found is not None:
                return found
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return unstable_keys(expr.left, ctx, depth - 1) or unstable_keys(expr.right, ctx, depth - 1)
    if isinstance(expr, ast.Call):
        return _mapping_call(expr, ctx, depth)
    if isinstance(expr, ast.Attribute):
        return _attribute(expr, ctx, depth)
    if isinstance(expr, ast.Name):
        return _name(expr, ctx, depth, iteration=False)
    return None


def _mapping_call(call: ast.Call, ctx: Context, depth: int) -> Optional[Source]:
    name = ctx.call_name(call)
    func = call.func
    if name == "builtins.sorted":
        return None
    if name in _MAPPING_CALLS or (isinstance(func, ast.Attribute) and func.attr == "fromkeys"):
        args = call.args[1:] if name == "collections.defaultdict" else call.args
        for arg in args:
            found = unstable_keys(arg, ctx, depth - 1)
            if found is None:
                found = unstable_iteration(arg, ctx, depth - 1)
                if found is not None:
                    found = Source(found.node, f"a dict built from {found.text}", found.via)
            if found is not None:
                return found
        for kw in call.keywords:
            found = unstable_keys(kw.value, ctx, depth - 1)
            if found is not None:
                return found
        return None
    if name in ("copy.copy", "copy.deepcopy", "builtins.list", "builtins.tuple") and call.args:
        return unstable_keys(call.args[0], ctx, depth - 1)
    if isinstance(func, ast.Attribute) and func.attr == "copy" and not call.args:
        return unstable_keys(func.value, ctx, depth - 1)
    if isinstance(func, ast.Name) and name is None:
        return _returned(func.id, call, ctx, depth, iteration=False)
    return None


# -- names, attributes, functions --------------------------------------------------------------


def _name(name: ast.Name, ctx: Context, depth: int, iteration: bool) -> Optional[Source]:
    scope = ctx.enclosing_scope(name)
    for ancestor in ctx.ancestors(name):
        if ancestor is scope:
            break
        if isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and any(
            isinstance(inner, ast.Name) and inner.id == name.id
            for generator in ancestor.generators
            for inner in ast.walk(generator.target)
        ):
            return None  # a comprehension variable: one element, not the collection
    fills = ctx.fact(_fills, scope)
    events = fills.get(name.id)
    if iteration and name.id in ctx.fact(_sorted_in_place, scope):
        return None
    if not isinstance(scope, ast.Module):
        if name.id in _parameters(scope):
            found = _from_events(events, ctx, depth, iteration) if events else None
            return found or _from_callers(name.id, scope, ctx, depth)
        if events is None:
            if name.id in ctx.fact(_bound_names, scope):
                return None  # bound here some other way (a loop variable, ``with ... as``)
            events = ctx.fact(_fills, ctx.tree).get(name.id)
    if not events:
        return None
    return _from_events(events, ctx, depth, iteration)


def _from_events(events: tuple[tuple[str, ast.AST], ...], ctx: Context, depth: int, iteration: bool) -> Optional[Source]:
    for kind, node in events:
        found: Optional[Source] = None
        if kind == "value":
            found = (unstable_iteration if iteration else unstable_keys)(node, ctx, depth - 1)
        elif kind == "walk":
            found = Source(node, "the lists of `os.walk()`")
        elif kind == "fill":
            found = _fill_source(node, ctx, depth)
        elif kind == "merge":
            found = (unstable_iteration if iteration else unstable_keys)(node, ctx, depth - 1)
        if found is not None:
            return found
    return None


def _fill_source(store: ast.AST, ctx: Context, depth: int) -> Optional[Source]:
    """``d[key] = v`` (or ``d.setdefault(key, ...)``, ``d.update({key: v})``) under a loop whose
    order is unstable: the keys arrive in that order."""
    for ancestor in ctx.ancestors(store):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)):
            break
        loops: list[ast.AST] = []
        if isinstance(ancestor, (ast.For, ast.AsyncFor)):
            loops = [ancestor.iter]
        elif isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            loops = [generator.iter for generator in ancestor.generators]
        for iterable in loops:
            if _inside(store, iterable):
                continue
            found = unstable_iteration(iterable, ctx, depth - 1)
            if found is not None:
                return Source(found.node, f"a dict filled by key in a loop over {found.text}", found.via)
    return None


def _inside(node: ast.AST, container: ast.AST) -> bool:
    return any(inner is node for inner in ast.walk(container))


#: The node classes :func:`_fills` looks at (exact classes).
_FILL_TYPES = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.Call})


def _fills(scope: ast.AST, ctx: Context) -> dict[str, tuple[tuple[str, ast.AST], ...]]:
    """Per name bound in ``scope``: ``("value", expr)`` for each binding, ``("fill", store)``
    for each store under a computed key (``d[k] = v``, ``d.setdefault(k, ...)``,
    ``d.update(...)`` in a loop), ``("merge", expr)`` for a mapping stored into it or merged
    in, ``("walk", loop)`` for the lists bound by ``for root, dirs, files in os.walk(...)``;
    a fact, one pass over the scope."""
    from .listing_facts.listings import find_listing

    found: dict[str, list[tuple[str, ast.AST]]] = {}
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ not in _FILL_TYPES:
            continue  # most nodes: names, attributes, constants
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(("value", node.value))
                elif isinstance(target, ast.Subscript):
                    base = target
                    while isinstance(base.value, ast.Subscript):
                        base = base.value
                    if isinstance(base.value, ast.Name):
                        events = found.setdefault(base.value.id, [])
                        if not isinstance(target.slice, ast.Constant):
                            events.append(("fill", node))
                        events.append(("merge", node.value))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found.setdefault(node.target.id, []).append(("merge", node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            iterable = node.iter
            target = node.target
            if (
                isinstance(iterable, ast.Call)
                and isinstance(target, (ast.Tuple, ast.List))
                and len(target.elts) == 3
            ):
                listing = find_listing(iterable, ctx)
                if listing is not None and listing.kind == "walk":
                    for element in target.elts[1:]:
                        if isinstance(element, ast.Name):
                            found.setdefault(element.id, []).append(("walk", iterable))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and node.func.attr in _FILL_METHODS and node.args:
                events = found.setdefault(receiver.id, [])
                first = node.args[0]
                if node.func.attr == "update":
                    events.append(("merge", first))
                    if not (isinstance(first, ast.Dict) and all(isinstance(k, ast.Constant) for k in first.keys)):
                        events.append(("fill", node))
                elif not isinstance(first, ast.Constant):
                    events.append(("fill", node))
    return {name: tuple(events) for name, events in found.items()}


def _bound_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    return frozenset(
        node.id for node in ctx.fact(local_nodes, scope) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    )


def _sorted_in_place(scope: ast.AST, ctx: Context) -> frozenset[str]:
    """Names sorted in place somewhere in ``scope`` (``names.sort()``)."""
    names = set()
    for node in ctx.fact(local_nodes, scope):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "sort"
            and isinstance(node.func.value, ast.Name)
        ):
            names.add(node.func.value.id)
    return frozenset(names)


def _parameters(scope: ast.AST) -> dict[str, ast.arg]:
    args = getattr(scope, "args", None)
    if not isinstance(args, ast.arguments):
        return {}
    return {arg.arg: arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _from_callers(parameter: str, function: ast.AST, ctx: Context, depth: int) -> Optional[Source]:
    """What the module's own callers pass for ``parameter`` of ``function``, one level up."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    for call in ctx.calls_by_name.get(function.name, ()):
        assert isinstance(call, ast.Call)
        argument: Optional[ast.AST] = None
        if parameter in positional:
            index = positional.index(parameter)
            if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                argument = call.args[index]
        for kw in call.keywords:
            if kw.arg == parameter:
                argument = kw.value
        if argument is None:
            continue
        found = unstable_keys(argument, ctx, depth - 1) or unstable_iteration(argument, ctx, depth - 1)
        if found is not None:
            return Source(found.node, found.text, f"{found.via}, passed by the call on line {call.lineno}")
    return None


def _returned(function_name: str, call: ast.Call, ctx: Context, depth: int, iteration: bool) -> Optional[Source]:
    """The source of what a function of this module returns."""
    from .order_facts.calls import _module_functions

    function = ctx.fact(_module_functions, ctx.tree).get(function_name)
    if function is None or sorts(function, ctx):
        return None
    parameters = _parameters(function)
    for node in ctx.fact(local_nodes, function):
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Name) and node.value.id in parameters:
                continue  # hands its argument back: what this call passes decides, not a source here
            found = (unstable_iteration if iteration else unstable_keys)(node.value, ctx, depth - 1)
            if found is not None:
                return Source(found.node, found.text, f"{found.via}, returned by `{function_name}()`")
    return None


def sorts(function: ast.AST, ctx: Context) -> bool:
    """A helper that sorts what it returns (``deep_sort``: ``sorted(...)``, a dict rebuilt from
    ``sorted(obj.items())``, ``out.sort()``): its result is in canonical order."""
    for node in ctx.fact(local_nodes, function):
        if isinstance(node, ast.Call):
            if ctx.call_name(node) == "builtins.sorted":
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr == "sort":
                return True
    return False


def _attribute(expr: ast.Attribute, ctx: Context, depth: int) -> Optional[Source]:
    """``self.index``: filled by key, in a method of the class, in a loop over an unstable order."""
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return None
    cls = next((a for a in ctx.ancestors(expr) if isinstance(a, ast.ClassDef)), None)
    if cls is None:
        return None
    events = ctx.fact(_attribute_fills, cls).get(expr.attr)
    if not events:
        return None
    return _from_events(events, ctx, depth, iteration=False)


def _attribute_fills(cls: ast.ClassDef, ctx: Context) -> dict[str, tuple[tuple[str, ast.AST], ...]]:
    found: dict[str, list[tuple[str, ast.AST]]] = {}
    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ctx.fact(local_nodes, method):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    base: ast.AST = target
                    keyed = False
                    while isinstance(base, ast.Subscript):
                        keyed = keyed or not isinstance(base.slice, ast.Constant)
                        base = base.value
                    if _is_self_attribute(base):
                        events = found.setdefault(base.attr, [])  # type: ignore[attr-defined]
                        if base is target:
                            events.append(("value", node.value))
                        else:
                            if keyed:
                                events.append(("fill", node))
                            events.append(("merge", node.value))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                if _is_self_attribute(receiver) and node.func.attr in _FILL_METHODS and node.args:
                    events = found.setdefault(receiver.attr, [])  # type: ignore[attr-defined]
                    if not isinstance(node.args[0], ast.Constant):
                        events.append(("fill", node))
    return {name: tuple(events) for name, events in found.items()}


def _is_self_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def _short(node: ast.AST, limit: int = 40) -> str:
    try:
        text = " ".join(ast.unparse(node).split())
    except Exception:  # an odd node must not break a message
        return type(node).__name__.lower()
    return text if len(text) <= limit else text[: limit - 3] + "..."
