"""What DET501 and DET502 share: the check of an iteration whose order reaches bytes, and its fix.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..order_facts import consumer_is_order_sensitive, describe
from ..order_facts.draws import rng_draw
from .._sources import unstable_iteration
from ..base import Report, Rule
from ..iteration_facts.kinds import _iteration_sites, _kind
from ..iteration_facts.sinks import _sink_text, reaches_bytes

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class _OrderRule(Rule):
    kind: str = ""
    noun: str = ""

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        iterable = _iteration_sites(node)
        if iterable is None or _kind(iterable, ctx) != self.kind:
            return
        scoped = ctx.in_artifact_scope(node)
        origin = ""
        if self.kind == "dict":
            # A dict iterates in insertion order: only an unstable source of its keys (a set, a
            # listing, completion order) makes that order differ between runs.
            source = unstable_iteration(iterable, ctx)
            if source is None:
                return
            origin = f" (keys from {source.describe()})"
        escape = consumer_is_order_sensitive(iterable, ctx)
        if escape is None:
            return
        if rng_draw(escape, ctx):
            # The values themselves differ between runs: no artifact needs to be in sight.
            yield Report(
                iterable,
                f"{self.noun} order{origin} decides which element gets which draw, {describe(escape)}: the"
                " values differ between runs even with a fixed seed; iterate `sorted(...)` instead",
            )
            return
        if not scoped:
            return
        sink = reaches_bytes(escape, ctx)
        if sink is None:
            return
        yield Report(
            iterable, f"{self.noun} order{origin} reaches {_sink_text(sink, escape)}: iterate `sorted(...)` instead"
        )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        """Sort in a total order, so that the fix never makes the code raise: ``d.items()``
        becomes ``sorted_items(d)``, anything else ``sorted_total(x)`` (``sorted(x)`` when the
        members compare, a type-tagged order when they do not)."""
        from .fixes import _total_order_fix

        return _total_order_fix(node, ctx)
