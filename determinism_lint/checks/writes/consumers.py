"""Whether anything in the project reads back the file a write makes: the evidence that a torn
file would be consumed as if it were whole.

A write torn by a crash matters when a later step trusts the file: a cache loaded instead of
recomputed (``if os.path.exists(p): return torch.load(p)``), a checkpoint resumed from, a
manifest or config read back, a pointer file followed. A one-shot output that nothing in the
project reads (a command's ``--output-file``, a report written at the end of a run) is found
broken by whoever looks at it, and the command is run again.

A file is named the same way by its write and by its readers through *tokens* of the path
expression: the literal parts of its name (``"config.json"``, ``"refs"``, the ``_metadata.pkl``
of ``f"{prefix}_metadata.pkl"``), the module-level constants and the attributes it is built
from (``CONFIG_NAME``, ``self.processed_paths``), and, inside one function, the local name that
holds it. A reader is a call that opens, reads, loads or checks the existence of a path
(``open(p)``, ``p.read_text()``, ``json.load``, ``torch.load(p)``, ``os.path.exists(p)``,
``p.is_file()``, a project helper named ``load_*``/``read_*``), in a module of the project that
is not test code. For a path handed in as a parameter, the values the function's callers pass
(in this module, and in the other modules that import it) name the file.

Facts layer: no libcst. The analysed code is never imported or executed.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from .._util import keyword, last_name, local_nodes
from .bindings import _collect_binds
from .fresh_paths import _module_context
from .readers import _module_level_names

if TYPE_CHECKING:
    from ...context import Context

#: The last name of a call that consumes the file its arguments name.
_READER_NAME = re.compile(
    r"(?:^|_)(?:loads?|reads?|open|exists?|isfile|is_file|isdir|is_dir|getsize|getmtime|stat|lexists"
    r"|download|cached_file)(?:_|$)|^from_(?:file|files|disk|path|json|yaml|pretrained|dir|directory)$",
    re.IGNORECASE,
)
#: Methods that read the path object they are called on (``p.read_text()``, ``p.exists()``).
_RECEIVER_READERS = frozenset(
    {"read_text", "read_bytes", "open", "exists", "is_file", "is_dir", "stat", "lstat", "iterdir", "glob", "rglob",
     "load"}
)
#: Calls whose value is another file than their argument's (its folder, a split part).
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
_WORD = re.compile(r"[\w\-]+")
_MAX_DEPTH = 6
#: At most this many other modules are parsed to look for the readers of one token.
_MAX_CANDIDATES = 12


#: Copies that take a folder as their destination: the file keeps the source's name.
_COPIES_INTO_FOLDERS = frozenset({"shutil.copy", "shutil.copy2", "shutil.move"})


def read_back(target: Optional[ast.expr], ctx: Context, call: Optional[ast.Call] = None) -> bool:
    """The file ``target`` names (written by ``call``) is read, loaded or checked for
    existence somewhere in the project (outside test code), by evidence of a shared token;
    see the module docstring."""
    if target is None:
        return False
    found = _Found()
    _tokens(target, ctx, found, 0)
    if call is not None and call.args and isinstance(target, (ast.Name, ast.Attribute)) and (
        ctx.call_name(call) in _COPIES_INTO_FOLDERS
    ):
        # ``shutil.copy(f"{src}/plans.json", model_dir)``: into a folder, under the source's name.
        _file_part(call.args[0], [], ctx, found.sharing(), 0)
    for function, param in found.params:
        for value, other in _caller_values(function, param, ctx):
            if other is ctx:
                _tokens(value, ctx, found.sharing(), 0)
                continue
            caller = _Found(shared=found.shared)
            _tokens(value, other, caller, 0)
            if caller.local & other.fact(consumed_tokens, other.tree):
                return True  # the caller's own function reads what it hands over
    consumed = ctx.fact(consumed_tokens, ctx.tree)
    if found.local & consumed or found.shared & consumed:
        return True
    if any(_round_trip(function, ctx) for function, _ in found.params):
        return True
    if ctx.fact(_command_script, ctx.tree):
        # A script run as a command (``python convert.py --output-dir out``) writes what its
        # user asked for; only a reader in the script itself (a resume, a cache it skips to)
        # says a later run trusts the file. That the library elsewhere reads files of the
        # same name (``config.json``) is no such evidence.
        return False
    return any(_read_elsewhere(token, ctx) for token in sorted(found.shared))


def _command_script(tree: ast.Module, ctx: Context) -> bool:
    """The module runs as a command: a top-level ``if __name__ == "__main__":``."""
    for statement in tree.body:
        test = statement.test if isinstance(statement, ast.If) else None
        if isinstance(test, ast.Compare) and len(test.comparators) == 1:
            sides = (test.left, test.comparators[0])
            if any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides) and any(
                isinstance(side, ast.Constant) and side.value == "__main__" for side in sides
            ):
                return True
    return False


_SAVER = re.compile(r"save|write|dump|store|export|persist|^to_", re.IGNORECASE)
_LOADER = re.compile(r"load|read|^from_|restore", re.IGNORECASE)


def _round_trip(function: ast.AST, ctx: Context) -> bool:
    """``function`` saves to a path its caller gives (``save(self, path)``, ``to_file``), and
    its class (or module, for a module-level function) has the matching loader that reads a
    path its own caller gives (``load(cls, path)``, ``from_path``): a format the project
    writes in order to read it back."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _SAVER.search(function.name):
        return False
    owner = ctx.parent(function)
    if not isinstance(owner, (ast.ClassDef, ast.Module)):
        return False
    readers = ctx.fact(_module_reads, ctx.tree).param_readers
    # A class is one format: any of its loaders. A module holds many: the loader of the same
    # thing (``save_embeddings`` / ``load_embeddings``, ``torch_save`` / ``torch_load``).
    stem = _SAVER.sub("", function.name) if isinstance(owner, ast.Module) else None
    return any(
        other is not function and isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef))
        and _LOADER.search(other.name) is not None and other in readers
        and (stem is None or _LOADER.sub("", other.name) == stem)
        for other in owner.body
    )


