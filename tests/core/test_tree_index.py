"""The tree index answers ``walk_local`` and ``walk_statements_local`` with the same nodes, in
the same order, as the plain stack walk: on every node of the fixtures and of tricky shapes."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

from determinism_lint import tree_index
from determinism_lint.checks._util import (
    _walk_local,
    _walk_statements_local,
    all_nodes,
    local_nodes,
    statement_nodes,
    walk_local,
    walk_statements_local,
)

from ..helpers import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

TRICKY = textwrap.dedent(
    '''
    import os

    class Store(Base, metaclass=Meta):
        """Doc."""
        limit = {"a": 1, **extra}

        @decorator(lambda item: item.key)
        def save(self, path=os.sep, *args, key=lambda x: [y for y in x], **kwargs) -> "Store":
            def inner(a, b=lambda: 1):
                class Local:
                    def method(self):
                        return {k: v for k, v in self.items() if (w := v)}
                return Local
            for name in sorted(os.listdir(path)):
                with open(name) as handle, open(name + ".bak", "w") as backup:
                    backup.write(handle.read())
            try:
                value = [lambda: name for name in args]
            except (OSError, ValueError) as error:
                raise RuntimeError(f"{error!r:>10}") from error
            else:
                del value
            finally:
                pass
            return inner(*args, **kwargs)

    async def fetch(urls):
        async with session() as client:
            async for url in client.get(urls):
                yield await url
        global counter
        counter += 1
        print(*urls, sep="")
        return [x async for x in urls] if urls else None
    '''
)

MATCH = textwrap.dedent(
    '''
    def route(command):
        match command.split():
            case ["go", direction] if direction:
                return lambda: direction
            case {"key": value, **rest}:
                return rest
            case Point(x=0, y=yy) | [*_, yy]:
                return yy
            case _:
                pass
    '''
)


def _sources() -> list[tuple[str, str]]:
    found = [("tricky.py", TRICKY)]
    if sys.version_info >= (3, 10):
        found.append(("match.py", MATCH))
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        found.append((path.name, text))
    return found


@pytest.mark.parametrize(("name", "source"), _sources(), ids=[name for name, _ in _sources()])
def test_index_walks_match_plain_walks(name: str, source: str) -> None:
    ctx = context(source, name)
    tree = ctx.tree
    tree_index.register(tree)
    assert tree_index.index_of(tree) is not None
    for node in ast.walk(tree):
        if node.__class__ in (ast.Load, ast.Store, ast.Del) or isinstance(node, (ast.operator, ast.unaryop,
                                                                                  ast.cmpop, ast.boolop)):
            continue
        assert list(walk_local(node)) == list(_walk_local(node)), ast.dump(node)[:80]
        plain = [inner for inner in ast.walk(node) if not isinstance(
            inner, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop))]
        assert list(all_nodes(node, ctx)) == plain
        for field in ("body", "orelse", "finalbody", "handlers"):
            body = getattr(node, field, None)
            if isinstance(body, list):
                assert list(walk_statements_local(body)) == list(_walk_statements_local(body))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            assert list(ctx.fact(statement_nodes, node)) == list(_walk_statements_local(node.body))
            assert list(local_nodes(node, ctx)) == list(_walk_local(node))


def test_nodes_outside_registered_trees_use_the_plain_walk() -> None:
    tree = ast.parse(TRICKY)
    tree_index.forget(tree)
    function = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    assert tree_index.index_of(function) is None
    assert list(walk_local(function)) == list(_walk_local(function))
    assert list(walk_statements_local(function.body)) == list(_walk_statements_local(function.body))
    made = ast.Pass()
    assert list(walk_local(made)) == []


def test_closed_context_forgets_its_tree() -> None:
    ctx = context(TRICKY, "tricky.py")
    tree = ctx.tree
    function = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    assert tree_index.index_of(function) is not None
    ctx.close()
    assert tree_index.index_of(function) is None
