"""libcst helpers for the rules' fixes. Imported only by ``fix`` methods, never by ``check``."""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst


def is_only_pass(body: cst.BaseSuite) -> bool:
    statements = body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return all(isinstance(small, cst.Pass) for small in statements)
    return all(
        isinstance(line, cst.SimpleStatementLine) and all(isinstance(small, cst.Pass) for small in line.body)
        for line in statements
    )


def prepend_statements(
    body: cst.BaseSuite, statements: Sequence[cst.BaseStatement], *, drop_pass: bool = True
) -> cst.IndentedBlock:
    """``statements`` first in ``body``; a body that only held ``pass`` loses it.

    A one-line suite (``except Exception: pass``) becomes an indented block, so the
    result reads like hand-written code.
    """
    only_pass = drop_pass and is_only_pass(body)
    if isinstance(body, cst.SimpleStatementSuite):
        rest: list[cst.BaseStatement] = [] if only_pass else [cst.SimpleStatementLine(body=body.body)]
        trailing = body.trailing_whitespace
        # ``except X: pass  # note`` -> the note stays on the header, two spaces before it.
        header = cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  " if trailing.comment is not None else ""),
            comment=trailing.comment,
            newline=trailing.newline,
        )
        return cst.IndentedBlock(body=[*statements, *rest], header=header)
    assert isinstance(body, cst.IndentedBlock)
    kept = [] if only_pass else list(body.body)
    if only_pass and body.body:
        # Keep comments that sat above ``pass``.
        first = body.body[0]
        statements = list(statements)
        if statements and isinstance(first, cst.SimpleStatementLine) and first.leading_lines:
            statements[0] = statements[0].with_changes(leading_lines=first.leading_lines)
        if isinstance(first, cst.SimpleStatementLine) and first.trailing_whitespace.comment is not None:
            statements[-1] = statements[-1].with_changes(trailing_whitespace=first.trailing_whitespace)
    return body.with_changes(body=[*statements, *kept])


def statement(code: str, config: Optional[cst.PartialParserConfig] = None) -> cst.BaseStatement:
    return cst.parse_statement(code, config) if config is not None else cst.parse_statement(code)


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


# -- helpers for fixes that call a runtime helper -----------------------------------------

#: Expressions that keep their parentheses when they become an argument: a tuple would turn
#: into several arguments, a generator or ``yield`` needs them.
_KEEP_PARENS = (cst.Tuple, cst.GeneratorExp, cst.Yield, cst.NamedExpr)


def _simple_paren_whitespace(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace)


