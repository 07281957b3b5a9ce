"""Facts about ``except`` handlers, shared by the DET4xx rules and the handler inventory.

Read with ``ast`` only (no libcst): what a handler catches and does (``shape``), which calls
and handlers never return (``raising``), the artifact work a ``try`` body does and what it
can raise and whether what a handler swallows reaches a persistent sink (``work``), and the
handlers that are no silent swallow (``quiet``).
"""

from __future__ import annotations

from .quiet import (
    CLEANUP_METHODS,
    RELEASE_METHODS,
    in_cleanup_context,
    is_cleanup_only,
    is_fire_and_forget_request,
    is_no_swallow,
    is_brief_conversion,
    is_probe_import,
    is_store_only,
    quiet_reason,
    runs_at_teardown,
)
from .raising import (
    EXIT_CALLS,
    NEVER_RETURNING_CALLS,
    always_raises,
    fails_closed,
    handler_always_raises,
    never_returns,
    reports_traceback_and_stops,
)
from .shape import (
    BROAD_EXCEPTIONS,
    QUIET_LEVELS,
    TRY_TYPES,
    caught_names,
    ends_in_bare_raise,
    enclosing_try_body,
    handler_comment,
    in_loop,
    is_broad,
    is_compat_binding,
    is_import_fallback,
    is_silent,
    log_call_fixable,
    only_passes,
    states_intent_to_continue,
    states_visible_degradation,
)
from .work import (
    ArtifactWork,
    SwallowEvidence,
    all_artifact_work,
    artifact_work,
    can_be_raised_by,
    does_artifact_work,
    hands_error_on,
    retries_the_work,
    swallow_evidence,
)

__all__ = [
    "is_brief_conversion",
    "BROAD_EXCEPTIONS",
    "CLEANUP_METHODS",
    "EXIT_CALLS",
    "NEVER_RETURNING_CALLS",
    "QUIET_LEVELS",
    "RELEASE_METHODS",
    "TRY_TYPES",
    "ArtifactWork",
    "SwallowEvidence",
    "all_artifact_work",
    "always_raises",
    "artifact_work",
    "can_be_raised_by",
    "caught_names",
    "does_artifact_work",
    "enclosing_try_body",
    "ends_in_bare_raise",
    "fails_closed",
    "handler_always_raises",
    "handler_comment",
    "hands_error_on",
    "in_cleanup_context",
    "in_loop",
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
    "runs_at_teardown",
    "retries_the_work",
    "states_intent_to_continue",
    "states_visible_degradation",
    "swallow_evidence",
]
