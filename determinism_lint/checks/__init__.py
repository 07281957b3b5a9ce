"""The rule registry: every rule class, in code order.

Adding a rule is one module (one class) in its family package plus one entry in that
package's ``RULES`` tuple.
"""

from __future__ import annotations

from . import atomic_writes, exceptions, fs_order, iteration_order, serialization
from .base import Rule

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (*atomic_writes.RULES, *serialization.RULES, *fs_order.RULES, *exceptions.RULES, *iteration_order.RULES),
        key=lambda rule: rule.code,
    )
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
