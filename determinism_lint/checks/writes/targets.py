"""The target of a write: the path a call writes to, spelled as a template, and what
kind of value (path, handle, descriptor) an expression holds. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Optional

from .._util import last_name
from .bindings import _Bind, _binds, _single, _single_any, _single_reaching
from .vocabulary import (
    _DERIVED_PATH_METHODS,
    _FILE_LIKE_CLASS_RE,
    _GLOB_DESCRIPTIONS,
    _HANDLE_FACTORIES,
    _JOIN_FUNCS,
    _MAX_DEPTH,
    _PASS_THROUGH,
    _PASS_THROUGH_METHODS,
    _PATH_CTORS,
    _UNKNOWN,
    _UNWRAP,
    _Config,
    _safe_match,
)

if TYPE_CHECKING:
    from ...context import Context


# -- the target of a write ------------------------------------------------------------------


def _template(
    expr: ast.AST, ctx: Context, depth: int = 0, subst: Optional[dict[str, ast.expr]] = None
) -> str:
    """The path ``expr`` spells, with ``_UNKNOWN`` for the parts not known statically.

    ``run_dir / "report.md"`` -> ``"\\0/report.md"``; ``f"{run}.lock"`` -> ``"\\0.lock"``.
    """
    if depth > _MAX_DEPTH:
        return _UNKNOWN
    depth += 1
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            return expr.value
        if isinstance(expr.value, bytes):
            return expr.value.decode("utf-8", "replace")
        return _UNKNOWN
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion in (-1, 115):
                parts.append(_template(value.value, ctx, depth, subst))
            else:
                parts.append(_UNKNOWN)
        return "".join(parts)
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Div):
            return _template(expr.left, ctx, depth, subst) + "/" + _template(expr.right, ctx, depth, subst)
        if isinstance(expr.op, ast.Add):
            return _template(expr.left, ctx, depth, subst) + _template(expr.right, ctx, depth, subst)
        if isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Constant):
            return _template(expr.left, ctx, depth, subst)  # "%s.log" % x: the template still ends in .log
        return _UNKNOWN
    if isinstance(expr, ast.Name):
        if subst and expr.id in subst:
            return _template(subst[expr.id], ctx, depth, subst)
        bind = _single(expr, ctx, "assign")
        return _template(bind.value, ctx, depth, subst) if bind is not None and bind.value is not None else _UNKNOWN
    if isinstance(expr, ast.Attribute):
        if expr.attr == "parent":
            head, sep, _ = _template(expr.value, ctx, depth, subst).rpartition("/")
            return head if sep else _UNKNOWN
        if isinstance(expr.value, ast.Name):
            return _class_constant(expr.value.id, expr.attr, ctx)
        return _UNKNOWN
    if isinstance(expr, ast.Call):
        return _call_template(expr, ctx, depth, subst)
    return _UNKNOWN


def _call_template(call: ast.Call, ctx: Context, depth: int, subst: Optional[dict[str, ast.expr]]) -> str:
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return _UNKNOWN
    func = call.func
    name: Optional[str]  # a file name, then the callee's dotted name
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if func.attr == "joinpath":
            return "/".join([_template(receiver, ctx, depth, subst), *(_template(a, ctx, depth, subst) for a in call.args)])
        if func.attr == "with_suffix" and len(call.args) == 1:
            head, sep, name = _template(receiver, ctx, depth, subst).rpartition("/")
            stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
            return head + sep + stem + _template(call.args[0], ctx, depth, subst)
        if func.attr == "with_name" and len(call.args) == 1:
            head, sep, _ = _template(receiver, ctx, depth, subst).rpartition("/")
            return head + sep + _template(call.args[0], ctx, depth, subst)
        if func.attr in _PASS_THROUGH_METHODS and not call.args:
            return _template(receiver, ctx, depth, subst)
        if func.attr == "format" and isinstance(receiver, ast.Constant):
            return _template(receiver, ctx, depth, subst)
    name = ctx.call_name(call)
    if name in _JOIN_FUNCS and call.args:
        return "/".join(_template(arg, ctx, depth, subst) for arg in call.args)
    if name in _PATH_CTORS:
        return "/".join(_template(arg, ctx, depth, subst) for arg in call.args) if call.args else "."
    if name in _PASS_THROUGH and len(call.args) == 1:
        return _template(call.args[0], ctx, depth, subst)
    return _UNKNOWN


def _class_constant(class_name: str, attr: str, ctx: Context) -> str:
    """``DvcIgnore.DVCIGNORE_FILE``: a string constant of a class defined at module level."""
    return ctx.fact(_class_constants, ctx.tree).get((class_name, attr), _UNKNOWN)


def _class_constants(tree: ast.Module, ctx: Context) -> dict[tuple[str, str], str]:
    """``(class, name) -> text`` for the string constants of the module's classes; a fact."""
    found: dict[tuple[str, str], str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            for item in statement.body:
                if (
                    isinstance(item, ast.Assign)
                    and len(item.targets) == 1
                    and isinstance(item.targets[0], ast.Name)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)
                ):
                    found[(statement.name, item.targets[0].id)] = item.value.value
    return found


