"""The words an inventory uses: behaviours, scopes, policies, write statuses, orders."""

from __future__ import annotations

import re

INVENTORY_VERSION = 1
COMPARISON_VERSION = 1

# -- vocabulary ----------------------------------------------------------------------------

RE_RAISES = "re-raises"
APPLIES_POLICY = "applies-policy"
EXITS = "exits"
LOGS = "logs-and-continues"
RECORDS = "records-error"
SILENT = "silent"
FALLBACK = "returns-fallback"
RECOVERS = "recovers"
BEHAVIOURS = (RE_RAISES, APPLIES_POLICY, EXITS, LOGS, RECORDS, FALLBACK, RECOVERS, SILENT)
FAIL_CLOSED_BEHAVIOURS = frozenset({RE_RAISES, APPLIES_POLICY, EXITS})

ARTIFACT = "artifact-shaping"
DIAGNOSTIC = "diagnostic"
BEST_EFFORT = "best-effort"
SCOPES = (ARTIFACT, DIAGNOSTIC, BEST_EFFORT)

POLICY_KEEP = "keep"
POLICY_KEEP_IMPORT = "keep: optional-import fallback"
POLICY_KEEP_EXPECTED = "keep: narrow, expected error"
POLICY_KEEP_RECORDED = "keep: the error is recorded"
POLICY_LOG = "log with traceback"
POLICY_FAIL_CLOSED = "fail closed: re-raise or handle_error_with_policy"
POLICY_OUTER = "fail closed in the outer handler too (DET404)"
POLICIES = (
    POLICY_FAIL_CLOSED,
    POLICY_OUTER,
    POLICY_LOG,
    POLICY_KEEP,
    POLICY_KEEP_RECORDED,
    POLICY_KEEP_EXPECTED,
    POLICY_KEEP_IMPORT,
)

ATOMIC = "atomic"
TEMP_RENAMED = "temp-renamed"
EXEMPT = "exempt"
NON_ATOMIC = "non-atomic"
WRITE_STATUSES = (NON_ATOMIC, TEMP_RENAMED, ATOMIC, EXEMPT)

SORTED = "sorted"
SORTED_LATER = "sorted later"
INSENSITIVE = "order-insensitive"
UNSORTED = "unsorted"
ORDERS = (UNSORTED, SORTED, SORTED_LATER, INSENSITIVE)

_TARGET_LIMIT = 60
_TEXT_LIMIT = 80
#: Two spellings of one site (``open`` -> ``atomic_open``) are at least this similar.
_SIMILARITY = 0.5
_SPACE_RE = re.compile(r"\s+")
_LOG_LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}
