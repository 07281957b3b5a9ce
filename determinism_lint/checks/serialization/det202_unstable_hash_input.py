"""DET202 (UnstableHashInput): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator, Optional

from .._flow import _is_hash_call
from ..base import Invalid, Report, Rule
from ..serialization_facts.containers import _fstring_containers, _is_container_value
from ..serialization_facts.key_order import _fixed_key_order

if TYPE_CHECKING:
    from ...context import Context


class UnstableHashInput(Rule):
    """
    ## What it does
    Flags hash input made with `str()`, `repr()`, an f-string or `format()` of a dict, set
    or other container, and `pickle.dumps(...)` used as hash input: arguments of
    `hashlib.*(...)`/`hmac.new(...)` and of `.update(...)` on a hash object. Containers are
    recognised from what the code shows: literals, comprehensions, `dict()`/`set()` calls,
    `vars()`/`__dict__`, and annotations such as `dict`, `Mapping` or `set`. Quiet on `str()`
    of a dict whose key order is fixed by the code (literal keys, filled only under literal
    keys, as for DET201): its text is the same in every run.

    ## Why is this bad?
    `str()` of a dict follows insertion order; `str()` of a set of strings follows the
    per-process hash seed, so it differs between two runs of the same program. `pickle`
    output depends on the protocol, the Python version and the same orders. A hash built
    on them changes when the data did not: cache keys miss, run ids drift.

    ## Example
    ```python
    import hashlib


    def cache_key(params: dict) -> str:
        return hashlib.sha256(str(params).encode()).hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib

    from determinism_lint.runtime import canonical_json


    def cache_key(params: dict) -> str:
        return hashlib.sha256(canonical_json(params).encode()).hexdigest()
    ```

    ## Fix safety
    No fix: the canonical form depends on the data (which types, which encoding), so the
    choice stays with the author.

    ## Test code
    Not checked in test code (`test-paths`): a hash a test computes is compared within the
    same run and never kept.

    """

    code = "DET202"
    name = "unstable-hash-input"
    message = "hash input built from the text or pickle of a container: its order is not stable across runs"
    node_types = (ast.Call, ast.JoinedStr)
    CALL_NAMES = frozenset({"dumps", "format", "repr", "str"})

    VALID = (
        "import hashlib\ndef key(seed: int):\n    return hashlib.sha256(str(seed).encode()).hexdigest()\n",
        "import hashlib\ndef key(name):\n    return hashlib.md5(f'{name}-v2'.encode()).hexdigest()\n",
        "import hashlib\ndef key(params):\n    return hashlib.sha256(canonical_json(params).encode()).hexdigest()\n",
        "import hashlib\ndef key(params: dict):\n    h = hashlib.sha256()\n    h.update(json.dumps(params, sort_keys=True).encode())\n",
        "def show(params: dict):\n    print(str(params))\n",
        "import hashlib\ndef definition_name(image, cpu):\n    spec = {'image': image, 'resources': {}}\n"
        "    spec['resources']['cpu'] = cpu\n    return hashlib.sha224(str(spec).encode()).hexdigest()\n",
    )
    INVALID = (
        Invalid("import hashlib\ndef key(params: dict):\n    return hashlib.sha256(str(params).encode()).hexdigest()\n"),
        Invalid("import hashlib\ndef key(a, b):\n    tags = {a, b}\n    return hashlib.md5(repr(tags).encode()).hexdigest()\n"),
        Invalid("import hashlib, pickle\ndef key(obj):\n    h = hashlib.sha1()\n    h.update(pickle.dumps(obj))\n    return h.hexdigest()\n"),
        Invalid("import hashlib\ndef key(cfg: 'Dict[str, int]'):\n    return hashlib.sha256(f'{cfg}'.encode()).digest()\n"),
        Invalid("import hashlib\ndef key(run):\n    return hashlib.sha256(str(vars(run)).encode()).hexdigest()\n"),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        if isinstance(node, ast.JoinedStr):
            culprit = "an f-string of a container" if _fstring_containers(node, ctx) else None
        else:
            assert isinstance(node, ast.Call)
            culprit = self._unstable_text(node, ctx)
        if culprit is None:
            return
        # The text must reach a hash directly (through ``.encode()`` and the like).
        current: ast.AST = node
        parent = ctx.parent(current)
        while parent is not None:
            if isinstance(parent, ast.Call) and parent.func is not current:
                if _is_hash_call(parent, ctx):
                    yield Report(node, f"hash input built from {culprit}: its order is not stable across runs")
                return
            if isinstance(parent, ast.Attribute) and parent.attr == "encode":
                current = ctx.parent(parent) or parent
                parent = ctx.parent(current)
                continue
            if isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)) and not (
                isinstance(node, ast.JoinedStr) and isinstance(parent, ast.FormattedValue)
            ):
                current = parent
                parent = ctx.parent(current)
                continue
            return

    @staticmethod
    def _unstable_text(node: ast.Call, ctx: Context) -> Optional[str]:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "repr") and node.args:
            if _fixed_key_order(node.args[0], ctx):
                return None  # a dict with literal keys, built in code order: the same text every run
            if ctx.is_builtin(func, func.id) and _is_container_value(node.args[0], ctx):
                return f"`{func.id}()` of a container"
            return None
        if ctx.call_name(node) in ("pickle.dumps", "cloudpickle.dumps", "marshal.dumps", "dill.dumps"):
            return "`pickle.dumps()`"
        if isinstance(func, ast.Attribute) and func.attr == "format":
            if any(_is_container_value(arg, ctx) for arg in (*node.args, *(kw.value for kw in node.keywords))):
                return "`str.format()` of a container"
        return None