def _glob_reason(template: str, patterns: tuple[str, ...]) -> Optional[str]:
    """The exemption a path template matches, as ``"lock file (*.lock)"``.

    A glob without ``/`` matches any component (``*.lock``); one with ``/`` matches the
    whole path, and a relative one also matches below an unknown prefix (``reports/*``
    matches ``run_dir / "reports" / "a.csv"``).
    """
    path = template.replace("\\", "/")
    if not path.replace(_UNKNOWN, "").strip("/."):
        return None
    while path.startswith("./"):
        path = path[2:]
    parts = [part for part in path.split("/") if part and part != _UNKNOWN]
    for pattern in patterns:
        bare = pattern.rstrip("/")
        if "/" not in bare:
            matched = any(fnmatchcase(part, bare) for part in parts)
        else:
            if bare.startswith("./"):
                bare = bare[2:]
            matched = fnmatchcase(path, bare) or fnmatchcase(path, bare + "/*")
            if not matched and not bare.startswith("/"):
                matched = fnmatchcase(path, "*/" + bare) or fnmatchcase(path, "*/" + bare + "/*")
        if matched:
            return f"{_GLOB_DESCRIPTIONS.get(pattern, 'exempt path')} ({pattern})"
    return None


def _root(expr: ast.expr, ctx: Context, depth: int = 0) -> ast.expr:
    """The expression a path is built on: ``os.path.join(d, "x")`` -> ``d``."""
    while depth <= _MAX_DEPTH:
        depth += 1
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add)):
            expr = expr.left
        elif isinstance(expr, ast.JoinedStr) and expr.values and isinstance(expr.values[0], ast.FormattedValue):
            expr = expr.values[0].value
        elif isinstance(expr, ast.Attribute) and expr.attr == "parent":
            expr = expr.value
        elif (
            isinstance(expr, ast.Call) and not expr.args and isinstance(expr.func, ast.Attribute)
            and (expr.func.attr in _DERIVED_PATH_METHODS or expr.func.attr in ("as_posix", "__fspath__"))
        ):
            expr = expr.func.value  # ``p.as_posix()``, ``p.resolve()``
        elif isinstance(expr, ast.Call) and expr.args and not isinstance(expr.args[0], ast.Starred):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in _DERIVED_PATH_METHODS:
                expr = func.value
            elif ctx.call_name(expr) in _JOIN_FUNCS | _UNWRAP:
                expr = expr.args[0]
            else:
                return expr
        elif isinstance(expr, ast.Name):
            bind = _single_reaching(expr, ctx, "assign")
            if bind is None or bind.value is None:
                return expr
            expr = bind.value
        else:
            return expr
    return expr


