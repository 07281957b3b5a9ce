"""One walk of a file's tree that answers every later "nodes under X, not entering nested
scopes" question with list slices instead of a new walk.

``walk_local(node)`` is a stack walk: pop a node, yield it, push its children (field order)
unless it is a function, lambda or class. The pre-order of the same stack walk over the whole
module, entering every scope, holds the answer for any node in it: the nodes ``walk_local``
yields for the node at position ``i`` are the positions after ``i`` up to the end of its
subtree, in the same order, minus the insides of the nested scopes found there (each one a
contiguous run right after the scope's own position). So one walk per file, with each node's
position and subtree end, serves every ``walk_local`` and ``walk_statements_local`` call on
that file, in identical order.

The engine and every :class:`~determinism_lint.context.Context` register their tree
(:func:`register`); the index itself is built on the first question about one of its nodes.
A node of a tree that is not registered (a tree parsed on the side, a node made on the fly)
is answered by the plain walk, so results never depend on what is registered. Trees are not
changed once parsed: the analysed code is read, never rewritten through ``ast``.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from typing import Optional

from .nodes import walk_ordered

#: Classes ``walk_local`` yields but does not enter (exact classes: ``ast`` has no subclasses).
NESTED_SCOPE_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
# How many trees stay registered: the file being checked, plus the few that its analysis
# parses on the side (a module of the project index) before returning to it.
_KEEP = 4


class TreeIndex:
    """Pre-order of the stack walk over one tree: ``order`` (the nodes), ``position`` (node ->
    its index in ``order``), ``ends`` (index just past each node's subtree) and ``scopes``
    (the sorted positions of functions, lambdas and classes)."""

    __slots__ = ("order", "position", "ends", "scopes", "_rank")

    def __init__(self, tree: ast.AST, walked: Optional[tuple[list[ast.AST], list[int]]] = None) -> None:
        order, depths = walked if walked is not None else _walk(tree)
        nested = NESTED_SCOPE_TYPES
        scopes = [position for position, node in enumerate(order) if node.__class__ in nested]
        count = len(order)
        # A node's subtree ends at the first later node popped from a lower stack slot.
        ends = [count] * count
        open_positions: list[int] = []
        open_depths: list[int] = []
        for index, depth in enumerate(depths):
            while open_depths and open_depths[-1] > depth:
                open_depths.pop()
                ends[open_positions.pop()] = index
            open_positions.append(index)
            open_depths.append(depth)
        self.order = order
        self.position = {node: index for index, node in enumerate(order)}
        self.ends = ends
        self.scopes = scopes
        self._rank: Optional[list[int]] = None

    def local(self, index: int, into: list[ast.AST]) -> None:
        """Append to ``into`` what ``walk_local`` yields for the node at ``index``."""
        order, ends, scopes = self.order, self.ends, self.scopes
        start = index + 1
        stop = ends[index]
        at = bisect_right(scopes, index)
        count = len(scopes)
        while at < count:
            scope = scopes[at]
            if scope >= stop:
                break
            into.extend(order[start:scope + 1])
            start = ends[scope]
            at = bisect_left(scopes, start, at + 1)
        into.extend(order[start:stop])


    def breadth_first(self, index: int) -> list[ast.AST]:
        """The subtree of the node at ``index`` in ``ast.walk`` order (breadth first, children in
        field order), nested scopes included.

        In the stack walk a node's subtree comes after those of its later siblings, so among
        nodes of one level, breadth-first order is descending position: sorting the subtree by
        (level, -position) gives the breadth-first walk without visiting a node's fields.
        """
        rank = self._rank
        if rank is None:
            rank = self._rank = self._ranks()
        order = self.order
        if self.ends[index] - index == 1:
            return [order[index]]
        return [order[position] for position in sorted(range(index, self.ends[index]), key=rank.__getitem__)]

    def _ranks(self) -> list[int]:
        """Each position's rank in the breadth-first order of the whole tree."""
        ends = self.ends
        count = len(ends)
        levels = [0] * count
        open_ends: list[int] = []
        for position in range(count):
            while open_ends and open_ends[-1] <= position:
                open_ends.pop()
            levels[position] = len(open_ends)
            open_ends.append(ends[position])
        by_level: list[list[int]] = [[] for _ in range(max(levels, default=0) + 1)]
        for position in range(count - 1, -1, -1):
            by_level[levels[position]].append(position)
        rank = [0] * count
        place = 0
        for level in by_level:
            for position in level:
                rank[position] = place
                place += 1
        return rank


def _walk(tree: ast.AST) -> tuple[list[ast.AST], list[int]]:
    """The stack walk's pre-order, with each node's stack slot (the stack's length after
    popping it)."""
    return walk_ordered(tree, frozenset())[2]


class _Registered:
    __slots__ = ("tree", "index", "walked")

    def __init__(self, tree: ast.AST, walked: Optional[tuple[list[ast.AST], list[int]]]) -> None:
        self.tree = tree
        self.index: Optional[TreeIndex] = None
        #: The stack walk's pre-order and slots, when the caller already made that walk.
        self.walked = walked


_registered: list[_Registered] = []


def register(tree: ast.AST, walked: Optional[tuple[list[ast.AST], list[int]]] = None) -> None:
    """Make ``tree``'s nodes answerable from an index (built when first asked).

    ``walked`` is the pre-order of the stack walk over ``tree`` and each node's stack slot
    (as ``nodes.walk_ordered`` records them), when the caller already made that walk: the
    index is then built from it instead of walking the tree again."""
    for position, entry in enumerate(_registered):
        if entry.tree is tree:
            if position:
                del _registered[position]
                _registered.insert(0, entry)
            if walked is not None and entry.index is None:
                entry.walked = walked
            return
    _registered.insert(0, _Registered(tree, walked))
    del _registered[_KEEP:]


def forget(tree: ast.AST) -> None:
    """Drop ``tree`` (and its index) from the registry."""
    _registered[:] = [entry for entry in _registered if entry.tree is not tree]


def index_of(node: ast.AST) -> Optional[tuple[TreeIndex, int]]:
    """The index holding ``node`` and its position there, or ``None``."""
    for at, entry in enumerate(_registered):
        index = entry.index
        if index is None:
            index = entry.index = TreeIndex(entry.tree, entry.walked)
            entry.walked = None
        position = index.position.get(node)
        if position is not None:
            if at:
                del _registered[at]
                _registered.insert(0, entry)
            return index, position
    return None
