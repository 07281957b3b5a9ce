"""Building an inventory: each file analysed with the engine's own analysis and findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

if TYPE_CHECKING:
    import ast

    from ..configs import SettingsResolver
    from ..engine import Engine
    from ..settings import Settings

from ._document import _document
from ._handlers import _handler_entry, _suppress_entry
from ._records import FileEntry, FileInventory, ListingEntry, WriteEntry, _FindingIndex
from ._sites import _listing_entry, _write_entry


# -- building an inventory ---------------------------------------------------------------------


def build_inventory(files: Sequence[str], settings: Union[Settings, SettingsResolver]) -> dict[str, Any]:
    """The inventory document of ``files`` (JSON-ready, in a stable order); each file is
    analysed with the settings of its nearest config when ``settings`` is a resolver."""
    from ..configs import settings_per_file
    from ..engine import Engine

    distinct, indexes = settings_per_file(files, settings)
    engines = [Engine(item) for item in distinct]
    results = [inventory_file(path, distinct[index], engines[index]) for path, index in zip(files, indexes)]
    from ..settings import Settings as SettingsType

    root = settings if isinstance(settings, SettingsType) else settings.root_settings()
    return _document(results, root)


def inventory_file(path: str, settings: Settings, engine: Optional[Engine] = None) -> FileInventory:
    """Read, parse and analyse one file; a file that cannot be analysed is listed as such."""
    from ..engine import Engine, SourceError, parse_source, read_limited

    if engine is None:
        engine = Engine(settings)
    try:
        with open(path, "rb") as handle:
            data = read_limited(handle, settings.max_file_size)
    except OSError:
        data = None
    if data is None or len(data) > settings.max_file_size:
        # The engine words unreadable and oversized files the same way ``check`` does.
        unchecked = engine.check_path(path)
        first = unchecked.findings[0] if unchecked.findings else None
        message = first.message if first is not None else "cannot read"
        return FileInventory(FileEntry(path, False, message, first.line if first is not None else None))
    try:
        parsed = parse_source(data, path)
    except SourceError as error:
        return FileInventory(FileEntry(path, False, error.message, error.line))
    try:
        return _analyse(parsed.tree, parsed.text, path, settings, engine)
    except Exception as error:  # an analysis bug must not lose the other files' inventory
        return FileInventory(FileEntry(path, False, f"internal error ({type(error).__name__}: {error})"))


def _analyse(tree: ast.Module, text: str, path: str, settings: Settings, engine: Engine) -> FileInventory:
    import ast

    from .. import noqa as noqa_mod
    from ..checks.atomic_writes import write_site
    from ..checks.listing_facts.listings import find_listing
    from ..context import Context
    from ..engine import ALWAYS_COLLECTED, _walk

    findings = engine.check_tree(tree, text, path)
    comments = noqa_mod.parse_noqa(text)
    found = _FindingIndex(findings, comments, foreign=settings.honor_foreign_noqa)

    parents, buckets = _walk(tree, ALWAYS_COLLECTED | {ast.ExceptHandler})
    ctx = Context(path=path, source=text, tree=tree, parents=parents, settings=settings, buckets=buckets)
    handlers = [_handler_entry(node, ctx, found) for node in ctx.nodes_of(ast.ExceptHandler)]
    writes: list[WriteEntry] = []
    listings: list[ListingEntry] = []
    for call in ctx.nodes_of(ast.Call):
        suppress = _suppress_entry(call, ctx, found)
        if suppress is not None:
            handlers.append(suppress)
            continue
        write = write_site(call, ctx)
        if write is not None:
            writes.append(_write_entry(write, ctx, found))
            continue
        listing = find_listing(call, ctx)
        if listing is not None:
            listings.append(_listing_entry(listing, ctx, found))

    def order(entry: Any) -> tuple[int, int, str]:
        return (entry.site.line, entry.site.col, entry.site.source)

    return FileInventory(
        FileEntry(path, True),
        tuple(sorted(handlers, key=order)),
        tuple(sorted(writes, key=order)),
        tuple(sorted(listings, key=order)),
    )
