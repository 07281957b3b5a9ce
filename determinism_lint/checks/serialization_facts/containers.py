"""Whether an expression is visibly a container whose text depends on order (a dict, a set).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .._util import last_name, local_nodes

if TYPE_CHECKING:
    from ...context import Context
    from ...names import ScopeNode


_CONTAINER_CALLS = frozenset({"builtins.dict", "builtins.set", "builtins.frozenset", "collections.OrderedDict",
                              "collections.defaultdict", "collections.Counter", "builtins.vars", "builtins.locals",
                              "builtins.globals"})
_CONTAINER_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "set", "Set", "frozenset",
                                    "FrozenSet", "AbstractSet", "MutableSet", "DefaultDict", "OrderedDict", "Counter"})


def _is_container_value(expr: ast.AST, ctx: Context) -> bool:
    """``expr`` is visibly a dict, set or other container whose text depends on order."""
    if isinstance(expr, (ast.Dict, ast.Set, ast.DictComp, ast.SetComp, ast.List, ast.ListComp, ast.Tuple)):
        return not isinstance(expr, (ast.List, ast.Tuple)) or any(
            _is_container_value(element, ctx) for element in expr.elts
        )
    if isinstance(expr, ast.Call):
        return ctx.call_name(expr) in _CONTAINER_CALLS
    if isinstance(expr, ast.Attribute) and expr.attr == "__dict__":
        return True
    if isinstance(expr, ast.Name):
        return _name_is_container(expr, ctx)
    return False


def _name_is_container(name: ast.Name, ctx: Context) -> bool:
    return name.id in ctx.fact(_container_names, ctx.enclosing_scope(name))


def _container_names(scope: ScopeNode, ctx: Context) -> frozenset[str]:
    """Names of ``scope`` annotated or assigned as a container (dict, set, list...); a fact."""
    found: set[str] = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
            if arg.annotation is not None and _annotation_is_container(arg.annotation):
                found.add(arg.arg)
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ is not ast.Assign and node.__class__ is not ast.AnnAssign:
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, (ast.Dict, ast.Set, ast.DictComp, ast.SetComp)) or (
                isinstance(value, ast.Call) and ctx.call_name(value) in _CONTAINER_CALLS
            ):
                found.add(node.targets[0].id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _annotation_is_container(node.annotation):
                found.add(node.target.id)
    return frozenset(found)


def _annotation_is_container(annotation: ast.AST) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        head = annotation.value.split("[", 1)[0].rsplit(".", 1)[-1]
        return head in _CONTAINER_ANNOTATIONS
    name = last_name(annotation)
    return name in _CONTAINER_ANNOTATIONS


def _fstring_containers(node: ast.JoinedStr, ctx: Context) -> bool:
    return any(
        isinstance(value, ast.FormattedValue) and _is_container_value(value.value, ctx) for value in node.values
    )
