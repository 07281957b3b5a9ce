"""``determinism-lint fix``: rewrite what the engine reported, nothing else.

The fixer never detects anything itself. For each file it asks the engine for the
findings, keeps the fixable ones (safe, plus unsafe with ``--unsafe-fixes``; never one
suppressed by ``noqa``), parses only those files with libcst, lets each rule rewrite
the node at its finding's position, adds the imports the rewrites need where a person
would put them (:mod:`determinism_lint.fix_imports`; nothing is ever removed), and accepts
the result only if it parses, a re-check no longer reports the fixed findings, and every
name the module bound at top level is still bound. Files are written back atomically with
the project's own runtime, keeping permissions, line endings, the encoding declaration and
a BOM.

The edit a rule's ``fix`` returns and what it works with (:class:`Edit`, :class:`FixContext`,
:class:`FixAnalysis`) are in :mod:`determinism_lint.fix_context`; this module re-exports them.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import functools
import os
import sys
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .checks import RULES_BY_CODE
from .engine import Engine, SourceError, decode_source
from .fix_context import Apply, Edit, FixAnalysis, FixContext
from .fix_imports import add_imports
from .model import UNCHECKED_CODE, Finding, FixSafety
from .settings import Settings
from .workers import map_files

if TYPE_CHECKING:
    from .configs import SettingsResolver

EXIT_CLEAN = 0
EXIT_CHANGES = 1


# -- finding -> node ----------------------------------------------------------------------


# (line, column) where nodes start -> those nodes with where each ends.
_NodeTable = dict[tuple[int, int], list[tuple[cst.CSTNode, tuple[int, int]]]]


def _nodes_at(wrapper: MetadataWrapper) -> _NodeTable:
    positions = wrapper.resolve(PositionProvider)
    table: _NodeTable = {}
    for node, where in positions.items():
        start = (where.start.line, where.start.column)
        table.setdefault(start, []).append((node, (where.end.line, where.end.column)))
    return table


def _fix_node_types(names: tuple[str, ...]) -> tuple[type, ...]:
    """The libcst classes a rule's ``fix_node`` names."""
    return tuple(getattr(cst, name) for name in names)


def _node_for(finding: Finding, table: _NodeTable, node_types: tuple[type, ...]) -> Optional[cst.CSTNode]:
    """The node of a fixable type that starts, and preferably also ends, where the finding does.

    Several nodes can start at one position (``d`` and ``d.items()``); the end position
    tells them apart. Columns: findings count from 1, libcst from 0, both in code points.
    """
    candidates = [(node, end) for node, end in table.get((finding.line, finding.col - 1), ()) if isinstance(node, node_types)]
    wanted_end = (finding.end_line, finding.end_col - 1)
    for node, end in candidates:
        if end == wanted_end:
            return node
    if candidates:
        # A parenthesized expression: libcst's range includes the parentheses. Take the widest.
        return max(candidates, key=lambda item: item[1])[0]
    return None


# -- applying edits -----------------------------------------------------------------------


class _Applier(cst.CSTTransformer):
    def __init__(self, edits: Sequence[Edit]) -> None:
        super().__init__()
        self._by_target: dict[int, list[Apply]] = {}
        for edit in edits:
            self._by_target.setdefault(id(edit.target), []).append(edit.apply)

    def on_leave(self, original_node, updated_node):
        applies = self._by_target.get(id(original_node))
        if not applies:
            return updated_node
        result = updated_node
        for apply in applies:
            if not isinstance(result, cst.CSTNode):
                break
            result = apply(result)
        return result


@dataclass
class FileFix:
    path: str
    old: bytes = b""
    new: Optional[bytes] = None
    applied: tuple[Finding, ...] = ()
    #: (finding, reason) for fixable findings that were not fixed.
    dropped: tuple[tuple[Finding, str], ...] = ()
    unfixable: tuple[Finding, ...] = ()
    unsafe_skipped: tuple[Finding, ...] = ()
    error: Optional[str] = None

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


