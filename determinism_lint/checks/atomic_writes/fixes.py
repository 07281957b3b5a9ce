"""The libcst rewrites of the DET1xx rules: fix layer. They apply the plans of
:mod:`determinism_lint.checks.writes.fixplan` to the site ``check`` reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ...cst_util import (
    find_argument,
    fresh_name,
    keyword_argument,
    names_bound_except_import,
    only_small_statement,
    receiver_as_first_argument,
    wrap_statement_in_with,
)
from ...fix_edit import Edit
from ..writes.fixplan import (
    _HANDLE_NAMES,
    _TEMP_NAMES,
    _CallRewrite,
    _Slot,
    _dump_plan,
    _handle_may_leak,
    _open_rewrite,
    _path_method_rewrite,
    _writer_plan,
    _writer_target_is_local,
)
from ..writes.sites import _is_statement, write_site
from ..writes.vocabulary import WriteSite

if TYPE_CHECKING:
    from ...context import Context
    from ...fix_context import FixAnalysis, FixContext


def _fix_view(ctx: FixContext) -> FixAnalysis:
    """What ``fix`` knows about the file: the detector's own view, shared by the pass."""
    return ctx.analysis


def _fix_site(ctx: FixContext, kind: str) -> Optional[tuple[Context, ast.Call, WriteSite]]:
    """The write site of the finding being fixed, seen the way ``check`` saw it."""
    view = _fix_view(ctx)
    finding = ctx.finding
    call = view.call_at(finding)
    if call is None:
        return None
    site = write_site(call, view.ctx)
    if site is None or site.kind != kind or not site.is_hazard:
        return None
    return view.ctx, call, site


def _helper(ctx: FixContext, name: str) -> Optional[str]:
    """Import ``name`` from the helpers module, unless the file uses that name otherwise."""
    module = ctx.helpers_module
    bound = _fix_view(ctx).once(("helpers", module), lambda: names_bound_except_import(ctx.module, module))
    if name in bound:
        return None
    return ctx.use_helper(name)


def _rewritten_call(updated: Any, rewrite: _CallRewrite, helper: str) -> Optional[Any]:
    """``updated`` (a libcst ``Call``) as a call of ``helper`` per ``rewrite``."""
    if not isinstance(updated, cst.Call):
        return None
    args = list(updated.args)
    if any(arg.star for arg in args):
        return None
    renames = dict(rewrite.renames)
    position = 0
    new_args = []
    for arg in args:
        if arg.keyword is None:
            if 0 <= rewrite.keyword_from <= position:
                offset = position - rewrite.keyword_from
                if offset >= len(rewrite.keyword_names):
                    return None
                arg = keyword_argument(arg, rewrite.keyword_names[offset])
            position += 1
        elif arg.keyword.value in renames:
            arg = arg.with_changes(keyword=cst.Name(renames[arg.keyword.value]))
        new_args.append(arg)
    if rewrite.receiver_first:
        with_receiver = receiver_as_first_argument(updated.with_changes(args=new_args))
        if with_receiver is None:
            return None
        new_args = with_receiver
    return updated.with_changes(func=cst.Name(helper), args=new_args)


def open_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """DET101: ``open(...)`` in a ``with`` item becomes ``atomic_open(...)``."""
    found = _fix_site(ctx, "open")
    if found is None:
        return None
    actx, call, _ = found
    rewrite = _open_rewrite(call, actx)
    if rewrite is None or _handle_may_leak(call, actx):
        return None
    helper = _helper(ctx, "atomic_open")
    if helper is None:
        return None

    def apply(updated: Any) -> Any:
        return _rewritten_call(updated, rewrite, helper) or updated

    return Edit(node, apply)


def _statement_of(node: Any, ctx: FixContext) -> Optional[Any]:
    """The line (or one-line suite) whose only statement is the call ``node``."""
    expr = ctx.parent(node)
    statement = ctx.parent(expr) if expr is not None else None
    if not isinstance(expr, cst.Expr) or statement is None or only_small_statement(statement) is not expr:
        return None
    return statement


def _with_fix(
    node: Any, ctx: FixContext, slot: _Slot, names: tuple[str, ...], make_item: Any, *, distinct: bool = False
) -> Optional[Edit]:
    """Wrap the statement of call ``node`` in ``with <item> as <fresh name>:``; the argument
    at ``slot`` becomes the fresh name and ``make_item(argument value)`` the ``with`` item.

    The name is bound nowhere in the module; with ``distinct`` it also differs from the
    names given to other fixes in the same function (DET104 knows a temp path of
    ``atomic_path`` only by a name bound once).
    """
    statement = _statement_of(node, ctx)
    if statement is None:
        return None
    view = _fix_view(ctx)
    taken: set[str] = view.once(("bound", ""), ctx.bound_names)
    if distinct:
        call = view.call_at(ctx.finding)
        if call is None:
            return None
        name = view.fresh_name(call, names, taken)
    else:
        name = fresh_name(names, taken)

    def apply(updated: Any) -> Any:
        small = only_small_statement(updated)
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return updated
        call = small.value
        arg = find_argument(call.args, index=slot.index, name=slot.name)
        if arg is None:
            return updated
        item = make_item(arg.value)
        if item is None:
            return updated
        new_args = [a.with_changes(value=cst.Name(name)) if a is arg else a for a in call.args]
        new_small = small.with_changes(value=call.with_changes(args=new_args))
        return wrap_statement_in_with(updated, item, name, new_small)

    return Edit(statement, apply)


def dump_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """DET102: the statement of ``json.dump(obj, open(path, 'w'))`` is wrapped in
    ``with atomic_open(path, 'w') as f:`` and the dump writes into ``f``."""
    found = _fix_site(ctx, "dump")
    if found is None:
        return None
    actx, call, site = found
    plan = _dump_plan(call, site, actx)
    if plan is None:
        return None
    slot, rewrite = plan
    helper = _helper(ctx, "atomic_open")
    if helper is None:
        return None
    return _with_fix(node, ctx, slot, _HANDLE_NAMES, lambda value: _rewritten_call(value, rewrite, helper))


def path_method_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """DET103: ``p.write_text(...)``/``p.write_bytes(...)`` becomes a call of the runtime's
    ``write_atomic_text``/``write_atomic_bytes``."""
    found = _fix_site(ctx, "path-method")
    if found is None or not _is_statement(found[1], found[0]):
        return None
    actx, call, site = found
    rewrite = _path_method_rewrite(call, site, actx)
    if rewrite is None:
        return None
    helper = _helper(ctx, "write_atomic_text" if site.api.endswith("write_text") else "write_atomic_bytes")
    if helper is None:
        return None

    def apply(updated: Any) -> Any:
        return _rewritten_call(updated, rewrite, helper) or updated

    return Edit(node, apply)


def path_writer_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """DET104: the statement of a path writer (``np.save(path, arr)``) is wrapped in
    ``with atomic_path(path) as tmp:`` and the writer writes to ``tmp``."""
    found = _fix_site(ctx, "path-writer")
    if found is None:
        return None
    actx, call, site = found
    slot = _writer_plan(call, site, actx)
    if slot is None or not _writer_target_is_local(call, site, actx):
        return None
    helper = _helper(ctx, "atomic_path")
    if helper is None:
        return None
    return _with_fix(
        node,
        ctx,
        slot,
        _TEMP_NAMES,
        lambda value: cst.Call(func=cst.Name(helper), args=[cst.Arg(value=value)]),
        distinct=True,
    )
