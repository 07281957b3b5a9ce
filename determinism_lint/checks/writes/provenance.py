"""Where a write target comes from: temporary files and directories, scratch names,
parameters fed temp paths, logs, profiles and other files that are not artifacts; how a
path expression is spelled once wrappers are set aside, and which branches exclude each
other. Facts layer: no libcst.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Optional

from .._util import argument, statement_nodes
from .bindings import _binds, _collect_binds, _single, _single_reaching
from .call_index import _calls_naming
from .callers import _fresh_unless_given, _passed_values
from .readers import recovering_readers
from .fresh_paths import fresh_path_call, fresh_value, values_from_other_modules
from .targets import _glob_reason, _is_fd, _is_handle, _is_path_yielding, _may_be_descriptor, _root, _template
from .vocabulary import (
    REASON_ATOMIC_TEMP,
    REASON_DEVNULL,
    REASON_FD,
    REASON_FIFO,
    REASON_FRESH_PATH,
    REASON_RECOVERING_READERS,
    REASON_REMOTE,
    REASON_REMOVED_DIR,
    REASON_STD_STREAM,
    REASON_TEMPDIR,
    REASON_TEMPFILE,
    REASON_TEMPNAME,
    REASON_TEMP_CALLERS,
    REASON_TEMP_PARAM,
    REASON_TEMP_WORKSPACE,
    _BUILTIN_GLOBS,
    _MAX_DEPTH,
    _OBJECT_STORE_RE,
    _STD_STREAMS,
    _TEMPFILE_SITES,
    _TEMP_NAME_GLOBS,
    _TEMP_ROOTS,
    _UNKNOWN,
    _UNWRAP,
    _Config,
    _config,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...names import ScopeNode


def _scratch_reason(target: ast.expr, ctx: Context, cfg: _Config) -> tuple[Optional[str], bool]:
    """``(reason, atomic)`` for targets in scratch space or in an atomic writer's temp path."""
    root = _root(target, ctx)
    if isinstance(root, ast.Call):
        name = ctx.call_name(root)
        if name in ("tempfile.mkdtemp", "tempfile.gettempdir") or _is_mktemp_fixture(root):
            return REASON_TEMPDIR, False
        if name == "tempfile.mktemp":
            return REASON_TEMPFILE, False
        if fresh_path_call(root, ctx):
            return REASON_FRESH_PATH, False
        return None, False
    if isinstance(root, ast.Attribute) and root.attr == "name":
        # ``NamedTemporaryFile().name``, ``tmp.name``, ``TemporaryDirectory().name``.
        maker: Optional[ast.expr] = root.value
        if isinstance(maker, ast.Name):
            bind = _single_reaching(maker, ctx)
            maker = bind.value if bind is not None and bind.kind in ("with", "assign") else None
        elif isinstance(maker, ast.Attribute):
            # ``self._td.name`` with ``self._td = tempfile.TemporaryDirectory()``, the only
            # assignment of ``self._td`` in the class (``None`` aside).
            made = [
                value
                for value in _self_assignments(maker, ctx)
                if not (isinstance(value, ast.Constant) and value.value is None)
            ]
            maker = made[0] if len(made) == 1 else None
        if isinstance(maker, ast.Call):
            name = ctx.call_name(maker)
            if name in _TEMPFILE_SITES:
                return REASON_TEMPFILE, False
            if name == "tempfile.TemporaryDirectory":
                return REASON_TEMPDIR, False
        return None, False
    if isinstance(root, ast.Attribute):
        return (REASON_TEMPDIR, False) if _temp_attribute(root, ctx) else (None, False)
    if isinstance(root, ast.Name):
        bind = _single_reaching(root, ctx)
        if bind is None and _fresh_unless_given(root, ctx):
            return REASON_FRESH_PATH, False
        if bind is None or not isinstance(bind.value, ast.Call):
            return None, False
        if bind.kind == "with":
            if ctx.call_name(bind.value) == "tempfile.TemporaryDirectory":
                return REASON_TEMPDIR, False
            if _is_path_yielding(bind.value, ctx, cfg):
                return REASON_ATOMIC_TEMP, True
        if bind.kind == "tuple" and bind.index == 1 and ctx.call_name(bind.value) == "tempfile.mkstemp":
            return REASON_TEMPFILE, False
    return None, False


