"""Fix plans of the DET1xx rules, in ``ast`` terms: whether a site can be rewritten and how
(which helper, which arguments move where). ``check`` and ``fix`` decide from the same
plan. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .._util import argument, keyword, subtree_nodes
from .bindings import _single
from .openers import _has_star_kwargs, _literal_mode, _open_parts
from .targets import _is_local_path, _known_path_object, _may_be_descriptor, _template
from .vocabulary import (
    _COPIES,
    _DERIVED_PATH_METHODS,
    _DIRECTORY_TARGET_WRITERS,
    _DUMPERS,
    _JOIN_FUNCS,
    _MAX_DEPTH,
    _METHOD_WRITERS,
    _OPENERS,
    _PATH_OPEN_API,
    _PATH_WRITERS,
    _UNKNOWN,
    _UNWRAP,
    WriteSite,
)

if TYPE_CHECKING:
    from ...context import Context


# -- fix plans ------------------------------------------------------------------------------
#
# ``check`` decides whether a site can be rewritten (``Report.fixable``) from the same plan
# functions that ``fix`` uses; ``fix`` re-derives the plan from an ``ast`` view of the
# source being fixed, so both always agree on what the call is (``io.open`` vs ``p.open``,
# where the path is, which mode it has).

#: ``open()``-like functions that ``atomic_open`` replaces with the same arguments; the
#: value says which keywords besides the path and ``mode`` they may have. ``codecs.open``
#: only without ``encoding``/``errors``/``buffering``: then it *is* ``builtins.open``
#: (with an encoding it wraps a binary file in a ``StreamWriter``: other newline handling).
_ATOMIC_OPEN_KEYWORDS: dict[str, frozenset[str]] = {
    "builtins.open": frozenset({"encoding", "errors", "newline"}),
    "io.open": frozenset({"encoding", "errors", "newline"}),
    "codecs.open": frozenset(),
    "pathlib.Path.open": frozenset({"encoding", "errors", "newline"}),
}
_PATH_OPEN_KEYWORDS = frozenset({"mode", "encoding", "errors", "newline"})
_WRITE_TEXT_OPTIONS = ("encoding", "errors", "newline")

#: Writers whose output contains the file's own name, so a temp path changes the bytes:
#: ``torch.save`` names the zip's top folder after the file.
_NAME_IN_CONTENT = frozenset({"torch.save"})
#: Writers that pick a compression from the file name (pandas' ``compression="infer"``,
#: ``numpy.savetxt``): gzip, zip and tar store the file's name, so the target's name must be
#: visibly one that does not compress that way.
_INFERS_COMPRESSION = frozenset({".to_csv", ".to_json", ".to_pickle", ".to_stata", "numpy.savetxt"})
_NAMELESS_COMPRESSIONS = frozenset({"bz2", "xz", "zstd"})
#: ``to_parquet``/``write_parquet`` keywords that write a directory of files (pyarrow,
#: fastparquet, polars).
_DATASET_KEYWORDS = frozenset({"partition_cols", "partition_on", "file_scheme", "partition_by", "pyarrow_options"})
#: Writers whose ``**kwargs`` cannot change where or how the file is written
#: (``np.savez(p, **arrays)``, ``joblib.dump(m, p, **options)``).
_KWARGS_KEEP_THE_FILE = frozenset(
    {"numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt", "joblib.dump"}
)
#: Writers that also accept ``s3://``-style URLs (fsspec, pyarrow file systems): their
#: target must visibly be a local path.
_URL_CAPABLE_WRITERS = frozenset({"pyarrow.parquet.write_table", "pyarrow.feather.write_feather"})

_HANDLE_NAMES = ("f", "fh", "handle", "out_file", "stream")
_TEMP_NAMES = ("tmp", "tmp_path", "temp_path", "partial_path")


@dataclass(frozen=True)
class _CallRewrite:
    """How a call becomes a call of a runtime helper with the same arguments."""

    #: ``p.open(...)`` / ``p.write_text(...)``: the receiver becomes the first argument.
    receiver_first: bool
    #: Keyword renames: ``file=`` -> ``path=``, ``data=`` -> ``text=``.
    renames: tuple[tuple[str, str], ...] = ()
    #: Positional arguments from this index on become keywords with ``keyword_names``
    #: (``p.write_text(s, "utf-8")`` -> ``encoding="utf-8"``: the helpers take keywords).
    keyword_from: int = -1
    keyword_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Slot:
    """Where an argument sits: positional ``index`` or keyword ``name``."""

    index: Optional[int] = None
    name: Optional[str] = None


def _atomic_mode(mode: str) -> bool:
    """``atomic_open`` accepts ``mode`` (and so does ``open``): w/x, optional b/t and +."""
    chars = set(mode)
    return (
        len(chars) == len(mode)
        and chars <= set("wxbt+")
        and ("w" in chars) != ("x" in chars)
        and not {"b", "t"} <= chars
    )


def _possible_modes(expr: ast.expr, ctx: Context, depth: int = 0) -> Optional[set[str]]:
    """Every value a mode expression can have, when all are literal."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if depth > 2:
        return None
    if isinstance(expr, ast.Name):
        bind = _single(expr, ctx, "assign")
        return _possible_modes(bind.value, ctx, depth + 1) if bind is not None and bind.value is not None else None
    if isinstance(expr, ast.IfExp):
        first, second = _possible_modes(expr.body, ctx, depth + 1), _possible_modes(expr.orelse, ctx, depth + 1)
        return first | second if first is not None and second is not None else None
    return None


