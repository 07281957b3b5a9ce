"""Order-sensitivity analysis: where does the order of an iterable end up?

A value whose order is arbitrary (a directory listing, a set, a dict view) is harmless until
its order *escapes* into something that keeps it: a list that is returned, a hash, a file, an
id handed out by a counter, the "first match" of a search. These functions follow such a value
through one scope and answer with the node where its order escapes, or ``None`` when every
consumer ignores the order (``sorted``, ``set``, ``len``, membership tests, deleting files...).

The analysis is syntactic and local: it follows assignments to plain names, accumulator lists
(``out.append(x)`` in a loop, later ``out.sort()``), comprehensions and order-preserving
wrappers (``list``, ``iter``, ``map``, ``tqdm``), and stops at calls it does not know, which
count as escapes. It never raises on odd code and caches per file, so a rule may ask freely.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Union

from ._util import LOG_METHODS, REPORTING_CALLS, keyword, local_nodes, name_index, walk_local

if TYPE_CHECKING:
    from ..context import Context

Loop = Union[ast.For, ast.AsyncFor, ast.comprehension]

#: Calls whose result does not depend on the order of the iterable they are given.
INSENSITIVE_CALLS = frozenset(
    {
        "builtins.all",
        "builtins.any",
        "builtins.bool",
        "builtins.dict",
        "builtins.frozenset",
        "builtins.isinstance",
        "builtins.len",
        "builtins.max",
        "builtins.min",
        "builtins.set",
        "builtins.sorted",
        "builtins.sum",
        "collections.Counter",
        "concurrent.futures.wait",
        "heapq.nlargest",
        "heapq.nsmallest",
        "math.fsum",
        "numpy.sort",
        "numpy.unique",
        "os.path.commonpath",
        "os.path.commonprefix",
    }
)

#: Calls that hand the order of their iterable argument on to their result.
ORDER_PRESERVING_CALLS = frozenset(
    {
        "builtins.filter",
        "builtins.iter",
        "builtins.list",
        "builtins.map",
        "builtins.repr",
        "builtins.reversed",
        "builtins.str",
        "builtins.tuple",
        "collections.deque",
        "copy.copy",
        "copy.deepcopy",
        "fnmatch.filter",
        "itertools.chain",
        "itertools.chain.from_iterable",
        "rich.progress.track",
        "tqdm.auto.tqdm",
        "tqdm.notebook.tqdm",
        "tqdm.std.tqdm",
        "tqdm.tqdm",
    }
)

#: Methods that add to a list-like accumulator in call order.
ACCUMULATE_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "insert"})

#: Methods that write, hash or enqueue their argument in call order.
WRITE_METHODS = frozenset(
    {"addfile", "push", "put", "put_nowait", "write", "writelines", "writerow", "writerows", "writestr"}
)

#: Functions that write their first argument to a stream given as the second, in call order.
STREAM_WRITERS = frozenset(
    {
        "json.dump",
        "marshal.dump",
        "pickle.dump",
        "shutil.copyfileobj",
        "yaml.dump",
        "yaml.dump_all",
        "yaml.safe_dump",
        "yaml.safe_dump_all",
    }
)

#: Methods of the iterable itself that neither read its order nor pass it on.
_OWN_HARMLESS_METHODS = frozenset(
    {"add", "append", "clear", "close", "count", "discard", "extend", "insert", "remove", "reverse", "sort"}
)
#: Methods that, given the iterable as an argument, ignore its order (set algebra, ``dict.fromkeys``).
_SET_METHODS = frozenset(
    {
        "difference",
        "difference_update",
        "fromkeys",
        "intersection",
        "intersection_update",
        "isdisjoint",
        "issubset",
        "issuperset",
        "symmetric_difference",
        "symmetric_difference_update",
        "union",
        "update",
    }
)
#: ``unittest`` assertions that ignore order: membership, truth, counting.
_ORDERLESS_ASSERTS = frozenset(
    {"assertCountEqual", "assertFalse", "assertIn", "assertIsNone", "assertIsNotNone", "assertNotIn", "assertTrue"}
)
#: ``unittest`` equality assertions: order-free only against an empty or one-element literal.
_EQUALITY_ASSERTS = frozenset({"assertEqual", "assertListEqual", "assertNotEqual", "assertSequenceEqual"})
#: ``str`` methods whose result keeps the text (and so the order) of the string they are called on.
_TEXT_METHODS = frozenset(
    {"capitalize", "casefold", "center", "encode", "expandtabs", "ljust", "lower", "lstrip", "replace", "rjust",
     "rstrip", "strip", "title", "upper", "zfill"}
)
#: Methods whose result keeps the order of an iterable argument (``", ".join``, ``pool.map``).
_PASSING_METHODS = frozenset({"format", "imap", "imap_unordered", "join", "map", "starmap"})

_CONDITIONAL: tuple[type, ...] = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp, ast.comprehension)
if hasattr(ast, "match_case"):
    _CONDITIONAL = (*_CONDITIONAL, ast.match_case)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_CONSOLE = frozenset({"sys.stdout", "sys.stderr"})
_ORDERING_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MAX_STEPS = 64
_BLOCKS: tuple[type, ...] = (ast.stmt, ast.excepthandler)
if hasattr(ast, "match_case"):
    _BLOCKS = (*_BLOCKS, ast.match_case)


class _Flow:
    """Handler result: the order passes on, keep following from ``node``."""

    __slots__ = ("node",)

    def __init__(self, node: ast.AST) -> None:
        self.node = node


_BUSY = object()
_Result = Union[None, ast.AST, _Flow]


# -- public API ------------------------------------------------------------------------


def consumer_is_order_sensitive(expr: ast.AST, ctx: Context) -> Optional[ast.AST]:
    """Where the order of the iterable ``expr`` escapes, or ``None`` when it cannot matter.

    Follows ``expr`` up through order-preserving wrappers (``list(...)``, ``iter(...)``, a
    comprehension over it, ``+``, ``", ".join(...)``) and into names it is assigned to, and
    stops at the first consumer that decides: ``sorted``/``set``/``len``/``in``/a truth test
    ignore the order; ``return``, ``next()``, ``[0]``, ``enumerate``, ``zip`` or an unknown
    call let it escape. A loop over it escapes when :func:`loop_body_is_order_sensitive` says so.
    """
    return _cached(ctx, ("consumer", id(expr)), lambda: _follow(expr, ctx))


def loop_body_is_order_sensitive(loop: Loop, ctx: Context) -> Optional[ast.AST]:
    """Where the iteration order of ``loop`` (a ``for`` or a comprehension) escapes, or ``None``.

    Order-sensitive: appending or extending (unless the list is sorted before it is used),
    ``write``/``writerow``/hash ``update``, ``yield``, ``return`` of a value computed from the
    loop variable, a ``break`` after side effects, ``acc += ...`` on a string or tuple, a
    counter used as an id inside the loop, and "last one wins" assignments used after the loop.
    Deleting, moving or copying files, counting, summing, adding to a set, storing into a dict
    by key, logging and calling functions with the element are order-insensitive.
    """
    return _cached(ctx, ("loop", id(loop)), lambda: _loop_escape(loop, ctx))


def name_uses_are_order_sensitive(name: str, binding: ast.AST, scope: ast.AST, ctx: Context) -> Optional[ast.AST]:
    """Where the order of the value bound to ``name`` at ``binding`` escapes, or ``None``.

    Looks at the uses of ``name`` inside ``scope`` (a function, the module, or a smaller node
    such as a loop) that come after ``binding``, in source order. An in-place sort
    (``name.sort()``, ``name[:] = sorted(...)``) or a reassignment that always runs ends the
    analysis; a sort or reassignment under a condition does not. Uses in nested functions
    that do not rebind ``name`` are checked after all others.
    """
    key = ("uses", name, id(binding), id(scope))
    return _cached(ctx, key, lambda: _name_uses(name, binding, scope, ctx))


def sorts_in_place(statement: ast.AST, name: str) -> bool:
    """``name.sort(...)``, ``name[:] = sorted(...)``, or emptying it (``name.clear()``, ``name[:] = []``)."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("sort", "clear")
            and isinstance(func.value, ast.Name)
            and func.value.id == name
        )
    if isinstance(statement, ast.Assign) and any(_is_full_slice_of(target, name) for target in statement.targets):
        value = statement.value
        if isinstance(value, (ast.List, ast.Tuple)) and not value.elts:
            return True
        return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "sorted"
    if isinstance(statement, ast.Delete):
        return any(_is_full_slice_of(target, name) for target in statement.targets)
    return False


