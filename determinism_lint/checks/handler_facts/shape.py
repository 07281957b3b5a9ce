"""What an ``except`` handler catches and what its body does: broad or narrow, silent, an
optional import or a compat binding, a comment or a warning that says it goes on on purpose,
and where a log call may be added to it."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import TYPE_CHECKING, Optional

from .._util import dotted, is_reporting_call, walk_statements_local

if TYPE_CHECKING:
    from ...context import Context
    from ...names import TryNode


BROAD_EXCEPTIONS = frozenset({"builtins.Exception", "builtins.BaseException"})

TRY_TYPES: tuple[type[TryNode], ...] = (ast.Try,) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def caught_names(handler: ast.ExceptHandler, ctx: Context) -> Optional[list[str]]:
    """Dotted names of what ``handler`` catches; ``None`` for a bare ``except:``."""
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names: list[str] = []
    for expr in types:
        name = ctx.qualified_name(expr)
        names.append(name if name is not None else ast.unparse(expr))
    return names


def is_broad(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """Bare ``except:``, ``Exception``, ``BaseException`` or a tuple holding one of them."""
    names = caught_names(handler, ctx)
    return names is None or any(name in BROAD_EXCEPTIONS for name in names)


def ends_in_bare_raise(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Raise) and body[-1].exc is None


def _has_call(node: ast.AST) -> bool:
    return any(isinstance(inner, ast.Call) for inner in ast.walk(node))


def _uses_name(body: list[ast.stmt], name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        for node in walk_statements_local(body)
    )


def is_silent(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler only passes, continues, breaks, returns or assigns a default.

    Any call (logging, cleanup, a fallback computation), any ``raise``, or any use of
    the caught exception (``errors.append(e)``, ``status = str(e)``) makes it not silent.
    """
    if handler.name and _uses_name(handler.body, handler.name):
        return False
    for statement in handler.body:
        if isinstance(statement, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring-like note or ``...``
        if isinstance(statement, ast.Return):
            if statement.value is None or not _has_call(statement.value):
                continue
            return False
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if statement.value is not None and _has_call(statement.value):
                return False
            continue
        return False
    return True


def only_passes(handler: ast.ExceptHandler) -> bool:
    """The body is only ``pass``, ``continue`` or ``...`` (ruff's S110/S112 shape)."""
    return all(
        isinstance(statement, (ast.Pass, ast.Continue))
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        for statement in handler.body
    )


def is_import_fallback(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """``try: import yaml`` / ``except Exception: yaml = None``: runs on every import, not an error."""
    parent = ctx.parent(handler)
    if not isinstance(parent, ast.Try) or not any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in parent.body):
        return False
    return all(
        isinstance(statement, (ast.Import, ast.ImportFrom))
        or (isinstance(statement, ast.Assign) and not _has_call(statement.value))
        for statement in parent.body
    )


def is_compat_binding(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """``try: blocking_error = BlockingIOError`` / ``except: blocking_error = OSError`` at module
    level: a name that differs between Python versions, bound once on import."""
    parent = ctx.parent(handler)
    if not isinstance(parent, TRY_TYPES) or not isinstance(ctx.parent(parent), ast.Module):
        return False

    def binds_a_name(statement: ast.stmt) -> bool:
        return (
            isinstance(statement, ast.Assign)
            and all(isinstance(target, ast.Name) for target in statement.targets)
            and dotted(statement.value) is not None
        )

    return all(binds_a_name(statement) for statement in [*parent.body, *handler.body])


def in_loop(node: ast.AST, ctx: Context) -> bool:
    """``node`` runs once per item of a loop of its function: a store there builds a collection,
    and a swallowed failure drops an item from it."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
    return False


def enclosing_try_body(node: ast.AST, ctx: Context) -> Optional[TryNode]:
    """The nearest ``try`` whose *body* (not handlers, else or finally) holds ``node``."""
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if isinstance(ancestor, TRY_TYPES) and any(child is statement for statement in ancestor.body):
            return ancestor
        child = ancestor
    return None


#: Comments that are tool directives, not an explanation.
_DIRECTIVE_RE = re.compile(
    r"^#\s*(noqa\b|type:|pragma\b|pylint:|nosec\b|fmt:|isort:|mypy:|pyright:|determinism-lint:)", re.IGNORECASE
)


def handler_comment(handler: ast.ExceptHandler, ctx: Context) -> Optional[str]:
    """The first explaining comment on the lines of ``handler`` (the ``except`` line included)."""
    end = handler.end_lineno or handler.lineno
    for line in range(handler.lineno, end + 1):
        text = ctx.line_text(line)
        if "#" not in text:
            continue
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text.strip() + "\n").readline))
        except (tokenize.TokenError, SyntaxError):
            continue
        for token in tokens:
            if token.type == tokenize.COMMENT:
                for part in re.split(r"(?=#)", token.string):
                    part = part.strip()
                    if len(part) > 1 and not _DIRECTIVE_RE.match(part):
                        return part
    return None


#: Comments that say a handler swallows on purpose.
_INTENT_RE = re.compile(
    r"#.*\b(silent|silently|deliberate|deliberately|intentional|intentionally|on purpose|best[- ]effort"
    r"|ignore|ignored|ok to fail|okay to fail|don'?t fail|do not fail|rather|not fatal|non-fatal|optional"
    r"|(?:do not|don'?t|never|not) re-?raise|execution continues|run continues)\b",
    re.IGNORECASE,
)
_CONTINUE_LOG_METHODS = frozenset({"warning", "warn", "info", "debug"})
#: What a warning says when the program goes on without the thing that failed.
_DEGRADATION_RE = re.compile(
    r"\b(cach\w*|skip\w*|continu\w*|ignor\w*|fall(?:ing)? ?back|instead|without|disabl\w*|optional"
    r"|best[- ]effort|non-fatal|not fatal)",
    re.IGNORECASE,
)


def states_intent_to_continue(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler says it goes on deliberately: a comment on its lines ("rather fail
    silently", "best effort"), ``warnings.warn``, or a warning whose message states the
    degradation (``logger.warning("Unable to cache to disk")``). Routing it through the error
    policy would contradict the author."""
    end = handler.end_lineno or handler.lineno
    for line in range(handler.lineno, end + 1):
        if _INTENT_RE.search(ctx.line_text(line)):
            return True
    for node in walk_statements_local(handler.body):
        if isinstance(node, ast.Call):
            if ctx.call_name(node) == "warnings.warn":
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in _CONTINUE_LOG_METHODS:
                texts = [
                    part.value
                    for arg in node.args
                    for part in ast.walk(arg)
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                ]
                if any(_DEGRADATION_RE.search(text) for text in texts):
                    return True
    return False


def states_visible_degradation(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler tells the user that the program goes on without the work (``warnings.warn``,
    ``logger.warning("Unable to cache to disk")``, or a log call under a comment that says it
    goes on deliberately): a decision, made visible."""
    visible = any(
        isinstance(node, ast.Call) and is_reporting_call(node, ctx) for node in walk_statements_local(handler.body)
    )
    return visible and states_intent_to_continue(handler, ctx)


#: Levels that stay out of sight unless someone asks for them: safe to add anywhere.
QUIET_LEVELS = frozenset({"debug"})


def log_call_fixable(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """Whether the silent-handler fix may add a log call here.

    Not in a handler that runs while the garbage collector finalizes objects (a ``__del__``
    method; a handler that catches ``GeneratorExit`` in a generator, which runs when a
    suspended generator is collected): formatting a traceback there parses source code
    (Python 3.11's traceback carets) from inside whatever was allocating, and when that was
    ``ast.parse`` or ``compile`` (an import, a template engine, pytest's assertion rewriting)
    CPython 3.11 fails it with ``SystemError: AST constructor recursion depth mismatch``.
    And at a level above ``debug`` only in artifact-shaping code: elsewhere a visible log
    line per swallowed error is noise, so the handler is left alone.
    """
    if ctx.settings.fix_log_level not in QUIET_LEVELS and not ctx.in_artifact_scope(handler):
        return False
    return not _runs_at_finalization(handler, ctx)


def _runs_at_finalization(handler: ast.ExceptHandler, ctx: Context) -> bool:
    function = next(
        (a for a in ctx.ancestors(handler) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))),
        None,
    )
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if function.name == "__del__":
        return True
    names = caught_names(handler, ctx)
    catches_exit = names is None or any(
        name in ("builtins.BaseException", "builtins.GeneratorExit", "GeneratorExit") for name in names
    )
    if not catches_exit:
        return False
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in walk_statements_local(function.body))