def _open_rewrite(call: ast.Call, ctx: Context) -> Optional[_CallRewrite]:
    """How ``call`` (an ``open``-like call) becomes ``atomic_open(...)``, if it can."""
    if _has_star_kwargs(call):
        return None
    resolved = ctx.call_name(call)
    parts = _open_parts(call, resolved, ctx)
    if parts is None or (parts[1] is not None and _may_be_descriptor(parts[1], ctx)):
        return None
    renames: tuple[tuple[str, str], ...] = ()
    if parts[0] == _PATH_OPEN_API and resolved is None:
        # ``p.open(mode, buffering, encoding, ...)``: only ``mode`` positionally.
        if len(call.args) > 1 or any(kw.arg not in _PATH_OPEN_KEYWORDS for kw in call.keywords):
            return None
        mode_expr = argument(call, 0, "mode")
        receiver_first = True
    else:
        extra = _ATOMIC_OPEN_KEYWORDS.get(resolved or "")
        if extra is None or len(call.args) > 2:
            return None  # compressed files; positional buffering/encoding
        path_keyword = _OPENERS[resolved].path_keywords[0]  # type: ignore[index]
        if any(kw.arg not in extra | {path_keyword, "mode"} for kw in call.keywords):
            return None  # buffering, opener, closefd; codecs' encoding
        if keyword(call, path_keyword) is not None:
            if path_keyword == "self":
                return None
            renames = ((path_keyword, "path"),)
        mode_expr = argument(call, 1, "mode")
        receiver_first = False
    if mode_expr is None:
        return None
    modes = _possible_modes(mode_expr, ctx)
    if not modes or not all(_atomic_mode(mode) for mode in modes):
        return None
    return _CallRewrite(receiver_first, renames)


def _handle_may_leak(call: ast.Call, ctx: Context) -> bool:
    """Code around the ``with`` uses the file's name: ``f.name`` would be the temp file's
    (during the block and after it), and gzip or tar handed ``f`` (``fileobj=f``, pandas
    with ``compression=``) would store it in the output."""
    item = ctx.parent(call)
    statement = ctx.parent(item) if item is not None else None
    if not isinstance(item, ast.withitem) or not isinstance(statement, ast.With):
        return True
    if item.optional_vars is None:
        return False
    if not isinstance(item.optional_vars, ast.Name):
        return True  # ``as self.f``: used where this rule cannot see
    return item.optional_vars.id in ctx.fact(_leaking_handle_names, ctx.enclosing_scope(call))


