"""Indexes of the calls of a module and of a function, built once and shared by every site."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .._util import keyword, statement_nodes

if TYPE_CHECKING:
    from ...context import Context

#: Callables that run ``target=`` with ``args=`` later: a thread or a process.
_DEFERRED_TARGET_KEYWORD = "target"


def _calls_by_named_callee(module: ast.AST, ctx: Context) -> dict[str, list[ast.Call]]:
    """A fact of the module: name -> every call that names it as the callee (``f(...)``,
    ``x.f(...)``) or as a ``target=`` keyword (``Thread(target=f)``), each once, in walk order."""
    found: dict[str, list[ast.Call]] = {}
    for call in ctx.nodes_of(ast.Call):
        func = call.func
        callee = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if callee is not None:
            found.setdefault(callee, []).append(call)
        target = keyword(call, _DEFERRED_TARGET_KEYWORD)
        if isinstance(target, ast.Name) and target.id != callee:
            found.setdefault(target.id, []).append(call)
    return found


def _calls_naming(name: str, ctx: Context) -> list[ast.Call]:
    """The calls of the module that may pass arguments to a function ``name``, in walk order:
    :func:`_passed_values` skips every other call."""
    return ctx.fact(_calls_by_named_callee, ctx.tree).get(name, [])


def _dumps_stats(scope: ast.AST, ctx: Context) -> bool:
    """A fact of a function: it calls ``<x>.dump_stats(...)`` in its own body."""
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dump_stats"
        for node in ctx.fact(statement_nodes, scope)
    )
