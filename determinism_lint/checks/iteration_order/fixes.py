"""The libcst rewrite of the DET501 and DET502 rules: fix layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ...cst_util import as_argument_value
from ...fix_edit import Edit

if TYPE_CHECKING:
    from ...fix_context import FixContext


def _total_order_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """Sort in a total order, so that the fix never makes the code raise: ``d.items()``
    becomes ``sorted_items(d)``, anything else ``sorted_total(x)`` (``sorted(x)`` when the
    members compare, a type-tagged order when they do not)."""
    if not isinstance(node, cst.BaseExpression):
        return None
    items_of = None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "items"
        and not node.args
    ):
        items_of = node.func.value
    helper = ctx.helper_name("sorted_items" if items_of is not None else "sorted_total")
    if helper is None:
        return None
    # ``list(s)`` -> ``sorted_total(s)``: both build a new list, so no ``list(sorted_total(s))``.
    arg = ctx.parent(node)
    call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
    if (
        items_of is None
        and isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and call.func.value == "list"
        and len(call.args) == 1
        and call.args[0] is arg
        and arg.keyword is None
        and not arg.star
    ):
        return Edit(call, lambda updated: updated.with_changes(func=cst.Name(helper)))

    def apply(updated: Any) -> Any:
        if items_of is not None and isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute):
            return cst.Call(func=cst.Name(helper), args=[cst.Arg(as_argument_value(updated.func.value))])
        inner = updated.with_changes(lpar=[], rpar=[]) if getattr(updated, "lpar", None) else updated
        return cst.Call(func=cst.Name(helper), args=[cst.Arg(inner)])

    return Edit(node, apply)
