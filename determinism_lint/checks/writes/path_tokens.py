"""The tokens that name a file in a path expression: the literal parts of its name, the
module-level constants and attributes it is built from, and inside one function the local name
that holds it (see :mod:`.consumers`). A file derived from another (in its folder, with a
suffix) is named by the other's tokens with a mark, so it only matches a path derived the same
way.

Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from .._util import last_name, local_nodes, parameter_default
from .bindings import _Bind, _collect_binds, _reaching_binds
from .readers import _module_level_names

if TYPE_CHECKING:
    from ...context import Context

_NOT_THE_FILE = frozenset({"dirname", "split", "splitext", "basename", "commonpath", "makedirs", "mkdir"})
#: Methods that build a path from another one: the file is named by their receiver.
_PATH_METHODS = frozenset(
    {
        "join", "joinpath", "format", "replace", "strip", "rstrip", "lstrip", "lower", "upper", "get", "with_suffix",
        "with_name", "with_stem", "resolve", "absolute", "expanduser", "as_posix", "__fspath__", "encode",
        "decode", "relative_to", "open", "exists", "is_file", "is_dir", "stat", "read_text", "read_bytes",
    }
)
_SEPARATORS = frozenset({"sep", "altsep", "extsep", "pathsep", "curdir", "pardir", "linesep"})
_NOT_THE_FILE_ATTRS = frozenset({"parent", "parents", "stem", "suffix", "suffixes"})
#: Names and attributes that say nothing about which file is meant.
_GENERIC_NAMES = frozenset(
    {
        "path", "paths", "file", "files", "filename", "filenames", "file_name", "fname", "filepath", "file_path",
        "name", "dir", "dirname", "directory", "folder", "root", "output", "outputs", "out", "output_path",
        "output_file", "output_dir", "out_dir", "out_path", "out_file", "dst", "dest", "destination", "src",
        "source", "target", "tmp", "temp", "data", "args", "kwargs", "opts", "options", "cfg", "config", "base",
        "basedir", "base_dir", "base_path", "save_dir", "save_path", "save_directory", "local_path", "local_dir",
        "cache_dir", "work_dir", "workdir", "log_dir", "os", "sep", "self", "cls", "p", "f", "fn", "fp", "d", "x",
        "cwd", "home", "prefix", "suffix", "ext", "extension", "key", "value", "item", "obj", "result", "results",
        "model", "state", "path_or_buf", "str", "join", "location", "uri", "url", "dirpath", "folder_path",
    }
)
#: Literal parts too common to say which file is meant.
_GENERIC_LITERALS = frozenset(
    {
        "data", "cache", "output", "outputs", "tmp", "temp", "models", "model", "logs", "log", "results", "src",
        "lib", "build", "dist", "files", "raw", "processed", "utf-8", "utf8", "ascii", "latin-1", "wb", "rb", "ab",
        "w+", "r+", "a+", "config", "checkpoints", "checkpoint", "default", "test", "train", "none", "true",
        "false",
    }
)
_EXTENSION_ONLY = re.compile(r"^\.?[A-Za-z0-9]{1,6}$")
_LETTER = re.compile(r"[A-Za-z]")
_MAX_DEPTH = 6
_WORD = re.compile(r"[\w\-]+")

@dataclass
class _Found:
    """What a path expression is named by: tokens only this module can match (local names of
    a function, attributes as plain as ``self.path``), tokens any module can match, and the
    parameters it is built from (whose callers name the file)."""

    local: set[str] = field(default_factory=set)
    shared: set[str] = field(default_factory=set)
    #: (function, parameter, mark): the file is named by what callers pass for the parameter,
    #: derived by the mark (see :func:`_derived`).
    params: list[tuple[ast.AST, str, str]] = field(default_factory=list)
    #: A file name token -> the tokens of the folders it was joined to (``join(out_dir,
    #: "config.yaml")``): two files of one name in folders known to differ are not one file.
    folders: dict[str, set[str]] = field(default_factory=dict)

    def sharing(self) -> _Found:
        """The same tokens, without collecting parameters (a value a caller passes, a path a
        helper returns: their parameters are not the writer's)."""
        return _Found(self.local, self.shared, folders=self.folders)

    def in_folders(self, names: set[str], folders: list[ast.expr], ctx: Context, depth: int) -> None:
        """Record that the file names ``names`` sit in ``folders``."""
        if not names or not folders:
            return
        tokens = folder_tokens(folders, ctx, depth + 1)
        if tokens:
            for name in names:
                self.folders.setdefault(name, set()).update(tokens)


def folder_tokens(folders: list[ast.expr], ctx: Context, depth: int = 0) -> set[str]:
    """The tokens of the folders a file sits in (local and shared alike)."""
    where = _Found()
    for folder in folders:
        _tokens(folder, ctx, where, depth)
    return where.local | where.shared


def _tokens(
    expr: ast.expr,
    ctx: Context,
    found: _Found,
    depth: int,
) -> None:
    if depth > _MAX_DEPTH:
        return
    cls = expr.__class__
    if cls is ast.Constant:
        value = expr.value  # type: ignore[attr-defined]
        if isinstance(value, str):
            _literal_tokens(value, found.shared)
    elif cls is ast.JoinedStr:
        parts = expr.values  # type: ignore[attr-defined]
        last = parts[-1] if parts else None
        if (
            len(parts) > 1 and isinstance(last, ast.Constant) and isinstance(last.value, str)
            and "/" not in last.value and not _names_a_file(last.value)
        ):
            # ``f"{path}.json"``: another file than ``path``, named by it and the suffix.
            _derived(ast.JoinedStr(values=parts[:-1]), "~" + last.value, ctx, found, depth)
            return
        if isinstance(last, ast.Constant) and isinstance(last.value, str) and "/" in last.value:
            names: set[str] = set()
            _literal_tokens(last.value, names)
            if names:
                # ``f"{out_dir}/config.yaml"``: the file ``config.yaml`` in the folder ``out_dir``
                # (as ``os.path.join(out_dir, "config.yaml")``: the folder names no file).
                found.shared |= names
                found.in_folders(
                    names, [part.value for part in parts if isinstance(part, ast.FormattedValue)], ctx, depth
                )
                return
        for part in parts:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                _literal_tokens(part.value, found.shared)
            elif isinstance(part, ast.FormattedValue):
                _tokens(part.value, ctx, found, depth + 1)
    elif cls is ast.Name:
        _name_tokens(expr, ctx, found, depth)  # type: ignore[arg-type]
    elif cls is ast.Attribute:
        attr = expr.attr  # type: ignore[attr-defined]
        if attr in _NOT_THE_FILE_ATTRS:
            return
        if attr in _SEPARATORS:
            return
        # ``self.cache_dir``: an attribute names the same file in every function of the
        # module; one with a name as plain as ``self.path`` only there.
        (found.local if attr.lower() in _GENERIC_NAMES else found.shared).add(f".{attr}")
    elif cls is ast.Call:
        func = expr.func  # type: ignore[attr-defined]
        if last_name(func) in _NOT_THE_FILE:
            return
        spelled = ctx.call_name(expr)  # type: ignore[arg-type]
        joins = (spelled or "") in _JOINS or isinstance(func, ast.Attribute) and func.attr == "joinpath"
        arguments = expr.args  # type: ignore[attr-defined]
        if joins and arguments and not any(isinstance(arg, ast.Starred) for arg in arguments):
            parts = list(expr.args)  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute) and func.attr == "joinpath":
                parts.insert(0, func.value)
            _file_part(parts[-1], parts[:-1], ctx, found, depth)
            return
        for arg in expr.args:  # type: ignore[attr-defined]
            _tokens(arg.value if isinstance(arg, ast.Starred) else arg, ctx, found, depth + 1)
        for item in expr.keywords:  # type: ignore[attr-defined]
            _tokens(item.value, ctx, found, depth + 1)
        helper = last_name(func)
        if helper and ctx.qualified_name(func) is None and helper not in _PATH_METHODS:
            # ``self._metadata_filename()``: the path a function of this module returns.
            for returned in ctx.fact(_module_returns, ctx.tree).get(helper, ()):
                _tokens(returned, ctx, found.sharing(), depth + 1)
        if isinstance(func, ast.Attribute) and ctx.qualified_name(func) is None:
            if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") and not (
                expr.args or expr.keywords  # type: ignore[attr-defined]
            ):
                found.shared.add(f"{func.attr}()")  # ``self.output().path``: what ``output()`` returns
            _tokens(func.value, ctx, found, depth + 1)  # ``p.with_suffix(".json")``
    elif cls is ast.Subscript:
        _tokens(expr.value, ctx, found, depth + 1)  # type: ignore[attr-defined]
        index = expr.slice  # type: ignore[attr-defined]
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            _literal_tokens(index.value, found.shared)
    elif cls is ast.BinOp and isinstance(expr.op, ast.Div):  # type: ignore[attr-defined]
        _file_part(expr.right, [expr.left], ctx, found, depth)  # type: ignore[attr-defined]
    elif cls is ast.BinOp and _adds_suffix(expr):  # type: ignore[arg-type]
        # ``args.input + ".shard"``: another file than ``args.input``, named by the suffix.
        suffix = expr.right.value  # type: ignore[attr-defined]
        if "/" in suffix or _names_a_file(suffix):
            _literal_tokens(suffix, found.shared)  # ``out + "/state.json"``: the file ``state.json``
        else:
            _derived(expr.left, "~" + suffix, ctx, found, depth)  # type: ignore[attr-defined]
    elif cls is ast.BinOp:
        _tokens(expr.left, ctx, found, depth + 1)  # type: ignore[attr-defined]
        _tokens(expr.right, ctx, found, depth + 1)  # type: ignore[attr-defined]
    elif cls is ast.IfExp:
        _tokens(expr.body, ctx, found, depth + 1)  # type: ignore[attr-defined]
        _tokens(expr.orelse, ctx, found, depth + 1)  # type: ignore[attr-defined]
    elif cls in (ast.List, ast.Tuple):
        for element in expr.elts:  # type: ignore[attr-defined]
            _tokens(element, ctx, found, depth + 1)


