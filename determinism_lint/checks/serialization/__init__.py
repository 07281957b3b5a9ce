"""DET2xx: serialization that is not canonical where its bytes reach a hash or a file.

One module per rule; the facts they share are in
:mod:`determinism_lint.checks.serialization_facts`, and the libcst rewrites in :mod:`.fixes`
(fix layer). This module re-exports the names other modules use.
"""

from __future__ import annotations

from ..base import Rule
from ..serialization_facts.containers import _annotation_is_container
from .det201_unsorted_json_dump import UnsortedJsonDump
from .det202_unstable_hash_input import UnstableHashInput
from .det203_builtin_hash_persisted import BuiltinHashPersisted
from .det204_unsorted_yaml_dump import UnsortedYamlDump

RULES: tuple[type[Rule], ...] = (UnsortedJsonDump, UnstableHashInput, BuiltinHashPersisted, UnsortedYamlDump)

__all__ = [
    "RULES",
    "BuiltinHashPersisted",
    "UnsortedJsonDump",
    "UnsortedYamlDump",
    "UnstableHashInput",
    "_annotation_is_container",
]
