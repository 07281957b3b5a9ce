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
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

if TYPE_CHECKING:
    import argparse
    import ast

    from .checks.atomic_writes import WriteSite
    from .configs import SettingsResolver
    from .checks.fs_order import Listing
    from .context import Context
    from .engine import Engine
    from .model import Finding
    from .settings import Settings

INVENTORY_VERSION = 1
COMPARISON_VERSION = 1

# -- vocabulary ----------------------------------------------------------------------------

RE_RAISES = "re-raises"
APPLIES_POLICY = "applies-policy"
EXITS = "exits"
LOGS = "logs-and-continues"
RECORDS = "records-error"
SILENT = "silent"
FALLBACK = "returns-fallback"
RECOVERS = "recovers"
BEHAVIOURS = (RE_RAISES, APPLIES_POLICY, EXITS, LOGS, RECORDS, FALLBACK, RECOVERS, SILENT)
FAIL_CLOSED_BEHAVIOURS = frozenset({RE_RAISES, APPLIES_POLICY, EXITS})

ARTIFACT = "artifact-shaping"
DIAGNOSTIC = "diagnostic"
BEST_EFFORT = "best-effort"
SCOPES = (ARTIFACT, DIAGNOSTIC, BEST_EFFORT)

POLICY_KEEP = "keep"
POLICY_KEEP_IMPORT = "keep: optional-import fallback"
POLICY_KEEP_EXPECTED = "keep: narrow, expected error"
POLICY_KEEP_RECORDED = "keep: the error is recorded"
POLICY_LOG = "log with traceback"
POLICY_FAIL_CLOSED = "fail closed: re-raise or handle_error_with_policy"
POLICY_OUTER = "fail closed in the outer handler too (DET404)"
POLICIES = (
    POLICY_FAIL_CLOSED,
    POLICY_OUTER,
    POLICY_LOG,
    POLICY_KEEP,
    POLICY_KEEP_RECORDED,
    POLICY_KEEP_EXPECTED,
    POLICY_KEEP_IMPORT,
)

ATOMIC = "atomic"
TEMP_RENAMED = "temp-renamed"
EXEMPT = "exempt"
NON_ATOMIC = "non-atomic"
WRITE_STATUSES = (NON_ATOMIC, TEMP_RENAMED, ATOMIC, EXEMPT)

SORTED = "sorted"
SORTED_LATER = "sorted later"
INSENSITIVE = "order-insensitive"
UNSORTED = "unsorted"
ORDERS = (UNSORTED, SORTED, SORTED_LATER, INSENSITIVE)

_TARGET_LIMIT = 60
_TEXT_LIMIT = 80
#: Two spellings of one site (``open`` -> ``atomic_open``) are at least this similar.
_SIMILARITY = 0.5
_SPACE_RE = re.compile(r"\s+")
_REACHES_RE = re.compile(r"the order reaches (`[^`]*`(?: on line \d+)?)")
_LOG_LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}


# -- command line ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    parser.add_argument("--output", metavar="FILE", help="write the inventory to FILE instead of standard output")
    parser.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    parser.add_argument("--strict", action="store_true", default=None, help="treat all code as artifact-shaping")
    parser.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude settings to files named on the command line too",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("OLD.json", "NEW.json"),
        help="compare two JSON inventories instead of scanning; exit 1 on regressions",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0; with ``--compare``, 1 when the new inventory has regressions."""
    from .settings import ConfigError

    output_format = getattr(args, "format", "md") or "md"
    if getattr(args, "compare", None):
        if args.paths and list(args.paths) != ["."]:
            raise ConfigError("--compare reads two JSON inventories: give no paths to scan with it")
        old_path, new_path = args.compare
        comparison = compare_inventories(load_inventory(old_path), load_inventory(new_path))
        comparison["old"], comparison["new"] = old_path, new_path
        if output_format == "json":
            text = render_json(comparison)
        else:
            text = render_comparison_markdown(comparison)
        _emit(text, args.output)
        return 1 if comparison["regression_count"] else 0

    from .discovery import discover

    import argparse as argparse_module

    from .cli import resolver_from_args

    resolver = resolver_from_args(argparse_module.Namespace(**{"select": None, "ignore": None, "config": None, **vars(args)}))
    problems: list[str] = []
    files = discover(args.paths, resolver, force_exclude=bool(getattr(args, "force_exclude", False)), problems=problems)
    for line in problems:
        print(f"determinism-lint: error: {line}", file=sys.stderr)
    document = build_inventory(files, resolver)
    text = render_json(document) if output_format == "json" else render_markdown(document)
    _emit(text, args.output)
    skipped = document["summary"]["files"]["not_analysed"]
    if skipped:
        noun = "file" if skipped == 1 else "files"
        print(f"determinism-lint: {skipped} {noun} could not be analysed (listed in the inventory)", file=sys.stderr)
    return 1 if problems else 0


def _emit(text: str, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .runtime import write_atomic_text
    from .settings import ConfigError

    try:
        write_atomic_text(output, text, encoding="utf-8", newline="\n")
    except OSError as error:
        raise ConfigError(f"--output {output}: cannot write ({error.strerror or error})") from None


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


# -- building an inventory ---------------------------------------------------------------------


def build_inventory(files: Sequence[str], settings: Union[Settings, SettingsResolver]) -> dict[str, Any]:
    """The inventory document of ``files`` (JSON-ready, in a stable order); each file is
    analysed with the settings of its nearest config when ``settings`` is a resolver."""
    from .configs import settings_per_file
    from .engine import Engine

    distinct, indexes = settings_per_file(files, settings)
    engines = [Engine(item) for item in distinct]
    results = [inventory_file(path, distinct[index], engines[index]) for path, index in zip(files, indexes)]
    from .settings import Settings as SettingsType

    root = settings if isinstance(settings, SettingsType) else settings.root_settings()
    return _document(results, root)


def inventory_file(path: str, settings: Settings, engine: Optional[Engine] = None) -> FileInventory:
    """Read, parse and analyse one file; a file that cannot be analysed is listed as such."""
    from .engine import Engine, SourceError, parse_source, read_limited

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

    from . import noqa as noqa_mod
    from .checks.atomic_writes import write_site
    from .checks.fs_order import find_listing
    from .context import Context
    from .engine import ALWAYS_COLLECTED, _walk

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


class _FindingIndex:
    """The engine's findings of one file, looked up by the exact span of the node they sit on."""

    def __init__(
        self, findings: Iterable[Finding], comments: dict[int, tuple[str, ...]], *, foreign: bool = True
    ) -> None:
        from .noqa import suppresses

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
    from .positions import char_col

    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    col = char_col(ctx.line_text(line), getattr(node, "col_offset", 0)) + 1
    end_col = char_col(ctx.line_text(end_line), getattr(node, "end_col_offset", None) or 0) + 1
    return (line, col, end_line, end_col)


