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
) -> cst.BaseSuite:
    """``statements`` first in ``body``; a body that only held ``pass`` loses it.

    A one-line suite (``except Exception: pass``) becomes an indented block, so the
    result reads like hand-written code.
    """
    only_pass = drop_pass and is_only_pass(body)
    if isinstance(body, cst.SimpleStatementSuite):
        rest: list[cst.BaseStatement] = [] if only_pass else [cst.SimpleStatementLine(body=body.body)]
        trailing = body.trailing_whitespace
        header = cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace(""), comment=trailing.comment, newline=trailing.newline
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
