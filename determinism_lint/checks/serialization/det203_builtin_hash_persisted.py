"""DET203 (BuiltinHashPersisted): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ..base import Invalid, Report, Rule
from ..serialization_facts.salting import PICKS_A_SHARD, _hash_value_use, _visibly_salted, mentions_hash_seed

if TYPE_CHECKING:
    from ...context import Context


class BuiltinHashPersisted(Rule):
    """
    ## What it does
    Flags the builtin `hash()` where its value can leave the process: formatted into text
    or a name (`str()`, f-strings, `format`), reduced with `%` to pick a shard, written,
    hashed or serialized (directly or through a local variable), or, for visible text
    (`str()`, `.encode()`, f-strings, string literals), returned. The message says where the
    value goes and on which line.

    Quiet where the value cannot be salted or stays in memory: numbers and tuples of numbers
    (`hash((1, 2))`, `int(...)`, `len(...)`), `__hash__` methods, comparisons, a key of an
    in-memory dict or set (`cache[hash(k)] = v`, `seen.add(hash(fn))`), text such as
    `key = f"{name}:{hash(parts)}"` whose every use is a lookup (`key in cache`, `cache[key]`,
    `cache.get(key)`), is only logged (also through a list and a join), or is hashed again
    with the builtin (that `hash()` is judged where it goes), a seed, a value of unknown type
    returned to callers this module cannot see, and modules that set or check
    `PYTHONHASHSEED` themselves (their authors pin the salt).

    ## Why is this bad?
    `hash()` of `str` and `bytes` (and of tuples holding them) is salted per process
    (`PYTHONHASHSEED`): the same run id, shard number or cache file name comes out
    different in every process. Shard assignments move, caches never hit, and two workers
    disagree about where a record lives.

    ## Example
    ```python
    def shard_for(key: str, shards: int) -> int:
        return hash(key) % shards
    ```

    ## Use instead
    ```python
    import zlib


    def shard_for(key: str, shards: int) -> int:
        return zlib.crc32(key.encode()) % shards
    ```

    ## Fix safety
    No fix: which stable hash fits (crc32 for sharding, sha256 for ids) is the author's call.

    ## Test code
    Not checked in test code (`test-paths`): tests compare `hash()` values within one
    process (`assert hash(a) == hash(b)`), where the salt is the same.

    """

    code = "DET203"
    name = "builtin-hash-persisted"
    message = "builtin `hash()` is salted per process: its value differs between runs; use hashlib or zlib.crc32"
    node_types = (ast.Call,)
    CALL_NAMES = frozenset({"hash"})

    VALID = (
        # Text that is only logged, or hashed again in memory.
        "def report(cache, logger):\n    log_seq = []\n    log_seq += [f'len_cache_hash={hash(tuple(cache))}']\n"
        "    logger.warning(' | '.join(log_seq))\n",
        "def signature(self):\n    text = '_'.join(f'{k}_{hash(v)}' for k, v in vars(self).items())\n"
        "    return hash(text)\n",
        # The module pins the seed itself.
        "import os, sys\n\ndef bucket(ngram, n):\n    return hash(ngram) % n\n\n"
        "if os.environ.get('PYTHONHASHSEED') != '0':\n    sys.exit('set PYTHONHASHSEED=0')\n",
        "import os\n\ndef port():\n    return 20000 + hash(os.getuid()) % 10000\n",
        "def cache_name(H, L):\n    return f'.HL_{hash(H.shape[0])}_{hash(L.shape[0])}.pt'\n",
        "import numpy as np\n\ndef rng(seed, epoch, index):\n    return np.random.default_rng(hash((seed, epoch, index)) % 2**32)\n",
        "def seed_for(seed, epoch, indices, i):\n    return hash((seed, epoch, indices[i].item())) % 10**6\n",
        "class Key:\n    def __hash__(self):\n        return hash((self.a, self.b))\n",
        "def same(a, b):\n    return hash(a) == hash(b)\n",
        "x = hash(42)\n",
        "def hash(x):\n    return 1\nrun_id = hash('abc')\n",
        "import random\ndef rng_for(seed, epoch, i):\n    return random.Random(hash((seed, epoch, i)))\n",
        "cache = {}\ndef remember(k, v):\n    cache[hash(k)] = v\n",
        "def memo_key(targets):\n    return hash(frozenset(targets))\n",
        "def warn_once(fn, seen):\n    key = hash(fn)\n    if key not in seen:\n        seen.add(key)\n",
        "def resolve(registry, service, project):\n"
        "    cache_key = f'{service.name}:{project}:{hash(tuple(str(p) for p in service.projections))}'\n"
        "    if cache_key in registry.cache:\n        return registry.cache[cache_key]\n"
        "    refs = registry.resolve(service)\n    registry.cache[cache_key] = refs\n    return refs\n",
    )
    INVALID = (
        Invalid("def shard_for(key, n):\n    return hash(key) % n\n"),
        Invalid("def shard_for(user, n):\n    return hash((user.name, 'v2')) % n\n"),
        Invalid("def run_dir(cfg):\n    run_id = hash(str(cfg))\n    return f'runs/{run_id}'\n"),
        Invalid(
            "def resolve(registry, service, out):\n    cache_key = f'{service.name}:{hash(str(service))}'\n"
            "    if cache_key not in registry.cache:\n        registry.cache[cache_key] = registry.resolve(service)\n"
            "    out.write(cache_key)\n"
        ),
        Invalid("def name(parts):\n    return f'shard-{hash(tuple(parts))}.parquet'\n"),
        Invalid("def lock_name(path: str):\n    return hash(path.strip())\n"),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        func = node.func
        if not (isinstance(func, ast.Name) and func.id == "hash" and len(node.args) == 1):
            return
        if not ctx.is_builtin(func, "hash"):
            return
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float)) and not isinstance(arg.value, bool):
            return
        if isinstance(arg, ast.Call) and ctx.is_builtin(arg.func, "int"):
            return
        function = ctx.enclosing_function(node)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name == "__hash__":
            return
        if ctx.fact(mentions_hash_seed, ctx.tree):
            return  # the module sets or checks ``PYTHONHASHSEED`` itself
        salted = _visibly_salted(arg, ctx)
        if salted is False:
            return  # numbers, and tuples of them: the same in every process
        where = _hash_value_use(node, ctx, depth=2)
        if where is None:
            return  # compared, or kept in memory as a key or a set member
        if where == "returned" and not salted:
            return  # an unknown value returned to callers this module cannot see
        if where.startswith(PICKS_A_SHARD) and not salted and isinstance(arg, ast.Tuple):
            # ``hash((seed, epoch, index)) % 1e6`` to seed a generator: a tuple of values that
            # nothing shows to be text (numbers hash the same in every process); a single key
            # (``hash(key) % n``, routing by name) is still reported.
            return
        what = "of text " if salted else ""
        yield Report(
            node,
            f"builtin `hash()` {what}is salted per process and its value {where}: it differs between runs;"
            " use hashlib or zlib.crc32",
        )