def _site(node: ast.AST, ctx: Context) -> Site:
    from .positions import char_col

    line = getattr(node, "lineno", 1)
    col = char_col(ctx.line_text(line), getattr(node, "col_offset", 0)) + 1
    function = ctx.scopes.info(ctx.enclosing_scope(node)).name
    return Site(ctx.path, line, col, function, normalized_line(ctx.line_text(line)))


def normalized_line(text: str) -> str:
    """A line as site identity sees it: no ``# noqa`` comment, whitespace collapsed."""
    return _SPACE_RE.sub(" ", text.split("# noqa", 1)[0]).strip()


def _codes(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({code for group in groups for code in group}))


# -- handlers ----------------------------------------------------------------------------------


def _handler_entry(handler: ast.ExceptHandler, ctx: Context, found: _FindingIndex) -> HandlerEntry:
    import ast

    from .checks.exceptions import TRY_TYPES, caught_names, does_artifact_work, is_broad, is_import_fallback

    names = caught_names(handler, ctx)
    parent = ctx.parent(handler)
    star = hasattr(ast, "TryStar") and isinstance(parent, ast.TryStar)
    behaviour, fail_node, level, traceback = _behaviour(handler, ctx)
    guards = isinstance(parent, TRY_TYPES) and does_artifact_work(parent.body, ctx) is not None
    reported, hidden = found.at(handler, ctx)
    if fail_node is not None:
        # DET404 sits on the inner ``raise`` or policy call, not on the ``except`` line.
        inner, inner_hidden = found.at(fail_node, ctx, "DET404")
        reported, hidden = reported + inner, hidden + inner_hidden
    return _classified_handler(
        _site(handler, ctx),
        clause="except*" if star else "except",
        caught=tuple(_display_name(name) for name in names or ()),
        bare=names is None,
        broad=is_broad(handler, ctx),
        behaviour=behaviour,
        level=level,
        traceback=traceback,
        node=handler,
        body=handler.body,
        guards=guards,
        import_fallback=is_import_fallback(handler, ctx),
        reported=reported,
        hidden=hidden,
        ctx=ctx,
    )


def _suppress_entry(call: ast.Call, ctx: Context, found: _FindingIndex) -> Optional[HandlerEntry]:
    """``with contextlib.suppress(...):``: a handler that swallows what it names."""
    import ast

    from .checks._util import last_name
    from .checks.exceptions import BROAD_EXCEPTIONS, does_artifact_work

    if last_name(call.func) != "suppress" or ctx.call_name(call) != "contextlib.suppress":
        return None
    item = ctx.parent(call)
    statement = ctx.parent(item) if isinstance(item, ast.withitem) else None
    if not isinstance(statement, (ast.With, ast.AsyncWith)):
        return None
    names = [ctx.qualified_name(arg) or ast.unparse(arg) for arg in call.args]
    reported, hidden = found.at(call, ctx)
    return _classified_handler(
        _site(call, ctx),
        clause="suppress",
        caught=tuple(_display_name(name) for name in names),
        bare=False,
        broad=any(name in BROAD_EXCEPTIONS for name in names),
        behaviour=SILENT,
        level=None,
        traceback=False,
        node=call,
        body=[],
        guards=does_artifact_work(statement.body, ctx) is not None,
        import_fallback=all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in statement.body),
        reported=reported,
        hidden=hidden,
        ctx=ctx,
    )


