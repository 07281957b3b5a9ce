"""The edit a rule's ``fix`` returns: which original node to rewrite, and how. Part of the fix
layer (it imports libcst) and of no import cycle: the rewrites of the rule families import it
without loading the fixer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

#: A rewrite of ``target`` (an original node): called with the already-updated node,
#: returns its replacement (a node, a ``FlattenSentinel`` or a ``RemovalSentinel``).
Apply = Callable[[cst.CSTNode], object]


@dataclass(frozen=True)
class Edit:
    target: cst.CSTNode
    apply: Apply
