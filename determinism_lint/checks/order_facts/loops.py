"""Loop bodies: the statements that keep, ignore or settle the order of the iteration (fixed keys,
counters, unique matches, breaks, side effects).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable, Iterator, Optional, Union

from .._util import walk_local
from .calls import _inside_log_call, _is_log_call
from .nodes import _is_full_slice, _mentions
from .vocabulary import _BLOCKS, _COMPREHENSIONS, _ORDERING_OPS, Loop

if TYPE_CHECKING:
    from ...context import Context


def _comprehension_parts(generator: ast.comprehension, ctx: Context) -> tuple[list[ast.AST], list[ast.AST]]:
    comp = ctx.parent(generator)
    if not isinstance(comp, _COMPREHENSIONS):
        return [], [generator.target]
    generators = comp.generators
    index = next((i for i, item in enumerate(generators) if item is generator), 0)
    parts: list[ast.AST] = list(generator.ifs)
    targets: list[ast.AST] = [generator.target]
    for later in generators[index + 1:]:
        parts.append(later.iter)
        parts.extend(later.ifs)
        targets.append(later.target)
    if isinstance(comp, ast.DictComp):
        parts.extend((comp.key, comp.value))
    else:
        parts.append(comp.elt)
    return parts, targets


def _fixed_key_store(
    node: ast.Assign, stored: set[str], tainted: set[str], loop: Loop, target_names: set[str], ctx: Context
) -> Optional[ast.AST]:
    """``latest["checkpoint"] = path``: a key that is the same for every entry keeps the last one."""
    if not _mentions(node.value, tainted) or _under_unique_match(node, loop, target_names, tainted, ctx):
        return None
    for target in node.targets:
        if (
            isinstance(target, ast.Subscript)
            and not _mentions(target.slice, tainted)
            and not (isinstance(target.value, ast.Name) and target.value.id in stored)
            and not _is_full_slice(target.slice)
            and not _under_ordering_test(node, loop, ctx)
        ):
            return target
    return None


def _counter_read(name: str, increment: ast.AugAssign, nodes: list[ast.AST], ctx: Context) -> Optional[ast.AST]:
    for node in nodes:
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and isinstance(node.ctx, ast.Load)
            and not _inside_log_call(node, ctx)
        ):
            return node
    return None


def _under_unique_match(
    node: ast.AST, loop: Loop, target_names: set[str], tainted: set[str], ctx: Context
) -> bool:
    """``node`` runs only for an entry equal to a fixed name: a directory holds it at most once."""
    for ancestor in ctx.ancestors(node):
        if ancestor is loop:
            return False
        if isinstance(ancestor, ast.If) and _is_unique_match(ancestor.test, target_names, tainted):
            return True
    return False


def _is_unique_match(test: ast.AST, target_names: set[str], tainted: set[str]) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_unique_match(value, target_names, tainted) for value in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    left, right = test.left, test.comparators[0]
    for entry, other in ((left, right), (right, left)):
        if isinstance(entry, ast.Attribute) and entry.attr == "name":
            entry = entry.value
        if isinstance(entry, ast.Name) and entry.id in target_names and not _mentions(other, tainted):
            return True
    return False


def _own_breaks(loop: Union[ast.For, ast.AsyncFor]) -> set[int]:
    found: set[int] = set()
    todo: list[ast.AST] = list(loop.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Break):
            found.add(id(node))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # Breaks inside a nested loop belong to it; only its else-clause can break ours.
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                todo.extend(node.orelse)
            continue
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCKS))
    return found


def _has_side_effect_statement(parts: list[ast.AST], tainted: set[str], ctx: Context) -> bool:
    """A call on the element before a ``break``: only the first matching entries get processed."""
    for part in parts:
        for node in _walk_with(part):
            if isinstance(node, ast.Expr):
                value = node.value.value if isinstance(node.value, ast.Await) else node.value
                if (
                    isinstance(value, ast.Call)
                    and _mentions(value, tainted)
                    and not _is_log_call(value, ctx.call_name(value))
                ):
                    return True
    return False


def _walk_with(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        yield from walk_local(node)


def _stored_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Names bound in a loop body (targets, ``with ... as``), not counting ``+=``."""
    augmented = {id(node.target) for node in nodes if isinstance(node, ast.AugAssign)}
    return {
        node.id
        for node in nodes
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and id(node) not in augmented
    }


def _tainted_names(targets: list[ast.AST], nodes: list[ast.AST]) -> set[str]:
    """Names whose value comes from the loop variable, directly or through assignments."""
    tainted = {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}
    flows: list[tuple[ast.AST, list[str]]] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            flows.append((node.value, _target_names(node.targets)))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            flows.append((node.value, _target_names([node.target])))
        elif isinstance(node, ast.NamedExpr):
            flows.append((node.value, [node.target.id]))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            flows.append((node.iter, _target_names([node.target])))
        elif isinstance(node, ast.comprehension):
            flows.append((node.iter, _target_names([node.target])))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            flows.append((node.context_expr, _target_names([node.optional_vars])))
    changed = True
    while changed:
        changed = False
        for value, names in flows:
            if any(name not in tainted for name in names) and _mentions(value, tainted):
                tainted.update(names)
                changed = True
    return tainted


def _target_names(targets: Iterable[ast.AST]) -> list[str]:
    return [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_constant(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(key is not None and _is_constant(key) for key in node.keys) and all(
            _is_constant(value) for value in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    return False


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _is_min_max(value: ast.AST, ctx: Context) -> bool:
    return isinstance(value, ast.Call) and ctx.call_name(value) in ("builtins.min", "builtins.max")


def _under_ordering_test(node: ast.AST, loop: ast.AST, ctx: Context) -> bool:
    for ancestor in ctx.ancestors(node):
        if ancestor is loop:
            return False
        if isinstance(ancestor, (ast.If, ast.IfExp)) and any(
            isinstance(compare, ast.Compare) and any(isinstance(op, _ORDERING_OPS) for op in compare.ops)
            for compare in ast.walk(ancestor.test)
        ):
            return True
    return False
