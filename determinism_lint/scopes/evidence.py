"""Evidence that a function shapes an artifact: the calls that hash, serialize or write a file
(``classify_call``), and the streams that are scratch (the console, a temporary file).
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..context import Context
    from ..settings import Settings


HASH_MODULES = ("hashlib.", "hmac.", "xxhash.", "blake3.", "mmh3.")
HASH_CALLS = frozenset({"zlib.crc32", "zlib.adler32", "binascii.crc32", "binascii.crc_hqx"})
HASH_METHODS = frozenset({"hexdigest", "digest", "intdigest"})
SERIALIZERS = frozenset(
    {
        "json.dump",
        "json.dumps",
        "yaml.dump",
        "yaml.dump_all",
        "yaml.safe_dump",
        "yaml.safe_dump_all",
        "pickle.dump",
        "pickle.dumps",
        "cloudpickle.dump",
        "cloudpickle.dumps",
        "marshal.dump",
        "marshal.dumps",
        "toml.dump",
        "toml.dumps",
        "tomli_w.dump",
        "tomli_w.dumps",
        "orjson.dumps",
        "ujson.dump",
        "ujson.dumps",
        "msgpack.packb",
        "msgpack.pack",
        "csv.writer",
        "csv.DictWriter",
    }
)
RUNTIME_SERIALIZERS = frozenset({"canonical_json", "write_atomic_json", "write_atomic_yaml"})


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


#: Modules whose calls hash or serialize; only names imported from them need resolving.
_EVIDENCE_MODULES = frozenset(
    {"hashlib", "hmac", "zlib", "binascii", "xxhash", "blake3", "mmh3", "json", "yaml", "pickle", "cloudpickle",
     "marshal", "toml", "tomli_w", "orjson", "ujson", "msgpack", "csv"}
)


def evidence_roots(ctx: Context) -> frozenset[str]:
    """Local names bound by imports of hashing or serializing modules, anywhere in the file."""
    return ctx.fact(_evidence_roots, ctx.tree)


def _evidence_roots(tree: ast.Module, ctx: Context) -> frozenset[str]:
    roots: set[str] = set()
    for node in ctx.nodes_of(ast.Import):
        for alias in node.names:
            if alias.name.split(".", 1)[0] in _EVIDENCE_MODULES:
                roots.add(alias.asname or alias.name.split(".", 1)[0])
    for from_node in ctx.nodes_of(ast.ImportFrom):
        module = (from_node.module or "").split(".", 1)[0]
        if module in _EVIDENCE_MODULES and not from_node.level:
            roots.update(alias.asname or alias.name for alias in from_node.names)
    return frozenset(roots)


@functools.lru_cache(maxsize=8)
def _evidence_names(settings: Settings) -> frozenset[str]:
    """Last names of every call ``classify_call`` can accept, for these settings."""
    import hashlib

    from ..checks.atomic_writes import _write_call_names

    names = {name.rsplit(".", 1)[-1] for name in (*SERIALIZERS, *HASH_CALLS)}
    names.update(name.lower() for name in hashlib.algorithms_available)
    names.update(("new", "file_digest", "blake3", "xxh32", "xxh64", "xxh3_64", "xxh3_128", "xxh128", "hash",
                  "hash64", "hash128", "update"))
    names.update(HASH_METHODS | RUNTIME_SERIALIZERS)
    return frozenset(names) | _write_call_names(settings)


def _root_name(func: ast.AST) -> Optional[str]:
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _only_reported(call: ast.Call, ctx: Context) -> bool:
    """``logger.info("config %s", json.dumps(cfg))``: text made for a log line or ``print``
    shapes no artifact."""
    from ..checks._util import is_reporting_call

    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, ast.Call) and is_reporting_call(ancestor, ctx):
            return True
        if isinstance(ancestor, ast.stmt):
            return False
    return False


def classify_call(call: ast.Call, ctx: Context) -> Optional[str]:
    """Why ``call`` shapes an artifact (``"computes a hash (hashlib.sha256)"``), else None."""
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else None)
    if attr is None:
        return None
    if attr in HASH_METHODS and isinstance(func, ast.Attribute):
        return f"computes a digest (.{attr}())"
    if attr == "update" and is_hash_update(call, ctx):
        return "updates a hash"
    if attr in RUNTIME_SERIALIZERS:
        return f"serializes ({attr})"
    # Resolving a name costs a scope lookup: only calls rooted in a hashing or serializing
    # import can resolve to one.
    if _root_name(func) in evidence_roots(ctx):
        name = ctx.call_name(call)
        if name is not None:
            if name.startswith(HASH_MODULES) or name in HASH_CALLS:
                return f"computes a hash ({name})"
            if name in SERIALIZERS and not _only_reported(call, ctx):
                return _serializer_evidence(call, name, ctx)
    from ..checks.atomic_writes import write_site

    site = write_site(call, ctx)
    if site is not None and site.writes_artifact:
        return f"writes a file ({site.api})"
    return None


#: Serializers that return their text (or bytes) instead of writing a stream.
_TEXT_SERIALIZERS = frozenset(name for name in SERIALIZERS if name.endswith(("dumps", "packb")))
#: Streams that keep nothing: the console, and files that vanish when closed.
_CONSOLE_STREAMS = frozenset({"sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__"})
_SCRATCH_OPENERS = frozenset(
    {"tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile", "io.StringIO",
     "io.BytesIO"}
)


def _serializer_evidence(call: ast.Call, name: str, ctx: Context) -> Optional[str]:
    """Serializing is evidence only where the bytes persist: a dump into a stream that is not
    the console or a scratch file, or text that reaches a hash or a file write. Text that is only
    returned, printed, logged or sent elsewhere (a prompt, a web response) is no evidence."""
    stream = call.args[1] if len(call.args) >= 2 else next(
        (kw.value for kw in call.keywords if kw.arg in ("fp", "stream", "file")), None
    )
    if name in _TEXT_SERIALIZERS or (stream is None and name.startswith("yaml.")):
        from ..checks._flow import FILE, HASH, RETURN, first_sink

        sink = first_sink(call, ctx)
        if sink is not None and sink[0] == RETURN:
            sink = _caller_sink(call, ctx)
        if sink is None or sink[0] not in (HASH, FILE):
            return None
        return (
            f"serializes ({name}) on line {call.lineno} into `{_spelling(sink[1])}`"
            f" on line {getattr(sink[1], 'lineno', call.lineno)}"
        )
    if stream is not None and is_scratch_stream(stream, ctx):
        return None
    return f"serializes ({name})"


def _caller_sink(call: ast.Call, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """Text returned by the function holding ``call``: the first hash or file write that a
    call of that function in this module passes it to (``out.write(build(data))``)."""
    from ..checks._flow import FILE, HASH, first_sink

    function = ctx.enclosing_function(call)
    if not isinstance(function, _FUNCTIONS):
        return None
    for caller in ctx.calls_by_name.get(function.name, ()):
        assert isinstance(caller, ast.Call)
        if _local_callee(caller) != function.name or ctx.enclosing_function(caller) is function:
            continue
        sink = first_sink(caller, ctx)
        if sink is not None and sink[0] in (HASH, FILE):
            return sink
    return None


def is_scratch_stream(stream: ast.AST, ctx: Context) -> bool:
    """``sys.stdout``, or a name bound by ``with tempfile.NamedTemporaryFile(...) as f`` (or an
    in-memory buffer) in the same function: bytes written there are not kept."""
    if ctx.qualified_name(stream) in _CONSOLE_STREAMS:
        return True
    if not isinstance(stream, ast.Name):
        return False
    return stream.id in ctx.fact(scratch_stream_names, ctx.enclosing_scope(stream))


def scratch_stream_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    """Names bound in ``scope`` to a temp file or an in-memory buffer; a fact, one pass."""
    from ..checks._util import local_nodes

    names: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if node.__class__ is not ast.withitem and node.__class__ is not ast.Assign:
            continue
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            value = node.context_expr
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
        else:
            continue
        if isinstance(value, ast.Call) and ctx.call_name(value) in _SCRATCH_OPENERS:
            target = node.optional_vars if isinstance(node, ast.withitem) else node.targets[0]
            if isinstance(target, ast.Name):
                names.add(target.id)
    return frozenset(names)


def _spelling(node: ast.AST) -> str:
    """``f.write(...)`` for a call: the callee's source text and an ellipsis."""
    if isinstance(node, ast.Call):
        return f"{ast.unparse(node.func)}(...)"
    return type(node).__name__


def hash_object_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    """Names bound in ``scope`` to a hash object: ``h = hashlib.sha256()``, ``h = hmac.new(...)``."""
    return ctx.fact(_hash_object_names, scope)


def _hash_object_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    from ..checks._util import local_nodes

    names: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = ctx.call_name(node.value)
            if name is not None and (name.startswith(HASH_MODULES) or name in HASH_CALLS):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def is_hash_update(call: ast.Call, ctx: Context) -> bool:
    """``h.update(data)`` where ``h`` was made by ``hashlib``/``hmac`` in the same function."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "update"
        and isinstance(func.value, ast.Name)
        and func.value.id in hash_object_names(ctx.enclosing_scope(call), ctx)
    )


def _local_callee(call: ast.Call) -> Optional[str]:
    """``helper(...)`` or ``self.helper(...)``/``cls.helper(...)``: a call that may stay in this module."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        return func.attr
    return None
