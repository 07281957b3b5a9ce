"""Handlers that are no silent swallow although they only pass: best-effort cleanup, code that
runs as cleanup, a probe import, a fire-and-forget request, a fallback value."""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Optional

from .._util import dotted, keyword, last_name
from .raising import reports_traceback_and_stops
from .shape import TRY_TYPES, handler_comment, in_loop, is_compat_binding, is_import_fallback
from .work import artifact_work

if TYPE_CHECKING:
    from ...context import Context
    from ...names import TryNode


#: Calls that release a resource: failing to release it loses no work.
CLEANUP_METHODS = frozenset(
    {"close", "unlink", "remove", "rmdir", "removedirs", "rmtree", "kill", "terminate", "shutdown", "cancel",
     "release", "disconnect", "cleanup", "stop", "join", "wait", "__exit__", "__aexit__", "unregister",
     "detach", "dispose", "destroy", "delete"}
)


#: The release calls that do not block: where a Ctrl-C lands is a ``join()`` or a ``wait()``, so a
#: bare ``except:`` around those still swallows it.
RELEASE_METHODS = CLEANUP_METHODS - frozenset({"join", "wait", "stop", "__exit__", "__aexit__", "disconnect"})

#: Commands that stop processes, run through ``subprocess``/``asyncio``.
_KILL_COMMANDS = frozenset({"kill", "pkill", "killall", "taskkill"})
_SPAWN_CALLS = frozenset(
    {"call", "run", "check_call", "check_output", "Popen", "create_subprocess_exec", "create_subprocess_shell",
     "system"}
)


def _is_kill_command(call: ast.Call) -> bool:
    """``subprocess.call(["pkill", "-P", pid])``, ``asyncio.create_subprocess_exec("kill", ...)``,
    ``os.system("kill -9 ...")``: a process is told to stop."""
    if last_name(call.func) not in _SPAWN_CALLS or not call.args:
        return False
    first = call.args[0]
    if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
        first = first.elts[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.split():
        return os.path.basename(first.value.split()[0]) in _KILL_COMMANDS
    return False


def _unawaited_call(node: Optional[ast.AST]) -> Optional[ast.Call]:
    if isinstance(node, ast.Await):
        node = node.value
    return node if isinstance(node, ast.Call) else None


def is_cleanup_only(body: list[ast.stmt], methods: frozenset[str] = CLEANUP_METHODS) -> bool:
    """Every statement releases something: ``os.unlink(p)``, ``proc.kill()``, ``reader.close()``,
    runs ``kill``/``pkill`` (optionally binding the process to wait for it), all optionally under
    an ``if``, or clears a reference."""
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, (ast.Call, ast.Await)):
            call = _unawaited_call(statement.value)
            if call is None or (last_name(call.func) not in methods and not _is_kill_command(call)):
                return False
        elif isinstance(statement, ast.If):
            if not is_cleanup_only(statement.body, methods) or not is_cleanup_only(statement.orelse, methods):
                return False
        elif isinstance(statement, (ast.Delete, ast.Pass)):
            continue
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            continue
        elif isinstance(statement, ast.Assign):
            call = _unawaited_call(statement.value)
            if call is None or not _is_kill_command(call):
                return False
        else:
            return False
    return True


#: Functions that run while an object or the interpreter goes away.
_TEARDOWN_FUNCTIONS = frozenset({"__del__", "__exit__", "__aexit__"})


