"""What a rule's ``fix`` works with: the edit it returns (:class:`Edit`), the libcst view of the
file (:class:`FixContext`: positions, parents, imports to add, names in scope) and the
detector's view of it (:class:`FixAnalysis`). Part of the fix layer: it imports libcst."""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .fix_edit import Apply, Edit  # re-exported: the fixer and the rules import them from here
from .fix_imports import NeededImport
from .model import Finding
from .positions import char_col
from .settings import Settings

class FixAnalysis:
    """The file being fixed as ``check`` saw it, built once per pass and shared by every
    fix of the pass: the engine's ``Context`` and its calls by reported range, so a fix can
    ask the detector about its own site instead of analysing the file again."""

    def __init__(self, module: cst.Module, path: str, settings: Settings) -> None:
        from .engine import ALWAYS_COLLECTED, _walk, parse_source
        from .context import Context

        parsed = parse_source(module.code, path)
        parents, buckets = _walk(parsed.tree, ALWAYS_COLLECTED)
        self.ctx = Context(
            path=path, source=parsed.text, tree=parsed.tree, parents=parents, settings=settings, buckets=buckets
        )
        self.calls: dict[tuple[int, int, int, int], ast.Call] = {}
        for node in self.ctx.nodes_of(ast.Call):
            assert isinstance(node, ast.Call)
            end_line = node.end_lineno or node.lineno
            key = (
                node.lineno,
                char_col(self.ctx.line_text(node.lineno), node.col_offset) + 1,
                end_line,
                char_col(self.ctx.line_text(end_line), node.end_col_offset or 0) + 1,
            )
            self.calls[key] = node
        #: Fresh names handed out per scope during this pass: two ``with atomic_path(...) as
        #: tmp`` in one function must not both bind ``tmp``.
        self._handed_out: dict[int, set[str]] = {}
        self._memo: dict[tuple[str, str], Any] = {}

    def call_at(self, finding: Finding) -> Optional[ast.Call]:
        return self.calls.get((finding.line, finding.col, finding.end_line, finding.end_col))

    def once(self, key: tuple[str, str], compute: Callable[[], Any]) -> Any:
        """Facts about the whole module, computed once per pass (walking libcst is slow)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def fresh_name(self, call: ast.AST, candidates: tuple[str, ...], taken: set[str]) -> str:
        from .cst_util import fresh_name

        mine = self._handed_out.setdefault(id(self.ctx.enclosing_scope(call)), set())
        name = fresh_name(candidates, taken | mine)
        mine.add(name)
        return name


class FixContext:
    """What a rule's ``fix`` may use: positions, parents, imports, names in scope, and the
    detector's view of the file (:attr:`analysis`)."""

    def __init__(
        self,
        wrapper: MetadataWrapper,
        settings: Settings,
        finding: Finding,
        analysis: Optional[Callable[[], FixAnalysis]] = None,
    ) -> None:
        self._analysis = analysis
        self.module = wrapper.module
        self._positions = wrapper.resolve(PositionProvider)
        self._paths: dict[int, list[cst.CSTNode]] = {}
        self.settings = settings
        self.finding = finding
        self.imports: list[NeededImport] = []

    @property
    def analysis(self) -> FixAnalysis:
        if self._analysis is None:
            built = FixAnalysis(self.module, self.finding.path, self.settings)
            self._analysis = lambda: built
        return self._analysis()

    @property
    def helpers_module(self) -> str:
        return self.settings.helpers_module

    def _path_to(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """Ancestors of ``node`` from the module down, found by descending through the
        children whose range holds ``node``'s range (libcst's parent provider visits the
        whole module, which costs more than every fix of a file together)."""
        cached = self._paths.get(id(node))
        if cached is not None:
            return cached
        positions = self._positions
        target = positions[node]
        start, end = (target.start.line, target.start.column), (target.end.line, target.end.column)
        path: list[cst.CSTNode] = []
        current: cst.CSTNode = self.module
        while current is not node:
            path.append(current)
            following = None
            for child in current.children:
                if child is node:
                    following = child
                    break
                where = positions.get(child)
                if where is None:
                    continue
                if (where.start.line, where.start.column) <= start and end <= (where.end.line, where.end.column):
                    following = child
                    break
            if following is None:
                break  # not reachable (should not happen): report the ancestors found so far
            current = following
        self._paths[id(node)] = path
        return path

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        path = self._path_to(node)
        return path[-1] if path else None

    def ancestors(self, node: cst.CSTNode):
        """Parent first, the module last."""
        return iter(reversed(self._path_to(node)))

    def position(self, node: cst.CSTNode):
        return self._positions[node]

    def add_import(self, module: str, name: Optional[str] = None, alias: Optional[str] = None) -> None:
        """Schedule ``from module import name`` (or ``import module``), ``as alias``, once per file."""
        self.imports.append(NeededImport(module, name, alias))

    def use_helper(self, name: str) -> str:
        """Import ``name`` from the configured helpers module; return the name to call."""
        self.add_import(self.helpers_module, name)
        return name

    def helper_name(self, name: str) -> Optional[str]:
        """Like :meth:`use_helper`, unless the module binds ``name`` to something else
        anywhere (its own ``sorted_total``, a parameter): then ``None``, no fix."""
        from .cst_util import names_bound_except_import

        module = self.helpers_module
        bound = self.analysis.once(("helpers", module), lambda: names_bound_except_import(self.module, module))
        if name in bound:
            return None
        return self.use_helper(name)

    def enclosing_function_name(self, node: cst.CSTNode) -> Optional[str]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor.name.value
        return None

    def bound_names(self) -> set[str]:
        """Every identifier spelled anywhere in the module: a superset of the bound names,
        which is what choosing a fresh name needs (and far cheaper than a visit)."""
        return set(_IDENTIFIER_RE.findall(self.module.code))


# Identifiers not preceded by a dot: attribute names (``log.error``) bind nothing.
_IDENTIFIER_RE = re.compile(r"(?<![.\w])[^\W\d]\w*")
