"""DET201 (UnsortedJsonDump): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from .._sources import unstable_keys
from .._util import keyword
from ..base import Invalid, Report, Rule
from ..serialization_facts.sinks import _is_true, _persistent_sink

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class UnsortedJsonDump(Rule):
    """
    ## What it does
    Flags `json.dump(...)` and `json.dumps(...)` without `sort_keys=True` in
    artifact-shaping code when the key order of a dumped mapping comes from an unstable
    source and the bytes persist. The message names the source and the sink, with their
    lines.

    Unstable sources: a set, a directory listing (`os.listdir`, `glob`, `Path.iterdir`, the
    lists of `os.walk`), completion order (`as_completed`, `imap_unordered`), and a dict built
    from one of these: a comprehension over it, `dict.fromkeys(...)`/`Counter(...)` of it, or
    a dict filled by key in a loop over it (`index[name] = ...` for each listed file). The
    search follows local names, `self` attributes filled in the class's methods, the value a
    function of the module returns, and what the module's own callers pass for a parameter.
    Sinks: `json.dump` into a stream that is not the console or a temp file, or `json.dumps`
    text that is written to a file or hashed (directly, via `.encode()` or through a local
    variable).

    Quiet when no mapping has such a source: a number, a string, a list of them; a dict
    literal with literal keys; `dataclasses.asdict(...)`; `vars(namespace)`; a document from
    `json.load`/`json.loads`/`yaml.safe_load`; a dict built from argv, from keyword arguments
    or in a loop over a fixed sequence; a parameter that no caller in the module fills from a
    source. Quiet after a sanitizer: `sorted(...)`, a helper that sorts recursively
    (`deep_sort`: a function of the module that calls `sorted`), `canonical_json`. Not sinks:
    the body of an HTTP response (`self.wfile.write`), the console, logging, text sent or
    returned to callers that reach no sink by other evidence.

    ## Why is this bad?
    JSON objects keep the insertion order of the dict. A dict filled while walking a
    directory or a set, or while collecting results as workers finish, gets its keys in an
    order that changes between two runs on the same data: the file's bytes and its hash
    change, the cache misses and the "changed" artifact triggers needless work.

    ## Example
    ```python
    import json
    import os


    def write_index(data_dir, f):
        index = {}
        for name in os.listdir(data_dir):
            index[name] = os.path.getsize(os.path.join(data_dir, name))
        json.dump(index, f)
    ```

    ## Use instead
    ```python
    import json
    import os


    def write_index(data_dir, f):
        index = {}
        for name in os.listdir(data_dir):
            index[name] = os.path.getsize(os.path.join(data_dir, name))
        json.dump(index, f, sort_keys=True)
    ```
    Or `determinism_lint.runtime.canonical_json(index)`, which also fixes separators and
    rejects NaN.

    ## Fix safety
    The fix adds `sort_keys=True`. It is unsafe: the bytes written change once (the
    reordering is the point), and `sort_keys` raises `TypeError` when the keys of one
    mapping are of types that do not compare (`{1: ..., "a": ...}`).

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.
    JSON that a test writes or hashes is compared in the same run, not kept.

    """

    code = "DET201"
    name = "unsorted-json-dump"
    message = "JSON key order comes from an unstable source (a set, a listing, completion order) without `sort_keys=True`"
    fix_title = "Add `sort_keys=True`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"dump", "dumps"})
    artifact_only = True
    fix_node = ("Call",)

    VALID = (
        "import json, os\ndef save_index(d, f):\n    json.dump({n: 1 for n in os.listdir(d)}, f, sort_keys=True)\n",
        # A mapping of unknown origin: its order is the caller's, the same in every run.
        "import json\ndef save_manifest(m, f):\n    json.dump(m, f, indent=2)\n",
        "import hashlib, json\ndef config_hash(c):\n    return hashlib.sha256(json.dumps(c).encode()).hexdigest()\n",
        # No mapping at all.
        "import json\ndef save_bad_batches(bad_batches: list, f):\n    json.dump(bad_batches, f)\n",
        "import json\ndef write_splits(f, n):\n    json.dump(n, f)\n",
        # Fixed order: literal keys, dataclass fields, argv, keyword arguments, a loaded document.
        "import json\ndef write_meta(f, params):\n    json.dump({'version': 2, 'params': params}, f)\n",
        "import dataclasses, json\ndef save_run(run, path):\n    path.write_text(json.dumps(dataclasses.asdict(run)))\n",
        "import json, sys\ndef save_params(f):\n    params = {}\n    for arg in sys.argv[1:]:\n"
        "        key, value = arg.split('=')\n        params[key] = value\n    json.dump(params, f)\n",
        "import json\ndef save_args(f, **kwargs):\n    json.dump(dict(kwargs), f)\n",
        "import json\ndef add_token(path, token):\n    with open(path) as f:\n        config = json.load(f)\n"
        "    config['token'] = token\n    with open(path, 'w') as f:\n        json.dump(config, f)\n",
        "import json\ndef save_times(f, stages):\n    times = {}\n    for stage in ('load', 'train'):\n"
        "        times[stage] = stages[stage]\n    json.dump(times, f)\n",
        # Sanitized: sorted first level, a recursive sorting helper.
        "import json, os\ndef save_info(d, f):\n    info = {n: 1 for n in os.listdir(d)}\n"
        "    json.dump({k: info[k] for k in sorted(info)}, f)\n",
        "import hashlib, json, os\ndef deep_sort(obj):\n    if isinstance(obj, dict):\n"
        "        return {k: deep_sort(v) for k, v in sorted(obj.items())}\n    return obj\n"
        "def env_id(d):\n    env = {n: 1 for n in os.listdir(d)}\n"
        "    return hashlib.sha256(json.dumps(deep_sort(env)).encode()).hexdigest()\n",
        # Not persisted: printed, sent as an HTTP response, a temp file for another process.
        "import json\ndef respond(tags: set):\n    print(json.dumps(dict.fromkeys(tags)))\n",
        "import json, os\nclass Handler:\n    def do_GET(self):\n"
        "        self.wfile.write(json.dumps({n: 1 for n in os.listdir('.')}).encode())\n",
        "import json, os, tempfile\ndef send(d):\n    with tempfile.NamedTemporaryFile('w') as tmp:\n"
        "        json.dump({n: 1 for n in os.listdir(d)}, tmp)\n        notify(tmp.name)\n",
    )
    INVALID = (
        Invalid(
            "import json, os\ndef write_index(d, f):\n    index = {}\n    for name in os.listdir(d):\n"
            "        index[name] = os.path.getsize(os.path.join(d, name))\n    json.dump(index, f)\n",
            fixed=(
                "import json, os\ndef write_index(d, f):\n    index = {}\n    for name in os.listdir(d):\n"
                "        index[name] = os.path.getsize(os.path.join(d, name))\n    json.dump(index, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import hashlib, json\ndef tags_hash(tags: set):\n    payload = json.dumps({t: 1 for t in tags})\n"
            "    return hashlib.sha256(payload.encode()).hexdigest()\n",
            fixed=(
                "import hashlib, json\ndef tags_hash(tags: set):\n"
                "    payload = json.dumps({t: 1 for t in tags}, sort_keys=True)\n"
                "    return hashlib.sha256(payload.encode()).hexdigest()\n"
            ),
        ),
        Invalid(
            "import json\nfrom concurrent.futures import as_completed\ndef save_results(futures, path):\n"
            "    results = {}\n    for future in as_completed(futures):\n        name, value = future.result()\n"
            "        results[name] = value\n    path.write_text(json.dumps({'results': results}, indent=2))\n",
            fixed=(
                "import json\nfrom concurrent.futures import as_completed\ndef save_results(futures, path):\n"
                "    results = {}\n    for future in as_completed(futures):\n        name, value = future.result()\n"
                "        results[name] = value\n"
                "    path.write_text(json.dumps({'results': results}, indent=2, sort_keys=True))\n"
            ),
        ),
        Invalid(
            "import glob, json\ndef shard_sizes(root):\n    return {p: 1 for p in glob.glob(root + '/*.parquet')}\n"
            "def save(root, f):\n    json.dump(shard_sizes(root), f)\n",
            fixed=(
                "import glob, json\ndef shard_sizes(root):\n    return {p: 1 for p in glob.glob(root + '/*.parquet')}\n"
                "def save(root, f):\n    json.dump(shard_sizes(root), f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import json, os\nclass Catalog:\n    def __init__(self):\n        self.entries = {}\n"
            "    def scan(self, root):\n        for top, dirs, files in os.walk(root):\n"
            "            for name in files:\n                self.entries[name] = top\n"
            "    def save(self, f):\n        json.dump(self.entries, f)\n",
            fixed=(
                "import json, os\nclass Catalog:\n    def __init__(self):\n        self.entries = {}\n"
                "    def scan(self, root):\n        for top, dirs, files in os.walk(root):\n"
                "            for name in files:\n                self.entries[name] = top\n"
                "    def save(self, f):\n        json.dump(self.entries, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import json\ndef dump(tokens, f):\n    json.dump(\n        dict.fromkeys(set(tokens), 0),\n        f,\n    )\n",
            settings=(("strict", True),),
            fixed="import json\ndef dump(tokens, f):\n    json.dump(\n        dict.fromkeys(set(tokens), 0),\n"
            "        f,\n        sort_keys=True,\n    )\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)  # the engine only hands over calls named in CALL_NAMES (or aliases)
        name = ctx.call_name(node)
        if name not in ("json.dump", "json.dumps"):
            return
        if _is_true(keyword(node, "sort_keys")) or any(kw.arg is None for kw in node.keywords):
            return
        obj = node.args[0] if node.args else keyword(node, "obj")
        source = unstable_keys(obj, ctx) if obj is not None else None
        if source is None:
            return  # no mapping, or every key order is fixed by the code or the data loaded
        if not ctx.in_artifact_scope(node):
            return
        where = _persistent_sink(node, name, ctx, ctx.settings.strict)
        if where is not None:
            yield Report(
                node,
                f"JSON key order comes from {source.describe()}, and the text {where} without `sort_keys=True`:"
                " the bytes change between runs on the same data",
            )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import _add_keyword_fix

        return _add_keyword_fix(node, ctx, "sort_keys", "True")