def in_cleanup_context(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler runs as cleanup: in a ``finally`` block, in ``__del__``/``__exit__``, or in a
    function registered with ``atexit.register``/``weakref.finalize``. An error raised there
    would only mask the one already on its way, or surface at exit where nobody can act on it."""
    child: ast.AST = handler
    for ancestor in ctx.ancestors(handler):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if ancestor.name in _TEARDOWN_FUNCTIONS:
                return True
            for name in ("register", "finalize"):
                for call in ctx.calls_by_name.get(name, ()):
                    assert isinstance(call, ast.Call)
                    args = call.args[1:] if name == "finalize" else call.args[:1]
                    if any(isinstance(arg, ast.Name) and arg.id == ancestor.name for arg in args):
                        if ctx.call_name(call) in ("atexit.register", "weakref.finalize"):
                            return True
            return False
        if isinstance(ancestor, (ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, TRY_TYPES) and any(child is statement for statement in ancestor.finalbody):
            return True
        child = ancestor
    return False


def runs_at_teardown(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler is a guard in ``__exit__``/``__aexit__``/``__del__``, or in a method that this
    module calls only from those (``_abort()`` or ``close()`` called from ``__exit__``): it runs
    while the object is torn down, where the error is already on its way, or the work was
    finished (or failed) through its own explicit call (``finalize()``, ``commit()``)."""
    function = next(
        (a for a in ctx.ancestors(handler) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))),
        None,
    )
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if function.name in _TEARDOWN_FUNCTIONS:
        return True
    if not any(isinstance(a, ast.ClassDef) for a in ctx.ancestors(function)):
        return False
    # The calls that may reach this method: ``self.close()``, ``writer.close()``, ``close()``;
    # not ``self.stream.close()``, a method of another object.
    calls = [
        call
        for call in ctx.calls_by_name.get(function.name, ())
        if isinstance(call, ast.Call)
        and (isinstance(call.func, ast.Name) or isinstance(getattr(call.func, "value", None), ast.Name))
    ]
    if not calls:
        return False
    for call in calls:
        if not (isinstance(call.func, ast.Attribute) and getattr(call.func.value, "id", None) == "self"):
            return False
        caller = next(
            (a for a in ctx.ancestors(call) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))),
            None,
        )
        if not isinstance(caller, (ast.FunctionDef, ast.AsyncFunctionDef)) or caller.name not in _TEARDOWN_FUNCTIONS:
            return False
    return True


def is_store_only(body: list[ast.stmt]) -> bool:
    """The ``try`` body only binds a value (``size = fs.info(p)["size"]``, ``return parse(s)``):
    a handler that passes keeps the value from before, a fallback in all but name."""
    for statement in body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Return, ast.Pass)):
            continue
        if isinstance(statement, ast.If):
            if not is_store_only(statement.body) or (statement.orelse and not is_store_only(statement.orelse)):
                return False
            continue
        return False
    return bool(body)


def quiet_reason(handler: ast.ExceptHandler, ctx: Context) -> Optional[str]:
    """Why a broad handler that only passes is no silent swallow, or ``None``. Never when its
    ``try`` body does artifact work: then the swallowed failure can leave an artifact short."""
    parent = ctx.parent(handler)
    if not isinstance(parent, TRY_TYPES):
        return None
    if artifact_work(parent.body, ctx) is not None:
        return None
    if handler_comment(handler, ctx) is not None:
        return "explained by a comment"
    if is_cleanup_only(parent.body):
        return "best-effort cleanup"
    if in_cleanup_context(handler, ctx):
        return "runs as cleanup"
    if is_probe_import(parent, ctx):
        return "a probe import"
    if is_fire_and_forget_request(parent.body):
        return "a fire-and-forget request"
    passes = all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in handler.body
    )
    if passes and is_store_only(parent.body) and (not in_loop(parent, ctx) or _rebinds_a_conversion(parent.body)):
        # In a loop too when the body only converts a value: the name keeps its value from
        # before (``default = eval(default)``), and no item of the loop is skipped.
        return "a fallback value"
    return None


def _is_import_call(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) in ("__import__", "import_module")


