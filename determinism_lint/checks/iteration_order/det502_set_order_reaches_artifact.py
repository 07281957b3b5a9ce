"""DET502 (SetOrderReachesArtifact): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast

from ...model import FixSafety
from ..base import Invalid
from ._order_rule import _OrderRule


class SetOrderReachesArtifact(_OrderRule):
    """
    ## What it does
    Flags iteration over a set (a loop, a comprehension, `list(s)`, `"".join(s)`) in
    artifact-shaping code when the order reaches a hash, a list or string that is hashed or
    serialized, or a file. Sets are recognised from literals, comprehensions, `set()` and
    `frozenset()` calls, set operators and annotations, and on `self` from what the class
    shows: a class-body annotation (`files: set[str]` in a dataclass), `self.failed:
    Set[str] = set()`, or every `self.x = ...` in its methods binding a set. The message
    names the sink and its line.

    A draw from a shared random stream stored under each member (`{label: rng.gauss(0, 1)
    for label in labels}`, `weights[name] = random.random()` in a loop over the set) is
    flagged too, wherever the values go: the n-th member gets the n-th draw, so which member
    gets which value changes between runs even with a fixed seed. Generators are
    `random.Random(...)`, `np.random.default_rng(...)`, `RandomState(...)`, a parameter named
    `rng`, and the `random`, `numpy.random` and `torch.rand*` functions.

    ## Why is this bad?
    The iteration order of a set of strings depends on the per-process hash seed
    (`PYTHONHASHSEED`): two runs of the same program over the same data produce different
    bytes. `list(set(xs))` is a common way to de-duplicate, and it silently shuffles.

    ## Example
    ```python
    import json


    def save_vocab(tokens, f):
        vocab = list(set(tokens))
        json.dump(vocab, f)
    ```

    ## Use instead
    ```python
    import json


    def save_vocab(tokens, f):
        vocab = sorted(set(tokens))
        json.dump(vocab, f)
    ```

    ## Fix safety
    The fix wraps the set in `sorted_total(...)` from the runtime (`list(s)` becomes
    `sorted_total(s)`): the order of `sorted(...)` when the members compare, a type-tagged
    total order when they do not (a `None` in a set of strings, mixed types), so the fixed
    code never raises `TypeError`. It is unsafe: the bytes produced change once.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    """

    code = "DET502"
    name = "set-order-reaches-artifact"
    message = "set iteration order (hash-seed dependent) reaches a hash or an artifact: iterate `sorted(...)` instead"
    fix_title = "Iterate `sorted(...)`"
    fix_safety = FixSafety.UNSAFE
    node_types = (ast.For, ast.AsyncFor, ast.comprehension, ast.Call)
    CALL_NAMES = frozenset({"join", "list", "tuple"})
    artifact_only = True
    fix_node = ("Call", "Name", "Attribute", "Set", "SetComp", "BinaryOperation")
    kind = "set"
    noun = "set iteration"

    VALID = (
        "import json\ndef save_meta(items, f):\n    ids = set()\n    for x in items:\n        ids.add(x.lang)\n"
        "    ids = sorted(ids)\n    json.dump({'ids': list(ids)}, f)\n",
        "import json\ndef save_vocab(tokens, f):\n    json.dump(sorted(set(tokens)), f)\n",
        "import json\ndef save_vocab(tokens, f):\n    vocab = set(tokens)\n    json.dump(len(vocab), f)\n",
        "import hashlib\ndef digest(tags: set):\n    for t in tags:\n        check(t)\n"
        "    return hashlib.sha256(b'x').hexdigest()\n",
        "import json\ndef save_counts(tokens, f):\n    seen = set(tokens)\n    counts = {t: 1 for t in seen}\n"
        "    json.dump(counts, f, sort_keys=True)\n",
        "import json, random\ndef save_init(labels: set, seed, path):\n    rng = random.Random(seed)\n"
        "    weights = {label: rng.gauss(0, 1) for label in sorted(labels)}\n"
        "    with open(path, 'w') as f:\n        json.dump(weights, f, sort_keys=True)\n",
        "import json, random\ndef save_init(labels: set, seed, path):\n    rng = random.Random(seed)\n"
        "    weights = {label: 0.0 for label in labels}\n    noise = [rng.random() for _ in range(3)]\n"
        "    with open(path, 'w') as f:\n        json.dump([weights, noise], f, sort_keys=True)\n",
        "import json\ndef ids(xs) -> list:\n    return sorted(set(xs))\ndef save_ids(xs, f):\n    json.dump(list(ids(xs)), f)\n",
    )
    INVALID = (
        Invalid(
            "import json\ndef save_vocab(tokens, f):\n    vocab = list(set(tokens))\n    json.dump(vocab, f)\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def save_vocab(tokens, f):\n    vocab = sorted_total(set(tokens))\n"
                "    json.dump(vocab, f)\n"
            ),
        ),
        Invalid(
            "import json\ndef eligible(xs) -> set[str]:\n    return {x for x in xs if x}\n"
            "def save_cohort(xs, f):\n    json.dump(list(eligible(xs)), f)\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def eligible(xs) -> set[str]:\n    return {x for x in xs if x}\n"
                "def save_cohort(xs, f):\n    json.dump(sorted_total(eligible(xs)), f)\n"
            ),
        ),
        Invalid(
            "import hashlib\ndef tags_digest(tags: set):\n    return hashlib.sha1(','.join(tags).encode()).hexdigest()\n",
            fixed=(
                "import hashlib\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def tags_digest(tags: set):\n"
                "    return hashlib.sha1(','.join(sorted_total(tags)).encode()).hexdigest()\n"
            ),
        ),
        Invalid(
            "import json, random\ndef save_init(labels: set, seed, path):\n    rng = random.Random(seed)\n"
            "    weights = {label: rng.gauss(0, 1) for label in labels}\n"
            "    with open(path, 'w') as f:\n        json.dump(weights, f, sort_keys=True)\n",
            fixed=(
                "import json, random\n\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def save_init(labels: set, seed, path):\n    rng = random.Random(seed)\n"
                "    weights = {label: rng.gauss(0, 1) for label in sorted_total(labels)}\n"
                "    with open(path, 'w') as f:\n        json.dump(weights, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import numpy as np\ndef save_noise(names: set, seed, out):\n    rng = np.random.default_rng(seed)\n"
            "    noise = {}\n    for name in names:\n        noise[name] = rng.normal()\n    np.save(out, noise)\n",
            fixed=(
                "import numpy as np\nfrom determinism_lint.runtime import sorted_total\n\n\n"
                "def save_noise(names: set, seed, out):\n    rng = np.random.default_rng(seed)\n"
                "    noise = {}\n    for name in sorted_total(names):\n        noise[name] = rng.normal()\n"
                "    np.save(out, noise)\n"
            ),
        ),
        Invalid(
            "def write_ids(a, b, out):\n    for i in set(a) | set(b):\n        out.write(f'{i}\\n')\n",
            settings=(("strict", True),),
            fixed=(
                "from determinism_lint.runtime import sorted_total\n\n\ndef write_ids(a, b, out):\n"
                "    for i in sorted_total(set(a) | set(b)):\n        out.write(f'{i}\\n')\n"
            ),
        ),
    )