def _selected(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (finding.fix.safety is FixSafety.SAFE or unsafe)


def _fix_view(finding: Finding, unsafe: bool) -> Finding:
    """The finding to fix among ``finding`` and those it stands for (same handler).

    With ``--unsafe-fixes`` the first unsafe fix wins (it is the stronger one: a silent
    ``except Exception`` in artifact code is routed through the error policy rather than
    logged); otherwise the first selected fix. A silent bare ``except:`` is one DET401
    (unsafe fix); a plain ``fix`` still adds DET402's log call."""
    if not finding.also:
        return finding
    candidates = (finding, *finding.also)
    chosen = next(
        (item for item in candidates if unsafe and item.fix is not None and item.fix.safety is not FixSafety.SAFE),
        next((item for item in candidates if _selected(item, unsafe)), finding),
    )
    if chosen is finding:
        return finding
    rest = tuple(item for item in finding.also if item is not chosen)
    return dataclasses.replace(chosen, also=(dataclasses.replace(finding, also=()), *rest))


def _render(module: cst.Module, edits: Sequence[Edit], contexts: Sequence[FixContext], path: str) -> cst.Module:
    new_module = module.visit(_Applier(edits))
    needed = [item for context in contexts for item in context.imports]
    if needed:
        new_module = add_imports(new_module, needed, path)
    return new_module


def _verify(engine: Engine, path: str, new: bytes, before: Sequence[Finding], fixed: Sequence[Finding], old: bytes = b"") -> Optional[str]:
    """``None`` when ``new`` parses, the fixed findings are gone and every top-level name of
    the module is still bound; else why not."""
    try:
        text = decode_source(new)
        tree = ast.parse(text)
    except (SourceError, SyntaxError, ValueError) as error:
        return f"the result would not parse ({error})"
    if old:
        try:
            old_tree = ast.parse(decode_source(old))
        except (SourceError, SyntaxError, ValueError):
            old_tree = None
        if old_tree is not None:
            lost = sorted(top_level_names(old_tree) - top_level_names(tree))
            if lost:
                return f"the module would no longer bind {', '.join(lost)}"
    after = engine.check_source(new, path)
    if not after.checked:
        return "the result could not be checked"
    remaining = Counter(f.code for f in after.findings)
    # A finding that stands for several on one handler (``also``) may leave the others
    # behind once fixed: a bare ``except: pass`` made ``except Exception: pass`` is DET402.
    expected = Counter(code for f in before for code in (f.code, *f.also_codes)) - Counter(f.code for f in fixed)
    for code, count in remaining.items():
        if count > expected.get(code, 0):
            return f"a re-check still reports {code}"
    return None


def top_level_names(tree: ast.Module) -> set[str]:
    """Names the module binds at top level (what ``mock.patch("pkg.mod.name")`` and
    ``from pkg.mod import name`` reach), in any branch of a top-level ``if``/``try``/``with``."""
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".", 1)[0])
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if isinstance(node, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return names


def fix_file(path: str, engine: Engine, *, unsafe: bool) -> FileFix:
    result = engine.check_path(path)
    if not result.checked:
        message = result.findings[0].message if result.findings else "cannot be checked"
        return FileFix(path=path, error=message)
    if not any(_selected(_fix_view(f, unsafe), unsafe) for f in result.findings):
        return _without_fixes(path, b"", result.findings, unsafe)
    with open(path, "rb") as handle:
        old = handle.read()
    return fix_source(old, path, engine, unsafe=unsafe)


def _without_fixes(path: str, old: bytes, findings: Sequence[Finding], unsafe: bool) -> FileFix:
    return FileFix(
        path=path,
        old=old,
        unfixable=tuple(f for f in findings if f.fix is None and f.code != UNCHECKED_CODE),
        unsafe_skipped=tuple(f for f in findings if f.fix is not None and not _selected(f, unsafe)),
    )


#: Passes over one file: fixes that conflicted, or that a first fix made possible, are
#: applied in a later pass, so a second ``fix`` run finds nothing left to do.
MAX_PASSES = 4


def fix_source(old: bytes, path: str, engine: Engine, *, unsafe: bool) -> FileFix:
    """Fix one file's bytes, pass after pass until nothing changes; ``path`` is only used
    for messages and per-file settings."""
    result = _fix_pass(old, path, engine, unsafe=unsafe)
    applied = list(result.applied)
    current = result
    for _ in range(MAX_PASSES - 1):
        if not current.changed or current.new is None:
            break
        following = _fix_pass(current.new, path, engine, unsafe=unsafe)
        if not following.changed:
            current = FileFix(
                path=path, old=current.old, new=current.new, applied=current.applied,
                dropped=following.dropped, unfixable=following.unfixable, unsafe_skipped=following.unsafe_skipped,
            )
            break
        applied.extend(following.applied)
        current = following
    if current is result:
        return result
    return FileFix(
        path=path,
        old=old,
        new=current.new,
        applied=tuple(applied),
        dropped=current.dropped,
        unfixable=current.unfixable,
        unsafe_skipped=current.unsafe_skipped,
        error=current.error,
    )


def _fix_pass(old: bytes, path: str, engine: Engine, *, unsafe: bool) -> FileFix:
    result = engine.check_source(old, path)
    if not result.checked:
        message = result.findings[0].message if result.findings else "cannot be checked"
        return FileFix(path=path, old=old, error=message)
    findings = [_fix_view(f, unsafe) for f in result.findings if f.code != UNCHECKED_CODE]
    wanted = [f for f in findings if _selected(f, unsafe)]
    unfixable = tuple(f for f in findings if f.fix is None)
    unsafe_skipped = tuple(f for f in findings if f.fix is not None and not _selected(f, unsafe))
    if not wanted:
        return _without_fixes(path, old, findings, unsafe)
    try:
        module = cst.parse_module(old)
    except cst.ParserSyntaxError as error:
        reason = f"libcst cannot parse the file ({str(error).splitlines()[0]})"
        return FileFix(path=path, old=old, dropped=tuple((f, reason) for f in wanted), unfixable=unfixable)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    table = _nodes_at(wrapper)

    shared: list[FixAnalysis] = []

    def analysis() -> FixAnalysis:
        if not shared:
            shared.append(FixAnalysis(module, path, engine.settings))
        return shared[0]

    planned: list[tuple[Finding, Edit, FixContext]] = []
    dropped: list[tuple[Finding, str]] = []
    for finding in wanted:
        rule = RULES_BY_CODE[finding.code]()
        node = _node_for(finding, table, _fix_node_types(rule.fix_node))
        if node is None:
            dropped.append((finding, "no node at the reported position"))
            continue
        context = FixContext(wrapper, engine.settings, finding, analysis)
        edit = rule.fix(node, context)
        if edit is None:
            dropped.append((finding, "this site cannot be rewritten safely"))
            continue
        planned.append((finding, edit, context))

    planned = _without_redundant_log_calls(planned)
    accepted, new = _accept(engine, path, module, findings, planned, dropped)
    if not accepted:
        return FileFix(path=path, old=old, dropped=tuple(dropped), unfixable=unfixable, unsafe_skipped=unsafe_skipped)
    return FileFix(
        path=path,
        old=old,
        new=new,
        applied=tuple(finding for finding, _, _ in accepted),
        dropped=tuple(dropped),
        unfixable=unfixable,
        unsafe_skipped=unsafe_skipped,
    )


#: Fixes that add a log call to a handler, and the fix whose call logs the error itself.
_LOG_CALL_FIXES = frozenset({"DET402", "DET405"})
_POLICY_FIX = "DET403"


def _without_redundant_log_calls(planned: list[tuple[Finding, Edit, FixContext]]) -> list[tuple[Finding, Edit, FixContext]]:
    """A handler routed through the error policy gets no added log call as well: the policy
    logs the error, and in strict mode a line after it would never run."""
    policy_targets = {id(edit.target) for finding, edit, _ in planned if finding.code == _POLICY_FIX}
    if not policy_targets:
        return planned
    kept = []
    for finding, edit, context in planned:
        if finding.code in _LOG_CALL_FIXES and id(edit.target) in policy_targets:
            context.imports.clear()
            edit = Edit(edit.target, lambda updated: updated)
        kept.append((finding, edit, context))
    return kept


def _accept(engine, path, module, findings, planned, dropped) -> tuple[list, Optional[bytes]]:
    """The edits to keep and the bytes they give: all planned edits if together they
    verify; otherwise those that verify one by one (the rest is tried in the next pass)."""
    if not planned:
        return [], None
    rendered: dict[int, bytes] = {}

    def verifies(subset) -> Optional[str]:
        try:
            new = _render(module, [edit for _, edit, _ in subset], [ctx for _, _, ctx in subset], path).bytes
        except Exception as error:  # a fix that builds an invalid tree: drop it, keep going
            return f"the rewrite failed ({type(error).__name__}: {error})"
        rendered[id(subset)] = new
        return _verify(engine, path, new, findings, [finding for finding, _, _ in subset], module.bytes)

    if verifies(planned) is None:
        return planned, rendered[id(planned)]
    good = []
    for item in planned:
        reason = verifies([item])
        if reason is None:
            good.append(item)
        else:
            dropped.append((item[0], reason))
    if not good:
        return [], None
    if len(good) == 1:
        return good, _render(module, [good[0][1]], [good[0][2]], path).bytes
    if verifies(good) is not None:
        # Each verifies alone but not together: apply the first now, the others next pass.
        good = good[:1]
        return good, _render(module, [good[0][1]], [good[0][2]], path).bytes
    return good, rendered[id(good)]


# -- running over files -------------------------------------------------------------------

def _fix_one(engine: Engine, path: str, *, unsafe: bool) -> FileFix:
    return fix_file(path, engine, unsafe=unsafe)


#: Why a file is left alone although it has fixable findings.
OUTSIDE_TREE = "a symbolic link to a file outside the checked tree: not rewritten"


def outside_the_tree(files: Sequence[str]) -> set[str]:
    """The files reached through a symbolic link (the file or a folder above it) whose real
    location is outside the tree the run covers (the common folder of ``files``, resolved):
    rewriting them would edit another project, or a shared file, behind the user's back."""
    if not files:
        return set()
    folders = [os.path.dirname(os.path.abspath(path)) for path in files]
    try:
        tree = os.path.realpath(os.path.commonpath(folders))
    except ValueError:  # paths on different drives
        return set()
    outside = set()
    for path in files:
        real = os.path.realpath(path)
        if real != tree and not real.startswith(tree.rstrip(os.sep) + os.sep):
            outside.add(path)
    return outside


def plan_fixes(
    files: Sequence[str], settings: Union[Settings, SettingsResolver], *, unsafe: bool, jobs: int = 0, progress: bool = False
) -> list[FileFix]:
    """Fixes for ``files`` in the order of ``files`` (never completion order); each file
    with the settings of its nearest config when ``settings`` is a resolver."""
    outside = outside_the_tree(files)
    if outside:
        inside = [path for path in files if path not in outside]
        done = dict(zip(inside, plan_fixes(inside, settings, unsafe=unsafe, jobs=jobs, progress=progress)))
        return [done[path] if path in done else FileFix(path=path, error=OUTSIDE_TREE) for path in files]
    task = functools.partial(_fix_one, unsafe=unsafe)
    return list(map_files(task, files, settings, jobs, on_result=_progress if progress else None))


def _progress(done: int, total: int) -> None:
    if done == total or done % 25 == 0:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rfixing: {done}/{total} files{end}")
        sys.stderr.flush()


def _text(data: bytes) -> str:
    try:
        return decode_source(data)  # the file's own encoding (coding cookie, BOM)
    except SourceError:
        return data.decode("utf-8", "replace")


def unified_diff(item: FileFix) -> str:
    old = _text(item.old).splitlines(keepends=True)
    new = _text(item.new or b"").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=f"a/{item.path}", tofile=f"b/{item.path}")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return text