def _is_path_yielding(expr: Optional[ast.expr], ctx: Context, cfg: _Config) -> bool:
    """``atomic_path(p)`` and ``TemporaryDirectory()`` yield a path, not a file object."""
    if not isinstance(expr, ast.Call):
        return False
    if _safe_match(expr, ctx, cfg) is not None:
        return "path" in (last_name(expr.func) or "")
    return ctx.call_name(expr) == "tempfile.TemporaryDirectory"


def _is_handle(expr: ast.expr, ctx: Context, cfg: _Config) -> bool:
    """``expr`` is a file object or an in-memory buffer, not a path."""
    if isinstance(expr, ast.Call):
        return _is_handle_call(expr, ctx, cfg)
    if isinstance(expr, ast.Name):
        reaching = _single_reaching(expr, ctx)
        if reaching is not None:
            return _is_handle_bind(reaching, ctx, cfg)  # ``buffer = io.BytesIO()`` just before, rebound later
        binds = _binds(expr, ctx)
        return bool(binds) and all(_is_handle_bind(bind, ctx, cfg) for bind in binds)
    return False


def _is_handle_bind(bind: _Bind, ctx: Context, cfg: _Config) -> bool:
    if bind.kind == "with":
        # ``with <anything but a path-yielding manager> as f``: f is a handle.
        return not _is_path_yielding(bind.value, ctx, cfg)
    if bind.kind == "assign" and isinstance(bind.value, ast.Call):
        return _is_handle_call(bind.value, ctx, cfg)
    return False


def _is_handle_call(call: ast.Call, ctx: Context, cfg: _Config) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "open":
        return True
    if _safe_match(call, ctx, cfg) is not None:
        return not _is_path_yielding(call, ctx, cfg)
    if ctx.call_name(call) in _HANDLE_FACTORIES:
        return True
    # ``TextIO(data)``, ``CustomWriter()``, ``ZipFile(p)``: classes named like file objects.
    name = last_name(func)
    return name is not None and _FILE_LIKE_CLASS_RE.search(name) is not None


def _is_fd(expr: ast.expr, ctx: Context) -> bool:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return True
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("fileno", "detach"):
        return True  # ``open(sock.detach(), "wb")``: only a descriptor can be opened that way
    if isinstance(expr, ast.Name):
        bind = _single_any(expr, ctx)
        if bind is not None and isinstance(bind.value, ast.Call):
            name = ctx.call_name(bind.value)
            if bind.kind == "assign" and name in ("os.open", "os.dup"):
                return True
            if bind.kind == "tuple" and bind.index == 0 and name == "tempfile.mkstemp":
                return True
    return False


_DESCRIPTOR_NAME_RE = re.compile(r"(?:^|_)[rw]?fds?$|^fd|fileno|descriptor|(?:^|_)sock(?:et)?s?$|^conn(?:ection)?$", re.I)
_DESCRIPTOR_CALLS = frozenset(
    {"os.open", "os.dup", "os.dup2", "os.pipe", "os.pipe2", "os.openpty", "pty.openpty", "msvcrt.open_osfhandle",
     "tempfile.mkstemp", "socket.socket", "socket.socketpair", "socket.create_connection", "socket.fromfd"}
)


def _may_be_descriptor(expr: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """``expr`` may be a file descriptor or a socket, not a path: an ``int``, a name like
    ``fd``/``wfd``/``sock``, a value from ``os.pipe()``, ``.fileno()``, ``open_osfhandle``.
    Only a path can be written atomically."""
    if depth > 3:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, int) and not isinstance(expr.value, bool)
    if isinstance(expr, ast.Subscript):
        return _may_be_descriptor(expr.value, ctx, depth + 1)
    if isinstance(expr, ast.Attribute):
        return _DESCRIPTOR_NAME_RE.search(expr.attr) is not None
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr) or ""
        method = last_name(expr.func) or ""
        return (
            name in _DESCRIPTOR_CALLS
            or name == "builtins.int"
            or method in ("fileno", "detach", "open_osfhandle", "dup", "makefile", "accept")
            or _DESCRIPTOR_NAME_RE.search(method) is not None
        )
    if isinstance(expr, ast.Name):
        if _DESCRIPTOR_NAME_RE.search(expr.id) is not None:
            return True
        for bind in _binds(expr, ctx):
            if bind.kind in ("assign", "tuple") and bind.value is not None:
                if _may_be_descriptor(bind.value, ctx, depth + 1):
                    return True
            if bind.kind == "param" and bind.value is not None and "int" in ast.unparse(bind.value).split("."):
                return True
    return False


