"""DET501 (DictOrderReachesArtifact): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast

from ...model import FixSafety
from ..base import Invalid
from ._order_rule import _OrderRule


class DictOrderReachesArtifact(_OrderRule):
    """
    ## What it does
    Flags iteration over a dict (`for k in d`, `.items()`, `.keys()`, `.values()`, a
    comprehension, `list(d)`, `"".join(d)`) in artifact-shaping code when the dict's key
    order comes from an unstable source and the iteration order reaches a hash update, a
    list or string that is later hashed or serialized, or a file, with nothing sorting it on
    the way. Unstable sources, as for DET201: a set, a directory listing (`os.listdir`,
    `glob`, `Path.iterdir`, the lists of `os.walk`), completion order (`as_completed`,
    `imap_unordered`), and a dict built from one of these (a comprehension over it,
    `dict.fromkeys(...)`) or filled by key in a loop over it. The message names the source,
    the sink and their lines, and the step on the way (`rows.append(...)`).

    Quiet where the key order is fixed: a dict literal, `dict(a=..., b=...)`,
    `dataclasses.asdict(...)`, `vars(namespace)` (argparse's definition order), a loaded
    document, a dict built from `sys.argv` or in a loop over a fixed sequence, a dict filled
    while walking definitions (module or class members), and a parameter that no caller in
    the module fills from an unstable source: the caller's order is the same in every run.

    ## Why is this bad?
    A dict iterates in insertion order. When the keys were inserted while walking a
    directory, a set or results as workers finished, that order differs between two runs on
    the same data, and so do the bytes and the hash built from it: a cache misses or a
    "changed" artifact triggers needless work downstream.

    ## Example
    ```python
    import hashlib
    import os


    def shard_digest(shard_dir: str) -> str:
        sizes = {name: os.path.getsize(os.path.join(shard_dir, name)) for name in os.listdir(shard_dir)}
        h = hashlib.sha256()
        for name, size in sizes.items():
            h.update(f"{name}={size};".encode())
        return h.hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib
    import os


    def shard_digest(shard_dir: str) -> str:
        sizes = {name: os.path.getsize(os.path.join(shard_dir, name)) for name in os.listdir(shard_dir)}
        h = hashlib.sha256()
        for name, size in sorted(sizes.items()):
            h.update(f"{name}={size};".encode())
        return h.hexdigest()
    ```

    ## Fix safety
    The fix iterates `sorted_items(d)` instead of `d.items()`, and `sorted_total(...)` around
    anything else (`d`, `d.keys()`, `d.values()`), both from the runtime. They sort in a total
    order: exactly as `sorted(...)` when the members compare, a type-tagged order when they do
    not (`None` among strings, mixed key types, dict values), so the fixed code never raises
    `TypeError` where the original did not. It is unsafe: the bytes produced change once.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    """

    code = "DET501"
    name = "dict-order-reaches-artifact"
    message = "dict key order from an unstable source reaches a hash or an artifact: iterate `sorted(...)` instead"
    fix_title = "Iterate `sorted(...)`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.For, ast.AsyncFor, ast.comprehension, ast.Call)
    CALL_NAMES = frozenset({"join", "list", "tuple"})
    artifact_only = True
    fix_node = ("Call", "Name", "Attribute", "Dict", "DictComp")
    kind = "dict"
    noun = "dict iteration"

    VALID = (
        "import hashlib, os\ndef digest(d):\n    sizes = {n: 1 for n in os.listdir(d)}\n    h = hashlib.sha256()\n"
        "    for k, v in sorted(sizes.items()):\n        h.update(k.encode())\n    return h.hexdigest()\n",
        "import hashlib, os\ndef digest(d):\n    sizes = {n: 1 for n in os.listdir(d)}\n    total = 0\n"
        "    for v in sizes.values():\n        total += v\n    return hashlib.sha256(str(total).encode()).hexdigest()\n",
        # The caller's order: a parameter, the same in every run.
        "import hashlib\ndef digest(d: dict):\n    h = hashlib.sha256()\n    for k, v in d.items():\n"
        "        h.update(k.encode())\n    return h.hexdigest()\n",
        # ``vars(namespace)``: argparse's definition order.
        "import csv\ndef save_hparams(path, hparams):\n    hparams = vars(hparams)\n"
        "    with open(path, 'w') as f:\n        writer = csv.writer(f)\n"
        "        for k, v in hparams.items():\n            writer.writerow([k, v])\n",
        # Built from argv, in argument order.
        "import sys\ndef export_params(path):\n    params = {}\n    for arg in sys.argv[1:]:\n"
        "        k, v = arg.split('=')\n        params[k] = v\n    with open(path, 'w') as f:\n"
        "        for k, v in params.items():\n            f.write(f'{k}={v}\\n')\n",
        # Filled while walking a module's definitions: definition order.
        "import inspect\ndef write_stub(module, out):\n    typevars = {}\n"
        "    for name, member in inspect.getmembers(module):\n        typevars[name] = member\n"
        "    for name in typevars:\n        out.write(name + '\\n')\n",
        "def describe(d: dict):\n    return ', '.join(d)\n",
        "import json, os\ndef save_manifest(d, f):\n    index = {n: 1 for n in os.listdir(d)}\n"
        "    keys = [k for k in index]\n    keys.sort()\n    json.dump(keys, f)\n",
    )
    INVALID = (
        Invalid(
            "import hashlib, os\ndef digest(d):\n    sizes = {n: 1 for n in os.listdir(d)}\n    h = hashlib.sha256()\n"
            "    for k, v in sizes.items():\n        h.update(k.encode())\n    return h.hexdigest()\n",
            fixed=(
                "import hashlib, os\n\nfrom determinism_lint.runtime import sorted_items\n\n\n"
                "def digest(d):\n    sizes = {n: 1 for n in os.listdir(d)}\n    h = hashlib.sha256()\n"
                "    for k, v in sorted_items(sizes):\n        h.update(k.encode())\n    return h.hexdigest()\n"
            ),
        ),
        Invalid(
            "import hashlib\ndef fingerprint(tags: set):\n    cfg = dict.fromkeys(tags, 1)\n    parts = []\n"
            "    for key in cfg.keys():\n        parts.append(f'{key}={cfg[key]}')\n"
            "    return hashlib.sha256(';'.join(parts).encode()).hexdigest()\n",
            fixed=(
                "import hashlib\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def fingerprint(tags: set):\n    cfg = dict.fromkeys(tags, 1)\n    parts = []\n"
                "    for key in sorted_total(cfg.keys()):\n        parts.append(f'{key}={cfg[key]}')\n"
                "    return hashlib.sha256(';'.join(parts).encode()).hexdigest()\n"
            ),
        ),
        Invalid(
            "import json\nfrom concurrent.futures import as_completed\ndef save_manifest(futures, f):\n"
            "    files = {}\n    for fut in as_completed(futures):\n        name, size = fut.result()\n"
            "        files[name] = size\n"
            "    entries = [{'name': n, 'size': s} for n, s in files.items()]\n"
            "    json.dump(entries, f, sort_keys=True)\n",
            fixed=(
                "import json\nfrom concurrent.futures import as_completed\n\n"
                "from determinism_lint.runtime import sorted_items\n\n\ndef save_manifest(futures, f):\n"
                "    files = {}\n    for fut in as_completed(futures):\n        name, size = fut.result()\n"
                "        files[name] = size\n"
                "    entries = [{'name': n, 'size': s} for n, s in sorted_items(files)]\n"
                "    json.dump(entries, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import glob\ndef index_of(root) -> dict:\n    return {p: 1 for p in glob.glob(root)}\n"
            "def write_index(root, out):\n    index = index_of(root)\n    for name in index:\n"
            "        out.write(name + '\\n')\n",
            settings=(("strict", True),),
            fixed=(
                "import glob\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def index_of(root) -> dict:\n    return {p: 1 for p in glob.glob(root)}\n"
                "def write_index(root, out):\n    index = index_of(root)\n    for name in sorted_total(index):\n"
                "        out.write(name + '\\n')\n"
            ),
        ),
    )
