"""Where an order that escapes ends in bytes: a hash, a file or a serializer, directly or through a
list or string built in the loop.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._flow import FILE, HASH, SERIALIZE, _call_sink, sinks
from ..order_facts import describe
from .._util import local_names

if TYPE_CHECKING:
    from ...context import Context


_ACCUMULATORS = frozenset({"append", "extend", "insert", "appendleft", "extendleft", "add_row", "writerow", "writerows"})
_BYTE_SINKS = (HASH, FILE, SERIALIZE)


def reaches_bytes(escape: ast.AST, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """Where an order escape ends in bytes: ``("hash" | "file" | "serialize", sink node)``, else None."""
    node: Optional[ast.AST] = escape
    statement = ctx.enclosing_statement(escape)
    while node is not None:
        if isinstance(node, ast.Call):
            # The escape itself may be the sink call (``json.dump(entries, f)``): then the
            # ordered value is its first argument.
            value = (node.args[0] if node.args else node) if node is escape else escape
            kind = _call_sink(node, value, ctx)
            if kind in _BYTE_SINKS:
                return kind, node
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _ACCUMULATORS and isinstance(func.value, ast.Name):
                if func.attr in ("writerow", "writerows"):
                    return FILE, node
                return _accumulator_sink(func.value.id, node, ctx)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            return _accumulator_sink(node.target.id, node, ctx)
        if node is statement:
            break
        node = ctx.parent(node)
    if isinstance(escape, ast.Name):
        return None
    found = next(sinks(escape, ctx), None)
    return found if found is not None and found[0] in _BYTE_SINKS else None


def _accumulator_sink(name: str, site: ast.AST, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """Where the list or string ``name``, built at ``site``, ends up: a byte sink or None."""
    receiver = site.func.value if isinstance(site, ast.Call) and isinstance(site.func, ast.Attribute) else None
    for node in ctx.fact(local_names, ctx.enclosing_scope(site)).get(name, ()):
        if isinstance(node.ctx, ast.Load) and node is not receiver:
            found = next(sinks(node, ctx), None)
            if found is not None and found[0] in _BYTE_SINKS:
                return found
    return None


_TARGETS = {"hash": "a hash", "file": "a file", "serialize": "serialized output"}


def _sink_text(sink: tuple[str, ast.AST], escape: ast.AST) -> str:
    """``a file, `handle.write(...)` on line 12, through `rows.append(...)` on line 9``."""
    kind, where = sink
    text = f"{_TARGETS[kind]}, {describe(where)}"
    return text if where is escape else f"{text}, through {describe(escape)}"
