"""How a listing can be sorted where it stands without changing what its consumer gets.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import name_index
from .listings import Listing

if TYPE_CHECKING:
    from ...context import Context


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