def _known_path_object(expr: ast.expr, ctx: Context) -> bool:
    """``expr`` is visibly a ``pathlib`` path: ``Path(...)``, ``p / "x"``, ``p.with_suffix()``,
    ``p.parent``, or a name bound to one or annotated ``Path``."""
    if isinstance(expr, ast.Attribute) and expr.attr == "parent":
        return _known_path_object(expr.value, ctx)
    if isinstance(expr, ast.Call) and ctx.call_name(expr) in ("pathlib.Path.cwd", "pathlib.Path.home"):
        return True
    if isinstance(expr, ast.Constant):
        return False
    return _is_local_path(expr, ctx, allow_str=False)
_PATH_TYPE_NAMES = frozenset(
    {"Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath", "PathLike"}
)
_ANNOTATION_GLUE = frozenset({"Optional", "Union", "None"})
_NAME_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PATHLIKE_PARAM_RE = re.compile(r"PathLike\[[^\]]*\]")


def _is_local_path(expr: ast.expr, ctx: Context, *, allow_str: bool, depth: int = 0) -> bool:
    """``expr`` is visibly a local path: built with ``/`` or ``Path(...)``, a literal without
    ``://``, or a name bound to one (or annotated ``Path``; ``str`` when ``allow_str``)."""
    if depth > _MAX_DEPTH or "://" in _template(expr, ctx):
        return False
    depth += 1
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    if isinstance(expr, ast.JoinedStr):
        first = expr.values[0] if expr.values else None
        if isinstance(first, ast.FormattedValue):
            return _is_local_path(first.value, ctx, allow_str=allow_str, depth=depth)
        return first is not None
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Div):
            return True
        if isinstance(expr.op, ast.Add):
            return _is_local_path(expr.left, ctx, allow_str=allow_str, depth=depth)
        return False
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr)
        if name in _PATH_CTORS:
            return True
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _DERIVED_PATH_METHODS and name is None:
            return True  # ``p.with_suffix(".npy")``: only path objects have these methods
        if name in _JOIN_FUNCS | _PASS_THROUGH and expr.args and not isinstance(expr.args[0], ast.Starred):
            return _is_local_path(expr.args[0], ctx, allow_str=allow_str, depth=depth)
        return False
    if isinstance(expr, ast.Name):
        binds = _binds(expr, ctx)
        if len(binds) != 1 or binds[0].value is None:
            return False
        bind = binds[0]
        if bind.kind == "assign":
            return _is_local_path(bind.value, ctx, allow_str=allow_str, depth=depth)  # type: ignore[arg-type]
        if bind.kind == "param":
            return _path_annotation(bind.value, allow_str=allow_str)  # type: ignore[arg-type]
    return False


def _path_annotation(annotation: ast.expr, *, allow_str: bool) -> bool:
    """``Path``, ``Optional[Path]``, ``os.PathLike[str]``; with ``allow_str`` also ``str``,
    ``Union[str, Path]``."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        text = annotation.value
    else:
        text = ast.unparse(annotation)
    tokens = [token.rsplit(".", 1)[-1] for token in _NAME_TOKEN_RE.findall(_PATHLIKE_PARAM_RE.sub("PathLike", text))]
    allowed = _PATH_TYPE_NAMES | _ANNOTATION_GLUE | ({"str", "bytes"} if allow_str else set())
    return bool(tokens) and all(token in allowed for token in tokens) and any(
        token not in _ANNOTATION_GLUE for token in tokens
    )
