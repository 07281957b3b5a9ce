"""DET4xx: exception handling that lets an artifact end up silently incomplete."""

from __future__ import annotations

import ast
import builtins
import functools
import io
import json
import os
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

from ..model import FixSafety
from ..scopes import SERIALIZERS
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
    if not isinstance(parent, ast.Try) or not any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in parent.body):
        return False
    return all(
        isinstance(statement, (ast.Import, ast.ImportFrom))
        or (isinstance(statement, ast.Assign) and not _has_call(statement.value))
        for statement in parent.body
    )


class BareExcept(Rule):
    """
    ## What it does
    Flags a bare `except:` clause, unless the handler ends by re-raising with a bare `raise`,
    or guards an optional import (`try: import cPickle as pickle` / `except: import pickle`,
    also with plain bindings of what was imported): that runs once, on import, where there is
    nothing to interrupt or lose. When the handler is also silent (DET402) or swallows
    artifact work (DET403), this is the one finding for it, and the message says so.

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
        "try:\n    # Python 2\n    import cPickle as pickle\nexcept:\n    import pickle\n",
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
        if node.type is None and not ends_in_bare_raise(node.body) and not is_import_fallback(node, ctx):
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
    Flags what ruff's S110 and S112 flag: a broad exception handler (`except Exception`,
    `except BaseException`, a bare `except:`, or a tuple holding one of them) whose body is
    only `pass`, `continue` or `...`. It stays quiet where the handler is no silent
    swallow, unless its `try` body does artifact work by evidence (writes or dumps into a
    persistent file, hashes, closes something the module writes to, or calls a function of
    the module that does one of these):

    - **A comment explains it**: any comment on the handler's lines
      (`except Exception:  # the hook must never fail the run`), other than tool
      directives (`# noqa`, `# type:`, `# pragma`). ruff reports these too; here the bar is
      whether a maintainer would change the code, and a swallow the author explained is a
      decision already made and reviewed. No setting: to see these, use ruff's S110/S112.
    - **Best-effort cleanup**: the `try` body only releases something (`close`, `unlink`,
      `remove`, `rmtree`, `kill`, `terminate`, `shutdown`, ...), or the handler runs as
      cleanup: in a `finally` block, in `__del__`/`__exit__`, or in a function registered
      with `atexit.register`/`weakref.finalize`. An error there would only mask the one
      already on its way, or surface at exit where nobody can act on it.
    - **A fallback value**: outside a loop, the `try` body only binds a value
      (`size = fs.info(path)["size"]`, `return parse(text)`) and the handler passes: the
      value from before stays, as it would with `except Exception: size = 0`.

    A handler that returns or assigns a fallback (`except Exception: return None`) is not
    this rule's: it is a fallback, flagged by DET403 only when the `try` body does artifact
    work. Neither is `contextlib.suppress(Exception)`: ruff recommends it as the explicit way
    to ignore an error (SIM105); DET403 flags it around artifact work. Narrow handlers
    (`except FileNotFoundError: pass`) are DET405's, and an optional-import fallback
    (`try: import yaml` / `except Exception: yaml = None`) is never flagged.

    One finding per handler: a silent bare `except:` is one DET401 that says it is silent;
    a silent handler around artifact work is this one finding, and names the work it fails
    to fail closed around (DET403 is not reported on it).

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

    ## References
    - [ruff: try-except-pass (S110)](https://docs.astral.sh/ruff/rules/try-except-pass/)
    - [ruff: try-except-continue (S112)](https://docs.astral.sh/ruff/rules/try-except-continue/)
    """

    code = "DET402"
    name = "silent-except"
    message = "broad `except` swallows the error silently: log it, re-raise, or catch something narrower"
    fix_title = "Log the swallowed exception"
    fix_safety = FixSafety.SAFE
    node_types = (ast.ExceptHandler,)
    foreign_noqa = ("S110", "S112", "BLE001")  # flake8-bandit/ruff, flake8-blind-except/ruff
    handler_rank = 1
    handler_note = "swallows the error silently"
    fix_node = ("ExceptHandler",)

    VALID = (
        "try:\n    step()\nexcept Exception:\n    logger.exception('step failed')\n",
        "try:\n    step()\nexcept Exception as error:\n    failures.append(error)\n",
        "try:\n    step()\nexcept FileNotFoundError:\n    pass\n",
        "try:\n    step()\nexcept Exception:\n    cleanup()\n",
        "try:\n    import yaml\nexcept Exception:\n    yaml = None\n",
        "try:\n    step()\nexcept Exception:\n    warnings.warn('step failed')\n    return None\n",
        "import contextlib\nwith contextlib.suppress(FileNotFoundError):\n    os.remove(path)\n",
        "def parse(v):\n    try:\n        return int(v)\n    except Exception:\n        return v\n",
        "try:\n    run_exit_hooks()\nexcept Exception:\n    pass  # exit hooks must never fail the run\n",
        "try:\n    os.unlink(config_path)\nexcept Exception:\n    pass\n",
        "def read_all(readers):\n    try:\n        return [r.read() for r in readers]\n    finally:\n"
        "        for r in readers:\n            try:\n                r.flush_stats()\n            except Exception:\n"
        "                pass\n",
        "size = 0\ntry:\n    size = fs.info(path)['size']\nexcept Exception:\n    pass\n",
        "from contextlib import suppress\nwith suppress(Exception):\n    value = literal_eval(value)\n",
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
            "def f():\n    try:\n        compute()\n    except BaseException:\n        ...\n",
            fixed=(
                "import logging\nlog = logging.getLogger(__name__)\n"
                "def f():\n    try:\n        compute()\n    except BaseException:\n"
                '        log.debug("f: ignored BaseException", exc_info=True)\n        ...\n'
            ),
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def load_all(paths):\n    for p in paths:\n        try:\n            load(p)\n"
            "        except (ValueError, Exception):\n            continue\n",
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def load_all(paths):\n    for p in paths:\n        try:\n            load(p)\n"
                "        except (ValueError, Exception):\n"
                '            logger.debug("load_all: ignored (ValueError, Exception)", exc_info=True)\n'
                "            continue\n"
            ),
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def read_config(path):\n    try:\n        apply(parse(path))\n    except Exception: pass\n",
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def read_config(path):\n    try:\n        apply(parse(path))\n    except Exception:\n"
                '        logger.debug("read_config: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "class ShardWriter:\n    def add(self, batch):\n        self.stream.write_batch(batch)\n"
            "    def close(self):\n        try:\n            self.stream.close()\n"
            "        except Exception:  # already closed\n            pass\n",
            fixed=(
                "import logging\n\n\nclass ShardWriter:\n    def add(self, batch):\n"
                "        self.stream.write_batch(batch)\n"
                "    def close(self):\n        try:\n            self.stream.close()\n"
                "        except Exception:  # already closed\n"
                '            logging.getLogger(__name__).debug("close: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "def rows(reader):\n    try:\n        yield from reader\n    except BaseException:\n        pass\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def notify(v):\n    try:\n        send(v)\n    except Exception:\n        pass\n",
            settings=(("fix_log_level", "warning"),),
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if not is_broad(node, ctx) or not only_passes(node) or is_import_fallback(node, ctx):
            return
        if quiet_reason(node, ctx) is None:
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
            if always_raises(node, ctx):
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


# -- evidence: the artifact work a ``try`` body does ---------------------------------------


@dataclass(frozen=True)
class ArtifactWork:
    """A call in a ``try`` body that writes, dumps or hashes, or a module-local function
    that reaches one: the work a handler would lose."""

    call: ast.Call
    label: str
    #: For a call into a module-local function: where its own work is (``json.dump(...)`` on line 40).
    via: Optional[str] = None
    #: Exceptions the work can raise, as last names; ``None`` for anything (a local function).
    raises: Optional[frozenset[str]] = None

    def describe(self) -> str:
        text = f"`{self.label}` on line {self.call.lineno}"
        return f"{text}, which reaches {self.via}" if self.via else text


#: Serializers whose result is a string (``json.dumps``): the bytes reach no file by themselves.
_STRING_SERIALIZERS = frozenset(name for name in SERIALIZERS if name.endswith(("dumps", "packb")))
#: What writing a file, a dump or a hash can raise (last names; ``OSError`` stands for its family).
_OS_ERRORS = frozenset(
    {"OSError", "IOError", "EnvironmentError", "PermissionError", "FileNotFoundError", "IsADirectoryError",
     "NotADirectoryError", "InterruptedError", "BlockingIOError", "TimeoutError", "error"}
)
_VALUE_ERRORS = frozenset({"ValueError", "TypeError", "UnicodeError", "UnicodeEncodeError", "OverflowError",
                           "RecursionError", "AttributeError", "MemoryError"})
_WRITE_RAISES = _OS_ERRORS | _VALUE_ERRORS
_DUMP_RAISES = _WRITE_RAISES | frozenset({"PicklingError", "PickleError", "YAMLError", "RepresenterError"})
_HASH_RAISES = _VALUE_ERRORS
#: Methods that finish a write on an object the module writes to: a failed close loses the tail.
_WRITE_METHOD_RE = re.compile(r"^(write\w*|dump|writerows?|flush)$")


def _call_label(call: ast.Call) -> str:
    text = ast.unparse(call.func)
    if len(text) > 40:
        text = "." + call.func.attr if isinstance(call.func, ast.Attribute) else text[:40]
    return f"{text}(...)"


def _written_receivers(ctx: Context) -> frozenset[str]:
    """Receivers this module writes into: ``self.pa_writer`` for ``self.pa_writer.write_table(...)``."""

    def compute() -> frozenset[str]:
        found = set()
        for name, calls in ctx.calls_by_name.items():
            if _WRITE_METHOD_RE.match(name) and name != "flush":
                for call in calls:
                    func = call.func  # type: ignore[attr-defined]
                    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
                        found.add(ast.unparse(func.value))
        return frozenset(found)

    return ctx.memo("det4.written-receivers", ctx.tree, compute)  # type: ignore[return-value]


def _direct_work(call: ast.Call, ctx: Context) -> Optional[ArtifactWork]:
    """``call`` itself writes a persistent file, dumps into one, hashes, or closes a writer.

    What it can raise includes what computing its arguments can: ``h.update(f.read())`` loses
    the hash input when the read fails with ``OSError``."""
    work = _direct_work_of(call, ctx)
    if work is None or work.raises is None:
        return work
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if any(isinstance(node, ast.Call) for argument in arguments for node in ast.walk(argument)):
        return ArtifactWork(work.call, work.label, work.via, work.raises | _OS_ERRORS)
    return work


def _direct_work_of(call: ast.Call, ctx: Context) -> Optional[ArtifactWork]:
    from ..scopes import HASH_CALLS, HASH_METHODS, HASH_MODULES, RUNTIME_SERIALIZERS, _only_reported, is_hash_update
    from .atomic_writes import write_site

    func = call.func
    attr = last_name(func)
    if attr is None:
        return None
    if isinstance(func, ast.Attribute):
        if attr in HASH_METHODS or (attr == "update" and is_hash_update(call, ctx)):
            return ArtifactWork(call, _call_label(call), raises=_HASH_RAISES)
        if attr == "close" and isinstance(func.value, (ast.Name, ast.Attribute)):
            if ast.unparse(func.value) in _written_receivers(ctx):
                return ArtifactWork(call, _call_label(call), raises=_WRITE_RAISES)
    if attr in RUNTIME_SERIALIZERS and attr != "canonical_json":
        return ArtifactWork(call, _call_label(call), raises=_DUMP_RAISES)
    name = ctx.call_name(call)
    if name is not None:
        if name.startswith(HASH_MODULES) or name in HASH_CALLS:
            return ArtifactWork(call, _call_label(call), raises=_HASH_RAISES)
        if name in SERIALIZERS and name not in _STRING_SERIALIZERS and not _only_reported(call, ctx):
            # ``yaml.dump(data)`` without a stream returns a string.
            if not name.startswith("yaml.") or len(call.args) > 1 or any(k.arg == "stream" for k in call.keywords):
                return ArtifactWork(call, _call_label(call), raises=_DUMP_RAISES)
    site = write_site(call, ctx)
    if site is not None and site.writes_artifact and site.kind != "scratch":
        return ArtifactWork(call, _call_label(call), raises=_WRITE_RAISES)
    return None


def _local_function_work(ctx: Context) -> dict[str, ArtifactWork]:
    """Module-local functions (by name) that reach artifact work, directly or through each other."""

    def compute() -> dict[str, ArtifactWork]:
        from ..scopes import _evidence_names, _local_callee

        functions = [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]
        names = {function.name for function in functions}  # type: ignore[attr-defined]
        wanted = _evidence_names(ctx.settings) | {"close"} | names
        work: dict[str, ArtifactWork] = {}
        edges: dict[str, list[ast.Call]] = {}
        for name, calls in sorted(ctx.calls_by_name.items()):
            if name not in wanted:
                continue
            for call in calls:
                assert isinstance(call, ast.Call)
                holder = ctx.enclosing_function(call)
                while isinstance(holder, ast.Lambda):
                    holder = ctx.enclosing_function(holder)
                if holder is None:
                    continue
                callee = _local_callee(call)
                if callee is not None and callee in names:
                    edges.setdefault(holder.name, []).append(call)
                found = _direct_work(call, ctx)
                if found is not None:
                    known = work.get(holder.name)
                    if known is None or call.lineno < known.call.lineno:
                        work[holder.name] = found
        changed = True
        while changed:
            changed = False
            for caller, local_calls in sorted(edges.items()):
                if caller in work:
                    continue
                for call in sorted(local_calls, key=lambda c: (c.lineno, c.col_offset)):
                    target = work.get(_local_callee(call) or "")
                    if target is not None and target.call is not call:
                        work[caller] = ArtifactWork(call, _call_label(call), via=target.describe())
                        changed = True
                        break
        return work

    return ctx.memo("det4.local-work", ctx.tree, compute)  # type: ignore[return-value]


def artifact_work(body: list[ast.stmt], ctx: Context) -> Optional[ArtifactWork]:
    """The first artifact work in ``body`` by evidence: a persistent write, a dump into a file, a
    hash, closing something the module writes to, or a module-local function that reaches one
    of these. ``json.dumps`` alone is no evidence: the string may never reach a file."""
    from ..scopes import _local_callee

    found: list[ArtifactWork] = []
    local = None
    for node in walk_statements_local(body):
        if not isinstance(node, ast.Call):
            continue
        work = _direct_work(node, ctx)
        if work is None:
            callee = _local_callee(node)
            if callee is not None:
                local = local if local is not None else _local_function_work(ctx)
                target = local.get(callee)
                if target is not None:
                    work = ArtifactWork(node, _call_label(node), via=target.describe())
        if work is None:  # a function of another module of the project, by its summary
            via = ctx.scopes.imported_sink(node)
            work = ArtifactWork(node, _call_label(node), via=via) if via is not None else None
        if work is not None:
            found.append(work)
    if not found:
        return None
    return min(found, key=lambda w: (w.call.lineno, w.call.col_offset))


def _all_artifact_work(body: list[ast.stmt], ctx: Context) -> list[ArtifactWork]:
    first = artifact_work(body, ctx)
    if first is None:
        return []
    from ..scopes import _local_callee

    result = []
    local = _local_function_work(ctx)
    for node in walk_statements_local(body):
        if isinstance(node, ast.Call):
            work = _direct_work(node, ctx)
            if work is None and (_local_callee(node) or "") in local:
                work = ArtifactWork(node, _call_label(node))
            if work is not None:
                result.append(work)
    return result


# -- helpers that always raise ------------------------------------------------------------

#: ``raise_error(...)``, ``reraise(...)``, ``six.reraise``: named for raising. Not the ones that
#: raise only on a condition (``raise_for_status``, ``raise_if_cancelled``).
_RAISING_NAME_RE = re.compile(r"^_*(re)?raise(_(?!for_|if_|on_|when_)|$)|_raise$|^_*throw(_(?!if_)|$)")


def _block_always_raises(body: list[ast.stmt], raising: Callable[[ast.Call], bool]) -> bool:
    """Every path through ``body`` ends in a ``raise`` (or a call that always raises)."""
    for statement in body:
        if _statement_always_raises(statement, raising):
            return True
        if isinstance(statement, (ast.Return, ast.Break, ast.Continue)):
            return False
    return False


def _statement_always_raises(statement: ast.stmt, raising: Callable[[ast.Call], bool]) -> bool:
    if isinstance(statement, ast.Raise):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        return raising(statement.value)
    if isinstance(statement, ast.If):
        return _block_always_raises(statement.body, raising) and _block_always_raises(statement.orelse, raising)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return _block_always_raises(statement.body, raising)
    if isinstance(statement, TRY_TYPES):
        if _block_always_raises(statement.finalbody, raising):
            return True
        return (
            _block_always_raises(statement.body + statement.orelse, raising)
            or _block_always_raises(statement.body, raising)
        ) and all(_block_always_raises(handler.body, raising) for handler in statement.handlers)
    return False


def _function_always_raises(function: ast.AST, raising: Callable[[ast.Call], bool]) -> bool:
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for node in walk_statements_local(function.body):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if last_name(raised) == "NotImplementedError":  # an abstract method: overridden
                return False
    if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in walk_statements_local(function.body)):
        return False
    return _block_always_raises(function.body, raising)


