"""What the calls of a function in this module pass for one of its parameters, and what
follows from it: a parameter every caller leaves at ``None`` takes the value the function
gives it itself. Facts layer: no libcst. The analysed code is never imported or executed."""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Optional

from .._util import keyword, last_name, parameter_default
from .bindings import _collect_binds, _reaching_binds
from .call_index import _DEFERRED_TARGET_KEYWORD, _calls_naming
from .fresh_paths import files_calling, fresh_value, names_used_as_values

if TYPE_CHECKING:
    from ...context import Context


def _passed_values(
    function: ast.AST, param: str, ctx: Context, *, skip_none_default: bool = False
) -> Optional[list[ast.expr]]:
    """What the calls in this module pass as ``param`` of ``function``: direct calls by name
    (``f(a)``, ``self.f(a)``) and ``Thread(target=f, args=(...))``. ``None`` when a call
    passes it in a way not known statically, or when nothing calls the function."""
    passed = _call_arguments(function, param, ctx)
    if passed is None:
        return None
    values: list[ast.expr] = []
    for value in passed:
        if value is None and skip_none_default and _defaults_to_none(function, param):
            continue  # ``file=None``: this call writes no file
        if value is None:
            return None
        values.append(value)
    return values or None


def _call_arguments(function: ast.AST, param: str, ctx: Context) -> Optional[list[Optional[ast.expr]]]:
    """For each call of ``function`` in this module, what it passes as ``param`` (``None``
    where the call leaves it out); ``None`` when a call passes arguments in a way not known
    statically."""
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    in_class = isinstance(ctx.parent(function), ast.ClassDef)
    is_static = any(last_name(decorator) == "staticmethod" for decorator in function.decorator_list)
    found: list[Optional[ast.expr]] = []
    for call in _calls_naming(function.name, ctx):
        func = call.func
        args: list[ast.expr]
        if isinstance(func, ast.Attribute) and func.attr == function.name and _imported_function(call, ctx):
            continue  # ``pickle.dump(...)`` is not the method ``dump`` of a class of the module
        if isinstance(func, ast.Name) and func.id == function.name and not in_class:
            args, offset = list(call.args), 0
        elif isinstance(func, ast.Attribute) and func.attr == function.name and in_class:
            args, offset = list(call.args), 0 if is_static else 1
        else:
            target = keyword(call, _DEFERRED_TARGET_KEYWORD)
            if not (isinstance(target, ast.Name) and target.id == function.name and not in_class):
                continue
            passed = keyword(call, "args")
            if not isinstance(passed, (ast.Tuple, ast.List)):
                return None
            args, offset = list(passed.elts), 0
        if any(isinstance(arg, ast.Starred) for arg in args) or any(kw.arg is None for kw in call.keywords):
            return None
        value = keyword(call, param)
        if value is None and param in positional:
            index = positional.index(param) - offset
            value = args[index] if 0 <= index < len(args) else None
        found.append(value)
    return found


def _fresh_unless_given(root: ast.Name, ctx: Context) -> bool:
    """``d`` is a parameter defaulting to ``None`` that the function replaces with a fresh
    path (``if d is None: d = os.path.join(os.getcwd(), f"save-{random_suffix}")``), and no
    call of the function in the project passes it: every write under ``d`` goes into a new
    folder. A function called from other modules, or handed on as a value, is not judged."""
    binds = _reaching_binds(root, ctx)
    params = [bind for bind in binds if bind.kind == "param"]
    assigned = [bind for bind in binds if bind.kind != "param"]
    if len(params) != 1 or len(assigned) != 1 or assigned[0].kind != "assign" or assigned[0].value is None:
        return False
    function = _param_scope(root, ctx)
    if function is None or not _defaults_to_none(function, root.id):
        return False
    if not fresh_value(assigned[0].value, ctx):
        return False
    passed = _call_arguments(function, root.id, ctx)
    if not passed or any(not (value is None or _is_none(value)) for value in passed):
        return False
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    here = os.path.abspath(ctx.path)
    if any(path != here for path in files_calling(function.name, ctx)):
        return False  # callers elsewhere may hand it a folder of their own
    return function.name not in ctx.fact(names_used_as_values, ctx.tree)


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _param_scope(name: ast.Name, ctx: Context) -> Optional[ast.AST]:
    """The function that binds ``name`` as one of its parameters."""
    for scope in ctx.resolver.enclosing_scopes(name):
        found = ctx.fact(_collect_binds, scope).get(name.id)
        if found:
            if any(bind.kind == "param" for bind in found) and isinstance(
                scope, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return scope
            return None
    return None


def _imported_function(call: ast.Call, ctx: Context) -> bool:
    """``module.name(...)``: the receiver is a name an import statement binds."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(receiver, ast.Name) or receiver.id in ("self", "cls"):
        return False
    return ctx.call_name(call) is not None


def _defaults_to_none(function: ast.AST, param: str) -> bool:
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    default = parameter_default(function, param)
    return isinstance(default, ast.Constant) and default.value is None