def _leaking_handle_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    """Names in ``scope`` (nested scopes included) whose file name shows: ``x.name``,
    ``fileobj=x``, or ``x`` handed to a call with ``compression=``. One pass per scope."""
    found: set[str] = set()
    for node in subtree_nodes(scope):  # the order does not matter: a set of names
        if isinstance(node, ast.Attribute) and node.attr == "name" and isinstance(node.value, ast.Name):
            found.add(node.value.id)
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "fileobj" and isinstance(kw.value, ast.Name):
                    found.add(kw.value.id)
            if keyword(node, "compression") is not None:
                found.update(arg.id for arg in node.args if isinstance(arg, ast.Name))
    return frozenset(found)


def _path_method_rewrite(call: ast.Call, site: WriteSite, ctx: Context) -> Optional[_CallRewrite]:
    """``p.write_text(s, ...)`` -> ``write_atomic_text(p, s, ...)`` (or ``Path.write_text(p, s)``)."""
    if _has_star_kwargs(call):
        return None
    method = site.api.rsplit(".", 1)[1]
    explicit = ctx.call_name(call) is not None  # ``Path.write_text(target, text)``
    if not explicit and (not isinstance(call.func, ast.Attribute) or not _known_path_object(call.func.value, ctx)):
        return None  # another object with a ``write_text`` method: the helper takes paths only
    first_option = 2 if explicit else 1
    options = _WRITE_TEXT_OPTIONS if method == "write_text" else ()
    if len(call.args) > first_option + len(options):
        return None
    allowed = {"data", *options}
    if any(kw.arg not in allowed for kw in call.keywords):
        return None  # ``self=``, misspelled keywords: leave them to raise as they do
    renames = (("data", "text"),) if method == "write_text" and keyword(call, "data") is not None else ()
    return _CallRewrite(not explicit, renames, keyword_from=first_option, keyword_names=options)


def _alone_on_its_lines(statement: ast.stmt, ctx: Context) -> bool:
    """No other statement shares a line with ``statement`` (``a = 1; np.save(p, a)``)."""
    parent = ctx.parent(statement)
    if parent is None:
        return False
    for _, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is statement for item in value):
            for other in value:
                if other is statement or not isinstance(other, ast.stmt):
                    continue
                if other.lineno <= (statement.end_lineno or statement.lineno) and (
                    other.end_lineno or other.lineno
                ) >= statement.lineno:
                    return False
            return True
    return False


def _can_wrap_statement(call: ast.Call, ctx: Context) -> bool:
    """``call`` is a statement that can become the body of a new ``with`` binding a fresh name:
    alone on its line and not in a class body (where the name would become an attribute)."""
    statement = ctx.parent(call)
    if not isinstance(statement, ast.Expr) or not _alone_on_its_lines(statement, ctx):
        return False
    for ancestor in ctx.ancestors(statement):
        if isinstance(ancestor, ast.ClassDef):
            return False
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
            return True
    return True


