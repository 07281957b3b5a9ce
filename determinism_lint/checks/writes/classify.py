"""Classification of one call: which DET1xx kind of write it is and whether it is exempt.
Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Optional

from .._util import argument, dotted, keyword, last_name
from .bindings import _binds
from .cli_outputs import _cli_output, _named_pipe
from .openers import (
    _alias_opener,
    _in_logging_handler,
    _in_transaction,
    _is_dump_file_arg,
    _known_not_a_path,
    _literal_mode,
    _looks_like_path_method,
    _mode_kind,
    _moded_site,
    _open_parts,
    _opener_parts,
    _os_open_site,
    _writes_nothing,
)
from .diagnostics import _child_process_log, _env_export_script, _profiler_dump
from .provenance import _delegating_wrapper, _self_assignments, _target_verdict
from .targets import _is_local_path, _is_path_yielding, _known_path_object
from .vocabulary import (
    REASON_APPEND,
    REASON_CHILD_LOG,
    REASON_CLI_OUTPUT,
    REASON_DEV_TASK,
    REASON_EMPTY,
    REASON_ENV_SCRIPT,
    REASON_FD,
    REASON_FIGURE,
    REASON_LOG_HANDLER,
    REASON_NAMED_PIPE,
    REASON_PROFILE,
    REASON_TEMPFILE,
    _DUMPERS,
    _FDOPEN,
    _FIGURE_WRITERS,
    _METHODS_WITH_MODE,
    _METHOD_PATH_KEYWORDS,
    _METHOD_WRITERS,
    _OS_OPEN,
    _PATH_METHODS,
    _PATH_OPEN_API,
    _PATH_WRITERS,
    _TEMPFILE_SITES,
    WriteSite,
    _Config,
    _config,
    _local_aliases,
    _module_aliases,
    _safe_match,
    _worth_a_look,
)

if TYPE_CHECKING:
    from ...context import Context


# -- classification -------------------------------------------------------------------------


def _writes_empty_text(call: ast.Call) -> bool:
    """``path.write_text("")``, ``path.write_bytes(b"")``: the file is emptied, nothing a
    crash could tear."""
    data = call.args[0] if call.args else None
    return isinstance(data, ast.Constant) and data.value in ("", b"")


def _classify(call: ast.Call, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    site = _classify_call(call, ctx, cfg)
    if site is None or not site.is_hazard:
        return site
    if site.kind == "open" and site.api != _OS_OPEN and _writes_nothing(call, ctx):
        return _replace_reason(site, REASON_EMPTY)
    if site.kind == "path-method" and _writes_empty_text(call):
        return _replace_reason(site, REASON_EMPTY)
    if _in_logging_handler(call, ctx):
        return _replace_reason(site, REASON_LOG_HANDLER)
    if _in_dev_task(call, ctx):
        return _replace_reason(site, REASON_DEV_TASK)
    if _profiler_dump(call, site.target, ctx):
        return _replace_reason(site, REASON_PROFILE)
    if site.kind == "open" and _child_process_log(call, ctx):
        return _replace_reason(site, REASON_CHILD_LOG)
    if site.kind == "open" and _env_export_script(call, ctx):
        return _replace_reason(site, REASON_ENV_SCRIPT)
    if site.target is not None and _named_pipe(site.target, ctx):
        return _replace_reason(site, REASON_NAMED_PIPE)
    if site.target is not None and _cli_output(site.target, ctx):
        return _replace_reason(site, REASON_CLI_OUTPUT)
    if site.api in ("fs.open", "fsspec.open") and _in_transaction(call, ctx):
        # fsspec writes into a temp file and moves it into place when the transaction ends.
        return WriteSite(call, site.api, site.mode, site.target, None, atomic=True, kind=site.kind)
    return site


#: Decorators of the task runners that drive a repository's development chores.
_DEV_TASK_DECORATORS = frozenset({"invoke.task", "invoke.tasks.task", "nox.session", "fabric.task"})


def _in_dev_task(call: ast.Call, ctx: Context) -> bool:
    """The write is in an ``@invoke.task`` / ``@nox.session`` / ``@fabric.task`` function: a
    development chore of the repository (install a git hook, build the docs, bump a version)
    that its maintainer reruns, not pipeline code."""
    for node in ctx.ancestors(call):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            spelled = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(spelled, (ast.Name, ast.Attribute)) and ctx.qualified_name(spelled) in _DEV_TASK_DECORATORS:
                return True
    return False


def _classify_call(call: ast.Call, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    func = call.func
    safe = _safe_match(call, ctx, cfg)
    if safe is not None:
        api, index = safe
        mode_arg = argument(call, 1, "mode")
        mode = _literal_mode(mode_arg, ctx) if mode_arg is not None else None
        return WriteSite(call, api, mode, argument(call, index), None, atomic=True, kind="safe")
    resolved = ctx.call_name(call)
    method = func.attr if isinstance(func, ast.Attribute) else None

    extra_index = cfg.extra_dotted.get(resolved or "")
    if extra_index is None and method is not None:
        extra_index = cfg.extra_methods.get(method)
    if extra_index is not None:
        api = resolved if resolved in cfg.extra_dotted else f".{method}"
        return _path_writer_site(call, api, argument(call, extra_index), None, ctx, cfg, figure_exempt=False)

    parts = None
    if cfg.extra_openers:
        spelled = resolved or dotted(func) or ""
        for entry, opener in cfg.extra_openers.items():
            if spelled == entry or spelled.endswith("." + entry.lstrip(".")) and (
                entry.startswith(".") or "." in spelled
            ):
                parts = _opener_parts(call, opener, ctx)
                break
    if parts is None:
        parts = _open_parts(call, resolved, ctx)
    if parts is None and resolved is None and isinstance(func, ast.Name):
        parts = _alias_opener(call, ctx)
    if parts is not None:
        return _open_site(call, parts, ctx, cfg)
    if resolved == _OS_OPEN:
        return _os_open_site(call, ctx, cfg)

    if resolved in _DUMPERS:
        return _dump_site(call, resolved, ctx, cfg)

    writer = _PATH_WRITERS.get(resolved or "")
    if writer is not None:
        target = argument(call, writer.index, writer.keywords[0])
        return _path_writer_site(call, resolved, target, None, ctx, cfg, figure_exempt=True)  # type: ignore[arg-type]

    if resolved is not None and (resolved in _TEMPFILE_SITES or resolved == _FDOPEN):
        return _scratch_site(call, resolved, ctx)

    if method is None or resolved is not None and not resolved.startswith("pathlib."):
        return None
    if method in _PATH_METHODS:
        if resolved is None:
            if not isinstance(func, ast.Attribute):  # a method: always an attribute
                return None
            if not _looks_like_path_method(call, method, ctx) or not _path_receiver(func.value, ctx):
                return None
            target = func.value
        else:
            target = argument(call, 0, "self")
        return _path_method_site(call, f"pathlib.Path.{method}", target, ctx, cfg)
    if resolved is not None:
        return None
    if method in _METHOD_WRITERS:
        target = argument(call, 0)
        by_keyword = False
        if target is None:
            for name in _METHOD_PATH_KEYWORDS:
                target = keyword(call, name)
                if target is not None:
                    by_keyword = True
                    break
        if target is not None and _visibly_not_a_path(target, ctx):
            return None  # ``console.write_json(data)`` with ``data: dict``: not a frame writer
        if _delegating_wrapper(call, method, target, ctx):
            return None
        if not isinstance(ctx.parent(call), ast.Expr) and not (
            target is not None and (by_keyword or _writes_given_path(call, target, ctx))
        ):
            # A call whose result is used returns text (``df.to_csv()``) or is another
            # class's method (``obj.to_json(x)``), unless the argument is visibly a path.
            return None
        mode_expr = keyword(call, "mode") if method in _METHODS_WITH_MODE else None
        mode = _literal_mode(mode_expr, ctx) if mode_expr is not None else None
        return _path_writer_site(call, f".{method}", target, mode, ctx, cfg, figure_exempt=True)
    if method == "savefig":
        return _path_writer_site(call, ".savefig", argument(call, 0, "fname"), None, ctx, cfg, figure_exempt=True)
    return None


def _visibly_not_a_path(expr: ast.expr, ctx: Context) -> bool:
    """A literal container or number, or a name annotated or built as something else."""
    if isinstance(expr, (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(expr, ast.Constant):
        return not isinstance(expr.value, (str, bytes))
    return _known_not_a_path(expr, ctx)


_PATHISH_NAME_RE = re.compile(
    r"(?:^|_)(?:path|filepath|filename|fname|file_?path|path_or_buf|output_?file|out_?file|dest(?:ination)?)$", re.I
)


def _writes_given_path(call: ast.Call, target: ast.expr, ctx: Context) -> bool:
    """``return ds.to_parquet(path_or_buf, storage_options=...)``, ``n = df.to_csv(out / "a.csv")``:
    the result is used, but the argument is visibly where a file goes."""
    if keyword(call, "storage_options") is not None:
        return True
    if isinstance(target, ast.Constant):
        return isinstance(target.value, str) and ("/" in target.value or "." in target.value)
    if _is_local_path(target, ctx, allow_str=False):
        return True
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else None
    return name is not None and _PATHISH_NAME_RE.search(name) is not None


#: Attributes only a path has: a receiver used with one of them elsewhere in the function
#: is a path (``text = file.read_text(); file.write_text(text)``).
_PATH_ONLY_ATTRIBUTES = frozenset(
    {"read_text", "read_bytes", "is_file", "is_dir", "with_suffix", "with_name", "with_stem", "suffix", "stem",
     "parent", "parents", "iterdir", "touch", "unlink", "mkdir", "resolve", "relative_to", "is_symlink", "rglob"}
)


def _path_receiver(receiver: ast.expr, ctx: Context, depth: int = 0) -> bool:
    """``receiver.write_text(...)`` is ``Path.write_text`` by evidence: the receiver is built
    as a path, annotated with a path type, made by a class named ``...Path``, or used with
    attributes only paths have. Formatters, consoles and stores have ``write_text`` too."""
    if _known_path_object(receiver, ctx):
        return True
    if isinstance(receiver, ast.Call):
        called = last_name(receiver.func) or ""
        return called.endswith("Path") or called in ctx.fact(_path_returning_functions, ctx.tree)
    if isinstance(receiver, ast.Attribute):
        assigned = _self_assignments(receiver, ctx)
        return bool(assigned) and all(
            _is_local_path(value, ctx, allow_str=False) or (
                isinstance(value, ast.Call) and (last_name(value.func) or "").endswith("Path")
            )
            for value in assigned
        )
    if not isinstance(receiver, ast.Name):
        return False
    binds = _binds(receiver, ctx)
    if len(binds) == 1 and binds[0].value is not None:
        bind = binds[0]
        if bind.kind == "param":
            annotation = bind.value
            text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation) if annotation else ""
            if isinstance(text, str) and "Path" in text:
                return True
        elif bind.kind == "assign" and bind.value is not None and depth < 4 and bind.value is not receiver:
            if _path_receiver(bind.value, ctx, depth + 1):
                return True
        elif bind.kind == "with" and _is_path_yielding(bind.value, ctx, _config(ctx.settings)):
            return True
    from .._util import local_names

    scope = ctx.enclosing_scope(receiver)
    for use in ctx.fact(local_names, scope).get(receiver.id, ()):
        parent = ctx.parent(use)
        if isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in _PATH_ONLY_ATTRIBUTES:
            return True
    return False


def _path_returning_functions(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """Functions and methods of this module whose every definition is annotated ``-> Path``;
    a fact of the module."""
    verdicts: dict[str, bool] = {}
    for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)):
        returns = node.returns  # type: ignore[attr-defined]
        text = "" if returns is None else returns.value if isinstance(returns, ast.Constant) else ast.unparse(returns)
        name = node.name  # type: ignore[attr-defined]
        verdicts[name] = verdicts.get(name, True) and isinstance(text, str) and "Path" in text
    return frozenset(name for name, ok in verdicts.items() if ok)


def _scratch_site(call: ast.Call, api: str, ctx: Context) -> Optional[WriteSite]:
    """``NamedTemporaryFile(...)``, ``os.fdopen(fd, "w")``: written, but never the artifact."""
    if api == _FDOPEN:
        default, mode_expr, reason = "r", argument(call, 1, "mode"), REASON_FD
    else:
        default, mode_expr, reason = _TEMPFILE_SITES[api], argument(call, 0, "mode"), REASON_TEMPFILE
    mode = default if mode_expr is None else _literal_mode(mode_expr, ctx)
    if mode is not None and _mode_kind(mode) in ("read", "invalid"):
        return None
    return WriteSite(call, api, mode, None, reason, kind="scratch")


def _open_site(
    call: ast.Call,
    parts: tuple[str, Optional[ast.expr], Optional[str], bool],
    ctx: Context,
    cfg: _Config,
) -> Optional[WriteSite]:
    if _is_dump_file_arg(call, ctx) or _unproven_path_open(call, parts, ctx):
        return None
    api, target, mode, known = parts
    return _moded_site(call, api, target, mode if known else None, "open", ctx, cfg)


def _unproven_path_open(
    call: ast.Call, parts: tuple[str, Optional[ast.expr], Optional[str], bool], ctx: Context
) -> bool:
    """``x.open("w")`` (a mode, no path) where nothing shows that ``x`` is a ``pathlib`` path.
    Other objects have an ``open(mode)`` of their own: a pipeline target whose ``open("w")``
    writes a temp file and renames it on close (``self.output().open("w")``), a blob handle,
    an archive member. Reported only for a receiver that is a path by evidence (see
    :func:`_path_receiver`)."""
    api, target = parts[0], parts[1]
    if api != _PATH_OPEN_API or target is None or ctx.call_name(call) is not None:
        return False
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else None
    if name is not None and _PATHISH_NAME_RE.search(name) is not None:
        return False  # ``out_path.open("w")``: named as a path, and ``str`` has no ``open``
    return not _path_receiver(target, ctx)


def _dump_site(call: ast.Call, api: str, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    """``json.dump(obj, open(p, "w"))``: the dump is the site, with the open's path and mode."""
    file_arg = argument(call, 1, _DUMPERS[api][0])
    if not isinstance(file_arg, ast.Call) or not _worth_a_look(file_arg.func, ctx, cfg):
        return None
    parts = _open_parts(file_arg, ctx.call_name(file_arg), ctx)
    if parts is None or _unproven_path_open(file_arg, parts, ctx):
        return None
    _, target, mode, known = parts
    return _moded_site(call, api, target, mode if known else None, "dump", ctx, cfg)


