"""Where a value goes: into a hash, into a file, out of the function.

Shared by the serialization (DET2xx) and iteration-order (DET5xx) rules. The analysis is
local to one function, follows a value through the operations that keep its bytes
(``.encode()``, ``+``, f-strings, ``str()``, ``"".join``) and through plain local
variables, and stops at the first sink.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator, Optional

from ._util import last_name, local_names

if TYPE_CHECKING:
    from ..context import Context

#: Method names that write their argument to a file or stream.
WRITE_METHODS = frozenset({"write", "writelines", "write_text", "write_bytes"})
#: Runtime helpers (by last name) whose argument ends up in a file.
WRITE_HELPERS = frozenset({"write_atomic_text", "write_atomic_bytes", "write_atomic_json", "write_atomic_yaml"})
#: Calls that pass their argument's bytes on unchanged (for the purpose of ordering).
_TRANSPARENT_CALLS = frozenset({"builtins.str", "builtins.bytes", "builtins.bytearray"})
_TRANSPARENT_METHODS = frozenset({"encode", "strip", "rstrip", "lstrip", "decode", "lower", "upper"})

#: Streams that send bytes to a client instead of keeping them (``http.server`` handlers).
_RESPONSE_STREAMS = frozenset({"wfile"})

HASH = "hash"
FILE = "file"
SERIALIZE = "serialize"
RETURN = "return"

SERIALIZERS = frozenset(
    {
        "json.dump", "json.dumps", "yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all",
        "pickle.dump", "pickle.dumps", "marshal.dump", "marshal.dumps", "toml.dump", "toml.dumps",
        "tomli_w.dump", "tomli_w.dumps", "orjson.dumps", "msgpack.packb",
    }
)


def _is_hash_call(call: ast.Call, ctx: Context) -> bool:
    from ..scopes import HASH_CALLS, HASH_MODULES, is_hash_update

    name = ctx.call_name(call)
    if name is not None and (name.startswith(HASH_MODULES) or name in HASH_CALLS):
        return True
    return is_hash_update(call, ctx)


def _call_sink(call: ast.Call, arg: ast.AST, ctx: Context) -> Optional[str]:
    """What ``call`` does with its argument ``arg``: hash it, write it, or nothing we know."""
    func = call.func
    if _is_hash_call(call, ctx):
        return HASH
    if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
        from ..scopes import is_scratch_stream

        if last_name(func.value) in _RESPONSE_STREAMS:
            return None  # the body of an HTTP response, sent and not kept
        return None if is_scratch_stream(func.value, ctx) else FILE
    last = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else None)
    if last in WRITE_HELPERS:
        return FILE
    if last == "canonical_json":
        return SERIALIZE
    name = ctx.call_name(call)
    if name in SERIALIZERS and call.args and call.args[0] is arg:
        return SERIALIZE
    if name == "builtins.print":
        for kw in call.keywords:
            if kw.arg == "file":
                from ..scopes import is_scratch_stream

                return None if is_scratch_stream(kw.value, ctx) else FILE
    return None


def _is_transparent(parent: ast.AST, child: ast.AST, ctx: Context) -> bool:
    """``parent`` keeps ``child``'s content (and so its order) in its own value."""
    if isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
        return True
    if isinstance(parent, ast.Attribute) and parent.attr in _TRANSPARENT_METHODS:
        grand = ctx.parent(parent)
        return isinstance(grand, ast.Call) and grand.func is parent
    if isinstance(parent, ast.Call):
        if any(arg is child for arg in parent.args):
            name = ctx.call_name(parent)
            if name in _TRANSPARENT_CALLS:
                return True
            func = parent.func
            # "sep".join(parts) carries the order of parts.
            return isinstance(func, ast.Attribute) and func.attr == "join"
    if isinstance(parent, (ast.List, ast.Tuple)) and isinstance(getattr(parent, "ctx", None), ast.Load):
        return True
    return False


def sinks(expr: ast.AST, ctx: Context, *, depth: int = 3) -> Iterator[tuple[str, ast.AST]]:
    """``(kind, node)`` for every hash, file or return that ``expr``'s value reaches."""
    node = expr
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.Call) and parent.func is not node:
            kind = _call_sink(parent, node, ctx)
            if kind is not None:
                yield kind, parent
                return
        if isinstance(parent, ast.Call) and parent.func is node:
            # ``expr.encode()``: step over the method call.
            pass
        elif not _is_transparent(parent, node, ctx):
            break
        node = parent
        parent = ctx.parent(node)
    if parent is None:
        return
    if isinstance(parent, ast.Return) and ctx.enclosing_function(parent) is not None:
        yield RETURN, parent
        return
    if isinstance(parent, ast.keyword):
        call = ctx.parent(parent)
        if isinstance(call, ast.Call) and parent.arg in ("data", "content", "text"):
            kind = _call_sink(call, node, ctx)
            if kind is not None:
                yield kind, call
        return
    target = _assigned_name(parent, node)
    if target is not None and depth > 0:
        yield from _name_sinks(target, parent, ctx, depth - 1)


def _assigned_name(parent: ast.AST, node: ast.AST) -> Optional[str]:
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    if isinstance(parent, (ast.AnnAssign, ast.AugAssign)) and parent.value is node and isinstance(parent.target, ast.Name):
        return parent.target.id
    return None


def _name_sinks(name: str, assignment: ast.AST, ctx: Context, depth: int) -> Iterator[tuple[str, ast.AST]]:
    scope = ctx.enclosing_scope(assignment)
    after = getattr(assignment, "lineno", 0)
    for node in ctx.fact(local_names, scope).get(name, ()):
        if isinstance(node.ctx, ast.Load) and getattr(node, "lineno", 0) >= after:
            found = next(sinks(node, ctx, depth=depth), None)
            if found is not None:
                yield found
                return


def first_sink(expr: ast.AST, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    return next(sinks(expr, ctx), None)
