"""Openers and modes: which call opens a file, with which mode, through which receiver
or alias; the site of a moded write; writes that write nothing, go to a logging handler or
run in a transaction. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Optional

from .._util import argument, keyword, last_name, statement_nodes
from .bindings import _single, _single_any
from .provenance import _target_verdict
from .vocabulary import (
    REASON_APPEND,
    REASON_UNKNOWN_MODE,
    _CLASS_NAME_RE,
    _DUMPERS,
    _FD_WRITERS,
    _FILESYSTEM_CLASS_RE,
    _FILESYSTEM_FACTORIES,
    _MODE_RE,
    _OPENERS,
    _OS_OPEN,
    _PATHISH_ANNOTATION_RE,
    _PATH_CTORS,
    _PATH_OPEN_API,
    _RECEIVER_OPENERS,
    WriteSite,
    _Config,
    _Opener,
    _choices,
    _config,
    _worth_a_look,
)

if TYPE_CHECKING:
    from ...context import Context


# -- openers and modes ----------------------------------------------------------------------


def _literal_mode(expr: Optional[ast.expr], ctx: Context, depth: int = 0) -> Optional[str]:
    """A string constant, a once-assigned local holding one, or ``a if c else b`` of two alike."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if depth > 2:
        return None
    if isinstance(expr, ast.Name):
        bind = _single(expr, ctx, "assign")
        return _literal_mode(bind.value, ctx, depth + 1) if bind is not None else None
    if isinstance(expr, ast.IfExp):
        first, second = _literal_mode(expr.body, ctx, depth + 1), _literal_mode(expr.orelse, ctx, depth + 1)
        if first is not None and second is not None and _mode_kind(first) == _mode_kind(second):
            return first
    return None


def _mode_kind(mode: str) -> str:
    if not _MODE_RE.match(mode):
        return "invalid"
    if "w" in mode or "x" in mode:
        return "write"
    if "a" in mode:
        return "append"
    if "+" in mode:
        return "update"
    return "read"


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)


def _open_parts(
    call: ast.Call, resolved: Optional[str], ctx: Context
) -> Optional[tuple[str, Optional[ast.expr], Optional[str], bool]]:
    """``(api, target, mode, mode_known)`` of an open-like call, else ``None``."""
    func = call.func
    opener = _OPENERS.get(resolved or "")
    if opener is not None:
        if keyword(call, "fileobj") is not None and argument(call, opener.path_index, opener.path_keywords[0]) is None:
            return None  # ``gzip.GzipFile(fileobj=buffer, mode="wb")``: wraps a stream, opens no path
        return _opener_parts(call, opener, ctx)
    if opener is None and resolved is not None and resolved.endswith(".PathManager.open"):
        opener = _RECEIVER_OPENERS["path-manager"][1]
    elif opener is None and isinstance(func, ast.Attribute) and func.attr == "open" and call.args:
        first = call.args[0]
        if not isinstance(first, ast.Starred) and _literal_mode(first, ctx) is None:
            opener = _receiver_opener(func.value, ctx)
    if opener is not None:
        return _opener_parts(call, opener, ctx)
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "open"
        and resolved is None
        and not _own_method(call, ctx)
        and not _known_not_a_path(func.value, ctx)
    ):
        # ``Path.open(mode)``: the mode is the FIRST argument. ``ZipFile.open(name, mode)``,
        # ``fs.open(uri, "wb")`` have something else first: not a mode, not this.
        if call.args:
            first = call.args[0]
            if isinstance(first, ast.Starred):
                return None
            mode = _literal_mode(first, ctx)
        else:
            mode_expr = keyword(call, "mode")
            if mode_expr is None:
                return None if _has_star_kwargs(call) else (_PATH_OPEN_API, func.value, "r", True)
            mode = _literal_mode(mode_expr, ctx)
        if mode is None or _mode_kind(mode) == "invalid":
            return None
        return _PATH_OPEN_API, func.value, mode, True
    return None


def _opener_parts(
    call: ast.Call, opener: _Opener, ctx: Context
) -> tuple[str, Optional[ast.expr], Optional[str], bool]:
    target = argument(call, opener.path_index, opener.path_keywords[0])
    mode_expr = argument(call, opener.mode_index, "mode")
    if mode_expr is None:
        if _has_star_kwargs(call):
            return opener.api, target, None, False
        return opener.api, target, opener.default_mode, True
    mode = _literal_mode(mode_expr, ctx)
    return opener.api, target, mode, mode is not None


