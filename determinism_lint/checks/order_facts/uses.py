"""The uses of a name after its binding, in source order, and the in-place sorts and reassignments
that settle its order.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import name_index
from .locals import _len_of
from .nodes import _end_position, _is_full_slice_of, _position
from .vocabulary import _COMPREHENSIONS, _CONDITIONAL

if TYPE_CHECKING:
    from ...context import Context


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


def _covering_if(statement: ast.AST, binding: ast.AST, name: str, ctx: Context) -> Optional[ast.If]:
    """The ``if``/``else`` around ``statement`` when every branch rebinds, sorts or leaves, or
    the ``if`` that sorts unless there is at most one entry.

    ``if not names: names = [] else: names.sort()``: after the ``if``, ``names`` is new or sorted.
    """
    parent = ctx.parent(statement)
    if not isinstance(parent, ast.If) or not _dominates(parent, binding, ctx):
        return None
    if any(ancestor is parent for ancestor in ctx.ancestors(binding)):
        return None  # the value itself was bound in one of the branches
    if not parent.orelse:
        # ``if len(names) > 0: names = sorted(names)``: skipped only when there is at most one
        # entry, whose order is no order.
        return parent if _at_most_one_otherwise(parent.test, name) and _branch_settles(parent.body, name) else None
    if all(_branch_settles(branch, name) for branch in (parent.body, parent.orelse)):
        return parent
    return None


def _at_most_one_otherwise(test: ast.expr, name: str) -> bool:
    """``test`` is false only when ``name`` holds at most one entry: ``names``, ``len(names)``,
    ``len(names) > 0``, ``len(names) > 1``, ``len(names) >= 1``, ``len(names) != 0``."""
    if isinstance(test, ast.Name):
        return test.id == name
    if _len_of(test) == name:
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _len_of(test.left) == name:
        bound = test.comparators[0]
        if not (isinstance(bound, ast.Constant) and isinstance(bound.value, int)):
            return False
        op = test.ops[0]
        return (
            isinstance(op, ast.Gt) and bound.value in (0, 1)
            or isinstance(op, ast.GtE) and bound.value in (1, 2)
            or isinstance(op, ast.NotEq) and bound.value == 0
        )
    return False


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
