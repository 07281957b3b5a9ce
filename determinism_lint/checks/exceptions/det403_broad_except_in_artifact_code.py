"""DET403: a broad ``except`` around artifact work that does not fail closed."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report, Rule
from ..handler_facts import (
    BROAD_EXCEPTIONS,
    TRY_TYPES,
    artifact_work,
    fails_closed,
    hands_error_on,
    is_broad,
    is_no_swallow,
    retries_the_work,
    runs_at_teardown,
    states_intent_to_continue,
    states_visible_degradation,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


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
    call it reaches). `json.dumps(...)` alone is not: the string may never reach a file, nor
    is a dump into a stream that is not kept (`sys.stdout`, a temp file, `f` from `with
    open(path, "w") as f` where the write rules see a scratch file, as in a
    `TemporaryDirectory` uploaded after the dump): a failure there leaves no artifact torn. A
    fallback value that is only returned or assigned is therefore not flagged unless the
    work it replaces reaches an artifact.

    Failing closed is: `raise` (also `raise ... from ...`), an exit with a failure status
    (`sys.exit(1)`, `os._exit(code)`, the builtin `exit(1)`; not `sys.exit()` or
    `sys.exit(0)`, which report success), the error policy (`handle_error_with_policy` or a configured `error-handlers` name), or a call
    that always raises: a helper named for it (`raise_error(e)`, `reraise(...)`), a function
    of the same module whose every path raises, or one imported from another module of the
    checked project whose every path raises (`process_exception(e)` that translates and
    re-raises every error). A method whose body raises `NotImplementedError` is abstract and
    does not count. Logging alone is not failing closed.

    Handing the error on, by evidence, fails closed too: the handler returns the exception
    object or a value built with it (`return Job(status=ERROR, error=e)`, `return e`), stores
    it on an object from outside the handler (`update.error = e`, `self.failure = e`), or
    records the error, also as text, in a collection its function returns
    (`results[name] = {"success": False, "error": str(e)}` and `return results`) or writes
    after the `try` (`outputs["error.pb"] = ErrorDocument(format_exc(e))`, then each of
    `outputs` written to a file: the failure is persisted where the caller looks). Whoever
    gets the object or the result sees the failure and can raise it. Its text alone, returned
    (`return f"failed: {e}"`) or stored, reads as a fallback value: still flagged.

    Also quiet where the handler is not a swallow:

    - it **does the work again** (a download from a mirror, then from the official source):
      if that fails too, the error propagates;
    - it is a **guard while an object is torn down**: in `__exit__`/`__aexit__`/`__del__`, or
      in a method that the module calls only from those (`self._abort()` in `__exit__`), as
      for DET402;
    - it **says, visibly, that the program goes on without the work**: `warnings.warn(...)`,
      or a log call whose message or comment states the degradation ("Unable to cache to
      disk", "skipping", "continuing without ..."), or a comment does ("do not re-raise so
      that the execution continues"). That is a decision, made visible, and a
      maintainer will not change it; a silent handler with such a comment is still reported.
    - in `strict` mode, where a broad handler is reported without evidence of artifact work,
      one that **loses nothing**: its `try` only releases something (`proc.kill()`,
      `subprocess.call(["pkill", ...])`, `shutil.rmtree(d)`), attempts a probe import or
      sends a fire-and-forget ping (as for DET402), guards an optional import, or the handler
      reports the traceback and stops (as for DET401).

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
    #: The finding kept for the handler names the work when there is evidence of it; without
    #: evidence (``strict``) there is none to name.
    handler_note = "does not fail closed"
    #: Under ``strict`` without evidence of artifact work: the message claims no work it did not see.
    strict_message = (
        "broad `except` does not fail closed (no artifact work seen in its `try`; reported because"
        " `strict` is on): re-raise or apply the error policy"
    )
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
        # a comment says it deliberately does not re-raise, and the traceback is logged
        "import json\ndef collect(result, path):\n    try:\n        with open(path, 'w') as f:\n"
        "            json.dump(result, f)\n    except Exception:\n"
        "        # log but do not re-raise, so that the task chain execution continues\n"
        "        logger.exception('Failed to collect')\n",
        # a cache, and the warning says the run goes on without it
        "import pickle, warnings\ndef cache_item(item, path):\n    try:\n        with open(path, 'wb') as f:\n"
        "            pickle.dump(item, f)\n    except Exception as e:\n"
        "        warnings.warn(f'Unable to cache to disk: {e}')\n",
        "from contextlib import suppress\ndef probe(p):\n    with suppress(Exception):\n        return p.stat().st_size\n",
        # fails closed by evidence: the caller gets the exception object and raises it
        "def materialize(table, path):\n    try:\n        table.write_parquet(path)\n"
        "        return Job(status=SUCCEEDED)\n    except Exception as e:\n"
        "        return Job(status=ERROR, error=e)\n",
        "import json\ndef reconcile(update, path):\n    try:\n        with open(path, 'w') as f:\n"
        "            json.dump(update.item, f)\n    except Exception as e:\n        log.error(e)\n"
        "        update.error = e\n        update.status = FAILED\n",
        # the failure is part of the result the function returns
        "import json\ndef write_configs(configs):\n    results = {}\n    for name, config in configs.items():\n"
        "        try:\n            with open(name, 'w') as f:\n                json.dump(config, f)\n"
        "            results[name] = {'success': True}\n        except Exception as e:\n"
        "            results[name] = {'success': False, 'error': str(e)}\n    return results\n",
        # a dump into a scratch file, uploaded only after it: a failure leaves no artifact torn
        "import json, os, tempfile\ndef log_features(client, run_id, features):\n    try:\n"
        "        with tempfile.TemporaryDirectory() as tmp:\n            path = os.path.join(tmp, 'features.json')\n"
        "            with open(path, 'w') as f:\n                json.dump(features, f)\n"
        "            client.log_artifact(run_id, path)\n    except Exception as e:\n"
        "        log.debug('could not log features: %s', e)\n",
        # the error document is written with the outputs
        "import hashlib\ndef execute(task, out_dir):\n    outputs = {}\n    try:\n"
        "        outputs['digest'] = hashlib.sha256(task.run()).hexdigest()\n    except Exception as e:\n"
        "        outputs['error.json'] = ErrorDocument(message=format_error(e))\n"
        "    for name, doc in outputs.items():\n        write_json(doc, out_dir / name)\n"
        "def write_json(doc, path):\n    with open(path, 'w') as f:\n        f.write(doc.to_json())\n",
        # a failure exit status
        "import json\ndef main(d, p):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
        "        print(e)\n        exit(1)\n",
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
            "import json\nimport sys\ndef save(d, p):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
            "        print(e)\n        sys.exit(0)\n",
            fixed=(
                "import json\nimport sys\n\nfrom determinism_lint.runtime import handle_error_with_policy\n\n\n"
                "def save(d, p):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
                "        print(e)\n        sys.exit(0)\n"
                '        handle_error_with_policy(e, context="save")\n'
            ),
        ),
        Invalid(
            "import json\ndef save(d, p):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
            "        return f'failed: {e}'\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import handle_error_with_policy\n\n\n"
                "def save(d, p):\n    try:\n        json.dump(d, p)\n    except Exception as e:\n"
                '        handle_error_with_policy(e, context="save")\n'
                "        return f'failed: {e}'\n"
            ),
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
        if hands_error_on(node, ctx) is not None or runs_at_teardown(node, ctx):
            return
        parent = ctx.parent(node)
        if not isinstance(parent, TRY_TYPES):
            return
        fixable = node.type is not None and not states_intent_to_continue(node, ctx)
        work = artifact_work(parent.body, ctx)
        if work is None:
            if ctx.settings.strict and not is_no_swallow(node, parent, ctx):
                yield Report(node, self.strict_message, fixable=fixable)
            return
        if retries_the_work(node, work) or states_visible_degradation(node, ctx):
            return
        message = (
            f"broad `except` swallows the failure of {work.describe()}: the artifact may end up incomplete;"
            " re-raise or apply the error policy"
        )
        yield Report(node, message, fixable=fixable)

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
        from ...fix_handlers import route_to_policy

        return route_to_policy(node, ctx)
