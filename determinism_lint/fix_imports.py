"""Where ``fix`` puts the imports its rewrites need: where a person would have written them.

``import logging`` joins the module's standard-library imports, a helper import
(``from determinism_lint.runtime import atomic_open``) joins the third-party ones or is
merged into an existing import from the same module. Only the import block at the top of
the module counts: never inside a ``try:`` import fallback, never below module code, never
between a docstring and the blank line after it. Nothing that is already there is removed
or moved.
"""

from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Union

import libcst as cst

from .cst_util import dotted_name
from .stdlib_modules import STDLIB_MODULE_NAMES

# What a module's body holds (``cst.Module.body``).
_Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]


@dataclass(frozen=True, order=True)
class NeededImport:
    """``import module`` (``name`` is ``None``), ``from module import name``, either ``as alias``."""

    module: str
    name: Optional[str] = None
    alias: Optional[str] = None


class Kind(enum.Enum):
    FUTURE = "future"
    STDLIB = "stdlib"
    THIRD_PARTY = "third-party"
    LOCAL = "local"


STDLIB_MODULES: frozenset[str] = STDLIB_MODULE_NAMES | frozenset(getattr(sys, "stdlib_module_names", ()))


def first_party_package(path: str) -> Optional[str]:
    """The top-level package ``path`` belongs to: the outermost folder holding ``__init__.py``."""
    directory = os.path.dirname(os.path.abspath(path))
    top: Optional[str] = None
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        top = os.path.basename(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return top


def _import_line(statement: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    """The import of a line that holds exactly one import statement."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
    return None


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_import_block(statement: cst.CSTNode) -> bool:
    """``try: import x`` / ``if TYPE_CHECKING: import x``: part of the import head, not a place to insert."""
    if isinstance(statement, cst.SimpleStatementLine):
        return all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)
    if isinstance(statement, (cst.If, cst.Try)) and isinstance(statement.body, cst.IndentedBlock):
        return any(_is_import_block(inner) for inner in statement.body.body)
    return False


def _module_of(small: cst.BaseSmallStatement) -> str:
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name) or ""
    assert isinstance(small, cst.ImportFrom)
    dots = "." * len(small.relative)
    return dots + (dotted_name(small.module) or "" if small.module is not None else "")


def _kind(small: cst.BaseSmallStatement, first_party: Optional[str]) -> Kind:
    name = _module_of(small)
    if name.startswith("."):
        return Kind.LOCAL
    top = name.split(".", 1)[0]
    if top == "__future__":
        return Kind.FUTURE
    if top == first_party:
        return Kind.LOCAL
    if top in STDLIB_MODULES:
        return Kind.STDLIB
    return Kind.THIRD_PARTY


def _kind_of_needed(needed: NeededImport, first_party: Optional[str]) -> Kind:
    top = needed.module.split(".", 1)[0]
    if top == first_party:
        return Kind.LOCAL
    return Kind.STDLIB if top in STDLIB_MODULES else Kind.THIRD_PARTY


def _top_level_import_lines(body: Sequence[cst.BaseStatement]) -> Iterator[cst.BaseStatement]:
    """The module's lines, and those of its top-level ``try:``/``if`` blocks (an import there
    binds at module level too)."""
    for statement in body:
        yield statement
        if isinstance(statement, (cst.If, cst.Try)):
            blocks = [statement.body]
            if isinstance(statement, cst.Try):
                blocks.extend(handler.body for handler in statement.handlers)
            elif statement.orelse is not None and isinstance(statement.orelse, cst.Else):
                blocks.append(statement.orelse.body)
            for block in blocks:
                if isinstance(block, cst.IndentedBlock):
                    yield from block.body


def _already_imported(body: Sequence[cst.BaseStatement], needed: NeededImport) -> bool:
    for statement in _top_level_import_lines(body):
        small = _import_line(statement)
        if isinstance(small, cst.Import) and needed.name is None:
            for alias in small.names:
                bound = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
                if dotted_name(alias.name) == needed.module and bound == needed.alias:
                    return True
        elif (
            isinstance(small, cst.ImportFrom)
            and needed.name is not None
            and not small.relative
            and small.module is not None
            and dotted_name(small.module) == needed.module
            and not isinstance(small.names, cst.ImportStar)
        ):
            for alias in small.names:
                bound = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
                if isinstance(alias.name, cst.Name) and alias.name.value == needed.name and bound == needed.alias:
                    return True
    return False


def _merge_target(body: Sequence[cst.BaseStatement], head_end: int, module: str) -> Optional[int]:
    """A top-of-module ``from module import a, b`` to add a name to."""
    for index in range(head_end):
        small = _import_line(body[index])
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and dotted_name(small.module) == module
            and not isinstance(small.names, cst.ImportStar)
        ):
            return index
    return None


def _merged(statement: cst.SimpleStatementLine, needed: NeededImport) -> cst.SimpleStatementLine:
    small = statement.body[0]
    assert isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)
    names = list(small.names)
    new = cst.ImportAlias(
        name=cst.Name(needed.name or ""),
        asname=cst.AsName(name=cst.Name(needed.alias)) if needed.alias else None,
    )
    separators = [alias.comma for alias in names[:-1]]
    trailing = names[-1].comma
    extra = separators[-1] if separators else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if not isinstance(extra, cst.Comma):
        extra = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    spelled = [alias.name.value if isinstance(alias.name, cst.Name) else "" for alias in names]
    position = len(names)
    if spelled == sorted(spelled, key=str.lower):
        position = next((i for i, name in enumerate(spelled) if name.lower() > (needed.name or "").lower()), len(names))
    ordered = [*names[:position], new, *names[position:]]
    commas = [*separators, extra]
    rebuilt = [alias.with_changes(comma=commas[i]) for i, alias in enumerate(ordered[:-1])]
    rebuilt.append(ordered[-1].with_changes(comma=trailing))
    return statement.with_changes(body=[small.with_changes(names=rebuilt)])


def _statement(needed: NeededImport) -> cst.SimpleStatementLine:
    alias = f" as {needed.alias}" if needed.alias else ""
    if needed.name is None:
        code = f"import {needed.module}{alias}\n"
    else:
        code = f"from {needed.module} import {needed.name}{alias}\n"
    statement = cst.parse_statement(code)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement


_BLANK = cst.EmptyLine()


def _leading_strings(body: Sequence[cst.BaseStatement]) -> int:
    """How many string statements open the module: the docstring, and the notes some
    generated modules put after it ("Do not edit this file manually.")."""
    index = 0
    while index < len(body) and _is_docstring(body[index]):
        index += 1
    return index


def _head_end(body: Sequence[cst.BaseStatement]) -> int:
    """Index of the first statement that is module code (not a docstring, not an import)."""
    index = _leading_strings(body)
    while index < len(body) and _is_import_block(body[index]):
        index += 1
    return index


@dataclass
class _Line:
    index: int
    kind: Kind
    small: cst.BaseSmallStatement


def _groups(body: Sequence[_Statement], start: int, end: int, first_party: Optional[str]) -> list[list[_Line]]:
    """Runs of one-import lines in ``body[start:end]``; a blank line, a comment or a
    ``try:``/``if`` block ends a run."""
    groups: list[list[_Line]] = []
    current: list[_Line] = []
    for index in range(start, end):
        statement = body[index]
        small = _import_line(statement)
        if small is None or (current and statement.leading_lines):
            if current:
                groups.append(current)
            current = []
        if small is not None:
            current.append(_Line(index, _kind(small, first_party), small))
    if current:
        groups.append(current)
    return groups


def _sort_key(name: str) -> str:
    return name.lower()


def _position_in_group(group: list[_Line], kind: Kind, needed: NeededImport) -> int:
    """Index in the module body where ``needed`` goes inside ``group``: before the first
    line of its kind and statement type that sorts after it, else after the last of them."""
    plain = needed.name is None
    same_kind = [line for line in group if line.kind is kind]
    same_type = [line for line in same_kind if isinstance(line.small, cst.Import) == plain]
    key = _sort_key(needed.module)
    for line in same_type:
        if _sort_key(_module_of(line.small)) > key:
            return line.index
    if same_type:
        return same_type[-1].index + 1
    if plain and same_kind:
        return same_kind[0].index  # ``import x`` before ``from y import z`` (isort's default)
    if same_kind:
        return same_kind[-1].index + 1
    return group[-1].index + 1


def add_imports(module: cst.Module, imports: Sequence[NeededImport], path: str) -> cst.Module:
    """``module`` with ``imports`` added (each once), where a person would put them."""
    first_party = first_party_package(path)
    body = list(module.body)
    for needed in sorted(set(imports)):
        if _already_imported(body, needed):
            continue
        head_end = _head_end(body)
        if needed.name is not None:
            target = _merge_target(body, head_end, needed.module)
            if target is not None:
                body[target] = _merged(body[target], needed)  # type: ignore[arg-type]
                continue
        body = _insert(body, head_end, needed, first_party)
    return module.with_changes(body=body)


def _insert(
    body: list[_Statement], head_end: int, needed: NeededImport, first_party: Optional[str]
) -> list[_Statement]:
    kind = _kind_of_needed(needed, first_party)
    start = _leading_strings(body)
    groups = [g for g in _groups(body, start, head_end, first_party) if any(line.kind is not Kind.FUTURE for line in g)]
    future_end = max(
        (i + 1 for i in range(start, head_end) if (s := _import_line(body[i])) is not None and _kind(s, first_party) is Kind.FUTURE),
        default=start,
    )
    new = _statement(needed)
    # 1. A group that already holds imports of this kind.
    for group in groups:
        if any(line.kind is kind for line in group):
            if len({line.kind for line in group if line.kind is not Kind.FUTURE}) > 1:
                index = group[-1].index + 1  # not grouped by kind: after its last line
            else:
                index = _position_in_group(group, kind, needed)
            if index == group[0].index:
                # First in its group: it takes over the group's leading lines (blank line, comment).
                first = body[index]
                new = new.with_changes(leading_lines=first.leading_lines)
                body[index] = first.with_changes(leading_lines=[])
            return _put(body, index, new, ensure_blank_after=index == head_end)
    # 2. No such group: one line of its own, between the groups that come before it in
    #    isort's order (future, standard library, third party) and those after (local).
    if kind is Kind.STDLIB:
        before = [g for g in groups if g[0].kind is Kind.FUTURE]
    elif kind is Kind.THIRD_PARTY:
        before = [g for g in groups if all(line.kind in (Kind.FUTURE, Kind.STDLIB) for line in g)]
    else:  # a helpers module of the project itself: after everything else
        before = [g for g in groups if all(line.kind is not Kind.LOCAL for line in g)]
    if not before and len(groups) == 1 and kind is not Kind.STDLIB:
        # One block of mixed imports, no groups: after its last line.
        index = groups[0][-1].index + 1
        return _put(body, index, new, ensure_blank_after=True)
    later = [g for g in groups if before and g[0].index > before[-1][-1].index]
    if before and later and kind is not Kind.STDLIB:
        # Before the first group that follows (the project's own imports), after any
        # ``try:``/``if`` import blocks in between: where isort would put it.
        first = body[later[0][0].index]
        new = new.with_changes(leading_lines=first.leading_lines or [_BLANK])
        body[later[0][0].index] = first.with_changes(leading_lines=[_BLANK])
        return _put(body, later[0][0].index, new)
    if before:
        index = before[-1][-1].index + 1
        new = new.with_changes(leading_lines=[_BLANK])
    elif future_end > start or start > 0:
        # After ``from __future__`` imports or the docstring, a blank line between.
        index = max(future_end, start)
        new = new.with_changes(leading_lines=[_BLANK])
    else:
        index = 0
    return _put(body, index, new, ensure_blank_after=True)


def _put(
    body: list[_Statement], index: int, new: cst.SimpleStatementLine, *, ensure_blank_after: bool = False
) -> list[_Statement]:
    body = list(body)
    if ensure_blank_after and index < len(body):
        following = body[index]
        lines = list(getattr(following, "leading_lines", ()))
        if not lines or lines[0].comment is not None:
            wanted = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
            if _import_line(following) is not None or _is_import_block(following):
                wanted = 1
            body[index] = following.with_changes(leading_lines=[_BLANK] * wanted + lines)
    body.insert(index, new)
    return body
