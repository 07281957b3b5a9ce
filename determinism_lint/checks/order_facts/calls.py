"""What a call does with its arguments: module functions and their parameters, log and print calls,
shared streams, keyed updates.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import LOG_METHODS, REPORTING_CALLS, keyword
from .nodes import _mentions
from .vocabulary import _CONSOLE

if TYPE_CHECKING:
    from ...context import Context


def _module_functions(tree: ast.AST, ctx: Context) -> dict[str, ast.FunctionDef]:
    """Functions defined once at the top level of the module, by name; a fact."""
    found: dict[str, ast.FunctionDef] = {}
    twice: set[str] = set()
    for statement in getattr(tree, "body", ()):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.Import,
                                  ast.ImportFrom)):
            names = (
                [statement.name] if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                else [t.id for t in getattr(statement, "targets", ()) if isinstance(t, ast.Name)]
                + [(a.asname or a.name).split(".")[0] for a in getattr(statement, "names", ())]
            )
            for name in names:
                if name in found or name in twice:
                    twice.add(name)
                    found.pop(name, None)
                elif isinstance(statement, ast.FunctionDef) and not statement.decorator_list:
                    found[name] = statement
                else:
                    twice.add(name)
    return found


def _parameter_for(node: ast.AST, call: ast.Call, callee: ast.FunctionDef) -> Optional[ast.arg]:
    """The parameter of ``callee`` that receives ``node`` (an argument of ``call``), if plain."""
    args = callee.args
    positional = [*args.posonlyargs, *args.args]
    if not positional and args.vararg is not None and any(arg is node for arg in call.args):
        return args.vararg  # ``def delete_all(*paths)``: every positional argument lands there
    for index, arg in enumerate(call.args):
        if arg is node:
            if isinstance(node, ast.Starred):
                # ``f(*listing)``: the entries land in ``*args`` when every positional slot before is filled.
                return args.vararg if args.vararg is not None and index >= len(positional) else None
            if index < len(positional):
                return positional[index]
            return None
        if isinstance(arg, ast.Starred):
            return None
    for keyword_arg in call.keywords:
        if keyword_arg.value is node and keyword_arg.arg is not None:
            return next((arg for arg in (*positional, *args.kwonlyargs) if arg.arg == keyword_arg.arg), None)
    return None


def _arguments_mention(call: ast.Call, names: set[str]) -> bool:
    return any(_mentions(arg, names) for arg in call.args) or any(
        _mentions(item.value, names) for item in call.keywords
    )


def _is_shared_stream(stream: ast.AST, stored: set[str]) -> bool:
    """A handle opened outside the loop (``out``, ``self.out``), not one made per element."""
    if isinstance(stream, ast.Name):
        return stream.id not in stored
    return isinstance(stream, ast.Attribute)


def _is_keyed_update(call: ast.Call, tainted: set[str]) -> bool:
    """``d.update({entry: value})``: every key comes from the entry, so no entry overrides another."""
    if call.keywords or len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
        return False
    keys = call.args[0].keys
    return bool(keys) and all(key is not None and _mentions(key, tainted) for key in keys)


def _compared_with_short_literal(node: ast.AST, call: ast.Call) -> bool:
    """``assertEqual(names, [])`` or ``assertEqual(names, ["only"])``: no order to compare."""
    others = [arg for arg in call.args[:2] if arg is not node]
    return (
        len(call.args) >= 2
        and len(others) == 1
        and isinstance(others[0], (ast.List, ast.Tuple))
        and len(others[0].elts) <= 1
    )


def _is_first_arg(node: ast.AST, call: ast.Call) -> bool:
    return bool(call.args) and call.args[0] is node


def _argument(call: ast.Call, position: int, names: tuple[str, ...]) -> Optional[ast.expr]:
    if len(call.args) > position and not any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
        return call.args[position]
    for item in call.keywords:
        if item.arg in names:
            return item.value
    return None


def _prints_to_console(call: ast.Call, ctx: Context) -> bool:
    stream = keyword(call, "file")
    return stream is None or ctx.qualified_name(stream) in _CONSOLE


def _is_log_call(call: ast.Call, name: Optional[str]) -> bool:
    """``logger.info(...)``, ``logging.warning(...)``, ``warnings.warn(...)``; not ``math.log``."""
    if name is not None:
        method = name.rsplit(".", 1)[-1]
        if name in REPORTING_CALLS or (name.startswith("logging.") and method in LOG_METHODS):
            return True
        # An imported logger module (``from numpy.distutils import log``); ``math.log`` is not one.
        return method in LOG_METHODS and method != "log"
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS


def _inside_log_call(node: ast.AST, ctx: Context) -> bool:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.If) and _in_test_of(node, ancestor) and _logs_only(ancestor, ctx):
            # ``if i % 1000 == 0: logger.info(...)``: the test only decides when to log progress.
            return True
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, ast.Call) and (
            _is_log_call(ancestor, ctx.call_name(ancestor))
            or (ctx.call_name(ancestor) == "builtins.print" and _prints_to_console(ancestor, ctx))
        ):
            return True
    return False


def _in_test_of(node: ast.AST, statement: ast.If) -> bool:
    return any(inner is node for inner in ast.walk(statement.test))


def _logs_only(statement: ast.If, ctx: Context) -> bool:
    """Every statement under ``statement`` logs, prints to the console or does nothing."""
    body = [*statement.body, *statement.orelse]
    for inner in body:
        if isinstance(inner, ast.Pass):
            continue
        if isinstance(inner, ast.If):
            if not _logs_only(inner, ctx):
                return False
            continue
        if not (isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call)):
            return False
        name = ctx.call_name(inner.value)
        if not (
            _is_log_call(inner.value, name)
            or (name == "builtins.print" and _prints_to_console(inner.value, ctx))
        ):
            return False
    return bool(body)


def _only_tested_for_none(call: ast.Call, ctx: Context) -> bool:
    """``next(it, None) is None``, ``if next(it, None):`` or ``next(it)`` as a statement: only
    whether there is a first entry counts (a listed name, path or entry is never false), not
    which one it is."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Compare):
        return (
            len(parent.ops) == 1
            and isinstance(parent.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq))
            and all(
                isinstance(side, ast.Constant) and side.value is None
                for side in (parent.left, *parent.comparators)
                if side is not call
            )
        )
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.Expr):
        return True  # ``try: next(p.glob("*")) except StopIteration:``: the entry is dropped
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is call


def _local_callee(func: ast.Name, call: ast.Call, ctx: Context) -> Optional[ast.FunctionDef]:
    """The function ``func`` names: one nested in the function that calls it, else one of the module."""
    enclosing = ctx.enclosing_function(call)
    if isinstance(enclosing, (ast.FunctionDef, ast.AsyncFunctionDef)):
        nested = ctx.fact(_module_functions, enclosing).get(func.id)
        if nested is not None:
            return nested
    return ctx.fact(_module_functions, ctx.tree).get(func.id)