def _raising_functions(tree: ast.Module) -> frozenset[str]:
    """Names of the module-level functions and methods of ``tree`` whose every path raises."""
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found: set[str] = set()
    changed = True
    while changed:  # helpers that call helpers that raise
        changed = False

        def raising(call: ast.Call) -> bool:
            name = last_name(call.func)
            return name is not None and (name in found or _RAISING_NAME_RE.search(name) is not None)

        for function in functions:
            if function.name not in found and _function_always_raises(function, raising):
                found.add(function.name)
                changed = True
    return frozenset(found)


@functools.lru_cache(maxsize=256)
def _raising_functions_in_file(path: str, mtime_ns: int) -> frozenset[str]:
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    return _raising_functions(tree)


def _module_files(module: str, level: int, ctx: Context) -> list[str]:
    """Candidate files of ``module`` (``from module import f``) in the checked project."""
    parts = [part for part in module.split(".") if part]
    here = os.path.dirname(os.path.abspath(ctx.path))
    if level:
        base = here
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        bases = []
        current = here
        while True:  # the package root is an ancestor of this file
            bases.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    candidates: list[str] = []
    for base in bases:
        stem = os.path.join(base, *parts) if parts else base
        candidates.extend((stem + ".py", os.path.join(stem, "__init__.py")))
    return candidates


