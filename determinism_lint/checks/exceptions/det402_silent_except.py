"""DET402: a broad ``except`` that swallows the error silently."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report, Rule
from ..handler_facts import (
    is_broad,
    is_import_fallback,
    log_call_fixable,
    only_passes,
    quiet_reason,
    runs_at_teardown,
    swallow_evidence,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class SilentExcept(Rule):
    """
    ## What it does
    Flags a broad exception handler (`except Exception`, `except BaseException`, a bare
    `except:`, or a tuple holding one of them) whose body is only `pass`, `continue` or
    `...`, when what it swallows reaches a persistent sink by evidence. The message names
    the sink and its line ("silently swallows the failure of `json.dump(...)` on line 42").

    Evidence is: the `try` body writes or dumps into a persistent file, copies into place,
    hashes, closes something the module writes to, or calls a function of the module or of
    the project that does one of these (through the project's function summaries); or it
    fills a collection (`rows.append(row)`, `out[key] = value`) that the function then
    writes, so a swallowed failure leaves an item out of the artifact. A value the function
    only returns is not followed into its callers.

    Without evidence, a silent broad handler (a probe, an existence check, a best-effort
    metadata lookup, a fallback in a UI or report endpoint, a loop that skips what it cannot
    parse) loses nothing a maintainer would act on: it is reported only under `--strict`,
    as ruff's S110 and S112 report it. There, it stays quiet where the handler is no silent
    swallow:

    - **A comment explains it**: any comment on the handler's lines
      (`except Exception:  # the hook must never fail the run`), other than tool
      directives (`# noqa`, `# type:`, `# pragma`). ruff reports these too; here the bar is
      whether a maintainer would change the code, and a swallow the author explained is a
      decision already made and reviewed. No setting: to see these, use ruff's S110/S112.
    - **Best-effort cleanup**: the `try` body only releases something (`close`, `unlink`,
      `remove`, `rmtree`, `kill`, `terminate`, `shutdown`, ..., or runs `kill`/`pkill`
      through `subprocess` or `asyncio.create_subprocess_exec` and waits for it), or the handler runs as
      cleanup: in a `finally` block, in `__del__`/`__exit__`, or in a function registered
      with `atexit.register`/`weakref.finalize`. An error there would only mask the one
      already on its way, or surface at exit where nobody can act on it.
    - **A fallback value**: outside a loop, the `try` body only binds a value
      (`size = fs.info(path)["size"]`, `return parse(text)`) and the handler passes: the
      value from before stays, as it would with `except Exception: size = 0`. In a loop
      too when the body only rebinds a name to a value converted in memory
      (`default = eval(default)`, `n = int(text)`): no item of the loop is left out. Storing
      into a collection (`out[key] = int(value)`) or a handler that `continue`s is still
      flagged there: the item is dropped.
    - **A probe import**: the `try` body only attempts an import (`__import__(name)`,
      `importlib.import_module(name)`, an `import`), outside a loop or in a function that
      then looks the module up in `sys.modules`: the outcome is checked where it is used.
      In a loop with no such check (`for name in plugins: import_module(name)`), a plugin
      silently goes missing: flagged.
    - **A fire-and-forget request**: the `try` body is one HTTP `head`/`get`/`post` with a
      `timeout`, whose response is unused and which sends no `data=`/`files=` (a
      download-count ping, a telemetry event). An upload, or a request without a timeout,
      is still flagged.

    With evidence, a handler is still quiet when it is a guard while an object is torn
    down: in `__exit__`/`__aexit__`/`__del__`, or in a method that the module calls only from
    those (`self._abort()` or `self.close()` in `__exit__`). The error is already on its way
    there, or the work was finished, and can fail, through its own call (`finalize()`,
    `commit()`). A `close()` that the module calls from anywhere else is still flagged.
    Around a collection, a comment or a cleanup context keeps it quiet too.

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
    import json


    def write_metrics(run_dir, path):
        metrics = {}
        for name in ("loss", "accuracy"):
            try:
                metrics[name] = read_metric(run_dir, name)
            except Exception:
                pass
        with open(path, "w") as handle:
            json.dump(metrics, handle, sort_keys=True)
    ```

    ## Use instead
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_metrics(run_dir, path):
        metrics = {}
        for name in ("loss", "accuracy"):
            try:
                metrics[name] = read_metric(run_dir, name)
            except Exception:
                logger.exception("write_metrics: could not read %s", name)
                raise
        with open(path, "w") as handle:
            json.dump(metrics, handle, sort_keys=True)
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
    next), and there is no artifact to leave incomplete. Under `--strict`, it applies to all
    other code, not only artifact-shaping code, as ruff's S110 and S112 do.

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
        "for default in defaults:\n    try:\n        default = eval(default)\n    except Exception:\n        pass\n"
        "    values.append(default)\n",
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
        "try:\n    subprocess.call(['pkill', '-TERM', '-P', pid])\nexcept Exception:\n    pass\n",
        "try:\n    __import__(module_name)\nexcept Exception:\n    pass\nif module_name in sys.modules:\n    use(module_name)\n",
        "try:\n    session.head(url, timeout=3)\nexcept Exception:\n    pass\n",
        # a guard in a method that only ``__exit__`` calls: the writer is finished by ``finalize``
        "class ShardWriter:\n    def add(self, batch):\n        self.stream.write_batch(batch)\n"
        "    def finalize(self):\n        self.stream.close()\n"
        "    def __exit__(self, *exc):\n        self.close()\n"
        "    def close(self):\n        try:\n            self.stream.close()\n"
        "        except Exception:  # already closed by finalize()\n            pass\n",
        # no sink by evidence: reported under --strict only
        "try:\n    step()\nexcept Exception:\n    pass\n",
        "def find_object(name, getters):\n    for get in getters:\n        try:\n            return get(name)\n"
        "        except Exception:\n            continue\n    return None\n",
        "def worker_info():\n    info = {}\n    try:\n        info['host'] = socket.gethostname()\n"
        "    except Exception:\n        pass\n    return info\n",
        "def model_names(client, runs):\n    names = []\n    for run in runs:\n        try:\n"
        "            names.append(client.get_run(run).name)\n        except Exception:\n            continue\n"
        "    return {'models': names}\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def save_index(index, path):\n    try:\n        with open(path, 'w') as f:\n"
            "            json.dump(index, f, sort_keys=True)\n    except Exception:\n        pass\n",
            fixed=(
                "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def save_index(index, path):\n    try:\n        with open(path, 'w') as f:\n"
                "            json.dump(index, f, sort_keys=True)\n    except Exception:\n"
                '        logger.debug("save_index: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def write_metrics(run_dir, path):\n    metrics = {}\n    for name in NAMES:\n        try:\n"
            "            metrics[name] = read_metric(run_dir, name)\n        except Exception:\n            continue\n"
            "    with open(path, 'w') as f:\n        json.dump(metrics, f, sort_keys=True)\n",
            fixed=(
                "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def write_metrics(run_dir, path):\n    metrics = {}\n    for name in NAMES:\n        try:\n"
                "            metrics[name] = read_metric(run_dir, name)\n        except Exception:\n"
                '            logger.debug("write_metrics: ignored Exception", exc_info=True)\n'
                "            continue\n"
                "    with open(path, 'w') as f:\n        json.dump(metrics, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "try:\n    step()\nexcept Exception:\n    pass\n",
            settings=(("strict", True),),
            fixed=(
                "import logging\n\ntry:\n    step()\nexcept Exception:\n"
                '    logging.getLogger(__name__).debug("module: ignored Exception", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import logging\nlog = logging.getLogger(__name__)\n"
            "def f():\n    try:\n        compute()\n    except BaseException:\n        ...\n",
            settings=(("strict", True),),
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
            settings=(("strict", True),),
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
            settings=(("strict", True),),
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
            settings=(("strict", True),),
            fixed=NO_FIX,
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def publish(url, blob):\n    try:\n        requests.post(url, data=blob, timeout=30)\n"
            "    except Exception:\n        pass\n",
            settings=(("strict", True),),
            fixed=(
                "import logging\nlogger = logging.getLogger(__name__)\n"
                "def publish(url, blob):\n    try:\n        requests.post(url, data=blob, timeout=30)\n"
                "    except Exception:\n"
                '        logger.debug("publish: ignored Exception", exc_info=True)\n'
            ),
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if not is_broad(node, ctx) or not only_passes(node) or is_import_fallback(node, ctx):
            return
        fixable = log_call_fixable(node, ctx)
        evidence = swallow_evidence(node, ctx, with_fallback=False)
        if evidence is None:
            if ctx.settings.strict and quiet_reason(node, ctx) is None:
                yield Report(node, fixable=fixable)
            return
        # A guard while the object is torn down is quiet; a collection left short is quiet
        # where a pass would be, except as a fallback value.
        if runs_at_teardown(node, ctx):
            return
        if evidence.value is not None and quiet_reason(node, ctx) not in (None, "a fallback value"):
            return
        message = (
            f"broad `except` silently {evidence.describe()}: the artifact may end up incomplete;"
            " log it, re-raise, or catch something narrower"
        )
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from ...fix_handlers import add_log_call

        return add_log_call(node, ctx)