_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})


def _adds_suffix(expr: ast.BinOp) -> bool:
    """``prefix + ".shard"``: a string with a literal suffix."""
    return isinstance(expr.op, ast.Add) and isinstance(expr.right, ast.Constant) and isinstance(expr.right.value, str)


def _file_part(
    last: ast.expr,
    folders: list[ast.expr],
    ctx: Context,
    found: _Found,
    depth: int,
) -> None:
    """A path joined from ``folders`` and ``last``: the file is named by its last part
    (``os.path.join(run_dir, "metrics.csv")`` is not ``run_dir``: an existence check of the
    folder reads no file of it); by its folders only when the last part names nothing
    (``f"{i}.npy"``)."""
    own = _Found(params=found.params)
    _tokens(last, ctx, own, depth + 1)
    found.local |= own.local
    found.shared |= own.shared
    for name, where in own.folders.items():
        found.folders.setdefault(name, set()).update(where)
    if own.shared or not isinstance(last, (ast.JoinedStr, ast.Constant, ast.BinOp)):
        found.in_folders(own.local | own.shared, folders, ctx, depth)
        return  # named by a literal, or by a variable that holds the file's name
    # ``os.path.join(path, f"{node_type}.pt")``: a name made of local values only; the folder
    # says which file is meant.
    # A file in the folder, not the folder itself: an existence check of ``run_dir`` (or the
    # ``makedirs`` before the write) names no file in it; ``join(run_dir, f"{i}.npy")`` does.
    for folder in folders:
        _derived(folder, "/*", ctx, found, depth)


