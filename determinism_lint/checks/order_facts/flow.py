"""Following a value whose order is arbitrary through one scope: the public entry points of the
order analysis and the steps that call back into it (calls, comprehensions, loops, assignments,
the uses of a name).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Union

from .._util import LOG_METHODS, REPORTING_CALLS, keyword
from .calls import (
    _argument,
    _arguments_mention,
    _compared_with_short_literal,
    _is_first_arg,
    _is_keyed_update,
    _only_tested_for_none,
    _is_log_call,
    _is_shared_stream,
    _local_callee,
    _parameter_for,
    _prints_to_console,
)
from .locals import _init_kind
from .per_element import (
    _attribute_resorted_next,
    result_resorted,
    _draw_per_element,
    _import_per_element,
    _merges_loaded_shard, _merges_own_subtree,
    _per_element_destination,
)
from .loops import (
    _comprehension_parts,
    _counter_read,
    _fixed_key_store,
    _has_side_effect_statement,
    _is_min_max,
    _is_number,
    _own_breaks,
    _stored_names,
    _tainted_names,
    _target_names,
    _under_ordering_test,
    _under_unique_match,
    _walk_with,
)
from .nodes import _cached, _end_position, _is_full_slice, _mentions, _position, _unknown_callers_visiting
from .steps import _escape, _flow, _none, _on_attribute, _on_ifexp, _on_set, _on_subscript, _on_unary
from .uses import _covering_if, _dominates, _in_place_sort, _uses_of
from .vocabulary import (
    ACCUMULATE_METHODS,
    INSENSITIVE_CALLS,
    ORDER_PRESERVING_CALLS,
    STREAM_WRITERS,
    WRITE_METHODS,
    _CONSOLE,
    _EQUALITY_ASSERTS,
    _MAX_STEPS,
    _ORDERLESS_ASSERTS, _orderless_callee,
    _PASSING_METHODS,
    _SET_METHODS,
    Loop,
    _Flow,
    _Result,
)

if TYPE_CHECKING:
    from ...context import Context


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
    visiting = ctx.fact(_unknown_callers_visiting, ctx.tree)
    if id(function) in visiting:
        return False  # callers that call each other: keep the finding
    visiting.add(id(function))
    try:
        uses = 0
        recursive = False
        for call in ctx.calls_by_name.get(function.name, ()):
            func = call.func
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
        if (streamed or recursive) and not _named_as_listing(function):
            return uses > 0
        return True
    finally:
        visiting.discard(id(function))


#: Names that promise a listing in arbitrary order, as the standard library's do.
_LISTING_NAMES = ("listdir", "scandir", "walk", "glob", "iglob", "rglob", "iterdir")


def _named_as_listing(function: ast.AST) -> bool:
    """``def listdir(self, path)`` in a file-system class: a drop-in listing by its name, whose
    callers expect the entries in arbitrary order, as from ``os.listdir``, and sort if they
    need to."""
    name = getattr(function, "name", "")
    return isinstance(name, str) and name.lstrip("_").endswith(_LISTING_NAMES)


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
    if name in INSENSITIVE_CALLS or _orderless_callee(call, name):
        return None
    if name in ORDER_PRESERVING_CALLS:
        return _Flow(call)
    if name == "builtins.print":
        return None if _prints_to_console(call, ctx) else call
    if name == "builtins.next" and _is_first_arg(node, call) and _only_tested_for_none(call, ctx):
        return None  # ``next(entries, None) is None``: whether the directory is empty
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
    callee = _local_callee(func, call, ctx) if isinstance(func, ast.Name) else None
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
    if result_resorted(call, ctx):
        return None
    return call


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


def _on_withitem(node: ast.AST, item: ast.withitem, ctx: Context) -> _Result:
    if node is not item.context_expr or item.optional_vars is None:
        return None
    if isinstance(item.optional_vars, ast.Name):
        return _flows_into_name(item.optional_vars.id, item, ctx)
    return item


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
        elif _attribute_resorted_next(target, statement, ctx):
            continue
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
    ordered = _draw_per_element(loop, nodes, tainted, ctx) or _import_per_element(nodes, tainted, ctx, loop)
    if ordered is not None:
        return ordered
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
            if attr in WRITE_METHODS and _per_element_destination(receiver, tainted, ctx):
                # ``s3.Object(bucket, key_of(entry)).put(Body=f)``: each entry goes to a
                # destination of its own, so the order does not change which lands where.
                return None
            if ctx.qualified_name(receiver) in _CONSOLE:
                return None
            if attr == "update":
                if _is_keyed_update(call, tainted):
                    return None  # ``index.update({name: digest})``: one key per entry
                if isinstance(receiver, ast.Name) and _init_kind(receiver.id, scope, ctx) in ("set", "counter"):
                    return None  # union and counting do not depend on the order
                if _merges_loaded_shard(call, tainted, ctx) or isinstance(receiver, ast.Name) and _merges_own_subtree(
                    call, receiver.id, tainted, scope, ctx
                ):
                    return None
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
