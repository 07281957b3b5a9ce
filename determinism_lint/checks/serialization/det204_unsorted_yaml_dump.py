"""DET204 (UnsortedYamlDump): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from .._sources import unstable_keys
from .._util import keyword
from ..base import Invalid, Report, Rule
from ..serialization_facts.sinks import _persistent_sink

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class UnsortedYamlDump(Rule):
    """
    ## What it does
    Flags `yaml.dump(...)`/`yaml.safe_dump(...)` with `sort_keys=False` in artifact-shaping
    code when the key order of a dumped mapping comes from an unstable source (a set, a
    directory listing, completion order, or a dict filled by key in a loop over one of
    these: see DET201) and the output persists: written to a stream that is not the console
    or a temp file, written to a file or hashed as text, or returned from a function that
    reaches a sink by other evidence. The message names the source and the sink, with their
    lines. Quiet when every key order is fixed (a dict literal with literal keys,
    `dataclasses.asdict(...)`, a loaded document, a dict built from argv or a fixed
    sequence), since `sort_keys=False` then keeps a deliberate order.

    ## Why is this bad?
    PyYAML sorts mapping keys by default; `sort_keys=False` opts out and makes the document
    follow dict insertion order. When that order comes from a directory listing or a set, it
    differs between runs on the same data: the artifact's bytes and hash change with no
    change in content.

    ## Example
    ```python
    import os

    import yaml


    def save_inventory(data_dir, stream):
        inventory = {name: os.path.getsize(os.path.join(data_dir, name)) for name in os.listdir(data_dir)}
        yaml.safe_dump(inventory, stream, sort_keys=False)
    ```

    ## Use instead
    ```python
    import os

    import yaml


    def save_inventory(data_dir, stream):
        inventory = {name: os.path.getsize(os.path.join(data_dir, name)) for name in os.listdir(data_dir)}
        yaml.safe_dump(inventory, stream, sort_keys=True)
    ```

    ## Fix safety
    The fix sets `sort_keys=True`. It is unsafe: the written bytes change once, and a
    human-friendly key order chosen on purpose is lost.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.
    YAML that a test writes is compared in the same run, not kept.

    """

    code = "DET204"
    name = "unsorted-yaml-dump"
    message = "YAML key order comes from an unstable source (a set, a listing, completion order) with `sort_keys=False`"
    fix_title = "Set `sort_keys=True`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"dump", "dump_all", "safe_dump", "safe_dump_all"})
    artifact_only = True
    fix_node = ("Call",)

    VALID = (
        "import yaml\ndef save_config(c, f):\n    yaml.safe_dump(c, f)\n",
        "import yaml, os\ndef save_inventory(d, f):\n    yaml.dump({n: 1 for n in os.listdir(d)}, f, sort_keys=True)\n",
        # A mapping of unknown origin, with a deliberate order.
        "import yaml\ndef save_config(c, f):\n    yaml.safe_dump(c, f, sort_keys=False)\n",
        "import yaml, os\ndef show(d):\n    print(yaml.safe_dump({n: 1 for n in os.listdir(d)}, sort_keys=False))\n",
        "import yaml\ndef write_task(f, includes, task):\n"
        "    yaml.dump({'include': includes, 'task': task}, f, sort_keys=False)\n",
        "import yaml\ndef update_params(path, lr):\n    params = yaml.safe_load(path.read_text())\n"
        "    params['lr'] = lr\n    path.write_text(yaml.safe_dump(params, sort_keys=False))\n",
    )
    INVALID = (
        Invalid(
            "import os, yaml\ndef save_inventory(d, f):\n    inventory = {n: 1 for n in os.listdir(d)}\n"
            "    yaml.safe_dump(inventory, f, sort_keys=False)\n",
            fixed="import os, yaml\ndef save_inventory(d, f):\n    inventory = {n: 1 for n in os.listdir(d)}\n"
            "    yaml.safe_dump(inventory, f, sort_keys=True)\n",
        ),
        Invalid(
            "import hashlib, yaml\ndef labels_digest(labels: set):\n"
            "    return hashlib.sha256(yaml.dump(dict.fromkeys(labels, 0), sort_keys=False).encode()).hexdigest()\n",
            fixed="import hashlib, yaml\ndef labels_digest(labels: set):\n"
            "    return hashlib.sha256(yaml.dump(dict.fromkeys(labels, 0), sort_keys=True).encode()).hexdigest()\n",
        ),
        Invalid(
            "from yaml import safe_dump\nfrom pathlib import Path\ndef write_params(root, path):\n"
            "    params = {}\n    for p in Path(root).glob('*.yaml'):\n        params[p.stem] = p.stat().st_size\n"
            "    path.write_text(safe_dump({'params': params}, sort_keys=False))\n",
            fixed="from yaml import safe_dump\nfrom pathlib import Path\ndef write_params(root, path):\n"
            "    params = {}\n    for p in Path(root).glob('*.yaml'):\n        params[p.stem] = p.stat().st_size\n"
            "    path.write_text(safe_dump({'params': params}, sort_keys=True))\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        sort_keys = keyword(node, "sort_keys")
        if not (isinstance(sort_keys, ast.Constant) and sort_keys.value is False):
            return
        if ctx.call_name(node) not in ("yaml.dump", "yaml.safe_dump", "yaml.dump_all", "yaml.safe_dump_all"):
            return
        obj = node.args[0] if node.args else keyword(node, "data")
        source = unstable_keys(obj, ctx) if obj is not None else None
        if source is None:
            return  # ``sort_keys=False`` keeps a deliberate, fixed order
        if not ctx.in_artifact_scope(node):
            return
        where = _persistent_sink(node, ctx.call_name(node) or "yaml.dump", ctx, ctx.settings.strict)
        if where is not None:
            yield Report(
                node,
                f"YAML key order comes from {source.describe()}, and the text {where} with `sort_keys=False`:"
                " the bytes change between runs on the same data",
            )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import _add_keyword_fix

        return _add_keyword_fix(node, ctx, "sort_keys", "True")
