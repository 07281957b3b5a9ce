"""DET4xx: exception handling that lets an artifact end up silently incomplete."""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..model import FixSafety
from ._util import last_name, walk_statements_local
from .base import NO_FIX, Invalid, Report, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixContext

BROAD_EXCEPTIONS = frozenset({"builtins.Exception", "builtins.BaseException"})


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


def is_import_fallback(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """``try: import yaml`` / ``except Exception: yaml = None``: runs on every import, not an error."""
    parent = ctx.parent(handler)
    return isinstance(parent, ast.Try) and all(
        isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in parent.body
    )


class BareExcept(Rule):
    """
    ## What it does
    Flags a bare `except:` clause, unless the handler ends by re-raising with a bare `raise`.

    ## Why is this bad?
    A bare `except:` catches everything, including `KeyboardInterrupt` and `SystemExit`.
    A pipeline step that was asked to stop keeps running and may go on to write a
    half-built artifact as if nothing happened; a genuine bug is hidden along with it.

    ## Example
    ```python
    def load_cache(path):
        try:
            return read_table(path)
        except:
            return None
    ```

    ## Use instead
    ```python
    def load_cache(path):
        try:
            return read_table(path)
        except FileNotFoundError:
            return None
    ```

    ## Fix safety
    The fix rewrites `except:` to `except Exception:`. It is unsafe: the handler no longer
    catches `KeyboardInterrupt`, `SystemExit` and `GeneratorExit`, which changes control flow.
    A handler that ends in a bare `raise` is not flagged, since it hides nothing.

    ## Options
    None.

    ## References
    - [Python tutorial: handling exceptions](https://docs.python.org/3/tutorial/errors.html#handling-exceptions)
    """

    code = "DET401"
    name = "bare-except"
    message = "bare `except:` also catches KeyboardInterrupt and SystemExit"
    fix_title = "Catch `Exception` instead"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.ExceptHandler,)

    VALID = (
        "try:\n    step()\nexcept Exception:\n    log.exception('step failed')\n",
        "try:\n    step()\nexcept:\n    cleanup()\n    raise\n",
        "try:\n    step()\nexcept (OSError, ValueError):\n    pass\n",
    )
    INVALID = (
        Invalid(
            "try:\n    step()\nexcept:\n    cleanup()\n",
            fixed="try:\n    step()\nexcept Exception:\n    cleanup()\n",
        ),
        Invalid(
            "for path in paths:\n    try:\n        load(path)\n    except:  # keep going\n        continue\n",
            fixed="for path in paths:\n    try:\n        load(path)\n    except Exception:  # keep going\n        continue\n",
        ),
    )

    fix_node = ("ExceptHandler",)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if node.type is None and not ends_in_bare_raise(node.body):
            yield Report(node)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        import libcst as cst

        from ..fixer import Edit

        def apply(updated: Any) -> Any:
            if updated.type is not None:
                return updated
            return updated.with_changes(
                type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" ")
            )

        return Edit(node, apply)


