"""What the engine knows about one file, shared by every rule that looks at it."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Iterator, Optional, TypeVar, cast

from .names import FunctionNode, Resolver, ScopeNode
from .settings import Settings
from .tree_index import forget, register

if TYPE_CHECKING:
    from .scopes import ArtifactScopes

_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
#: Node types the engine's walk always collects (see ``engine.ALWAYS_COLLECTED``).
_ALWAYS = frozenset({ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom, ast.Assign})
_NodeT = TypeVar("_NodeT", bound=ast.AST)
_FactT = TypeVar("_FactT")


class Context:
    """Per-file state: parent links, name resolution, enclosing functions, artifact scopes.

    Built once per file by the engine after a single walk; rules only read it.
    """

    def __init__(
        self,
        *,
        path: str,
        source: str,
        tree: ast.Module,
        parents: dict[ast.AST, ast.AST],
        settings: Settings,
        buckets: Optional[dict[type, list[ast.AST]]] = None,
        walked: Optional[tuple[list[ast.AST], list[int]]] = None,
    ) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.parents = parents
        self.settings = settings
        self.resolver = Resolver(tree, parents, walrus=":=" in source)
        register(tree, walked)  # walk_local and friends answer from one index of this tree
        self._buckets = buckets
        self._calls_by_name: Optional[dict[str, list[ast.Call]]] = None
        self._call_names: dict[ast.Call, Optional[str]] = {}
        self._lines: Optional[list[str]] = None
        self._scopes: Optional[ArtifactScopes] = None
        self._test_code: Optional[bool] = None
        self._facts: dict[tuple[Callable[..., object], int], object] = {}
        # node -> innermost function whose body holds the node's children (see enclosing_function)
        self._enclosing: dict[ast.AST, Optional[FunctionNode]] = {}

    # -- source ------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines

    def line_text(self, lineno: int) -> str:
        lines = self.lines
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    # -- tree navigation ---------------------------------------------------------------

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def enclosing_function(self, node: ast.AST) -> Optional[FunctionNode]:
        """The innermost function or lambda whose body holds ``node``; ``None`` at module level.

        Answers are cached for every node passed on the way up, so asking for every call
        in a file costs about one pass over the tree, not one per call.
        """
        cache = self._enclosing
        passed: list[ast.AST] = []
        parents = self.parents
        current = parents.get(node)
        found: Optional[FunctionNode] = None
        while current is not None:
            if current in cache:
                found = cache[current]
                break
            if isinstance(current, _FUNCTION_TYPES):
                found = current
                break
            passed.append(current)
            current = parents.get(current)
        for ancestor in passed:
            cache[ancestor] = found
        return found

    def enclosing_scope(self, node: ast.AST) -> ScopeNode:
        function = self.enclosing_function(node)
        return function if function is not None else self.tree

    def enclosing_statement(self, node: ast.AST) -> ast.AST:
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            parent = self.parents.get(current)
            if parent is None:
                return current
            current = parent
        return current

    def nodes_of(self, node_type: type[_NodeT]) -> list[_NodeT]:
        """Every node of exactly ``node_type`` in the file, in walk order.

        Calls and function definitions are always collected by the engine's walk; other
        types cost a walk of their own.
        """
        if self._buckets is not None and node_type in self._buckets:
            return cast("list[_NodeT]", self._buckets[node_type])  # a bucket holds one node type
        if self._buckets is not None and node_type in _ALWAYS:
            return []
        return [cast(_NodeT, node) for node in self.parents if type(node) is node_type]

    @property
    def calls_by_name(self) -> dict[str, list[ast.Call]]:
        """Calls grouped by the callee's last name (``open`` for ``p.open(...)``), in walk order."""
        if self._calls_by_name is None:
            grouped: dict[str, list[ast.Call]] = {}
            for call in self.nodes_of(ast.Call):
                func = call.func
                key = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
                if key is not None:
                    grouped.setdefault(key, []).append(call)
            self._calls_by_name = grouped
        return self._calls_by_name

    # -- names -------------------------------------------------------------------------

    def qualified_name(self, expr: ast.AST) -> Optional[str]:
        """Dotted name of ``expr`` through imports (``j.dump`` -> ``json.dump``), else ``None``."""
        return self.resolver.qualified_name(expr)

    def call_name(self, call: ast.Call) -> Optional[str]:
        """``qualified_name(call.func)``, resolved once per call: rules and facts ask it of the
        same calls many times."""
        names = self._call_names
        try:
            return names[call]
        except KeyError:
            found = names[call] = self.resolver.qualified_name(call.func)
            return found

    def is_builtin(self, expr: ast.AST, name: str) -> bool:
        return isinstance(expr, ast.Name) and expr.id == name and (
            self.resolver.resolve_name(name, expr) == f"builtins.{name}"
        )

    # -- artifact-shaping scopes -------------------------------------------------------

    @property
    def scopes(self) -> ArtifactScopes:
        if self._scopes is None:
            from .scopes import ArtifactScopes

            self._scopes = ArtifactScopes(self)
        return self._scopes

    @property
    def is_test_code(self) -> bool:
        """True when this file is test code or development tooling (``test-paths``,
        ``dev-paths``): never artifact code."""
        if self._test_code is None:
            self._test_code = bool(self.settings.is_not_artifact_path(self.path))
        return self._test_code

    def in_artifact_scope(self, node: ast.AST) -> bool:
        """True when ``node`` sits in artifact-shaping code (always true in strict mode,
        never in test code)."""
        if self.is_test_code:
            return False
        if self.settings.strict:
            return True
        return self.scopes.is_artifact(self.enclosing_scope(node))

    def close(self) -> None:
        """Drop what refers back to this context (the artifact scopes hold it), so that the
        file's tree and everything derived from it are freed as soon as the engine is done
        with them, not by a later cyclic garbage collection that has to scan them all."""
        self._scopes = None
        self._facts.clear()
        forget(self.tree)

    # -- facts for rule helpers --------------------------------------------------------

    def fact(self, provider: Callable[[_NodeT, Context], _FactT], node: _NodeT) -> _FactT:
        """``provider(node, self)``, computed at most once per node for this file.

        The provider function itself is the key, so each kind of fact (an index of the names
        in a function, the handles whose name leaks...) is typed and computed in one pass over
        its node, however many sites ask for it.
        """
        key = (provider, id(node))
        try:
            return cast(_FactT, self._facts[key])
        except KeyError:
            value = provider(node, self)
            self._facts[key] = value
            return value
