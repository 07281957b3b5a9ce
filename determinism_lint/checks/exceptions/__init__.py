"""DET4xx: exception handling that lets an artifact end up silently incomplete.

One module per rule (``det401_bare_except`` ... ``det405_silent_narrow_except``); the facts
they read about handlers are in :mod:`determinism_lint.checks.handler_facts`, and the
rewrites of their fixes in :mod:`determinism_lint.fix_handlers`.
"""

from __future__ import annotations

from ..base import Rule
from .det401_bare_except import BareExcept
from .det402_silent_except import SilentExcept
from .det403_broad_except_in_artifact_code import BroadExceptInArtifactCode
from .det404_defeated_fail_closed import DefeatedFailClosed
from .det405_silent_narrow_except import SilentNarrowExcept

RULES: tuple[type[Rule], ...] = (BareExcept, SilentExcept, BroadExceptInArtifactCode, DefeatedFailClosed, SilentNarrowExcept)

__all__ = [
    "RULES",
    "BareExcept",
    "BroadExceptInArtifactCode",
    "DefeatedFailClosed",
    "SilentExcept",
    "SilentNarrowExcept",
]
