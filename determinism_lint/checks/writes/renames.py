"""Hand-made temp-then-rename (DET105): renames, the writes they publish, and the
``os.fsync`` calls that make them durable. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from .._util import argument, last_name, statement_nodes
from .bindings import _single_any
from .classify import _raw_write_site
from .openers import _mode_kind
from .provenance import _exclusive, _key, _position
from .targets import _glob_reason, _template
from .vocabulary import (
    _FDOPEN,
    _DOWNLOAD_METHODS,
    _DOWNLOADS,
    _FSYNCS,
    _RENAMES,
    _RENAME_NAMES,
    _SCRATCH_REASONS,
    _TREE_COPIES,
    WriteSite,
    _Config,
    _config,
    _module_aliases,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...names import ScopeNode


# -- hand-made temp-then-rename (DET105) ----------------------------------------------------


@dataclass(frozen=True)
class _Rename:
    call: ast.Call
    api: str
    source: ast.expr
    dest: Optional[ast.expr]


@dataclass(frozen=True)
class _RenameFacts:
    #: ``id()`` of write calls whose target this scope renames into place afterwards.
    temp_writes: frozenset[int]
    #: ``id()`` of rename calls that publish a file written here without any fsync.
    unsynced: frozenset[int]
    #: ``id()`` of an unsynced rename -> the first write of the file it publishes.
    sources: dict[int, ast.Call] = field(default_factory=dict, compare=False, hash=False)
    #: ``id()`` of unsynced renames whose file a library download wrote.
    downloaded: frozenset[int] = frozenset()


_NO_FACTS = _RenameFacts(frozenset(), frozenset())


def rename_call(call: ast.Call, ctx: Context) -> Optional[_Rename]:
    """``os.replace``/``os.rename``/``shutil.move``/``Path.replace``/``Path.rename``, else ``None``."""
    func = call.func
    cls = func.__class__
    if cls is ast.Attribute:
        name: Optional[str] = func.attr  # type: ignore[attr-defined]
        if name not in _RENAME_NAMES:
            return None
    elif cls is ast.Name:
        name = func.id  # type: ignore[attr-defined]
        if name not in _RENAME_NAMES and name not in _module_aliases(ctx):
            return None
    else:
        return None
    resolved = ctx.call_name(call)
    api = _RENAMES.get(resolved or "")
    if api is not None:
        if resolved in ("pathlib.Path.replace", "pathlib.Path.rename"):
            source, dest = argument(call, 0, "self"), argument(call, 1, "target")
        else:
            source, dest = argument(call, 0, "src"), argument(call, 1, "dst")
        return _Rename(call, api, source, dest) if source is not None else None
    if resolved is None and isinstance(func, ast.Attribute) and name in ("replace", "rename"):
        # ``tmp.replace(path)``: one argument (``str.replace`` takes two).
        if len(call.args) == 1 and not call.keywords and not isinstance(call.args[0], ast.Starred):
            return _Rename(call, f"Path.{name}", func.value, call.args[0])
        if not call.args and len(call.keywords) == 1 and call.keywords[0].arg == "target":
            return _Rename(call, f"Path.{name}", func.value, call.keywords[0].value)
    return None


def _download_paths(call: ast.Call, ctx: Context) -> list[ast.expr]:
    """The arguments of a library download that may be the local file it writes, else ``[]``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _DOWNLOAD_METHODS and ctx.call_name(call) is None:
        return [arg for arg in call.args if not isinstance(arg, ast.Starred)] + [
            kw.value for kw in call.keywords if kw.arg is not None
        ]
    where = _DOWNLOADS.get(ctx.call_name(call) or "")
    if where is None:
        return []
    path = argument(call, where[0], where[1])
    return [path] if path is not None else []