def returned_to_unknown_callers(escape: ast.AST, ctx: Context) -> bool:
    """True when the order escapes only by ``return``/``yield from`` from a function that reaches
    no sink by evidence (not artifact-shaping) and that no function of this module calls in
    an order-sensitive way: a drop-in wrapper of ``os.listdir`` mirrors the stdlib contract,
    and its callers decide. A caller in the module that lets the order escape (stores it,
    pairs it by index, returns it again) keeps the finding."""
    if not isinstance(escape, (ast.Return, ast.Yield, ast.YieldFrom)) or ctx.settings.strict:
        return False
    function = ctx.enclosing_function(escape)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or ctx.in_artifact_scope(escape):
        return False
    streamed = False
    if isinstance(escape, (ast.Return, ast.Yield)):
        for ancestor in ctx.ancestors(escape):
            if ancestor is function:
                break
            if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
                # Inside the loop: a ``return`` picks the first match and stays a finding; a
                # ``yield`` streams the entries one by one as the loop finds them, to callers
                # that usually consume them as they come (write them, add them to an archive):
                # a finding unless the module's own callers visibly ignore the order.
                if isinstance(escape, ast.Return):
                    return False
                streamed = True
                break
    visiting: set[int] = ctx.memo("order.unknown-callers", ctx.tree, set)  # type: ignore[assignment]
    if id(function) in visiting:
        return False  # callers that call each other: keep the finding
    visiting.add(id(function))
    try:
        uses = 0
        recursive = False
        for call in ctx.calls_by_name.get(function.name, ()):
            func = call.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute) and not (
                isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
            ):
                continue
            if ctx.enclosing_function(call) is function:
                if isinstance(ctx.parent(call), ast.YieldFrom):
                    recursive = True  # ``yield from walk(child)``: the same stream, one level down
                    continue
                return False  # recursion: the walk goes on through the function itself
            uses += 1
            onward = consumer_is_order_sensitive(call, ctx)
            # A caller that only passes the order on to its own unseen callers is a wrapper too.
            if onward is not None and not returned_to_unknown_callers(onward, ctx):
                return False
        for mapped in _mapped_over(function, ctx):
            # ``map(iter_subtree, paths)``: each call's stream, in turn.
            uses += 1
            onward = consumer_is_order_sensitive(mapped, ctx)
            if onward is not None and not returned_to_unknown_callers(onward, ctx):
                return False
        return uses > 0 if streamed or recursive else True
    finally:
        visiting.discard(id(function))


def _mapped_over(function: ast.AST, ctx: Context) -> Iterator[ast.Call]:
    """``map(function, items)`` calls of this module that apply ``function`` to each item."""
    name = getattr(function, "name", None)
    for call in ctx.calls_by_name.get("map", ()):
        if (
            isinstance(call, ast.Call)
            and call.args
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id == name
            and ctx.call_name(call) == "builtins.map"
        ):
            yield call


def describe(node: ast.AST) -> str:
    """A short, stable description of an escape node for messages: ``\\`out.append(...)\\` on line 12``."""
    line = getattr(node, "lineno", None)
    where = f" on line {line}" if line is not None else ""
    return f"`{_spelling(node)}`{where}"


# -- following a value upwards -----------------------------------------------------------


def _follow(expr: ast.AST, ctx: Context) -> Optional[ast.AST]:
    node = expr
    for _ in range(_MAX_STEPS):
        parent = ctx.parent(node)
        if parent is None:
            return None
        handler = _HANDLERS.get(type(parent))
        result = handler(node, parent, ctx) if handler is not None else parent
        if isinstance(result, _Flow):
            node = result.node
            continue
        return result
    return None


