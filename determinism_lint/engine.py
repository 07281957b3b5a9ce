"""The one detector: parse, walk once, dispatch rules by node type, collect findings.

The CLI, the flake8 plugin and the fixer all go through :class:`Engine`, so they can
never disagree about what is a finding.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gc
import io
import os
import re
import tokenize
import traceback
import warnings
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator, Optional, Sequence, Union

from . import noqa as noqa_mod
from .checks import ALL_RULES
from .checks.base import Rule
from .context import Context
from .model import UNCHECKED_CODE, Finding, FixInfo, FixSafety
from .positions import char_col
from .settings import Settings

from .nodes import walk_ordered as _walk_ordered

#: Collected on every walk: the artifact-scope analysis needs every call and function.
ALWAYS_COLLECTED = frozenset({ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom, ast.Assign})


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    #: Findings that a ``# noqa`` comment suppressed (for unused-noqa reporting and the fixer).
    suppressed: tuple[Finding, ...] = ()
    #: ``(line, codes)`` of every ``# noqa`` comment; ``codes`` empty for a blanket noqa.
    noqa: tuple[tuple[int, tuple[str, ...]], ...] = ()
    checked: bool = True


@dataclass
class ParsedSource:
    text: str
    tree: ast.Module


class SourceError(Exception):
    """The file cannot be checked; ``line``/``col`` point at the cause when known."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.col = max(col, 1)


