"""Handlers and calls that never return: a ``raise``, an exit, the error policy, a method that
raises by contract (``ctx.fail(...)``, ``parser.error(...)``), a helper named for raising, or a
function of the checked project whose every path raises."""

from __future__ import annotations

import ast
import functools
import os
import re
from typing import TYPE_CHECKING, Callable, Optional, Sequence, Union

from .._util import dotted, keyword, last_name, statement_nodes, walk_statements_local
from .shape import TRY_TYPES, in_loop

if TYPE_CHECKING:
    from ...context import Context


def handler_always_raises(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """Every path through the handler raises: a bare ``raise``, a converted error
    (``raise ConfigError(...) from e``), or a call that never returns (``sys.exit(1)``, click's
    ``self.fail(...)``, ``parser.error(...)``, a helper of the project whose every path raises)."""
    return _block_always_raises(handler.body, lambda call: always_raises(call, ctx))


#: Calls that format or print the traceback being handled.
_TRACEBACK_CALLS = frozenset(
    {"traceback.print_exc", "traceback.format_exc", "traceback.print_exception", "traceback.format_exception",
     "sys.exc_info"}
)


def reports_traceback_and_stops(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler reports the error with its traceback (``traceback.print_exc()``,
    ``logger.exception(...)``, ``exc_info=True``) and then stops: it leaves its loop (``break``
    or a bare ``return``), or the ``finally`` of its ``try`` ends the process (``os._exit(code)``
    in a forked child). A Ctrl-C is shown and still stops the work, as it would have without
    the handler."""
    body = handler.body
    if not body:
        return False
    last = body[-1]
    parent = ctx.parent(handler)
    leaves_loop = in_loop(handler, ctx) and (
        isinstance(last, ast.Break) or (isinstance(last, ast.Return) and last.value is None)
    )
    ends_process = isinstance(parent, TRY_TYPES) and _block_always_raises(
        parent.finalbody, lambda call: always_raises(call, ctx)
    )
    if not (leaves_loop or ends_process):
        return False
    for node in walk_statements_local(body):
        if not isinstance(node, ast.Call):
            continue
        if ctx.call_name(node) in _TRACEBACK_CALLS:
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr == "exception":
            return True
        exc_info = keyword(node, "exc_info")
        if exc_info is not None and not (isinstance(exc_info, ast.Constant) and not exc_info.value):
            return True
    return False


EXIT_CALLS = frozenset({"sys.exit", "os._exit", "os.abort", "pytest.fail"})


def _exit_status(call: ast.Call, ctx: Context) -> Optional[bool]:
    """For an exit (``sys.exit``, ``os._exit``, ``os.abort``, ``pytest.fail``, the builtin
    ``exit``/``quit``): whether it reports a failure. ``sys.exit(1)``, ``os._exit(code)``,
    ``exit(1)`` do; ``sys.exit()``, ``sys.exit(0)`` and ``exit(None)`` report success.
    ``None`` for any other call."""
    name = last_name(call.func)
    if name not in ("exit", "_exit", "abort", "fail", "quit"):
        return None
    if isinstance(call.func, ast.Name) and name in ("exit", "quit"):
        if not ctx.is_builtin(call.func, name):
            return None
    elif ctx.call_name(call) not in EXIT_CALLS:
        return None
    if name in ("abort", "fail"):
        return True
    status = call.args[0] if call.args else keyword(call, "code") or keyword(call, "status")
    if status is None:
        return False
    return not (isinstance(status, ast.Constant) and status.value in (0, None, False))


def fails_closed(body: list[ast.stmt], ctx: Context) -> Optional[ast.AST]:
    """The statement or call that stops the run: ``raise``, an exit with a failure status, or
    the error policy."""
    handlers = {name.rsplit(".", 1)[-1] for name in ctx.settings.all_error_handlers}
    for node in walk_statements_local(body):
        if isinstance(node, ast.Raise):
            return node
        if isinstance(node, ast.Call):
            if last_name(node.func) in handlers:
                return node
            status = _exit_status(node, ctx)
            if status is not None:
                if status:
                    return node
                continue  # a success status after a failure is no failing closed
            if always_raises(node, ctx):
                return node
    return None


#: ``raise_error(...)``, ``reraise(...)``, ``six.reraise``: named for raising. Not the ones that
#: raise only on a condition (``raise_for_status``, ``raise_if_cancelled``).
_RAISING_NAME_RE = re.compile(r"^_*(re)?raise(_(?!for_|if_|on_|when_)|$)|_raise$|^_*throw(_(?!if_)|$)")


def _block_always_raises(body: list[ast.stmt], raising: Callable[[ast.Call], bool]) -> bool:
    """Every path through ``body`` ends in a ``raise`` (or a call that always raises)."""
    for statement in body:
        if _statement_always_raises(statement, raising):
            return True
        if isinstance(statement, (ast.Return, ast.Break, ast.Continue)):
            return False
    return False


def _statement_always_raises(statement: ast.stmt, raising: Callable[[ast.Call], bool]) -> bool:
    if isinstance(statement, ast.Raise):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        return raising(statement.value)
    if isinstance(statement, ast.If):
        return _block_always_raises(statement.body, raising) and _block_always_raises(statement.orelse, raising)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return _block_always_raises(statement.body, raising)
    if isinstance(statement, TRY_TYPES):
        if _block_always_raises(statement.finalbody, raising):
            return True
        return (
            _block_always_raises(statement.body + statement.orelse, raising)
            or _block_always_raises(statement.body, raising)
        ) and all(_block_always_raises(handler.body, raising) for handler in statement.handlers)
    return False


def _any_call(call: ast.Call) -> bool:
    return True


def _may_always_raise(function: Union[ast.FunctionDef, ast.AsyncFunctionDef], ctx: Optional[Context] = None) -> bool:
    """Neither an abstract method (``raise NotImplementedError``) nor a generator: whether the
    function raises on every path then depends on its statements alone. With ``ctx``, the nodes
    of its body come from the shared :func:`statement_nodes` fact."""
    nodes = ctx.fact(statement_nodes, function) if ctx is not None else tuple(walk_statements_local(function.body))
    for node in nodes:
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if last_name(raised) == "NotImplementedError":  # an abstract method: overridden
                return False
    return not any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in nodes)


def _raising_functions(
    tree: ast.Module, ctx: Optional[Context] = None
) -> frozenset[str]:
    """Names of the module-level functions and methods of ``tree`` whose every path raises.

    With ``ctx`` (the context of ``tree``), the function definitions and the nodes of their
    bodies come from the engine's walk and the shared facts; the answer does not depend on the
    order of the functions (a function joins once its body raises, given the ones found so
    far, until none joins). Each function's body is walked at most once, not once per round."""
    functions: Sequence[Union[ast.FunctionDef, ast.AsyncFunctionDef]]
    if ctx is not None:
        functions = [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]
    else:
        functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # A function whose body cannot raise on every path even if every call in it raised never
    # joins (the check only grows with the set found): its body is not walked at all.
    candidates = [
        function
        for function in functions
        if _block_always_raises(function.body, _any_call) and _may_always_raise(function, ctx)
    ]
    found: set[str] = set()
    changed = True
    while changed:  # helpers that call helpers that raise
        changed = False

        def raising(call: ast.Call) -> bool:
            name = last_name(call.func)
            if dotted(call.func) in NEVER_RETURNING_CALLS:
                return True
            return name is not None and (name in found or _RAISING_NAME_RE.search(name) is not None)

        for function in candidates:
            if function.name not in found and _block_always_raises(function.body, raising):
                found.add(function.name)
                changed = True
    return frozenset(found)


@functools.lru_cache(maxsize=256)
def _raising_functions_in_file(path: str, mtime_ns: int) -> frozenset[str]:
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    return _raising_functions(tree)


def _module_files(module: str, level: int, ctx: Context) -> list[str]:
    """Candidate files of ``module`` (``from module import f``) in the checked project."""
    parts = [part for part in module.split(".") if part]
    here = os.path.dirname(os.path.abspath(ctx.path))
    if level:
        base = here
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        bases = []
        current = here
        while True:  # the package root is an ancestor of this file
            bases.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    candidates: list[str] = []
    for base in bases:
        stem = os.path.join(base, *parts) if parts else base
        candidates.extend((stem + ".py", os.path.join(stem, "__init__.py")))
    return candidates


def _imported_raising(name: str, ctx: Context) -> bool:
    """``from .utils import process_exception``: the project's own helper, defined in a file of
    the checked project, raises on every path."""
    for node in ctx.nodes_of(ast.ImportFrom):
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            if (alias.asname or alias.name) != name:
                continue
            for path in _module_files(node.module or "", node.level, ctx):
                try:
                    mtime = os.stat(path).st_mtime_ns
                except OSError:
                    continue
                return alias.name in _raising_functions_in_file(path, mtime)
    return False


#: Calls that end the process or raise by contract: ``sys.exit``, ``pytest.fail``...
NEVER_RETURNING_CALLS = frozenset(
    {"sys.exit", "os._exit", "os.abort", "pytest.fail", "pytest.skip", "pytest.exit", "pytest.xfail"}
)

#: ``ctx.fail(...)``, ``self.fail(...)`` (click's ``Context``/``ParamType``, unittest), ``ctx.exit()``,
#: ``parser.error(...)``/``parser.exit()`` (argparse): the method raises, on receivers named for
#: the object that has it. ``logger.error`` and ``job.fail()`` on other receivers are not these.
_CONTEXT_RECEIVER_RE = re.compile(r"^(self|ctx|context|\w*_ctx)$")
_PARSER_RECEIVER_RE = re.compile(r"^\w*parser$", re.IGNORECASE)


def _local_raising(ctx: Context) -> frozenset[str]:
    return ctx.fact(_raising_functions, ctx.tree)


def _imported_raising_cache(tree: ast.Module, ctx: Context) -> dict[str, bool]:
    """Per file: :func:`_imported_raising` of each name asked so far."""
    return {}


def never_returns(call: ast.Call, ctx: Context) -> bool:
    """``call`` ends the run or raises by contract: an exit, ``pytest.fail``, click's
    ``ctx.fail(...)``/``self.fail(...)`` in a parameter type, argparse's ``parser.error(...)``."""
    name = ctx.call_name(call)
    if name is not None and name in NEVER_RETURNING_CALLS:
        return True
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = last_name(func.value)
    if receiver is None:
        return False
    if func.attr == "fail" and _CONTEXT_RECEIVER_RE.match(receiver):
        # ``self.fail()`` of a class of this module that only records a failure is not it.
        defined = any(getattr(node, "name", None) == "fail" for node in ctx.nodes_of(ast.FunctionDef))
        return receiver != "self" or not defined or "fail" in _local_raising(ctx)
    if func.attr == "exit" and receiver != "self" and _CONTEXT_RECEIVER_RE.match(receiver):
        return True
    return func.attr in ("error", "exit") and _PARSER_RECEIVER_RE.match(receiver) is not None


def always_raises(call: ast.Call, ctx: Context) -> bool:
    """``call`` never returns: an exit or a method that raises by contract (``ctx.fail(...)``,
    ``parser.error(...)``), a helper named for raising (``raise_error(...)``), a function of
    this module whose every path raises, or one imported from the checked project that does."""
    name = last_name(call.func)
    if name is None:
        return False
    if _RAISING_NAME_RE.search(name) or never_returns(call, ctx):
        return True
    if name in _local_raising(ctx):
        return True
    if isinstance(call.func, ast.Name):
        cache = ctx.fact(_imported_raising_cache, ctx.tree)
        found = cache.get(name)
        if found is None:
            found = cache[name] = _imported_raising(name, ctx)
        return found
    return False

