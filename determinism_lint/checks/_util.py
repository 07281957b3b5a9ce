"""Small AST helpers shared by several rule families."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator, Optional, cast

from ..nodes import children_list
from ..tree_index import NESTED_SCOPE_TYPES, index_of

if TYPE_CHECKING:
    from ..context import Context

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

#: Method names that report an error to a person: ``logger.warning(...)``, ``log.exception``.
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
# ``log_failure``, ``self._report_error``, ``warn_once``, ``notify``: named helpers that report.
_REPORTING_NAME = re.compile(r"(?:^|_)(?:log|logger|report|warn|alert|notify|record_error)", re.IGNORECASE)

#: Dotted names of calls that make an error visible.
REPORTING_CALLS = frozenset(
    {
        "builtins.print",
        "warnings.warn",
        "warnings.warn_explicit",
        "traceback.print_exc",
        "traceback.print_exception",
        "traceback.print_stack",
        "sys.exit",
        "os._exit",
        "os.abort",
        "pytest.fail",
        "pytest.skip",
        "pytest.xfail",
        "click.echo",
        "click.secho",
        "typer.echo",
    }
)


def walk_local(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions, lambdas or classes.

    Expression contexts and operators are not yielded (see ``nodes.children_list``). The
    order is that of a stack walk (last child first); nodes of a registered tree are
    answered from its index (``tree_index``) in the same order, without a new walk.
    """
    found = index_of(node)
    if found is None:
        return _walk_local(node)
    index, position = found
    nodes: list[ast.AST] = []
    index.local(position, nodes)
    return iter(nodes)


def _walk_local(node: ast.AST) -> Iterator[ast.AST]:
    todo = children_list(node)
    while todo:
        current = todo.pop()
        yield current
        if not isinstance(current, _NESTED_SCOPES):
            todo.extend(children_list(current))


def local_nodes(scope: ast.AST, ctx: Context) -> tuple[ast.AST, ...]:
    """``walk_local(scope)`` as a tuple, in the same order: ask ``ctx.fact(local_nodes, scope)``
    so that the per-scope analyses share one walk of each function."""
    found = index_of(scope)
    if found is None:
        return tuple(_walk_local(scope))
    index, position = found
    nodes: list[ast.AST] = []
    index.local(position, nodes)
    return tuple(nodes)


def all_nodes(scope: ast.AST, ctx: Context) -> tuple[ast.AST, ...]:
    """``ast.walk(scope)`` (nested scopes included) as a tuple, in the same breadth-first order
    but without expression contexts and operators (leaves, so the order of the rest is
    unchanged); a fact: ask ``ctx.fact(all_nodes, scope)``."""
    indexed = index_of(scope)
    if indexed is not None:
        return tuple(indexed[0].breadth_first(indexed[1]))
    found = [scope]
    index = 0
    while index < len(found):
        found.extend(children_list(found[index]))
        index += 1
    return tuple(found)


def subtree_nodes(node: ast.AST) -> list[ast.AST]:
    """``node`` and every node under it, nested scopes included, without expression contexts
    and operators, in no promised order (for questions whose answer does not depend on it):
    a slice of the file's index when ``node`` is in a registered tree, else a walk."""
    indexed = index_of(node)
    if indexed is not None:
        index, position = indexed
        return index.order[position:index.ends[position]]
    found = [node]
    at = 0
    while at < len(found):
        found.extend(children_list(found[at]))
        at += 1
    return found


def with_openers(scope: ast.AST, ctx: Context) -> dict[str, list[ast.Call]]:
    """By name, the calls that ``with`` statements under ``scope`` (nested scopes included)
    bind to it: ``f`` -> ``open(path, "w")`` for ``with open(path, "w") as f``; a fact."""
    found: dict[str, list[ast.Call]] = {}
    for node in subtree_nodes(scope):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and isinstance(item.context_expr, ast.Call):
                    found.setdefault(item.optional_vars.id, []).append(item.context_expr)
    return found


def local_names(scope: ast.AST, ctx: Context) -> dict[str, list[ast.Name]]:
    """Every ``ast.Name`` of ``walk_local(scope)``, grouped by name, in walk order; a fact."""
    found: dict[str, list[ast.Name]] = {}
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, ast.Name):
            found.setdefault(node.id, []).append(node)
    return found


