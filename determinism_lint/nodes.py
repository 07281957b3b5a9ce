"""Fast traversal of ``ast`` trees: per-class child fields instead of ``iter_child_nodes``."""

from __future__ import annotations

import ast
import sys
from typing import Union

# Fields that never hold nodes worth visiting: expression contexts and operators are
# shared singletons in CPython's ast, the rest are plain strings, numbers or flags.
# Knowing this per class lets the walk skip isinstance tests, its main cost.
_SCALAR_FIELDS = frozenset(
    {
        "arg", "asname", "attr", "conversion", "ctx", "id", "is_async", "kind", "kwd_attrs",
        "level", "module", "name", "op", "ops", "rest", "simple", "tag", "type_comment",
    }
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# Classes whose ``value`` is a plain constant, not a node.
if sys.version_info >= (3, 10):
    _CONSTANT_VALUE_TYPES: tuple[type, ...] = (ast.Constant, ast.MatchSingleton)
else:
    _CONSTANT_VALUE_TYPES = (ast.Constant,)


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        skip = _SCALAR_FIELDS
        if cls in _CONSTANT_VALUE_TYPES:
            skip = skip | {"value"}
        elif cls in (ast.Global, ast.Nonlocal):
            skip = skip | {"names"}
        fields = tuple(name for name in cls._fields if name not in skip)  # type: ignore[attr-defined]
        _CHILD_FIELDS[cls] = fields
    return fields


def children_list(node: ast.AST) -> list[ast.AST]:
    """The child nodes of ``node`` (without expression contexts and operators), in field
    order, as a list (the walks extend their stacks with it)."""
    fields = _CHILD_FIELDS.get(node.__class__)
    if fields is None:
        fields = _child_fields(node.__class__)
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name)
        if value is None:
            continue
        if value.__class__ is list:
            found.extend(item for item in value if item is not None)
        else:
            found.append(value)
    return found


def walk_ordered(
    tree: ast.AST, wanted: Union[frozenset[type], set[type], dict[type, object]]
) -> tuple[dict[ast.AST, ast.AST], dict[type, list[ast.AST]], tuple[list[ast.AST], list[int]]]:
    """One stack walk of ``tree``: parent links for every node, the nodes of the ``wanted``
    classes, the walk's pre-order and each node's stack slot (the stack's length after
    popping it), which ``tree_index`` builds its index from, so that the engine walks each
    file once for both."""
    parents: dict[ast.AST, ast.AST] = {}
    buckets: dict[type, list[ast.AST]] = {}
    order: list[ast.AST] = []
    depths: list[int] = []
    add = order.append
    add_depth = depths.append
    child_fields = _CHILD_FIELDS
    list_type = list
    todo = [tree]
    pop = todo.pop
    push = todo.append
    while todo:
        node = pop()
        add_depth(len(todo))
        add(node)
        cls = node.__class__
        if cls in wanted:
            bucket = buckets.get(cls)
            if bucket is None:
                buckets[cls] = [node]
            else:
                bucket.append(node)
        fields = child_fields.get(cls)
        if fields is None:
            fields = _child_fields(cls)
        for name in fields:
            value = getattr(node, name)
            if value is None:
                continue
            if value.__class__ is list_type:
                for item in value:
                    if item is not None:  # ``Dict.keys`` holds None for ``**mapping``
                        parents[item] = node
                        push(item)
            else:
                parents[value] = node
                push(value)
    return parents, buckets, (order, depths)
