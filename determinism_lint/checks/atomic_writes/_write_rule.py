"""What the DET1xx rules about one kind of write site share: which calls they visit, and the
site they report."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, ClassVar, Optional

from ..base import Rule
from ..writes.consumers import ReadSite, read_back
from ..writes.sites import write_site
from ..writes.vocabulary import WriteSite, _write_call_names

if TYPE_CHECKING:
    from ...context import Context
    from ...settings import Settings


class WriteSiteRule(Rule):
    """A rule about the write sites of one kind (:attr:`WriteSite.kind`): ``open``, ``dump``,
    ``path-method`` or ``path-writer``. Visits only calls that may write (the write
    vocabulary of the settings)."""

    site_kind: ClassVar[str]
    #: Report only writes whose file the project reads back (see :mod:`..writes.consumers`).
    needs_reader: ClassVar[bool] = True
    node_types = (ast.Call,)

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _write_call_names(settings)

    def hazard(self, node: ast.AST, ctx: Context) -> Optional[tuple[WriteSite, Optional[ReadSite]]]:
        """The write ``node`` makes when it is of this rule's kind and a hazard, with the read
        that says a torn copy would be trusted (``None`` when that evidence is not asked for),
        else ``None``."""
        assert isinstance(node, ast.Call)
        site = write_site(node, ctx)
        if site is None or site.kind != self.site_kind or not site.is_hazard:
            return None
        if not self.needs_reader or not ctx.settings.reader_evidence or ctx.settings.strict:
            return site, None
        reader = read_back(site.target, ctx, site.call)
        if reader is None:
            return None  # nothing in the project reads the file back: no evidence a torn copy is trusted
        return site, reader


def read_clause(reader: Optional[ReadSite], ctx: Context) -> str:
    """``, and `json.load(...)` in `load()` on line 12 reads it back``: the evidence, if any."""
    if reader is None:
        return ""
    return f", and {reader.describe(ctx.path)} {'checks for' if reader.checks else 'reads'} it"
