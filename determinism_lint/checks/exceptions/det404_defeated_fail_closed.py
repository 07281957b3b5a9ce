"""DET404: a fail-closed handler swallowed by an outer broad ``except``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ..base import Invalid, Report, Rule
from .._util import last_name
from ..handler_facts import caught_names, enclosing_try_body, fails_closed, hands_error_on, is_broad

if TYPE_CHECKING:
    from ...context import Context


class DefeatedFailClosed(Rule):
    """
    ## What it does
    Flags a fail-closed handler (one that re-raises or applies the error policy) inside the
    body of an outer `try` whose own broad handler swallows what it raises: logs and goes
    on, returns a default, or passes. The finding sits at the inner `raise` or policy call
    and names the outer handler's line. Applies in artifact-shaping code. An outer handler
    that hands the error to a helper that always raises (`process_exception(e)`, a function
    of this module or of the checked project whose every path raises, or `raise_error(...)`)
    fails closed too: nothing is defeated, and so does one that hands the error on by
    evidence (returns `Job(status=ERROR, error=e)`, stores `update.error = e`), as for DET403.
    Nor is an error that an earlier, narrower handler of the outer `try` catches (`raise
    UserError(e) from e` inside, `except UserError:` before `except Exception:` outside):
    Python hands it to the first handler that matches, not to the broad one.

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
        "def save_all(xs):\n    try:\n        try:\n            save(xs)\n        except OSError:\n            raise\n"
        "    except Exception as e:\n        return Result(status=ERROR, error=e)\n",
        "def run_task(load):\n    try:\n        try:\n            task = load()\n        except Exception as e:\n"
        "            raise UserError(e) from e\n        task.run()\n    except UserError as e:\n"
        "        raise SystemExit(1) from e\n    except Exception:\n        log.exception('system error')\n",
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
        raised = _raised_names(node, inner, ctx)
        outer_try = enclosing_try_body(node, ctx)
        while outer_try is not None:
            for handler in outer_try.handlers:
                narrow = set() if is_broad(handler, ctx) else {n.rsplit(".", 1)[-1] for n in caught_names(handler, ctx) or []}
                if raised & narrow:
                    return  # an earlier, narrower handler of the outer ``try`` gets the error
                if (
                    is_broad(handler, ctx)
                    and fails_closed(handler.body, ctx) is None
                    and hands_error_on(handler, ctx) is None
                ):
                    yield Report(
                        inner,
                        f"this fail-closed error is swallowed by the broad `except` on line {handler.lineno}:"
                        " re-raise there too, or handle the error here",
                    )
                    return
            outer_try = enclosing_try_body(outer_try, ctx)


def _raised_names(handler: ast.ExceptHandler, inner: ast.AST, ctx: Context) -> set[str]:
    """The last names of what the fail-closed statement raises: ``StoreError`` for
    ``raise StoreError(...) from e``; for a bare ``raise``, what the handler catches."""
    if isinstance(inner, ast.Raise):
        if inner.exc is None:
            return {name.rsplit(".", 1)[-1] for name in caught_names(handler, ctx) or []}
        target = inner.exc.func if isinstance(inner.exc, ast.Call) else inner.exc
        name = last_name(target)
        return {name} if name is not None else set()
    return set()
