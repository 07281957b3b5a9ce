"""What is iterated: a dict, a set, or neither, from the literal, the call, the annotation or the
assignments that made it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import last_name, local_nodes
from ..serialization_facts.containers import _annotation_is_container

if TYPE_CHECKING:
    from ...context import Context


_VIEW_METHODS = frozenset({"items", "keys", "values"})
_DICT_CALLS = frozenset({"builtins.dict", "collections.OrderedDict", "collections.defaultdict", "collections.Counter",
                         "builtins.vars", "builtins.locals", "builtins.globals"})
_SET_CALLS = frozenset({"builtins.set", "builtins.frozenset"})
_SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference"})
_DICT_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "OrderedDict", "Counter"})
_SET_ANNOTATIONS = frozenset({"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"})


def _iteration_sites(node: ast.AST) -> Optional[ast.expr]:
    """The iterable of a loop, comprehension, ``list(x)``/``tuple(x)`` or ``sep.join(x)``."""
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return node.iter
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("list", "tuple"):
            return node.args[0]
        if isinstance(func, ast.Attribute) and func.attr == "join":
            return node.args[0]
    return None


def _local_types(scope: ast.AST, ctx: Context) -> dict[str, str]:
    """Names visibly bound to a dict (``"dict"``) or a set (``"set"``) in ``scope``; a fact."""
    found: dict[str, str] = {}
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
            kind = _annotation_kind(arg.annotation)
            if kind is not None:
                found[arg.arg] = kind
    #: Names also bound to a value of another kind (``ids = sorted(ids)`` after ``ids = set()``):
    #: which one a use sees depends on the flow, so neither is taken for granted.
    mixed: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ is not ast.Assign and node.__class__ is not ast.AnnAssign:
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            kind = _value_kind(node.value, ctx, found)
            name = node.targets[0].id
            if kind is not None:
                found.setdefault(name, kind)
            if _other_kind(node.value):
                mixed.add(name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            kind = _annotation_kind(node.annotation)
            if kind is not None:
                found[node.target.id] = kind
    for name in mixed:
        found.pop(name, None)
    return found


#: Calls whose result is an ordered sequence, whatever they are given.
_SEQUENCE_CALLS = frozenset({"sorted", "list", "tuple"})


def _other_kind(value: ast.AST) -> bool:
    """``sorted(ids)``, ``list(...)``, a list or tuple display: visibly no set and no dict."""
    if isinstance(value, (ast.List, ast.Tuple, ast.ListComp)):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _SEQUENCE_CALLS


def _returns_by_name(tree: ast.Module, ctx: Context) -> dict[str, str]:
    """Module functions whose return annotation says dict or set (one definition only); a fact."""
    kinds: dict[str, Optional[str]] = {}
    for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)):
        name = node.name  # type: ignore[attr-defined]
        kind = _annotation_kind(node.returns)  # type: ignore[attr-defined]
        kinds[name] = kind if name not in kinds else None  # redefined: unknown
    return {name: kind for name, kind in kinds.items() if kind is not None}


def _annotation_kind(annotation: Optional[ast.AST]) -> Optional[str]:
    if annotation is None or not _annotation_is_container(annotation):
        return None
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        head = annotation.value.split("[", 1)[0].rsplit(".", 1)[-1]
    else:
        head = last_name(annotation) or ""
    if head in _DICT_ANNOTATIONS:
        return "dict"
    if head in _SET_ANNOTATIONS:
        return "set"
    return None


def _value_kind(value: ast.AST, ctx: Context, known: dict[str, str]) -> Optional[str]:
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, (ast.Set, ast.SetComp)):
        return "set"
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name in _DICT_CALLS:
            return "dict"
        if name in _SET_CALLS:
            return "set"
        if isinstance(value.func, ast.Name) and name is None:
            # A function of this module annotated ``-> set[str]`` / ``-> dict[...]``.
            returned = ctx.fact(_returns_by_name, ctx.tree).get(value.func.id)
            if returned is not None:
                return returned
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in _SET_METHODS and _kind(func.value, ctx, known) == "set":
            return "set"
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)):
        if _kind(value.left, ctx, known) == "set" or _kind(value.right, ctx, known) == "set":
            return "set"
    return None


def _attribute_kinds(tree: ast.AST, ctx: Context) -> dict[tuple[int, str], str]:
    """``(id(class), attribute) -> "dict" | "set"`` for attributes a class visibly keeps as a
    dict or a set: a class-body annotation (dataclass fields, ``failed: set[str]``),
    ``self.x: Set[str] = ...``, or every ``self.x = ...`` in its methods binding a set (or a
    dict) literal, comprehension or constructor call. Conflicting bindings leave it unknown.
    A fact: one pass over the classes of the module."""
    kinds: dict[tuple[int, str], Optional[str]] = {}

    def note(key: tuple[int, str], kind: Optional[str], declared: bool) -> None:
        if declared:
            kinds[key] = kind
        elif key not in kinds:
            kinds[key] = kind
        elif kinds[key] != kind:
            kinds[key] = None

    for cls in ctx.nodes_of(ast.ClassDef):
        assert isinstance(cls, ast.ClassDef)
        declared: set[str] = set()
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                kind = _annotation_kind(statement.annotation)
                if kind is not None:
                    note((id(cls), statement.target.id), kind, True)
                    declared.add(statement.target.id)
        for method in cls.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ctx.fact(local_nodes, method):
                targets: list[ast.expr]
                if isinstance(node, ast.AnnAssign):
                    targets, annotated = [node.target], _annotation_kind(node.annotation)
                elif isinstance(node, ast.Assign):
                    targets, annotated = node.targets, None
                else:
                    continue
                for target in targets:
                    if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                            and target.value.id == "self" and target.attr not in declared):
                        value = getattr(node, "value", None)
                        kind = annotated or (_value_kind(value, ctx, {}) if value is not None else None)
                        note((id(cls), target.attr), kind, annotated is not None)
    return {key: kind for key, kind in kinds.items() if kind is not None}


def _attribute_kinds_computing(tree: ast.Module, ctx: Context) -> set[int]:
    """Not empty while :func:`_attribute_kinds` is computed for the file."""
    return set()


def _self_attribute_kind(expr: ast.Attribute, ctx: Context) -> Optional[str]:
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return None
    computing = ctx.fact(_attribute_kinds_computing, ctx.tree)
    if computing:
        return None  # asked while the fact itself is computed (``self.a | self.b``): unknown
    for ancestor in ctx.ancestors(expr):
        if isinstance(ancestor, ast.ClassDef):
            computing.add(1)
            try:
                kinds = ctx.fact(_attribute_kinds, ctx.tree)
            finally:
                computing.discard(1)
            return kinds.get((id(ancestor), expr.attr))
    return None


def _kind(expr: ast.AST, ctx: Context, known: Optional[dict[str, str]] = None) -> Optional[str]:
    """``"dict"`` for a dict or a dict view, ``"set"`` for a set, else ``None``."""
    if isinstance(expr, ast.Attribute):
        return _self_attribute_kind(expr, ctx)
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _VIEW_METHODS and not expr.args and not expr.keywords:
            return "dict"
    if isinstance(expr, ast.Name):
        table = known if known is not None else ctx.fact(_local_types, ctx.enclosing_scope(expr))
        return table.get(expr.id)
    return _value_kind(expr, ctx, known or {})
