""":func:`write_site`, the one classifier of file writes, and how messages spell a site.

The DET1xx rules, the artifact-scope analysis and the write inventory all ask
:func:`write_site`, so they agree on what a write is, what it writes to, and why it is
exempt. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .classify import _raw_write_site, _replace_reason
from .renames import _rename_facts
from .vocabulary import REASON_RENAMED_TEMP, _SCRATCH_REASONS, WriteSite

if TYPE_CHECKING:
    from ...context import Context


def write_site(call: ast.Call, ctx: Context) -> Optional[WriteSite]:
    """How ``call`` writes a file, or ``None`` when it does not write one.

    Every write is returned, exempt and safe ones included (``exempt_reason`` /
    ``atomic`` say why they are not hazards); :attr:`WriteSite.is_hazard` is what the
    DET1xx rules report. Not write sites: reads, writers handed a file object or buffer
    (``np.save(f, a)``, ``df.to_csv(buf)``: the verdict belongs to where ``f`` was opened),
    writers without a path (``df.to_csv()``), and an ``open(...)`` passed straight to
    ``json.dump`` & co. (the dump call is the site).
    """
    site = _raw_write_site(call, ctx)
    if site is None or site.atomic or (site.exempt_reason is not None and site.exempt_reason not in _SCRATCH_REASONS):
        return site
    facts = _rename_facts(ctx.enclosing_scope(call), ctx)
    if id(call) in facts.temp_writes:
        return _replace_reason(site, REASON_RENAMED_TEMP)
    return site


# -- fixability and how messages spell a site -----------------------------------------------


def _is_direct_with_item(call: ast.Call, ctx: Context) -> bool:
    parent = ctx.parent(call)
    return (
        isinstance(parent, ast.withitem)
        and parent.context_expr is call
        and isinstance(ctx.parent(parent), ast.With)
    )


def _is_statement(call: ast.Call, ctx: Context) -> bool:
    return isinstance(ctx.parent(call), ast.Expr)


def _display(api: str) -> str:
    return api.replace("pathlib.", "")


_MAX_SPELLING = 60


def _short(expr: ast.AST) -> str:
    text = " ".join(ast.unparse(expr).split())
    return text if len(text) <= _MAX_SPELLING else text[: _MAX_SPELLING - 3] + "..."


def _sink(call: ast.Call) -> str:
    """The write a message names, with its line: a backquoted ``np.save(...)`` on line 12."""
    return f"`{_short(call.func)}(...)` on line {call.lineno}"


def _written(site: WriteSite) -> str:
    """What a write overwrites, for messages: the backquoted path expression, or "the target"."""
    return "the target" if site.target is None else f"`{_short(site.target)}`"