def _inert(expr: Optional[ast.AST], ctx: Context, depth: int = 0) -> bool:
    """Evaluating ``expr`` has no side effect another argument could observe: names,
    constants, attributes, operators, f-strings and path-building calls of those."""
    if expr is None:
        return True
    if depth > _MAX_DEPTH:
        return False
    depth += 1
    if isinstance(expr, (ast.Constant, ast.Name, ast.Lambda)):
        return True
    if isinstance(expr, ast.Attribute):
        return _inert(expr.value, ctx, depth)
    if isinstance(expr, ast.Starred):
        return _inert(expr.value, ctx, depth)
    if isinstance(expr, ast.Subscript):
        return _inert(expr.value, ctx, depth) and _inert(expr.slice, ctx, depth)
    if isinstance(expr, ast.JoinedStr):
        return all(_inert(value, ctx, depth) for value in expr.values)
    if isinstance(expr, ast.FormattedValue):
        return _inert(expr.value, ctx, depth) and _inert(expr.format_spec, ctx, depth)
    if isinstance(expr, ast.BinOp):
        return _inert(expr.left, ctx, depth) and _inert(expr.right, ctx, depth)
    if isinstance(expr, ast.UnaryOp):
        return _inert(expr.operand, ctx, depth)
    if isinstance(expr, (ast.BoolOp,)):
        return all(_inert(value, ctx, depth) for value in expr.values)
    if isinstance(expr, ast.Compare):
        return _inert(expr.left, ctx, depth) and all(_inert(value, ctx, depth) for value in expr.comparators)
    if isinstance(expr, ast.IfExp):
        return all(_inert(part, ctx, depth) for part in (expr.test, expr.body, expr.orelse))
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return all(_inert(element, ctx, depth) for element in expr.elts)
    if isinstance(expr, ast.Dict):
        return all(_inert(part, ctx, depth) for part in (*expr.keys, *expr.values))
    if isinstance(expr, ast.Slice):
        return all(_inert(part, ctx, depth) for part in (expr.lower, expr.upper, expr.step))
    if isinstance(expr, ast.Call):
        func = expr.func
        pure = ctx.call_name(expr) in _UNWRAP | _JOIN_FUNCS or (
            isinstance(func, ast.Attribute) and func.attr in _DERIVED_PATH_METHODS and _inert(func.value, ctx, depth)
        )
        return pure and all(_inert(arg, ctx, depth) for arg in (*expr.args, *(kw.value for kw in expr.keywords)))
    return False


def _source_position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _evaluated_before(call: ast.Call, argument_value: ast.expr) -> list[ast.AST]:
    """What Python evaluates before ``argument_value`` in ``call``: the callee, earlier arguments."""
    where = _source_position(argument_value)
    values: list[ast.AST] = [*call.args, *(kw.value for kw in call.keywords)]
    return [call.func, *(value for value in values if _source_position(value) < where)]


def _hoisting_keeps_order(call: ast.Call, hoisted: ast.expr, ctx: Context) -> bool:
    """Evaluating ``hoisted`` (moved into a ``with`` header) before the callee and the
    arguments that preceded it is invisible: one of the two sides has no side effects."""
    before = _evaluated_before(call, hoisted)
    return all(_inert(node, ctx) for node in before) or _inert(hoisted, ctx)


def _slot_of(call: ast.Call, value: ast.expr) -> Optional[_Slot]:
    for index, arg in enumerate(call.args):
        if arg is value:
            return _Slot(index=index)
    for kw in call.keywords:
        if kw.value is value and kw.arg is not None:
            return _Slot(name=kw.arg)
    return None


def _dump_plan(call: ast.Call, site: WriteSite, ctx: Context) -> Optional[tuple[_Slot, _CallRewrite]]:
    """``json.dump(obj, open(p, "w"))`` -> where the ``open`` sits and how it becomes ``atomic_open``."""
    if not _can_wrap_statement(call, ctx) or any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    inner = argument(call, 1, _DUMPERS[site.api][0])
    if not isinstance(inner, ast.Call):
        return None
    rewrite = _open_rewrite(inner, ctx)
    slot = _slot_of(call, inner)
    if rewrite is None or slot is None:
        return None
    opened = [inner.func.value] if rewrite.receiver_first else []  # type: ignore[attr-defined]
    opened += [*inner.args, *(kw.value for kw in inner.keywords)]
    # The ``open`` moves into the ``with`` header, ahead of ``obj``: fine when either side is inert.
    before = _evaluated_before(call, inner)
    if not (all(_inert(node, ctx) for node in before) or all(_inert(node, ctx) for node in opened)):
        return None
    return slot, rewrite


def _builtin_writer(api: str) -> bool:
    return api in _PATH_WRITERS or (api.startswith(".") and api[1:] in _METHOD_WRITERS)