def _is_mktemp_fixture(call: ast.Call) -> bool:
    """``tmp_path_factory.mktemp("data")``, ``tmpdir_factory.mktemp(...)``."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "mktemp"
        and isinstance(func.value, ast.Name)
        and func.value.id in ("tmp_path_factory", "tmpdir_factory")
    )


def _temp_attribute(expr: ast.Attribute, ctx: Context) -> bool:
    """``self.tmp_dir`` where every assignment of ``self.tmp_dir`` in the class makes a
    scratch path, apart from ``self.tmp_dir = None`` (or ``False``) before it is made or after
    it is removed: a temporary directory (``tempfile.mkdtemp()``, ``TemporaryDirectory().name``),
    a fresh path (``os.path.join(base, "job_%016x" % random.getrandbits(64))``, a per-job
    folder named with a random id), a path under another such attribute
    (``self.run_pickle = os.path.join(self.run_path, "job.pickle")``), or a path on a parameter
    that every caller fills with one (``def _dump(self, out_dir)`` called as
    ``self._dump(self.tmp_dir)``)."""
    assigned = [
        value
        for value in _self_assignments(expr, ctx)
        if not (isinstance(value, ast.Constant) and (value.value is None or value.value is False))
    ]
    if not assigned:
        return False
    owner = next((node for node in ctx.ancestors(expr) if isinstance(node, ast.ClassDef)), None)
    key = (id(owner), expr.attr)
    if key in _DECIDING:
        return False  # ``self.a`` made from ``self.b`` made from ``self.a``: no evidence
    _DECIDING.add(key)
    try:
        # Each assignment makes a scratch path, one of them without deriving it from the
        # attribute itself (``self.tmp_dir = self.tmp_dir[:255]`` alone is no evidence).
        grounded = [
            _makes_temp_dir(value, ctx)
            or fresh_value(value, ctx)
            or _scratch_reason(value, ctx, _config(ctx.settings))[0] in _SCRATCH_DIR_REASONS
            or _param_scratch_reason(value, ctx, _config(ctx.settings)) == REASON_TEMP_CALLERS
            for value in assigned
        ]
        return any(grounded) and all(
            made or fresh_value(value, ctx, expr.attr) for made, value in zip(grounded, assigned)
        )
    finally:
        _DECIDING.discard(key)


#: ``(class, attribute)`` pairs whose verdict is being decided (a guard against cycles).
_DECIDING: set[tuple[int, str]] = set()
_SCRATCH_DIR_REASONS = frozenset({REASON_TEMPDIR, REASON_TEMPFILE, REASON_FRESH_PATH})


def _self_assignments(expr: ast.Attribute, ctx: Context) -> list[ast.expr]:
    """The values assigned to ``self.<attr>`` anywhere in the enclosing class."""
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return []
    owner = next((node for node in ctx.ancestors(expr) if isinstance(node, ast.ClassDef)), None)
    if owner is None:
        return []
    return ctx.fact(_self_attribute_values, owner).get(expr.attr, [])


def _self_attribute_values(owner: ast.ClassDef, ctx: Context) -> dict[str, list[ast.expr]]:
    """``attribute -> values`` of every ``self.<attribute> = value`` in the class; a fact."""
    values: dict[str, list[ast.expr]] = {}
    for node in ast.walk(owner):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    values.setdefault(target.attr, []).append(node.value)
    return values


def _makes_temp_dir(value: ast.expr, ctx: Context) -> bool:
    while isinstance(value, ast.Call) and ctx.call_name(value) in _UNWRAP and value.args:
        value = value.args[0]
    if isinstance(value, ast.Attribute) and value.attr == "name" and isinstance(value.value, ast.Call):
        return ctx.call_name(value.value) == "tempfile.TemporaryDirectory"
    return isinstance(value, ast.Call) and ctx.call_name(value) in ("tempfile.mkdtemp", "tempfile.gettempdir")


def _name_reason(template: str, cfg: _Config) -> Optional[str]:
    """Why a path spelled ``template`` is not an artifact: a temp name, a marker file, an
    object-store URL, or an ``exempt-paths`` glob."""
    path = template.replace("\\", "/")
    if _OBJECT_STORE_RE.match(path):
        return REASON_REMOTE
    if path.startswith(_TEMP_ROOTS):
        return REASON_TEMPDIR
    parts = [part for part in path.split("/") if part and part != _UNKNOWN]
    last = path.rsplit("/", 1)[-1]
    if any(part in ("tmp", "temp") for part in parts) or (
        last and any(fnmatchcase(last, pattern) for pattern in _TEMP_NAME_GLOBS[2:])
    ):
        return REASON_TEMPNAME
    if last:
        for pattern, description in _BUILTIN_GLOBS:
            if fnmatchcase(last, pattern):
                return f"{description} ({pattern})"
    return _glob_reason(template, cfg.exempt_paths)


def _alternatives_reason(target: ast.expr, ctx: Context, cfg: _Config) -> Optional[str]:
    """A path named by a variable bound in several places: exempt when every spelling that
    says anything is exempt (``logfile`` is a parameter, or ``os.path.join(logdir, "x.log")``)."""
    for node in ast.walk(target):
        if not isinstance(node, ast.Name):
            continue
        binds = _binds(node, ctx)
        if len(binds) < 2:
            continue
        reasons = []
        for bind in binds:
            if bind.kind != "assign" or bind.value is None:
                continue
            template = _template(target, ctx, subst={node.id: bind.value})
            if not template.replace(_UNKNOWN, "").strip("/."):
                continue
            reason = _name_reason(template, cfg)
            if reason is None:
                return None
            reasons.append(reason)
        return reasons[0] if reasons else None
    return None


def _scope_calls(scope: ScopeNode, ctx: Context) -> dict[str, list[ast.Call]]:
    """Calls of ``scope`` (not nested scopes) by resolved name, for the few names asked."""
    found: dict[str, list[ast.Call]] = {}
    for node in ctx.fact(statement_nodes, scope):
        if isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if last in ("mkfifo", "rmtree", "remove", "unlink"):
                name = ctx.call_name(node) or (f".{last}" if isinstance(func, ast.Attribute) else None)
                if name is not None:
                    found.setdefault(name, []).append(node)
    return found


def _fifo_or_removed(target: ast.expr, call: ast.Call, ctx: Context) -> Optional[str]:
    """The same function makes the target a FIFO (``os.mkfifo``), or removes the file or its
    directory after the write (``shutil.rmtree(folder)``, ``os.remove(path)``): not an artifact."""
    scope = ctx.enclosing_scope(call)
    if isinstance(scope, ast.Lambda):
        return None
    calls = ctx.fact(_scope_calls, scope)
    if not calls:
        return None
    key = _key(target, ctx)
    for fifo in calls.get("os.mkfifo", ()):
        made = argument(fifo, 0, "path")
        if made is not None and _key(made, ctx) == key:
            return REASON_FIFO
    where = _position(call)
    root_key = ast.dump(_root(target, ctx))
    for name in ("shutil.rmtree", "os.remove", "os.unlink", ".unlink"):
        for removal in calls.get(name, ()):
            if _position(removal) <= where or _exclusive(call, removal, scope, ctx):
                continue
            removed = removal.func.value if name == ".unlink" else argument(removal, 0, "path")  # type: ignore[attr-defined]
            if removed is None:
                continue
            if name == "shutil.rmtree":
                if ast.dump(_root(removed, ctx)) == root_key:
                    return REASON_REMOVED_DIR
            elif _key(removed, ctx) == key:
                return REASON_REMOVED_DIR
    return None


#: Name parts that say a parameter holds a scratch path (``tmp``, ``tmp_dir``, ``scratch_path``).
_TEMP_TOKENS = frozenset({"tmp", "temp", "scratch", "tmpdir", "tempdir", "tmpfile", "tempfile", "tmppath"})


def _temp_named(name: str) -> bool:
    return any(token in _TEMP_TOKENS for token in name.lower().split("_") if token)


def _param_function(name: ast.Name, ctx: Context) -> Optional[ast.AST]:
    """The function ``name`` is a parameter of, when that parameter is its only binding."""
    for scope in ctx.resolver.enclosing_scopes(name):
        found = ctx.fact(_collect_binds, scope).get(name.id)
        if found:
            if len(found) == 1 and found[0].kind == "param" and isinstance(
                scope, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return scope
            return None
    return None


def _is_temp_expr(expr: ast.expr, ctx: Context, cfg: _Config) -> bool:
    """``expr`` is visibly a path in scratch space: made by ``tempfile`` or under a temporary
    directory, or spelled as a temp name. A caller's own parameter named ``tmp_dir`` is no
    evidence here: projects keep state in folders called ``tmp`` too."""
    if _scratch_reason(expr, ctx, cfg)[0] in (REASON_TEMPDIR, REASON_TEMPFILE):
        return True
    return _name_reason(_template(expr, ctx), cfg) in (REASON_TEMPNAME, REASON_TEMPDIR)


def _param_scratch_reason(target: ast.expr, ctx: Context, cfg: _Config) -> Optional[str]:
    """A path built on a parameter named as temporary (``tmp``, ``scratch_dir``), or on a
    parameter that every caller in the module fills with a temporary path (every caller in
    the other modules of the project, for a function this module never calls)."""
    root = _root(target, ctx)
    if not isinstance(root, ast.Name):
        return None
    function = _param_function(root, ctx)
    if function is None:
        return None
    if _temp_named(root.id):
        return REASON_TEMP_PARAM

    answers = ctx.fact(_temp_callers, function)
    found = answers.get(root.id)
    if found is None:
        found = answers[root.id] = _callers_pass_temp(function, root.id, ctx, cfg)
    return REASON_TEMP_CALLERS if found else None


def _temp_callers(function: ast.AST, ctx: Context) -> dict[str, bool]:
    """Per function: :func:`_callers_pass_temp` of each parameter asked so far."""
    return {}


def _callers_pass_temp(function: ast.AST, param: str, ctx: Context, cfg: _Config) -> bool:
    """Every caller of ``function`` (in this module, else in the others) passes a temporary
    path to ``param``."""
    values = _passed_values(function, param, ctx)
    if values is not None:
        return all(_is_temp_expr(value, ctx, cfg) for value in values)
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    if any(call for call in _calls_naming(function.name, ctx)):
        return False  # called here in a way not known statically
    elsewhere = values_from_other_modules(function, param, ctx)
    return elsewhere is not None and all(_is_temp_expr(value, where, cfg) for value, where in elsewhere)


def _temp_workspace(target: ast.expr, ctx: Context, cfg: _Config) -> bool:
    """``os.path.join(self.root_dir, "config")`` in a class that creates its instances in a
    temporary directory (``cls(..., mkdtemp())``, ``cls._from_entry(repo, tmp_dir)`` with
    ``tmp_dir = mkdtemp(...)``): the object's workspace is a scratch clone."""
    root = _root(target, ctx)
    base: ast.expr = root
    while isinstance(base, ast.Attribute):
        base = base.value
    if not (isinstance(root, ast.Attribute) and isinstance(base, ast.Name) and base.id == "self"):
        return False
    owner = next((node for node in ctx.ancestors(target) if isinstance(node, ast.ClassDef)), None)
    if owner is None:
        return False
    return ctx.fact(_made_in_temp_dir, owner)