def _imported_raising(name: str, ctx: Context) -> bool:
    """``from .utils import process_exception``: the project's own helper, defined in a file of
    the checked project, raises on every path."""
    for node in ctx.nodes_of(ast.ImportFrom):
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            if (alias.asname or alias.name) != name:
                continue
            for path in _module_files(node.module or "", node.level, ctx):
                try:
                    mtime = os.stat(path).st_mtime_ns
                except OSError:
                    continue
                return alias.name in _raising_functions_in_file(path, mtime)
    return False


def always_raises(call: ast.Call, ctx: Context) -> bool:
    """``call`` never returns: a helper named for raising (``raise_error(...)``), a function of
    this module whose every path raises, or one imported from the checked project that does."""
    name = last_name(call.func)
    if name is None:
        return False
    if _RAISING_NAME_RE.search(name):
        return True
    local = ctx.memo("det4.raising", ctx.tree, lambda: _raising_functions(ctx.tree))
    if name in local:  # type: ignore[operator]
        return True
    if isinstance(call.func, ast.Name):
        return bool(ctx.memo(f"det4.imported-raising.{name}", ctx.tree, lambda: _imported_raising(name, ctx)))
    return False


class BroadExceptInArtifactCode(Rule):
    """
    ## What it does
    Flags a broad handler (`except Exception`, `except BaseException`, bare `except:`, or a
    tuple holding one) whose `try` body does artifact work by evidence, and which does not
    fail closed. The message names the work and its line ("swallows the failure of
    `json.dump(...)` on line 154").

    Artifact work is a write or a dump into a persistent file, a hash or digest, closing
    something the module writes to (a failed close loses the buffered tail), or a call to a
    function of the same module that reaches one of these (the message then says which
    call it reaches). `json.dumps(...)` alone is not: the string may never reach a file. A
    fallback value that is only returned or assigned is therefore not flagged unless the
    work it replaces reaches an artifact.

    Failing closed is: `raise` (also `raise ... from ...`), an exit (`sys.exit`), the error
    policy (`handle_error_with_policy` or a configured `error-handlers` name), or a call
    that always raises: a helper named for it (`raise_error(e)`, `reraise(...)`), a function
    of the same module whose every path raises, or one imported from another module of the
    checked project whose every path raises (`process_exception(e)` that translates and
    re-raises every error). A method whose body raises `NotImplementedError` is abstract and
    does not count. Logging alone is not failing closed.

    Also quiet where the handler is not a swallow:

    - it **does the work again** (a download from a mirror, then from the official source):
      if that fails too, the error propagates;
    - it **says, visibly, that the program goes on without the work**: `warnings.warn(...)`,
      or a log call whose message or comment states the degradation ("Unable to cache to
      disk", "skipping", "continuing without ..."). That is a decision, made visible, and a
      maintainer will not change it; a silent handler with such a comment is still reported.

    Also flags `contextlib.suppress(Exception)` (or `BaseException`) around artifact work
    (without a fix); elsewhere it is the explicit spelling of "ignore", and quiet.

    One finding per handler: a handler that is also silent is reported as DET402 (whose safe
    fix adds the log call first), a bare `except:` as DET401, each naming the work it does
    not fail closed around.

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

    No fix where a silent handler states in a comment that it goes on deliberately ("rather
    fail silently", "best effort", "ignore"). It is still reported: nothing tells the user at
    run time that the artifact is short, so decide by hand.

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
    node_types = (ast.ExceptHandler, ast.With, ast.AsyncWith)
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
        # the helper translates and re-raises every error
        "import json\ndef process_error(e):\n    if isinstance(e, OSError):\n        raise StoreError(str(e)) from e\n"
        "    raise\n"
        "def save_blob(p, d):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n        process_error(e)\n",
        "import json\ndef save_blob(p, d):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
        "        raise_error(e, 'save_blob')\n",
        # a fallback computed in memory: no artifact work to lose
        "import json\ndef render(d):\n    try:\n        text = json.dumps(d, indent=2)\n    except Exception as e:\n"
        "        text = json.dumps({'error': str(e)})\n    return text\n",
        # a mirror first, then the official source, which raises if it fails too
        "def fetch_tool(mirror, url, dest):\n    def download(u):\n        with open(dest, 'wb') as f:\n"
        "            f.write(get(u))\n    try:\n        download(mirror)\n    except Exception:\n        download(url)\n",
        # a cache, and the warning says the run goes on without it
        "import pickle, warnings\ndef cache_item(item, path):\n    try:\n        with open(path, 'wb') as f:\n"
        "            pickle.dump(item, f)\n    except Exception as e:\n"
        "        warnings.warn(f'Unable to cache to disk: {e}')\n",
        "from contextlib import suppress\ndef probe(p):\n    with suppress(Exception):\n        return p.stat().st_size\n",
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
            "def save(data, path):\n    with open(path, 'w') as f:\n        json.dump(data, f, sort_keys=True)\n"
            "def publish(data, path):\n    try:\n        save(data, path)\n    except Exception:\n"
            "        return False\n    return True\n",
            count=1,
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import handle_error_with_policy\n\n\n"
                "def save(data, path):\n    with open(path, 'w') as f:\n        json.dump(data, f, sort_keys=True)\n"
                "def publish(data, path):\n    try:\n        save(data, path)\n    except Exception as error:\n"
                '        handle_error_with_policy(error, context="publish")\n'
                "        return False\n    return True\n"
            ),
        ),
        Invalid(
            "import json\nfrom contextlib import suppress\ndef publish(manifest, f):\n    with suppress(Exception):\n"
            "        json.dump(manifest, f)\n",
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
        if isinstance(node, (ast.With, ast.AsyncWith)):
            yield from self._check_suppress(node, ctx)
            return
        assert isinstance(node, ast.ExceptHandler)
        if not is_broad(node, ctx) or fails_closed(node.body, ctx) is not None:
            return
        parent = ctx.parent(node)
        if not isinstance(parent, TRY_TYPES):
            return
        fixable = node.type is not None and not states_intent_to_continue(node, ctx)
        work = artifact_work(parent.body, ctx)
        if work is None:
            if ctx.settings.strict:
                yield Report(node, fixable=fixable)
            return
        if retries_the_work(node, work) or states_visible_degradation(node, ctx):
            return
        message = (
            f"broad `except` swallows the failure of {work.describe()}: the artifact may end up incomplete;"
            " re-raise or apply the error policy"
        )
        yield Report(node, message, fixable=fixable)

    def handler_note_for(self, finding: Any) -> str:
        match = re.search(r"swallows the failure of (.*?): the artifact", finding.message)
        return f"does not fail closed around {match.group(1)}" if match else self.handler_note

    def _check_suppress(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, (ast.With, ast.AsyncWith))
        for item in node.items:
            call = item.context_expr
            if not (isinstance(call, ast.Call) and ctx.call_name(call) == "contextlib.suppress"):
                continue
            if not any(ctx.qualified_name(arg) in BROAD_EXCEPTIONS for arg in call.args):
                continue
            work = artifact_work(node.body, ctx)
            if work is not None:
                yield Report(
                    call,
                    f"`contextlib.suppress(Exception)` swallows the failure of {work.describe()}:"
                    " the artifact may end up incomplete",
                    fixable=False,
                )

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
    and names the outer handler's line. Applies in artifact-shaping code. An outer handler
    that hands the error to a helper that always raises (`process_exception(e)`, a function
    of this module or of the checked project whose every path raises, or `raise_error(...)`)
    fails closed too: nothing is defeated.

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
        "def translate(e):\n    raise StoreError(str(e)) from e\n"
        "def save_all(xs):\n    try:\n        try:\n            save(xs)\n        except OSError:\n            raise\n"
        "    except Exception as e:\n        translate(e)\n",
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
    Flags a narrow handler that only passes, continues or breaks (`except OSError: pass`)
    when its `try` body does artifact work by evidence (a write or a dump into a persistent
    file, a hash, closing something the module writes to, or a call to a function of the
    same module that reaches one of these), and that work can raise what the handler
    catches. The message names the work and its line.

    Quiet where the `try` body cannot trigger the handler, or triggering it loses nothing:

    - `FileExistsError`: writes, dumps and hashes do not raise it (`except FileExistsError:
      pass` around `open(p, "w")` is dead code), and where an exclusive create (`open(p,
      "x")`, `mkdir`) raises it, the file is already there;
    - a library's exception (`requests.RequestException`) when the work is a write, a dump
      or a hash, or a function of this module that never calls that library;
    - the project's own exception class (`CardNotPresentException`) when the work is a
      write, a dump or a hash, or a function of this module that never names it: it is
      control flow raised elsewhere in the `try` body.

    A write or a dump can raise `OSError` and its subclasses, `ValueError`/`TypeError`
    and the serializer's own errors (`PicklingError`, `YAMLError`); a hash `TypeError`/
    `ValueError`, and `OSError` when its input is read in the same call
    (`h.update(f.read())`). Optional-import fallbacks (`except ImportError`) are never
    flagged, and neither is a handler that returns or sets a status: it hands the failure on.

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
        # open(..., "w") never raises FileExistsError
        "import json\ndef save_report(d, p):\n    try:\n        with open(p, 'w') as f:\n            json.dump(d, f)\n"
        "    except FileExistsError:\n        pass\n",
        # the network poll raises it, not the write
        "import json, requests\ndef poll(p):\n    try:\n        r = requests.get(URL)\n"
        "        with open(p, 'w') as f:\n            json.dump(r.json(), f)\n"
        "    except requests.RequestException:\n        pass\n",
        # the project's own signal, raised by the lookup, not by the write
        "import json\ndef export_cards(tasks, p):\n    for t in tasks:\n        try:\n            card = find_card(t)\n"
        "            with open(p, 'w') as f:\n                json.dump(card, f)\n"
        "        except CardNotFound:\n            pass\n",
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
        work = _all_artifact_work(parent.body, ctx)
        if not work or not can_be_raised_by(node, work, ctx):
            return
        first = min(work, key=lambda item: (item.call.lineno, item.call.col_offset))
        first = artifact_work(parent.body, ctx) or first
        message = (
            f"`except` silently swallows the failure of {first.describe()}: the artifact may end up incomplete"
        )
        yield Report(node, message, fixable=log_call_fixable(node, ctx))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return add_log_call(node, ctx)


# -- handlers that are no silent swallow ----------------------------------------------------


def only_passes(handler: ast.ExceptHandler) -> bool:
    """The body is only ``pass``, ``continue`` or ``...`` (ruff's S110/S112 shape)."""
    return all(
        isinstance(statement, (ast.Pass, ast.Continue))
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        for statement in handler.body
    )


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


#: Calls that release a resource: failing to release it loses no work.
CLEANUP_METHODS = frozenset(
    {"close", "unlink", "remove", "rmdir", "removedirs", "rmtree", "kill", "terminate", "shutdown", "cancel",
     "release", "disconnect", "cleanup", "stop", "join", "wait", "__exit__", "__aexit__", "unregister",
     "detach", "dispose", "destroy", "delete"}
)


def is_cleanup_only(body: list[ast.stmt]) -> bool:
    """Every statement releases something: ``os.unlink(p)``, ``proc.kill()``, ``reader.close()``
    (optionally under an ``if``), or clears a reference."""
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, (ast.Call, ast.Await)):
            call = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
            if not isinstance(call, ast.Call) or last_name(call.func) not in CLEANUP_METHODS:
                return False
        elif isinstance(statement, ast.If):
            if not is_cleanup_only(statement.body) or not is_cleanup_only(statement.orelse):
                return False
        elif isinstance(statement, (ast.Delete, ast.Pass)):
            continue
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            continue
        else:
            return False
    return True


