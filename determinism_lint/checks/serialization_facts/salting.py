"""What a builtin ``hash()`` value is used for, and whether its input is visibly salted by
``PYTHONHASHSEED``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._flow import FILE, HASH, SERIALIZE, first_sink
from .._util import local_names
from .key_order import _STRING_METHODS

if TYPE_CHECKING:
    from ...context import Context


_NUMERIC_CALLS = frozenset({"builtins.int", "builtins.len", "builtins.float", "builtins.round", "builtins.id",
                            "builtins.ord", "builtins.abs", "os.getuid", "os.getgid", "os.getpid", "os.getppid",
                            "os.geteuid"})
_TEXT_CALLS = frozenset({"builtins.str", "builtins.repr", "builtins.bytes", "builtins.format"})


def _visibly_salted(arg: ast.AST, ctx: Context) -> Optional[bool]:
    """True for text (str/bytes literals, f-strings, ``str()``, ``.encode()``, tuples holding
    them), False for numbers and tuples of numbers, None when the code does not show it."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, (str, bytes))
    if isinstance(arg, ast.JoinedStr):
        return True
    if isinstance(arg, ast.Call):
        name = ctx.call_name(arg)
        if name in _NUMERIC_CALLS:
            return False
        if name in _TEXT_CALLS:
            return True
        if isinstance(arg.func, ast.Attribute) and arg.func.attr in _STRING_METHODS | {"encode"}:
            return True
        if isinstance(arg.func, ast.Attribute) and arg.func.attr == "item" and not arg.args:
            return False  # ``tensor.item()``, ``array.item()``: a number
        return None
    if isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Attribute) and arg.value.attr == "shape":
        return False  # ``array.shape[0]``: a number
    if isinstance(arg, ast.Tuple):
        kinds = [_visibly_salted(element, ctx) for element in arg.elts]
        if any(kind is True for kind in kinds):
            return True
        if all(kind is False for kind in kinds):
            return False
    return None


#: How :func:`_hash_value_use` begins when the value is reduced with ``%`` (a shard, a seed).
PICKS_A_SHARD = "picks a shard"

#: Methods that take a key and keep it in memory (``seen.add(hash(x))``, ``cache.get(...)``).
_IN_MEMORY_KEY_METHODS = frozenset({"add", "discard", "remove", "get", "pop", "setdefault", "__contains__"})


def _hash_value_use(node: ast.AST, ctx: Context, depth: int) -> Optional[str]:
    """Where the value of ``hash(...)`` goes when that can keep it beyond the process: turned
    into text (``str()``, f-string, ``format``), reduced with ``%`` to pick a shard, written,
    hashed or serialized; ``"returned"`` when returned; None when it stays an in-memory key or
    is only compared. Follows plain local names ``depth`` assignments deep."""
    current = node
    parent = ctx.parent(current)
    while parent is not None:
        if isinstance(parent, (ast.FormattedValue, ast.JoinedStr)):
            if _text_only_keys_memory(parent, ctx):
                return None
            return f"is formatted into text on line {parent.lineno}"
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod) and parent.left is current:
            return f"{PICKS_A_SHARD} with `%` on line {parent.lineno}"
        if isinstance(parent, ast.Call):
            if parent.func is current:
                return None
            name = ctx.call_name(parent)
            if name in _TEXT_CALLS:
                return f"is turned into text by `{name.rsplit('.', 1)[-1]}()` on line {parent.lineno}"
            sink = first_sink(current, ctx)
            if sink is not None and sink[0] in (HASH, FILE, SERIALIZE):
                return f"reaches `{ast.unparse(sink[1].func)}(...)` on line {sink[1].lineno}"  # type: ignore[attr-defined]
            return None  # an in-memory key, a seed, an argument to code we cannot see
        if isinstance(parent, (ast.Tuple, ast.List, ast.BinOp, ast.UnaryOp)):
            current = parent
            parent = ctx.parent(current)
            continue
        if isinstance(parent, ast.Return):
            return "returned"
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is current:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if depth > 0 and len(targets) == 1 and isinstance(targets[0], ast.Name):
                scope = ctx.enclosing_scope(parent)
                for use in ctx.fact(local_names, scope).get(targets[0].id, ()):
                    if isinstance(use.ctx, ast.Load) and use.lineno >= parent.lineno:
                        found = _hash_value_use(use, ctx, depth - 1)
                        if found is not None:
                            return found
            return None
        return None
    return None