def _made_in_temp_dir(owner: ast.ClassDef, ctx: Context) -> bool:
    """The class makes its instances in a temporary directory (``cls(..., mkdtemp())``); a fact."""
    cfg = _config(ctx.settings)
    own_names = ("cls", owner.name)
    for node in ast.walk(owner):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        head = func.value if isinstance(func, ast.Attribute) else func
        if not (isinstance(head, ast.Name) and head.id in own_names):
            continue
        passed = [*node.args, *(kw.value for kw in node.keywords)]
        if any(
            not isinstance(value, ast.Starred) and _scratch_reason(value, ctx, cfg)[0] == REASON_TEMPDIR
            for value in passed
        ):
            return True
    return False


def _delegating_wrapper(call: ast.Call, method: str, target: Optional[ast.expr], ctx: Context) -> bool:
    """``def to_csv(self, path_or_buf, ...): return Dataset(...).to_csv(path_or_buf, ...)``: a
    method that hands its own path parameter to another object's method of the same name.
    The write happens (and is reported) in that method; callers of the wrapper are writes too."""
    if not isinstance(target, ast.Name):
        return False
    function = ctx.enclosing_function(call)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or function.name != method:
        return False
    if not isinstance(ctx.parent(function), ast.ClassDef):
        return False
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return False
    return _param_function(target, ctx) is function


