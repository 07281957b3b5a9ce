"""Writes whose target is not a kept regular file: named pipes and one-shot command line outputs.

Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import last_name
from .bindings import _single, _single_any
from .callers import _passed_values
from .provenance import _param_function
from .vocabulary import _MAX_DEPTH, _UNWRAP

if TYPE_CHECKING:
    from ...context import Context


def _straight_root(expr: ast.expr, ctx: Context) -> ast.expr:
    """The expression a path is, through once-assigned names and pass-through wrappers
    (``str()``, ``Path()``, ``os.path.expanduser()``), but not through joins: a file under a
    directory is not the path itself."""
    for _ in range(_MAX_DEPTH):
        if (
            isinstance(expr, ast.Call)
            and len(expr.args) == 1
            and not isinstance(expr.args[0], ast.Starred)
            and ctx.call_name(expr) in _UNWRAP
        ):
            expr = expr.args[0]
        elif isinstance(expr, ast.Name):
            bind = _single(expr, ctx, "assign")
            if bind is None or bind.value is None:
                return expr
            expr = bind.value
        else:
            return expr
    return expr


def _fifo_named(name: str) -> bool:
    return "fifo" in name.lower()


def _makes_fifo(function: ast.AST, ctx: Context) -> bool:
    """A function of this module whose name says ``fifo`` or that calls ``os.mkfifo``."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if _fifo_named(function.name):
        return True
    return any(
        isinstance(node, ast.Call) and ctx.call_name(node) == "os.mkfifo" for node in ast.walk(function)
    )


def _module_function(name: str, ctx: Context) -> Optional[ast.AST]:
    tree = ctx.tree
    for node in getattr(tree, "body", ()):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def _named_pipe(target: ast.expr, ctx: Context) -> bool:
    """The target is a FIFO: a name that says so (``fifo_path``, ``self.fifo``), or a value
    returned by a function of this module that makes one (``path = make_fifo()``,
    ``with temporary_fifo() as (path, fd)``)."""
    expr = _straight_root(target, ctx)
    if isinstance(expr, ast.Name) and _fifo_named(expr.id):
        return True
    if isinstance(expr, ast.Attribute) and _fifo_named(expr.attr):
        return True
    maker: Optional[ast.Call] = expr if isinstance(expr, ast.Call) else None
    if maker is None and isinstance(expr, ast.Name):
        bind = _single_any(expr, ctx)
        if bind is not None and bind.kind in ("with", "tuple") and isinstance(bind.value, ast.Call):
            maker = bind.value
    if maker is None or not isinstance(maker.func, ast.Name):
        return False
    maker_name = maker.func.id
    if _fifo_named(maker_name):
        return True
    function = _module_function(maker_name, ctx)
    return function is not None and _makes_fifo(function, ctx)


#: Decorators that make a function a command line command (``@click.command()``,
#: ``@cli.command(name=...)``, ``@app.command()``) or bind its parameters to options.
_CLI_DECORATOR_NAMES = frozenset({"command", "group"})
_CLI_OPTION_DECORATORS = frozenset(
    {"click.option", "click.argument", "click.command", "click.group", "typer.Option", "typer.Argument"}
)
_CLI_PASSED_OBJECTS = frozenset({"pass_obj", "pass_context", "make_pass_decorator"})
_CLI_CONTEXT_NAMES = frozenset({"ctx", "context", "obj", "self", "cls"})


def _cli_command(function: ast.AST, ctx: Context) -> bool:
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for decorator in function.decorator_list:
        head = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(head, ast.Attribute) and head.attr in _CLI_DECORATOR_NAMES:
            return True
        qualified = ctx.qualified_name(head) if isinstance(head, (ast.Name, ast.Attribute)) else None
        if qualified in _CLI_OPTION_DECORATORS:
            return True
    return False


def _cli_bound(function: ast.AST, param: str, ctx: Context) -> bool:
    """``param`` of ``function`` is filled by the command line: the function is a click or
    typer command and the parameter is not the context object click passes in."""
    if not _cli_command(function, ctx) or param in _CLI_CONTEXT_NAMES:
        return False
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    passes_object = any(
        last_name(decorator.func if isinstance(decorator, ast.Call) else decorator) in _CLI_PASSED_OBJECTS
        for decorator in function.decorator_list
    )
    if passes_object and positional and positional[0] == param:
        return False
    for arg in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs):
        if arg.arg == param and arg.annotation is not None and last_name(arg.annotation) == "Context":
            return False
    return True


def _cli_sourced(expr: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """``expr`` is, straight, a path given on the command line: a parameter of a click/typer
    command, or a parameter of a helper that every call in the module fills with one."""
    root = _straight_root(expr, ctx)
    if not isinstance(root, ast.Name):
        return False
    function = _param_function(root, ctx)
    if function is None:
        return False
    if _cli_bound(function, root.id, ctx):
        return True
    if depth >= 2:
        return False
    values = _passed_values(function, root.id, ctx, skip_none_default=True)
    return values is not None and all(_cli_sourced(value, ctx, depth + 1) for value in values)


def _cli_output(target: ast.expr, ctx: Context) -> bool:
    """A one-shot output of a command line command: the user named the file, reruns the
    command when it fails, and no later step reads it back. ``--strict`` still reports it."""
    if ctx.settings.strict:
        return False
    return _cli_sourced(target, ctx)