def as_argument_value(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``expr`` without the parentheses it needed as a receiver (``(d / "x").open()``).

    Parentheses that hold a comment or a line break, or that an argument still needs
    (tuples, generators, ``yield``), are kept.
    """
    lpar, rpar = list(getattr(expr, "lpar", ())), list(getattr(expr, "rpar", ()))
    if not lpar or isinstance(expr, _KEEP_PARENS):
        return expr
    if not all(_simple_paren_whitespace(p.whitespace_after) for p in lpar):
        return expr
    if not all(_simple_paren_whitespace(p.whitespace_before) for p in rpar):
        return expr
    return expr.with_changes(lpar=[], rpar=[])


def receiver_as_first_argument(call: cst.Call) -> Optional[list[cst.Arg]]:
    """The arguments of ``receiver.method(args)`` with ``receiver`` prepended.

    When the original arguments start on a new line, the receiver gets a line of its own.
    """
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    receiver = as_argument_value(func.value)
    if not call.args:
        return [cst.Arg(value=receiver)]
    before = call.whitespace_before_args
    after_comma: cst.BaseParenthesizableWhitespace = (
        before if isinstance(before, cst.ParenthesizedWhitespace) else cst.SimpleWhitespace(" ")
    )
    first = cst.Arg(value=receiver, comma=cst.Comma(whitespace_after=after_comma))
    return [first, *call.args]


def keyword_argument(arg: cst.Arg, name: str) -> cst.Arg:
    """``arg`` passed as ``name=value`` (PEP 8 spacing)."""
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def find_argument(
    args: Sequence[cst.Arg], *, index: Optional[int] = None, name: Optional[str] = None
) -> Optional[cst.Arg]:
    """The positional argument at ``index`` or the keyword argument ``name``."""
    position = 0
    for arg in args:
        if arg.star:
            continue
        if arg.keyword is None:
            if index is not None and position == index:
                return arg
            position += 1
        elif name is not None and arg.keyword.value == name:
            return arg
    return None


def _target_names(target: cst.BaseExpression, found: set[str]) -> None:
    if isinstance(target, cst.Name):
        found.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _target_names(element.value, found)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, found)


def names_bound_except_import(module: cst.Module, import_module: str) -> set[str]:
    """Names the module binds anywhere (any scope), except by ``from import_module import name``.

    A helper can be imported under its own name only when the module does not already use
    that name for something else (its own ``atomic_open``, a parameter, an import from
    elsewhere).
    """
    found: set[str] = set()
    todo: list[cst.CSTNode] = [module]
    while todo:
        node = todo.pop()
        todo.extend(node.children)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            found.add(node.name.value)
        elif isinstance(node, cst.Param):
            found.add(node.name.value)
        elif isinstance(node, cst.AssignTarget):
            _target_names(node.target, found)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            _target_names(node.target, found)
        elif isinstance(node, (cst.For, cst.CompFor)):
            _target_names(node.target, found)
        elif isinstance(node, cst.AsName):
            _target_names(node.name, found)
        elif isinstance(node, cst.NamedExpr):
            _target_names(node.target, found)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            found.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Del):
            _target_names(node.target, found)
        elif isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is None:
                    found.add(dotted_name(alias.name).split(".", 1)[0])  # type: ignore[union-attr]
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            source = dotted_name(node.module) if node.module is not None and not node.relative else None
            for alias in node.names:
                if alias.asname is not None:
                    continue  # the AsName child is collected above
                name = alias.name.value if isinstance(alias.name, cst.Name) else None
                if name is not None and source != import_module:
                    found.add(name)
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            found.add(node.name.value)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            found.add(node.rest.value)
    return found


def fresh_name(candidates: Sequence[str], taken: set[str]) -> str:
    """The first of ``candidates`` not in ``taken``, else the first one with a number."""
    for name in candidates:
        if name not in taken:
            return name
    number = 2
    while f"{candidates[0]}{number}" in taken:
        number += 1
    return f"{candidates[0]}{number}"


def only_small_statement(statement: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    """The small statement of a line (or one-line suite) that holds exactly one."""
    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and len(statement.body) == 1:
        return statement.body[0]
    return None


def wrap_statement_in_with(
    statement: cst.CSTNode, item: cst.BaseExpression, name: str, small: cst.BaseSmallStatement
) -> cst.CSTNode:
    """``with <item> as <name>:`` around ``small``, which replaces the only small statement
    of ``statement``.

    ``statement`` is a ``SimpleStatementLine`` (the ``with`` takes its leading comments and
    blank lines; the statement keeps its trailing comment, so a ``noqa`` stays on its line)
    or the ``SimpleStatementSuite`` of ``if x: stmt`` (which becomes an indented block).
    The new block uses the module's default indentation.
    """
    if isinstance(statement, cst.SimpleStatementLine):
        inner = statement.with_changes(body=[small], leading_lines=[])
        return _with_block(item, name, inner).with_changes(leading_lines=statement.leading_lines)
    if isinstance(statement, cst.SimpleStatementSuite):
        trailing = statement.trailing_whitespace
        inner = cst.SimpleStatementLine(body=[small], trailing_whitespace=trailing)
        header = cst.TrailingWhitespace(newline=trailing.newline)
        return cst.IndentedBlock(body=[_with_block(item, name, inner)], header=header)
    raise TypeError(f"not a simple statement: {type(statement).__name__}")


def _with_block(item: cst.BaseExpression, name: str, inner: cst.SimpleStatementLine) -> cst.With:
    return cst.With(
        items=[cst.WithItem(item=item, asname=cst.AsName(name=cst.Name(name)))],
        body=cst.IndentedBlock(body=[inner]),
    )