def run_fix(files: Sequence[str], settings: Union[Settings, SettingsResolver], *, unsafe: bool, diff: bool, jobs: int, quiet: bool) -> int:
    from .runtime import write_atomic_bytes

    progress = not quiet and sys.stderr.isatty() and len(files) > 50
    results = plan_fixes(files, settings, unsafe=unsafe, jobs=jobs, progress=progress)
    changed = [item for item in results if item.changed]
    if diff:
        for item in changed:
            sys.stdout.write(unified_diff(item))
        sys.stdout.flush()
    else:
        written = []
        for item in changed:
            assert item.new is not None
            try:
                write_atomic_bytes(item.path, item.new)
            except OSError as error:
                # A full disk or a read-only directory stops this file, not the run.
                item.error = f"cannot write it: {_write_failure(error)}"
                item.applied = ()
            else:
                written.append(item)
        changed = written
    if not quiet:
        _report(results, changed, diff=diff, unsafe=unsafe)
    elif not diff:
        for item in results:
            if item.error and item.error.startswith("cannot write it:"):
                sys.stderr.write(f"{item.path}: not fixed: {item.error}\n")
    if diff:
        return EXIT_CHANGES if changed else EXIT_CLEAN
    # Like ``ruff check --fix``: findings left behind keep the exit status at 1.
    left = any(item.error or item.dropped or item.unfixable or item.unsafe_skipped for item in results)
    return EXIT_CHANGES if left else EXIT_CLEAN