def decode_source(data: bytes) -> str:
    """Decode Python source the way the interpreter does (PEP 263 cookie, BOM)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if not str(error.msg).startswith("invalid or missing encoding declaration"):
            raise SourceError(f"cannot decode: {error.msg}", error.lineno or 1) from None
        # Undecodable bytes in the first two lines: decode as UTF-8 below to say where.
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            f"cannot decode as {encoding}: invalid byte 0x{data[error.start]:02x}"
            " (declare the encoding with a coding comment or save the file as UTF-8)",
            line,
            col,
        ) from None
    except LookupError:
        raise SourceError(f"cannot decode: unknown encoding {encoding!r}") from None


def parse_source(data: Union[bytes, str], path: str) -> ParsedSource:
    """Decode and parse; every failure becomes a :class:`SourceError` with a clear message."""
    text = decode_source(data) if isinstance(data, bytes) else data
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise SourceError("cannot parse: the file contains a NUL byte (is it binary?)", line, col)
    try:
        # The parser warns about things like invalid escape sequences; those are not
        # ours to report, and they would clutter the output of every run.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        raise SourceError(
            f"cannot parse: {type(error).__name__}: {error.msg}", error.lineno or 1, error.offset or 1
        ) from None
    except (RecursionError, MemoryError):
        raise SourceError("cannot parse: the code is nested too deeply for Python's parser") from None
    except ValueError as error:
        raise SourceError(f"cannot parse: {error}") from None
    return ParsedSource(text, tree)


class Engine:
    """Runs the enabled rules over files, sources or already-parsed trees."""

    def __init__(self, settings: Optional[Settings] = None, rules: Optional[Sequence[type[Rule]]] = None) -> None:
        self.settings = settings if settings is not None else Settings()
        classes = ALL_RULES if rules is None else tuple(rules)
        self.rules: tuple[Rule, ...] = tuple(cls() for cls in classes if self.settings.is_enabled(cls.code))
        self._fix_infos: dict[str, FixInfo] = {}
        self._dispatch = self._build_dispatch(self.rules)
        self._wanted = ALWAYS_COLLECTED.union(self._dispatch)
        self._call_index = self._build_call_index(self.rules)
        self._filtered_ids = frozenset(
            id(rule) for rule in self.rules if ast.Call in rule.node_types and rule.call_names(self.settings) is not None
        )
        #: Dispatch tables for subsets of the rules (test code, per-file ignores), by codes.
        self._subsets: dict[tuple[str, ...], tuple[dict, frozenset, dict]] = {}

    @staticmethod
    def _build_dispatch(rules: Iterable[Rule]) -> dict[type, tuple[Rule, ...]]:
        table: dict[type, list[Rule]] = {}
        for rule in rules:
            for node_type in rule.node_types:
                table.setdefault(node_type, []).append(rule)
        return {node_type: tuple(found) for node_type, found in table.items()}

    def _build_call_index(self, rules: Iterable[Rule]) -> dict[str, tuple[Rule, ...]]:
        """Callee name -> the rules that want such calls (rules with a ``call_names`` filter)."""
        index: dict[str, list[Rule]] = {}
        for rule in rules:
            if ast.Call in rule.node_types:
                names = rule.call_names(self.settings)
                if names is not None:
                    for name in sorted(names):
                        index.setdefault(name, []).append(rule)
        return {name: tuple(found) for name, found in index.items()}

    # -- entry points ------------------------------------------------------------------

    def check_path(self, path: str) -> FileResult:
        """Read, decode, parse and check one file; never raises for bad input."""
        try:
            with open(path, "rb") as handle:
                data = read_limited(handle, self.settings.max_file_size)
        except OSError as error:
            return self._unchecked(path, SourceError(f"cannot read: {error.strerror or error}"))
        if len(data) > self.settings.max_file_size:
            size = _size_of(path, len(data))
            return self._unchecked(
                path,
                SourceError(
                    f"not checked: the file is {size / 1e6:.1f} MB ({size:,} bytes), over the"
                    f" max-file-size limit of {self.settings.max_file_size:,} bytes; raise max-file-size"
                    " to check it"
                ),
            )
        return self.check_source(data, path)

    def check_source(self, data: Union[bytes, str], path: str) -> FileResult:
        if skips_file(data):
            return FileResult(path=path)
        with gc_paused():
            try:
                parsed = parse_source(data, path)
            except SourceError as error:
                return self._unchecked(path, error)
            text = parsed.text
            findings = self.check_tree(parsed.tree, text, path)
            # Free the tree while collection is paused: it would otherwise count as that
            # many new objects, and the first collection after the pause would scan them all.
            del parsed
        return self._apply_noqa(path, text, findings)

    def check_tree(self, tree: ast.Module, text: str, path: str) -> list[Finding]:
        """All findings of the enabled rules in ``tree``, sorted, ``noqa`` not applied."""
        rules = self._rules_for(path)
        if not rules or skips_file(text):
            return []
        if len(rules) == len(self.rules):
            dispatch, wanted, call_index = self._dispatch, self._wanted, self._call_index
        else:
            key = tuple(rule.code for rule in rules)
            plan = self._subsets.get(key)
            if plan is None:
                subset_dispatch = self._build_dispatch(rules)
                plan = self._subsets[key] = (
                    subset_dispatch,
                    ALWAYS_COLLECTED.union(subset_dispatch),
                    self._build_call_index(rules),
                )
            dispatch, wanted, call_index = plan
        with gc_paused():
            parents, buckets, walked = _walk_ordered(tree, wanted)
            ctx = Context(
                path=path, source=text, tree=tree, parents=parents, settings=self.settings, buckets=buckets,
                walked=walked,
            )
            try:
                return self._check_context(ctx, dispatch, call_index, buckets)
            finally:
                ctx.close()

    def _check_context(
        self,
        ctx: Context,
        dispatch: dict[type, tuple[Rule, ...]],
        call_index: dict[str, tuple[Rule, ...]],
        buckets: dict[type, list[ast.AST]],
    ) -> list[Finding]:
        findings: list[Finding] = []
        by_handler: dict[int, list[tuple[Rule, Finding]]] = {}
        filtered_calls = _calls_by_rule(buckets.get(ast.Call, ()), _with_aliases(call_index, buckets))
        for node_type, rules_for_type in dispatch.items():
            nodes = buckets.get(node_type)
            if not nodes:
                continue
            for rule in rules_for_type:
                if node_type is ast.Call and id(rule) in self._filtered_ids:
                    selected = filtered_calls.get(id(rule))
                    if selected:
                        findings.extend(self._run_rule(rule, selected, ctx, by_handler))
                else:
                    findings.extend(self._run_rule(rule, nodes, ctx, by_handler))
        if by_handler:
            findings = _one_finding_per_handler(findings, by_handler)
        findings.sort()
        return findings

    # -- internals ---------------------------------------------------------------------

    def _rules_for(self, path: str) -> tuple[Rule, ...]:
        rules = self.rules
        if self.settings.is_not_artifact_path(path):
            # Test code and development tooling are not artifact code: only the rules that
            # say they apply in test code run there.
            rules = tuple(rule for rule in rules if rule.applies_in_tests)
        if self.settings.per_file_ignores:
            rules = tuple(rule for rule in rules if self.settings.is_enabled(rule.code, path))
        return rules

    def _run_rule(
        self,
        rule: Rule,
        nodes: list[ast.AST],
        ctx: Context,
        by_handler: Optional[dict[int, list[tuple[Rule, Finding]]]] = None,
    ) -> list[Finding]:
        found: list[Finding] = []
        merged = by_handler is not None and rule.handler_rank is not None
        artifact_only = rule.artifact_only and not ctx.settings.strict
        current: Optional[ast.AST] = None
        try:
            for node in nodes:
                current = node
                for report in rule.check(node, ctx):
                    if artifact_only and not ctx.in_artifact_scope(report.node):
                        continue
                    finding = self._finding(rule, report.node, report.message, report.fixable, ctx)
                    found.append(finding)
                    if merged and isinstance(report.node, ast.ExceptHandler):
                        by_handler.setdefault(id(report.node), []).append((rule, finding))  # type: ignore[union-attr]
        except Exception as error:  # a rule bug must not stop the run: report it instead
            line = getattr(current, "lineno", 1)
            where = traceback.extract_tb(error.__traceback__)[-1]
            found.append(
                Finding(
                    path=ctx.path,
                    line=line,
                    col=1,
                    code=UNCHECKED_CODE,
                    message=(
                        f"internal error in {rule.code} ({type(error).__name__}: {error}"
                        f" at {where.name}:{where.lineno}); the rest of this file was checked."
                        " Please report this with the code around this line."
                    ),
                    end_line=line,
                    end_col=1,
                )
            )
        return found

    def _finding(
        self, rule: Rule, node: ast.AST, message: Optional[str], fixable: bool, ctx: Context
    ) -> Finding:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = char_col(ctx.line_text(line), getattr(node, "col_offset", 0)) + 1
        end_col = char_col(ctx.line_text(end_line), getattr(node, "end_col_offset", None) or 0) + 1
        fix = None
        if fixable and rule.fix_safety is not FixSafety.NONE and rule.fix_title:
            fix = self._fix_infos.get(rule.code)
            if fix is None:  # one shared record per rule, not one per finding
                fix = self._fix_infos[rule.code] = FixInfo(rule.fix_safety, rule.fix_title)
        return Finding(
            path=ctx.path,
            line=line,
            col=col,
            code=rule.code,
            message=message or rule.message,
            end_line=end_line,
            end_col=end_col,
            fix=fix,
        )

    def _unchecked(self, path: str, error: SourceError) -> FileResult:
        finding = Finding(
            path=path,
            line=error.line,
            col=error.col,
            code=UNCHECKED_CODE,
            message=error.message,
            end_line=error.line,
            end_col=error.col,
        )
        return FileResult(path=path, findings=(finding,), checked=False)

    def _apply_noqa(self, path: str, text: str, findings: list[Finding]) -> FileResult:
        comments = noqa_mod.parse_noqa(text)
        if not comments:
            return FileResult(path=path, findings=tuple(findings))
        kept: list[Finding] = []
        suppressed: list[Finding] = []
        foreign = self.settings.honor_foreign_noqa
        for finding in findings:
            if finding.code != UNCHECKED_CODE and noqa_mod.suppresses(
                comments.get(finding.line), finding.code, foreign=foreign
            ):
                suppressed.append(finding)
            else:
                kept.append(finding)
        return FileResult(
            path=path,
            findings=tuple(kept),
            suppressed=tuple(suppressed),
            noqa=tuple(sorted(comments.items())),
        )


def _one_finding_per_handler(
    findings: list[Finding], by_handler: dict[int, list[tuple[Rule, Finding]]]
) -> list[Finding]:
    """One finding per ``except`` handler: where several rules flag the same handler, the
    rule with the lowest ``handler_rank`` keeps its finding, and the message says what the
    others found (a silent bare ``except:`` is one DET401 that says it is also silent)."""
    replaced: dict[int, Optional[Finding]] = {}
    for reports in by_handler.values():
        if len(reports) < 2:
            continue
        reports = sorted(reports, key=lambda pair: (pair[0].handler_rank, pair[0].code))
        (_, kept), others = reports[0], reports[1:]
        notes = [note for note in (rule.handler_note_for(finding) for rule, finding in others) if note]
        message = f"{kept.message}; the handler also {' and '.join(notes)}" if notes else kept.message
        replaced[id(kept)] = dataclasses.replace(kept, message=message, also=tuple(finding for _, finding in others))
        for _, finding in others:
            replaced[id(finding)] = None
    if not replaced:
        return findings
    result: list[Finding] = []
    for finding in findings:
        if id(finding) in replaced:
            substitute = replaced[id(finding)]
            if substitute is not None:
                result.append(substitute)
        else:
            result.append(finding)
    return result


def _with_aliases(
    index: dict[str, tuple[Rule, ...]], buckets: dict[type, list[ast.AST]]
) -> dict[str, tuple[Rule, ...]]:
    """``from json import dumps as to_json``: calls to ``to_json`` go where ``dumps`` calls go;
    so do calls of a local alias (``open_fn = fs.open if fs else open``)."""
    extra: dict[str, tuple[Rule, ...]] = {}
    for node in buckets.get(ast.ImportFrom, ()):
        for alias in node.names:  # type: ignore[attr-defined]
            if alias.asname and alias.name in index:
                known = extra.get(alias.asname, index.get(alias.asname, ()))
                extra[alias.asname] = known + tuple(rule for rule in index[alias.name] if rule not in known)
    for node in buckets.get(ast.Assign, ()):
        targets = node.targets  # type: ignore[attr-defined]
        value = node.value  # type: ignore[attr-defined]
        if len(targets) != 1 or targets[0].__class__ is not ast.Name:
            continue
        if isinstance(value, ast.IfExp):
            choices: list[ast.AST] = [value.body, value.orelse]
        elif isinstance(value, ast.BoolOp):
            choices = list(value.values)
        elif isinstance(value, (ast.Name, ast.Attribute)):
            choices = [value]
        else:
            continue
        name = targets[0].id
        for choice in choices:
            last = choice.attr if isinstance(choice, ast.Attribute) else choice.id if isinstance(choice, ast.Name) else None
            if last is not None and last != name and last in index:
                known = extra.get(name, index.get(name, ()))
                extra[name] = known + tuple(rule for rule in index[last] if rule not in known)
    return {**index, **extra} if extra else index


def _calls_by_rule(calls: Iterable[ast.AST], index: dict[str, tuple[Rule, ...]]) -> dict[int, list[ast.AST]]:
    """The calls each filtered rule asked for, by the callee's last name, in walk order."""
    selected: dict[int, list[ast.AST]] = {}
    if not index:
        return selected
    attribute, name_type = ast.Attribute, ast.Name
    for call in calls:
        func = call.func  # type: ignore[attr-defined]
        cls = func.__class__
        if cls is attribute:
            key = func.attr
        elif cls is name_type:
            key = func.id
        else:
            continue
        rules = index.get(key)
        if rules:
            for rule in rules:
                found = selected.get(id(rule))
                if found is None:
                    selected[id(rule)] = [call]
                else:
                    found.append(call)
    return selected


