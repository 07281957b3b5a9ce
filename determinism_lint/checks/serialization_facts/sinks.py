"""Where the text of a JSON or YAML dump persists: written to a file, hashed, or returned from
artifact-shaping code.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._flow import FILE, HASH, RETURN, SERIALIZE, first_sink
from .._util import keyword

if TYPE_CHECKING:
    from ...context import Context


def _is_true(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _persistent_sink(node: ast.Call, name: str, ctx: Context, strict: bool) -> Optional[str]:
    """How the serialized text of ``node`` persists (``"written by `json.dump(...)` on line 3"``),
    or None: a dump into the console or a temp file, or text that is only printed, logged or
    returned from a function that reaches no sink by other evidence."""
    from ...scopes import _spelling, is_scratch_stream

    if not name.endswith("dumps") and not (name.startswith("yaml.") and len(node.args) < 2
                                          and keyword(node, "stream") is None):
        stream = node.args[1] if len(node.args) >= 2 else (keyword(node, "fp") or keyword(node, "stream"))
        if stream is not None and is_scratch_stream(stream, ctx):
            return None
        return f"is written by `{_spelling(node)}` on line {node.lineno}"
    sink = first_sink(node, ctx)
    if sink is None:
        return None
    kind, where = sink
    text = f"`{_spelling(where)}` on line {getattr(where, 'lineno', getattr(node, 'lineno', 1))}"
    if kind == HASH:
        return f"reaches hash input {text}"
    if kind in (FILE, SERIALIZE):
        return f"reaches {text}"
    if kind == RETURN:
        # Returned to callers this module cannot see: a sink only where the function reaches
        # one by other evidence (its scope is artifact-shaping for another reason).
        reason = ctx.scopes.reason(ctx.enclosing_scope(node)) or ""
        if strict or reason:
            return f"is returned on line {getattr(where, 'lineno', '?')} from artifact-shaping code ({reason or 'strict mode'})"
    return None
