"""DET5xx: iteration order of dicts, sets and unordered results reaching hashes or artifacts.

Where the order goes is decided by the shared analysis in ``_order`` (the first place the
order escapes: an append, a write, a hash update...); these rules then report only the
escapes that end in bytes: a hash, a file, or a serializer, directly or through a list or
string built in the loop.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..model import FixSafety
from ._flow import FILE, HASH, SERIALIZE, _call_sink, sinks
from ._order import consumer_is_order_sensitive, describe
from ._sources import unstable_iteration
from ._util import last_name, local_names, local_nodes
from .base import NO_FIX, Invalid, Report, Rule
from .serialization_facts.containers import _annotation_is_container

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixContext

_VIEW_METHODS = frozenset({"items", "keys", "values"})
_DICT_CALLS = frozenset({"builtins.dict", "collections.OrderedDict", "collections.defaultdict", "collections.Counter",
                         "builtins.vars", "builtins.locals", "builtins.globals"})
_SET_CALLS = frozenset({"builtins.set", "builtins.frozenset"})
_SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference"})
_DICT_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "OrderedDict", "Counter"})
_SET_ANNOTATIONS = frozenset({"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"})
_UNORDERED_RESULTS = frozenset({"concurrent.futures.as_completed", "asyncio.as_completed"})
_UNORDERED_METHODS = frozenset({"imap_unordered", "as_completed"})
_ACCUMULATORS = frozenset({"append", "extend", "insert", "appendleft", "extendleft", "add_row", "writerow", "writerows"})
_BYTE_SINKS = (HASH, FILE, SERIALIZE)


def _iteration_sites(node: ast.AST) -> Optional[ast.expr]:
    """The iterable of a loop, comprehension, ``list(x)``/``tuple(x)`` or ``sep.join(x)``."""
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return node.iter
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("list", "tuple"):
            return node.args[0]
        if isinstance(func, ast.Attribute) and func.attr == "join":
            return node.args[0]
    return None


def _local_types(scope: ast.AST, ctx: Context) -> dict[str, str]:
    """Names visibly bound to a dict (``"dict"``) or a set (``"set"``) in ``scope``."""

    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
                kind = _annotation_kind(arg.annotation)
                if kind is not None:
                    found[arg.arg] = kind
        for node in ctx.fact(local_nodes, scope):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                kind = _value_kind(node.value, ctx, found)
                name = node.targets[0].id
                if kind is not None:
                    found.setdefault(name, kind)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                kind = _annotation_kind(node.annotation)
                if kind is not None:
                    found[node.target.id] = kind
        return found

    return ctx.memo("dict-set-names", scope, compute)  # type: ignore[return-value]


def _returns_by_name(ctx: Context) -> dict[str, str]:
    """Module functions whose return annotation says dict or set (one definition only)."""

    def compute() -> dict[str, str]:
        kinds: dict[str, Optional[str]] = {}
        for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)):
            name = node.name  # type: ignore[attr-defined]
            kind = _annotation_kind(node.returns)  # type: ignore[attr-defined]
            kinds[name] = kind if name not in kinds else None  # redefined: unknown
        return {name: kind for name, kind in kinds.items() if kind is not None}

    return ctx.memo("returns-by-name", ctx.tree, compute)  # type: ignore[return-value]


def _annotation_kind(annotation: Optional[ast.AST]) -> Optional[str]:
    if annotation is None or not _annotation_is_container(annotation):
        return None
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        head = annotation.value.split("[", 1)[0].rsplit(".", 1)[-1]
    else:
        head = last_name(annotation) or ""
    if head in _DICT_ANNOTATIONS:
        return "dict"
    if head in _SET_ANNOTATIONS:
        return "set"
    return None


def _value_kind(value: ast.AST, ctx: Context, known: dict[str, str]) -> Optional[str]:
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, (ast.Set, ast.SetComp)):
        return "set"
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name in _DICT_CALLS:
            return "dict"
        if name in _SET_CALLS:
            return "set"
        if isinstance(value.func, ast.Name) and name is None:
            # A function of this module annotated ``-> set[str]`` / ``-> dict[...]``.
            returned = _returns_by_name(ctx).get(value.func.id)
            if returned is not None:
                return returned
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in _SET_METHODS and _kind(func.value, ctx, known) == "set":
            return "set"
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)):
        if _kind(value.left, ctx, known) == "set" or _kind(value.right, ctx, known) == "set":
            return "set"
    return None


def _attribute_kinds(tree: ast.AST, ctx: Context) -> dict[tuple[int, str], str]:
    """``(id(class), attribute) -> "dict" | "set"`` for attributes a class visibly keeps as a
    dict or a set: a class-body annotation (dataclass fields, ``failed: set[str]``),
    ``self.x: Set[str] = ...``, or every ``self.x = ...`` in its methods binding a set (or a
    dict) literal, comprehension or constructor call. Conflicting bindings leave it unknown.
    A fact: one pass over the classes of the module."""
    kinds: dict[tuple[int, str], Optional[str]] = {}

    def note(key: tuple[int, str], kind: Optional[str], declared: bool) -> None:
        if declared:
            kinds[key] = kind
        elif key not in kinds:
            kinds[key] = kind
        elif kinds[key] != kind:
            kinds[key] = None

    for cls in ctx.nodes_of(ast.ClassDef):
        assert isinstance(cls, ast.ClassDef)
        declared: set[str] = set()
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                kind = _annotation_kind(statement.annotation)
                if kind is not None:
                    note((id(cls), statement.target.id), kind, True)
                    declared.add(statement.target.id)
        for method in cls.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ctx.fact(local_nodes, method):
                targets: list[ast.expr]
                if isinstance(node, ast.AnnAssign):
                    targets, annotated = [node.target], _annotation_kind(node.annotation)
                elif isinstance(node, ast.Assign):
                    targets, annotated = node.targets, None
                else:
                    continue
                for target in targets:
                    if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                            and target.value.id == "self" and target.attr not in declared):
                        value = getattr(node, "value", None)
                        kind = annotated or (_value_kind(value, ctx, {}) if value is not None else None)
                        note((id(cls), target.attr), kind, annotated is not None)
    return {key: kind for key, kind in kinds.items() if kind is not None}


def _self_attribute_kind(expr: ast.Attribute, ctx: Context) -> Optional[str]:
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return None
    computing: set[int] = ctx.memo("attribute-kinds.computing", ctx.tree, set)  # type: ignore[assignment]
    if computing:
        return None  # asked while the fact itself is computed (``self.a | self.b``): unknown
    for ancestor in ctx.ancestors(expr):
        if isinstance(ancestor, ast.ClassDef):
            computing.add(1)
            try:
                kinds = ctx.fact(_attribute_kinds, ctx.tree)
            finally:
                computing.discard(1)
            return kinds.get((id(ancestor), expr.attr))
    return None


def _kind(expr: ast.AST, ctx: Context, known: Optional[dict[str, str]] = None) -> Optional[str]:
    """``"dict"`` for a dict or a dict view, ``"set"`` for a set, else ``None``."""
    if isinstance(expr, ast.Attribute):
        return _self_attribute_kind(expr, ctx)
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _VIEW_METHODS and not expr.args and not expr.keywords:
            return "dict"
    if isinstance(expr, ast.Name):
        table = known if known is not None else _local_types(ctx.enclosing_scope(expr), ctx)
        return table.get(expr.id)
    return _value_kind(expr, ctx, known or {})


def reaches_bytes(escape: ast.AST, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """Where an order escape ends in bytes: ``("hash" | "file" | "serialize", sink node)``, else None."""
    node: Optional[ast.AST] = escape
    statement = ctx.enclosing_statement(escape)
    while node is not None:
        if isinstance(node, ast.Call):
            # The escape itself may be the sink call (``json.dump(entries, f)``): then the
            # ordered value is its first argument.
            value = (node.args[0] if node.args else node) if node is escape else escape
            kind = _call_sink(node, value, ctx)
            if kind in _BYTE_SINKS:
                return kind, node
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _ACCUMULATORS and isinstance(func.value, ast.Name):
                if func.attr in ("writerow", "writerows"):
                    return FILE, node
                return _accumulator_sink(func.value.id, node, ctx)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            return _accumulator_sink(node.target.id, node, ctx)
        if node is statement:
            break
        node = ctx.parent(node)
    if isinstance(escape, ast.Name):
        return None
    found = next(sinks(escape, ctx), None)
    return found if found is not None and found[0] in _BYTE_SINKS else None


def _accumulator_sink(name: str, site: ast.AST, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """Where the list or string ``name``, built at ``site``, ends up: a byte sink or None."""
    receiver = site.func.value if isinstance(site, ast.Call) and isinstance(site.func, ast.Attribute) else None
    for node in ctx.fact(local_names, ctx.enclosing_scope(site)).get(name, ()):
        if isinstance(node.ctx, ast.Load) and node is not receiver:
            found = next(sinks(node, ctx), None)
            if found is not None and found[0] in _BYTE_SINKS:
                return found
    return None


_TARGETS = {"hash": "a hash", "file": "a file", "serialize": "serialized output"}


def _sink_text(sink: tuple[str, ast.AST], escape: ast.AST) -> str:
    """``a file, `handle.write(...)` on line 12, through `rows.append(...)` on line 9``."""
    kind, where = sink
    text = f"{_TARGETS[kind]}, {describe(where)}"
    return text if where is escape else f"{text}, through {describe(escape)}"


class _OrderRule(Rule):
    kind: str = ""
    noun: str = ""

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        iterable = _iteration_sites(node)
        if iterable is None or not ctx.in_artifact_scope(node) or _kind(iterable, ctx) != self.kind:
            return
        origin = ""
        if self.kind == "dict":
            # A dict iterates in insertion order: only an unstable source of its keys (a set, a
            # listing, completion order) makes that order differ between runs.
            source = unstable_iteration(iterable, ctx)
            if source is None:
                return
            origin = f" (keys from {source.describe()})"
        escape = consumer_is_order_sensitive(iterable, ctx)
        if escape is None:
            return
        sink = reaches_bytes(escape, ctx)
        if sink is None:
            return
        yield Report(
            iterable, f"{self.noun} order{origin} reaches {_sink_text(sink, escape)}: iterate `sorted(...)` instead"
        )

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        """Sort in a total order, so that the fix never makes the code raise: ``d.items()``
        becomes ``sorted_items(d)``, anything else ``sorted_total(x)`` (``sorted(x)`` when the
        members compare, a type-tagged order when they do not)."""
        import libcst as cst

        from ..cst_util import as_argument_value
        from ..fixer import Edit

        if not isinstance(node, cst.BaseExpression):
            return None
        items_of = None
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "items"
            and not node.args
        ):
            items_of = node.func.value
        helper = ctx.helper_name("sorted_items" if items_of is not None else "sorted_total")
        if helper is None:
            return None
        # ``list(s)`` -> ``sorted_total(s)``: both build a new list, so no ``list(sorted_total(s))``.
        arg = ctx.parent(node)
        call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if (
            items_of is None
            and isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "list"
            and len(call.args) == 1
            and call.args[0] is arg
            and arg.keyword is None
            and not arg.star
        ):
            return Edit(call, lambda updated: updated.with_changes(func=cst.Name(helper)))

        def apply(updated: Any) -> Any:
            if items_of is not None and isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute):
                return cst.Call(func=cst.Name(helper), args=[cst.Arg(as_argument_value(updated.func.value))])
            inner = updated.with_changes(lpar=[], rpar=[]) if getattr(updated, "lpar", None) else updated
            return cst.Call(func=cst.Name(helper), args=[cst.Arg(inner)])

        return Edit(node, apply)


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
        "import json\ndef save_vocab(tokens, f):\n    json.dump(sorted(set(tokens)), f)\n",
        "import json\ndef save_vocab(tokens, f):\n    vocab = set(tokens)\n    json.dump(len(vocab), f)\n",
        "import hashlib\ndef digest(tags: set):\n    for t in tags:\n        check(t)\n"
        "    return hashlib.sha256(b'x').hexdigest()\n",
        "import json\ndef save_counts(tokens, f):\n    seen = set(tokens)\n    counts = {t: 1 for t in seen}\n"
        "    json.dump(counts, f, sort_keys=True)\n",
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
            "def write_ids(a, b, out):\n    for i in set(a) | set(b):\n        out.write(f'{i}\\n')\n",
            settings=(("strict", True),),
            fixed=(
                "from determinism_lint.runtime import sorted_total\n\n\ndef write_ids(a, b, out):\n"
                "    for i in sorted_total(set(a) | set(b)):\n        out.write(f'{i}\\n')\n"
            ),
        ),
    )


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


RULES: tuple[type[Rule], ...] = (DictOrderReachesArtifact, SetOrderReachesArtifact, UnorderedResultsReachArtifact)