def _on_call(node: ast.AST, call: ast.Call, ctx: Context) -> _Result:
    if node is call.func:
        return call
    name = ctx.call_name(call)
    if name in INSENSITIVE_CALLS:
        return None
    if name in ORDER_PRESERVING_CALLS:
        return _Flow(call)
    if name == "builtins.print":
        return None if _prints_to_console(call, ctx) else call
    if name in REPORTING_CALLS or _is_log_call(call, name):
        return None
    parent = ctx.parent(call)
    if isinstance(parent, ast.Raise):
        return None  # an error message that lists the entries
    func = call.func
    if isinstance(func, ast.Attribute):
        attr = func.attr
        if attr in _SET_METHODS or attr in _ORDERLESS_ASSERTS:
            return None
        if attr in _EQUALITY_ASSERTS and _compared_with_short_literal(node, call):
            return None
        if attr in _PASSING_METHODS and name is None and not (attr.endswith("map") and _is_first_arg(node, call)):
            return _Flow(call)
        if attr == "extend" and isinstance(func.value, ast.Name):
            return _flows_into_local(func.value.id, ctx.enclosing_statement(call), call, ctx)
    callee = ctx.fact(_module_functions, ctx.tree).get(func.id) if isinstance(func, ast.Name) else None
    if callee is not None and ctx.enclosing_function(call) is not callee:
        parameter = _parameter_for(node, call, callee)
        if parameter is not None:
            # A function of this module: what its body does with the parameter decides.
            escape = name_uses_are_order_sensitive(parameter.arg, parameter, callee, ctx)
            if escape is None:
                return None
            if isinstance(escape, ast.Return):
                return _Flow(call)
            return escape
    return call


def _module_functions(tree: ast.AST, ctx: Context) -> dict[str, ast.FunctionDef]:
    """Functions defined once at the top level of the module, by name; a fact."""
    found: dict[str, ast.FunctionDef] = {}
    twice: set[str] = set()
    for statement in getattr(tree, "body", ()):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.Import,
                                  ast.ImportFrom)):
            names = (
                [statement.name] if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                else [t.id for t in getattr(statement, "targets", ()) if isinstance(t, ast.Name)]
                + [(a.asname or a.name).split(".")[0] for a in getattr(statement, "names", ())]
            )
            for name in names:
                if name in found or name in twice:
                    twice.add(name)
                    found.pop(name, None)
                elif isinstance(statement, ast.FunctionDef) and not statement.decorator_list:
                    found[name] = statement
                else:
                    twice.add(name)
    return found


def _parameter_for(node: ast.AST, call: ast.Call, callee: ast.FunctionDef) -> Optional[ast.arg]:
    """The parameter of ``callee`` that receives ``node`` (an argument of ``call``), if plain."""
    args = callee.args
    positional = [*args.posonlyargs, *args.args]
    if not positional and args.vararg is not None and any(arg is node for arg in call.args):
        return args.vararg  # ``def delete_all(*paths)``: every positional argument lands there
    for index, arg in enumerate(call.args):
        if arg is node:
            if isinstance(node, ast.Starred):
                # ``f(*listing)``: the entries land in ``*args`` when every positional slot before is filled.
                return args.vararg if args.vararg is not None and index >= len(positional) else None
            if index < len(positional):
                return positional[index]
            return None
        if isinstance(arg, ast.Starred):
            return None
    for keyword_arg in call.keywords:
        if keyword_arg.value is node and keyword_arg.arg is not None:
            return next((arg for arg in (*positional, *args.kwonlyargs) if arg.arg == keyword_arg.arg), None)
    return None


def _on_attribute(node: ast.AST, attribute: ast.Attribute, ctx: Context) -> _Result:
    call = ctx.parent(attribute)
    if not (isinstance(call, ast.Call) and call.func is attribute):
        return attribute
    if attribute.attr in _OWN_HARMLESS_METHODS:
        return None
    if attribute.attr == "copy" or attribute.attr in _TEXT_METHODS:
        return _Flow(call)
    return call


def _on_subscript(node: ast.AST, subscript: ast.Subscript, ctx: Context) -> _Result:
    if node is not subscript.value:
        return subscript
    if not isinstance(subscript.ctx, ast.Load):
        return None  # ``names[:] = ...`` writes into the list, it does not read its order
    if _is_full_slice(subscript.slice):
        return _Flow(subscript)
    if isinstance(node, ast.Name) and _has_single_guard(node, ctx):
        return None
    return subscript


def _on_unary(node: ast.AST, parent: ast.UnaryOp, ctx: Context) -> _Result:
    return None if isinstance(parent.op, ast.Not) else parent


def _on_ifexp(node: ast.AST, parent: ast.IfExp, ctx: Context) -> _Result:
    return None if node is parent.test else _Flow(parent)


def _on_comprehension(node: ast.AST, generator: ast.comprehension, ctx: Context) -> _Result:
    if node is not generator.iter:
        return None  # a filter condition: only truthiness
    escape = loop_body_is_order_sensitive(generator, ctx)
    if escape is not None:
        return escape
    comp = ctx.parent(generator)
    if isinstance(comp, (ast.SetComp, ast.DictComp)):
        return None  # set members and dict keys do not remember the order (DET5xx covers dumps)
    return _Flow(comp) if comp is not None else None


def _on_for(node: ast.AST, loop: Union[ast.For, ast.AsyncFor], ctx: Context) -> _Result:
    return loop_body_is_order_sensitive(loop, ctx) if node is loop.iter else None


def _on_assign(node: ast.AST, statement: ast.Assign, ctx: Context) -> _Result:
    return _assign_targets(statement.targets, statement, ctx)


def _on_annassign(node: ast.AST, statement: ast.AnnAssign, ctx: Context) -> _Result:
    return _assign_targets([statement.target], statement, ctx)


def _on_augassign(node: ast.AST, statement: ast.AugAssign, ctx: Context) -> _Result:
    if isinstance(statement.target, ast.Name):
        return _flows_into_local(statement.target.id, statement, statement, ctx)
    return statement