def _receiver_opener(receiver: ast.expr, ctx: Context) -> Optional[_Opener]:
    """How ``<receiver>.open(path, mode)`` opens, when the receiver is a file system or a
    path manager: by its name (``fs``, ``self.fs``, ``remote_fs``, ``path_manager``), its
    annotation (``fs: AbstractFileSystem``) or what made it (``fsspec.filesystem(...)``)."""
    name = receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else None
    if name is None:
        return None
    for pattern, opener in _RECEIVER_OPENERS.values():
        if pattern.match(name):
            return opener
    if isinstance(receiver, ast.Name):
        bind = _single_any(receiver, ctx)
        if bind is not None and bind.value is not None:
            value = bind.value
            if bind.kind == "param":
                text = value.value if isinstance(value, ast.Constant) else ast.unparse(value)
                if isinstance(text, str) and re.search(r"FileSystem\b", text):
                    return _RECEIVER_OPENERS["filesystem"][1]
            elif bind.kind in ("assign", "tuple") and isinstance(value, ast.Call):
                made = ctx.call_name(value) or ""
                last = last_name(value.func) or ""
                if made in _FILESYSTEM_FACTORIES or _FILESYSTEM_CLASS_RE.search(last):
                    return _RECEIVER_OPENERS["filesystem"][1]
    return None


def _alias_opener(call: ast.Call, ctx: Context) -> Optional[tuple[str, Optional[ast.expr], Optional[str], bool]]:
    """``open_fn = fs.open if fs else open; open_fn(path, "w")``: a local name for openers
    that all take ``(path, mode)``."""
    func = call.func
    if not isinstance(func, ast.Name):
        return None
    bind = _single(func, ctx, "assign")
    if bind is None or bind.value is None:
        return None
    found: Optional[_Opener] = None
    for choice in _choices(bind.value):
        opener: Optional[_Opener] = None
        if isinstance(choice, (ast.Name, ast.Attribute)):
            qualified = ctx.qualified_name(choice)
            if qualified in _OPENERS and qualified != _PATH_OPEN_API:
                opener = _OPENERS[qualified]
            elif isinstance(choice, ast.Attribute) and choice.attr == "open":
                opener = _receiver_opener(choice.value, ctx)
        if opener is not None and (found is None or opener.api == "open"):
            found = opener
    if found is None:
        return None
    _, target, mode, known = _opener_parts(call, found, ctx)
    return func.id, target, mode, known