def _write_failure(error: OSError) -> str:
    """The cause of a failed write in one line; the runtime's message names the directory when it is to blame."""
    return error.strerror or str(error) or type(error).__name__


def _report(results: Sequence[FileFix], changed: Sequence[FileFix], *, diff: bool, unsafe: bool) -> None:
    applied = sum(len(item.applied) for item in changed)
    verb = "Would fix" if diff else "Fixed"
    lines = [f"{verb} {applied} finding{'s' if applied != 1 else ''} in {len(changed)} file{'s' if len(changed) != 1 else ''}."]
    for item in results:
        if item.error:
            lines.append(f"  {item.path}: not fixed: {item.error}")
        for finding, reason in item.dropped:
            lines.append(f"  {finding.path}:{finding.line}:{finding.col}: {finding.code} not fixed: {reason}")
    unfixable = Counter(f.code for item in results for f in item.unfixable)
    if unfixable:
        detail = ", ".join(f"{code} x{count}" for code, count in sorted(unfixable.items()))
        total = sum(unfixable.values())
        lines.append(f"{total} finding{'s' if total != 1 else ''} {'have' if total != 1 else 'has'} no automatic fix ({detail}); `determinism-lint check` lists them.")
    skipped = sum(len(item.unsafe_skipped) for item in results)
    if skipped and not unsafe:
        lines.append(f"{skipped} more fixable with --unsafe-fixes (review the diff first: they may change bytes or control flow).")
    sys.stderr.write("\n".join(lines) + "\n")
