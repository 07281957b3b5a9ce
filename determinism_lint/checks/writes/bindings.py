"""What a local name is bound to, as the DET1xx write analysis sees it. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from .._util import statement_nodes

if TYPE_CHECKING:
    from ...context import Context
    from ...names import ScopeNode


# -- local bindings -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bind:
    #: ``assign`` (``x = value``), ``with`` (``with value as x``), ``tuple`` (``a, x = value``
    #: at ``index``), ``param`` (``value`` is the annotation), ``declared`` (``global x``,
    #: ``nonlocal x``), or ``other`` (loops, imports, augmented assignment...).
    kind: str
    value: Optional[ast.expr] = None
    index: int = -1
    #: The line of the binding statement (0 for a parameter).
    line: int = field(default=0, compare=False)


#: The node classes that bind a name (exact classes: ``ast`` node classes have no subclasses).
_BINDING_TYPES = frozenset(
    {
        ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor,
        ast.comprehension, ast.AugAssign, ast.Delete, ast.Import, ast.ImportFrom, ast.FunctionDef,
        ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal, ast.ExceptHandler,
    }
)


def _collect_binds(scope: ScopeNode, ctx: Context) -> dict[str, tuple[_Bind, ...]]:
    found: dict[str, list[_Bind]] = {}
    at = 0

    def add(name: str, kind: str, value: Optional[ast.expr] = None, index: int = -1) -> None:
        bind = _Bind(kind, value, index, at)
        known = found.get(name)
        if known is None:
            found[name] = [bind]
        else:
            known.append(bind)

    def add_target(target: ast.AST, value: Optional[ast.expr]) -> None:
        if isinstance(target, ast.Name):
            if value is not None:
                add(target.id, "assign", value)
            else:
                add(target.id, "other")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Name) and value is not None:
                    add(element.id, "tuple", value, index)
                else:
                    add_target(element, None)
        elif isinstance(target, ast.Starred):
            add_target(target.value, None)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                add(arg.arg, "param", arg.annotation)
        if isinstance(scope, ast.Lambda):
            return {name: tuple(binds) for name, binds in found.items()}
    binding_types = _BINDING_TYPES
    node: Any  # dispatched on its exact class below, which mypy does not narrow
    for node in ctx.fact(statement_nodes, scope):
        cls = node.__class__
        if cls not in binding_types:
            continue
        at = getattr(node, "lineno", 0)
        if cls is ast.Assign:
            for target in node.targets:
                add_target(target, node.value)
        elif cls is ast.AnnAssign:
            if node.value is not None:
                add_target(node.target, node.value)
        elif cls is ast.NamedExpr:
            add_target(node.target, node.value)
        elif cls is ast.With or cls is ast.AsyncWith:
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    add(item.optional_vars.id, "with", item.context_expr)
                elif item.optional_vars is not None:
                    add_target(item.optional_vars, None)
        elif cls is ast.For or cls is ast.AsyncFor or cls is ast.comprehension:
            add_target(node.target, None)
        elif cls is ast.AugAssign:
            add_target(node.target, None)
        elif cls is ast.Delete:
            for target in node.targets:
                add_target(target, None)
        elif cls is ast.Import or cls is ast.ImportFrom:
            for alias in node.names:
                add((alias.asname or alias.name).split(".", 1)[0], "other")
        elif cls is ast.FunctionDef or cls is ast.AsyncFunctionDef or cls is ast.ClassDef:
            add(node.name, "other")
        elif cls is ast.Global or cls is ast.Nonlocal:
            for name in node.names:
                add(name, "declared")
        elif cls is ast.ExceptHandler and node.name:
            add(node.name, "other")
    return {name: tuple(binds) for name, binds in found.items()}


def _binds(name: ast.Name, ctx: Context) -> tuple[_Bind, ...]:
    """How ``name`` is bound in the innermost scope that binds it; ``()`` when nowhere."""
    for scope in ctx.resolver.enclosing_scopes(name):
        found = ctx.fact(_collect_binds, scope).get(name.id)
        if found:
            return found
    return ()


_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _reaching_binds(name: ast.Name, ctx: Context) -> tuple[_Bind, ...]:
    """The bindings of a local ``name`` that may be in effect where it is read: a rebinding
    later in the function (``path = mkdtemp(); write(path); path = final``) cannot reach an
    earlier read unless a loop around the read also holds it. A name of an enclosing scope (a
    closure reads the binding in effect when it is called) or declared ``global``/``nonlocal``
    keeps all its bindings."""
    scopes = ctx.resolver.enclosing_scopes(name)
    for position, scope in enumerate(scopes):
        found = ctx.fact(_collect_binds, scope).get(name.id)
        if not found:
            continue
        if position != 0 or any(bind.kind == "declared" for bind in found):
            return found
        loops: list[tuple[int, int]] = []
        node: Optional[ast.AST] = ctx.parent(name)
        while node is not None and node is not scope:
            if isinstance(node, _LOOPS):
                loops.append((node.lineno, getattr(node, "end_lineno", None) or node.lineno))
            node = ctx.parent(node)
        reaching = tuple(
            bind
            for bind in found
            if bind.line <= name.lineno or any(start <= bind.line <= end for start, end in loops)
        )
        return reaching or found
    return ()


def _single_reaching(name: ast.Name, ctx: Context, kind: Optional[str] = None) -> Optional[_Bind]:
    """The one binding of ``name`` in effect where it is read (of ``kind`` when given)."""
    binds = _reaching_binds(name, ctx)
    if len(binds) == 1 and (kind is None or binds[0].kind == kind):
        return binds[0]
    return None


def _single(name: ast.Name, ctx: Context, kind: str) -> Optional[_Bind]:
    binds = _binds(name, ctx)
    if len(binds) == 1 and binds[0].kind == kind:
        return binds[0]
    return None


def _single_any(name: ast.Name, ctx: Context) -> Optional[_Bind]:
    binds = _binds(name, ctx)
    return binds[0] if len(binds) == 1 else None
