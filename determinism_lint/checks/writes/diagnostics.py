"""Files that hold no artifact by their content or their use: profiler dumps, shell scripts of
``export NAME=...`` lines, the output logs of child processes. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from .._util import subtree_nodes
from .bindings import _single
from .call_index import _dumps_stats

if TYPE_CHECKING:
    from ...context import Context


def _target_strings(target: ast.expr, ctx: Context) -> Iterator[str]:
    """String constants in the expression of a path and in the one assignment of each name in it."""
    todo: list[ast.AST] = [target]
    seen = 0
    while todo and seen < 64:
        node = todo.pop()
        seen += 1
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield sub.value
            elif isinstance(sub, ast.Name) and node is target:
                bind = _single(sub, ctx, "assign")
                if bind is not None and bind.value is not None:
                    todo.append(bind.value)


_PROFILE_SUFFIXES = (".prof", ".pstats", ".cprof")


def _profiler_dump(call: ast.Call, target: Optional[ast.expr], ctx: Context) -> bool:
    """The file is a profiler dump: its name ends in ``.prof``/``.pstats``, or the same
    function dumps profiler stats (``profile.dump_stats(...)``) and writes the result."""
    if target is not None and any(text.endswith(_PROFILE_SUFFIXES) for text in _target_strings(target, ctx)):
        return True
    scope = ctx.enclosing_scope(call)
    if isinstance(scope, ast.Lambda) or isinstance(scope, ast.Module):
        return False
    return ctx.fact(_dumps_stats, scope)


def _handle_name(call: ast.Call, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """``with open(...) as f`` / ``f = open(...)``: the handle's name and the statement."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.withitem) and parent.context_expr is call and isinstance(parent.optional_vars, ast.Name):
        statement = ctx.parent(parent)
        if statement is not None:
            return parent.optional_vars.id, statement
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        return parent.targets[0].id, ctx.enclosing_scope(call)
    return None


def _leading_text(expr: ast.expr) -> Optional[str]:
    """The literal text a written value starts with: ``"export A=%s" % v``, ``f"export {k}"``."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mod, ast.Add)):
        return _leading_text(expr.left)
    if isinstance(expr, ast.JoinedStr) and expr.values:
        first = expr.values[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _leading_text(expr.func.value)
    return None


def _env_export_script(call: ast.Call, ctx: Context) -> bool:
    """Every ``f.write(...)`` to the handle writes ``export NAME=...`` lines: a shell script
    of environment variables that the next command sources, not a kept artifact."""
    found = _handle_name(call, ctx)
    if found is None:
        return False
    name, holder = found
    writes = ctx.fact(_handle_uses, holder).writes.get(name)
    if not writes:
        return False
    for write in writes:
        text = _leading_text(write.args[0]) if write.args else None
        if text is None or not text.lstrip().startswith("export "):
            return False
    return True


def _child_process_log(call: ast.Call, ctx: Context) -> bool:
    """``Popen(cmd, stdout=open(log, "w"))``, or a handle from ``open`` given as a child
    process's ``stdout=``/``stderr=``: the file is the child's output log."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.keyword) and parent.arg in ("stdout", "stderr"):
        return True
    found = _handle_name(call, ctx)
    if found is None:
        return False
    name, holder = found
    return name in ctx.fact(_handle_uses, holder).child_outputs


class _HandleUses:
    """What the code under a node does with plain names that may hold a file handle: the
    ``NAME.write(...)``/``NAME.writelines(...)`` calls by name, and the names passed as
    ``stdout=``/``stderr=``."""

    __slots__ = ("writes", "child_outputs")

    def __init__(self) -> None:
        self.writes: dict[str, list[ast.Call]] = {}
        self.child_outputs: set[str] = set()


def _handle_uses(holder: ast.AST, ctx: Context) -> _HandleUses:
    """A fact of a ``with`` statement or a scope (nested scopes included), so that each write
    site looks its handle up instead of walking the whole function again."""
    uses = _HandleUses()
    node: Any  # dispatched on its exact class below, which mypy does not narrow
    for node in subtree_nodes(holder):
        cls = node.__class__
        if cls is ast.Call:
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.attr in ("write", "writelines")
            ):
                uses.writes.setdefault(func.value.id, []).append(node)
        elif cls is ast.keyword:
            if node.arg in ("stdout", "stderr") and isinstance(node.value, ast.Name):
                uses.child_outputs.add(node.value.id)
    return uses
