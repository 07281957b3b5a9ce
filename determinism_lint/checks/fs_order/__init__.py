"""DET3xx: directory listings consumed in the file system's arbitrary order.

One module per rule; the facts they share are in :mod:`determinism_lint.checks.listing_facts`,
and the libcst rewrites in :mod:`.fixes` (fix layer). This module re-exports the names other
modules use.
"""

from __future__ import annotations

from ..base import Rule
from ..listing_facts.listings import MODULE_LISTINGS, Listing, find_listing, matches_at_most_one
from ..listing_facts.wrapping import wrap_form
from .det301_unsorted_listing import UnsortedListing
from .det302_unsorted_walk import UnsortedWalk

RULES: tuple[type[Rule], ...] = (UnsortedListing, UnsortedWalk)

__all__ = [
    "MODULE_LISTINGS",
    "RULES",
    "Listing",
    "UnsortedListing",
    "UnsortedWalk",
    "find_listing",
    "matches_at_most_one",
    "wrap_form",
]
