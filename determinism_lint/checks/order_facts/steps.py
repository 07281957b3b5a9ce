"""Steps of following a value upwards that need no further analysis: attributes, subscripts,
unary operators, conditional expressions, set displays.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .locals import _has_single_guard
from .nodes import _is_full_slice
from .vocabulary import _OWN_HARMLESS_METHODS, _TEXT_METHODS, _Flow, _Result

if TYPE_CHECKING:
    from ...context import Context


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


def _on_set(node: ast.AST, parent: ast.Set, ctx: Context) -> _Result:
    return None if isinstance(node, ast.Starred) else _Flow(parent)


def _none(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return None


def _flow(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return _Flow(parent)


def _escape(node: ast.AST, parent: ast.AST, ctx: Context) -> _Result:
    return parent