def _text_only_keys_memory(part: ast.AST, ctx: Context) -> bool:
    """``key = f"{name}:{hash(...)}"`` whose every use looks something up in memory (``key in
    cache``, ``cache[key]``, ``cache[key] = value``, ``cache.get(key)``, ``seen.add(key)``), is
    hashed again with the builtin (whose own use is judged there) or only logged; also through
    a list, a ``"_".join(...)`` or ``+=`` on the way to the name. The text never leaves the
    process, or leaves it only for people."""
    text = part
    while isinstance(text, ast.FormattedValue):
        text = ctx.parent(text)  # type: ignore[assignment]
    if not isinstance(text, ast.JoinedStr):
        return False
    value: ast.AST = text
    statement = ctx.parent(value)
    # ``"_".join(f"{k}_{hash(v)}" for ...)``, ``[f"hash={hash(x)}", ...]``: the text is part of a value.
    while isinstance(statement, (ast.List, ast.Tuple, ast.GeneratorExp, ast.ListComp)) or (
        isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute)
        and statement.func.attr == "join" and value in statement.args
    ):
        value, statement = statement, ctx.parent(statement)
    if isinstance(statement, ast.Call) and ctx.is_builtin(statement.func, "hash"):
        return True  # hashed again: that ``hash()`` is judged where it goes
    if isinstance(statement, ast.AugAssign) and statement.value is value and isinstance(statement.target, ast.Name):
        target = statement.target
    elif (
        isinstance(statement, ast.Assign)
        and statement.value is value
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        target = statement.targets[0]
    else:
        return False
    name = target.id
    uses = [
        use
        for use in ctx.fact(local_names, ctx.enclosing_scope(statement)).get(name, ())
        if use is not target and isinstance(use.ctx, ast.Load)
    ]
    if not uses:
        return False
    return all(_is_key_use(use, ctx) or _only_logged(use, ctx) for use in uses)


def _only_logged(use: ast.AST, ctx: Context) -> bool:
    """``use`` goes into a log call (``logger.warning(" ".join(log_seq))``) or into the builtin
    ``hash()``, through joins and formatting; or is extended in place (``log_seq += [...]``)."""
    from ..order_facts.calls import _is_log_call

    parent = ctx.parent(use)
    if isinstance(parent, ast.AugAssign) and parent.target is use:
        return True
    while parent is not None:
        if isinstance(parent, ast.Call):
            if ctx.is_builtin(parent.func, "hash") or _is_log_call(parent, ctx.call_name(parent)):
                return True
            if not (isinstance(parent.func, ast.Attribute) and parent.func.attr in ("join", "format")):
                return False
        elif not isinstance(parent, (ast.FormattedValue, ast.JoinedStr, ast.BinOp, ast.List, ast.Tuple)):
            return False
        parent = ctx.parent(parent)
    return False


def mentions_hash_seed(tree: ast.Module, ctx: Context) -> bool:
    """The module deals with ``PYTHONHASHSEED`` itself (checks it, sets it for a child,
    refuses to run without it): its author knows ``hash()`` is salted."""
    return any(
        isinstance(node, ast.Constant) and node.value == "PYTHONHASHSEED" for node in ctx.nodes_of(ast.Constant)
    )


def _is_key_use(use: ast.Name, ctx: Context) -> bool:
    parent = ctx.parent(use)
    if isinstance(parent, ast.Compare):
        return parent.left is use and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.In, ast.NotIn))
    if isinstance(parent, ast.Subscript):
        return parent.slice is use
    if isinstance(parent, ast.Call):
        func = parent.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in _IN_MEMORY_KEY_METHODS
            and bool(parent.args)
            and parent.args[0] is use
        )
    return False
