"""Exception handlers and ``contextlib.suppress`` blocks: behaviour, scope and policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import ast

    from ..context import Context

from ._records import HandlerEntry, Site, _FindingIndex, _codes, _site
from ._vocabulary import (
    APPLIES_POLICY, ARTIFACT, BEST_EFFORT, DIAGNOSTIC, EXITS, FAIL_CLOSED_BEHAVIOURS, FALLBACK, LOGS,
    POLICY_FAIL_CLOSED, POLICY_KEEP, POLICY_KEEP_EXPECTED, POLICY_KEEP_IMPORT, POLICY_KEEP_RECORDED,
    POLICY_LOG, POLICY_OUTER, RECORDS, RECOVERS, RE_RAISES, SILENT, _LOG_LEVELS,
)


# -- handlers ----------------------------------------------------------------------------------


def _handler_entry(handler: ast.ExceptHandler, ctx: Context, found: _FindingIndex) -> HandlerEntry:
    import ast

    from ..checks.handler_facts import TRY_TYPES, caught_names, does_artifact_work, is_broad, is_import_fallback

    names = caught_names(handler, ctx)
    parent = ctx.parent(handler)
    star = hasattr(ast, "TryStar") and isinstance(parent, ast.TryStar)
    behaviour, fail_node, level, traceback = _behaviour(handler, ctx)
    guards = isinstance(parent, TRY_TYPES) and does_artifact_work(parent.body, ctx) is not None
    reported, hidden = found.at(handler, ctx)
    if fail_node is not None:
        # DET404 sits on the inner ``raise`` or policy call, not on the ``except`` line.
        inner, inner_hidden = found.at(fail_node, ctx, "DET404")
        reported, hidden = reported + inner, hidden + inner_hidden
    return _classified_handler(
        _site(handler, ctx),
        clause="except*" if star else "except",
        caught=tuple(_display_name(name) for name in names or ()),
        bare=names is None,
        broad=is_broad(handler, ctx),
        behaviour=behaviour,
        level=level,
        traceback=traceback,
        node=handler,
        body=handler.body,
        guards=guards,
        import_fallback=is_import_fallback(handler, ctx),
        reported=reported,
        hidden=hidden,
        ctx=ctx,
    )


def _suppress_entry(call: ast.Call, ctx: Context, found: _FindingIndex) -> Optional[HandlerEntry]:
    """``with contextlib.suppress(...):``: a handler that swallows what it names."""
    import ast

    from ..checks._util import last_name
    from ..checks.handler_facts import BROAD_EXCEPTIONS, does_artifact_work

    if last_name(call.func) != "suppress" or ctx.call_name(call) != "contextlib.suppress":
        return None
    item = ctx.parent(call)
    statement = ctx.parent(item) if isinstance(item, ast.withitem) else None
    if not isinstance(statement, (ast.With, ast.AsyncWith)):
        return None
    names = [ctx.qualified_name(arg) or ast.unparse(arg) for arg in call.args]
    reported, hidden = found.at(call, ctx)
    return _classified_handler(
        _site(call, ctx),
        clause="suppress",
        caught=tuple(_display_name(name) for name in names),
        bare=False,
        broad=any(name in BROAD_EXCEPTIONS for name in names),
        behaviour=SILENT,
        level=None,
        traceback=False,
        node=call,
        body=[],
        guards=does_artifact_work(statement.body, ctx) is not None,
        import_fallback=all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in statement.body),
        reported=reported,
        hidden=hidden,
        ctx=ctx,
    )


def _classified_handler(
    site: Site,
    *,
    clause: str,
    caught: tuple[str, ...],
    bare: bool,
    broad: bool,
    behaviour: str,
    level: Optional[str],
    traceback: bool,
    node: ast.AST,
    body: list[ast.stmt],
    guards: bool,
    import_fallback: bool,
    reported: list[str],
    hidden: list[str],
    ctx: Context,
) -> HandlerEntry:
    if ctx.in_artifact_scope(node):
        scope = ARTIFACT
        reason = "strict mode" if ctx.settings.strict else ctx.scopes.reason(ctx.enclosing_scope(node))
    elif behaviour == LOGS and _only_reports(body, ctx):
        scope, reason = DIAGNOSTIC, None
    else:
        scope, reason = BEST_EFFORT, None
    codes = _codes(reported, hidden)
    if "DET404" in codes:
        policy = POLICY_OUTER
    elif behaviour in FAIL_CLOSED_BEHAVIOURS:
        policy = POLICY_KEEP
    elif import_fallback:
        policy = POLICY_KEEP_IMPORT
    elif scope == ARTIFACT and (guards or ctx.settings.strict):
        policy = POLICY_FAIL_CLOSED
    elif behaviour == LOGS and traceback:
        policy = POLICY_KEEP
    elif behaviour == RECORDS:
        policy = POLICY_KEEP_RECORDED
    elif not broad and behaviour != LOGS:
        policy = POLICY_KEEP_EXPECTED
    else:
        policy = POLICY_LOG
    return HandlerEntry(
        site=site,
        clause=clause,
        caught=caught,
        bare=bare,
        broad=broad,
        behaviour=behaviour,
        log_level=level,
        traceback=traceback,
        scope=scope,
        scope_reason=reason,
        guards_artifact_work=guards,
        findings=_codes(reported),
        suppressed=_codes(hidden),
        policy=policy,
    )


def _display_name(name: str) -> str:
    return name[len("builtins."):] if name.startswith("builtins.") else name


def _behaviour(handler: ast.ExceptHandler, ctx: Context) -> tuple[str, Optional[ast.AST], Optional[str], bool]:
    """``(behaviour, the node that fails closed, log level, traceback kept)`` of a handler."""
    import ast

    from ..checks._util import is_reporting_call, last_name, walk_statements_local
    from ..checks.handler_facts import fails_closed, is_silent

    body, name = handler.body, handler.name
    stop = fails_closed(body, ctx)
    if stop is not None:
        if isinstance(stop, ast.Raise):
            return RE_RAISES, stop, None, False
        handlers = {entry.rsplit(".", 1)[-1] for entry in ctx.settings.all_error_handlers}
        assert isinstance(stop, ast.Call)
        return (APPLIES_POLICY if last_name(stop.func) in handlers else EXITS), stop, None, False
    nodes = list(walk_statements_local(body))
    reports = sorted(
        (node for node in nodes if isinstance(node, ast.Call) and is_reporting_call(node, ctx)),
        key=lambda call: (call.lineno, call.col_offset),
    )
    if reports:
        level, traceback = _log_level(reports[0], ctx)
        traceback = traceback or any(_log_level(call, ctx)[1] for call in reports[1:])
        return LOGS, None, level, traceback
    if name and any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) for node in nodes):
        return RECORDS, None, None, False
    if is_silent(handler, ctx):
        return SILENT, None, None, False
    if any(isinstance(node, (ast.Return, ast.Assign, ast.AnnAssign, ast.AugAssign)) for node in body):
        return FALLBACK, None, None, False
    return RECOVERS, None, None, False


def _log_level(call: ast.Call, ctx: Context) -> tuple[str, bool]:
    """The level a reporting call logs at, and whether it keeps the traceback."""
    import ast

    from ..checks._util import LOG_METHODS, keyword, last_name

    exc_info = keyword(call, "exc_info")
    traceback = exc_info is not None and not (isinstance(exc_info, ast.Constant) and not exc_info.value)
    name = ctx.call_name(call)
    if name in ("traceback.print_exc", "traceback.print_exception"):
        return "traceback", True
    if name in ("warnings.warn", "warnings.warn_explicit"):
        return "warnings.warn", False
    if name == "builtins.print":
        return "print", False
    if name in ("click.echo", "click.secho", "typer.echo"):
        return "echo", False
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
        method = func.attr
        if method == "exception":
            return "error", True
        if method == "log":
            return _level_argument(call.args[0] if call.args else None), traceback
        return {"warn": "warning", "fatal": "critical"}.get(method, method), traceback
    if isinstance(func, ast.Attribute) and func.attr == "write":
        return "stderr", False
    return f"{last_name(func) or 'report'}()", traceback


def _level_argument(expr: Optional[ast.AST]) -> str:
    import ast

    if isinstance(expr, ast.Attribute) and expr.attr.isupper():
        return {"WARN": "warning", "FATAL": "critical"}.get(expr.attr, expr.attr.lower())
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return _LOG_LEVELS.get(expr.value, f"level {expr.value}")
    return "log"


def _only_reports(body: list[ast.stmt], ctx: Context) -> bool:
    """The handler body only reports the error (and maybe leaves the loop or function)."""
    import ast

    from ..checks._util import is_reporting_call

    for statement in body:
        if isinstance(statement, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(statement, ast.Expr):
            if isinstance(statement.value, ast.Constant):
                continue
            if isinstance(statement.value, ast.Call) and is_reporting_call(statement.value, ctx):
                continue
        if isinstance(statement, ast.Return) and (statement.value is None or isinstance(statement.value, ast.Constant)):
            continue
        return False
    return True