def _derived(expr: ast.expr, mark: str, ctx: Context, found: _Found, depth: int) -> None:
    """The tokens of ``expr``, each marked as naming another file derived from it (a file in
    that folder, the name with a suffix): they match only a path derived the same way."""
    own = _Found()
    _tokens(expr, ctx, own, depth + 1)
    found.local.update(token + mark for token in own.local)
    found.shared.update(token + mark for token in own.shared)
    found.params.extend((function, param, inner + mark) for function, param, inner in own.params)


def _marked(expr: ast.expr, mark: str, ctx: Context, found: _Found, depth: int) -> None:
    if mark:
        _derived(expr, mark, ctx, found, depth - 1)
    else:
        _tokens(expr, ctx, found, depth)


def _names_a_file(text: str) -> bool:
    """The literal has a name of its own (``_metadata.pkl``), not just an extension (``.json``)."""
    probe: set[str] = set()
    _literal_tokens(text, probe)
    return bool(probe)


def _literal_tokens(text: str, shared: set[str]) -> None:
    segments = [segment for segment in re.split(r"[/\\]", text) if segment.strip()]
    # ``"docs/source/_toctree.yml"`` names the file ``_toctree.yml``; its folders name no file.
    for part in segments[-1:]:
        part = part.strip()
        if len(part) < 3 or not _LETTER.search(part) or part.lower() in _GENERIC_LITERALS:
            continue
        if _EXTENSION_ONLY.match(part) and part.startswith("."):
            continue  # ``".json"``: an extension names no file
        shared.add(part)