def _target_verdict(
    target: ast.expr, ctx: Context, cfg: _Config, *, handles: bool, call: Optional[ast.Call] = None
) -> tuple[str, Optional[str], bool]:
    """``(status, exempt_reason, atomic)``; status is ``"path"`` or ``"handle"`` (not a path)."""
    if handles and _is_handle(target, ctx, cfg):
        return "handle", None, False
    qualified = ctx.qualified_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
    if qualified is not None:
        if qualified == "os.devnull":
            return "path", REASON_DEVNULL, False
        if qualified in _STD_STREAMS or qualified.rsplit(".", 1)[0] in _STD_STREAMS:
            return "path", REASON_STD_STREAM, False
    if _is_fd(target, ctx):
        return "path", REASON_FD, False
    reason, atomic = _scratch_reason(target, ctx, cfg)
    if reason is not None:
        return "path", reason, atomic
    reason = _param_scratch_reason(target, ctx, cfg)
    if reason is None and _temp_workspace(target, ctx, cfg):
        reason = REASON_TEMP_WORKSPACE
    if reason is not None:
        return "path", reason, False
    if _may_be_descriptor(target, ctx):
        # What ``fix`` declines as a descriptor, a pipe end or a socket is not reported either.
        return "path", REASON_FD, False
    reason = _name_reason(_template(target, ctx), cfg) or _alternatives_reason(target, ctx, cfg)
    if reason is None and call is not None:
        reason = _fifo_or_removed(target, call, ctx)
    if reason is None and recovering_readers(target, ctx):
        reason = REASON_RECOVERING_READERS
    return "path", reason, False


