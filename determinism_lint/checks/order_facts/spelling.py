"""How messages spell the node where an order escapes.
"""

from __future__ import annotations

import ast
from typing import Optional


def describe(node: ast.AST) -> str:
    """A short, stable description of an escape node for messages: ``\\`out.append(...)\\` on line 12``."""
    line = getattr(node, "lineno", None)
    where = f" on line {line}" if line is not None else ""
    return f"`{_spelling(node)}`{where}"


def _spelling(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return f"{_short(node.func)}(...)"
    if isinstance(node, ast.Return):
        return "return" if node.value is None else f"return {_short(node.value)}"
    if isinstance(node, ast.Yield):
        return "yield"
    if isinstance(node, ast.YieldFrom):
        return "yield from"
    if isinstance(node, ast.Break):
        return "break"
    if isinstance(node, ast.AugAssign):
        return f"{_short(node.target)} {_OPERATORS.get(type(node.op), '?')}= ..."
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        return f"{_short(target)} = ..."
    if isinstance(node, ast.withitem):
        return f"with ... as {_short(node.optional_vars)}" if node.optional_vars is not None else "with"
    if isinstance(node, ast.expr):
        return _short(node)
    return type(node).__name__.lower()


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}


def _short(node: Optional[ast.AST], limit: int = 40) -> str:
    if node is None:
        return ""
    try:
        text = ast.unparse(node)
    except Exception:  # an odd node shape must not break a message
        return type(node).__name__.lower()
    text = " ".join(text.split()).replace("lambda :", "lambda:")  # Python 3.9 spells it so
    return text if len(text) <= limit else text[: limit - 3] + "..."
