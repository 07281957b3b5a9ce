"""DET4xx: exception handling that lets an artifact end up silently incomplete."""

from __future__ import annotations

import ast
import json
import re
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..model import FixSafety
from ._util import last_name, walk_statements_local
from .base import NO_FIX, Invalid, Report, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixContext
    from ..names import TryNode

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
    When the handler is also silent (DET402) or swallows artifact work (DET403), this is
    the one finding for it, and the message says so.

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
    A handler that ends in a bare `raise` is not flagged, since it hides nothing. A handler
    that was also silent is then reported as DET402, whose fix adds a log call.

    ## Test code
    Checked in test code too: in a test, a bare `except:` also swallows what `pytest.fail()`
    and `pytest.skip()` raise (their exceptions derive from `BaseException`, not
    `Exception`) and Ctrl-C, so a test passes that should have failed, or a run does not
    stop.

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
    applies_in_tests = True
    foreign_noqa = ("E722", "B001")  # pycodestyle/ruff, flake8-bugbear
    handler_rank = 0

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
    One finding per handler: a silent bare `except:` is one DET401 that says it is silent;
    a silent handler around artifact work is this one finding, and says that it does not
    fail closed either (DET403 is not reported on it).

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
    The fix adds `logger.debug("<function>: ignored <what>", exc_info=True)` first in the
    handler. It is safe: control flow is unchanged, and the error can be seen by turning on
    debug logging for the module. The call goes through the module's own logger (`logger`,
    `LOGGER`, `log`, `_log`, or any name bound from `logging.getLogger(...)` or a
    `get_logger(...)` call, also inside a wrapper such as a `LoggerAdapter`), through
    `self.log`/`self.logger` in a method whose class already logs that way, and only
    otherwise through `logging.getLogger(__name__)`. `logging` must be the standard library's
    module where the handler is: a module that binds the name to something else (`from .utils
    import logging`) or a function with a parameter called `logging` gets
    `import logging as _logging` instead. `import logging` goes with the module's
    standard-library imports.

    The level is `debug` by default because silent handlers are very often fallbacks that run
    once per item (a parse attempt per line, a probe per page): at `warning`, each item would
    print a traceback, and tools that count warnings (a `--strict` build) would fail. A
    record below the logger's level is dropped before its traceback is formatted, which also
    matters on CPython 3.11: formatting a traceback parses source code (for its carets), and
    a parse in one thread while another thread's parse runs object finalizers fails the
    latter with `SystemError: AST constructor recursion depth mismatch`. Raise the level
    with `fix-log-level`; levels above `debug` are applied only in artifact-shaping code, and a
    handler elsewhere is left alone rather than made noisy. `contextlib.suppress(...)` is
    flagged without a fix.

    No fix in a handler that runs while the garbage collector finalizes objects: in a
    `__del__` method, or one that catches `GeneratorExit` (bare `except:`, `BaseException`)
    in a generator, which runs when a suspended generator is collected. Logging a traceback
    there makes Python parse source code (for the traceback's carets) in the middle of
    whatever was allocating; when that was `ast.parse` or `compile` (an import, a template
    engine, pytest's assertion rewriting), CPython 3.11 fails it with
    `SystemError: AST constructor recursion depth mismatch`.

    ## Test code
    Not checked in test code (`test-paths`): there, `except Exception: pass` is mostly the
    test's own expectation (the call is meant to fail, and the test checks what happened
    next), and there is no artifact to leave incomplete. Outside tests it applies to all
    code, not only artifact-shaping code, as ruff's S110 and S112 do.

    ## Options
    - `fix-log-level`: level of the added log call (`debug`, `info`, `warning`, `error`;
      default `debug`).
    """

    code = "DET402"
    name = "silent-except"
    message = "broad `except` swallows the error silently: log it, re-raise, or catch something narrower"
    fix_title = "Log the swallowed exception"
    fix_safety = FixSafety.SAFE
    node_types = (ast.ExceptHandler, ast.Call)
    foreign_noqa = ("S110", "S112", "BLE001")  # flake8-bandit/ruff, flake8-blind-except/ruff
    handler_rank = 1
    handler_note = "swallows the error silently"
    CALL_NAMES = frozenset({"suppress"})
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
                '    logging.getLogger(__name__).debug("module: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import logging\nlog = logging.getLogger(__name__)\n"
            "def f():\n    try:\n        return compute()\n    except BaseException:\n        return None\n",
            fixed=(
                "import logging\nlog = logging.getLogger(__name__)\n"
                "def f():\n    try:\n        return compute()\n    except BaseException:\n"
                '        log.debug("f: ignored BaseException", exc_info=True)\n        return None\n'
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
                '            logger.debug("load_all: ignored (ValueError, Exception)", exc_info=True)\n'
                "            continue\n"
            ),
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def read_config(path):\n    try:\n        return parse(path)\n    except Exception: pass\n",
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def read_config(path):\n    try:\n        return parse(path)\n    except Exception:\n"
                '        logger.debug("read_config: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "from contextlib import suppress\nwith suppress(Exception):\n    publish(manifest)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def rows(reader):\n    try:\n        yield from reader\n    except BaseException:\n        pass\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def parse(v):\n    try:\n        return int(v)\n    except Exception:\n        return None\n",
            settings=(("fix_log_level", "warning"),),
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        if isinstance(node, ast.Call):
            if ctx.call_name(node) == "contextlib.suppress" and any(
                ctx.qualified_name(arg) in BROAD_EXCEPTIONS for arg in node.args
            ):
                yield Report(node, "`contextlib.suppress(Exception)` swallows every error silently", fixable=False)
            return
        assert isinstance(node, ast.ExceptHandler)
        if is_broad(node, ctx) and is_silent(node, ctx) and not is_import_fallback(node, ctx):
            yield Report(node, fixable=log_call_fixable(node, ctx))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return add_log_call(node, ctx)


def add_log_call(node: Any, ctx: FixContext) -> Optional[Edit]:
    """The safe fix for a silent handler: log what was swallowed, with the traceback, at
    ``fix-log-level`` through the module's own logger."""
    import libcst as cst

    from ..cst_util import prepend_statements
    from ..fix_logging import ModuleBindings, choose_logger
    from ..fixer import Edit

    if not isinstance(node, cst.ExceptHandler):
        return None
    level = ctx.settings.fix_log_level
    caught = "exception" if node.type is None else ctx.module.code_for_node(node.type)
    caught = " ".join(caught.split())
    where = ctx.enclosing_function_name(node) or "module"
    message = f"{where}: ignored {caught}"
    taken = ctx.analysis.once(("bound", ""), ctx.bound_names)
    bindings = ctx.analysis.once(("logging-bindings", ""), lambda: ModuleBindings.of(ctx.module))
    choice = choose_logger(ctx.module, list(ctx.ancestors(node)), taken, bindings)
    if choice.needs_import:
        ctx.add_import("logging", None, choice.alias)
    log_call = cst.parse_statement(f"{choice.expression}.{level}({json.dumps(message)}, exc_info=True)\n")

    def apply(updated: Any) -> Any:
        return updated.with_changes(body=prepend_statements(updated.body, [log_call]))

    return Edit(node, apply)


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


EXIT_CALLS = frozenset({"sys.exit", "os._exit", "os.abort", "pytest.fail"})


def fails_closed(body: list[ast.stmt], ctx: Context) -> Optional[ast.AST]:
    """The statement or call that stops the run: ``raise``, an exit, or the error policy."""
    handlers = {name.rsplit(".", 1)[-1] for name in ctx.settings.all_error_handlers}
    for node in walk_statements_local(body):
        if isinstance(node, ast.Raise):
            return node
        if isinstance(node, ast.Call):
            if last_name(node.func) in handlers:
                return node
            if last_name(node.func) in ("exit", "_exit", "abort", "fail") and ctx.call_name(node) in EXIT_CALLS:
                return node
    return None


def does_artifact_work(body: list[ast.stmt], ctx: Context) -> Optional[ast.Call]:
    """A call in ``body`` that writes, hashes, serializes or calls artifact-shaping code."""
    from ..scopes import _local_callee, classify_call

    scopes = ctx.scopes
    for node in walk_statements_local(body):
        if isinstance(node, ast.Call):
            callee = _local_callee(node)
            if callee is not None and scopes.is_artifact_callee(callee):
                return node
            if classify_call(node, ctx) is not None:
                return node
    return None


def _enclosing_try_body(node: ast.AST, ctx: Context) -> Optional[TryNode]:
    """The nearest ``try`` whose *body* (not handlers, else or finally) holds ``node``."""
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if isinstance(ancestor, TRY_TYPES) and any(child is statement for statement in ancestor.body):
            return ancestor
        child = ancestor
    return None


TRY_TYPES: tuple[type[TryNode], ...] = (ast.Try,) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


class BroadExceptInArtifactCode(Rule):
    """
    ## What it does
    Flags a broad handler (`except Exception`, `except BaseException`, bare `except:`, or a
    tuple holding one) in artifact-shaping code when its `try` body does the artifact work
    (writes a file, computes a hash, serializes, or calls an artifact-shaping function of
    the same module) and the handler does not fail closed: it neither raises (`raise`,
    `raise ... from ...`), nor exits (`sys.exit`), nor calls the error policy
    (`handle_error_with_policy` or a configured `error-handlers` name). Logging alone is
    not failing closed. One finding per handler: a handler that is also silent is reported
    as DET402 (whose safe fix adds the log call first), a bare `except:` as DET401, each
    saying that it does not fail closed either.

    ## Why is this bad?
    When the write or the hash fails, the run carries on and publishes whatever it has: a
    manifest without the shard that failed, a run id computed from half a config. The log
    line is easy to miss and the artifact looks complete. Deterministic pipelines fail
    closed: the artifact is either complete or absent.

    ## Example
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_manifest(path, manifest):
        try:
            with open(path, "a") as handle:
                json.dump(manifest, handle, sort_keys=True)
        except Exception:
            logger.exception("could not write the manifest")
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import handle_error_with_policy


    def write_manifest(path, manifest):
        try:
            with open(path, "a") as handle:
                json.dump(manifest, handle, sort_keys=True)
        except Exception as error:
            handle_error_with_policy(error, context="write_manifest")
    ```

    ## Fix safety
    The fix names the exception if needed (`except Exception as error:`) and calls
    `handle_error_with_policy(error, context="<function>")` after what the handler already
    does and before the `return`/`continue`/`break` it ends with, so nothing the handler
    wrote becomes unreachable. It is unsafe: under the default `strict` policy the error now
    propagates, which changes control flow; under `best_effort` the policy logs the error
    and the handler carries on as before. When the same handler also gets the DET402/DET405
    log call, only the policy call is added: it logs the error itself.

    No fix where the handler states that it goes on deliberately: a comment on its lines
    ("rather fail silently", "best effort", "ignore"), a `warnings.warn(...)`, or a
    `logger.warning/info/debug(...)` whose message tells the user how the program goes on
    ("Unable to cache to disk", "skipping", "continuing without ..."). It is still reported:
    decide by hand.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    ## Options
    - `error-handlers`: more function names that count as applying the error policy.
    - `artifact-patterns`, `artifact-functions`, `artifact-modules`, `strict`: where the
      rule applies.
    """

    code = "DET403"
    name = "broad-except-in-artifact-code"
    message = "broad `except` around artifact work does not fail closed: re-raise or apply the error policy"
    fix_title = "Route the error through `handle_error_with_policy`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.ExceptHandler,)
    artifact_only = True
    foreign_noqa = ("BLE001",)  # flake8-blind-except/ruff
    handler_rank = 2
    handler_note = "does not fail closed around artifact work"
    fix_node = ("ExceptHandler",)

    VALID = (
        "def write_manifest(p, m):\n    try:\n        json.dump(m, p)\n    except Exception:\n        raise\n",
        "def write_manifest(p, m):\n    try:\n        json.dump(m, p)\n    except Exception as e:\n"
        "        raise RuntimeError('manifest') from e\n",
        "def write_manifest(p, m):\n    try:\n        json.dump(m, p)\n    except Exception as e:\n"
        "        handle_error_with_policy(e, context='write_manifest')\n",
        "def write_manifest(p, m):\n    try:\n        json.dump(m, p)\n    except OSError:\n        log.warning('x')\n",
        "def describe(x):\n    try:\n        return json.dumps(x)\n    except Exception:\n        return repr(x)\n",
        "def save_run(run):\n    try:\n        notify(run)\n    except Exception:\n        log.exception('notify')\n",
        "def save_run(run):\n    try:\n        run.save()\n    except Exception:\n        sys.exit(3)\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport logging\nlog = logging.getLogger(__name__)\n"
            "def write_manifest(p, m):\n    try:\n        json.dump(m, p)\n    except Exception:\n"
            "        log.exception('manifest')\n",
            fixed=(
                "import json\nimport logging\n\n"
                "from determinism_lint.runtime import handle_error_with_policy\n\n"
                "log = logging.getLogger(__name__)\ndef write_manifest(p, m):\n    try:\n"
                "        json.dump(m, p)\n    except Exception as error:\n"
                "        log.exception('manifest')\n"
                '        handle_error_with_policy(error, context="write_manifest")\n'
            ),
        ),
        Invalid(
            "import hashlib\n"
            "def fingerprint(paths):\n    h = hashlib.sha256()\n    for p in paths:\n        try:\n"
            "            h.update(read(p))\n        except Exception as exc:\n            print(exc)\n"
            "    return h.hexdigest()\n",
            fixed=(
                "import hashlib\n\nfrom determinism_lint.runtime import handle_error_with_policy\n\n\n"
                "def fingerprint(paths):\n    h = hashlib.sha256()\n    for p in paths:\n"
                "        try:\n            h.update(read(p))\n        except Exception as exc:\n"
                "            print(exc)\n"
                '            handle_error_with_policy(exc, context="fingerprint")\n'
                "    return h.hexdigest()\n"
            ),
        ),
        Invalid(
            "import json\n"
            "def build(data):\n    return json.dumps(data, sort_keys=True)\n"
            "def publish(data, out):\n    try:\n        out.write(build(data))\n    except Exception:\n"
            "        return False\n    return True\n",
            count=1,
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import handle_error_with_policy\n\n\n"
                "def build(data):\n    return json.dumps(data, sort_keys=True)\n"
                "def publish(data, out):\n    try:\n        out.write(build(data))\n    except Exception as error:\n"
                '        handle_error_with_policy(error, context="publish")\n'
                "        return False\n    return True\n"
            ),
        ),
        Invalid(
            "import json, warnings\ndef save_cache(p, d):\n    try:\n        json.dump(d, p)\n    except Exception:\n"
            "        warnings.warn('Unable to cache to disk: running without a cache')\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import json\ndef save_cache(p, d):\n    try:\n        json.dump(d, p)\n"
            "    except Exception:  # a cache: rather fail silently than stop the run\n        return None\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def step(run):\n    try:\n        run.train()\n    except Exception:\n        log.error('x')\n",
            settings=(("strict", True),),
            fixed=(
                "from determinism_lint.runtime import handle_error_with_policy\n\n\ndef step(run):\n"
                "    try:\n        run.train()\n    except Exception as error:\n"
                '        log.error(\'x\')\n        handle_error_with_policy(error, context="step")\n'
            ),
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if not is_broad(node, ctx) or fails_closed(node.body, ctx) is not None:
            return
        parent = ctx.parent(node)
        if not isinstance(parent, TRY_TYPES):
            return
        fixable = node.type is not None and not states_intent_to_continue(node, ctx)
        if ctx.settings.strict:
            yield Report(node, fixable=fixable)
            return
        if ctx.in_artifact_scope(node) and does_artifact_work(parent.body, ctx) is not None:
            yield Report(node, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        import libcst as cst

        from ..fixer import Edit

        if not isinstance(node, cst.ExceptHandler) or node.type is None:
            return None
        helper = ctx.helper_name("handle_error_with_policy")
        if helper is None:
            return None
        if node.name is not None and isinstance(node.name.name, cst.Name):
            error_name = node.name.name.value
            new_name = None
        else:
            taken = ctx.bound_names()
            error_name = next(n for n in ("error", "exc", "err", "caught_error") if n not in taken)
            new_name = cst.AsName(name=cst.Name(error_name))
        where = ctx.enclosing_function_name(node) or "module"
        call = cst.parse_statement(f"{helper}({error_name}, context={json.dumps(where)})\n")

        def apply(updated: Any) -> Any:
            changes: dict[str, Any] = {"body": _before_final_jumps(updated.body, call)}
            if new_name is not None and updated.name is None:
                changes["name"] = new_name
            return updated.with_changes(**changes)

        return Edit(node, apply)


#: Comments that say a handler swallows on purpose.
_INTENT_RE = re.compile(
    r"#.*\b(silent|silently|deliberate|deliberately|intentional|intentionally|on purpose|best[- ]effort"
    r"|ignore|ignored|ok to fail|okay to fail|don'?t fail|do not fail|rather|not fatal|non-fatal|optional)\b",
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


def _before_final_jumps(body: Any, statement: Any) -> Any:
    """``statement`` inserted after what the handler does and before the ``return``,
    ``continue``, ``break`` or ``pass`` it ends with: its own logging and cleanup run as
    before, and in strict mode nothing it wrote becomes unreachable."""
    import libcst as cst

    from ..cst_util import is_only_pass, prepend_statements

    if isinstance(body, cst.SimpleStatementSuite) or is_only_pass(body):
        return prepend_statements(body, [statement], drop_pass=True)
    lines = list(body.body)
    index = len(lines)
    while index > 0 and _is_jump(lines[index - 1]):
        index -= 1
    if index == 0:
        return prepend_statements(body, [statement], drop_pass=True)
    return body.with_changes(body=[*lines[:index], statement, *lines[index:]])


def _is_jump(line: Any) -> bool:
    import libcst as cst

    return isinstance(line, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Return, cst.Continue, cst.Break, cst.Pass)) for small in line.body
    )


class DefeatedFailClosed(Rule):
    """
    ## What it does
    Flags a fail-closed handler (one that re-raises or applies the error policy) inside the
    body of an outer `try` whose own broad handler swallows what it raises: logs and goes
    on, returns a default, or passes. The finding sits at the inner `raise` or policy call
    and names the outer handler's line. Applies in artifact-shaping code.

    ## Why is this bad?
    The inner handler looks like it fails closed, and a reviewer stops reading there. But
    the error it raises is caught one level up and the run continues: the policy is
    defeated and the artifact can still end up incomplete.

    ## Example
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_manifests(runs, out):
        for run in runs:
            try:
                try:
                    out.write(json.dumps(run, sort_keys=True))
                except OSError:
                    raise
            except Exception:
                logger.exception("skipping run")
    ```

    ## Use instead
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_manifests(runs, out):
        for run in runs:
            try:
                out.write(json.dumps(run, sort_keys=True))
            except OSError:
                logger.exception("manifest write failed")
                raise
    ```

    ## Fix safety
    No fix: whether the outer handler or the inner one is wrong is a design decision.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    ## Options
    - `error-handlers`: more function names that count as applying the error policy.
    """

    code = "DET404"
    name = "defeated-fail-closed"
    message = "this fail-closed error is swallowed by an outer broad `except`"
    node_types = (ast.ExceptHandler,)
    artifact_only = True

    VALID = (
        "def save_all(xs):\n    try:\n        try:\n            save(xs)\n        except OSError:\n            raise\n"
        "    except Exception:\n        log.exception('x')\n        raise\n",
        "def save_all(xs):\n    try:\n        save(xs)\n    except OSError:\n        raise\n",
        "def save_all(xs):\n    try:\n        try:\n            save(xs)\n        except OSError:\n            raise\n"
        "    except ValueError:\n        pass\n",
        "def save_all(xs):\n    try:\n        save(xs)\n    except Exception:\n        try:\n            cleanup()\n"
        "        except OSError:\n            raise\n",
    )
    INVALID = (
        Invalid(
            "def save_all(xs):\n    try:\n        try:\n            save(xs)\n        except OSError:\n            raise\n"
            "    except Exception:\n        log.exception('x')\n",
        ),
        Invalid(
            "def write_all(xs):\n    for x in xs:\n        try:\n            try:\n                write(x)\n"
            "            except Exception as e:\n                handle_error_with_policy(e, context='w')\n"
            "        except BaseException:\n            continue\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        inner = fails_closed(node.body, ctx)
        if inner is None:
            return
        outer_try = _enclosing_try_body(node, ctx)
        while outer_try is not None:
            for handler in outer_try.handlers:
                if is_broad(handler, ctx) and fails_closed(handler.body, ctx) is None:
                    yield Report(
                        inner,
                        f"this fail-closed error is swallowed by the broad `except` on line {handler.lineno}:"
                        " re-raise there too, or handle the error here",
                    )
                    return
            outer_try = _enclosing_try_body(outer_try, ctx)


class SilentNarrowExcept(Rule):
    """
    ## What it does
    Flags a narrow handler (`except OSError: pass`, `except KeyError: return None`) that
    silently swallows the error in artifact-shaping code whose `try` body does the
    artifact work: writes a file, hashes, serializes, or calls an artifact-shaping
    function. Optional-import fallbacks (`except ImportError`) are never flagged.

    ## Why is this bad?
    A narrow handler looks deliberate, but around artifact work it still means the
    artifact can silently end up without a part: the file that could not be written, the
    record that failed to serialize. Nothing tells the next step that the input is short.

    ## Example
    ```python
    import json


    def write_shard_index(shards, out_dir):
        for shard in shards:
            try:
                (out_dir / shard.name).write_text(json.dumps(shard.meta, sort_keys=True))
            except OSError:
                continue
    ```

    ## Use instead
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_shard_index(shards, out_dir):
        for shard in shards:
            try:
                (out_dir / shard.name).write_text(json.dumps(shard.meta, sort_keys=True))
            except OSError:
                logger.warning("write_shard_index: skipped %s", shard.name, exc_info=True)
                continue
    ```

    ## Fix safety
    The fix adds a `logger.debug(..., exc_info=True)` call (the level is `fix-log-level`)
    through the module's own logger, as for DET402. It is safe: control flow is unchanged, the
    swallowed error becomes visible.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    ## Options
    - `artifact-patterns`, `artifact-functions`, `artifact-modules`, `strict`: where the
      rule applies.
    - `fix-log-level`: level of the added log call (default `debug`).
    """

    code = "DET405"
    name = "silent-narrow-except"
    message = "`except` silently swallows an error around artifact work: the artifact may end up incomplete"
    fix_title = "Log the swallowed exception"
    fix_safety = FixSafety.SAFE
    node_types = (ast.ExceptHandler,)
    artifact_only = True
    fix_node = ("ExceptHandler",)

    VALID = (
        "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
        "def save_cache(c, k):\n    try:\n        return c[k]\n    except KeyError:\n        return None\n",
        "def save_all(p):\n    try:\n        os.remove(p)\n    except FileNotFoundError:\n        pass\n",
        "import json\ndef save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n        log.warning('x')\n",
        "import json\ndef render(d):\n    try:\n        return json.dumps(d)\n    except TypeError:\n        return None\n",
        "import json\ndef save_once(d, f):\n    try:\n        json.dump(d, f)\n    except FileExistsError:\n"
        "        status = 'exists'\n    else:\n        status = 'written'\n    return status\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n        pass\n",
            fixed=(
                "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n"
                '        logger.debug("save_all: ignored OSError", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import hashlib\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def digest_files(paths):\n    h = hashlib.sha256()\n    for p in paths:\n        try:\n"
            "            h.update(read(p))\n        except (OSError, ValueError):\n            continue\n"
            "    return h.hexdigest()\n",
            fixed=(
                "import hashlib\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def digest_files(paths):\n    h = hashlib.sha256()\n    for p in paths:\n        try:\n"
                "            h.update(read(p))\n        except (OSError, ValueError):\n"
                '            logger.debug("digest_files: ignored (OSError, ValueError)", exc_info=True)\n'
                "            continue\n    return h.hexdigest()\n"
            ),
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if is_broad(node, ctx) or not is_silent(node, ctx) or is_import_fallback(node, ctx):
            return
        # A handler that returns hands the failure to its caller (``return None``), and one
        # that sets a status is an expected branch; one that only passes, continues or
        # breaks drops the part and carries on building the artifact.
        if not all(isinstance(statement, (ast.Pass, ast.Continue, ast.Break, ast.Expr)) for statement in node.body):
            return
        names = caught_names(node, ctx) or []
        if any(name.endswith(("ImportError", "ModuleNotFoundError")) for name in names):
            return
        parent = ctx.parent(node)
        if not isinstance(parent, TRY_TYPES) or not ctx.in_artifact_scope(node):
            return
        if does_artifact_work(parent.body, ctx) is not None:
            yield Report(node, fixable=log_call_fixable(node, ctx))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return add_log_call(node, ctx)


RULES: tuple[type[Rule], ...] = (BareExcept, SilentExcept, BroadExceptInArtifactCode, DefeatedFailClosed, SilentNarrowExcept)