def _on_namedexpr(node: ast.AST, parent: ast.NamedExpr, ctx: Context) -> _Result:
    if node is not parent.value:
        return None
    escape = _flows_into_name(parent.target.id, parent, ctx)
    return escape if escape is not None else _Flow(parent)


def _on_set(node: ast.AST, parent: ast.Set, ctx: Context) -> _Result:
    return None if isinstance(node, ast.Starred) else _Flow(parent)


def _on_withitem(node: ast.AST, item: ast.withitem, ctx: Context) -> _Result:
    if node is not item.context_expr or item.optional_vars is None:
        return None
    if isinstance(item.optional_vars, ast.Name):
        return _flows_into_name(item.optional_vars.id, item, ctx)
    return item


def _none(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return None


def _flow(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return _Flow(parent)


def _escape(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return parent


_HANDLERS: dict[type, Callable[..., _Result]] = {
    ast.Call: _on_call,
    ast.keyword: _flow,
    ast.Starred: _flow,
    ast.Attribute: _on_attribute,
    ast.Subscript: _on_subscript,
    ast.Compare: _none,
    ast.BoolOp: _flow,
    ast.UnaryOp: _on_unary,
    ast.If: _none,
    ast.While: _none,
    ast.Assert: _none,
    ast.IfExp: _on_ifexp,
    ast.comprehension: _on_comprehension,
    ast.For: _on_for,
    ast.AsyncFor: _on_for,
    ast.Expr: _none,
    ast.Raise: _none,
    ast.Assign: _on_assign,
    ast.AnnAssign: _on_annassign,
    ast.AugAssign: _on_augassign,
    ast.NamedExpr: _on_namedexpr,
    ast.Return: _escape,
    ast.Yield: _escape,
    ast.YieldFrom: _escape,
    ast.List: _flow,
    ast.Tuple: _flow,
    ast.Dict: _flow,
    ast.Set: _on_set,
    ast.ListComp: _flow,
    ast.GeneratorExp: _flow,
    ast.SetComp: _flow,
    ast.DictComp: _flow,
    ast.JoinedStr: _flow,
    ast.FormattedValue: _flow,
    ast.BinOp: _flow,
    ast.withitem: _on_withitem,
    ast.Await: _flow,
}


def _assign_targets(targets: Iterable[ast.expr], statement: ast.stmt, ctx: Context) -> _Result:
    for target in targets:
        if isinstance(target, ast.Name):
            escape = _flows_into_name(target.id, statement, ctx)
            if escape is not None:
                return escape
        elif isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 1 and not isinstance(
            target.elts[0], ast.Starred
        ):
            continue  # ``(only,) = names`` fails unless there is exactly one entry
        elif (
            isinstance(target, ast.Subscript)
            and _is_full_slice(target.slice)
            and isinstance(target.value, ast.Name)
        ):
            escape = _flows_into_name(target.value.id, statement, ctx)
            if escape is not None:
                return escape
        else:
            return target
    return None


def _flows_into_name(name: str, binding: ast.AST, ctx: Context) -> Optional[ast.AST]:
    return name_uses_are_order_sensitive(name, binding, ctx.enclosing_scope(binding), ctx)


def _flows_into_local(name: str, binding: ast.AST, site: ast.AST, ctx: Context) -> Optional[ast.AST]:
    """Like :func:`_flows_into_name` for a list extended in place; a parameter or global escapes at ``site``."""
    if _init_kind(name, ctx.enclosing_scope(binding), ctx) is None:
        return site
    return _flows_into_name(name, binding, ctx)


def _flows_into_groups(name: str, site: ast.Call, ctx: Context) -> Optional[ast.AST]:
    """``groups[key].append(entry)``: the entries are grouped into the lists of a local dict.
    Where the order escapes is decided by what the code does with the dict (``min(groups,
    key=...)``, a truth test) and with each group it looks up (``len(groups[k])``)."""
    scope = ctx.enclosing_scope(site)
    if _init_kind(name, scope, ctx) != "dict":
        return site
    for _, _, node in _uses_of(name, scope, ctx):
        if not isinstance(node.ctx, ast.Load):
            continue
        parent = ctx.parent(node)
        if isinstance(parent, ast.Subscript) and parent.value is node and not isinstance(parent.slice, ast.Slice):
            if not isinstance(parent.ctx, ast.Load):
                continue  # ``groups[k] = [...]``: a store, not a read of any order
            escape = consumer_is_order_sensitive(parent, ctx)
        else:
            escape = consumer_is_order_sensitive(node, ctx)
        if escape is not None:
            return escape
    return None


# -- loops ---------------------------------------------------------------------------------


def _loop_escape(loop: Loop, ctx: Context) -> Optional[ast.AST]:
    if isinstance(loop, ast.comprehension):
        parts, targets = _comprehension_parts(loop, ctx)
    else:
        parts, targets = list(loop.body), [loop.target]
    nodes = sorted((node for part in parts for node in _walk_with(part)), key=_position)
    stored = _stored_names(nodes)
    tainted = _tainted_names(targets, nodes)
    target_names = set(_target_names(targets))
    scope = ctx.enclosing_scope(loop)
    own_breaks = _own_breaks(loop) if not isinstance(loop, ast.comprehension) else set()
    for node in nodes:
        escape: Optional[ast.AST] = None
        if isinstance(node, ast.Call):
            escape = _call_escape(node, stored, tainted, scope, ctx)
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            escape = node
        elif isinstance(node, ast.Return):
            if (
                node.value is not None
                and _mentions(node.value, tainted)
                and not _under_unique_match(node, loop, target_names, tainted, ctx)
            ):
                escape = node
        elif isinstance(node, ast.AugAssign):
            escape = _augassign_escape(node, nodes, stored, tainted, scope, ctx)
        elif isinstance(node, ast.Assign):
            escape = _fixed_key_store(node, stored, tainted, loop, target_names, ctx)
        elif isinstance(node, ast.Break) and id(node) in own_breaks:
            if _has_side_effect_statement(parts, tainted, ctx) and not _under_unique_match(
                node, loop, target_names, tainted, ctx
            ):
                escape = node
        if escape is not None:
            return escape
    return _last_one_wins(loop, target_names, nodes, tainted, scope, ctx)


def _comprehension_parts(generator: ast.comprehension, ctx: Context) -> tuple[list[ast.AST], list[ast.AST]]:
    comp = ctx.parent(generator)
    if not isinstance(comp, _COMPREHENSIONS):
        return [], [generator.target]
    generators = comp.generators
    index = next((i for i, item in enumerate(generators) if item is generator), 0)
    parts: list[ast.AST] = list(generator.ifs)
    targets: list[ast.AST] = [generator.target]
    for later in generators[index + 1:]:
        parts.append(later.iter)
        parts.extend(later.ifs)
        targets.append(later.target)
    if isinstance(comp, ast.DictComp):
        parts.extend((comp.key, comp.value))
    else:
        parts.append(comp.elt)
    return parts, targets


def _call_escape(
    call: ast.Call, stored: set[str], tainted: set[str], scope: ast.AST, ctx: Context
) -> Optional[ast.AST]:
    func = call.func
    if isinstance(func, ast.Attribute):
        attr = func.attr
        receiver = func.value
        if attr in ACCUMULATE_METHODS:
            if not _arguments_mention(call, tainted):
                return None
            if isinstance(receiver, ast.Name):
                # A parameter or a global escapes here: the caller sees the order.
                return _flows_into_local(receiver.id, ctx.enclosing_statement(call), call, ctx)
            if (
                isinstance(receiver, ast.Subscript)
                and isinstance(receiver.value, ast.Name)
                and not isinstance(receiver.slice, ast.Slice)
            ):
                return _flows_into_groups(receiver.value.id, call, ctx)
            return call
        if attr in WRITE_METHODS or attr == "update" or attr == "add":
            if not _arguments_mention(call, tainted):
                return None
            if isinstance(receiver, ast.Name) and receiver.id in stored:
                return None  # a file or hash made for this element only
            if ctx.qualified_name(receiver) in _CONSOLE:
                return None
            if attr == "update":
                if _is_keyed_update(call, tainted):
                    return None  # ``index.update({name: digest})``: one key per entry
                if isinstance(receiver, ast.Name) and _init_kind(receiver.id, scope, ctx) in ("set", "counter"):
                    return None  # union and counting do not depend on the order
                # A hash, or a dict merged from each entry: later keys override earlier ones.
            if attr == "add" and len(call.args) + len(call.keywords) < 2:
                return None  # ``seen.add(x)``; ``tar.add(path, arcname=...)`` keeps going
            return call
        if attr in LOG_METHODS:
            return None
    name = ctx.call_name(call)
    if name is None:
        return None
    if name in STREAM_WRITERS:
        stream = _argument(call, 1, ("fp", "fdst", "stream", "file"))
        if stream is not None and _mentions(call, tainted) and _is_shared_stream(stream, stored):
            return call
        return None
    if name == "os.write":
        fd = _argument(call, 0, ())
        if fd is not None and _is_shared_stream(fd, stored) and _mentions(call, tainted):
            return call
        return None
    if name == "builtins.print":
        stream = keyword(call, "file")
        if stream is not None and _is_shared_stream(stream, stored) and ctx.qualified_name(stream) not in _CONSOLE:
            if _mentions(call, tainted):
                return call
    return None


def _augassign_escape(
    node: ast.AugAssign, nodes: list[ast.AST], stored: set[str], tainted: set[str], scope: ast.AST, ctx: Context
) -> Optional[ast.AST]:
    target = node.target
    if not isinstance(target, ast.Name):
        return None
    if _is_number(node.value) and target.id not in tainted:
        # A counter: harmless when it only counts, an order-dependent id when read in the loop.
        # One reset in the body (``offset = 0``) counts within a single element instead.
        if target.id in stored:
            return None
        return _counter_read(target.id, node, nodes, ctx)
    if not _mentions(node.value, tainted):
        return None
    kind = _init_kind(target.id, scope, ctx)
    if kind in ("str", "bytes", "tuple"):
        return node
    if kind == "list":
        return _flows_into_local(target.id, node, node, ctx)
    return None


def _fixed_key_store(
    node: ast.Assign, stored: set[str], tainted: set[str], loop: Loop, target_names: set[str], ctx: Context
) -> Optional[ast.AST]:
    """``latest["checkpoint"] = path``: a key that is the same for every entry keeps the last one."""
    if not _mentions(node.value, tainted) or _under_unique_match(node, loop, target_names, tainted, ctx):
        return None
    for target in node.targets:
        if (
            isinstance(target, ast.Subscript)
            and not _mentions(target.slice, tainted)
            and not (isinstance(target.value, ast.Name) and target.value.id in stored)
            and not _is_full_slice(target.slice)
            and not _under_ordering_test(node, loop, ctx)
        ):
            return target
    return None


def _counter_read(name: str, increment: ast.AugAssign, nodes: list[ast.AST], ctx: Context) -> Optional[ast.AST]:
    for node in nodes:
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and isinstance(node.ctx, ast.Load)
            and not _inside_log_call(node, ctx)
        ):
            return node
    return None


def _last_one_wins(
    loop: Loop, target_names: set[str], nodes: list[ast.AST], tainted: set[str], scope: ast.AST, ctx: Context
) -> Optional[ast.AST]:
    """A name set from the element in the loop and read after it holds the *last* element."""
    if isinstance(loop, ast.comprehension):
        return None
    candidates: list[tuple[str, ast.AST]] = [(name, loop.target) for name in sorted(target_names)]
    assigned: list[ast.expr]
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            assigned = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.NamedExpr):
            value, assigned = node.value, [node.target]
        else:
            continue
        if value is None or not _mentions(value, tainted) or _is_min_max(value, ctx):
            continue
        if _under_ordering_test(node, loop, ctx):
            continue  # ``if size > best_size: best = f`` keeps the largest, not the last
        if _under_unique_match(node, loop, target_names, tainted, ctx):
            continue  # ``if name == "model.pt": found = name``: at most one entry matches
        candidates.extend((target.id, node) for target in assigned if isinstance(target, ast.Name))
    seen: set[str] = set()
    for name, site in candidates:
        if name in seen:
            continue
        seen.add(name)
        if name_uses_are_order_sensitive(name, loop, scope, ctx) is not None:
            return site
    return None


def _under_unique_match(
    node: ast.AST, loop: Loop, target_names: set[str], tainted: set[str], ctx: Context
) -> bool:
    """``node`` runs only for an entry equal to a fixed name: a directory holds it at most once."""
    for ancestor in ctx.ancestors(node):
        if ancestor is loop:
            return False
        if isinstance(ancestor, ast.If) and _is_unique_match(ancestor.test, target_names, tainted):
            return True
    return False


def _is_unique_match(test: ast.AST, target_names: set[str], tainted: set[str]) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_unique_match(value, target_names, tainted) for value in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    left, right = test.left, test.comparators[0]
    for entry, other in ((left, right), (right, left)):
        if isinstance(entry, ast.Attribute) and entry.attr == "name":
            entry = entry.value
        if isinstance(entry, ast.Name) and entry.id in target_names and not _mentions(other, tainted):
            return True
    return False


def _own_breaks(loop: Union[ast.For, ast.AsyncFor]) -> set[int]:
    found: set[int] = set()
    todo: list[ast.AST] = list(loop.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Break):
            found.add(id(node))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # Breaks inside a nested loop belong to it; only its else-clause can break ours.
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                todo.extend(node.orelse)
            continue
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCKS))
    return found


