"""Artifact-shaping scopes: where the order of things can reach a hash or the bytes on disk.

A function (or the module body) is artifact-shaping when

* it computes a hash or digest, serializes data, or writes a file that is not exempt
  (the write detection is the DET1xx rules' own ``write_site``: one detector);
* it calls a function of the same module that is artifact-shaping (to a fixpoint);
* it calls a function imported from another module of the project whose summary reaches a
  persistent sink (``project.py``: the project index; the reason names the chain);
* its name matches ``artifact-patterns`` (``*hash*``, ``*manifest*``, ``save_*``, ...);
* it is named in ``artifact-functions`` or its module in ``artifact-modules``;
* its ``def`` line carries ``# determinism-lint: artifact``;
* or it is nested in an artifact-shaping function.

``# determinism-lint: not-artifact`` on the ``def`` line opts a function out, and
``strict = true`` treats all code as artifact-shaping. Test code (files matching
``test-paths``) is never artifact-shaping, in strict mode too: what a test writes or
hashes is scratch. Computed once per file, lazily.

:mod:`.evidence` classifies the calls that count as evidence (hashing, serializing, writing,
scratch streams) and :mod:`.artifact_scopes` decides every scope of a file
(:class:`ArtifactScopes`); this module re-exports the names other modules use.
:mod:`.explain` prints the verdicts (``--explain-scopes``): it runs the engine, so it is not
imported here, and the engine's own imports of the scopes do not reach it.
"""

from __future__ import annotations

from .artifact_scopes import PRAGMA_RE, ArtifactScopes, FunctionNode, ScopeInfo, remote_reason
from .evidence import (
    HASH_CALLS,
    HASH_METHODS,
    HASH_MODULES,
    RUNTIME_SERIALIZERS,
    SERIALIZERS,
    _evidence_names,
    _local_callee,
    _only_reported,
    _spelling,
    classify_call,
    evidence_roots,
    hash_object_names,
    is_hash_update,
    is_scratch_stream,
    scratch_stream_names,
)

__all__ = [
    "HASH_CALLS",
    "HASH_METHODS",
    "HASH_MODULES",
    "PRAGMA_RE",
    "RUNTIME_SERIALIZERS",
    "SERIALIZERS",
    "ArtifactScopes",
    "FunctionNode",
    "ScopeInfo",
    "_evidence_names",
    "_local_callee",
    "_only_reported",
    "_spelling",
    "classify_call",
    "evidence_roots",
    "hash_object_names",
    "is_hash_update",
    "is_scratch_stream",
    "remote_reason",
    "scratch_stream_names",
]
