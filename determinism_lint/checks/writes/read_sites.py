"""The calls of a module that read, load or check a file, and the tokens of the paths they
name (one pass over the module's calls; see :mod:`.consumers`).

Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from .._util import LOG_METHODS, keyword, last_name
from .path_tokens import _Found, _tokens

if TYPE_CHECKING:
    from ...context import Context

#: The last name of a call that consumes the file its arguments name.
_READER_NAME = re.compile(
    r"(?:^|_)(?:loads?|reads?|open|exists?|isfile|is_file|isdir|is_dir|getsize|getmtime|stat|lexists"
    r")(?:_|$)|^from_(?:file|files|disk|path|json|yaml|pretrained|dir|directory)$",
    re.IGNORECASE,
)
#: Methods that read the path object they are called on (``p.read_text()``, ``p.exists()``).
_RECEIVER_READERS = frozenset(
    {"read_text", "read_bytes", "open", "exists", "is_file", "is_dir", "stat", "lstat", "iterdir", "glob", "rglob",
     "load"}
)
#: Calls whose value is another file than their argument's (its folder, a split part).

@dataclass(frozen=True)
class ReadSite:
    """A call that reads, loads or checks a file: the evidence that a written file is read
    back, named in a finding so a reviewer can confirm it."""

    path: str
    line: int
    #: How the call is spelled: ``json.load``, ``os.path.exists``, ``.read_text``, ``load()``.
    spelled: str
    #: An existence check (``os.path.exists(p)``, ``p.is_file()``): a later run skips on it.
    checks: bool
    #: The function holding the call (``None`` at module level).
    function: Optional[ast.AST] = field(default=None, compare=False)
    #: The call itself (``None`` for a loader named by its definition).
    node: Optional[ast.AST] = field(default=None, compare=False)
    #: A file name token of the read path -> the tokens of its folders (see ``_Found.folders``).
    folders: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)

    def describe(self, here: str) -> str:
        """``json.load(...)` in `load_state()` on line 221`` (and the module when it is another)."""
        what = f"`{self.spelled}(...)`" if not self.spelled.endswith("()") else f"`{self.spelled}`"
        where = ""
        if isinstance(self.function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where = f" in `{self.function.name}()`"
        module = ""
        if os.path.abspath(self.path) != os.path.abspath(here):
            module = f" of `{_shown_path(self.path, here)}`"
        return f"{what}{where} on line {self.line}{module}"


def _shown_path(path: str, here: str) -> str:
    """``path`` relative to the folder that holds both it and ``here`` (a short, stable name)."""
    path, here = os.path.abspath(path), os.path.abspath(here)
    try:
        common = os.path.commonpath([path, here])
    except ValueError:
        return path.replace(os.sep, "/")
    return os.path.relpath(path, os.path.dirname(common) if common == path else common).replace(os.sep, "/")



@dataclass(frozen=True)
class _Reads:
    #: The tokens of every path a call of the module reads, loads or checks, and those calls.
    sites: dict[str, tuple[ReadSite, ...]]
    #: The functions that read, load or check a path built from one of their parameters.
    param_readers: tuple[ast.AST, ...]

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.sites)


_CHECKS = frozenset({"exists", "isfile", "is_file", "lexists", "getsize", "getmtime", "stat", "lstat", "isdir", "is_dir"})


def _module_reads(tree: ast.Module, ctx: Context) -> _Reads:
    """What the reads of this module name, from one pass over its calls; a fact of the module
    (nothing in test code)."""
    if ctx.is_test_code:
        return _Reads({}, ())
    sites: dict[str, list[ReadSite]] = {}
    params: list[tuple[ast.AST, str, str]] = []
    for call in ctx.nodes_of(ast.Call):
        assert isinstance(call, ast.Call)
        name = last_name(call.func) or ""
        mapped = _mapped_reader(call)
        paths: Iterable[ast.expr]
        if mapped is not None:
            name, paths = mapped
        else:
            paths = _read_paths(call, ctx)
        if not paths:
            continue
        found = _Found(params=params)
        for expr in paths:
            _tokens(expr, ctx, found, 0)
        checks = name in _CHECKS
        if checks and _clears(call, ctx):
            continue
        spelled = (
            (ctx.qualified_name(call.args[0]) or name) if mapped is not None
            else ctx.call_name(call) or (f".{name}" if isinstance(call.func, ast.Attribute) else name)
        )
        if spelled.startswith("builtins."):
            spelled = spelled[len("builtins."):]
        site = ReadSite(
            ctx.path, call.lineno, spelled, checks, ctx.enclosing_function(call), call,
            {name: frozenset(where) for name, where in sorted(found.folders.items())},
        )
        for token in found.local | found.shared:
            sites.setdefault(token, []).append(site)
    readers: list[ast.AST] = []
    for function, _, _ in params:
        if not any(function is seen for seen in readers):
            readers.append(function)
    return _Reads({token: tuple(found) for token, found in sorted(sites.items())}, tuple(readers))


#: Calls that remove a path or make a folder: what ``if os.path.exists(p):`` guards when it
#: clears the way for a write (``shutil.rmtree(p)``) rather than trusting the file.
_CLEARING = frozenset({"rmtree", "remove", "unlink", "rmdir", "makedirs", "mkdir", "removedirs"})


def _clears(check: ast.Call, ctx: Context) -> bool:
    """The existence check only decides whether to remove the path, make a folder or warn
    (``if os.path.exists(dst): shutil.rmtree(dst)``, ``if not os.path.exists(d): os.makedirs(d)``,
    ``logger.warning(f"{out} will be overwritten")``): nothing of the file is trusted."""
    node: ast.AST = check
    parent = ctx.parent(node)
    while isinstance(parent, (ast.UnaryOp, ast.BoolOp)):
        node, parent = parent, ctx.parent(parent)
    if not isinstance(parent, ast.If) or parent.test is not node:
        return False
    return not parent.orelse and _only_clearing(parent.body)


def _only_clearing(body: list[ast.stmt]) -> bool:
    """Every statement removes the path, makes a folder or only tells about it (``logger.warning(
    f"{out} exists and will be overwritten")``, ``print``, ``warnings.warn``)."""
    for statement in body:
        if isinstance(statement, ast.Try):
            if not _only_clearing(statement.body):
                return False
        elif not (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and _clears_or_tells(statement.value)
        ):
            return False
    return True


def _clears_or_tells(call: ast.Call) -> bool:
    name = last_name(call.func)
    if name in _CLEARING or name == "print":
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in LOG_METHODS | {"warn"}


def consumed_tokens(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """The tokens of every path a call of this module reads, loads or checks."""
    return ctx.fact(_module_reads, tree).tokens


def _mapped_reader(call: ast.Call) -> Optional[tuple[str, list[ast.expr]]]:
    """``map(os.path.isfile, [index_path, meta_path])``: the reader mapped over the paths."""
    if not (isinstance(call.func, ast.Name) and call.func.id in ("map", "filter") and len(call.args) == 2):
        return None
    name = last_name(call.args[0])
    if not name or not _READER_NAME.search(name):
        return None
    paths = call.args[1]
    return name, list(paths.elts) if isinstance(paths, (ast.List, ast.Tuple)) else [paths]


def _read_paths(call: ast.Call, ctx: Context) -> Iterable[ast.expr]:
    func = call.func
    name = last_name(func)
    if not name:
        return ()
    if isinstance(func, ast.Attribute) and name in _RECEIVER_READERS and ctx.qualified_name(func) is None:
        if name == "open" and not _reading(_method_open_mode(call)):
            return ()
        return (func.value, *call.args)
    if not _READER_NAME.search(name):
        return ()
    if name == "open" or ctx.call_name(call) in ("builtins.open", "io.open", "os.open"):
        mode = call.args[1] if len(call.args) > 1 else keyword(call, "mode")
        if not _reading(mode):
            return ()
    values = [arg.value if isinstance(arg, ast.Starred) else arg for arg in call.args]
    values.extend(item.value for item in call.keywords)
    return values


_MODE_TEXT = re.compile(r"^[rwxabt+]{1,3}$")


def _method_open_mode(call: ast.Call) -> Optional[ast.expr]:
    """The mode of ``x.open(...)``: ``p.open("w")`` (a path's), ``fs.open(path, "wb")`` (a
    file system's); a lone argument that is no mode is the path (``fs.open("state.json")``)."""
    given = keyword(call, "mode")
    if given is not None:
        return given
    if len(call.args) >= 2:
        return call.args[1]
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and _MODE_TEXT.match(first.value):
            return first
        return None if isinstance(first, (ast.Constant, ast.JoinedStr)) else first
    return None


def _reading(mode: Optional[ast.expr]) -> bool:
    if mode is None:
        return True
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return not set(mode.value) & set("wax")
    return False