def _name_tokens(
    name: ast.Name,
    ctx: Context,
    found: _Found,
    depth: int,
) -> None:
    scope = ctx.enclosing_function(name)
    binds = ctx.fact(_collect_binds, scope).get(name.id) if scope is not None else None
    if binds:
        # The bindings that can reach this use (``with open(src) as f: load(f)`` is not the
        # later ``with open(dst, "w") as f``); a name bound more than once names a file per
        # set of reaching bindings (``index = join(part, "index.json")`` read in the loop,
        # ``index = join(root, "index.json")`` written after it).
        reaching = _dominated(name, ctx, _reaching_binds(name, ctx) or binds)
        token = _local_token(scope, name.id)  # type: ignore[arg-type]
        if len(binds) > 1:
            token += "#" + ",".join(str(line) for line in sorted({bind.line for bind in reaching}))
        if token in found.local:
            return  # followed already (``p = p``, a name bound many times): once per reaching set
        found.local.add(token)
        for bind in reaching:
            if bind.kind == "param":
                if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and (scope, name.id, "") not in found.params:
                    found.params.append((scope, name.id, ""))
                    default = parameter_default(scope, name.id)
                    if isinstance(default, (ast.Name, ast.Attribute, ast.Constant)):
                        _tokens(default, ctx, found, depth + 1)  # ``name=CONFIG_NAME``: the file unless told
            elif bind.kind in ("assign", "with") and bind.value is not None and bind.value is not name:
                _tokens(bind.value, ctx, found, depth + 1)
        return
    # Not bound in its function: a constant names the same file everywhere; a name as plain as
    # ``path`` names one only at module level (in a closure it is another function's local).
    constants = ctx.fact(_module_constants, ctx.tree)
    if name.id.lower() not in _GENERIC_NAMES:
        found.shared.add(name.id)  # ``CONFIG_NAME``, ``VOCAB_FILE``
    elif name.id in constants or name.id in ctx.fact(_module_level_names, ctx.tree):
        found.local.add(name.id)  # a module-level ``path``: the same file in this module only
    value = constants.get(name.id)
    if value is not None:
        _literal_tokens(value, found.shared)


#: A function name defined more often than this in one module is not followed to its returns.
_MAX_SAME_NAME = 3


def _module_returns(tree: ast.Module, ctx: Context) -> dict[str, tuple[ast.expr, ...]]:
    """Function or method name -> the values its ``return`` statements give, for the
    functions of this module (all definitions of a name together)."""
    found: dict[str, list[ast.expr]] = {}
    counts: dict[str, int] = {}
    for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)):
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        counts[node.name] = counts.get(node.name, 0) + 1
        found.setdefault(node.name, []).extend(
            inner.value for inner in ctx.fact(local_nodes, node) if isinstance(inner, ast.Return) and inner.value is not None
        )
    return {name: tuple(values) for name, values in sorted(found.items()) if counts[name] <= _MAX_SAME_NAME}


def _local_token(scope: ast.AST, name: str) -> str:
    return f"\x00{getattr(scope, 'lineno', 0)}:{getattr(scope, 'col_offset', 0)}:{name}"


def _module_constants(tree: ast.Module, ctx: Context) -> dict[str, str]:
    """Module-level names assigned a string literal: ``CONFIG_NAME = "config.json"``."""
    found: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and isinstance(
            statement.value.value, str
        ):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = statement.value.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and isinstance(
            statement.value, ast.Constant
        ) and isinstance(statement.value.value, str):
            found[statement.target.id] = statement.value.value
    return found


def _dominated(name: ast.Name, ctx: Context, reaching: tuple[_Bind, ...] | list[_Bind]) -> list[_Bind]:
    """Drop the bindings an assignment on the way to ``name`` overwrites: ``index =
    join(part, "index.json")`` in a loop, then ``index = join(root, "index.json")`` and a use
    after it in the same block: only the second reaches."""
    latest: Optional[int] = None
    for bind in reaching:
        statement = ctx.parent(bind.value) if bind.kind == "assign" and bind.value is not None else None
        if not isinstance(statement, ast.Assign) or statement.lineno >= name.lineno:
            continue
        if _same_block_before(statement, name, ctx) and (latest is None or statement.lineno > latest):
            latest = statement.lineno
    if latest is None:
        return list(reaching)
    return [bind for bind in reaching if bind.line >= latest]


def _same_block_before(statement: ast.stmt, use: ast.AST, ctx: Context) -> bool:
    """``statement`` sits in a block that also holds (an ancestor of) ``use``, before it: every
    path to ``use`` runs it."""
    block_owner = ctx.parent(statement)
    node: Optional[ast.AST] = use
    while node is not None:
        parent = ctx.parent(node)
        if parent is block_owner:
            for field_name in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(parent, field_name, None)
                if isinstance(block, list) and any(item is statement for item in block):
                    return any(item is node for item in block)
            return False
        node = parent
    return False
