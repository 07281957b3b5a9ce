"""The libcst rewrites of the DET3xx rules: fix layer. They apply the data of the report
``check`` made at the finding being fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ...cst_util import as_argument_value, prepend_statements
from ...fix_edit import Edit
from ..base import Rule

if TYPE_CHECKING:
    from ...fix_context import FixContext


def _fix_data(rule: Rule, ctx: FixContext) -> Optional[dict[str, object]]:
    """The data of ``rule``'s fixable report at the finding being fixed, from ``check`` itself."""
    view = ctx.analysis
    call = view.call_at(ctx.finding)
    if call is None:
        return None
    for report in rule.check(call, view.ctx):
        if report.node is call and report.fixable:
            return dict(report.data)
    return None


def _listing_fix(node: Any, ctx: FixContext, wrap: str, by_name: bool) -> Optional[Edit]:
    if not isinstance(node, cst.Call) or wrap not in (
        "sorted",
        "sorted_by_name",
        "list_to_sorted",
        "iter_sorted",
        "next_iter_sorted",
    ):
        return None
    as_iterator = wrap in ("iter_sorted", "next_iter_sorted")

    def with_key(arg: cst.Arg) -> list[cst.Arg]:
        """``arg, key=lambda entry: entry.name`` for ``DirEntry`` objects; ``arg`` alone otherwise."""
        if not by_name:
            return [arg]
        key = cst.Arg(
            keyword=cst.Name("key"),
            value=cst.parse_expression("lambda entry: entry.name"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
        )
        return [arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), key]

    if wrap == "list_to_sorted":
        parent = ctx.parent(node)
        outer = ctx.parent(parent) if isinstance(parent, cst.Arg) else None
        if isinstance(outer, cst.Call) and len(outer.args) == 1 and (
            not by_name or outer.args[0].comma is cst.MaybeSentinel.DEFAULT
        ):

            def to_sorted(updated: Any) -> Any:
                return updated.with_changes(func=cst.Name("sorted"), args=with_key(updated.args[0]))

            return Edit(outer, to_sorted)
        # ``list(\n    os.scandir(d),\n)``: sorting inside the ``list(...)`` is as good.

    def wrap_in_sorted(updated: Any) -> Any:
        listing = cst.Arg(as_argument_value(updated))
        result: cst.BaseExpression = cst.Call(func=cst.Name("sorted"), args=with_key(listing))
        if as_iterator:
            result = cst.Call(func=cst.Name("iter"), args=[cst.Arg(result)])
        return result

    return Edit(node, wrap_in_sorted)


def _walk_fix(node: Any, ctx: FixContext, names: list[str]) -> Optional[Edit]:
    """``dirs.sort()`` and ``files.sort()`` as the first statements of the walk's loop body."""
    if not names or any(not name.isidentifier() or name == "_" for name in names):
        return None
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, cst.For):
            if ancestor.iter is not child:
                return None
            loop = ancestor
            break
        if not isinstance(ancestor, (cst.Arg, cst.Call)):
            return None  # ``sorted(os.walk(d))`` is as far as the walk may be wrapped
        child = ancestor
    else:
        return None
    statements = [
        cst.SimpleStatementLine(
            body=[cst.Expr(cst.Call(func=cst.Attribute(value=cst.Name(name), attr=cst.Name("sort"))))]
        )
        for name in names
    ]
    names_of_lists = _walk_list_names(loop)

    def insert(updated: Any) -> Any:
        old = updated.body
        if isinstance(old, cst.IndentedBlock):
            # After a ``dirs.sort()`` the body already starts with, so the two sorts read in order.
            skip = 0
            while skip < len(old.body) and _sorts_a_walk_list(old.body[skip], names_of_lists):
                skip += 1
            if skip:
                return updated.with_changes(
                    body=old.with_changes(body=[*old.body[:skip], *statements, *old.body[skip:]])
                )
        body = prepend_statements(old, statements, drop_pass=False)
        if isinstance(old, cst.SimpleStatementSuite) and old.trailing_whitespace.comment is not None:
            # ``for ...: body  # comment``: the comment stays on the header line, spaced as it was.
            body = body.with_changes(header=body.header.with_changes(whitespace=old.trailing_whitespace.whitespace))
        return updated.with_changes(body=body)

    return Edit(loop, insert)


def _walk_list_names(loop: Any) -> set[str]:
    """The directory-list and file-list names a walk loop unpacks (``root, dirs, files``)."""
    target = loop.target
    if not isinstance(target, (cst.Tuple, cst.List)):
        return set()
    return {element.value.value for element in target.elements[1:3] if isinstance(element.value, cst.Name)}


def _sorts_a_walk_list(statement: Any, names: set[str]) -> bool:
    """``dirs.sort()`` on a line of its own, for one of ``names``."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call) or small.value.args:
        return False
    func = small.value.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "sort"
        and isinstance(func.value, cst.Name)
        and func.value.value in names
    )