def is_probe_import(parent: TryNode, ctx: Context) -> bool:
    """The ``try`` body only attempts an import (``__import__(name)``,
    ``importlib.import_module(name)``, an ``import`` statement, with the bindings that prepare
    it), and the outcome is looked at afterwards: outside a loop (a missing name fails where it
    is used), or in a function that checks ``sys.modules``."""
    attempted = False
    for statement in parent.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            attempted = True
        elif isinstance(statement, ast.Expr) and _is_import_call(statement.value):
            attempted = True
        elif isinstance(statement, ast.Assign):
            attempted = attempted or _is_import_call(statement.value)
        else:
            return False
    if not attempted:
        return False
    if not in_loop(parent, ctx):
        return True
    function = next((a for a in ctx.ancestors(parent) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    return function is not None and any(
        isinstance(node, ast.Attribute) and node.attr == "modules" and dotted(node) == "sys.modules"
        for node in ast.walk(function)
    )


#: HTTP methods that send no resource: a ping, a check, an event.
_PING_METHODS = frozenset({"head", "get", "post", "options"})


def is_fire_and_forget_request(body: list[ast.stmt]) -> bool:
    """The ``try`` body is one HTTP request with a ``timeout``, whose response is not used and
    which uploads no payload (``data=``, ``files=``): a telemetry ping, which must never fail the
    program. ``session.put(url, data=blob)``, an upload, is not one."""
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    call = _unawaited_call(body[0].value)
    if call is None or not isinstance(call.func, ast.Attribute) or call.func.attr not in _PING_METHODS:
        return False
    if keyword(call, "timeout") is None or keyword(call, "data") is not None or keyword(call, "files") is not None:
        return False
    target = call.args[0] if call.args else keyword(call, "url")
    return target is not None and not (isinstance(target, ast.Constant) and not isinstance(target.value, str))


def is_no_swallow(handler: ast.ExceptHandler, parent: TryNode, ctx: Context) -> bool:
    """Whatever the handler catches, nothing is lost: an optional import or a compat binding,
    a handler that reports the traceback and stops, a ``try`` that only releases something
    (``proc.kill()``, ``pkill``), a probe import, or a fire-and-forget ping."""
    return (
        is_import_fallback(handler, ctx)
        or is_compat_binding(handler, ctx)
        or reports_traceback_and_stops(handler, ctx)
        or is_cleanup_only(parent.body)
        or is_probe_import(parent, ctx)
        or is_fire_and_forget_request(parent.body)
    )


#: Calls that only convert, parse or look up a value already in memory: they return in
#: microseconds and touch no file, socket or process.
_CONVERSIONS = frozenset(
    {"int", "float", "complex", "bool", "str", "bytes", "ord", "chr", "len", "abs", "round", "min", "max", "list",
     "tuple", "dict", "sorted", "append", "getattr", "hasattr", "isinstance",
     "issubclass", "type", "eval", "literal_eval", "strptime", "fromisoformat", "fromtimestamp", "loads",
     "decode", "encode", "split", "rsplit", "strip", "lower", "upper", "format", "index",
     "parse_version", "Version", "UUID", "Decimal", "Fraction", "Path", "PurePath", "match", "fullmatch",
     "search", "group", "unquote", "quote", "b64decode", "b64encode", "hexlify", "unhexlify"}
)


def is_brief_conversion(body: list[ast.stmt]) -> bool:
    """The ``try`` body only converts or looks up a value in memory (``port = int(run_id)``,
    ``return datetime.strptime(s, fmt)``, ``value = eval(default)``, ``x = getattr(cls, n)``):
    one or two assignments, returns or expressions whose calls are all conversions, with no
    loop, ``with`` or nested ``try``. A Ctrl-C cannot realistically land there, and nothing
    but the value is at stake, so a bare ``except:`` around it behaves as ``except
    Exception:`` would."""
    if not body or len(body) > 2:
        return False
    for statement in body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)):
            return False
        for node in ast.walk(statement):
            if isinstance(node, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                return False
            if isinstance(node, ast.Call) and last_name(node.func) not in _CONVERSIONS:
                return False
    return True


def _rebinds_a_conversion(body: list[ast.stmt]) -> bool:
    """The body only rebinds plain names to converted values (``default = eval(default)``):
    when it fails the names keep their values, and nothing is left out of a collection."""
    return is_brief_conversion(body) and all(
        isinstance(statement, ast.Assign) and all(isinstance(target, ast.Name) for target in statement.targets)
        for statement in body
    )