class NameIndex:
    """The names under a node, nested scopes included, from one pass in ``ast.walk`` order:
    ``names`` (``ast.Name`` nodes by name), ``args`` (how often each parameter name is
    declared), ``declared`` (names in ``global``/``nonlocal`` statements)."""

    __slots__ = ("names", "args", "declared")

    def __init__(self) -> None:
        self.names: dict[str, list[ast.Name]] = {}
        self.args: dict[str, int] = {}
        self.declared: set[str] = set()


def name_index(scope: ast.AST, ctx: Context) -> NameIndex:
    """A fact: ask ``ctx.fact(name_index, scope)``."""
    index = NameIndex()
    names = index.names
    name_type, arg_type, global_type, nonlocal_type = ast.Name, ast.arg, ast.Global, ast.Nonlocal
    for node in ctx.fact(all_nodes, scope):
        cls = node.__class__  # exact classes: ``ast`` node classes have no subclasses
        if cls is name_type:
            name = cast(ast.Name, node)
            found = names.get(name.id)
            if found is None:
                names[name.id] = [name]
            else:
                found.append(name)
        elif cls is arg_type:
            index.args[node.arg] = index.args.get(node.arg, 0) + 1  # type: ignore[attr-defined]
        elif cls is global_type or cls is nonlocal_type:
            index.declared.update(node.names)  # type: ignore[attr-defined]
    return index


def statement_nodes(scope: ast.AST, ctx: Context) -> tuple[ast.AST, ...]:
    """``walk_statements_local(scope.body)`` as a tuple, in the same order; a fact."""
    return tuple(walk_statements_local(scope.body))  # type: ignore[attr-defined]


def walk_statements_local(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under the statements ``body``, not entering nested scopes."""
    if body.__class__ is list and body:
        found = index_of(body[0])
        if found is not None:
            index, _ = found
            position = index.position
            nodes: list[ast.AST] = []
            for statement in body:
                at = position.get(statement)
                if at is None:
                    break
                nodes.append(statement)
                if statement.__class__ not in NESTED_SCOPE_TYPES:
                    index.local(at, nodes)
            else:
                return iter(nodes)
    return _walk_statements_local(body)


def _walk_statements_local(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for statement in body:
        yield statement
        if not isinstance(statement, _NESTED_SCOPES):
            yield from walk_local(statement)


def is_reporting_call(call: ast.Call, ctx: Context) -> bool:
    """A call that makes an error visible: logging, ``warnings.warn``, ``print``, exit."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
        return True
    name = ctx.call_name(call)
    if name is not None and name in REPORTING_CALLS:
        return True
    # ``sys.stderr.write(...)`` and ``self.report_error(...)``-style helpers.
    if isinstance(func, ast.Attribute):
        if func.attr == "write" and ctx.qualified_name(func.value) in ("sys.stderr", "sys.stdout"):
            return True
        return _REPORTING_NAME.search(func.attr) is not None
    if isinstance(func, ast.Name):
        return _REPORTING_NAME.search(func.id) is not None
    return False


def string_value(node: Optional[ast.AST]) -> Optional[str]:
    """The value of a plain string literal, else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(call: ast.Call, position: int, name: Optional[str] = None) -> Optional[ast.expr]:
    """The argument at ``position`` or passed as ``name=``; ``None`` when absent or behind ``*args``."""
    args = call.args
    for index, arg in enumerate(args):
        if isinstance(arg, ast.Starred):
            return None
        if index == position:
            return arg
    if name is not None:
        return keyword(call, name)
    return None


def last_name(expr: ast.AST) -> Optional[str]:
    """``a.b.c`` -> ``c``; ``f`` -> ``f``."""
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


def dotted(expr: ast.AST) -> Optional[str]:
    """The source spelling of a plain ``a.b.c`` chain, without resolving imports."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def parameter_default(function: ast.FunctionDef | ast.AsyncFunctionDef, param: str) -> Optional[ast.expr]:
    """The default value of parameter ``param`` of ``function``, if it has one."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    offset = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        if arg.arg == param:
            return args.defaults[index - offset] if index >= offset else None
    for arg, value in zip(args.kwonlyargs, args.kw_defaults):
        if arg.arg == param:
            return value
    return None
