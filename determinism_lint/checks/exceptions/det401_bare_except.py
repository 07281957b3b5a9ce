"""DET401: a bare ``except:`` that also swallows a Ctrl-C."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import Invalid, Report, Rule
from ..handler_facts import (
    RELEASE_METHODS,
    TRY_TYPES,
    handler_always_raises,
    is_brief_conversion,
    is_cleanup_only,
    is_compat_binding,
    is_import_fallback,
    reports_traceback_and_stops,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class BareExcept(Rule):
    """
    ## What it does
    Flags a bare `except:` clause, unless the handler lets a Ctrl-C still stop the work:

    - **It always raises**: a bare `raise`, a converted error (`raise ConfigError(...)`), or
      a call that never returns: `sys.exit(...)`, `os._exit(...)`, click's `self.fail(...)`/
      `ctx.fail(...)`, argparse's `parser.error(...)`, or a function of the project whose
      every path raises. A `KeyboardInterrupt` is caught only to stop the run another way.
      One that raises only on some paths (`if attempt == last: raise`) is still flagged.
    - **It reports the traceback and stops**: `traceback.print_exc()`,
      `logger.exception(...)` or `exc_info=True`, then `break` or a bare `return` out of the
      loop it guards, or the `finally` of its `try` ends the process (`os._exit(code)` in a
      forked child). The Ctrl-C is shown, and the loop or process ends as it would have.
    - **Its `try` only releases something** that does not block: `proc.kill()`,
      `os.kill(...)`, `subprocess.call(["pkill", ...])`, `worker.shutdown()`, `f.close()`,
      `os.remove(p)`, `shutil.rmtree(d)`. A `join()` or `wait()` is where a Ctrl-C arrives:
      a bare `except:` around one is still flagged.
    - **It guards an optional import** (`try: import cPickle as pickle` /
      `except: import pickle`, also with plain bindings of what was imported), or binds a
      name that differs between Python versions at module level (`try: blocking_error =
      BlockingIOError` / `except: blocking_error = OSError`): that runs once, on import,
      where there is nothing to interrupt or lose.
    - **Its `try` only converts a value in memory**: one or two assignments, returns or
      expressions whose calls only convert, parse or look up (`port = int(run_id)`,
      `return datetime.strptime(s, fmt)`, `value = eval(default)`, `getattr(cls, name)`),
      with no loop, `with` or I/O. A Ctrl-C cannot realistically land there and nothing but
      the value is at stake: the handler behaves as `except Exception:` would. A `try` that
      calls anything else, reads a file or talks to the network is still flagged.

    When the handler is also silent (DET402) or swallows artifact work (DET403), this is the
    one finding for it, and the message says so. `# noqa: E722` (pycodestyle, ruff) and
    `# noqa: B001` (flake8-bugbear) on the `except` line suppress it too.

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
    A handler that always raises is not flagged, since it hides nothing. A handler that was
    also silent is then reported as DET402, whose fix adds a log call.

    ## Test code
    Checked in test code too: in a test, a bare `except:` also swallows what `pytest.fail()`
    and `pytest.skip()` raise (their exceptions derive from `BaseException`, not
    `Exception`) and Ctrl-C, so a test passes that should have failed, or a run does not
    stop.

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
        "try:\n    return json.loads(value)\nexcept:\n    self.fail('not valid JSON', param, ctx)\n",
        "try:\n    val = fun(ctx)\nexcept:\n    raise ParameterFieldFailed(name)\n",
        "import traceback\nwhile True:\n    try:\n        worker.process(read())\n    except:\n        traceback.print_exc()\n"
        "        break\n",
        "try:\n    self._proc.kill()\nexcept:\n    pass\n",
        "try:\n    blocking_error = BlockingIOError\nexcept:\n    blocking_error = OSError\n",
        "def port_for(run_id):\n    try:\n        port = 50000 + int(run_id) % 1000\n    except:\n"
        "        port = 51001\n    return port\n",
        "def parse_time(text):\n    try:\n        return datetime.strptime(text, FORMAT)\n    except:\n"
        "        return None\n",
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
        Invalid(
            "for i in range(retries):\n    try:\n        return session.get(url)\n    except:\n"
            "        if i == retries - 1:\n            raise\n",
            fixed="for i in range(retries):\n    try:\n        return session.get(url)\n    except Exception:\n"
            "        if i == retries - 1:\n            raise\n",
        ),
        Invalid(
            "def load_default(path):\n    try:\n        return int(open(path).read())\n    except:\n"
            "        return 0\n",
            fixed="def load_default(path):\n    try:\n        return int(open(path).read())\n    except Exception:\n"
            "        return 0\n",
        ),
        Invalid(
            "try:\n    self._thread.join()\nexcept:\n    pass\n",
            fixed="try:\n    self._thread.join()\nexcept Exception:\n    pass\n",
        ),
    )

    fix_node = ("ExceptHandler",)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if node.type is not None or is_import_fallback(node, ctx) or is_compat_binding(node, ctx):
            return
        if handler_always_raises(node, ctx) or reports_traceback_and_stops(node, ctx):
            return
        parent = ctx.parent(node)
        if isinstance(parent, TRY_TYPES) and (
            is_cleanup_only(parent.body, RELEASE_METHODS) or is_brief_conversion(parent.body)
        ):
            return
        yield Report(node)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from ...fix_handlers import catch_exception

        return catch_exception(node, ctx)