#: Functions that run while an object or the interpreter goes away.
_TEARDOWN_FUNCTIONS = frozenset({"__del__", "__exit__", "__aexit__"})


def in_cleanup_context(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler runs as cleanup: in a ``finally`` block, in ``__del__``/``__exit__``, or in a
    function registered with ``atexit.register``/``weakref.finalize``. An error raised there
    would only mask the one already on its way, or surface at exit where nobody can act on it."""
    child: ast.AST = handler
    for ancestor in ctx.ancestors(handler):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if ancestor.name in _TEARDOWN_FUNCTIONS:
                return True
            for name in ("register", "finalize"):
                for call in ctx.calls_by_name.get(name, ()):
                    assert isinstance(call, ast.Call)
                    args = call.args[1:] if name == "finalize" else call.args[:1]
                    if any(isinstance(arg, ast.Name) and arg.id == ancestor.name for arg in args):
                        if ctx.call_name(call) in ("atexit.register", "weakref.finalize"):
                            return True
            return False
        if isinstance(ancestor, (ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, TRY_TYPES) and any(child is statement for statement in ancestor.finalbody):
            return True
        child = ancestor
    return False


def is_store_only(body: list[ast.stmt]) -> bool:
    """The ``try`` body only binds a value (``size = fs.info(p)["size"]``, ``return parse(s)``):
    a handler that passes keeps the value from before, a fallback in all but name."""
    for statement in body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Return, ast.Pass)):
            continue
        if isinstance(statement, ast.If):
            if not is_store_only(statement.body) or (statement.orelse and not is_store_only(statement.orelse)):
                return False
            continue
        return False
    return bool(body)


def quiet_reason(handler: ast.ExceptHandler, ctx: Context) -> Optional[str]:
    """Why a broad handler that only passes is no silent swallow, or ``None``. Never when its
    ``try`` body does artifact work: then the swallowed failure can leave an artifact short."""
    parent = ctx.parent(handler)
    if not isinstance(parent, TRY_TYPES):
        return None
    if artifact_work(parent.body, ctx) is not None:
        return None
    if handler_comment(handler, ctx) is not None:
        return "explained by a comment"
    if is_cleanup_only(parent.body):
        return "best-effort cleanup"
    if in_cleanup_context(handler, ctx):
        return "runs as cleanup"
    if (
        all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in handler.body)
        and is_store_only(parent.body)
        and not _in_loop(parent, ctx)
    ):
        return "a fallback value"
    return None


def _in_loop(node: ast.AST, ctx: Context) -> bool:
    """``node`` runs once per item of a loop of its function: a store there builds a collection,
    and a swallowed failure drops an item from it."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
    return False


#: ``OSError``, ``KeyError``...: what any code can raise.
_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)


