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
    swallow_evidence,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class BareExcept(Rule):
    """
    ## What it does
    Flags a bare `except:` clause whose `try` does artifact work by evidence, unless the
    handler lets a Ctrl-C still stop the work. The message names the sink and its line.

    Evidence is that what the handler swallows reaches a persistent sink: the `try` body
    writes or dumps into a persistent file, copies into place, hashes, closes something the
    module writes to, or calls a function of the module or of the project that does (through
    the project's function summaries); or it fills a collection (`rows.append(row)`,
    `out[key] = value`) that the function then writes; or the handler assigns a fallback
    (`except: host = "unknown"`) that the function then writes. A value the function only
    returns is not followed into its callers. Without such evidence (a probe, an `eval`
    fallback, rendering a report, best-effort metadata, a sidecar's log upload, a shutdown
    message), a bare `except:` is lint-level: reported only under `--strict`, and by
    pycodestyle's E722.

    Quiet also, in `--strict` too, where the handler lets a Ctrl-C still stop the work:

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
    import json


    def save_manifest(manifest, path):
        try:
            with open(path, "w") as handle:
                json.dump(manifest, handle, sort_keys=True)
        except:
            cleanup(path)
    ```

    ## Use instead
    ```python
    import json


    def save_manifest(manifest, path):
        try:
            with open(path, "w") as handle:
                json.dump(manifest, handle, sort_keys=True)
        except Exception:
            cleanup(path)
            raise
    ```

    ## Fix safety
    The fix rewrites `except:` to `except Exception:`. It is unsafe: the handler no longer
    catches `KeyboardInterrupt`, `SystemExit` and `GeneratorExit`, which changes control flow.
    A handler that always raises is not flagged, since it hides nothing. A handler that was
    also silent is then reported as DET402, whose fix adds a log call.

    ## Test code
    Checked in test code under `--strict` only. In test code and development tooling
    (`test-paths`, `dev-paths`) there is no artifact, so no evidence (and `--strict` does not
    make test code artifact code). Under `--strict` it is the one rule that runs there: in a
    test a bare `except:` also swallows what `pytest.fail()` and `pytest.skip()` raise (their exceptions
    derive from `BaseException`, not `Exception`) and Ctrl-C, so a test passes that should
    have failed, or a run does not stop. A maintainer weighs that as lint, as pycodestyle's
    E722 reports it; it leaves no artifact short.

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
        # no artifact work by evidence: lint-level, reported under --strict only
        "try:\n    step()\nexcept:\n    cleanup()\n",
        "for path in paths:\n    try:\n        load(path)\n    except:  # keep going\n        continue\n",
        "def instance_metadata():\n    try:\n        return requests.get(METADATA_URL, timeout=1).json()\n"
        "    except:\n        return {}\n",
        "def render_card(component):\n    try:\n        return component.render()\n    except:\n"
        "        return ErrorComponent(traceback.format_exc()).render()\n",
        # a collection the function returns: its callers are not followed
        "def worker_info():\n    info = {}\n    try:\n        info['host'] = socket.gethostname()\n"
        "    except:\n        pass\n    return info\n",
    )
    INVALID = (
        Invalid(
            "import json\ndef save_manifest(manifest, path):\n    try:\n        with open(path, 'w') as f:\n"
            "            json.dump(manifest, f, sort_keys=True)\n    except:\n        cleanup(path)\n",
            fixed="import json\ndef save_manifest(manifest, path):\n    try:\n        with open(path, 'w') as f:\n"
            "            json.dump(manifest, f, sort_keys=True)\n    except Exception:\n        cleanup(path)\n",
        ),
        Invalid(
            "import json\ndef export_rows(rows, path):\n    kept = []\n    for row in rows:\n        try:\n"
            "            kept.append(convert(row))\n        except:\n            continue\n"
            "    with open(path, 'w') as f:\n        json.dump(kept, f)\n",
            fixed="import json\ndef export_rows(rows, path):\n    kept = []\n    for row in rows:\n        try:\n"
            "            kept.append(convert(row))\n        except Exception:\n            continue\n"
            "    with open(path, 'w') as f:\n        json.dump(kept, f)\n",
        ),
        Invalid(
            "import json\ndef write_run_info(info, path):\n    try:\n        host = lookup_host()\n    except:\n"
            "        host = 'unknown'\n    with open(path, 'w') as f:\n        json.dump({'host': host, **info}, f)\n",
            fixed="import json\ndef write_run_info(info, path):\n    try:\n        host = lookup_host()\n"
            "    except Exception:\n"
            "        host = 'unknown'\n    with open(path, 'w') as f:\n        json.dump({'host': host, **info}, f)\n",
        ),
        Invalid(
            "try:\n    step()\nexcept:\n    cleanup()\n",
            settings=(("strict", True),),
            fixed="try:\n    step()\nexcept Exception:\n    cleanup()\n",
        ),
        Invalid(
            "for path in paths:\n    try:\n        load(path)\n    except:  # keep going\n        continue\n",
            settings=(("strict", True),),
            fixed="for path in paths:\n    try:\n        load(path)\n    except Exception:  # keep going\n        continue\n",
        ),
        Invalid(
            "for i in range(retries):\n    try:\n        return session.get(url)\n    except:\n"
            "        if i == retries - 1:\n            raise\n",
            settings=(("strict", True),),
            fixed="for i in range(retries):\n    try:\n        return session.get(url)\n    except Exception:\n"
            "        if i == retries - 1:\n            raise\n",
        ),
        Invalid(
            "def load_default(path):\n    try:\n        return int(open(path).read())\n    except:\n"
            "        return 0\n",
            settings=(("strict", True),),
            fixed="def load_default(path):\n    try:\n        return int(open(path).read())\n    except Exception:\n"
            "        return 0\n",
        ),
        Invalid(
            "try:\n    self._thread.join()\nexcept:\n    pass\n",
            settings=(("strict", True),),
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
        evidence = None if ctx.is_test_code else swallow_evidence(node, ctx)
        if evidence is None:
            if ctx.settings.strict:
                yield Report(node)
            return
        yield Report(node, f"bare `except:` {evidence.describe()}; it also catches a Ctrl-C and SystemExit")

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from ...fix_handlers import catch_exception

        return catch_exception(node, ctx)