def _classified_handler(
    site: Site,
    *,
    clause: str,
    caught: tuple[str, ...],
    bare: bool,
    broad: bool,
    behaviour: str,
    level: Optional[str],
    traceback: bool,
    node: ast.AST,
    body: list[ast.stmt],
    guards: bool,
    import_fallback: bool,
    reported: list[str],
    hidden: list[str],
    ctx: Context,
) -> HandlerEntry:
    if ctx.in_artifact_scope(node):
        scope = ARTIFACT
        reason = "strict mode" if ctx.settings.strict else ctx.scopes.reason(ctx.enclosing_scope(node))
    elif behaviour == LOGS and _only_reports(body, ctx):
        scope, reason = DIAGNOSTIC, None
    else:
        scope, reason = BEST_EFFORT, None
    codes = _codes(reported, hidden)
    if "DET404" in codes:
        policy = POLICY_OUTER
    elif behaviour in FAIL_CLOSED_BEHAVIOURS:
        policy = POLICY_KEEP
    elif import_fallback:
        policy = POLICY_KEEP_IMPORT
    elif scope == ARTIFACT and (guards or ctx.settings.strict):
        policy = POLICY_FAIL_CLOSED
    elif behaviour == LOGS and traceback:
        policy = POLICY_KEEP
    elif behaviour == RECORDS:
        policy = POLICY_KEEP_RECORDED
    elif not broad and behaviour != LOGS:
        policy = POLICY_KEEP_EXPECTED
    else:
        policy = POLICY_LOG
    return HandlerEntry(
        site=site,
        clause=clause,
        caught=caught,
        bare=bare,
        broad=broad,
        behaviour=behaviour,
        log_level=level,
        traceback=traceback,
        scope=scope,
        scope_reason=reason,
        guards_artifact_work=guards,
        findings=_codes(reported),
        suppressed=_codes(hidden),
        policy=policy,
    )


def _display_name(name: str) -> str:
    return name[len("builtins."):] if name.startswith("builtins.") else name


def _behaviour(handler: ast.ExceptHandler, ctx: Context) -> tuple[str, Optional[ast.AST], Optional[str], bool]:
    """``(behaviour, the node that fails closed, log level, traceback kept)`` of a handler."""
    import ast

    from .checks._util import is_reporting_call, last_name, walk_statements_local
    from .checks.exceptions import fails_closed, is_silent

    body, name = handler.body, handler.name
    stop = fails_closed(body, ctx)
    if stop is not None:
        if isinstance(stop, ast.Raise):
            return RE_RAISES, stop, None, False
        handlers = {entry.rsplit(".", 1)[-1] for entry in ctx.settings.all_error_handlers}
        assert isinstance(stop, ast.Call)
        return (APPLIES_POLICY if last_name(stop.func) in handlers else EXITS), stop, None, False
    nodes = list(walk_statements_local(body))
    reports = sorted(
        (node for node in nodes if isinstance(node, ast.Call) and is_reporting_call(node, ctx)),
        key=lambda call: (call.lineno, call.col_offset),
    )
    if reports:
        level, traceback = _log_level(reports[0], ctx)
        traceback = traceback or any(_log_level(call, ctx)[1] for call in reports[1:])
        return LOGS, None, level, traceback
    if name and any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) for node in nodes):
        return RECORDS, None, None, False
    if is_silent(handler, ctx):
        return SILENT, None, None, False
    if any(isinstance(node, (ast.Return, ast.Assign, ast.AnnAssign, ast.AugAssign)) for node in body):
        return FALLBACK, None, None, False
    return RECOVERS, None, None, False


def _log_level(call: ast.Call, ctx: Context) -> tuple[str, bool]:
    """The level a reporting call logs at, and whether it keeps the traceback."""
    import ast

    from .checks._util import LOG_METHODS, keyword, last_name

    exc_info = keyword(call, "exc_info")
    traceback = exc_info is not None and not (isinstance(exc_info, ast.Constant) and not exc_info.value)
    name = ctx.call_name(call)
    if name in ("traceback.print_exc", "traceback.print_exception"):
        return "traceback", True
    if name in ("warnings.warn", "warnings.warn_explicit"):
        return "warnings.warn", False
    if name == "builtins.print":
        return "print", False
    if name in ("click.echo", "click.secho", "typer.echo"):
        return "echo", False
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
        method = func.attr
        if method == "exception":
            return "error", True
        if method == "log":
            return _level_argument(call.args[0] if call.args else None), traceback
        return {"warn": "warning", "fatal": "critical"}.get(method, method), traceback
    if isinstance(func, ast.Attribute) and func.attr == "write":
        return "stderr", False
    return f"{last_name(func) or 'report'}()", traceback


def _level_argument(expr: Optional[ast.AST]) -> str:
    import ast

    if isinstance(expr, ast.Attribute) and expr.attr.isupper():
        return {"WARN": "warning", "FATAL": "critical"}.get(expr.attr, expr.attr.lower())
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return _LOG_LEVELS.get(expr.value, f"level {expr.value}")
    return "log"