# -- path spellings and exclusive branches (shared with the rename analysis) ----------------


def _key(expr: ast.expr, ctx: Context) -> str:
    """A spelling of a path expression that ignores ``str()``/``os.fspath()``/``Path()``
    wrappers and once-assigned aliases (``tmp_name = str(tmp)``)."""
    for _ in range(_MAX_DEPTH):
        if (
            isinstance(expr, ast.Call)
            and len(expr.args) == 1
            and not expr.keywords
            and not isinstance(expr.args[0], ast.Starred)
            and ctx.call_name(expr) in _UNWRAP
        ):
            expr = expr.args[0]
            continue
        if isinstance(expr, ast.Name):
            bind = _single(expr, ctx, "assign")
            if bind is not None and isinstance(bind.value, (ast.Name, ast.Call)):
                value: ast.expr = bind.value
                while (
                    isinstance(value, ast.Call)
                    and len(value.args) == 1
                    and not value.keywords
                    and ctx.call_name(value) in _UNWRAP
                ):
                    value = value.args[0]
                if isinstance(value, ast.Name) and value.id != expr.id:
                    expr = value
                    continue
        break
    return ast.dump(expr)


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _branches(node: ast.AST, scope: ScopeNode, ctx: Context) -> dict[int, str]:
    """For each ``if``/``try`` around ``node`` (inside ``scope``): the branch it sits in."""
    found: dict[int, str] = {}
    child = node
    for ancestor in ctx.ancestors(node):
        if ancestor is scope:
            break
        if isinstance(ancestor, ast.If):
            found[id(ancestor)] = "orelse" if any(child is s for s in ancestor.orelse) else "body"
        elif isinstance(ancestor, ast.Try):
            if isinstance(child, ast.ExceptHandler):
                found[id(ancestor)] = f"handler{id(child)}"
            elif any(child is s for s in ancestor.finalbody):
                found[id(ancestor)] = "finalbody"
            else:
                found[id(ancestor)] = "body"  # the body and its ``else``
        child = ancestor
    return found


def _exclusive(write: ast.AST, rename: ast.AST, scope: ScopeNode, ctx: Context) -> bool:
    """No run executes ``write`` and then ``rename``: other arms of one ``if``, or a ``try``
    body and one of its handlers (setting a failed file aside is not publishing it)."""
    mine = _branches(write, scope, ctx)
    theirs = _branches(rename, scope, ctx)
    for key, branch in mine.items():
        other = theirs.get(key)
        if other is not None and other != branch and "finalbody" not in (branch, other):
            return True
    return False