class SilentExcept(Rule):
    """
    ## What it does
    Flags a broad exception handler (`except Exception`, `except BaseException`, a bare
    `except:`, or a tuple holding one of them) that swallows the error silently: its body
    only passes, continues, breaks, returns or assigns a default, with no logging call, no
    `warnings.warn`, no `raise` and no use of the caught exception. Also flags
    `contextlib.suppress(Exception)` and `suppress(BaseException)`.

    Narrow handlers (`except FileNotFoundError: pass`) are not flagged here, and neither
    is an optional-import fallback (`try: import yaml` / `except Exception: yaml = None`).

    ## Why is this bad?
    A pipeline that swallows every error produces an artifact that looks finished but is
    not: a manifest missing the shard that failed, a cache written from a partial result.
    Nobody sees the failure, so nobody reruns the step.

    ## Example
    ```python
    def collect_metrics(run_dir):
        metrics = {}
        for name in ("loss", "accuracy"):
            try:
                metrics[name] = read_metric(run_dir, name)
            except Exception:
                pass
        return metrics
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger(__name__)


    def collect_metrics(run_dir):
        metrics = {}
        for name in ("loss", "accuracy"):
            try:
                metrics[name] = read_metric(run_dir, name)
            except Exception:
                logger.exception("collect_metrics: could not read %s", name)
        return metrics
    ```

    ## Fix safety
    The fix adds a `logger.exception(...)` call that names the function, using the module's
    logger (`logger`, `log` or `LOGGER` from `logging.getLogger`) or
    `logging.getLogger(__name__)`. It is safe: control flow is unchanged, the error becomes
    visible. `contextlib.suppress(...)` is flagged without a fix.

    ## Options
    None.
    """

    code = "DET402"
    name = "silent-except"
    message = "broad `except` swallows the error silently: log it, re-raise, or catch something narrower"
    fix_title = "Log the swallowed exception"
    fix_safety = FixSafety.SAFE
    node_types = (ast.ExceptHandler, ast.Call)
    fix_node = ("ExceptHandler",)

    VALID = (
        "try:\n    step()\nexcept Exception:\n    logger.exception('step failed')\n",
        "try:\n    step()\nexcept Exception as error:\n    failures.append(error)\n",
        "try:\n    step()\nexcept FileNotFoundError:\n    pass\n",
        "try:\n    step()\nexcept Exception:\n    cleanup()\n",
        "try:\n    import yaml\nexcept Exception:\n    yaml = None\n",
        "try:\n    step()\nexcept Exception:\n    warnings.warn('step failed')\n    return None\n",
        "import contextlib\nwith contextlib.suppress(FileNotFoundError):\n    os.remove(path)\n",
    )
    INVALID = (
        Invalid(
            "try:\n    step()\nexcept Exception:\n    pass\n",
            fixed=(
                "import logging\n\ntry:\n    step()\nexcept Exception:\n"
                '    logging.getLogger(__name__).warning("module: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import logging\nlog = logging.getLogger(__name__)\n"
            "def f():\n    try:\n        return compute()\n    except BaseException:\n        return None\n",
            fixed=(
                "import logging\nlog = logging.getLogger(__name__)\n"
                "def f():\n    try:\n        return compute()\n    except BaseException:\n"
                '        log.warning("f: ignored BaseException", exc_info=True)\n        return None\n'
            ),
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def load_all(paths):\n    for p in paths:\n        try:\n            load(p)\n"
            "        except (ValueError, Exception):  # best effort\n            continue\n",
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def load_all(paths):\n    for p in paths:\n        try:\n            load(p)\n"
                "        except (ValueError, Exception):  # best effort\n"
                '            logger.warning("load_all: ignored (ValueError, Exception)", exc_info=True)\n'
                "            continue\n"
            ),
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def read_config(path):\n    try:\n        return parse(path)\n    except Exception: pass\n",
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def read_config(path):\n    try:\n        return parse(path)\n    except Exception:\n"
                '        logger.warning("read_config: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "from contextlib import suppress\nwith suppress(Exception):\n    publish(manifest)\n",
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        if isinstance(node, ast.Call):
            # Cheap name test first: resolving every call's name would cost more than the walk.
            if last_name(node.func) == "suppress" and ctx.call_name(node) == "contextlib.suppress" and any(
                ctx.qualified_name(arg) in BROAD_EXCEPTIONS for arg in node.args
            ):
                yield Report(node, "`contextlib.suppress(Exception)` swallows every error silently", fixable=False)
            return
        assert isinstance(node, ast.ExceptHandler)
        if is_broad(node, ctx) and is_silent(node, ctx) and not is_import_fallback(node, ctx):
            yield Report(node)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        import libcst as cst

        from ..cst_util import prepend_statements
        from ..fixer import Edit

        if not isinstance(node, cst.ExceptHandler):
            return None
        caught = "exception" if node.type is None else ctx.module.code_for_node(node.type)
        caught = " ".join(caught.split())
        where = ctx.enclosing_function_name(node) or "module"
        message = f"{where}: ignored {caught}"
        logger = ctx.module_logger_name()
        if logger is None:
            ctx.add_import("logging")
            logger = "logging.getLogger(__name__)"
        log_call = cst.parse_statement(f"{logger}.warning({json.dumps(message)}, exc_info=True)\n")

        def apply(updated: Any) -> Any:
            return updated.with_changes(body=prepend_statements(updated.body, [log_call]))

        return Edit(node, apply)


RULES: tuple[type[Rule], ...] = (BareExcept, SilentExcept)