def _has_side_effect_statement(parts: list[ast.AST], tainted: set[str], ctx: Context) -> bool:
    """A call on the element before a ``break``: only the first matching entries get processed."""
    for part in parts:
        for node in _walk_with(part):
            if isinstance(node, ast.Expr):
                value = node.value.value if isinstance(node.value, ast.Await) else node.value
                if (
                    isinstance(value, ast.Call)
                    and _mentions(value, tainted)
                    and not _is_log_call(value, ctx.call_name(value))
                ):
                    return True
    return False


# -- names ---------------------------------------------------------------------------------


def _name_uses(name: str, binding: ast.AST, scope: ast.AST, ctx: Context) -> Optional[ast.AST]:
    start = _end_position(binding)
    # Conditional reassignments and sorts: later uses inside their branch see the new value.
    shadows: list[ast.AST] = []
    cutoff: Optional[tuple[int, int]] = None
    for outer, position, node in _uses_of(name, scope, ctx):
        if not outer and position <= start:
            continue
        if cutoff is not None and (outer or position > cutoff):
            return None
        if outer:
            if isinstance(node.ctx, ast.Load):
                escape = consumer_is_order_sensitive(node, ctx)
                if escape is not None:
                    return escape
            continue
        settles: Optional[ast.AST]
        if isinstance(node.ctx, ast.Load):
            settles = _in_place_sort(node, ctx)
        else:
            settles = ctx.enclosing_statement(node)
            if isinstance(settles, ast.AugAssign):
                continue  # ``names += more``: the same list, still unsorted
        if settles is not None:
            if _dominates(settles, binding, ctx):
                return None
            shadows.append(settles)
            branches = _covering_if(settles, binding, name, ctx)
            if branches is not None:
                cutoff = _end_position(branches)
            continue
        if any(_dominates(shadow, node, ctx) for shadow in shadows):
            continue
        escape = consumer_is_order_sensitive(node, ctx)
        if escape is not None:
            return escape
    return None


