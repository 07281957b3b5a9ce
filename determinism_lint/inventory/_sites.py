"""File writes (atomic or not) and directory listings (whether their order escapes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:
    import ast

    from ..checks.atomic_writes import WriteSite
    from ..checks.listing_facts.listings import Listing
    from ..context import Context

from ._records import ListingEntry, WriteEntry, _FindingIndex, _clip, _codes, _short, _site
from ._vocabulary import (
    ATOMIC, EXEMPT, INSENSITIVE, NON_ATOMIC, SORTED, SORTED_LATER, TEMP_RENAMED, UNSORTED, _TARGET_LIMIT,
    _TEXT_LIMIT,
)


# -- writes --------------------------------------------------------------------------------------


def _write_entry(write: WriteSite, ctx: Context, found: _FindingIndex) -> WriteEntry:
    from ..checks.atomic_writes import REASON_RENAMED_TEMP

    reported, hidden = found.at(write.call, ctx)
    if write.atomic:
        status = ATOMIC
    elif write.exempt_reason == REASON_RENAMED_TEMP:
        status = TEMP_RENAMED
        more, more_hidden = _unsynced_renames(write.call, ctx, found)
        reported, hidden = reported + more, hidden + more_hidden
    elif write.exempt_reason is not None:
        status = EXEMPT
    else:
        status = NON_ATOMIC
    return WriteEntry(
        site=_site(write.call, ctx),
        api=write.api.replace("pathlib.", ""),
        write_kind=write.kind,
        mode=write.mode,
        target=_short(write.target, _TARGET_LIMIT) if write.target is not None else None,
        status=status,
        exempt=None if status in (ATOMIC, NON_ATOMIC) else write.exempt_reason,
        artifact_scope=ctx.in_artifact_scope(write.call),
        findings=_codes(reported),
        suppressed=_codes(hidden),
    )


def _unsynced_renames(call: ast.Call, ctx: Context, found: _FindingIndex) -> tuple[list[str], list[str]]:
    """DET105 on a rename after ``call`` in the same function: the temp file it publishes is not synced."""
    import ast

    from ..checks._util import walk_local
    from ..checks.atomic_writes import rename_call

    reported: list[str] = []
    hidden: list[str] = []
    where = (call.lineno, call.col_offset)
    for node in walk_local(ctx.enclosing_scope(call)):
        if isinstance(node, ast.Call) and (node.lineno, node.col_offset) > where and rename_call(node, ctx) is not None:
            codes, suppressed = found.at(node, ctx, "DET105")
            reported.extend(codes)
            hidden.extend(suppressed)
    return reported, hidden


# -- listings ------------------------------------------------------------------------------------


def _listing_entry(listing: Listing, ctx: Context, found: _FindingIndex) -> ListingEntry:
    reported, hidden = found.at(listing.call, ctx)
    order, consumed = _listing_order(listing, ctx)
    return ListingEntry(
        site=_site(listing.call, ctx),
        api=listing.label,
        listing_kind=listing.kind,
        order=order,
        consumed=_clip(consumed, _TEXT_LIMIT),
        findings=_codes(reported),
        suppressed=_codes(hidden),
    )


def _listing_order(listing: Listing, ctx: Context) -> tuple[str, str]:
    """Whether the listing's order can reach anything, asked of the DET3xx rules themselves: the
    use their report names as reached (its ``reaches`` data), never parsed from the message."""
    from ..checks.fs_order import UnsortedListing, UnsortedWalk, matches_at_most_one

    for rule in (UnsortedListing(), UnsortedWalk()):
        for report in rule.check(listing.call, ctx):
            reaches = dict(report.data).get("reaches")
            if isinstance(reaches, str):
                return UNSORTED, f"order reaches {reaches}"
            return UNSORTED, (report.message or rule.message).split(": ", 1)[0]
    if matches_at_most_one(listing, ctx):
        return INSENSITIVE, "pattern matches at most one entry"
    return _consumer(listing, ctx)


def _consumer(listing: Listing, ctx: Context) -> tuple[str, str]:
    """How an order-insensitive listing is used: sorted at once, sorted later, or order-free."""
    import ast

    from ..checks.order_facts import INSENSITIVE_CALLS, ORDER_PRESERVING_CALLS
    from ..checks.order_facts.spelling import _spelling

    node: ast.AST = listing.call
    for _ in range(64):
        parent = ctx.parent(node)
        if parent is None:
            break
        if isinstance(parent, ast.Call):
            if node is parent.func:
                break
            name = ctx.call_name(parent)
            if name == "builtins.sorted":
                return SORTED, "sorted(...)"
            if name in INSENSITIVE_CALLS:
                return INSENSITIVE, f"{_spelling(parent)}"
            if name in ORDER_PRESERVING_CALLS:
                node = parent
                continue
            return INSENSITIVE, f"passed to {_spelling(parent)}"
        if isinstance(parent, ast.comprehension):
            node = ctx.parent(parent) or parent
            if isinstance(node, ast.SetComp):
                return INSENSITIVE, "set comprehension"
            continue
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            return _loop_consumer(parent, listing, ctx)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                line = _sorted_later(targets[0].id, parent, ctx)
                if line is not None:
                    return SORTED_LATER, f"`{targets[0].id}` sorted on line {line}"
                return INSENSITIVE, f"assigned to `{targets[0].id}`; its uses ignore the order"
            return INSENSITIVE, f"assigned ({_spelling(parent)})"
        if isinstance(parent, ast.Compare):
            return INSENSITIVE, "membership or comparison test"
        if isinstance(parent, (ast.If, ast.While, ast.BoolOp, ast.UnaryOp)):
            return INSENSITIVE, "truth test"
        if isinstance(parent, ast.stmt):
            return INSENSITIVE, _spelling(parent)
        node = parent
    return INSENSITIVE, "order not used"


def _loop_consumer(loop: Union[ast.For, ast.AsyncFor], listing: Listing, ctx: Context) -> tuple[str, str]:
    import ast

    from ..checks.order_facts import ACCUMULATE_METHODS, sorts_in_place
    from ..checks._util import walk_local

    if listing.kind == "walk":
        target = loop.target
        dirs = target.elts[1] if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) >= 3 else None
        if isinstance(dirs, ast.Name) and any(
            isinstance(node, ast.stmt) and sorts_in_place(node, dirs.id) for node in walk_local(loop)
        ):
            return SORTED, f"`{dirs.id}` sorted in place in the loop"
    accumulators = sorted(
        {
            node.func.value.id
            for node in walk_local(loop)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ACCUMULATE_METHODS
            and isinstance(node.func.value, ast.Name)
        }
    )
    for name in accumulators:
        line = _sorted_later(name, loop, ctx)
        if line is not None:
            return SORTED_LATER, f"collected in `{name}`, sorted on line {line}"
    return INSENSITIVE, "the loop body ignores the order"


def _sorted_later(name: str, after: ast.AST, ctx: Context) -> Optional[int]:
    """First line after ``after`` that sorts ``name`` in place or passes it to ``sorted``."""
    import ast

    from ..checks.order_facts import sorts_in_place
    from ..checks._util import walk_local

    start = getattr(after, "end_lineno", 0) or getattr(after, "lineno", 0)
    lines = []
    for node in walk_local(ctx.enclosing_scope(after)):
        line = getattr(node, "lineno", 0)
        if line <= start:
            continue
        if isinstance(node, ast.stmt) and sorts_in_place(node, name):
            lines.append(line)
        elif (
            isinstance(node, ast.Call)
            and ctx.call_name(node) == "builtins.sorted"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
        ):
            lines.append(line)
    return min(lines) if lines else None