def _only_reports(body: list[ast.stmt], ctx: Context) -> bool:
    """The handler body only reports the error (and maybe leaves the loop or function)."""
    import ast

    from .checks._util import is_reporting_call

    for statement in body:
        if isinstance(statement, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(statement, ast.Expr):
            if isinstance(statement.value, ast.Constant):
                continue
            if isinstance(statement.value, ast.Call) and is_reporting_call(statement.value, ctx):
                continue
        if isinstance(statement, ast.Return) and (statement.value is None or isinstance(statement.value, ast.Constant)):
            continue
        return False
    return True


# -- writes --------------------------------------------------------------------------------------


def _write_entry(write: WriteSite, ctx: Context, found: _FindingIndex) -> WriteEntry:
    from .checks.atomic_writes import REASON_RENAMED_TEMP

    reported, hidden = found.at(write.call, ctx)
    if write.atomic:
        status = ATOMIC
    elif write.exempt_reason == REASON_RENAMED_TEMP:
        status = TEMP_RENAMED
        more, more_hidden = _unsynced_renames(write.call, ctx, found)
        reported, hidden = reported + more, hidden + more_hidden
    elif write.exempt_reason is not None:
        status = EXEMPT
    else:
        status = NON_ATOMIC
    return WriteEntry(
        site=_site(write.call, ctx),
        api=write.api.replace("pathlib.", ""),
        write_kind=write.kind,
        mode=write.mode,
        target=_short(write.target, _TARGET_LIMIT) if write.target is not None else None,
        status=status,
        exempt=None if status in (ATOMIC, NON_ATOMIC) else write.exempt_reason,
        artifact_scope=ctx.in_artifact_scope(write.call),
        findings=_codes(reported),
        suppressed=_codes(hidden),
    )


def _unsynced_renames(call: ast.Call, ctx: Context, found: _FindingIndex) -> tuple[list[str], list[str]]:
    """DET105 on a rename after ``call`` in the same function: the temp file it publishes is not synced."""
    import ast

    from .checks._util import walk_local
    from .checks.atomic_writes import rename_call

    reported: list[str] = []
    hidden: list[str] = []
    where = (call.lineno, call.col_offset)
    for node in walk_local(ctx.enclosing_scope(call)):
        if isinstance(node, ast.Call) and (node.lineno, node.col_offset) > where and rename_call(node, ctx) is not None:
            codes, suppressed = found.at(node, ctx, "DET105")
            reported.extend(codes)
            hidden.extend(suppressed)
    return reported, hidden


# -- listings ------------------------------------------------------------------------------------


def _listing_entry(listing: Listing, ctx: Context, found: _FindingIndex) -> ListingEntry:
    reported, hidden = found.at(listing.call, ctx)
    order, consumed = _listing_order(listing, ctx)
    return ListingEntry(
        site=_site(listing.call, ctx),
        api=listing.label,
        listing_kind=listing.kind,
        order=order,
        consumed=_clip(consumed, _TEXT_LIMIT),
        findings=_codes(reported),
        suppressed=_codes(hidden),
    )


def _listing_order(listing: Listing, ctx: Context) -> tuple[str, str]:
    """Whether the listing's order can reach anything, asked of the DET3xx rules themselves."""
    from .checks.fs_order import UnsortedListing, UnsortedWalk, matches_at_most_one

    for rule in (UnsortedListing(), UnsortedWalk()):
        for report in rule.check(listing.call, ctx):
            message = report.message or rule.message
            match = _REACHES_RE.search(message)
            if match is not None:
                return UNSORTED, f"order reaches {match.group(1)}"
            return UNSORTED, message.split(": ", 1)[0]
    if matches_at_most_one(listing, ctx):
        return INSENSITIVE, "pattern matches at most one entry"
    return _consumer(listing, ctx)


def _consumer(listing: Listing, ctx: Context) -> tuple[str, str]:
    """How an order-insensitive listing is used: sorted at once, sorted later, or order-free."""
    import ast

    from .checks._order import INSENSITIVE_CALLS, ORDER_PRESERVING_CALLS, _spelling

    node: ast.AST = listing.call
    for _ in range(64):
        parent = ctx.parent(node)
        if parent is None:
            break
        if isinstance(parent, ast.Call):
            if node is parent.func:
                break
            name = ctx.call_name(parent)
            if name == "builtins.sorted":
                return SORTED, "sorted(...)"
            if name in INSENSITIVE_CALLS:
                return INSENSITIVE, f"{_spelling(parent)}"
            if name in ORDER_PRESERVING_CALLS:
                node = parent
                continue
            return INSENSITIVE, f"passed to {_spelling(parent)}"
        if isinstance(parent, ast.comprehension):
            node = ctx.parent(parent) or parent
            if isinstance(node, ast.SetComp):
                return INSENSITIVE, "set comprehension"
            continue
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            return _loop_consumer(parent, listing, ctx)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                line = _sorted_later(targets[0].id, parent, ctx)
                if line is not None:
                    return SORTED_LATER, f"`{targets[0].id}` sorted on line {line}"
                return INSENSITIVE, f"assigned to `{targets[0].id}`; its uses ignore the order"
            return INSENSITIVE, f"assigned ({_spelling(parent)})"
        if isinstance(parent, ast.Compare):
            return INSENSITIVE, "membership or comparison test"
        if isinstance(parent, (ast.If, ast.While, ast.BoolOp, ast.UnaryOp)):
            return INSENSITIVE, "truth test"
        if isinstance(parent, ast.stmt):
            return INSENSITIVE, _spelling(parent)
        node = parent
    return INSENSITIVE, "order not used"


def _loop_consumer(loop: Union[ast.For, ast.AsyncFor], listing: Listing, ctx: Context) -> tuple[str, str]:
    import ast

    from .checks._order import ACCUMULATE_METHODS, sorts_in_place
    from .checks._util import walk_local

    if listing.kind == "walk":
        target = loop.target
        dirs = target.elts[1] if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) >= 3 else None
        if isinstance(dirs, ast.Name) and any(
            isinstance(node, ast.stmt) and sorts_in_place(node, dirs.id) for node in walk_local(loop)
        ):
            return SORTED, f"`{dirs.id}` sorted in place in the loop"
    accumulators = sorted(
        {
            node.func.value.id
            for node in walk_local(loop)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ACCUMULATE_METHODS
            and isinstance(node.func.value, ast.Name)
        }
    )
    for name in accumulators:
        line = _sorted_later(name, loop, ctx)
        if line is not None:
            return SORTED_LATER, f"collected in `{name}`, sorted on line {line}"
    return INSENSITIVE, "the loop body ignores the order"


