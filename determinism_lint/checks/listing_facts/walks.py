"""The shape of a directory walk loop: its ``root, dirs, files`` names, whether it sorts or prunes
the directory list in place, whether it walks top-down.
"""

from __future__ import annotations

import ast
from typing import Optional, Union

from ..order_facts import sorts_in_place
from .._util import argument, keyword, walk_local
from .listings import Listing


_WALK_WRAPPERS = frozenset({"builtins.sorted", "builtins.list", "builtins.tuple"})


def _walk_names(target: ast.AST) -> tuple[Optional[str], Optional[str]]:
    """The directory-list and file-list names of a ``root, dirs, files`` target."""
    if not isinstance(target, (ast.Tuple, ast.List)) or len(target.elts) < 3:
        return None, None
    dirs, files = target.elts[1], target.elts[2]
    return (
        dirs.id if isinstance(dirs, ast.Name) else None,
        files.id if isinstance(files, ast.Name) else None,
    )


def _sorted_in_body(loop: Union[ast.For, ast.AsyncFor], dirs: str) -> bool:
    """``dirs.sort()``/``dirs[:] = sorted(...)``/``dirs.clear()`` in the body, or a body that always leaves."""
    if loop.body and isinstance(loop.body[-1], (ast.Break, ast.Return, ast.Raise)):
        return True  # only the top directory is looked at
    return any(isinstance(node, ast.stmt) and sorts_in_place(node, dirs) for node in walk_local(loop))


def _is_trailing_break(node: ast.AST, loop: Union[ast.For, ast.AsyncFor], names: set[str]) -> bool:
    """A ``break`` that ends a walk after the top directory whatever it holds (``if not recursive: break``)."""
    if not isinstance(node, ast.Break) or not loop.body:
        return False
    last = loop.body[-1]
    if last is node:
        return True
    return (
        isinstance(last, ast.If)
        and last.body == [node]
        and not last.orelse
        and not any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(last.test))
    )


def _target_names(target: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _prunes(loop: Union[ast.For, ast.AsyncFor], dirs: str) -> bool:
    for node in walk_local(loop):
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
            if any(_is_item_of(target, dirs) for target in targets):
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("remove", "clear", "pop")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == dirs
        ):
            return True
    return False


def _is_item_of(target: ast.AST, name: str) -> bool:
    return isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name


def _is_topdown(call: ast.Call, listing: Listing) -> bool:
    flag = keyword(call, "top_down" if listing.label.startswith("Path.") else "topdown")
    if flag is None and not listing.label.startswith("Path."):
        flag = argument(call, 1)
    return not (isinstance(flag, ast.Constant) and flag.value is False)


def _first(*nodes: Optional[ast.AST]) -> ast.AST:
    found = [node for node in nodes if node is not None]
    return min(found, key=lambda node: (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