def _covering_if(statement: ast.AST, binding: ast.AST, name: str, ctx: Context) -> Optional[ast.If]:
    """The ``if``/``else`` around ``statement`` when every branch rebinds, sorts or leaves.

    ``if not names: names = [] else: names.sort()``: after the ``if``, ``names`` is new or sorted.
    """
    parent = ctx.parent(statement)
    if not isinstance(parent, ast.If) or not parent.orelse or not _dominates(parent, binding, ctx):
        return None
    if any(ancestor is parent for ancestor in ctx.ancestors(binding)):
        return None  # the value itself was bound in one of the branches
    if all(_branch_settles(branch, name) for branch in (parent.body, parent.orelse)):
        return parent
    return None


def _branch_settles(body: list[ast.stmt], name: str) -> bool:
    if body and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    for statement in body:
        if sorts_in_place(statement, name):
            return True
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                return True
    return False


def _uses_of(name: str, scope: ast.AST, ctx: Context) -> list[tuple[bool, tuple[int, int], ast.Name]]:
    """``(in_nested_function, position, node)`` for every ``name`` in ``scope``, sorted."""
    cache = ctx.fact(_uses_cache, scope)
    found = cache.get(name)
    if found is not None:
        return found
    home = scope if isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else (
        ctx.enclosing_scope(scope)
    )
    found = []
    for node in ctx.fact(name_index, scope).names.get(name, ()):
        outer = False
        skip = False
        for ancestor in ctx.ancestors(node):
            if ancestor is home:
                break
            if isinstance(ancestor, _COMPREHENSIONS) and _comprehension_binds(ancestor, name):
                skip = True
                break
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if ctx.resolver.bindings(ancestor).get(name) is not None:
                    skip = True
                    break
                outer = True
        if not skip:
            found.append((outer, _use_position(node, ctx), node))
    found.sort(key=lambda item: (item[0], item[1]))
    cache[name] = found
    return found


def _uses_cache(scope: ast.AST, ctx: Context) -> dict[str, list[tuple[bool, tuple[int, int], ast.Name]]]:
    """Per scope: :func:`_uses_of` of each name asked so far."""
    return {}


def _use_position(node: ast.Name, ctx: Context) -> tuple[int, int]:
    # A store takes effect after its statement's value is computed: ``names = sorted(names)``
    # reads the old value first.
    if isinstance(node.ctx, ast.Store):
        statement = ctx.enclosing_statement(node)
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            return _end_position(statement)
    return _position(node)


def _comprehension_binds(comp: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name
        for generator in comp.generators  # type: ignore[attr-defined]
        for node in ast.walk(generator.target)
    )


def _in_place_sort(node: ast.Name, ctx: Context) -> Optional[ast.AST]:
    """The statement when ``node`` is sorted in place there (``node.sort()``, ``node[:] = sorted(...)``)."""
    parent = ctx.parent(node)
    if isinstance(parent, (ast.Attribute, ast.Subscript)):
        statement = ctx.enclosing_statement(node)
        if sorts_in_place(statement, node.id):
            return statement
    return None


