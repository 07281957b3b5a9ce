"""What a local name is initialised to (a list, a string, a counter...), from one index of its
scope's assignments.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import local_nodes
from .nodes import _position

if TYPE_CHECKING:
    from ...context import Context


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


#: The node classes :func:`_local_index` looks at (exact classes: ``ast`` has no subclasses).
_INDEXED_TYPES = frozenset({ast.Assign, ast.AnnAssign, ast.Call, ast.Compare})


def _local_index(scope: ast.AST, ctx: Context) -> _LocalIndex:
    index = _LocalIndex()
    first_values = index.first_values
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ not in _INDEXED_TYPES:
            continue  # most nodes: names, attributes, constants
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
