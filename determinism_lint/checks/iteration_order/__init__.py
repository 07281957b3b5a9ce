"""DET5xx: iteration order of dicts, sets and unordered results reaching hashes or artifacts.

Where the order goes is decided by the shared analysis in ``_order`` (the first place the
order escapes: an append, a write, a hash update...); these rules then report only the
escapes that end in bytes: a hash, a file, or a serializer, directly or through a list or
string built in the loop.

One module per rule; the facts they share are in :mod:`determinism_lint.checks.iteration_facts`,
and the libcst rewrite in :mod:`.fixes` (fix layer). This module re-exports the names other
modules use.
"""

from __future__ import annotations

from ..base import Rule
from ..iteration_facts.kinds import _kind
from .det501_dict_order_reaches_artifact import DictOrderReachesArtifact
from .det502_set_order_reaches_artifact import SetOrderReachesArtifact
from .det503_unordered_results_reach_artifact import UnorderedResultsReachArtifact

RULES: tuple[type[Rule], ...] = (DictOrderReachesArtifact, SetOrderReachesArtifact, UnorderedResultsReachArtifact)

__all__ = [
    "RULES",
    "DictOrderReachesArtifact",
    "SetOrderReachesArtifact",
    "UnorderedResultsReachArtifact",
    "_kind",
]