def _dominates(statement: ast.AST, binding: ast.AST, ctx: Context) -> bool:
    """``statement`` runs whenever ``binding`` did: no condition or loop of its own between them.

    Two branches of one ``if`` (or ``try``, loop ``else``...) exclude each other, so a statement in
    the ``else`` of an ``if`` whose body holds ``binding`` does not count.
    """
    path = [binding, *ctx.ancestors(binding)]
    chain = {id(node): index for index, node in enumerate(path)}
    child: Optional[ast.AST] = None
    current: Optional[ast.AST] = statement
    while current is not None and id(current) not in chain:
        if isinstance(current, _CONDITIONAL) and current is not statement:
            return False
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        child, current = current, ctx.parent(current)
    if current is None or child is None:
        return current is not None
    index = chain[id(current)]
    binding_child = path[index - 1] if index > 0 else None
    return binding_child is None or _field_of(current, child) == _field_of(current, binding_child)


def _field_of(parent: ast.AST, child: ast.AST) -> Optional[str]:
    for name, value in ast.iter_fields(parent):
        if value is child or (isinstance(value, list) and any(item is child for item in value)):
            return name
    return None


def _init_kind(name: str, scope: ast.AST, ctx: Context) -> Optional[str]:
    """What ``name`` is first assigned in ``scope``: ``"list"``, ``"str"``, ``"set"``...; ``None`` if never."""
    index = ctx.fact(_local_index, scope)
    kinds = index.kinds
    if name not in kinds:
        first = index.first_values.get(name)
        kinds[name] = None if first is None else _kind_of(first[1], ctx)
    return kinds[name]


class _LocalIndex:
    """One pass over a scope, not entering nested scopes: what the per-name questions need.

    ``first_values``: the value of the first plain assignment to each name, with its position;
    ``guarded``: names whose length is checked against one (see :func:`_has_single_guard`).
    """

    __slots__ = ("first_values", "guarded", "kinds")

    def __init__(self) -> None:
        self.first_values: dict[str, tuple[tuple[int, int], ast.expr]] = {}
        self.guarded: set[str] = set()
        self.kinds: dict[str, Optional[str]] = {}


def _local_index(scope: ast.AST, ctx: Context) -> _LocalIndex:
    index = _LocalIndex()
    first_values = index.first_values
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, ast.Assign):
            names = {target.id for target in node.targets if isinstance(target, ast.Name)}
            if names:
                position = _position(node)
                for name in names:
                    first = first_values.get(name)
                    if first is None or position < first[0]:
                        first_values[name] = (position, node.value)
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.value is not None:
                first = first_values.get(node.target.id)
                position = _position(node)
                if first is None or position < first[0]:
                    first_values[node.target.id] = (position, node.value)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "assertEqual" and len(node.args) >= 2:
                guarded = _len_of(node.args[0])
                expected = node.args[1]
                if guarded is not None and isinstance(expected, ast.Constant) and expected.value == 1:
                    index.guarded.add(guarded)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            guarded = _len_of(node.left)
            if guarded is None:
                continue
            right = node.comparators[0]
            if not isinstance(right, ast.Constant) or isinstance(right.value, bool):
                continue
            op = node.ops[0]
            if right.value == 1 and isinstance(op, (ast.Eq, ast.NotEq, ast.Gt, ast.LtE)):
                index.guarded.add(guarded)
            elif right.value == 2 and isinstance(op, (ast.GtE, ast.Lt)):
                index.guarded.add(guarded)
    return index


_KIND_OF_CALL = {
    "builtins.list": "list",
    "collections.deque": "list",
    "builtins.str": "str",
    "builtins.bytes": "bytes",
    "builtins.bytearray": "bytes",
    "builtins.tuple": "tuple",
    "builtins.set": "set",
    "builtins.frozenset": "set",
    "builtins.dict": "dict",
    "collections.Counter": "counter",
    "collections.defaultdict": "dict",
    "collections.OrderedDict": "dict",
}


