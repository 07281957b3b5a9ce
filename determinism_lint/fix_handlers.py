"""The rewrites of the DET4xx fixes: catch ``Exception`` instead of everything (DET401), log
what a silent handler swallowed (DET402, DET405), route a broad handler's error through the
error policy (DET403). Part of the fix layer: it imports libcst; the rules reach these
functions only from their ``fix`` methods."""

from __future__ import annotations

import json
from typing import Any, Optional

import libcst as cst

from .cst_util import is_only_pass, prepend_statements
from .fix_context import Edit, FixContext
from .fix_logging import ModuleBindings, choose_logger


def catch_exception(node: Any, ctx: FixContext) -> Optional[Edit]:
    """The unsafe fix of a bare ``except:``: ``except Exception:``, so a Ctrl-C and
    ``sys.exit()`` stop the work again."""

    def apply(updated: Any) -> Any:
        if updated.type is not None:
            return updated
        return updated.with_changes(
            type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" ")
        )

    return Edit(node, apply)


def add_log_call(node: Any, ctx: FixContext) -> Optional[Edit]:
    """The safe fix for a silent handler: log what was swallowed, with the traceback, at
    ``fix-log-level`` through the module's own logger."""
    if not isinstance(node, cst.ExceptHandler):
        return None
    level = ctx.settings.fix_log_level
    caught = "exception" if node.type is None else ctx.module.code_for_node(node.type)
    caught = " ".join(caught.split())
    where = ctx.enclosing_function_name(node) or "module"
    message = f"{where}: ignored {caught}"
    taken = ctx.analysis.once(("bound", ""), ctx.bound_names)
    bindings = ctx.analysis.once(("logging-bindings", ""), lambda: ModuleBindings.of(ctx.module))
    choice = choose_logger(ctx.module, list(ctx.ancestors(node)), taken, bindings)
    if choice.needs_import:
        ctx.add_import("logging", None, choice.alias)
    log_call = cst.parse_statement(f"{choice.expression}.{level}({json.dumps(message)}, exc_info=True)\n")

    def apply(updated: Any) -> Any:
        return updated.with_changes(body=prepend_statements(updated.body, [log_call]))

    return Edit(node, apply)


def route_to_policy(node: Any, ctx: FixContext) -> Optional[Edit]:
    """The unsafe fix of a broad handler that does not fail closed: hand the caught error to
    ``handle_error_with_policy``, naming it (``as error``) when the handler does not."""
    if not isinstance(node, cst.ExceptHandler) or node.type is None:
        return None
    helper = ctx.helper_name("handle_error_with_policy")
    if helper is None:
        return None
    if node.name is not None and isinstance(node.name.name, cst.Name):
        error_name = node.name.name.value
        new_name = None
    else:
        taken = ctx.bound_names()
        error_name = next(n for n in ("error", "exc", "err", "caught_error") if n not in taken)
        new_name = cst.AsName(name=cst.Name(error_name))
    where = ctx.enclosing_function_name(node) or "module"
    call = cst.parse_statement(f"{helper}({error_name}, context={json.dumps(where)})\n")

    def apply(updated: Any) -> Any:
        changes: dict[str, Any] = {"body": _before_final_jumps(updated.body, call)}
        if new_name is not None and updated.name is None:
            changes["name"] = new_name
        return updated.with_changes(**changes)

    return Edit(node, apply)


def _before_final_jumps(body: Any, statement: Any) -> Any:
    """``statement`` inserted after what the handler does and before the ``return``,
    ``continue``, ``break`` or ``pass`` it ends with: its own logging and cleanup run as
    before, and in strict mode nothing it wrote becomes unreachable."""
    if isinstance(body, cst.SimpleStatementSuite) or is_only_pass(body):
        return prepend_statements(body, [statement], drop_pass=True)
    lines = list(body.body)
    index = len(lines)
    while index > 0 and _is_jump(lines[index - 1]):
        index -= 1
    if index == 0:
        return prepend_statements(body, [statement], drop_pass=True)
    return body.with_changes(body=[*lines[:index], statement, *lines[index:]])


def _is_jump(line: Any) -> bool:
    return isinstance(line, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Return, cst.Continue, cst.Break, cst.Pass)) for small in line.body
    )
