"""Name resolution through imports and local bindings.

``import json as j; j.dump(...)`` resolves to ``json.dump``; ``from os import listdir``
makes ``listdir`` resolve to ``os.listdir``; a module-level ``def open(...)`` or a
parameter called ``open`` shadows the builtin, so ``open(...)`` then resolves to nothing.

Bindings are computed lazily, once per scope, and only when a rule asks.
"""

from __future__ import annotations

import ast
import builtins
import sys
from typing import Optional, Union

from .nodes import children_list

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
ScopeNode = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]

_BUILTINS = frozenset(dir(builtins))
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

#: Marker for a name bound locally by something other than an import.
LOCAL = ""


def _record(bindings: dict[str, str], name: str, target: str) -> None:
    # An import wins over other bindings of the same name: ``try: import yaml`` /
    # ``except ImportError: yaml = None`` still means the module wherever it is used.
    current = bindings.get(name)
    if current is None or (current == LOCAL and target != LOCAL):
        bindings[name] = target


def _bind_target(bindings: dict[str, str], target: ast.AST) -> None:
    if isinstance(target, ast.Name):
        _record(bindings, target.id, LOCAL)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_target(bindings, element)
    elif isinstance(target, ast.Starred):
        _bind_target(bindings, target.value)


def _bind_arguments(bindings: dict[str, str], args: ast.arguments) -> None:
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        _record(bindings, arg.arg, LOCAL)
    if args.vararg is not None:
        _record(bindings, args.vararg.arg, LOCAL)
    if args.kwarg is not None:
        _record(bindings, args.kwarg.arg, LOCAL)


_TRY_TYPES: tuple[type, ...] = (ast.Try,) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
# A ``try`` statement of the running Python (``try``/``except*`` is 3.11+).
if sys.version_info >= (3, 11):
    TryNode = Union[ast.Try, ast.TryStar]
else:
    TryNode = ast.Try


def collect_statement_bindings(scope: ScopeNode) -> dict[str, str]:
    """:func:`collect_bindings` for code without ``:=``: only statements can bind, so only
    statements (and their targets) are visited, never the expressions in between."""
    if isinstance(scope, ast.Lambda):
        return collect_bindings(scope)
    bindings: dict[str, str] = {}
    declared_global: set[str] = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        _bind_arguments(bindings, scope.args)
    todo: list[ast.AST] = list(reversed(scope.body))
    while todo:
        node = todo.pop()
        cls = node.__class__
        if cls is ast.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                _bind_target(bindings, target)
        elif cls is ast.Expr or cls is ast.Return or cls is ast.Pass or cls is ast.Raise:
            continue
        elif cls is ast.Import or cls is ast.ImportFrom:
            _bind_import(bindings, node)  # type: ignore[arg-type]
        elif cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            _record(bindings, node.name, LOCAL)  # type: ignore[attr-defined]
        elif cls is ast.AnnAssign or cls is ast.AugAssign:
            _bind_target(bindings, node.target)  # type: ignore[attr-defined]
        elif cls is ast.For or cls is ast.AsyncFor:
            _bind_target(bindings, node.target)  # type: ignore[attr-defined]
            todo.extend(reversed(node.orelse))  # type: ignore[attr-defined]
            todo.extend(reversed(node.body))  # type: ignore[attr-defined]
        elif cls is ast.If or cls is ast.While:
            todo.extend(reversed(node.orelse))  # type: ignore[attr-defined]
            todo.extend(reversed(node.body))  # type: ignore[attr-defined]
        elif cls is ast.With or cls is ast.AsyncWith:
            for item in node.items:  # type: ignore[attr-defined]
                if item.optional_vars is not None:
                    _bind_target(bindings, item.optional_vars)
            todo.extend(reversed(node.body))  # type: ignore[attr-defined]
        elif cls in _TRY_TYPES:
            todo.extend(reversed(node.finalbody))  # type: ignore[attr-defined]
            todo.extend(reversed(node.orelse))  # type: ignore[attr-defined]
            for handler in reversed(node.handlers):  # type: ignore[attr-defined]
                todo.extend(reversed(handler.body))
                if handler.name:
                    _record(bindings, handler.name, LOCAL)
            todo.extend(reversed(node.body))  # type: ignore[attr-defined]
        elif cls is ast.Global or cls is ast.Nonlocal:
            declared_global.update(node.names)  # type: ignore[attr-defined]
        elif cls is ast.Delete:
            for target in node.targets:  # type: ignore[attr-defined]
                _bind_target(bindings, target)
        elif sys.version_info >= (3, 10) and cls is ast.Match:
            for case in node.cases:  # type: ignore[attr-defined]
                for pattern in ast.walk(case.pattern):
                    if isinstance(pattern, (ast.MatchAs, ast.MatchStar)) and pattern.name:
                        _record(bindings, pattern.name, LOCAL)
                    elif isinstance(pattern, ast.MatchMapping) and pattern.rest:
                        _record(bindings, pattern.rest, LOCAL)
                todo.extend(reversed(case.body))
    for name in declared_global:
        bindings.pop(name, None)
    return bindings


