"""Order-sensitivity analysis: where does the order of an iterable end up?

A value whose order is arbitrary (a directory listing, a set, a dict view) is harmless until
its order *escapes* into something that keeps it: a list that is returned, a hash, a file, an
id handed out by a counter, the "first match" of a search. These functions follow such a value
through one scope and answer with the node where its order escapes, or ``None`` when every
consumer ignores the order (``sorted``, ``set``, ``len``, membership tests, deleting files...).

The analysis is syntactic and local: it follows assignments to plain names, accumulator lists
(``out.append(x)`` in a loop, later ``out.sort()``), comprehensions and order-preserving
wrappers (``list``, ``iter``, ``map``, ``tqdm``), and stops at calls it does not know, which
count as escapes. It never raises on odd code and caches per file, so a rule may ask freely.

The analysis is laid out by what each module knows: :mod:`.flow` follows a value (the entry
points below and the steps that call back into them), :mod:`.steps`, :mod:`.loops`,
:mod:`.uses`, :mod:`.locals` and :mod:`.calls` answer the questions it asks on the way,
:mod:`.vocabulary` holds the calls and methods it knows, :mod:`.spelling` how messages name
an escape, :mod:`.nodes` the per-file cache and small node helpers.
"""

from __future__ import annotations

from .flow import (
    consumer_is_order_sensitive,
    loop_body_is_order_sensitive,
    name_uses_are_order_sensitive,
    returned_to_unknown_callers,
)
from .spelling import describe
from .uses import sorts_in_place
from .vocabulary import (
    ACCUMULATE_METHODS,
    INSENSITIVE_CALLS,
    ORDER_PRESERVING_CALLS,
    STREAM_WRITERS,
    WRITE_METHODS,
    Loop,
)

__all__ = [
    "ACCUMULATE_METHODS",
    "INSENSITIVE_CALLS",
    "ORDER_PRESERVING_CALLS",
    "STREAM_WRITERS",
    "WRITE_METHODS",
    "Loop",
    "consumer_is_order_sensitive",
    "describe",
    "loop_body_is_order_sensitive",
    "name_uses_are_order_sensitive",
    "returned_to_unknown_callers",
    "sorts_in_place",
]
