"""DET503 (UnorderedResultsReachArtifact): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ..order_facts import consumer_is_order_sensitive
from .._util import last_name
from ..base import NO_FIX, Invalid, Report, Rule
from ..iteration_facts.sinks import _sink_text, reaches_bytes

if TYPE_CHECKING:
    from ...context import Context


_UNORDERED_RESULTS = frozenset({"concurrent.futures.as_completed", "asyncio.as_completed"})
_UNORDERED_METHODS = frozenset({"imap_unordered", "as_completed"})


class UnorderedResultsReachArtifact(Rule):
    """
    ## What it does
    Flags results gathered in completion order, from `concurrent.futures.as_completed`,
    `asyncio.as_completed` or `Pool.imap_unordered`, when that order reaches a hash, a file
    or serialized output in artifact-shaping code without being sorted first.

    ## Why is this bad?
    Completion order depends on scheduling: which worker was faster this time. A manifest
    or a results table written in that order differs from run to run even when every
    result is identical.

    ## Example
    ```python
    import json
    from concurrent.futures import ThreadPoolExecutor, as_completed


    def save_results(jobs, f):
        with ThreadPoolExecutor() as pool:
            futures = [pool.submit(run, job) for job in jobs]
            results = []
            for future in as_completed(futures):
                results.append(future.result())
        json.dump(results, f)
    ```

    ## Use instead
    ```python
    import json
    from concurrent.futures import ThreadPoolExecutor


    def save_results(jobs, f):
        with ThreadPoolExecutor() as pool:
            results = list(pool.map(run, jobs))
        json.dump(results, f)
    ```

    ## Fix safety
    No fix: the right order (submission order, a sort key) depends on the data.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    """

    code = "DET503"
    name = "unordered-results-reach-artifact"
    message = "results in completion order reach a hash or an artifact: keep submission order or sort them"
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"as_completed", "imap_unordered"})
    artifact_only = True

    VALID = (
        "import json\nfrom concurrent.futures import as_completed\ndef save_results(fs, f):\n"
        "    results = [x.result() for x in as_completed(fs)]\n    results.sort(key=lambda r: r['id'])\n"
        "    json.dump(results, f)\n",
        "from concurrent.futures import as_completed\ndef save_all(fs):\n    for x in as_completed(fs):\n"
        "        x.result()\n",
        "import json\ndef save_results(pool, jobs, f):\n    json.dump(sorted(pool.imap_unordered(run, jobs)), f)\n",
    )
    INVALID = (
        Invalid(
            "import json\nfrom concurrent.futures import as_completed\ndef save_results(fs, f):\n"
            "    results = []\n    for x in as_completed(fs):\n        results.append(x.result())\n"
            "    json.dump(results, f)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import hashlib\ndef digest_all(pool, jobs):\n    h = hashlib.sha256()\n"
            "    for chunk in pool.imap_unordered(load, jobs):\n        h.update(chunk)\n    return h.hexdigest()\n",
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        attr = last_name(node.func)
        if attr not in _UNORDERED_METHODS:
            return
        if attr == "as_completed" and ctx.call_name(node) not in _UNORDERED_RESULTS:
            return
        if not ctx.in_artifact_scope(node):
            return
        escape = consumer_is_order_sensitive(node, ctx)
        if escape is None:
            return
        sink = reaches_bytes(escape, ctx)
        if sink is not None:
            yield Report(node, f"results in completion order reach {_sink_text(sink, escape)}")
