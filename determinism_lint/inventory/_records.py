"""The records of one file's inventory and how a site is identified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

if TYPE_CHECKING:
    import ast

    from ..context import Context
    from ..model import Finding

from ._vocabulary import ATOMIC, FAIL_CLOSED_BEHAVIOURS, TEMP_RENAMED, _SPACE_RE


# -- the records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where a handler, write or listing is, and how it is recognised in another inventory."""

    path: str
    line: int
    col: int
    function: str
    #: The site's source line, whitespace-normalized, without a ``# noqa`` comment.
    source: str

    def base(self, kind: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "function": self.function,
            "source": self.source,
        }


@dataclass(frozen=True)
class HandlerEntry:
    site: Site
    #: ``except``, ``except*`` or ``suppress`` (a ``contextlib.suppress(...)`` block).
    clause: str
    caught: tuple[str, ...]
    bare: bool
    broad: bool
    behaviour: str
    log_level: Optional[str]
    traceback: bool
    scope: str
    scope_reason: Optional[str]
    guards_artifact_work: bool
    findings: tuple[str, ...]
    suppressed: tuple[str, ...]
    policy: str

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.site.base("handler"),
            "clause": self.clause,
            "caught": list(self.caught),
            "bare": self.bare,
            "broad": self.broad,
            "behaviour": self.behaviour,
            "fail_closed": self.behaviour in FAIL_CLOSED_BEHAVIOURS,
            "log_level": self.log_level,
            "traceback": self.traceback,
            "scope": self.scope,
            "scope_reason": self.scope_reason,
            "guards_artifact_work": self.guards_artifact_work,
            "findings": list(self.findings),
            "suppressed": list(self.suppressed),
            "policy": self.policy,
        }


@dataclass(frozen=True)
class WriteEntry:
    site: Site
    api: str
    #: ``open``, ``dump``, ``path-method``, ``path-writer``, ``scratch`` or ``safe`` (``WriteSite.kind``).
    write_kind: str
    mode: Optional[str]
    target: Optional[str]
    status: str
    exempt: Optional[str]
    artifact_scope: bool
    findings: tuple[str, ...]
    suppressed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.site.base("write"),
            "api": self.api,
            "write_kind": self.write_kind,
            "mode": self.mode,
            "target": self.target,
            "status": self.status,
            "atomic": self.status in (ATOMIC, TEMP_RENAMED),
            "exempt": self.exempt,
            "artifact_scope": self.artifact_scope,
            "findings": list(self.findings),
            "suppressed": list(self.suppressed),
        }


@dataclass(frozen=True)
class ListingEntry:
    site: Site
    api: str
    #: ``list``, ``scandir``, ``walk`` or ``extra`` (``Listing.kind``).
    listing_kind: str
    order: str
    consumed: str
    findings: tuple[str, ...]
    suppressed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.site.base("listing"),
            "api": self.api,
            "listing_kind": self.listing_kind,
            "order": self.order,
            "consumed": self.consumed,
            "findings": list(self.findings),
            "suppressed": list(self.suppressed),
        }


@dataclass(frozen=True)
class FileEntry:
    path: str
    analysed: bool
    error: Optional[str] = None
    error_line: Optional[int] = None


@dataclass(frozen=True)
class FileInventory:
    file: FileEntry
    handlers: tuple[HandlerEntry, ...] = ()
    writes: tuple[WriteEntry, ...] = ()
    listings: tuple[ListingEntry, ...] = ()


class _FindingIndex:
    """The engine's findings of one file, looked up by the exact span of the node they sit on."""

    def __init__(
        self, findings: Iterable[Finding], comments: dict[int, tuple[str, ...]], *, foreign: bool = True
    ) -> None:
        from ..noqa import suppresses

        self._by_span: dict[tuple[int, int, int, int], list[tuple[str, bool]]] = {}
        for finding in findings:
            key = (finding.line, finding.col, finding.end_line, finding.end_col)
            hidden = suppresses(comments.get(finding.line), finding.code, foreign=foreign)
            self._by_span.setdefault(key, []).append((finding.code, hidden))

    def at(self, node: ast.AST, ctx: Context, prefix: str = "DET") -> tuple[list[str], list[str]]:
        """``(reported, suppressed by noqa)`` codes of the findings at ``node``."""
        reported: list[str] = []
        hidden: list[str] = []
        for code, suppressed in self._by_span.get(_span(node, ctx), ()):
            if code.startswith(prefix):
                (hidden if suppressed else reported).append(code)
        return reported, hidden


def _span(node: ast.AST, ctx: Context) -> tuple[int, int, int, int]:
    """The finding position the engine gives ``node`` (1-based character columns)."""
    from ..positions import char_col

    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    col = char_col(ctx.line_text(line), getattr(node, "col_offset", 0)) + 1
    end_col = char_col(ctx.line_text(end_line), getattr(node, "end_col_offset", None) or 0) + 1
    return (line, col, end_line, end_col)


def _site(node: ast.AST, ctx: Context) -> Site:
    from ..positions import char_col

    line = getattr(node, "lineno", 1)
    col = char_col(ctx.line_text(line), getattr(node, "col_offset", 0)) + 1
    function = ctx.scopes.info(ctx.enclosing_scope(node)).name
    return Site(ctx.path, line, col, function, normalized_line(ctx.line_text(line)))


def normalized_line(text: str) -> str:
    """A line as site identity sees it: no ``# noqa`` comment, whitespace collapsed."""
    return _SPACE_RE.sub(" ", text.split("# noqa", 1)[0]).strip()


def _codes(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({code for group in groups for code in group}))


def _short(node: ast.AST, limit: int) -> str:
    import ast

    try:
        text = ast.unparse(node)
    except Exception:  # an odd node shape must not lose the record
        text = type(node).__name__
    return _clip(" ".join(text.split()), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
