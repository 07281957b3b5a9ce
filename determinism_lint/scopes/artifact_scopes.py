"""The artifact-shaping scopes of one file: which functions count, and why (:class:`ArtifactScopes`).
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

from ..project import FunctionFacts, ModuleFacts, Sink, Summary, module_name
from .evidence import _FUNCTIONS, _evidence_names, _local_callee, _root_name, classify_call, evidence_roots

if TYPE_CHECKING:
    from ..context import Context


PRAGMA_RE = re.compile(r"#\s*determinism-lint:\s*(?P<what>artifact|not-artifact)\b", re.IGNORECASE)


FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@dataclass(frozen=True)
class ScopeInfo:
    node: ast.AST
    name: str
    artifact: bool
    reason: Optional[str]


class ArtifactScopes:
    """Classification of every function in one file (and of the module body)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._info: dict[int, ScopeInfo] = {}
        self._artifact_names: set[str] = set()
        self._computed = False
        #: scope id -> the persistent sink it reaches by evidence in this module (directly, or
        #: through calls of its functions).
        self._evidence: dict[int, Sink] = {}
        self._opted_out: set[int] = set()
        self._calls_by_scope: dict[int, list[tuple[str, int]]] = {}
        self._by_name: dict[str, list[FunctionNode]] = {}
        self._owner: dict[int, ast.AST] = {}
        #: Scopes not artifact-shaping by this module alone: calls into other modules of the
        #: project may still make them so (asked lazily, through the project index).
        self._unsettled: set[int] = set()
        self._remote_reasons: dict[int, Optional[str]] = {}
        self._remote_by_scope: Optional[dict[int, list[tuple[str, ast.Call]]]] = None
        self._remote_hits: dict[int, Optional[Summary]] = {}

    def is_artifact(self, scope: ast.AST) -> bool:
        return self.info(scope).artifact

    def reason(self, scope: ast.AST) -> Optional[str]:
        return self.info(scope).reason

    def info(self, scope: ast.AST) -> ScopeInfo:
        if not self._computed:
            self._compute()
        found = self._info.get(id(scope))
        if found is not None:
            if id(scope) in self._unsettled:
                found = self._settle(found)
            return found
        # Lambdas and comprehensions follow the function that holds them.
        ctx = self._ctx
        for ancestor in ctx.ancestors(scope):
            if isinstance(ancestor, _FUNCTIONS):
                return self.info(ancestor)
        return self.info(ctx.tree)

    def is_artifact_callee(self, name: str) -> bool:
        """True when a function of this module called ``name`` is artifact-shaping."""
        if not self._computed:
            self._compute()
        if name in self._artifact_names:
            return True
        return any(self.info(target).artifact for target in self._by_name.get(name, ()))

    def is_artifact_call(self, call: ast.Call) -> bool:
        """True when ``call`` calls artifact-shaping code: a function of this module that is
        artifact-shaping, or a function imported from another module of the project whose
        summary reaches a persistent sink."""
        callee = _local_callee(call)
        if callee is not None and self.is_artifact_callee(callee):
            return True
        return self.remote_summary(call) is not None

    def remote_summary(self, call: ast.Call) -> Optional[Summary]:
        """The summary of the function imported from another module of the project that
        ``call`` calls, when it reaches a persistent sink; else ``None``."""
        key = id(call)
        if key in self._remote_hits:
            return self._remote_hits[key]
        from .. import project

        ctx = self._ctx
        found: Optional[Summary] = None
        index = project.index_for(ctx)
        if index is not None and not ctx.is_test_code:
            qualified = project.imported_callee(call, ctx)
            if qualified is not None:
                summary = index.summary(qualified, ctx.settings)
                found = summary if summary is not None and summary.sink is not None else None
        self._remote_hits[key] = found
        return found

    def imported_sink(self, call: ast.Call) -> Optional[str]:
        """For a call of a function imported from another module of the project that reaches a
        persistent sink: where (```json.dump(...)` in pkg/utils/index.py on line 9``), else ``None``."""
        summary = self.remote_summary(call)
        if summary is None or summary.sink is None:
            return None
        from ..project import display, index_for

        index = index_for(self._ctx)
        root = index.root if index is not None else "."
        sink = summary.sink
        return f"`{sink.spelling}` in {display(sink.path, root)} on line {sink.line}"

    def facts(self) -> ModuleFacts:
        """What the project index keeps of this module: for every top-level function and
        method, the sink it reaches in this module, and the calls it makes, in line order."""
        if not self._computed:
            self._compute()
        ctx = self._ctx
        tree = ctx.tree
        functions: dict[str, FunctionFacts] = {}
        if ctx.is_test_code:  # test code is no evidence for anyone
            return ModuleFacts(ctx.path, functions)
        qualnames = {
            id(function): _qualname(function, ctx)
            for functions_named in self._by_name.values()
            for function in functions_named
            if self._owner.get(id(function)) is tree
        }
        remote = self._remote_calls()
        for function_id, qualname in qualnames.items():
            if function_id in self._opted_out:
                continue
            calls: list[tuple[int, str, str]] = []
            for callee, line in self._calls_by_scope.get(function_id, ()):
                for target in self._by_name.get(callee, ()):
                    if id(target) in qualnames and id(target) != function_id:
                        calls.append((line, "local", qualnames[id(target)]))
            for qualified, call in remote.get(function_id, ()):
                calls.append((call.lineno, "remote", qualified))
            calls.sort()
            node = next(f for f in self._by_name[qualname.rsplit(".", 1)[-1]] if id(f) == function_id)
            functions[qualname] = FunctionFacts(
                qualname,
                node.lineno,
                self._evidence.get(function_id),
                tuple((kind, name) for _, kind, name in calls),
            )
        return ModuleFacts(ctx.path, functions)

    def all(self) -> list[ScopeInfo]:
        if not self._computed:
            self._compute()
        infos = [self.info(info.node) for info in list(self._info.values())]
        return sorted(infos, key=lambda info: (getattr(info.node, "lineno", 0), info.name))

    # -- calls into other modules of the project (lazily) ----------------------------------

    def _settle(self, found: ScopeInfo) -> ScopeInfo:
        key = id(found.node)
        self._unsettled.discard(key)
        reason = self._remote_reason(key)
        if reason is None:
            return found
        settled = ScopeInfo(found.node, found.name, True, reason)
        self._info[key] = settled
        name = getattr(found.node, "name", None)
        if name is not None:
            self._artifact_names.add(name)
        return settled

    def _remote_reason(self, key: int) -> Optional[str]:
        """Why scope ``key`` is artifact-shaping through a function of another module: it calls
        one whose summary reaches a sink, calls a function of this module that does, or is
        nested in one."""
        if key in self._remote_reasons:
            return self._remote_reasons[key]
        self._remote_reasons[key] = None  # a recursion back here finds nothing new
        reason: Optional[str] = None
        for _, call in self._remote_calls().get(key, ()):
            summary = self.remote_summary(call)
            if summary is not None:
                from ..project import index_for

                index = index_for(self._ctx)
                reason = remote_reason(call, summary, index.root if index is not None else ".")
                break
        if reason is None:
            for callee, line in self._calls_by_scope.get(key, ()):
                if any(self._remote_reason(id(target)) is not None for target in self._by_name.get(callee, ())):
                    reason = f"calls artifact-shaping {callee}() on line {line}"
                    break
        holder = self._owner.get(key)
        if reason is None and holder is not None and holder is not self._ctx.tree and id(holder) not in self._opted_out:
            if self.info(holder).artifact:
                reason = f"nested in artifact-shaping {getattr(holder, 'name', 'function')}()"
        self._remote_reasons[key] = reason
        return reason

    def _remote_calls(self) -> dict[int, list[tuple[str, ast.Call]]]:
        """Scope id -> calls of functions imported from other modules of the project (dotted
        name, call), in line order; names only, nothing is looked up yet."""
        if self._remote_by_scope is not None:
            return self._remote_by_scope
        from .. import project

        ctx = self._ctx
        found: dict[int, list[tuple[str, ast.Call]]] = {}
        self._remote_by_scope = found
        if ctx.is_test_code or project.index_for(ctx) is None:
            return found
        names = project.imported_names(ctx)
        if not names:
            return found
        for node in ctx.nodes_of(ast.Call):
            root = _root_name(node.func)
            if root is None or root not in names:
                continue
            qualified = project.imported_callee(node, ctx)
            if qualified is not None:
                found.setdefault(self._scope_key(node), []).append((qualified, node))
        for calls in found.values():
            calls.sort(key=lambda pair: (pair[1].lineno, pair[1].col_offset))
        return found

    # -- the analysis ----------------------------------------------------------------------

    def _compute(self) -> None:
        ctx = self._ctx
        settings = ctx.settings
        tree = ctx.tree
        functions: list[FunctionNode] = [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]
        functions.sort(key=lambda node: (node.lineno, node.col_offset))
        owner: dict[int, ast.AST] = {}  # function id -> enclosing function (or module)
        for function in functions:
            owner[id(function)] = ctx.enclosing_function(function) or tree

        if ctx.is_test_code:  # test code is not artifact code, whatever it calls
            self._info[id(tree)] = ScopeInfo(tree, "<module>", False, None)
            for function in functions:
                self._info[id(function)] = ScopeInfo(function, _qualname(function, ctx), False, None)
            self._computed = True
            return

        direct: dict[int, str] = {}
        opted_out: set[int] = set()
        calls_by_scope: dict[int, list[tuple[str, int]]] = {}
        module = module_name(ctx.path, settings.root)
        module_artifact = any(
            module == pattern or module.endswith("." + pattern) or fnmatch.fnmatchcase(module, pattern)
            for pattern in settings.artifact_modules
        )

        for function in functions:
            reason = self._declared_reason(function, module, module_artifact, opted_out)
            if reason is not None:
                direct[id(function)] = reason
        if module_artifact:
            direct[id(tree)] = f"module {module} is listed in artifact-modules"

        # Only calls whose callee name can be evidence or an edge to a local function: the
        # rest (most calls) cannot change any verdict.
        wanted = _evidence_names(settings) | evidence_roots(ctx) | {function.name for function in functions}
        candidates = [
            call for name, calls in ctx.calls_by_name.items() if name in wanted for call in calls
        ]
        candidates.sort(key=lambda call: (call.lineno, call.col_offset))
        # The sink each scope reaches by evidence (not by name): what other modules learn.
        evidence = self._evidence
        for node in candidates:
            assert isinstance(node, ast.Call)
            scope_key = self._scope_key(node)
            callee = _local_callee(node)
            if callee is not None:
                calls_by_scope.setdefault(scope_key, []).append((callee, node.lineno))
            if scope_key in evidence or scope_key in opted_out:
                continue
            why = classify_call(node, ctx)
            if why is not None:
                evidence[scope_key] = _sink_of(node, why, ctx.path)
                if scope_key not in direct:
                    direct[scope_key] = why if " on line " in why else f"{why} on line {node.lineno}"

        by_name: dict[str, list[FunctionNode]] = {}
        for function in functions:
            by_name.setdefault(function.name, []).append(function)

        reasons: dict[int, str] = dict(direct)
        changed = True
        while changed:  # callers of artifact-shaping functions, to a fixpoint
            changed = False
            for scope_key, calls in calls_by_scope.items():
                if scope_key in opted_out:
                    continue
                for callee, line in calls:
                    targets = by_name.get(callee, ())
                    if scope_key not in evidence:
                        reached = next((t for t in targets if id(t) in evidence), None)
                        if reached is not None:
                            evidence[scope_key] = evidence[id(reached)]
                            changed = True
                    if scope_key not in reasons:
                        hit = next((t for t in targets if id(t) in reasons), None)
                        if hit is not None:
                            reasons[scope_key] = f"calls artifact-shaping {callee}() on line {line}"
                            changed = True

        for function in functions:  # nested functions follow their holder
            key = id(function)
            if key in reasons or key in opted_out:
                continue
            holder = owner[key]
            while holder is not tree:
                if id(holder) in reasons:
                    reasons[key] = f"nested in artifact-shaping {getattr(holder, 'name', 'function')}()"
                    break
                holder = owner.get(id(holder), tree)

        self._info[id(tree)] = ScopeInfo(tree, "<module>", id(tree) in reasons, reasons.get(id(tree)))
        for function in functions:
            key = id(function)
            self._info[key] = ScopeInfo(function, _qualname(function, ctx), key in reasons, reasons.get(key))
            if key in reasons:
                self._artifact_names.add(function.name)
        self._opted_out = opted_out
        self._calls_by_scope = calls_by_scope
        self._by_name = by_name
        self._owner = owner
        self._unsettled = {key for key in self._info if key not in reasons and key not in opted_out}
        self._computed = True

    def _scope_key(self, node: ast.AST) -> int:
        """The function whose verdict ``node`` decides (lambdas follow their holder)."""
        ctx = self._ctx
        scope: Optional[ast.AST] = ctx.enclosing_function(node)
        while isinstance(scope, ast.Lambda):
            scope = ctx.enclosing_function(scope)
        return id(scope) if scope is not None else id(ctx.tree)

    def _declared_reason(
        self, function: FunctionNode, module: str, module_artifact: bool, opted_out: set[int]
    ) -> Optional[str]:
        ctx = self._ctx
        settings = ctx.settings
        line = ctx.line_text(function.lineno)
        match = PRAGMA_RE.search(line) if "determinism-lint" in line else None
        if match is not None:
            if match.group("what").lower() == "not-artifact":
                opted_out.add(id(function))
                return None
            return "marked `# determinism-lint: artifact`"
        if settings.artifact_functions:
            qualname = _qualname(function, ctx)
            for entry in settings.artifact_functions:
                if entry in (function.name, qualname, f"{module}.{qualname}", f"{module}.{function.name}"):
                    return f"listed in artifact-functions ({entry})"
        pattern = _name_pattern(settings.artifact_patterns).match(function.name.lower())
        if pattern is not None and pattern.lastgroup is not None:  # the group is named p<index>
            return f"name matches artifact pattern {settings.artifact_patterns[int(pattern.lastgroup[1:])]!r}"
        if module_artifact:
            return f"module {module} is listed in artifact-modules"
        return None