def _library_root(name: str) -> Optional[str]:
    """``requests`` for ``requests.exceptions.Timeout``; ``None`` for builtins and unresolved names."""
    if "." not in name or name.startswith("builtins."):
        return None
    return name.split(".", 1)[0]


def can_be_raised_by(handler: ast.ExceptHandler, work: list[ArtifactWork], ctx: Context) -> bool:
    """Whether the artifact work can raise what ``handler`` catches.

    ``FileExistsError`` never counts: writes, dumps and hashes do not raise it, and where an
    exclusive create (``open(p, "x")``, ``mkdir``) does, the file is already there: nothing is
    lost. A library's exception (``requests.RequestException``) comes only from code that calls
    that library; a write or a dump raises ``OSError``, ``ValueError``/``TypeError`` and the
    serializer's own errors, never a project's own exception class."""
    names = caught_names(handler, ctx) or []
    for name in names:
        short = name.rsplit(".", 1)[-1]
        if short == "FileExistsError":
            continue
        root = _library_root(name)
        for item in work:
            if item.raises is not None:
                if short in item.raises or (short in _OS_ERRORS and "OSError" in item.raises):
                    return True
                continue
            if name.startswith("builtins.") or (root is None and short in _BUILTIN_EXCEPTIONS):
                return True  # a function of this module can raise any builtin error
            # A library's exception comes from a call into that library, a project's own
            # exception from code that names it: look for either in the function called.
            wanted = root if root is not None else short
            callee = last_name(item.call.func)
            for function in [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]:
                if getattr(function, "name", None) == callee and any(
                    (isinstance(node, ast.Name) and node.id == wanted)
                    or (isinstance(node, ast.Attribute) and node.attr == wanted)
                    for node in ast.walk(function)
                ):
                    return True
    return False


def retries_the_work(handler: ast.ExceptHandler, work: ArtifactWork) -> bool:
    """The handler does the work again (a mirror, then the official source): if that fails too,
    the error propagates, so nothing is swallowed."""
    wanted = ast.unparse(work.call.func)
    todo: list[ast.AST] = list(handler.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (*TRY_TYPES, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call) and ast.unparse(node.func) == wanted:
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def states_visible_degradation(handler: ast.ExceptHandler, ctx: Context) -> bool:
    """The handler tells the user that the program goes on without the work (``warnings.warn``,
    ``logger.warning("Unable to cache to disk")``, or a log call under a comment that says it
    goes on deliberately): a decision, made visible."""
    from ._util import is_reporting_call

    visible = any(
        isinstance(node, ast.Call) and is_reporting_call(node, ctx) for node in walk_statements_local(handler.body)
    )
    return visible and states_intent_to_continue(handler, ctx)


RULES: tuple[type[Rule], ...] = (BareExcept, SilentExcept, BroadExceptInArtifactCode, DefeatedFailClosed, SilentNarrowExcept)