def _name_embedding_risk(template: str) -> Optional[bool]:
    """For a writer that picks its compression from the file name: True when the name asks
    for gzip, zip or tar (which store the file's name: a temp name would change the bytes),
    False when it visibly does not, ``None`` when the extension is not known."""
    name = template.replace("\\", "/").rsplit("/", 1)[-1]
    tail = name.rsplit(_UNKNOWN, 1)[-1].lower()
    if "." not in tail:
        return None
    if tail.endswith((".gz", ".zip", ".tar", ".tgz")):
        return True
    if tail.endswith((".bz2", ".xz", ".zst")):
        if _UNKNOWN in name and tail.count(".") < 2:
            return None  # ``f"{name}.bz2"`` may be ``.tar.bz2``
        return tail.endswith((".tar.bz2", ".tar.xz", ".tar.zst"))
    return False


def _writer_plan(call: ast.Call, site: WriteSite, ctx: Context) -> Optional[_Slot]:
    """Where the path of a path writer sits, when ``with atomic_path(p) as tmp:`` can take it.

    Decided from the call alone; :func:`_writer_target_is_local` adds what the target's value
    must show before ``fix`` rewrites it.
    """
    api = site.api
    target = site.target
    if target is None or not _builtin_writer(api) or api in _NAME_IN_CONTENT:
        return None  # ``extra-writers``: what they do with the name is not known
    if api in _DIRECTORY_TARGET_WRITERS or (api in _COPIES and keyword(call, "follow_symlinks") is not None):
        return None  # ``dst`` may be a directory; a copied symlink is no regular file
    if not _can_wrap_statement(call, ctx):
        return None
    slot = _slot_of(call, target)
    if slot is None:
        return None
    if any(isinstance(arg, ast.Starred) for arg in call.args[: slot.index]):
        return None  # the path's position is not known statically
    if any(kw.arg is None for kw in call.keywords) and api not in _KWARGS_KEEP_THE_FILE:
        return None  # ``**options`` may hold ``compression=``, ``mode=``, ``filesystem=``
    method = api[1:] if api.startswith(".") else None
    keywords = {kw.arg: kw.value for kw in call.keywords}
    if "storage_options" in keywords or "://" in _template(target, ctx):
        return None  # a remote file system
    if method in ("to_parquet", "write_parquet") and _DATASET_KEYWORDS & set(keywords):
        return None  # a dataset directory, not one file
    mode_expr = keywords.get("mode")
    mode = _literal_mode(mode_expr, ctx) if mode_expr is not None else None
    if method == "to_hdf":
        # ``mode="a"`` by default: adds a key to the existing store, which a temp file lacks.
        if mode != "w" or len(call.args) > 2:
            return None
    elif method == "to_netcdf":
        if len(call.args) > 1 or (mode_expr is not None and mode != "w"):
            return None
    elif mode_expr is not None and mode not in ("w", "wb", "wt"):
        return None  # "x" would no longer fail on an existing target; unknown modes
    if api in _INFERS_COMPRESSION:
        if method is not None and len(call.args) > 1:
            return None  # ``to_pickle(p, "gzip")``: compression passed positionally
        compression = keywords.get("compression")
        if compression is not None and not (
            isinstance(compression, ast.Constant)
            and (compression.value is None or compression.value in _NAMELESS_COMPRESSIONS | {"infer"})
        ):
            return None
        if (compression is None or compression.value == "infer") and _name_embedding_risk(
            _template(target, ctx)
        ):
            return None
    writer = _PATH_WRITERS.get(api)
    if writer is not None and writer.appends_suffix and not _template(target, ctx).endswith(writer.appends_suffix):
        return None
    if not _hoisting_keeps_order(call, target, ctx):
        return None
    return slot


def _writer_target_is_local(call: ast.Call, site: WriteSite, ctx: Context) -> bool:
    """The target is visibly a local path, not a file object or a URL, and for writers that
    infer a compression its extension is known: needed before the path goes to ``atomic_path``."""
    assert site.target is not None
    url_capable = site.api.startswith(".") or site.api in _URL_CAPABLE_WRITERS
    if not _is_local_path(site.target, ctx, allow_str=not url_capable):
        return False
    if site.api in _INFERS_COMPRESSION:
        compression = keyword(call, "compression")
        if compression is None or (isinstance(compression, ast.Constant) and compression.value == "infer"):
            return _name_embedding_risk(_template(site.target, ctx)) is False
    return True
