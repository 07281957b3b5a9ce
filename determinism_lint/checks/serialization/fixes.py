"""The libcst rewrites of the DET2xx rules: fix layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ...fix_edit import Edit

if TYPE_CHECKING:
    from ...fix_context import FixContext


def _add_keyword_fix(node: Any, ctx: FixContext, name: str, value: str) -> Optional[Edit]:
    """``call(...)`` -> ``call(..., name=value)``, replacing an existing ``name=`` argument."""
    if not isinstance(node, cst.Call):
        return None
    if any(arg.star for arg in node.args):
        return None

    def apply(updated: Any) -> Any:
        args = list(updated.args)
        new_value = cst.parse_expression(value)
        for index, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == name:
                args[index] = arg.with_changes(value=new_value)
                return updated.with_changes(args=args)
        if args:
            last = args[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT or isinstance(last.comma, cst.MaybeSentinel):
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                args.append(cst.Arg(keyword=cst.Name(name), value=new_value,
                                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                          whitespace_after=cst.SimpleWhitespace(""))))
            else:
                # A trailing comma (one argument per line): the new argument takes the
                # last line's comma and layout, the old last argument its neighbour's.
                previous_comma = args[-2].comma if len(args) >= 2 else last.comma
                args[-1] = last.with_changes(comma=previous_comma)
                args.append(cst.Arg(keyword=cst.Name(name), value=new_value,
                                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                          whitespace_after=cst.SimpleWhitespace("")),
                                    comma=last.comma))
        return updated.with_changes(args=args)

    return Edit(node, apply)