def collect_bindings(scope: ScopeNode) -> dict[str, str]:
    """Names bound directly in ``scope``: name -> imported dotted name, or ``LOCAL``.

    Nested functions and classes contribute only their own name; comprehension
    variables stay inside the comprehension (walrus targets leak out, as in Python).
    """
    bindings: dict[str, str] = {}
    declared_global: set[str] = set()
    if isinstance(scope, _FUNCTION_TYPES):
        _bind_arguments(bindings, scope.args)
        body: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    else:
        body = list(scope.body)
    todo = body[::-1]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _bind_import(bindings, node)
            continue
        if isinstance(node, _NESTED_SCOPES):
            if not isinstance(node, ast.Lambda):
                _record(bindings, node.name, LOCAL)
                # Decorators and defaults run in this scope.
                todo.extend(reversed(node.decorator_list))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                todo.extend(reversed(node.args.defaults))
                todo.extend(d for d in reversed(node.args.kw_defaults) if d is not None)
            continue
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared_global.update(node.names)
            continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                _record(bindings, node.id, LOCAL)
            continue
        if isinstance(node, ast.ExceptHandler) and node.name:
            _record(bindings, node.name, LOCAL)
        elif isinstance(node, ast.NamedExpr):
            _bind_target(bindings, node.target)
        elif isinstance(node, _COMPREHENSIONS):
            # Only walrus targets escape a comprehension; find them without binding the
            # comprehension's own loop variables.
            for inner in ast.walk(node):
                if isinstance(inner, ast.NamedExpr):
                    _bind_target(bindings, inner.target)
            continue
        elif sys.version_info >= (3, 10) and isinstance(node, (ast.MatchAs, ast.MatchStar, ast.MatchMapping)):
            bound = node.rest if isinstance(node, ast.MatchMapping) else node.name
            if bound:
                _record(bindings, bound, LOCAL)
        todo.extend(reversed(children_list(node)))
    for name in declared_global:
        bindings.pop(name, None)
    return bindings


def _bind_import(bindings: dict[str, str], node: Union[ast.Import, ast.ImportFrom]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                _record(bindings, alias.asname, alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                _record(bindings, top, top)
        return
    if node.level:  # relative import: a module of this project, not a library
        for alias in node.names:
            if alias.name != "*":
                _record(bindings, alias.asname or alias.name, LOCAL)
        return
    module = node.module or ""
    for alias in node.names:
        if alias.name == "*":
            continue
        _record(bindings, alias.asname or alias.name, f"{module}.{alias.name}")


#: Standard modules a module's ``from x import *`` most often hands on (a module that
#: imports them uses them under their own name).
_STAR_EXPORTED_MODULES = frozenset({"os", "sys", "json", "shutil", "glob", "pickle", "time", "re", "pathlib"})


class Resolver:
    """Resolves names and attribute chains to dotted names, scope by scope."""

    def __init__(self, tree: ast.Module, parents: dict[ast.AST, ast.AST], *, walrus: bool = True) -> None:
        self._tree = tree
        self._parents = parents
        # Without ``:=`` in the file, bindings come from statements alone (much cheaper).
        self._collect = collect_bindings if walrus else collect_statement_bindings
        self._bindings: dict[int, dict[str, str]] = {}
        self._innermost: dict[ast.AST, tuple[Optional[FunctionNode], ast.AST]] = {}
        self._outer_scopes: dict[ast.AST, list[ScopeNode]] = {}
        self._has_star: Optional[bool] = None

    def bindings(self, scope: ScopeNode) -> dict[str, str]:
        key = id(scope)
        found = self._bindings.get(key)
        if found is None:
            found = self._collect(scope)
            self._bindings[key] = found
        return found

    def enclosing_scopes(self, node: ast.AST) -> list[ScopeNode]:
        """Function scopes from the innermost outwards, then the module.

        Class bodies are skipped, as Python skips them for names used in methods. Each node
        passed on the way up remembers its innermost function, and each function the scopes
        around it, so asking for every name of a long function costs about one pass over it.
        """
        function, child = self._innermost_function(node)
        if function is None:
            return [self._tree]
        outer = self._outer_scopes.get(function)
        if outer is None:
            outer = self._outer_scopes[function] = self.enclosing_scopes(function)
        # Defaults, decorators and annotations of a function are evaluated outside it.
        if _is_in_signature(function, child):
            return list(outer)
        return [function, *outer]

    def _innermost_function(self, node: ast.AST) -> tuple[Optional[FunctionNode], ast.AST]:
        """The innermost function above ``node`` and its child on the way there."""
        cache = self._innermost
        parents = self._parents
        passed: list[ast.AST] = []
        child = node
        current = parents.get(node)
        found: tuple[Optional[FunctionNode], ast.AST] = (None, node)
        while current is not None:
            if isinstance(current, _FUNCTION_TYPES):
                found = (current, child)
                break
            known = cache.get(current)
            if known is not None:
                found = known
                break
            passed.append(current)
            child = current
            current = parents.get(current)
        for ancestor in passed:
            cache[ancestor] = found
        return found

    def resolve_name(self, name: str, node: ast.AST) -> Optional[str]:
        """Dotted name that ``name`` refers to at ``node``; ``None`` when it is a local value."""
        for scope in self.enclosing_scopes(node):
            target = self.bindings(scope).get(name)
            if target is not None:
                return target or None
        if name in _BUILTINS:
            return f"builtins.{name}"
        if name in _STAR_EXPORTED_MODULES and self._star_import():
            return name  # ``from .utils import *`` hands on ``os``, ``json``: the module, as it almost always is
        return None

    def _star_import(self) -> bool:
        if self._has_star is None:
            self._has_star = any(
                isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names)
                for statement in self._tree.body
            )
        return self._has_star

    def qualified_name(self, expr: ast.AST) -> Optional[str]:
        """``j.dump`` -> ``json.dump``; ``Path`` -> ``pathlib.Path``; locals -> ``None``."""
        attrs: list[str] = []
        current = expr
        while isinstance(current, ast.Attribute):
            attrs.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            return None
        base = self.resolve_name(current.id, current)
        if base is None:
            return None
        if attrs:
            return base + "." + ".".join(reversed(attrs))
        return base


def _is_in_signature(function: FunctionNode, child: ast.AST) -> bool:
    if isinstance(function, ast.Lambda):
        return child is function.args
    return child is function.args or child in function.decorator_list or child is function.returns
