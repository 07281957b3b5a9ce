"""DET4xx: exception handling that lets an artifact end up silently incomplete.

One module per rule (``det401_bare_except`` ... ``det405_silent_narrow_except``); the facts
they read about handlers are in :mod:`determinism_lint.checks.handler_facts`, and the
rewrites of their fixes in :mod:`determinism_lint.fix_handlers`. The handler facts are
re-exported here under their former names.
"""

from __future__ import annotations

from ..base import Rule
from ..handler_facts import (
    BROAD_EXCEPTIONS,
    CLEANUP_METHODS,
    EXIT_CALLS,
    NEVER_RETURNING_CALLS,
    QUIET_LEVELS,
    RELEASE_METHODS,
    TRY_TYPES,
    ArtifactWork,
    always_raises,
    artifact_work,
    can_be_raised_by,
    caught_names,
    does_artifact_work,
    ends_in_bare_raise,
    fails_closed,
    handler_always_raises,
    handler_comment,
    in_cleanup_context,
    is_broad,
    is_cleanup_only,
    is_compat_binding,
    is_fire_and_forget_request,
    is_import_fallback,
    is_no_swallow,
    is_probe_import,
    is_silent,
    is_store_only,
    log_call_fixable,
    never_returns,
    only_passes,
    quiet_reason,
    reports_traceback_and_stops,
    retries_the_work,
    states_intent_to_continue,
    states_visible_degradation,
)
from .det401_bare_except import BareExcept
from .det402_silent_except import SilentExcept
from .det403_broad_except_in_artifact_code import BroadExceptInArtifactCode
from .det404_defeated_fail_closed import DefeatedFailClosed
from .det405_silent_narrow_except import SilentNarrowExcept

RULES: tuple[type[Rule], ...] = (BareExcept, SilentExcept, BroadExceptInArtifactCode, DefeatedFailClosed, SilentNarrowExcept)

__all__ = [
    "BROAD_EXCEPTIONS",
    "CLEANUP_METHODS",
    "EXIT_CALLS",
    "NEVER_RETURNING_CALLS",
    "QUIET_LEVELS",
    "RELEASE_METHODS",
    "RULES",
    "TRY_TYPES",
    "ArtifactWork",
    "BareExcept",
    "BroadExceptInArtifactCode",
    "DefeatedFailClosed",
    "SilentExcept",
    "SilentNarrowExcept",
    "always_raises",
    "artifact_work",
    "can_be_raised_by",
    "caught_names",
    "does_artifact_work",
    "ends_in_bare_raise",
    "fails_closed",
    "handler_always_raises",
    "handler_comment",
    "in_cleanup_context",
    "is_broad",
    "is_cleanup_only",
    "is_compat_binding",
    "is_fire_and_forget_request",
    "is_import_fallback",
    "is_no_swallow",
    "is_probe_import",
    "is_silent",
    "is_store_only",
    "log_call_fixable",
    "never_returns",
    "only_passes",
    "quiet_reason",
    "reports_traceback_and_stops",
    "retries_the_work",
    "states_intent_to_continue",
    "states_visible_degradation",
]
