"""Plain data shared by the engine, the output formats, the flake8 adapter and the fixer."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

#: ``__slots__`` on the records kept per finding: a huge generated file has tens of thousands
#: of findings, and a ``__dict__`` each would double what they cost. (Frozen dataclasses with
#: slots pickle reliably, for the worker processes, from Python 3.11 on.)
_SLOTS: dict[str, Any] = {"slots": True} if sys.version_info >= (3, 11) else {}


class FixSafety(str, enum.Enum):
    """How far a rule's fix can be trusted (ruff's classes)."""

    SAFE = "safe"  # same behaviour except the hazard
    UNSAFE = "unsafe"  # may change bytes or control flow: opt-in
    NONE = "none"  # flagged, never rewritten

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, **_SLOTS)
class FixInfo:
    safety: FixSafety
    title: str

    def as_dict(self) -> dict[str, str]:
        return {"safety": self.safety.value, "title": self.title}


@dataclass(frozen=True, order=True, **_SLOTS)
class Finding:
    """One reported hazard.

    ``line``/``end_line`` are 1-based, ``col``/``end_col`` are 1-based character
    (code point) columns, as editors and ruff show them; ``ast`` reports UTF-8 byte
    offsets and :func:`determinism_lint.positions.char_col` converts them.

    Field order is the sort order of the output: path, line, column, code.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    end_line: int
    end_col: int
    fix: Optional[FixInfo] = None
    #: The findings of other rules on the same ``except`` handler that this one stands for
    #: (its message says so). Not part of the output formats.
    also: tuple[Finding, ...] = field(default=(), compare=False, repr=False)

    @property
    def also_codes(self) -> tuple[str, ...]:
        return tuple(finding.code for finding in self.also)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
            "code": self.code,
            "message": self.message,
            "fix": self.fix.as_dict() if self.fix is not None else None,
        }


#: Pseudo-code for a file that could not be checked (unreadable, not Python, too large).
UNCHECKED_CODE = "DET000"

#: Codes the tool reports that are not rules, by name (``rules``, ``explain``, statistics).
PSEUDO_RULE_NAMES: dict[str, str] = {UNCHECKED_CODE: "unchecked-file", "DET001": "unused-noqa"}