@dataclass
class _Found:
    """What a path expression is named by: tokens only this module can match (local names of
    a function, attributes as plain as ``self.path``), tokens any module can match, and the
    parameters it is built from (whose callers name the file)."""

    local: set[str] = field(default_factory=set)
    shared: set[str] = field(default_factory=set)
    params: list[tuple[ast.AST, str]] = field(default_factory=list)

    def sharing(self) -> _Found:
        """The same tokens, without collecting parameters (a value a caller passes, a path a
        helper returns: their parameters are not the writer's)."""
        return _Found(self.local, self.shared)


def _caller_values(function: ast.AST, param: str, ctx: Context) -> list[tuple[ast.expr, Context]]:
    from .callers import _passed_values
    from .fresh_paths import values_from_other_modules

    found: list[tuple[ast.expr, Context]] = []
    here = _passed_values(function, param, ctx, skip_none_default=True) or []
    found.extend((value, ctx) for value in here)
    elsewhere = values_from_other_modules(function, param, ctx) or []
    found.extend(pair for pair in elsewhere if pair[1] is not ctx)
    return found


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
        for part in expr.values:  # type: ignore[attr-defined]
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
        before = len(found.shared)
        if "/" in suffix:
            _literal_tokens(suffix, found.shared)  # ``out + "/state.json"``: the file ``state.json``
        if len(found.shared) == before:
            found.shared.add("+" + suffix)
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
    if own.shared or not isinstance(last, (ast.JoinedStr, ast.Constant, ast.BinOp)):
        return  # named by a literal, or by a variable that holds the file's name
    # ``os.path.join(path, f"{node_type}.pt")``: a name made of local values only; the folder
    # says which file is meant.
    for folder in folders:
        _tokens(folder, ctx, found, depth + 1)


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
        token = _local_token(scope, name.id)  # type: ignore[arg-type]
        if token in found.local:
            return  # followed already (``p = p``, a name bound many times): once per name
        found.local.add(token)
        for bind in binds:
            if bind.kind == "param":
                if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and (scope, name.id) not in found.params:
                    found.params.append((scope, name.id))
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


# -- the readers of a module ----------------------------------------------------------------


@dataclass(frozen=True)
class _Reads:
    #: The tokens of every path a call of the module reads, loads or checks.
    tokens: frozenset[str]
    #: The functions that read, load or check a path built from one of their parameters.
    param_readers: tuple[ast.AST, ...]


def _module_reads(tree: ast.Module, ctx: Context) -> _Reads:
    """What the reads of this module name, from one pass over its calls; a fact of the module
    (nothing in test code)."""
    if ctx.is_test_code:
        return _Reads(frozenset(), ())
    found = _Found()
    for call in ctx.nodes_of(ast.Call):
        assert isinstance(call, ast.Call)
        for expr in _read_paths(call, ctx):
            _tokens(expr, ctx, found, 0)
    readers: list[ast.AST] = []
    for function, _ in found.params:
        if not any(function is seen for seen in readers):
            readers.append(function)
    return _Reads(frozenset(found.local | found.shared), tuple(readers))


def consumed_tokens(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """The tokens of every path a call of this module reads, loads or checks."""
    return ctx.fact(_module_reads, tree).tokens


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


# -- readers in other modules ---------------------------------------------------------------


def _read_elsewhere(token: str, ctx: Context) -> bool:
    here = os.path.abspath(ctx.path)
    checked = 0
    spelled = token.lstrip(".+").replace("()", "(")
    for path in _files_with_word(token, ctx):
        if path == here or spelled not in _text(path):
            continue
        other = _module_context(path, ctx)
        if other is None or other.is_test_code:
            continue
        if token in other.fact(consumed_tokens, other.tree):
            return True
        checked += 1
        if checked >= _MAX_CANDIDATES:
            return False
    return False


#: File -> ((mtime, size), its text): the candidates of a token are read once.
_TEXTS: dict[str, tuple[tuple[int, int], str]] = {}


def _text(path: str) -> str:
    from ...project import file_stamp

    stamp = file_stamp(path)
    cached = _TEXTS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    _TEXTS[path] = (stamp, text)
    return text




def _files_with_word(token: str, ctx: Context) -> list[str]:
    """The files of the project whose text holds every word of ``token`` (``config.json``:
    ``config`` and ``json``), without parsing them: every module under the project root, not
    only the files of the run (a pre-commit run names the changed files; their readers are
    elsewhere)."""
    table = _project_words(ctx)
    found: Optional[set[str]] = None
    for word in _WORD.findall(token):
        files = set(table.get(word, ()))
        found = files if found is None else found & files
        if not found:
            return []
    return sorted(found or ())


#: Project root -> (the project index it was built for, word -> the files holding it). A new
#: run (a new index) lists and reads the project again.
_PROJECT_WORDS: dict[str, tuple[object, dict[str, list[str]]]] = {}


def _project_words(ctx: Context) -> dict[str, list[str]]:
    from ...project import _list_py_files, index_for

    index = index_for(ctx)
    if index is None:
        return {}
    cached = _PROJECT_WORDS.get(index.root)
    if cached is not None and cached[0] is index:
        return cached[1]
    table: dict[str, list[str]] = {}
    for path in _list_py_files(index.root):
        for word in sorted(set(_WORD.findall(_text(path)))):
            table.setdefault(word, []).append(os.path.abspath(path))
    _PROJECT_WORDS[index.root] = (index, table)
    return table
