"""``determinism-lint inventory``: a catalog of exception handlers, file writes and listings.

A cleanup of a pipeline by hand starts from an inventory: every ``except`` clause with what
it does, where it sits and the policy it should follow; every file write and whether it is
atomic; every directory listing and whether its order can reach an artifact. This module
builds that inventory with the engine's own analysis (``write_site``, the DET4xx helpers,
``find_listing`` and the DET3xx rules, the artifact-shaping scopes) and the engine's
findings, renders it as Markdown or canonical JSON, and compares two JSON inventories so a
cleanup can be verified (``--compare OLD.json NEW.json`` exits 1 on regressions).

Handler behaviours, checked in this order:

* ``re-raises``, ``applies-policy``, ``exits``: the handler fails closed (``fails_closed``);
* ``logs-and-continues``: it reports the error (logging, ``warnings.warn``, ``print``...),
  with the level and whether the traceback is kept;
* ``records-error``: it keeps the exception value (``failures.append(error)``);
* ``silent``: what DET402/DET405 call silent (``pass``, ``continue``, ``return None``, a
  default assigned without any call);
* ``returns-fallback``: it computes a replacement value (``return repr(x)``);
* ``recovers``: it runs other code (cleanup, a retry) and continues.

``contextlib.suppress(...)`` blocks are listed with the handlers (behaviour ``silent``).

Sites are identified across runs, as in baselines, by path, kind, function, the normalized
source line and an occurrence index, so inserted lines elsewhere do not break the match;
a site whose own line was rewritten (``open`` -> ``atomic_open``) is paired with its old
self by similarity within the same function.

The package, one module per part (each imports only those above it in this list):

* ``_vocabulary``: the words of the document (behaviours, scopes, policies, statuses, orders);
* ``_records``: the records of one file and how a site is identified (``Site``, ``normalized_line``);
* ``_handlers``, ``_sites``: the handler, write and listing records, built from the engine's analysis;
* ``_document``: the JSON document of all files; ``_build``: reading and analysing the files;
* ``_markdown``: the Markdown rendering; ``_compare``: comparing two JSON inventories;
* ``_command``: the ``inventory`` subcommand's arguments and ``run``.

Importing the package stays light: the engine, the rules and libcst are imported when a file is
analysed, not before.
"""

from __future__ import annotations

from ._build import (
    build_inventory,
    inventory_file,
)
from ._command import (
    add_arguments,
    run,
)
from ._compare import (
    compare_inventories,
    load_inventory,
    match_sites,
    render_comparison_markdown,
)
from ._document import (
    assign_occurrences,
    render_json,
)
from ._markdown import (
    render_markdown,
)
from ._records import (
    FileEntry,
    FileInventory,
    HandlerEntry,
    ListingEntry,
    Site,
    WriteEntry,
    normalized_line,
)
from ._vocabulary import (
    APPLIES_POLICY,
    ARTIFACT,
    ATOMIC,
    BEHAVIOURS,
    BEST_EFFORT,
    COMPARISON_VERSION,
    DIAGNOSTIC,
    EXEMPT,
    EXITS,
    FAIL_CLOSED_BEHAVIOURS,
    FALLBACK,
    INSENSITIVE,
    INVENTORY_VERSION,
    LOGS,
    NON_ATOMIC,
    ORDERS,
    POLICIES,
    POLICY_FAIL_CLOSED,
    POLICY_KEEP,
    POLICY_KEEP_EXPECTED,
    POLICY_KEEP_IMPORT,
    POLICY_KEEP_RECORDED,
    POLICY_LOG,
    POLICY_OUTER,
    RECORDS,
    RECOVERS,
    RE_RAISES,
    SCOPES,
    SILENT,
    SORTED,
    SORTED_LATER,
    TEMP_RENAMED,
    UNSORTED,
    WRITE_STATUSES,
)

__all__ = [
    "INVENTORY_VERSION",
    "COMPARISON_VERSION",
    "RE_RAISES",
    "APPLIES_POLICY",
    "EXITS",
    "LOGS",
    "RECORDS",
    "SILENT",
    "FALLBACK",
    "RECOVERS",
    "BEHAVIOURS",
    "FAIL_CLOSED_BEHAVIOURS",
    "ARTIFACT",
    "DIAGNOSTIC",
    "BEST_EFFORT",
    "SCOPES",
    "POLICY_KEEP",
    "POLICY_KEEP_IMPORT",
    "POLICY_KEEP_EXPECTED",
    "POLICY_KEEP_RECORDED",
    "POLICY_LOG",
    "POLICY_FAIL_CLOSED",
    "POLICY_OUTER",
    "POLICIES",
    "ATOMIC",
    "TEMP_RENAMED",
    "EXEMPT",
    "NON_ATOMIC",
    "WRITE_STATUSES",
    "SORTED",
    "SORTED_LATER",
    "INSENSITIVE",
    "UNSORTED",
    "ORDERS",
    "add_arguments",
    "run",
    "Site",
    "HandlerEntry",
    "WriteEntry",
    "ListingEntry",
    "FileEntry",
    "FileInventory",
    "build_inventory",
    "inventory_file",
    "normalized_line",
    "assign_occurrences",
    "render_json",
    "render_markdown",
    "load_inventory",
    "match_sites",
    "compare_inventories",
    "render_comparison_markdown",
]
