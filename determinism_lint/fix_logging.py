"""Which logger a log call added by ``fix`` goes through.

The module's own logger when it has one (``logger``, ``LOGGER``, ``log``, ``_log``, or any name
bound from ``logging.getLogger(...)``/``get_logger(...)``, also through a wrapper such as
``LoggerAdapter(logging.getLogger(__name__), {})``), or a method's ``self.log``/``self.logger``
when its class logs through one; else ``logging.getLogger(__name__)``, where ``logging`` must be
the standard library's in the handler's scope: a module that binds ``logging`` to something
else (``from .utils import logging``) or a function with a parameter called ``logging`` gets
``import logging as _logging`` instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from .cst_util import dotted_name

#: Names that hold a logger by convention.
LOGGER_NAMES = ("logger", "LOGGER", "log", "_log", "_logger", "LOG", "_LOG", "_LOGGER")
_LOGGER_FACTORIES = ("getLogger", "get_logger", "getChild")
_SELF_LOGGER_RE = re.compile(r"\bself\.(log|logger|_log|_logger)\.(?:debug|info|warning|error|exception|critical)\(")


@dataclass(frozen=True)
class LoggerChoice:
    #: The expression to call ``.<level>(...)`` on.
    expression: str
    #: ``(alias or None)`` when ``import logging [as alias]`` must be added.
    needs_import: bool = False
    alias: Optional[str] = None


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(current.children)


def _is_factory_call(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func)
    return name is not None and name.rsplit(".", 1)[-1] in _LOGGER_FACTORIES


def _calls_logger_factory(value: cst.Call) -> bool:
    """``logging.getLogger(...)``, ``get_logger(...)``, or a wrapper around one as its first
    argument (``LoggerAdapter(logging.getLogger(__name__), {})``)."""
    if _is_factory_call(value):
        return True
    return bool(value.args) and _is_factory_call(value.args[0].value)


def _binding_kinds(tree: cst.CSTNode) -> dict[str, list[str]]:
    """For every name bound anywhere under ``tree``: how (``"import logging"``, ``"import
    logging as"``, ``"logger-call"``, ``"call"``, ``"log-import"``, ``"other"``)."""
    from .cst_util import _target_names

    kinds: dict[str, list[str]] = {}

    def add(name: str, kind: str) -> None:
        kinds.setdefault(name, []).append(kind)

    handled: set[int] = set()
    for node in _walk(tree):
        if id(node) in handled:
            continue
        if isinstance(node, cst.Import):
            for alias in node.names:
                module = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    add(alias.asname.name.value, "import logging as" if module == "logging" else "other")
                else:
                    add(module.split(".", 1)[0], "import logging" if module == "logging" else "other")
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            source = ("." * len(node.relative)) + (dotted_name(node.module) or "" if node.module is not None else "")
            for alias in node.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = alias.asname.name.value
                elif isinstance(alias.name, cst.Name):
                    bound = alias.name.value
                else:
                    continue
                add(bound, "log-import" if "log" in source.lower() else "other")
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            kind = "other"
            if isinstance(node.value, cst.Call):
                kind = "logger-call" if _calls_logger_factory(node.value) else "call"
            add(node.targets[0].target.value, kind)
            handled.add(id(node.targets[0]))
        else:
            found: set[str] = set()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                found.add(node.name.value)
            elif isinstance(node, cst.Param):
                found.add(node.name.value)
            elif isinstance(node, cst.AssignTarget):
                _target_names(node.target, found)
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
                _target_names(node.target, found)
            elif isinstance(node, cst.AsName) and not isinstance(node.name, cst.Name):
                _target_names(node.name, found)
            elif isinstance(node, cst.WithItem) and node.asname is not None and isinstance(node.asname.name, cst.Name):
                found.add(node.asname.name.value)
            elif isinstance(node, cst.ExceptHandler) and node.name is not None and isinstance(node.name.name, cst.Name):
                found.add(node.name.name.value)
            elif isinstance(node, (cst.Global, cst.Nonlocal)):
                found.update(item.name.value for item in node.names)
            for name in found:
                add(name, "other")
    return kinds


def _top_level_kinds(module: cst.Module) -> dict[str, list[str]]:
    """Bindings made unconditionally when the module is imported: its own lines, not those
    inside ``if __name__ == "__main__":``, ``if TYPE_CHECKING:`` or ``try:`` blocks."""
    kinds: dict[str, list[str]] = {}
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            kinds.setdefault(statement.name.value, []).append("other")
        elif isinstance(statement, cst.SimpleStatementLine):
            for name, found in _binding_kinds(statement).items():
                kinds.setdefault(name, []).extend(found)
    return kinds


def _bound_in_scopes(ancestors: list[cst.CSTNode]) -> set[str]:
    """Names bound by the functions around the handler (a superset: their whole bodies),
    and by its class when the handler sits in the class body itself: they would shadow a
    module-level name there. (A class body does not enclose its methods' names.)"""
    names: set[str] = set()
    in_function = False
    for ancestor in ancestors:
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
            names.update(_binding_kinds(ancestor))
            in_function = True
        elif isinstance(ancestor, cst.ClassDef) and not in_function:
            names.update(_binding_kinds(ancestor))
    return names


@dataclass(frozen=True)
class ModuleBindings:
    """How the module binds each name: at top level, and anywhere (computed once per file)."""

    top_level: dict[str, list[str]]
    everywhere: dict[str, list[str]]
    #: ``self.<name>`` each class logs through, by ``id`` of the class node (filled lazily).
    self_loggers: dict[int, Optional[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, module: cst.Module) -> ModuleBindings:
        return cls(_top_level_kinds(module), _binding_kinds(module))


def choose_logger(
    module: cst.Module, ancestors: list[cst.CSTNode], taken: set[str], bindings: Optional[ModuleBindings] = None
) -> LoggerChoice:
    """The logger for a log call in the handler whose ancestors (parent first) are ``ancestors``."""
    bindings = bindings if bindings is not None else ModuleBindings.of(module)
    module_kinds = bindings.top_level
    everywhere = bindings.everywhere
    shadowed = _bound_in_scopes(ancestors)

    # A method whose class logs through ``self.log``: the same logger.
    function = next((a for a in ancestors if isinstance(a, cst.FunctionDef)), None)
    owner = next((a for a in ancestors if isinstance(a, cst.ClassDef)), None)
    if function is not None and owner is not None and function.params.params:
        first = function.params.params[0].name.value
        if first == "self":
            if id(owner) not in bindings.self_loggers:
                match = _SELF_LOGGER_RE.search(module.code_for_node(owner))
                bindings.self_loggers[id(owner)] = match.group(1) if match is not None else None
            attribute = bindings.self_loggers[id(owner)]
            if attribute is not None:
                return LoggerChoice(f"self.{attribute}")

    # The module's logger: bound once, from a logger factory or by a conventional name.
    candidates: list[tuple[int, str]] = []
    for name, kinds in module_kinds.items():
        if len(kinds) != 1 or len(everywhere.get(name, ())) != 1 or name in shadowed:
            continue
        kind = kinds[0]
        if kind == "logger-call":
            candidates.append((0, name))
        elif name in LOGGER_NAMES and kind in ("call", "log-import"):
            candidates.append((1, name))
    if candidates:
        return LoggerChoice(min(candidates, key=lambda item: (item[0], LOGGER_NAMES.index(item[1]) if item[1] in LOGGER_NAMES else 99, item[1]))[1])

    # ``logging`` itself, when every binding of the name is the standard library's module.
    if all(kind == "import logging" for kind in everywhere.get("logging", [])):
        top_level = "import logging" in module_kinds.get("logging", [])
        return LoggerChoice("logging.getLogger(__name__)", needs_import=not top_level)
    for name, kinds in module_kinds.items():
        if kinds == ["import logging as"] and everywhere.get(name) == kinds and name not in shadowed:
            return LoggerChoice(f"{name}.getLogger(__name__)")
    alias = "_logging"
    number = 2
    while alias in taken or alias in everywhere:
        alias = f"_logging{number}"
        number += 1
    return LoggerChoice(f"{alias}.getLogger(__name__)", needs_import=True, alias=alias)