def _os_open_site(call: ast.Call, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    """``fd = os.open(path, O_WRONLY | O_CREAT | O_TRUNC)`` then ``os.write(fd, ...)``: the
    file is emptied, then filled through the descriptor."""
    flags = argument(call, 1, "flags")
    if flags is None:
        return None
    names = {node.attr if isinstance(node, ast.Attribute) else node.id
             for node in ast.walk(flags) if isinstance(node, (ast.Attribute, ast.Name))}
    if "O_TRUNC" not in names or "O_APPEND" in names or not names & {"O_WRONLY", "O_RDWR"}:
        return None
    parent = ctx.parent(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return None
    fd = parent.targets[0].id
    scope = ctx.enclosing_scope(call)
    written = any(
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == fd
        and ctx.call_name(node) in _FD_WRITERS
        for node in ctx.fact(statement_nodes, scope)
    )
    if not written:
        return None
    return _moded_site(call, _OS_OPEN, argument(call, 0, "path"), "w", "open", ctx, cfg)


def _own_method(call: ast.Call, ctx: Context) -> bool:
    """``self.write_text(...)`` in a class that defines ``write_text``: not ``pathlib``'s."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
        return False
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, ast.ClassDef):
            return any(
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == func.attr
                for item in ancestor.body
            )
    return False


def _known_not_a_path(expr: ast.expr, ctx: Context) -> bool:
    """The receiver is visibly something else: ``formatter: HelpFormatter`` as a parameter,
    ``term = LegacyWindowsTerm(...)``. Names with ``Path`` in them stay paths."""
    if not isinstance(expr, ast.Name):
        return False
    bind = _single_any(expr, ctx)
    if bind is None or bind.value is None:
        return False
    if bind.kind == "param":
        annotation = bind.value
        text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
        return isinstance(text, str) and _PATHISH_ANNOTATION_RE.search(text) is None
    if bind.kind == "assign" and isinstance(bind.value, ast.Call):
        name = last_name(bind.value.func)
        return (
            name is not None
            and _CLASS_NAME_RE.match(name) is not None
            and "Path" not in name
            and ctx.call_name(bind.value) not in _PATH_CTORS
        )
    return False


def _looks_like_path_method(call: ast.Call, method: str, ctx: Context) -> bool:
    """``Path.write_bytes(data)`` takes one argument and ``Path.write_text(data, encoding,
    errors, newline)`` takes strings after the data: ``store.write_text(key, text)`` is
    someone else's method."""
    if _own_method(call, ctx) or _known_not_a_path(call.func.value, ctx):  # type: ignore[attr-defined]
        return False
    args = call.args
    if method == "write_bytes":
        return len(args) + len(call.keywords) <= 1
    return len(args) <= 4 and all(isinstance(arg, ast.Constant) for arg in args[1:])


def _is_dump_file_arg(call: ast.Call, ctx: Context) -> bool:
    """``call`` is the file argument of ``json.dump(obj, open(...))``: the dump is the site."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if not isinstance(parent, ast.Call) or not _worth_a_look(parent.func, ctx, _config(ctx.settings)):
        return False
    keywords = _DUMPERS.get(ctx.call_name(parent) or "")
    return keywords is not None and argument(parent, 1, keywords[0]) is call


def _writes_nothing(call: ast.Call, ctx: Context) -> bool:
    """``with open(p, "x"): pass``, ``open(p, "w").close()``, a ``with ... as f`` whose body
    never uses ``f`` or only writes empty text (``f.write("")``): the file is created or
    emptied, and no bytes are written that a crash could tear."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Attribute) and parent.attr == "close" and isinstance(ctx.parent(parent), ast.Call):
        return True
    if isinstance(parent, ast.withitem) and parent.context_expr is call:
        statement = ctx.parent(parent)
        if parent.optional_vars is None:
            return True
        if isinstance(parent.optional_vars, ast.Name) and isinstance(statement, (ast.With, ast.AsyncWith)):
            name = parent.optional_vars.id
            return not any(
                isinstance(node, ast.Name) and node.id == name and not _writes_empty(node, ctx)
                for body_statement in statement.body
                for node in ast.walk(body_statement)
            )
    return False


def _writes_empty(name: ast.Name, ctx: Context) -> bool:
    """``f.write("")`` or ``f.write(b"")`` as a statement of its own."""
    method = ctx.parent(name)
    call = ctx.parent(method) if isinstance(method, ast.Attribute) and method.attr == "write" else None
    return (
        isinstance(call, ast.Call)
        and isinstance(ctx.parent(call), ast.Expr)
        and not call.keywords
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Constant)
        and call.args[0].value in ("", b"")
    )


def _in_logging_handler(call: ast.Call, ctx: Context) -> bool:
    """Inside a class derived from a ``logging`` handler: the file is a log."""
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, ast.ClassDef):
            return any(
                (ctx.qualified_name(base) or "").startswith("logging.") and (last_name(base) or "").endswith("Handler")
                for base in ancestor.bases
            )
    return False


def _in_transaction(call: ast.Call, ctx: Context) -> bool:
    """Inside ``with fs.transaction:`` (fsspec commits the files when the block ends)."""
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, (ast.With, ast.AsyncWith)) and any(
            isinstance(item.context_expr, ast.Attribute) and item.context_expr.attr == "transaction"
            for item in ancestor.items
        ):
            return True
    return False


def _moded_site(
    call: ast.Call,
    api: str,
    target: Optional[ast.expr],
    mode: Optional[str],
    kind: str,
    ctx: Context,
    cfg: _Config,
) -> Optional[WriteSite]:
    if mode is None:
        return WriteSite(call, api, None, target, REASON_UNKNOWN_MODE, kind=kind)
    mode_kind = _mode_kind(mode)
    if mode_kind in ("read", "invalid"):
        return None
    if mode_kind == "append":
        return WriteSite(call, api, mode, target, REASON_APPEND, kind=kind)
    if mode_kind == "update":
        return WriteSite(call, api, mode, target, f"in-place update ({mode!r})", kind=kind)
    reason: Optional[str] = None
    atomic = False
    if target is not None:
        _, reason, atomic = _target_verdict(target, ctx, cfg, handles=False, call=call)
    return WriteSite(call, api, mode, target, reason, atomic=atomic, kind=kind)
