"""The shape of a rule: one class, its metadata, its examples and its ``check``."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Optional, Union

from ..model import FixSafety

if TYPE_CHECKING:
    from ..context import Context
    from ..settings import Settings
    from ..fixer import Edit, FixContext


class _NoFix:
    """Marker: this INVALID example has no fix (``fixed=NO_FIX``)."""

    def __repr__(self) -> str:
        return "NO_FIX"


NO_FIX = _NoFix()


@dataclass(frozen=True)
class Invalid:
    """An example the rule must flag.

    ``count`` findings of the rule are expected. ``fixed`` is the source after the
    rule's fix (safe or unsafe, per the rule's ``fix_safety``), ``NO_FIX`` when this
    site is flagged but never rewritten, ``None`` when not stated.
    """

    code: str
    count: int = 1
    fixed: Union[str, _NoFix, None] = None
    #: Settings overrides for this example, e.g. ``{"strict": True}``.
    settings: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Valid:
    """An example the rule must stay quiet on (plain strings are accepted too)."""

    code: str
    settings: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Report:
    """What ``check`` yields: where, and optionally a more specific message."""

    node: ast.AST
    message: Optional[str] = None
    #: False when this particular site cannot be fixed (dynamic mode, escaping handle...).
    fixable: bool = True
    #: Extra data for the fixer (kept small and hashable).
    data: tuple[tuple[str, object], ...] = ()


class Rule:
    """Base class. Subclasses set the class attributes and implement :meth:`check`.

    The docstring uses ruff's headings (What it does / Why is this bad? / Example /
    Use instead / Fix safety); ``rules/`` pages are generated from it, with an *Options*
    section made from the options declared in ``options.py``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    fix_title: ClassVar[Optional[str]] = None
    fix_safety: ClassVar[FixSafety] = FixSafety.NONE
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    #: Fires only in artifact-shaping code unless ``strict`` is set.
    artifact_only: ClassVar[bool] = False
    #: Runs in test code (files matching ``test-paths``) too. Test code is not artifact
    #: code, so an ``artifact_only`` rule never does; the docstring's "Test code" section
    #: says why a rule does or does not.
    applies_in_tests: ClassVar[bool] = False
    #: Codes other linters give the same hazard (ruff's ``E722`` for a bare ``except:``):
    #: ``# noqa: E722`` suppresses this rule's finding too, unless ``honor-foreign-noqa``
    #: is off.
    foreign_noqa: ClassVar[tuple[str, ...]] = ()
    #: Several rules may flag one ``except`` handler; it gets one finding. The rule with
    #: the lowest rank keeps it, and its message gains the others' ``handler_note``
    #: ("swallows the error silently"). ``None``: this rule's findings are never merged.
    handler_rank: ClassVar[Optional[int]] = None
    handler_note: ClassVar[str] = ""
    VALID: ClassVar[tuple[Union[str, Valid], ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    #: For rules that ask for ``ast.Call``: the callee names (``open`` for ``open(...)`` and
    #: ``p.open(...)``) worth a look. The engine hands the rule only those calls; ``None``
    #: means every call. See :meth:`call_names`.
    CALL_NAMES: ClassVar[Optional[frozenset[str]]] = None

    #: libcst class names of the node at a finding's start that :meth:`fix` rewrites (the fixer
    #: looks them up: this module does not import libcst).
    fix_node: ClassVar[tuple[str, ...]] = ()

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        raise NotImplementedError

    def handler_note_for(self, finding: Any) -> str:
        """What this rule's ``finding`` adds to another rule's finding on the same handler."""
        return self.handler_note

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        """Callee names (last dotted part) this rule wants, or ``None`` for every call."""
        return cls.CALL_NAMES

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        """The rewrite for the finding at ``node`` (a libcst node), or ``None`` when this
        site cannot be rewritten safely. libcst is imported only here, never by ``check``."""
        return None

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")
