"""Files whose every reader in the module recovers from a damaged copy: the read sits in a
``try`` whose handler catches what a torn file raises (a decode error, ``ValueError``,
``EOFError``, ``Exception``...) and carries on without raising, rebuilding the content (a
cache re-fetched, resume metadata recomputed, a state that starts empty). A crash that tears
such a file costs the work of rebuilding it, never a wrong result: the write is no hazard.

The file is named the same way by the write and by the reads: an attribute path
(``self.updater_file``, ``paths.metadata_path``) or a module-level name; a local variable or
a parameter is no evidence that two functions mean the same file. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import keyword, last_name

if TYPE_CHECKING:
    from ...context import Context

#: Exceptions that reading a torn file raises (last names).
_DAMAGE_ERRORS = frozenset(
    {
        "Exception", "BaseException", "ValueError", "JSONDecodeError", "EOFError", "UnpicklingError",
        "YAMLError", "KeyError", "TypeError", "IndexError", "UnicodeDecodeError", "ParserError",
    }
)
_READ_METHODS = frozenset({"read_text", "read_bytes"})


def recovering_readers(target: ast.expr, ctx: Context) -> bool:
    """``target`` (spelled as an attribute path or a module-level name) is read somewhere in
    this module, and every such read recovers from a damaged file."""
    spelling = _spelling(target, ctx)
    if spelling is None:
        return False
    return ctx.fact(_reads_by_spelling, ctx.tree).get(spelling, False)


def _spelling(expr: ast.expr, ctx: Context) -> Optional[str]:
    node: ast.expr = expr
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    local = node is expr and ctx.enclosing_function(expr) is not None
    if local and node.id not in ctx.fact(_module_level_names, ctx.tree):
        return None  # a local name: two functions' ``path`` are not the same file
    spelled = ast.dump(expr, annotate_fields=False).replace("Load()", "").replace("Store()", "")
    if node.id in ("self", "cls"):
        owner = next((a for a in ctx.ancestors(expr) if isinstance(a, ast.ClassDef)), None)
        return f"{owner.name}:{spelled}" if owner is not None else None  # one class's attribute
    return spelled


def _module_level_names(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """Names the module's top-level statements assign; a fact of the module."""
    found: set[str] = set()
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) else []
        )
        found.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(found)


def _reads_by_spelling(tree: ast.Module, ctx: Context) -> dict[str, bool]:
    """Spelling of each file the module reads -> whether every read of it recovers."""
    found: dict[str, bool] = {}
    for call in ctx.nodes_of(ast.Call):
        assert isinstance(call, ast.Call)
        read = _read_target(call, ctx)
        if read is None:
            continue
        spelling = _spelling(read, ctx)
        if spelling is None:
            continue
        found[spelling] = found.get(spelling, True) and _recovers(call, ctx)
    return found


def _read_target(call: ast.Call, ctx: Context) -> Optional[ast.expr]:
    """The file ``call`` opens or reads for reading: ``open(x)``, ``open(x, "rb")``,
    ``x.open()``, ``x.read_text()``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _READ_METHODS and not call.args:
        return func.value
    if isinstance(func, ast.Attribute) and func.attr == "open" and ctx.call_name(call) is None:
        return func.value if _reading_mode(call.args[0] if call.args else keyword(call, "mode")) else None
    if ctx.call_name(call) in ("builtins.open", "io.open") and call.args:
        mode = call.args[1] if len(call.args) > 1 else keyword(call, "mode")
        return call.args[0] if _reading_mode(mode) else None
    return None


def _reading_mode(mode: Optional[ast.expr]) -> bool:
    if mode is None:
        return True
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and not set(mode.value) & set("wax+")


def _recovers(call: ast.Call, ctx: Context) -> bool:
    """``call`` runs in the body of a ``try`` (in its function) with a handler that catches
    what a damaged file raises and does not raise again; or ``with open(x) as f:`` parses
    ``f`` only inside such a ``try``."""
    item = ctx.parent(call)
    if isinstance(item, ast.withitem) and isinstance(item.optional_vars, ast.Name) and _parsed_in_try(
        item.optional_vars.id, ctx.parent(item)
    ):
        return True
    child: ast.AST = call
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, ast.Try) and any(child is statement for statement in ancestor.body):
            if any(_catches_damage(handler) and not _raises(handler) for handler in ancestor.handlers):
                return True
        child = ancestor
    return False


def _catches_damage(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(last_name(kind) in _DAMAGE_ERRORS for kind in types)


def _raises(handler: ast.ExceptHandler) -> bool:
    return any(isinstance(node, ast.Raise) for statement in handler.body for node in ast.walk(statement))


def _parsed_in_try(name: str, statement: Optional[ast.AST]) -> bool:
    """Every use of the handle ``name`` in the body of the ``with`` ``statement`` is inside a
    ``try`` whose handler recovers from a damaged file."""
    if not isinstance(statement, (ast.With, ast.AsyncWith)):
        return False
    guarded = unguarded = 0
    for inner in statement.body:
        uses = sum(isinstance(node, ast.Name) and node.id == name for node in ast.walk(inner))
        if not uses:
            continue
        if isinstance(inner, ast.Try) and any(_catches_damage(h) and not _raises(h) for h in inner.handlers) and not any(
            isinstance(node, ast.Name) and node.id == name
            for part in (*inner.orelse, *inner.finalbody)
            for node in ast.walk(part)
        ):
            guarded += uses
        else:
            unguarded += uses
    return guarded > 0 and unguarded == 0