def _in_safe_helper(node: ast.AST, ctx: Context, cfg: _Config) -> bool:
    """Inside the definition of a configured safe writer (the runtime's own helpers)."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)) and ancestor.name in cfg.safe_names:
            return True
    module_path = ctx.settings.helpers_module.replace(".", "/")
    path = ctx.path.replace("\\", "/")
    return f"{module_path}/" in path or path.endswith(f"{module_path}.py")


def _compute_rename_facts(scope: ScopeNode, ctx: Context) -> _RenameFacts:
    if isinstance(scope, ast.Lambda):
        return _NO_FACTS
    cfg = _config(ctx.settings)
    writes: list[WriteSite] = []
    renames: list[_Rename] = []
    os_writes: list[ast.Call] = []
    downloads: list[tuple[ast.Call, list[ast.expr]]] = []
    for node in ctx.fact(statement_nodes, scope):
        if not isinstance(node, ast.Call):
            continue
        paths = _download_paths(node, ctx)
        if paths:
            downloads.append((node, paths))
            continue
        site = _raw_write_site(node, ctx)
        if site is not None:
            if not site.atomic and (site.exempt_reason is None or site.exempt_reason in _SCRATCH_REASONS):
                if site.mode is None or _mode_kind(site.mode) == "write" or site.kind == "scratch":
                    writes.append(site)
            continue
        rename = rename_call(node, ctx)
        if rename is not None:
            renames.append(rename)
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "write" and ctx.call_name(node) == "os.write":
            os_writes.append(node)
    if not renames or not (writes or os_writes or downloads):
        return _NO_FACTS
    synced = any(
        isinstance(node, ast.Call) and _is_fsync(node, ctx) for node in ast.walk(scope)
    )
    temp_writes: set[int] = set()
    unsynced: set[int] = set()
    sources: dict[int, ast.Call] = {}
    downloaded: set[int] = set()
    for rename in renames:
        where = _position(rename.call)
        before = [
            site
            for site in writes
            if _position(site.call) < where and not _exclusive(site.call, rename.call, scope, ctx)
        ]
        connected = _connected_writes(rename, before, os_writes, where, ctx)
        download = None
        if connected is None:
            download = _downloaded_into(rename, downloads, where, scope, ctx)
            if download is None:
                continue
        else:
            temp_writes.update(id(site.call) for site in connected)
            if connected and all(site.api in _TREE_COPIES for site in connected):
                continue  # a tree staged beside the target and renamed: the idiom DET104 asks for
        if synced or _in_safe_helper(rename.call, ctx, cfg):
            continue
        if rename.dest is not None and _glob_reason(_template(rename.dest, ctx), cfg.exempt_paths):
            continue
        unsynced.add(id(rename.call))
        if download is not None:
            sources[id(rename.call)] = download
            downloaded.add(id(rename.call))
        elif connected:
            sources[id(rename.call)] = min(connected, key=lambda site: _position(site.call)).call
        else:  # written through ``os.write(fd, ...)``: name it when there is only one
            through_fd = [call for call in os_writes if _position(call) < where]
            if len(through_fd) == 1:
                sources[id(rename.call)] = through_fd[0]
    return _RenameFacts(frozenset(temp_writes), frozenset(unsynced), sources, frozenset(downloaded))


def _downloaded_into(
    rename: _Rename,
    downloads: list[tuple[ast.Call, list[ast.expr]]],
    where: tuple[int, int],
    scope: ScopeNode,
    ctx: Context,
) -> Optional[ast.Call]:
    """The first library download into the path ``rename`` moves, else ``None``."""
    key = _key(rename.source, ctx)
    for call, paths in downloads:
        if _position(call) >= where or _exclusive(call, rename.call, scope, ctx):
            continue
        if any(_key(path, ctx) == key for path in paths):
            return call
    return None


def _connected_writes(
    rename: _Rename, before: list[WriteSite], os_writes: list[ast.Call], where: tuple[int, int], ctx: Context
) -> Optional[list[WriteSite]]:
    """The writes whose file ``rename`` moves, or ``None`` when it moves something else."""
    source = rename.source
    key = _key(source, ctx)
    connected = [site for site in before if site.target is not None and _key(site.target, ctx) == key]
    if connected:
        return connected
    # ``with NamedTemporaryFile(..., delete=False) as tmp: ...`` then ``os.replace(tmp.name, p)``.
    if isinstance(source, ast.Attribute) and source.attr == "name" and isinstance(source.value, ast.Name):
        bind = _single_any(source.value, ctx)
        if bind is not None and bind.kind in ("with", "assign") and isinstance(bind.value, ast.Call):
            tmp = [site for site in before if site.call is bind.value]
            if tmp:
                return tmp
    # ``fd, tmp = mkstemp()``, written through ``os.fdopen(fd, "w")`` or ``os.write(fd, ...)``.
    if isinstance(source, ast.Name):
        bind = _single_any(source, ctx)
        if (
            bind is not None
            and bind.kind == "tuple"
            and bind.index == 1
            and isinstance(bind.value, ast.Call)
            and ctx.call_name(bind.value) == "tempfile.mkstemp"
        ):
            mkstemp = bind.value

            def same_fd(call: ast.Call) -> bool:
                fd = argument(call, 0, "fd")
                if not isinstance(fd, ast.Name):
                    return False
                fd_bind = _single_any(fd, ctx)
                return fd_bind is not None and fd_bind.kind == "tuple" and fd_bind.value is mkstemp

            through_fd = [site for site in before if site.api == _FDOPEN and same_fd(site.call)]
            if through_fd or any(_position(call) < where and same_fd(call) for call in os_writes):
                return through_fd
    return None


def _is_fsync(call: ast.Call, ctx: Context) -> bool:
    name = last_name(call.func)
    if name is None:
        return False
    if "fsync" in name or "fdatasync" in name:
        return True  # os.fsync, and helpers such as ``_fsync_dir``
    return ctx.call_name(call) in _FSYNCS


def _rename_facts(scope: ScopeNode, ctx: Context) -> _RenameFacts:
    return ctx.fact(_compute_rename_facts, scope)