@functools.lru_cache(maxsize=16)
def _name_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for all name globs; the group that matched tells which pattern it was."""
    parts = [f"(?P<p{index}>{fnmatch.translate(pattern.lower())})" for index, pattern in enumerate(patterns)]
    return re.compile("|".join(parts) if parts else "(?!)")


def _sink_of(call: ast.Call, why: str, path: str) -> Sink:
    """The sink ``call`` stands for: itself, or the write or hash its text reaches
    (``serializes (json.dumps) on line 3 into `path.write_text(...)` on line 4``)."""
    match = re.search(r"into `(?P<spelling>[^`]+)` on line (?P<line>\d+)$", why)
    if match is not None:
        return Sink(match.group("spelling"), path, int(match.group("line")))
    return Sink(_short_spelling(call), path, call.lineno)


def _short_spelling(node: ast.AST) -> str:
    """``hashlib.sha256(...).hexdigest(...)``: the callee chain, arguments left out."""
    if isinstance(node, ast.Call):
        return f"{_short_spelling(node.func)}(...)"
    if isinstance(node, ast.Attribute):
        return f"{_short_spelling(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return "..."


def remote_reason(call: ast.Call, summary: Summary, root: str) -> str:
    """``calls `save_index()` (pkg/utils/index.py:12), which reaches `json.dump(...)` on line 20``."""
    from ..project import display

    sink = summary.sink
    assert sink is not None
    where = "" if sink.path == summary.path else f" in {display(sink.path, root)}"
    short = summary.name.rsplit(".", 1)[-1] if "." not in summary.name else summary.name
    return (
        f"calls `{short}()` on line {call.lineno} ({display(summary.path, root)}:{summary.line}),"
        f" which reaches `{sink.spelling}`{where} on line {sink.line}"
    )


def _qualname(function: ast.AST, ctx: Context) -> str:
    parts = [getattr(function, "name", "<lambda>")]
    for ancestor in ctx.ancestors(function):
        if isinstance(ancestor, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(ancestor.name)
    return ".".join(reversed(parts))