def _kind_of(value: ast.expr, ctx: Context) -> str:
    if isinstance(value, ast.Constant):
        if isinstance(value.value, str):
            return "str"
        if isinstance(value.value, bytes):
            return "bytes"
        return "other"
    if isinstance(value, ast.JoinedStr):
        return "str"
    if isinstance(value, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(value, ast.Tuple):
        return "tuple"
    if isinstance(value, (ast.Set, ast.SetComp)):
        return "set"
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name is not None:
            if name.startswith("hashlib."):
                return "hash"
            return _KIND_OF_CALL.get(name, "other")
    return "other"


def _has_single_guard(node: ast.Name, ctx: Context) -> bool:
    """``len(names) == 1`` (or ``!= 1``, ``> 1``) is checked: indexing then picks the only entry."""
    return node.id in ctx.fact(_local_index, ctx.enclosing_scope(node)).guarded


def _len_of(expr: ast.AST) -> Optional[str]:
    """``names`` for ``len(names)``, else ``None``."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id == "len"
        and len(expr.args) == 1
        and isinstance(expr.args[0], ast.Name)
    ):
        return expr.args[0].id
    return None


# -- small helpers -------------------------------------------------------------------------


def _cached(ctx: Context, key: tuple[object, ...], compute: Callable[[], Optional[ast.AST]]) -> Optional[ast.AST]:
    state: dict[tuple[object, ...], object] = ctx.memo("order.state", ctx.tree, dict)  # type: ignore[assignment]
    if key in state:
        value = state[key]
        return None if value is _BUSY else value  # type: ignore[return-value]
    state[key] = _BUSY  # a cycle (a name feeding itself through a loop) answers "quiet"
    try:
        value = compute()
    except BaseException:
        del state[key]
        raise
    state[key] = value
    return value


def _walk_with(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        yield from walk_local(node)


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _end_position(node: ast.AST) -> tuple[int, int]:
    if isinstance(node, ast.withitem):
        node = node.optional_vars if node.optional_vars is not None else node.context_expr
    end_line = getattr(node, "end_lineno", None)
    if end_line is None:
        return _position(node)
    return (end_line, getattr(node, "end_col_offset", 0) or 0)


def _stored_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Names bound in a loop body (targets, ``with ... as``), not counting ``+=``."""
    augmented = {id(node.target) for node in nodes if isinstance(node, ast.AugAssign)}
    return {
        node.id
        for node in nodes
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and id(node) not in augmented
    }


def _tainted_names(targets: list[ast.AST], nodes: list[ast.AST]) -> set[str]:
    """Names whose value comes from the loop variable, directly or through assignments."""
    tainted = {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}
    flows: list[tuple[ast.AST, list[str]]] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            flows.append((node.value, _target_names(node.targets)))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            flows.append((node.value, _target_names([node.target])))
        elif isinstance(node, ast.NamedExpr):
            flows.append((node.value, [node.target.id]))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            flows.append((node.iter, _target_names([node.target])))
        elif isinstance(node, ast.comprehension):
            flows.append((node.iter, _target_names([node.target])))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            flows.append((node.context_expr, _target_names([node.optional_vars])))
    changed = True
    while changed:
        changed = False
        for value, names in flows:
            if any(name not in tainted for name in names) and _mentions(value, tainted):
                tainted.update(names)
                changed = True
    return tainted


def _target_names(targets: Iterable[ast.AST]) -> list[str]:
    return [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(node))


def _arguments_mention(call: ast.Call, names: set[str]) -> bool:
    return any(_mentions(arg, names) for arg in call.args) or any(
        _mentions(item.value, names) for item in call.keywords
    )


def _is_shared_stream(stream: ast.AST, stored: set[str]) -> bool:
    """A handle opened outside the loop (``out``, ``self.out``), not one made per element."""
    if isinstance(stream, ast.Name):
        return stream.id not in stored
    return isinstance(stream, ast.Attribute)


def _is_keyed_update(call: ast.Call, tainted: set[str]) -> bool:
    """``d.update({entry: value})``: every key comes from the entry, so no entry overrides another."""
    if call.keywords or len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
        return False
    keys = call.args[0].keys
    return bool(keys) and all(key is not None and _mentions(key, tainted) for key in keys)


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_constant(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(key is not None and _is_constant(key) for key in node.keys) and all(
            _is_constant(value) for value in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    return False


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _is_min_max(value: ast.AST, ctx: Context) -> bool:
    return isinstance(value, ast.Call) and ctx.call_name(value) in ("builtins.min", "builtins.max")


def _under_ordering_test(node: ast.AST, loop: ast.AST, ctx: Context) -> bool:
    for ancestor in ctx.ancestors(node):
        if ancestor is loop:
            return False
        if isinstance(ancestor, (ast.If, ast.IfExp)) and any(
            isinstance(compare, ast.Compare) and any(isinstance(op, _ORDERING_OPS) for op in compare.ops)
            for compare in ast.walk(ancestor.test)
        ):
            return True
    return False


def _is_full_slice(node: ast.AST) -> bool:
    return isinstance(node, ast.Slice) and node.lower is None and node.upper is None and node.step is None


def _is_full_slice_of(target: ast.AST, name: str) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == name
        and _is_full_slice(target.slice)
    )


def _compared_with_short_literal(node: ast.AST, call: ast.Call) -> bool:
    """``assertEqual(names, [])`` or ``assertEqual(names, ["only"])``: no order to compare."""
    others = [arg for arg in call.args[:2] if arg is not node]
    return (
        len(call.args) >= 2
        and len(others) == 1
        and isinstance(others[0], (ast.List, ast.Tuple))
        and len(others[0].elts) <= 1
    )


def _is_first_arg(node: ast.AST, call: ast.Call) -> bool:
    return bool(call.args) and call.args[0] is node


def _argument(call: ast.Call, position: int, names: tuple[str, ...]) -> Optional[ast.expr]:
    if len(call.args) > position and not any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
        return call.args[position]
    for item in call.keywords:
        if item.arg in names:
            return item.value
    return None


def _prints_to_console(call: ast.Call, ctx: Context) -> bool:
    stream = keyword(call, "file")
    return stream is None or ctx.qualified_name(stream) in _CONSOLE


def _is_log_call(call: ast.Call, name: Optional[str]) -> bool:
    """``logger.info(...)``, ``logging.warning(...)``, ``warnings.warn(...)``; not ``math.log``."""
    if name is not None:
        method = name.rsplit(".", 1)[-1]
        if name in REPORTING_CALLS or (name.startswith("logging.") and method in LOG_METHODS):
            return True
        # An imported logger module (``from numpy.distutils import log``); ``math.log`` is not one.
        return method in LOG_METHODS and method != "log"
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS


def _inside_log_call(node: ast.AST, ctx: Context) -> bool:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, ast.Call) and (
            _is_log_call(ancestor, ctx.call_name(ancestor))
            or (ctx.call_name(ancestor) == "builtins.print" and _prints_to_console(ancestor, ctx))
        ):
            return True
    return False


def _spelling(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return f"{_short(node.func)}(...)"
    if isinstance(node, ast.Return):
        return "return" if node.value is None else f"return {_short(node.value)}"
    if isinstance(node, ast.Yield):
        return "yield"
    if isinstance(node, ast.YieldFrom):
        return "yield from"
    if isinstance(node, ast.Break):
        return "break"
    if isinstance(node, ast.AugAssign):
        return f"{_short(node.target)} {_OPERATORS.get(type(node.op), '?')}= ..."
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        return f"{_short(target)} = ..."
    if isinstance(node, ast.withitem):
        return f"with ... as {_short(node.optional_vars)}" if node.optional_vars is not None else "with"
    if isinstance(node, ast.expr):
        return _short(node)
    return type(node).__name__.lower()


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}


def _short(node: Optional[ast.AST], limit: int = 40) -> str:
    if node is None:
        return ""
    try:
        text = ast.unparse(node)
    except Exception:  # an odd node shape must not break a message
        return type(node).__name__.lower()
    text = " ".join(text.split()).replace("lambda :", "lambda:")  # Python 3.9 spells it so
    return text if len(text) <= limit else text[: limit - 3] + "..."
