"""Small helpers of the order analysis: the per-file cache, source positions, the names a node
mentions, full slices.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Optional

from .vocabulary import _BUSY

if TYPE_CHECKING:
    from ...context import Context


def _order_state(tree: ast.Module, ctx: Context) -> dict[tuple[object, ...], object]:
    """The answers of the order analysis in this file, by question (``_BUSY`` while one is
    computed)."""
    return {}


def _unknown_callers_visiting(tree: ast.Module, ctx: Context) -> set[int]:
    """The functions (by ``id``) whose callers are being followed: a guard against cycles."""
    return set()


def _cached(ctx: Context, key: tuple[object, ...], compute: Callable[[], Optional[ast.AST]]) -> Optional[ast.AST]:
    state = ctx.fact(_order_state, ctx.tree)
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


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _end_position(node: ast.AST) -> tuple[int, int]:
    if isinstance(node, ast.withitem):
        node = node.optional_vars if node.optional_vars is not None else node.context_expr
    end_line = getattr(node, "end_lineno", None)
    if end_line is None:
        return _position(node)
    return (end_line, getattr(node, "end_col_offset", 0) or 0)


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(node))


def _is_full_slice(node: ast.AST) -> bool:
    return isinstance(node, ast.Slice) and node.lower is None and node.upper is None and node.step is None


def _is_full_slice_of(target: ast.AST, name: str) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == name
        and _is_full_slice(target.slice)
    )