def _path_method_site(
    call: ast.Call, api: str, target: Optional[ast.expr], ctx: Context, cfg: _Config
) -> WriteSite:
    reason: Optional[str] = None
    atomic = False
    if target is not None:
        _, reason, atomic = _target_verdict(target, ctx, cfg, handles=False, call=call)
    return WriteSite(call, api, "w", target, reason, atomic=atomic, kind="path-method")


def _path_writer_site(
    call: ast.Call,
    api: str,
    target: Optional[ast.expr],
    mode: Optional[str],
    ctx: Context,
    cfg: _Config,
    *,
    figure_exempt: bool,
) -> Optional[WriteSite]:
    if target is None or (isinstance(target, ast.Constant) and target.value is None):
        return None  # ``df.to_csv()`` returns the text; nothing is written
    status, reason, atomic = _target_verdict(target, ctx, cfg, handles=True, call=call)
    if status == "handle":
        return None  # a file object or buffer: whoever opened it owns the verdict
    if reason is None and mode is not None and _mode_kind(mode) == "append":
        reason = REASON_APPEND
    if reason is None and figure_exempt and api in _FIGURE_WRITERS:
        reason = REASON_FIGURE
    return WriteSite(call, api, mode, target, reason, atomic=atomic, kind="path-writer")


def _raw_write_site(call: ast.Call, ctx: Context) -> Optional[WriteSite]:
    # Most calls are not writes: decide that from the spelling alone, before any lookup.
    settings = ctx.settings
    cfg = _config(settings)
    func = call.func
    cls = func.__class__
    if cls is ast.Attribute:
        if func.attr not in cfg.attr_names:  # type: ignore[attr-defined]
            return None
    elif cls is ast.Name:
        name_id = func.id  # type: ignore[attr-defined]
        if name_id not in cfg.name_ids and name_id not in _module_aliases(ctx) and (
            name_id not in _local_aliases(ctx)
        ):
            return None
    else:
        return None
    return ctx.fact(_classified, call)


def _classified(call: ast.Call, ctx: Context) -> Optional[WriteSite]:
    """The write site of ``call`` under the file's write vocabulary; a fact of the call."""
    return _classify(call, ctx, _config(ctx.settings))


def _replace_reason(site: WriteSite, reason: str) -> WriteSite:
    return WriteSite(site.call, site.api, site.mode, site.target, reason, atomic=site.atomic, kind=site.kind)