def _sorted_later(name: str, after: ast.AST, ctx: Context) -> Optional[int]:
    """First line after ``after`` that sorts ``name`` in place or passes it to ``sorted``."""
    import ast

    from .checks._order import sorts_in_place
    from .checks._util import walk_local

    start = getattr(after, "end_lineno", 0) or getattr(after, "lineno", 0)
    lines = []
    for node in walk_local(ctx.enclosing_scope(after)):
        line = getattr(node, "lineno", 0)
        if line <= start:
            continue
        if isinstance(node, ast.stmt) and sorts_in_place(node, name):
            lines.append(line)
        elif (
            isinstance(node, ast.Call)
            and ctx.call_name(node) == "builtins.sorted"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
        ):
            lines.append(line)
    return min(lines) if lines else None


def _short(node: ast.AST, limit: int) -> str:
    import ast

    try:
        text = ast.unparse(node)
    except Exception:  # an odd node shape must not lose the record
        text = type(node).__name__
    return _clip(" ".join(text.split()), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the document ----------------------------------------------------------------------------------


def _document(results: Sequence[FileInventory], settings: Settings) -> dict[str, Any]:
    results = sorted(results, key=lambda result: result.file.path)
    handlers: list[dict[str, Any]] = []
    writes: list[dict[str, Any]] = []
    listings: list[dict[str, Any]] = []
    files = []
    for result in results:
        entry = result.file
        own = (
            [item.as_dict() for item in result.handlers],
            [item.as_dict() for item in result.writes],
            [item.as_dict() for item in result.listings],
        )
        handlers += own[0]
        writes += own[1]
        listings += own[2]
        files.append(
            {
                "path": entry.path,
                "analysed": entry.analysed,
                "error": entry.error,
                "error_line": entry.error_line,
                "counts": _counts(*own),
            }
        )
    for records in (handlers, writes, listings):
        assign_occurrences(records)
    analysed = sum(1 for row in files if row["analysed"])
    summary = {
        "files": {"analysed": analysed, "not_analysed": len(files) - analysed},
        "total": _counts(handlers, writes, listings),
        "handlers": {
            "by_behaviour": _tally(handlers, "behaviour"),
            "by_scope": _tally(handlers, "scope"),
            "by_policy": _tally(handlers, "policy"),
        },
        "writes": {"by_status": _tally(writes, "status"), "by_api": _tally(writes, "api")},
        "enumerations": {"by_order": _tally(listings, "order"), "by_api": _tally(listings, "api")},
    }
    return {
        "version": INVENTORY_VERSION,
        "settings": {"strict": bool(settings.strict)},
        "files": files,
        "exceptions": handlers,
        "writes": writes,
        "enumerations": listings,
        "summary": summary,
    }


def assign_occurrences(records: list[dict[str, Any]]) -> None:
    """Number sites that share path, function and source line, in source order."""
    records.sort(key=lambda r: (r["path"], r["line"], r["col"], r["source"]))
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        key = (record["path"], record["function"], record["source"])
        record["occurrence"] = seen.get(key, 0)
        seen[key] = record["occurrence"] + 1


def _counts(
    handlers: Sequence[dict[str, Any]], writes: Sequence[dict[str, Any]], listings: Sequence[dict[str, Any]]
) -> dict[str, int]:
    return {
        "handlers": len(handlers),
        "silent": sum(1 for h in handlers if h["behaviour"] == SILENT),
        "fail_closed": sum(1 for h in handlers if h["behaviour"] in FAIL_CLOSED_BEHAVIOURS),
        "writes": len(writes),
        "non_atomic": sum(1 for w in writes if w["status"] == NON_ATOMIC),
        "listings": len(listings),
        "unsorted": sum(1 for item in listings if item["order"] == UNSORTED),
    }


def _tally(records: Sequence[dict[str, Any]], field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[str(record[field])] = counts.get(str(record[field]), 0) + 1
    return dict(sorted(counts.items()))


def render_json(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, sort_keys=True, indent=2) + "\n"


# -- Markdown --------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    value = " ".join(str(text).split())
    return value.replace("\\", "\\\\").replace("|", "\\|") if value else "—"


def _code(text: Optional[str]) -> str:
    if not text:
        return "—"
    value = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Optional[Sequence[str]] = None) -> list[str]:
    if not rows:
        return ["None.", ""]
    marks = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    lines.append("")
    return lines


def _location(record: dict[str, Any]) -> str:
    return _code(f"{record['path']}:{record['line']}")


def _finding_cell(record: dict[str, Any]) -> str:
    codes = list(record.get("findings") or [])
    codes += [f"{code} (noqa)" for code in record.get("suppressed") or []]
    return ", ".join(codes) if codes else "—"


def _caught_cell(record: dict[str, Any]) -> str:
    if record.get("bare"):
        return "bare `except:`"
    caught = ", ".join(record.get("caught") or [])
    prefix = "suppress " if record.get("clause") == "suppress" else ""
    return prefix + _code(caught) if caught else "—"


def _behaviour_cell(record: dict[str, Any]) -> str:
    behaviour = str(record["behaviour"])
    if behaviour == LOGS:
        details = [str(record.get("log_level") or "log")]
        if record.get("traceback"):
            details.append("traceback")
        return f"{behaviour} ({', '.join(details)})"
    return behaviour


def _scope_cell(record: dict[str, Any]) -> str:
    if record["scope"] == ARTIFACT and record.get("scope_reason"):
        return _cell(f"{record['scope']}: {record['scope_reason']}")
    return _cell(record["scope"])


def _status_cell(record: dict[str, Any]) -> str:
    if record.get("exempt") and record["status"] == EXEMPT:
        return _cell(f"{record['status']}: {record['exempt']}")
    return _cell(record["status"])


def _ordered_tally(tally: dict[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    known = [(name, tally[name]) for name in order if tally.get(name)]
    return known + [(name, count) for name, count in sorted(tally.items()) if name not in order and count]


def render_markdown(document: dict[str, Any]) -> str:
    summary = document["summary"]
    total = summary["total"]
    files = summary["files"]
    lines = ["# Determinism inventory", ""]
    head = f"{files['analysed']} {_plural(files['analysed'], 'file')} analysed"
    if files["not_analysed"]:
        head += f", {files['not_analysed']} not analysed"
    lines.append(
        f"{head}: {total['handlers']} exception {_plural(total['handlers'], 'handler')}"
        f" ({total['silent']} silent, {total['fail_closed']} fail closed),"
        f" {total['writes']} file {_plural(total['writes'], 'write')} ({total['non_atomic']} non-atomic),"
        f" {total['listings']} directory {_plural(total['listings'], 'listing')} ({total['unsorted']} unsorted)."
    )
    if document.get("settings", {}).get("strict"):
        lines.append("")
        lines.append("Strict mode: all code counts as artifact-shaping.")
    lines += ["", "## Summary", ""]
    count_header = ["file", "handlers", "silent", "fail closed", "writes", "non-atomic", "listings", "unsorted"]
    keys = ("handlers", "silent", "fail_closed", "writes", "non_atomic", "listings", "unsorted")
    rows = []
    for row in document["files"]:
        if row["analysed"]:
            rows.append([_code(row["path"]), *(str(row["counts"][key]) for key in keys)])
        else:
            rows.append([_code(row["path"]), "not analysed", *("—" for _ in keys[1:])])
    rows.append(["**total**", *(f"**{total[key]}**" for key in keys)])
    lines += _table(count_header, rows, ["---", *("--:" for _ in keys)])
    for title, tally, order in (
        ("handler behaviour", summary["handlers"]["by_behaviour"], BEHAVIOURS),
        ("handler scope", summary["handlers"]["by_scope"], SCOPES),
        ("recommended policy", summary["handlers"]["by_policy"], POLICIES),
        ("write status", summary["writes"]["by_status"], WRITE_STATUSES),
        ("listing order", summary["enumerations"]["by_order"], ORDERS),
    ):
        counted = _ordered_tally(tally, order)
        if counted:
            lines += _table([title, "count"], [[_cell(name), str(count)] for name, count in counted], ["---", "--:"])

    lines += ["## Exception handlers", ""]
    lines += _table(
        ["location", "function", "catches", "behaviour", "scope", "findings", "policy"],
        [
            [
                _location(h),
                _code(h["function"]),
                _caught_cell(h),
                _cell(_behaviour_cell(h)),
                _scope_cell(h),
                _finding_cell(h),
                _cell(h["policy"]),
            ]
            for h in document["exceptions"]
        ],
    )
    lines += ["## File writes", ""]
    lines += _table(
        ["location", "function", "API", "mode", "target", "status", "findings"],
        [
            [
                _location(w),
                _code(w["function"]),
                _code(w["api"]),
                _code(w["mode"]),
                _code(w["target"]),
                _status_cell(w),
                _finding_cell(w),
            ]
            for w in document["writes"]
        ],
    )
    lines += ["## Directory listings", ""]
    lines += _table(
        ["location", "function", "API", "order", "consumed", "findings"],
        [
            [
                _location(item),
                _code(item["function"]),
                _code(item["api"]),
                _cell(item["order"]),
                _cell(item["consumed"]),
                _finding_cell(item),
            ]
            for item in document["enumerations"]
        ],
    )
    skipped = [row for row in document["files"] if not row["analysed"]]
    if skipped:
        lines += ["## Not analysed", ""]
        lines += _table(
            ["file", "reason"],
            [
                [_code(row["path"] + (f":{row['error_line']}" if row.get("error_line") else "")), _cell(row["error"])]
                for row in skipped
            ],
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


# -- comparing two inventories ----------------------------------------------------------------------

_SECTIONS = (("exceptions", "handler"), ("writes", "write"), ("enumerations", "listing"))
_REQUIRED = {
    "exceptions": ("path", "line", "col", "function", "source", "behaviour"),
    "writes": ("path", "line", "col", "function", "source", "status", "api"),
    "enumerations": ("path", "line", "col", "function", "source", "order", "api"),
}


def load_inventory(path: str) -> dict[str, Any]:
    """A JSON inventory written by ``inventory --format json``; ``ConfigError`` when it is not one."""
    import json

    from .settings import ConfigError

    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"--compare {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ConfigError(
            f"--compare {path}: not a JSON inventory ({error}); write one with `inventory --format json`"
        ) from None
    except RecursionError:
        raise ConfigError(
            f"--compare {path}: not a JSON inventory (nested too deeply); write one with `inventory --format json`"
        ) from None
    if not isinstance(document, dict) or document.get("version") != INVENTORY_VERSION:
        raise ConfigError(
            f"--compare {path}: not an inventory of version {INVENTORY_VERSION};"
            " write one with `inventory --format json`"
        )
    for section, fields in _REQUIRED.items():
        records = document.get(section)
        if not isinstance(records, list) or not all(
            isinstance(record, dict) and all(_field_ok(name, record.get(name, _MISSING)) for name in fields)
            for record in records
        ):
            raise ConfigError(f"--compare {path}: malformed {section!r} section")
        for record in records:
            # Display-only fields: anything but the shapes the renderers expect is dropped.
            for name in ("caught", "findings", "suppressed"):
                value = record.get(name)
                if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    record[name] = None
            for name in ("clause", "api"):
                if name in record and record[name] is not None and not isinstance(record[name], str):
                    raise ConfigError(f"--compare {path}: malformed {section!r} section")
    files = document.get("files")
    if not isinstance(files, list) or not all(
        isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("error"), (str, type(None)))
        for row in files
    ):
        raise ConfigError(f"--compare {path}: malformed 'files' section")
    return document


_MISSING = object()
_INT_FIELDS = ("line", "col")


def _field_ok(name: str, value: Any) -> bool:
    """A required record field of the type the comparison relies on (sorting, hashing)."""
    if name in _INT_FIELDS:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def match_sites(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Pair the sites of one kind: ``(pairs, removed, added)``.

    First by identity (path, function, normalized source line, occurrence), which survives
    inserted lines; then, within one function of one file, rewritten lines by similarity
    (``open(...)`` -> ``atomic_open(...)``), and a last single leftover on each side.
    """
    from difflib import SequenceMatcher

    old_records = [dict(record) for record in old]
    new_records = [dict(record) for record in new]
    assign_occurrences(old_records)
    assign_occurrences(new_records)

    def identity(record: dict[str, Any]) -> tuple[str, str, str, int]:
        return (record["path"], record["function"], record["source"], record["occurrence"])

    by_identity = {identity(record): index for index, record in enumerate(new_records)}
    pairs: list[tuple[int, int]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for index, record in enumerate(old_records):
        other = by_identity.get(identity(record))
        if other is not None:
            pairs.append((index, other))
            taken_old.add(index)
            taken_new.add(other)

    groups: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for index, record in enumerate(old_records):
        if index not in taken_old:
            groups.setdefault((record["path"], record["function"]), ([], []))[0].append(index)
    for index, record in enumerate(new_records):
        if index not in taken_new:
            group = groups.get((record["path"], record["function"]))
            if group is not None:
                group[1].append(index)
    for key in sorted(groups):
        olds, news = groups[key]
        candidates = sorted(
            (-SequenceMatcher(None, old_records[o]["source"], new_records[n]["source"]).ratio(), o, n)
            for o in olds
            for n in news
        )
        for negative_ratio, o, n in candidates:
            if -negative_ratio < _SIMILARITY or o in taken_old or n in taken_new:
                continue
            pairs.append((o, n))
            taken_old.add(o)
            taken_new.add(n)
        left_old = [o for o in olds if o not in taken_old]
        left_new = [n for n in news if n not in taken_new]
        if len(left_old) == 1 and len(left_new) == 1:
            pairs.append((left_old[0], left_new[0]))
            taken_old.add(left_old[0])
            taken_new.add(left_new[0])

    pairs.sort(key=lambda pair: _position(new_records[pair[1]]))
    removed = [record for index, record in enumerate(old_records) if index not in taken_old]
    added = [record for index, record in enumerate(new_records) if index not in taken_new]
    return [(old_records[o], new_records[n]) for o, n in pairs], removed, added


def _position(record: dict[str, Any]) -> tuple[str, int, int]:
    return (record["path"], record["line"], record["col"])


def _is_fail_closed(record: dict[str, Any]) -> bool:
    return record["behaviour"] in FAIL_CLOSED_BEHAVIOURS


def _change(old: Optional[dict[str, Any]], new: Optional[dict[str, Any]], field: str) -> dict[str, Any]:
    where = new if new is not None else old
    assert where is not None
    row: dict[str, Any] = {
        "path": where["path"],
        "line": where["line"],
        "function": where["function"],
        "source": where["source"],
        "before": old[field] if old is not None else None,
        "line_before": old["line"] if old is not None else None,
        "after": new[field] if new is not None else None,
    }
    if "api" in where:
        row["api"] = where["api"]
    if "caught" in where:
        row["caught"] = where.get("caught") or []
        row["bare"] = bool(where.get("bare"))
    return row


def compare_inventories(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two inventory documents; ``regression_count`` > 0 means a regression."""
    matched: dict[str, tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for section, _ in _SECTIONS:
        matched[section] = match_sites(old[section], new[section])

    pairs, removed, added = matched["exceptions"]
    became_fail_closed = [_change(o, n, "behaviour") for o, n in pairs if not _is_fail_closed(o) and _is_fail_closed(n)]
    no_longer_silent = [_change(o, n, "behaviour") for o, n in pairs if o["behaviour"] == SILENT and n["behaviour"] != SILENT]
    new_silent = [_change(o, n, "behaviour") for o, n in pairs if o["behaviour"] != SILENT and n["behaviour"] == SILENT]
    new_silent += [_change(None, n, "behaviour") for n in added if n["behaviour"] == SILENT]
    handler_changes = _change_counts(pairs, removed, added)

    pairs, removed, added = matched["writes"]
    made_atomic = [_change(o, n, "status") for o, n in pairs if o["status"] == NON_ATOMIC and n["status"] != NON_ATOMIC]
    new_non_atomic = [_change(o, n, "status") for o, n in pairs if o["status"] != NON_ATOMIC and n["status"] == NON_ATOMIC]
    new_non_atomic += [_change(None, n, "status") for n in added if n["status"] == NON_ATOMIC]
    write_changes = _change_counts(pairs, removed, added)

    pairs, removed, added = matched["enumerations"]
    sorted_now = [_change(o, n, "order") for o, n in pairs if o["order"] == UNSORTED and n["order"] != UNSORTED]
    new_unsorted = [_change(o, n, "order") for o, n in pairs if o["order"] != UNSORTED and n["order"] == UNSORTED]
    new_unsorted += [_change(None, n, "order") for n in added if n["order"] == UNSORTED]
    listing_changes = _change_counts(pairs, removed, added)

    # A file that no longer parses drops out of the inventory and would hide its regressions.
    old_files = {row.get("path"): row for row in old["files"] if isinstance(row, dict)}
    lost = [
        {"path": row.get("path"), "error": row.get("error")}
        for row in new["files"]
        if isinstance(row, dict) and not row.get("analysed") and bool(old_files.get(row.get("path"), {}).get("analysed"))
    ]
    lost.sort(key=lambda row: str(row["path"]))

    for rows in (became_fail_closed, no_longer_silent, new_silent, made_atomic, new_non_atomic, sorted_now, new_unsorted):
        rows.sort(key=lambda row: (row["path"], row["line"], row["source"]))
    regressions = {
        "new_silent_handlers": new_silent,
        "new_non_atomic_writes": new_non_atomic,
        "new_unsorted_listings": new_unsorted,
        "files_no_longer_analysed": lost,
    }
    return {
        "version": COMPARISON_VERSION,
        "regressions": regressions,
        "regression_count": sum(len(rows) for rows in regressions.values()),
        "improvements": {
            "handlers_fail_closed": became_fail_closed,
            "handlers_no_longer_silent": no_longer_silent,
            "writes_made_atomic": made_atomic,
            "listings_sorted": sorted_now,
        },
        "changes": {"handlers": handler_changes, "writes": write_changes, "listings": listing_changes},
        "totals": {"before": _totals(old), "after": _totals(new)},
    }


def _change_counts(pairs: Sequence[Any], removed: Sequence[Any], added: Sequence[Any]) -> dict[str, int]:
    return {"matched": len(pairs), "removed": len(removed), "added": len(added)}


def _totals(document: dict[str, Any]) -> dict[str, int]:
    counts = _counts(document["exceptions"], document["writes"], document["enumerations"])
    files = [row for row in document["files"] if isinstance(row, dict)]
    counts["files_analysed"] = sum(1 for row in files if row.get("analysed"))
    counts["files_not_analysed"] = len(files) - counts["files_analysed"]
    return counts


_TOTAL_ROWS = (
    ("files analysed", "files_analysed"),
    ("files not analysed", "files_not_analysed"),
    ("exception handlers", "handlers"),
    ("fail-closed handlers", "fail_closed"),
    ("silent handlers", "silent"),
    ("file writes", "writes"),
    ("non-atomic writes", "non_atomic"),
    ("directory listings", "listings"),
    ("unsorted listings", "unsorted"),
)


def render_comparison_markdown(comparison: dict[str, Any]) -> str:
    regressions = comparison["regressions"]
    improvements = comparison["improvements"]
    count = comparison["regression_count"]
    lines = ["# Inventory comparison", ""]
    old_name, new_name = comparison.get("old"), comparison.get("new")
    prefix = f"{_code(old_name)} → {_code(new_name)}: " if old_name and new_name else ""
    verdict = f"{count} {_plural(count, 'regression')}." if count else "no regressions."
    lines += [prefix + verdict, ""]
    before, after = comparison["totals"]["before"], comparison["totals"]["after"]
    lines += _table(
        ["totals", "before", "after"],
        [[label, str(before[key]), str(after[key])] for label, key in _TOTAL_ROWS],
        ["---", "--:", "--:"],
    )
    changes = comparison["changes"]
    lines += _table(
        ["sites", "matched", "removed", "added"],
        [
            [name, str(changes[name]["matched"]), str(changes[name]["removed"]), str(changes[name]["added"])]
            for name in ("handlers", "writes", "listings")
        ],
        ["---", "--:", "--:", "--:"],
    )
    lines += ["## Regressions", ""]
    lines += _change_section("New silent handlers", regressions["new_silent_handlers"], "catches")
    lines += _change_section("New non-atomic writes", regressions["new_non_atomic_writes"], "API")
    lines += _change_section("New unsorted listings", regressions["new_unsorted_listings"], "API")
    lost = regressions["files_no_longer_analysed"]
    if lost:
        lines += [f"### Files no longer analysed ({len(lost)})", ""]
        lines += _table(["file", "reason"], [[_code(str(row["path"])), _cell(row.get("error") or "")] for row in lost])
    lines += ["## Improvements", ""]
    lines += _change_section("Handlers that became fail-closed", improvements["handlers_fail_closed"], "catches")
    lines += _change_section("Handlers no longer silent", improvements["handlers_no_longer_silent"], "catches")
    lines += _change_section("Writes made atomic", improvements["writes_made_atomic"], "API")
    lines += _change_section("Listings sorted", improvements["listings_sorted"], "API")
    return "\n".join(lines).rstrip("\n") + "\n"


def _change_section(title: str, rows: Sequence[dict[str, Any]], what: str) -> list[str]:
    lines = [f"### {title} ({len(rows)})", ""]
    table_rows = []
    for row in rows:
        detail = _caught_cell(row) if what == "catches" else _code(row.get("api"))
        before = _cell(row["before"]) if row["before"] is not None else "(new)"
        table_rows.append([_location(row), _code(row["function"]), detail, before, _cell(row["after"]), _code(row["source"])])
    return lines + _table(["location", "function", what, "before", "after", "source"], table_rows)