#: ``# determinism-lint: skip-file`` on a line of its own: the file is not checked (isort's
#: ``# isort: skip_file``, flake8's ``# flake8: noqa``).
_SKIP_FILE_RE = re.compile(r"^[ \t]*#[ \t]*determinism-lint:[ \t]*skip-file[ \t]*$", re.MULTILINE)
_SKIP_FILE_BYTES_RE = re.compile(_SKIP_FILE_RE.pattern.encode(), re.MULTILINE)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection while one file is parsed and checked.

    A file's tree is hundreds of thousands of objects that all live until its check ends, and
    the analysis frees what it derives by reference counting (the context drops its cycles in
    :meth:`Context.close`), so collections during the check find nothing and scan every node
    of the tree again and again: a tenth of the time on long modules. Collection resumes
    (with the allocations counted) when the file is done; nested uses are no-ops.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def skips_file(data: Union[bytes, str]) -> bool:
    """Whether the source carries the file-level pragma ``# determinism-lint: skip-file``."""
    if isinstance(data, bytes):
        return b"skip-file" in data and _SKIP_FILE_BYTES_RE.search(data.replace(b"\r", b"")) is not None
    return "skip-file" in data and _SKIP_FILE_RE.search(data.replace("\r", "")) is not None


def _size_of(path: str, fallback: int) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return fallback


def _walk(
    tree: ast.AST, wanted: Union[frozenset[type], set[type], dict[type, object]]
) -> tuple[dict[ast.AST, ast.AST], dict[type, list[ast.AST]]]:
    """One pre-order walk: parent links for every node, and the nodes rules asked for."""
    parents, buckets, _ = _walk_ordered(tree, wanted)
    return parents, buckets


_READ_CHUNK = 1 << 20


def read_limited(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``handle``: enough to tell that a file is over ``limit``.

    Read in chunks: ``read(limit + 1)`` would allocate the whole limit up front, and a
    ``max-file-size`` of many gigabytes is a valid setting.
    """
    chunks = []
    left = limit + 1
    while left > 0:
        chunk = handle.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
