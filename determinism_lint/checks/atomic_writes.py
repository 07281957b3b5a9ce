"""DET1xx: writes that a crash can leave truncated or half-written.

:func:`write_site` is the one classifier of file writes: the rules here, the
artifact-scope analysis and the write inventory all ask it, so they agree on what a
write is, what it writes to, and why it is exempt.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ..model import FixSafety
from ..settings import Settings
from ._util import all_nodes, argument, dotted, keyword, last_name, statement_nodes
from .base import NO_FIX, Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from ..context import Context
    from ..fixer import Edit, FixAnalysis, FixContext
    from ..names import ScopeNode

# -- what counts as a write ----------------------------------------------------------------


@dataclass(frozen=True)
class _Opener:
    api: str
    path_keywords: tuple[str, ...]
    default_mode: str
    path_index: int = 0
    mode_index: int = 1


#: Functions that open a file by path: the path is argument 0, the mode argument 1.
_OPENERS: dict[str, _Opener] = {
    "builtins.open": _Opener("open", ("file",), "r"),
    "io.open": _Opener("io.open", ("file",), "r"),
    "codecs.open": _Opener("codecs.open", ("filename",), "r"),
    "gzip.open": _Opener("gzip.open", ("filename",), "rb"),
    "bz2.open": _Opener("bz2.open", ("filename",), "rb"),
    "lzma.open": _Opener("lzma.open", ("filename",), "rb"),
    "pathlib.Path.open": _Opener("pathlib.Path.open", ("self",), "r"),
    # Openers of local paths and URLs alike: flagged, never rewritten (``atomic_open`` takes
    # local paths only).
    "fsspec.open": _Opener("fsspec.open", ("urlpath",), "rb"),
    "smart_open.open": _Opener("smart_open.open", ("uri",), "r"),
    "tensorflow.io.gfile.GFile": _Opener("tf.io.gfile.GFile", ("name",), "r"),
}
_PATH_OPEN_API = "pathlib.Path.open"

#: ``<receiver>.open(path, mode)`` of objects that open files by path: fsspec-style file
#: systems (``fs.open``, ``self.fs.open``, a ``fsspec.filesystem(...)``) and iopath's
#: ``PathManager.open``. The receiver decides: name -> (receiver pattern, how it opens).
#: ``ZipFile.open(name, "w")`` and ``Path.open(mode)`` are something else.
_RECEIVER_OPENERS: dict[str, tuple[re.Pattern[str], _Opener]] = {
    "filesystem": (
        re.compile(r"^(?:fs|\w+_fs|(?:\w+_)?file_?system)$", re.I),
        _Opener("fs.open", ("path",), "rb"),
    ),
    "path-manager": (
        re.compile(r"^(?:\w+_)?path_?(?:manager|mgr)$", re.I),
        _Opener("PathManager.open", ("path",), "r"),
    ),
}
#: Calls that return a file-system object (``fs = fsspec.filesystem("file")``).
_FILESYSTEM_FACTORIES = frozenset({"fsspec.filesystem", "fsspec.get_filesystem_class", "fsspec.core.url_to_fs"})
_FILESYSTEM_CLASS_RE = re.compile(r"FileSystem$")

#: Serializers that write into a file object: dotted name -> keyword names of the file argument
#: (always positional argument 1).
_DUMPERS: dict[str, tuple[str, ...]] = {
    "json.dump": ("fp",),
    "simplejson.dump": ("fp",),
    "ujson.dump": ("fp",),
    "yaml.dump": ("stream",),
    "yaml.safe_dump": ("stream",),
    "yaml.dump_all": ("stream",),
    "yaml.safe_dump_all": ("stream",),
    "pickle.dump": ("file",),
    "cloudpickle.dump": ("file",),
    "dill.dump": ("file",),
    "marshal.dump": ("file",),
    "toml.dump": ("f",),
    "tomli_w.dump": ("fp",),
}


@dataclass(frozen=True)
class _PathWriter:
    index: int
    keywords: tuple[str, ...]
    #: Suffix the writer appends when the path lacks it (numpy): the temp path of
    #: ``atomic_path`` ends with the target's name, so the fix is safe only with the suffix.
    appends_suffix: Optional[str] = None


#: Functions that write a whole file given its path.
_PATH_WRITERS: dict[str, _PathWriter] = {
    "numpy.save": _PathWriter(0, ("file",), ".npy"),
    "numpy.savez": _PathWriter(0, ("file",), ".npz"),
    "numpy.savez_compressed": _PathWriter(0, ("file",), ".npz"),
    "numpy.savetxt": _PathWriter(0, ("fname",)),
    "torch.save": _PathWriter(1, ("f",)),
    "joblib.dump": _PathWriter(1, ("filename",)),
    "pyarrow.parquet.write_table": _PathWriter(1, ("where",)),
    "pyarrow.feather.write_feather": _PathWriter(1, ("dest",)),
    "matplotlib.pyplot.savefig": _PathWriter(0, ("fname",)),
    # Copies into place: ``dst`` is filled piece by piece like any other write.
    "shutil.copyfile": _PathWriter(1, ("dst",)),
    "shutil.copy": _PathWriter(1, ("dst",)),
    "shutil.copy2": _PathWriter(1, ("dst",)),
}
_COPIES = frozenset({"shutil.copyfile", "shutil.copy", "shutil.copy2"})
#: ``shutil.copy``/``copy2`` also accept a directory as ``dst``: a temp path would replace it.
_DIRECTORY_TARGET_WRITERS = frozenset({"shutil.copy", "shutil.copy2"})
#: ``os.open`` flags that truncate (without them it is an in-place update or an append).
_OS_OPEN = "os.open"
_FD_WRITERS = frozenset({"os.write", "os.writev", "os.pwrite", "os.pwritev", "os.fdopen", "builtins.open"})

#: Methods of pandas / xarray / polars frames that write a file given its path (argument 0).
_METHOD_WRITERS: frozenset[str] = frozenset(
    {
        "to_csv",
        "to_excel",
        "to_feather",
        "to_hdf",
        "to_json",
        "to_netcdf",
        "to_orc",
        "to_parquet",
        "to_pickle",
        "to_stata",
        "write_avro",
        "write_csv",
        "write_excel",
        "write_ipc",
        "write_json",
        "write_ndjson",
        "write_parquet",
    }
)
_METHOD_PATH_KEYWORDS = ("path", "path_or_buf", "fname", "file", "excel_writer")
#: Methods whose ``mode="a"`` appends (pandas).
_METHODS_WITH_MODE = frozenset({"to_csv", "to_json"})
_PATH_METHODS = frozenset({"write_text", "write_bytes"})
_FIGURE_WRITERS = frozenset({"matplotlib.pyplot.savefig", ".savefig"})

#: Files that exist only while the program runs: never the artifact.
_TEMPFILE_SITES: dict[str, str] = {
    "tempfile.NamedTemporaryFile": "w+b",
    "tempfile.TemporaryFile": "w+b",
    "tempfile.SpooledTemporaryFile": "w+b",
}
_FDOPEN = "os.fdopen"

#: Calls that return a file object (not a path): a writer handed one of these does not
#: decide atomicity, whoever opened it does.
_HANDLE_FACTORIES = frozenset(
    {
        *_OPENERS,
        *_TEMPFILE_SITES,
        _FDOPEN,
        "io.StringIO",
        "io.BytesIO",
        "gzip.GzipFile",
        "bz2.BZ2File",
        "lzma.LZMAFile",
        "fsspec.open",
        "smart_open.open",
        "pandas.ExcelWriter",
        "pandas.HDFStore",
    }
)

_RENAMES: dict[str, str] = {
    "os.replace": "os.replace",
    "os.rename": "os.rename",
    "shutil.move": "shutil.move",
    "pathlib.Path.replace": "Path.replace",
    "pathlib.Path.rename": "Path.rename",
}
_RENAME_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _RENAMES)
_FSYNCS = frozenset({"os.fsync", "os.fdatasync"})

_STD_STREAMS = frozenset({"sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__"})
_JOIN_FUNCS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
_PATH_CTORS = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
        "pathlib.WindowsPath",
        "pathlib.PureWindowsPath",
    }
)
_PASS_THROUGH = frozenset(
    {
        "builtins.str",
        "os.fspath",
        "os.fsencode",
        "os.fsdecode",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.expanduser",
        "os.path.expandvars",
    }
)
_PASS_THROUGH_METHODS = frozenset({"resolve", "absolute", "expanduser"})
_UNWRAP = _PASS_THROUGH | _PATH_CTORS
_DERIVED_PATH_METHODS = frozenset({"joinpath", "with_suffix", "with_name", *_PASS_THROUGH_METHODS})

_MODE_RE = re.compile(r"^[rwxabtU+]+$")
_CLASS_NAME_RE = re.compile(r"^_?[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")
_PATHISH_ANNOTATION_RE = re.compile(r"Path|\bstr\b|\bAny\b|\bbytes\b")
_FILE_LIKE_CLASS_RE = re.compile(r"^_?[A-Z][A-Za-z0-9]*(?:IO|Buffer|Writer|Stream|File|Store)$")

# Exempt reasons. Consumers may compare against these.
REASON_APPEND = "append mode"
REASON_UNKNOWN_MODE = "mode not known statically"
REASON_DEVNULL = "os.devnull"
REASON_STD_STREAM = "standard stream"
REASON_FD = "file descriptor"
REASON_TEMPFILE = "tempfile scratch file"
REASON_TEMPDIR = "scratch file in a temporary directory"
REASON_FIGURE = "figure (a report, not a data artifact)"
REASON_RENAMED_TEMP = "temp file renamed into place by hand (see DET105)"
REASON_ATOMIC_TEMP = "temp path of an atomic writer"
REASON_TEMPNAME = "temp file name"
REASON_REMOVED_DIR = "scratch directory removed afterwards"
REASON_EMPTY = "creates an empty file (nothing is written)"
REASON_FIFO = "FIFO (made with os.mkfifo)"
REASON_REMOTE = "object-store URL (uploaded when the file is closed)"
REASON_LOG_HANDLER = "logging handler"
REASON_PROFILE = "profiler dump (diagnostic output)"
REASON_ENV_SCRIPT = "shell env-export script (sourced by the next command)"
REASON_CHILD_LOG = "stdout/stderr log of a child process"
REASON_TEMP_PARAM = "scratch path (a parameter named as temporary)"
REASON_TEMP_CALLERS = "scratch path (every caller in the module passes a temporary directory)"
REASON_TEMP_WORKSPACE = "workspace of an object the class creates in a temporary directory"
#: Reasons of files that are scratch space: a hand-made temp-then-rename may use them.
_SCRATCH_REASONS = frozenset(
    {REASON_TEMPFILE, REASON_TEMPDIR, REASON_FD, REASON_TEMPNAME, REASON_REMOVED_DIR, REASON_TEMP_PARAM,
     REASON_TEMP_CALLERS, REASON_TEMP_WORKSPACE}
)

#: File names that are never the artifact, whatever the settings: markers and ignore files
#: (a torn ``.gitignore`` is rewritten or harmless), rotated logs.
_BUILTIN_GLOBS: tuple[tuple[str, str], ...] = (
    (".gitignore", "marker file"),
    (".*ignore", "ignore file"),
    (".gitkeep", "marker file"),
    (".keep", "marker file"),
    (".gitempty", "marker file"),
    (".nojekyll", "marker file"),
    ("*.log.[0-9]", "rotated log"),
    ("*.log.[0-9][0-9]", "rotated log"),
)
#: Names that say "scratch": the file is renamed into place or thrown away, never read as is.
_TEMP_NAME_GLOBS = ("tmp", "temp", "*.tmp", "*.temp", "*.partial", "*.incomplete")
_TEMP_ROOTS = ("/tmp/", "/var/tmp/", "/dev/shm/")
#: URL schemes of object stores, where a file appears in one piece when the upload ends.
_OBJECT_STORE_RE = re.compile(r"^(?:s3a?|gs|gcs|az|abfss?|adl|oss|hf|r2|memory)://", re.I)

_GLOB_DESCRIPTIONS = {
    "*.lock": "lock file",
    "*.md": "Markdown report",
    "*.log": "log file",
    "*.pid": "pid file",
    "/dev/*": "device file",
}

#: Stands for the part of a path that is not known statically.
_UNKNOWN = "\x00"
_MAX_DEPTH = 8


@dataclass(frozen=True)
class WriteSite:
    """One call that writes a file, as the DET1xx rules see it.

    ``kind`` says which rule owns the site: ``"open"`` (DET101), ``"dump"`` (DET102),
    ``"path-method"`` (DET103), ``"path-writer"`` (DET104), ``"scratch"`` (temporary
    files and descriptors, never flagged) or ``"safe"`` (an atomic helper).
    """

    call: ast.Call
    #: ``"open"``, ``"pathlib.Path.write_text"``, ``"numpy.save"``, ``".to_parquet"`` (methods
    #: matched by name are spelled as in ``extra-writers``).
    api: str
    #: The literal mode when known (``open``/``Path.open``/dump targets, ``mode=`` of pandas).
    mode: Optional[str]
    #: The path expression, when known.
    target: Optional[ast.expr]
    #: Why this write is not a hazard (``"lock file (*.lock)"``, ``"append mode"``), else ``None``.
    exempt_reason: Optional[str]
    #: True for the runtime helpers, configured safe writers and writes into their temp paths.
    atomic: bool = False
    kind: str = ""

    @property
    def is_hazard(self) -> bool:
        """A non-atomic, non-exempt write: what DET101-DET104 report."""
        return not self.atomic and self.exempt_reason is None

    @property
    def writes_artifact(self) -> bool:
        """The file written is (or becomes) an artifact: a hazard, an atomic write, or the
        temp file of a hand-made temp-then-rename. Lock files, logs, reports, scratch files
        and appends are not."""
        return self.exempt_reason is None or self.exempt_reason == REASON_RENAMED_TEMP


# -- configuration derived from Settings ----------------------------------------------------


@dataclass(frozen=True)
class _Config:
    exempt_paths: tuple[str, ...]
    #: Safe writers matched by last name / method name -> path argument index.
    safe_names: dict[str, int]
    #: Safe writers given as dotted names -> path argument index.
    safe_dotted: dict[str, int]
    extra_dotted: dict[str, int]
    extra_methods: dict[str, int]
    #: ``extra-writers`` entries with a mode argument (``pkg.fs.open:0:1``): openers.
    extra_openers: dict[str, _Opener]
    #: ``Name`` ids and ``Attribute`` names worth a closer look; everything else is rejected
    #: before any name resolution.
    name_ids: frozenset[str]
    attr_names: frozenset[str]
    known_dotted: frozenset[str]


def _split_entry(entry: str) -> tuple[str, int]:
    name, _, index = entry.partition(":")
    return name, int(index) if index else 0


_CONFIG_CACHE: dict[int, tuple[Settings, _Config]] = {}
#: The most recently used (settings, config): one engine run asks with the same Settings.
_LAST: list = [None, None]


def _config(settings: Settings) -> _Config:
    # Keyed by identity: hashing a Settings (all its tuples) on every call costs more than
    # the rest of the early rejection.
    if _LAST[0] is settings:
        return _LAST[1]
    cached = _CONFIG_CACHE.get(id(settings))
    if cached is None or cached[0] is not settings:
        if len(_CONFIG_CACHE) > 32:
            _CONFIG_CACHE.clear()
        cached = (settings, _build_config(settings))
        _CONFIG_CACHE[id(settings)] = cached
    _LAST[0], _LAST[1] = cached
    return cached[1]


def _build_config(settings: Settings) -> _Config:
    safe_names: dict[str, int] = {}
    safe_dotted: dict[str, int] = {}
    for entry in settings.all_safe_writers:
        name, index = _split_entry(entry)
        if name.startswith(".") or "." not in name:
            safe_names[name.lstrip(".")] = index
        else:
            safe_dotted[name] = index
    extra_dotted: dict[str, int] = {}
    extra_methods: dict[str, int] = {}
    extra_openers: dict[str, _Opener] = {}
    for entry in settings.extra_writers:
        name, _, indices = entry.partition(":")
        if indices.count(":") == 1:
            path_index, mode_index = (int(part) for part in indices.split(":"))
            extra_openers[name] = _Opener(name, ("path",), "r", path_index, mode_index)
            continue
        name, index = _split_entry(entry)
        if name.startswith("."):
            extra_methods[name[1:]] = index
        else:
            extra_dotted[name] = index
    writers = frozenset({*_OPENERS, *_DUMPERS, *_PATH_WRITERS, *_TEMPFILE_SITES, _FDOPEN})
    writers |= frozenset(safe_dotted) | frozenset(extra_dotted) | frozenset(extra_openers)
    # Renames are looked up by ``rename_call`` with its own early test; keeping their names
    # out of these sets keeps ``str.replace`` off the write path.
    known_dotted = writers | frozenset(_RENAMES)
    last_parts = {name.rsplit(".", 1)[-1] for name in writers} - {""}
    name_ids = frozenset(last_parts | set(safe_names))
    attr_names = frozenset(
        last_parts | set(safe_names) | set(extra_methods) | _METHOD_WRITERS | _PATH_METHODS | {"open", "savefig"}
    )
    return _Config(
        exempt_paths=settings.all_exempt_paths,
        safe_names=safe_names,
        safe_dotted=safe_dotted,
        extra_dotted=extra_dotted,
        extra_methods=extra_methods,
        extra_openers=extra_openers,
        name_ids=name_ids,
        attr_names=attr_names,
        known_dotted=known_dotted,
    )


def _module_aliases(ctx: Context, cfg: _Config) -> frozenset[str]:
    """Names imported at module level under another name: ``from numpy import save as np_save``.

    Unaliased imports (``from numpy import save``) keep a name the early test knows.
    Only top-level statements (and ``if``/``try`` blocks there) are scanned: it is cheap.
    """

    def compute() -> frozenset[str]:
        found: set[str] = set()
        todo: list[ast.stmt] = list(ctx.tree.body)
        while todo:
            statement = todo.pop()
            if isinstance(statement, ast.ImportFrom) and not statement.level:
                for alias in statement.names:
                    if alias.asname and f"{statement.module}.{alias.name}" in cfg.known_dotted:
                        found.add(alias.asname)
            elif isinstance(statement, (ast.If, ast.Try)):
                todo.extend(statement.body)
                todo.extend(statement.orelse)
                if isinstance(statement, ast.Try):
                    todo.extend(statement.finalbody)
                    for handler in statement.handlers:
                        todo.extend(handler.body)
        return frozenset(found)

    return ctx.memo("det1.aliases", ctx.tree, compute)  # type: ignore[return-value]


def _choices(value: ast.expr) -> list[ast.expr]:
    """The callables a local alias may hold: ``a if c else b``, ``a or b``, ``a``."""
    if isinstance(value, ast.IfExp):
        return [value.body, value.orelse]
    if isinstance(value, ast.BoolOp):
        return list(value.values)
    return [value]


def _local_aliases(ctx: Context, cfg: _Config) -> frozenset[str]:
    """Names assigned an opener somewhere in the file: ``open_fn = fs.open if fs else open``."""

    def compute() -> frozenset[str]:
        found = set()
        for node in ctx.nodes_of(ast.Assign):
            assert isinstance(node, ast.Assign)
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                continue
            if not isinstance(node.value, (ast.IfExp, ast.BoolOp, ast.Name, ast.Attribute)):
                continue
            if any(last_name(choice) in cfg.attr_names for choice in _choices(node.value)):
                found.add(node.targets[0].id)
        return frozenset(found)

    return ctx.memo("det1.local-aliases", ctx.tree, compute)  # type: ignore[return-value]


def _worth_a_look(func: ast.expr, ctx: Context, cfg: _Config) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in cfg.attr_names
    if isinstance(func, ast.Name):
        return func.id in cfg.name_ids or func.id in _module_aliases(ctx, cfg)
    return False


# -- local bindings -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bind:
    #: ``assign`` (``x = value``), ``with`` (``with value as x``), ``tuple`` (``a, x = value``
    #: at ``index``), ``param`` (``value`` is the annotation), or ``other`` (loops, imports,
    #: augmented assignment...).
    kind: str
    value: Optional[ast.expr] = None
    index: int = -1


def _collect_binds(scope: ScopeNode, ctx: Context) -> dict[str, tuple[_Bind, ...]]:
    found: dict[str, list[_Bind]] = {}

    def add(name: str, bind: _Bind) -> None:
        found.setdefault(name, []).append(bind)

    def add_target(target: ast.AST, value: Optional[ast.expr]) -> None:
        if isinstance(target, ast.Name):
            add(target.id, _Bind("assign", value) if value is not None else _Bind("other"))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Name) and value is not None:
                    add(element.id, _Bind("tuple", value, index))
                else:
                    add_target(element, None)
        elif isinstance(target, ast.Starred):
            add_target(target.value, None)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                add(arg.arg, _Bind("param", arg.annotation))
        if isinstance(scope, ast.Lambda):
            return {name: tuple(binds) for name, binds in found.items()}
    for node in ctx.fact(statement_nodes, scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add_target(target, node.value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                add_target(node.target, node.value)
        elif isinstance(node, ast.NamedExpr):
            add_target(node.target, node.value)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    add(item.optional_vars.id, _Bind("with", item.context_expr))
                elif item.optional_vars is not None:
                    add_target(item.optional_vars, None)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            add_target(node.target, None)
        elif isinstance(node, ast.AugAssign):
            add_target(node.target, None)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                add_target(target, None)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                add((alias.asname or alias.name).split(".", 1)[0], _Bind("other"))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name, _Bind("other"))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                add(name, _Bind("other"))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name, _Bind("other"))
    return {name: tuple(binds) for name, binds in found.items()}


def _binds(name: ast.Name, ctx: Context) -> tuple[_Bind, ...]:
    """How ``name`` is bound in the innermost scope that binds it; ``()`` when nowhere."""
    for scope in ctx.resolver.enclosing_scopes(name):
        found = ctx.fact(_collect_binds, scope).get(name.id)
        if found:
            return found
    return ()


def _single(name: ast.Name, ctx: Context, kind: str) -> Optional[_Bind]:
    binds = _binds(name, ctx)
    if len(binds) == 1 and binds[0].kind == kind:
        return binds[0]
    return None


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

    def compute() -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for statement in ctx.tree.body:
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

    constants: dict[tuple[str, str], str] = ctx.memo("det1.class-constants", ctx.tree, compute)  # type: ignore[assignment]
    return constants.get((class_name, attr), _UNKNOWN)


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
        elif isinstance(expr, ast.Call) and expr.args and not isinstance(expr.args[0], ast.Starred):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in _DERIVED_PATH_METHODS:
                expr = func.value
            elif ctx.call_name(expr) in _JOIN_FUNCS | _UNWRAP:
                expr = expr.args[0]
            else:
                return expr
        elif isinstance(expr, ast.Name):
            bind = _single(expr, ctx, "assign")
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


def _single_any(name: ast.Name, ctx: Context) -> Optional[_Bind]:
    binds = _binds(name, ctx)
    return binds[0] if len(binds) == 1 else None


def _scratch_reason(target: ast.expr, ctx: Context, cfg: _Config) -> tuple[Optional[str], bool]:
    """``(reason, atomic)`` for targets in scratch space or in an atomic writer's temp path."""
    root = _root(target, ctx)
    if isinstance(root, ast.Call):
        name = ctx.call_name(root)
        if name in ("tempfile.mkdtemp", "tempfile.gettempdir") or _is_mktemp_fixture(root):
            return REASON_TEMPDIR, False
        if name == "tempfile.mktemp":
            return REASON_TEMPFILE, False
        return None, False
    if isinstance(root, ast.Attribute) and root.attr == "name":
        # ``NamedTemporaryFile().name``, ``tmp.name``, ``TemporaryDirectory().name``.
        maker: Optional[ast.expr] = root.value
        if isinstance(maker, ast.Name):
            bind = _single_any(maker, ctx)
            maker = bind.value if bind is not None and bind.kind in ("with", "assign") else None
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
        bind = _single_any(root, ctx)
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
    temporary directory (``tempfile.mkdtemp()``, ``TemporaryDirectory().name``...), apart
    from ``self.tmp_dir = None`` before it is made or after it is removed."""
    assigned = [
        value
        for value in _self_assignments(expr, ctx)
        if not (isinstance(value, ast.Constant) and value.value is None)
    ]
    return bool(assigned) and all(_makes_temp_dir(value, ctx) for value in assigned)


def _self_assignments(expr: ast.Attribute, ctx: Context) -> list[ast.expr]:
    """The values assigned to ``self.<attr>`` anywhere in the enclosing class."""
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return []
    owner = next((node for node in ctx.ancestors(expr) if isinstance(node, ast.ClassDef)), None)
    if owner is None:
        return []

    def compute() -> dict[str, list[ast.expr]]:
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

    found: dict[str, list[ast.expr]] = ctx.memo("det1.self-attrs", owner, compute)  # type: ignore[assignment]
    return found.get(expr.attr, [])


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
#: Callables that run ``target=`` with ``args=`` later: a thread or a process.
_DEFERRED_TARGET_KEYWORD = "target"


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


def _passed_values(function: ast.AST, param: str, ctx: Context) -> Optional[list[ast.expr]]:
    """What the calls in this module pass as ``param`` of ``function``: direct calls by name
    (``f(a)``, ``self.f(a)``) and ``Thread(target=f, args=(...))``. ``None`` when a call
    passes it in a way not known statically, or when nothing calls the function."""
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    in_class = isinstance(ctx.parent(function), ast.ClassDef)
    is_static = any(last_name(decorator) == "staticmethod" for decorator in function.decorator_list)
    values: list[ast.expr] = []
    for call in ctx.nodes_of(ast.Call):
        assert isinstance(call, ast.Call)
        func = call.func
        args: list[ast.expr]
        if isinstance(func, ast.Name) and func.id == function.name and not in_class:
            args, offset = list(call.args), 0
        elif isinstance(func, ast.Attribute) and func.attr == function.name and in_class:
            args, offset = list(call.args), 0 if is_static else 1
        else:
            target = keyword(call, _DEFERRED_TARGET_KEYWORD)
            if not (isinstance(target, ast.Name) and target.id == function.name and not in_class):
                continue
            passed = keyword(call, "args")
            if not isinstance(passed, (ast.Tuple, ast.List)):
                return None
            args, offset = list(passed.elts), 0
        if any(isinstance(arg, ast.Starred) for arg in args) or any(kw.arg is None for kw in call.keywords):
            return None
        value = keyword(call, param)
        if value is None and param in positional:
            index = positional.index(param) - offset
            value = args[index] if 0 <= index < len(args) else None
        if value is None:
            return None
        values.append(value)
    return values or None


def _param_scratch_reason(target: ast.expr, ctx: Context, cfg: _Config) -> Optional[str]:
    """A path built on a parameter named as temporary (``tmp``, ``scratch_dir``), or on a
    parameter that every caller in the module fills with a temporary path."""
    root = _root(target, ctx)
    if not isinstance(root, ast.Name):
        return None
    function = _param_function(root, ctx)
    if function is None:
        return None
    if _temp_named(root.id):
        return REASON_TEMP_PARAM

    def compute() -> bool:
        values = _passed_values(function, root.id, ctx)
        return values is not None and all(_is_temp_expr(value, ctx, cfg) for value in values)

    found = ctx.memo(f"det1.temp-callers.{root.id}", function, compute)
    return REASON_TEMP_CALLERS if found else None


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

    def compute() -> bool:
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

    return bool(ctx.memo("det1.temp-workspace", owner, compute))


def _target_strings(target: ast.expr, ctx: Context) -> Iterator[str]:
    """String constants in the expression of a path and in the one assignment of each name in it."""
    todo: list[ast.AST] = [target]
    seen = 0
    while todo and seen < 64:
        node = todo.pop()
        seen += 1
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield sub.value
            elif isinstance(sub, ast.Name) and node is target:
                bind = _single(sub, ctx, "assign")
                if bind is not None and bind.value is not None:
                    todo.append(bind.value)


_PROFILE_SUFFIXES = (".prof", ".pstats", ".cprof")


def _profiler_dump(call: ast.Call, target: Optional[ast.expr], ctx: Context) -> bool:
    """The file is a profiler dump: its name ends in ``.prof``/``.pstats``, or the same
    function dumps profiler stats (``profile.dump_stats(...)``) and writes the result."""
    if target is not None and any(text.endswith(_PROFILE_SUFFIXES) for text in _target_strings(target, ctx)):
        return True
    scope = ctx.enclosing_scope(call)
    if isinstance(scope, ast.Lambda) or isinstance(scope, ast.Module):
        return False
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dump_stats"
        for node in ctx.fact(statement_nodes, scope)
    )


def _handle_name(call: ast.Call, ctx: Context) -> Optional[tuple[str, ast.AST]]:
    """``with open(...) as f`` / ``f = open(...)``: the handle's name and the statement."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.withitem) and parent.context_expr is call and isinstance(parent.optional_vars, ast.Name):
        statement = ctx.parent(parent)
        if statement is not None:
            return parent.optional_vars.id, statement
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        return parent.targets[0].id, ctx.enclosing_scope(call)
    return None


def _leading_text(expr: ast.expr) -> Optional[str]:
    """The literal text a written value starts with: ``"export A=%s" % v``, ``f"export {k}"``."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mod, ast.Add)):
        return _leading_text(expr.left)
    if isinstance(expr, ast.JoinedStr) and expr.values:
        first = expr.values[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _leading_text(expr.func.value)
    return None


def _env_export_script(call: ast.Call, ctx: Context) -> bool:
    """Every ``f.write(...)`` to the handle writes ``export NAME=...`` lines: a shell script
    of environment variables that the next command sources, not a kept artifact."""
    found = _handle_name(call, ctx)
    if found is None:
        return False
    name, holder = found
    writes = [
        node
        for node in ast.walk(holder)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
        and node.func.attr in ("write", "writelines")
    ]
    if not writes:
        return False
    for write in writes:
        text = _leading_text(write.args[0]) if write.args else None
        if text is None or not text.lstrip().startswith("export "):
            return False
    return True


def _child_process_log(call: ast.Call, ctx: Context) -> bool:
    """``Popen(cmd, stdout=open(log, "w"))``, or a handle from ``open`` given as a child
    process's ``stdout=``/``stderr=``: the file is the child's output log."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.keyword) and parent.arg in ("stdout", "stderr"):
        return True
    found = _handle_name(call, ctx)
    if found is None:
        return False
    name, holder = found
    return any(
        isinstance(node, ast.keyword)
        and node.arg in ("stdout", "stderr")
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        for node in ast.walk(holder)
    )


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
    return "path", reason, False


# -- classification -------------------------------------------------------------------------


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


def _safe_match(call: ast.Call, ctx: Context, cfg: _Config) -> Optional[tuple[str, int]]:
    """``(api, path index)`` when ``call`` is a configured safe writer."""
    name = last_name(call.func)
    if name is not None and name in cfg.safe_names:
        return name, cfg.safe_names[name]
    if cfg.safe_dotted:
        for spelled in (ctx.call_name(call), dotted(call.func)):
            if spelled is None:
                continue
            for entry, index in cfg.safe_dotted.items():
                if spelled == entry or spelled.endswith("." + entry):
                    return entry, index
    return None


def _open_parts(
    call: ast.Call, resolved: Optional[str], ctx: Context
) -> Optional[tuple[str, Optional[ast.expr], Optional[str], bool]]:
    """``(api, target, mode, mode_known)`` of an open-like call, else ``None``."""
    func = call.func
    opener = _OPENERS.get(resolved or "")
    if opener is not None:
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


def _classify(call: ast.Call, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    site = _classify_call(call, ctx, cfg)
    if site is None or not site.is_hazard:
        return site
    if site.kind == "open" and site.api != _OS_OPEN and _writes_nothing(call, ctx):
        return _replace_reason(site, REASON_EMPTY)
    if _in_logging_handler(call, ctx):
        return _replace_reason(site, REASON_LOG_HANDLER)
    if _profiler_dump(call, site.target, ctx):
        return _replace_reason(site, REASON_PROFILE)
    if site.kind == "open" and _child_process_log(call, ctx):
        return _replace_reason(site, REASON_CHILD_LOG)
    if site.kind == "open" and _env_export_script(call, ctx):
        return _replace_reason(site, REASON_ENV_SCRIPT)
    if site.api in ("fs.open", "fsspec.open") and _in_transaction(call, ctx):
        # fsspec writes into a temp file and moves it into place when the transaction ends.
        return WriteSite(call, site.api, site.mode, site.target, None, atomic=True, kind=site.kind)
    return site


def _writes_nothing(call: ast.Call, ctx: Context) -> bool:
    """``with open(p, "x"): pass``, ``open(p, "w").close()``, a ``with ... as f`` whose body
    never uses ``f``: the file is created or emptied, and no
    bytes are written that a crash could tear."""
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
                isinstance(node, ast.Name) and node.id == name
                for body_statement in statement.body
                for node in ast.walk(body_statement)
            )
    return False


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


def _path_receiver(receiver: ast.expr, ctx: Context) -> bool:
    """``receiver.write_text(...)`` is ``Path.write_text`` by evidence: the receiver is built
    as a path, annotated with a path type, made by a class named ``...Path``, or used with
    attributes only paths have. Formatters, consoles and stores have ``write_text`` too."""
    if _known_path_object(receiver, ctx):
        return True
    if isinstance(receiver, ast.Call):
        called = last_name(receiver.func) or ""
        return called.endswith("Path") or called in _path_returning_functions(ctx)
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
        elif bind.kind == "assign" and isinstance(bind.value, ast.Call):
            if (last_name(bind.value.func) or "").endswith("Path"):
                return True
        elif bind.kind == "with" and _is_path_yielding(bind.value, ctx, _config(ctx.settings)):
            return True
    from ._util import local_names

    scope = ctx.enclosing_scope(receiver)
    for use in ctx.fact(local_names, scope).get(receiver.id, ()):
        parent = ctx.parent(use)
        if isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in _PATH_ONLY_ATTRIBUTES:
            return True
    return False


def _path_returning_functions(ctx: Context) -> frozenset[str]:
    """Functions and methods of this module whose every definition is annotated ``-> Path``."""

    def compute() -> frozenset[str]:
        verdicts: dict[str, bool] = {}
        for node in (*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)):
            returns = node.returns  # type: ignore[attr-defined]
            text = "" if returns is None else returns.value if isinstance(returns, ast.Constant) else ast.unparse(returns)
            name = node.name  # type: ignore[attr-defined]
            verdicts[name] = verdicts.get(name, True) and isinstance(text, str) and "Path" in text
        return frozenset(name for name, ok in verdicts.items() if ok)

    return ctx.memo("det1.path-functions", ctx.tree, compute)  # type: ignore[return-value]


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
    if _is_dump_file_arg(call, ctx):
        return None
    api, target, mode, known = parts
    return _moded_site(call, api, target, mode if known else None, "open", ctx, cfg)


def _dump_site(call: ast.Call, api: str, ctx: Context, cfg: _Config) -> Optional[WriteSite]:
    """``json.dump(obj, open(p, "w"))``: the dump is the site, with the open's path and mode."""
    file_arg = argument(call, 1, _DUMPERS[api][0])
    if not isinstance(file_arg, ast.Call) or not _worth_a_look(file_arg.func, ctx, cfg):
        return None
    parts = _open_parts(file_arg, ctx.call_name(file_arg), ctx)
    if parts is None:
        return None
    _, target, mode, known = parts
    return _moded_site(call, api, target, mode if known else None, "dump", ctx, cfg)


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
    cfg: _Config = _LAST[1] if _LAST[0] is settings else _config(settings)
    func = call.func
    cls = func.__class__
    if cls is ast.Attribute:
        if func.attr not in cfg.attr_names:  # type: ignore[attr-defined]
            return None
    elif cls is ast.Name:
        name_id = func.id  # type: ignore[attr-defined]
        if name_id not in cfg.name_ids and name_id not in _module_aliases(ctx, cfg) and (
            name_id not in _local_aliases(ctx, cfg)
        ):
            return None
    else:
        return None
    return ctx.memo("det1.raw", call, lambda: _classify(call, ctx, cfg))  # type: ignore[return-value]


def write_site(call: ast.Call, ctx: Context) -> Optional[WriteSite]:
    """How ``call`` writes a file, or ``None`` when it does not write one.

    Every write is returned, exempt and safe ones included (``exempt_reason`` /
    ``atomic`` say why they are not hazards); :attr:`WriteSite.is_hazard` is what the
    DET1xx rules report. Not write sites: reads, writers handed a file object or buffer
    (``np.save(f, a)``, ``df.to_csv(buf)``: the verdict belongs to where ``f`` was opened),
    writers without a path (``df.to_csv()``), and an ``open(...)`` passed straight to
    ``json.dump`` & co. (the dump call is the site).
    """
    site = _raw_write_site(call, ctx)
    if site is None or site.atomic or (site.exempt_reason is not None and site.exempt_reason not in _SCRATCH_REASONS):
        return site
    facts = _rename_facts(ctx.enclosing_scope(call), ctx)
    if id(call) in facts.temp_writes:
        return _replace_reason(site, REASON_RENAMED_TEMP)
    return site


def _replace_reason(site: WriteSite, reason: str) -> WriteSite:
    return WriteSite(site.call, site.api, site.mode, site.target, reason, atomic=site.atomic, kind=site.kind)


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
        if name not in _RENAME_NAMES and name not in _module_aliases(ctx, _config(ctx.settings)):
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
    for node in ctx.fact(statement_nodes, scope):
        if not isinstance(node, ast.Call):
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
    if not renames or not (writes or os_writes):
        return _NO_FACTS
    synced = any(
        isinstance(node, ast.Call) and _is_fsync(node, ctx) for node in ast.walk(scope)
    )
    temp_writes: set[int] = set()
    unsynced: set[int] = set()
    sources: dict[int, ast.Call] = {}
    for rename in renames:
        where = _position(rename.call)
        before = [
            site
            for site in writes
            if _position(site.call) < where and not _exclusive(site.call, rename.call, scope, ctx)
        ]
        connected = _connected_writes(rename, before, os_writes, where, ctx)
        if connected is None:
            continue
        temp_writes.update(id(site.call) for site in connected)
        if synced or _in_safe_helper(rename.call, ctx, cfg):
            continue
        if rename.dest is not None and _glob_reason(_template(rename.dest, ctx), cfg.exempt_paths):
            continue
        unsynced.add(id(rename.call))
        if connected:
            sources[id(rename.call)] = min(connected, key=lambda site: _position(site.call)).call
        else:  # written through ``os.write(fd, ...)``: name it when there is only one
            through_fd = [call for call in os_writes if _position(call) < where]
            if len(through_fd) == 1:
                sources[id(rename.call)] = through_fd[0]
    return _RenameFacts(frozenset(temp_writes), frozenset(unsynced), sources)


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
    return ctx.memo("det1.renames", scope, lambda: _compute_rename_facts(scope, ctx))  # type: ignore[return-value]


# -- fixability -----------------------------------------------------------------------------


def _is_direct_with_item(call: ast.Call, ctx: Context) -> bool:
    parent = ctx.parent(call)
    return (
        isinstance(parent, ast.withitem)
        and parent.context_expr is call
        and isinstance(ctx.parent(parent), ast.With)
    )


def _is_statement(call: ast.Call, ctx: Context) -> bool:
    return isinstance(ctx.parent(call), ast.Expr)


def _display(api: str) -> str:
    return api.replace("pathlib.", "")


_MAX_SPELLING = 60


def _short(expr: ast.AST) -> str:
    text = " ".join(ast.unparse(expr).split())
    return text if len(text) <= _MAX_SPELLING else text[: _MAX_SPELLING - 3] + "..."


def _sink(call: ast.Call) -> str:
    """The write a message names, with its line: a backquoted ``np.save(...)`` on line 12."""
    return f"`{_short(call.func)}(...)` on line {call.lineno}"


def _written(site: WriteSite) -> str:
    """What a write overwrites, for messages: the backquoted path expression, or "the target"."""
    return "the target" if site.target is None else f"`{_short(site.target)}`"


# -- fixes ----------------------------------------------------------------------------------
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
_PATH_TYPE_NAMES = frozenset(
    {"Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath", "PathLike"}
)
_ANNOTATION_GLUE = frozenset({"Optional", "Union", "None"})
_NAME_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PATHLIKE_PARAM_RE = re.compile(r"PathLike\[[^\]]*\]")

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
    for node in ctx.fact(all_nodes, scope):
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


def _fix_view(ctx: FixContext) -> FixAnalysis:
    """What ``fix`` knows about the file: the detector's own view, shared by the pass."""
    return ctx.analysis


def _fix_site(ctx: FixContext, kind: str) -> Optional[tuple[Context, ast.Call, WriteSite]]:
    """The write site of the finding being fixed, seen the way ``check`` saw it."""
    view = _fix_view(ctx)
    finding = ctx.finding
    call = view.call_at(finding)
    if call is None:
        return None
    site = write_site(call, view.ctx)
    if site is None or site.kind != kind or not site.is_hazard:
        return None
    return view.ctx, call, site


def _helper(ctx: FixContext, name: str) -> Optional[str]:
    """Import ``name`` from the helpers module, unless the file uses that name otherwise."""
    from ..cst_util import names_bound_except_import

    module = ctx.helpers_module
    bound = _fix_view(ctx).once(("helpers", module), lambda: names_bound_except_import(ctx.module, module))
    if name in bound:
        return None
    return ctx.use_helper(name)


def _rewritten_call(updated: Any, rewrite: _CallRewrite, helper: str) -> Optional[Any]:
    """``updated`` (a libcst ``Call``) as a call of ``helper`` per ``rewrite``."""
    import libcst as cst

    from ..cst_util import keyword_argument, receiver_as_first_argument

    if not isinstance(updated, cst.Call):
        return None
    args = list(updated.args)
    if any(arg.star for arg in args):
        return None
    renames = dict(rewrite.renames)
    position = 0
    new_args = []
    for arg in args:
        if arg.keyword is None:
            if 0 <= rewrite.keyword_from <= position:
                offset = position - rewrite.keyword_from
                if offset >= len(rewrite.keyword_names):
                    return None
                arg = keyword_argument(arg, rewrite.keyword_names[offset])
            position += 1
        elif arg.keyword.value in renames:
            arg = arg.with_changes(keyword=cst.Name(renames[arg.keyword.value]))
        new_args.append(arg)
    if rewrite.receiver_first:
        with_receiver = receiver_as_first_argument(updated.with_changes(args=new_args))
        if with_receiver is None:
            return None
        new_args = with_receiver
    return updated.with_changes(func=cst.Name(helper), args=new_args)


def _open_fix(node: Any, ctx: FixContext) -> Optional[Edit]:
    """DET101: ``open(...)`` in a ``with`` item becomes ``atomic_open(...)``."""
    from ..fixer import Edit

    found = _fix_site(ctx, "open")
    if found is None:
        return None
    actx, call, _ = found
    rewrite = _open_rewrite(call, actx)
    if rewrite is None or _handle_may_leak(call, actx):
        return None
    helper = _helper(ctx, "atomic_open")
    if helper is None:
        return None

    def apply(updated: Any) -> Any:
        return _rewritten_call(updated, rewrite, helper) or updated

    return Edit(node, apply)


def _statement_of(node: Any, ctx: FixContext) -> Optional[Any]:
    """The line (or one-line suite) whose only statement is the call ``node``."""
    import libcst as cst

    from ..cst_util import only_small_statement

    expr = ctx.parent(node)
    statement = ctx.parent(expr) if expr is not None else None
    if not isinstance(expr, cst.Expr) or statement is None or only_small_statement(statement) is not expr:
        return None
    return statement


def _with_fix(
    node: Any, ctx: FixContext, slot: _Slot, names: tuple[str, ...], make_item: Any, *, distinct: bool = False
) -> Optional[Edit]:
    """Wrap the statement of call ``node`` in ``with <item> as <fresh name>:``; the argument
    at ``slot`` becomes the fresh name and ``make_item(argument value)`` the ``with`` item.

    The name is bound nowhere in the module; with ``distinct`` it also differs from the
    names given to other fixes in the same function (DET104 knows a temp path of
    ``atomic_path`` only by a name bound once).
    """
    import libcst as cst

    from ..cst_util import find_argument, fresh_name, only_small_statement, wrap_statement_in_with
    from ..fixer import Edit

    statement = _statement_of(node, ctx)
    if statement is None:
        return None
    view = _fix_view(ctx)
    taken: set[str] = view.once(("bound", ""), ctx.bound_names)
    if distinct:
        call = view.call_at(ctx.finding)
        if call is None:
            return None
        name = view.fresh_name(call, names, taken)
    else:
        name = fresh_name(names, taken)

    def apply(updated: Any) -> Any:
        small = only_small_statement(updated)
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return updated
        call = small.value
        arg = find_argument(call.args, index=slot.index, name=slot.name)
        if arg is None:
            return updated
        item = make_item(arg.value)
        if item is None:
            return updated
        new_args = [a.with_changes(value=cst.Name(name)) if a is arg else a for a in call.args]
        new_small = small.with_changes(value=call.with_changes(args=new_args))
        return wrap_statement_in_with(updated, item, name, new_small)

    return Edit(statement, apply)


# -- rules ----------------------------------------------------------------------------------


def _write_call_names(settings: Settings) -> frozenset[str]:
    """Callee names that can be a write: the engine routes only these calls (and their
    ``from ... import ... as`` aliases) to the DET101-DET104 rules."""
    cfg = _config(settings)
    return cfg.name_ids | cfg.attr_names


class NonAtomicOpen(Rule):
    """
    ## What it does
    Flags `open()` (also `io.open`, `codecs.open`, `gzip.open`, `bz2.open`, `lzma.open`,
    `Path.open`, `fsspec.open`, `smart_open.open`, `tf.io.gfile.GFile`, the `open` method of
    a file system or path manager: `fs.open(path, "wb")`, `self.fs.open(...)`, a
    `fsspec.filesystem(...)`, `PathManager.open(...)`, and a local name for one of these:
    `open_fn = fs.open if fs else open`) in a mode that truncates or creates the file: any
    mode containing `w` or `x` (`"w"`, `"wb"`, `"w+"`, `"x"`...). Also
    `fd = os.open(path, O_WRONLY | O_CREAT | O_TRUNC)` when the function then writes to `fd`.

    Not flagged: read modes, append (`"a"`), in-place update (`"r+"`), modes that are not
    known statically, and writes that produce no artifact:

    - exempt targets (lock files, Markdown reports, logs, `os.devnull`, standard streams);
    - scratch space: `tempfile` files and directories (also through `.name`, `mkdtemp()`,
      a `self.tmp_dir` that the class only ever sets to a temporary directory (or `None`), pytest's
      `tmp_path_factory.mktemp()`), `/tmp/...`, temp names (`tmp`, `*.tmp`, `*.partial`,
      `*.incomplete`), a folder or file the same function removes afterwards;
    - scratch paths by provenance: a path built on a parameter named as temporary (`tmp`,
      `tmp_dir`, `scratch_path`), or on a parameter that every call in the module fills with
      a temporary path (`extract(blob, tempfile.mkdtemp())`, also
      `Thread(target=copy_out, args=(pipe, tmp_log))`), and a path under `self.<attr>` in a
      class that creates its own instances in a temporary directory
      (`cls(..., tempfile.mkdtemp())`: a scratch clone or executor workspace);
    - files created empty: `with open(p, "x"): pass`, `open(p, "w").close()`, a
      `with ... as f` whose body never uses `f`;
    - markers and ignore files (`.gitignore`, `.gitkeep`, `.dvcignore`...), rotated logs,
      a path that is a log file in every assignment that spells it, writes inside a
      `logging` handler class;
    - diagnostic and hand-off files: profiler dumps (a `.prof`/`.pstats` name, or a
      function that calls `dump_stats`), a child process's output log (an `open()` given
      to `subprocess` as `stdout=`/`stderr=`), and a shell script of `export NAME=...`
      lines that the next command sources;
    - file descriptors, pipe ends and sockets (what the fix declines as not a path), FIFOs
      made with `os.mkfifo` in the same function;
    - object-store URLs (`s3://`, `gs://`...: the object appears whole when the upload
      ends) and writes inside `with fs.transaction:` (fsspec moves them into place);
    - the temp file of a hand-made temp-then-rename (DET105 looks at that pattern as a
      whole). An `open()` passed straight to `json.dump` and friends is reported once, by
      DET102.

    ## Why is this bad?
    `open(path, "w")` empties the file first and fills it as the program runs. A crash, a
    full disk or a kill signal in between leaves a truncated artifact behind, and a reader
    running at the same time sees a half-written file. The next pipeline step cannot tell
    it apart from a complete one.

    ## Example
    ```python
    import json


    def save_config(config, path):
        with open(path, "w") as f:
            json.dump(config, f)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def save_config(config, path):
        with atomic_open(path, "w") as f:
            json.dump(config, f)
    ```

    ## Fix safety
    The fix replaces only the callee: `with open(p, "w", ...) as f:` becomes
    `with atomic_open(p, "w", ...) as f:` with the same arguments, and so do `io.open`,
    `Path.open(p, "w")` and `codecs.open` without an encoding (which then is `open`);
    `p.open("w")` becomes `atomic_open(p, "w")`. The same bytes are written, to a temp file
    that is renamed over the target when the block ends without error. It is safe. An
    `import io` or `import codecs` that the fix leaves unused stays: `fix` never removes an
    import (tests may patch `pkg.module.io.open`).

    The file object reports the target in `f.name`, the path exactly as given, as `open()`'s
    does: code that hands `f` on after the block (`load_config(config_file=f)`, which reads
    `f.name`) finds the new file there. Inside the block the new content is not yet under that
    name, so the fix is still not offered where the function reads `f.name` or hands `f` to
    gzip/tar as `fileobj=`.

    No fix for `fsspec.open`, file-system and path-manager openers, local aliases, `os.open`
    and openers from `extra-writers`: they also take URLs, or are not `open()`.

    It is offered only for a call used directly as a `with` item, with the arguments
    `atomic_open` takes (the path, a mode, `encoding`/`errors`/`newline` as keywords), a
    mode that is a literal (or a name bound once to one), and a path: never a file
    descriptor, pipe end or socket (`open(fd, "wb")` with `fd` from `os.pipe()`,
    `.fileno()`, `msvcrt.open_osfhandle`, an `int`, a name like `fd`/`wfd`/`sock`), which
    has no directory entry to replace. Flagged without a fix: a handle kept in a variable
    (`f = open(p, "w")`), `buffering`, `opener` or `closefd`, compressed files, `codecs.open`
    with an encoding (it writes through a `StreamWriter`, with other newline handling).

    Tests that patch `open` by name in the module under test
    (`mock.patch("pkg.module.open", mock_open())`) no longer intercept the write after this
    fix: patch `pkg.module.atomic_open` instead (`mock_open()` also works as its context
    manager), or let the test write into a temporary directory.

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    ## Options
    - `exempt-paths`: extra path globs that are not artifacts (defaults: `*.lock`, `*.md`,
      `*.log`, `*.pid`, `/dev/*`).
    - `extra-writers`: more openers, as `"pkg.mod.open_blob:0:1"` (path argument 0, mode
      argument 1; without a mode the opener reads) or `".open_file:0:1"` (any method of
      that name).
    - `safe-writers`: calls that already write atomically.
    """

    code = "DET101"
    name = "non-atomic-open"
    message = "`open(..., 'w')` writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Use `atomic_open` (write a temp file, then rename it over the target)"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    VALID = (
        "with open(path) as f:\n    data = f.read()\n",
        "with open(log_path, 'a') as f:\n    f.write(line)\n",
        "with open(path, 'r+') as f:\n    f.seek(0)\n    f.write(header)\n",
        "with open(run_dir / 'train.lock', 'w') as f:\n    f.write(str(pid))\n",
        "def write(path, text, mode):\n    with open(path, mode) as f:\n        f.write(text)\n",
        "def open(path, mode):\n    return store.get(path)\n\nwith open(key, 'w') as f:\n    f.write(data)\n",
        "import zipfile\nwith zipfile.ZipFile(out) as zf:\n    with zf.open('data.csv', 'w') as f:\n        f.write(payload)\n",
        "import tarfile\nwith tarfile.open(fileobj=buf, mode='w') as tar:\n    tar.add(path)\n",
        "import os\nwith open(os.devnull, 'w') as sink:\n    run(stdout=sink)\n",
        "from determinism_lint.runtime import atomic_open\nwith atomic_open(path, 'w') as f:\n    f.write(text)\n",
        "import os, tempfile\nwith tempfile.TemporaryDirectory() as d:\n"
        "    with open(os.path.join(d, 'input.json'), 'w') as f:\n        f.write(text)\n",
        "with open(marker, 'x'):\n    pass\n",
        "import os\nwith open(os.path.join(cache_dir, '.gitignore'), 'w') as f:\n    f.write('*')\n",
        "with fs.transaction:\n    with fs.open(path, 'wb') as f:\n        f.write(blob)\n",
        # A profiler dump is diagnostic output.
        "import os\n\ndef save_profile(out_dir, name, stats):\n"
        "    with open(os.path.join(out_dir, name + '.prof'), 'wb') as f:\n        f.write(stats)\n",
        "def dump_profile(profile, dst_fs, dst):\n    profile.dump_stats('local.out')\n"
        "    with dst_fs.open(dst, 'wb') as f:\n        f.write(read('local.out'))\n",
        # The output log of a child process.
        "import subprocess\nsubprocess.Popen(cmd, stdout=open(out_log, 'w'), stderr=open(err_log, 'w'))\n",
        "import subprocess\nwith open(output_path, 'w') as out:\n    subprocess.run(cmd, stdout=out, check=True)\n",
        # A script of environment variables for the next shell command.
        "def export_parameters(output_file, params):\n    with open(output_file, 'w') as f:\n"
        "        for k, v in params.items():\n            f.write('export METAFLOW_%s=%s\\n' % (k.upper(), v))\n",
        # Scratch paths by provenance.
        "def download(client, key, tmp):\n    with open(tmp, mode='wb') as t:\n        t.write(client.get(key))\n",
        "import os, tempfile\n\ndef extract(blob, dest_dir):\n"
        "    with open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
        "extract(blob, tempfile.mkdtemp())\n",
        "import os, tempfile, threading\n\nclass Command:\n    def run(self):\n"
        "        self.temp_dir = tempfile.mkdtemp()\n        log = os.path.join(self.temp_dir, 'stdout')\n\n"
        "        def copy_out(pipe, log_file):\n            with open(log_file, 'w') as f:\n"
        "                f.write(pipe.read())\n\n"
        "        threading.Thread(target=copy_out, args=(self.proc.stdout, log)).start()\n",
        "import os\nfrom tempfile import mkdtemp\n\nclass TempDirExecutor(Executor):\n"
        "    @classmethod\n    def from_entry(cls, repo, entry):\n        tmp_dir = mkdtemp(dir=repo.tmp_dir)\n"
        "        return cls._from_stash_entry(repo, entry, tmp_dir)\n\n    def _update_config(self, conf):\n"
        "        with open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
        "            conf.write(f)\n",
    )
    INVALID = (
        # Not every line is an ``export``: the file holds data.
        Invalid(
            "import json\n\ndef export_parameters(output_file, params):\n    with open(output_file, 'w') as f:\n"
            "        f.write('export A=1\\n')\n        f.write(json.dumps(params))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "def export_parameters(output_file, params):\n    with atomic_open(output_file, 'w') as f:\n"
                "        f.write('export A=1\\n')\n        f.write(json.dumps(params))\n"
            ),
        ),
        # One call passes a kept directory.
        Invalid(
            "import os, tempfile\n\ndef extract(blob, dest_dir):\n"
            "    with open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
            "extract(blob, tempfile.mkdtemp())\nextract(blob, out_dir)\n",
            fixed=(
                "import os, tempfile\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "def extract(blob, dest_dir):\n"
                "    with atomic_open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
                "extract(blob, tempfile.mkdtemp())\nextract(blob, out_dir)\n"
            ),
        ),
        # The class never makes a temporary directory: ``self.root_dir`` is the user's.
        Invalid(
            "import os\n\nclass WorkspaceExecutor(Executor):\n    def _update_config(self, conf):\n"
            "        with open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
            "            conf.write(f)\n",
            fixed=(
                "import os\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "class WorkspaceExecutor(Executor):\n    def _update_config(self, conf):\n"
                "        with atomic_open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
                "            conf.write(f)\n"
            ),
        ),
        # The log handle is not the child's output: the function writes its results there.
        Invalid(
            "import subprocess\nwith open(results_path, 'w') as out:\n"
            "    out.write(subprocess.run(cmd, capture_output=True, text=True).stdout)\n",
            fixed=(
                "import subprocess\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(results_path, 'w') as out:\n"
                "    out.write(subprocess.run(cmd, capture_output=True, text=True).stdout)\n"
            ),
        ),
        Invalid(
            "with open(path, 'w') as f:\n    f.write(text)\n",
            fixed="from determinism_lint.runtime import atomic_open\n\nwith atomic_open(path, 'w') as f:\n    f.write(text)\n",
        ),
        Invalid(
            "import io\nwith io.open(path, mode='wb') as f:\n    f.write(blob)\n",
            fixed=(
                "import io\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, mode='wb') as f:\n    f.write(blob)\n"
            ),
        ),
        Invalid(
            "with open(path, 'x') as f:\n    f.write(text)\n",
            fixed="from determinism_lint.runtime import atomic_open\n\nwith atomic_open(path, 'x') as f:\n    f.write(text)\n",
        ),
        Invalid(
            "from pathlib import Path\nwith Path(out_dir, 'meta.json').open('w') as f:\n    f.write(text)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(Path(out_dir, 'meta.json'), 'w') as f:\n    f.write(text)\n"
            ),
        ),
        Invalid(
            "with (run_dir / 'report.csv').open(mode='w', newline='') as f:\n    write_rows(f)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(run_dir / 'report.csv', mode='w', newline='') as f:\n    write_rows(f)\n"
            ),
        ),
        Invalid("f = open(path, 'w')\nf.write(text)\nf.close()\n", fixed=NO_FIX),
        Invalid("import gzip\nwith gzip.open(path, 'wt') as f:\n    f.write(text)\n", fixed=NO_FIX),
        Invalid(
            "MODE = 'wb'\nwith open(path, MODE) as f:\n    f.write(blob)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "MODE = 'wb'\nwith atomic_open(path, MODE) as f:\n    f.write(blob)\n"
            ),
        ),
        Invalid(
            "with open(f'{run}/report.md.json', 'w') as f:\n    f.write(text)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(f'{run}/report.md.json', 'w') as f:\n    f.write(text)\n"
            ),
        ),
        Invalid(
            "import codecs\nwith codecs.open(path, 'w') as f:\n    f.write(text)\n",
            fixed=(
                "import codecs\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    f.write(text)\n"
            ),
        ),
        Invalid("import codecs\nwith codecs.open(path, 'w', 'latin-1') as f:\n    f.write(text)\n", fixed=NO_FIX),
        Invalid(
            "with open(src) as f, open(dst, 'w') as g:\n    g.write(f.read())\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with open(src) as f, atomic_open(dst, 'w') as g:\n    g.write(f.read())\n"
            ),
        ),
        Invalid(
            "class Store:\n    def save(self, text):\n        # one file per store\n"
            "        with open(self.path, 'w', encoding='utf-8') as f:  # the index\n            f.write(text)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n\nclass Store:\n"
                "    def save(self, text):\n        # one file per store\n"
                "        with atomic_open(self.path, 'w', encoding='utf-8') as f:  # the index\n"
                "            f.write(text)\n"
            ),
        ),
        Invalid(
            "def save(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n"
            "    log.info('wrote %s', f.name)\n",
            fixed=NO_FIX,
        ),
        Invalid("with open(path, 'w', buffering=1) as f:\n    f.write(text)\n", fixed=NO_FIX),
        Invalid("with fs.open(config_path, 'wb') as f:\n    f.write(blob)\n", fixed=NO_FIX),
        Invalid("import fsspec\nwith fsspec.open(index_path, 'wb') as f:\n    f.write(blob)\n", fixed=NO_FIX),
        Invalid(
            "def dump(path, text, fs=None):\n    open_fn = fs.open if fs else open\n"
            "    with open_fn(path, 'w') as f:\n        f.write(text)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\nfd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)\nos.write(fd, blob)\n",
            fixed=NO_FIX,
        ),
    )

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _write_call_names(settings)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        site = write_site(node, ctx)
        if site is None or site.kind != "open" or not site.is_hazard:
            return
        fixable = (
            _is_direct_with_item(node, ctx)
            and _open_rewrite(node, ctx) is not None
            and not _handle_may_leak(node, ctx)
        )
        message = (
            f"`{_display(site.api)}(..., {site.mode!r})` on line {node.lineno} writes {_written(site)} in place:"
            " a crash leaves it truncated or half-written"
        )
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        return _open_fix(node, ctx)


class DumpIntoOpen(Rule):
    """
    ## What it does
    Flags `json.dump`, `yaml.dump`/`safe_dump`, `pickle.dump`, `marshal.dump`, `toml.dump`
    (and `simplejson`, `ujson`, `cloudpickle`, `dill`, `tomli_w`) whose file argument is a
    bare `open(..., "w")` call: `json.dump(obj, open(path, "w"))`.

    The inner `open()` is not reported again by DET101: this is one finding per write.

    ## Why is this bad?
    Nothing closes the file: when it is flushed depends on the garbage collector, so the
    next step may read it before all bytes are there. And the write is not atomic: a
    crash leaves the target truncated or half-written.

    ## Example
    ```python
    import json


    def write_manifest(manifest, path):
        json.dump(manifest, open(path, "w"), indent=2)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def write_manifest(manifest, path):
        with atomic_open(path, "w") as f:
            json.dump(manifest, f, indent=2)
    ```

    ## Fix safety
    The fix turns the statement into `with atomic_open(path, "w") as f:` around the dump,
    which gets `f` in place of the `open(...)` call (`f`, `fh`, `handle`...: the first name
    not used anywhere in the module). The `with` takes the statement's leading comments; the
    dump keeps its trailing comment, so a `noqa` stays on its line. It is safe: the same
    bytes are written, the file is closed, and the target is replaced in one step.

    It is offered only when the dump call is a statement alone on its line, outside a class
    body, with an `open(...)` that DET101 could rewrite, and when evaluating the path before
    the dumped object is invisible (one of the two calls nothing but path builders:
    `json.dump(make(), open(next_path(), "w"))` has no fix).

    Tests that patch `open` by name in the module (`mock.patch("pkg.module.open")`) no longer
    intercept the write: patch `pkg.module.atomic_open` instead (see DET101).

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    ## Options
    - `exempt-paths`: extra path globs that are not artifacts.
    - `safe-writers`: calls that already write atomically.
    """

    code = "DET102"
    name = "dump-into-open"
    message = "dump into a bare `open(..., 'w')`: the file is never closed promptly and the write is not atomic"
    fix_title = "Dump inside `with atomic_open(...) as f:`"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    VALID = (
        "import json\nwith open(path, 'w') as f:\n    json.dump(obj, f)\n",
        "import json\nwith open(path) as f:\n    obj = json.load(f)\n",
        "import json\njson.dump(record, open(events_log, 'a'))\n",
        "import json\njson.dump(state, open('state.lock', 'w'))\n",
        "import json\n\nfrom determinism_lint.runtime import atomic_open\njson.dump(obj, atomic_open(path, 'w'))\n",
        "def dump(obj, f):\n    pass\n\ndump(obj, open(path, 'w'))\n",
        "import json\nimport sys\njson.dump(obj, sys.stdout)\n",
    )
    INVALID = (
        Invalid(
            "import json\njson.dump(obj, open(path, 'w'))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    json.dump(obj, f)\n"
            ),
        ),
        Invalid(
            "import json as j\nj.dump(obj, fp=open(path, 'w'), indent=2)\n",
            fixed=(
                "import json as j\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    j.dump(obj, fp=f, indent=2)\n"
            ),
        ),
        Invalid(
            "import pickle\npickle.dump(model, open(cache / 'model.pkl', 'wb'))\n",
            fixed=(
                "import pickle\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(cache / 'model.pkl', 'wb') as f:\n    pickle.dump(model, f)\n"
            ),
        ),
        Invalid(
            "import yaml\nyaml.safe_dump(config, open(out, 'w'), sort_keys=True)\n",
            fixed=(
                "import yaml\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(out, 'w') as f:\n    yaml.safe_dump(config, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "from pathlib import Path\nimport json\njson.dump(obj, Path(out).open('w'))\n",
            fixed=(
                "from pathlib import Path\nimport json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(Path(out), 'w') as f:\n    json.dump(obj, f)\n"
            ),
        ),
        Invalid("from json import dump\nresult = dump(obj, open(path, 'w'))\n", fixed=NO_FIX),
        Invalid(
            "import marshal\nmarshal.dump(code, open(path, 'xb'))\n",
            fixed=(
                "import marshal\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'xb') as f:\n    marshal.dump(code, f)\n"
            ),
        ),
        Invalid(
            "import json\n\n\ndef save(obj, path, **kw):\n    # the manifest\n"
            "    json.dump(obj, open(path, 'w'), **kw)  # noqa: DET201\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n\n"
                "def save(obj, path, **kw):\n    # the manifest\n    with atomic_open(path, 'w') as f:\n"
                "        json.dump(obj, f, **kw)  # noqa: DET201\n"
            ),
        ),
        Invalid(
            "import json\nif ready: json.dump(obj, open(path, 'w'))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "if ready:\n    with atomic_open(path, 'w') as f:\n        json.dump(obj, f)\n"
            ),
        ),
        Invalid("import json\njson.dump(make(), open(next_path(), 'w'))\n", fixed=NO_FIX),
    )

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _write_call_names(settings)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        site = write_site(node, ctx)
        if site is None or site.kind != "dump" or not site.is_hazard:
            return
        message = (
            f"`{site.api}` on line {node.lineno} into a bare `open({_short(site.target) if site.target else '...'},"
            f" {site.mode!r})`: the file is"
            " never closed promptly and the write is not atomic"
        )
        yield Report(node, message, fixable=_dump_plan(node, site, ctx) is not None)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        found = _fix_site(ctx, "dump")
        if found is None:
            return None
        actx, call, site = found
        plan = _dump_plan(call, site, actx)
        if plan is None:
            return None
        slot, rewrite = plan
        helper = _helper(ctx, "atomic_open")
        if helper is None:
            return None
        return _with_fix(node, ctx, slot, _HANDLE_NAMES, lambda value: _rewritten_call(value, rewrite, helper))


class NonAtomicPathWrite(Rule):
    """
    ## What it does
    Flags `<path>.write_text(...)` and `<path>.write_bytes(...)` (`pathlib.Path`, and the
    `Path` classes of trio, anyio and others with the same methods), unless the target
    produces no artifact (exempt, scratch, marker, temp-name, removed afterwards: see
    DET101) or is the temp file of a hand-made temp-then-rename (DET105).

    The receiver must be a path by evidence: built with `Path(...)`, `/`, `.with_suffix()`,
    `.parent`; a name bound to one, annotated with a path type, made by a class named
    `...Path`, returned by a function of the module annotated `-> Path`, a `self.x` that the
    class only sets to paths, or a name also used with an attribute only paths have
    (`.read_text()`, `.is_file()`, `.suffix`...). Other objects have `write_text` methods
    too (`click.HelpFormatter`, consoles, stores): `obj.write_text(s)` with nothing known
    about `obj` is not reported.

    ## Why is this bad?
    `write_text` opens the file with mode `"w"`: it is truncated first and filled
    afterwards. A crash in between leaves an empty or partial artifact, and a concurrent
    reader can see one at any time.

    ## Example
    ```python
    def save_summary(run_dir, text):
        (run_dir / "summary.txt").write_text(text, encoding="utf-8")
    ```

    ## Use instead
    ```python
    from determinism_lint.runtime import write_atomic_text


    def save_summary(run_dir, text):
        write_atomic_text(run_dir / "summary.txt", text, encoding="utf-8")
    ```

    ## Fix safety
    The fix rewrites `p.write_text(s, ...)` to `write_atomic_text(p, s, ...)` and
    `p.write_bytes(b)` to `write_atomic_bytes(p, b)` (`Path.write_text(p, s)` likewise). The
    helpers take `encoding`, `errors` and `newline` as keywords, so a positional one becomes
    a keyword, and `data=` becomes `text=`. `write_atomic_text` encodes as `Path.write_text`
    does, default (locale) encoding and newline translation included. It is safe: same
    bytes, written atomically. It is offered only when the call is a statement of its own
    (its return value, the number of characters written, is not used) and the receiver is
    known to be a `pathlib` path: built with `Path(...)`, `/`, `.with_suffix(...)` or
    `.parent`, or a name bound to one or annotated `Path`. Other objects have `write_text`
    methods too, and the helpers take paths only.

    Tests that patch `Path.write_text` (`mock.patch.object(Path, "write_text")`) no longer
    intercept the write after this fix: patch `pkg.module.write_atomic_text` instead.

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    ## Options
    - `exempt-paths`: extra path globs that are not artifacts.
    - `safe-writers`: calls that already write atomically.
    """

    code = "DET103"
    name = "non-atomic-path-write"
    message = "`Path.write_text` writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Use `write_atomic_text` / `write_atomic_bytes`"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    VALID = (
        "text = path.read_text()\n",
        "(run_dir / 'README.md').write_text(report)\n",
        "lock = run_dir / 'train.lock'\nlock.write_text(str(os.getpid()))\n",
        "from determinism_lint.runtime import write_atomic_text\nwrite_atomic_text(path, text)\n",
        "from determinism_lint.runtime import atomic_path\nwith atomic_path(out) as tmp:\n    tmp.write_bytes(blob)\n",
        "import tempfile\nfrom pathlib import Path\nwith tempfile.TemporaryDirectory() as d:\n"
        "    (Path(d) / 'input.json').write_text(text)\n",
        Valid("(out / 'notes.txt').write_text(text)\n", settings=(("exempt_paths", ("*.txt",)),)),
        "def format_help(formatter, text):\n    formatter.write_text(text)\n",
        "def save(path, text):\n    path.write_text(text)\n",
    )
    INVALID = (
        Invalid("def save(path: Union[str, Path], text):\n    path.write_text(text)\n", fixed=NO_FIX),
        Invalid(
            "(cache_dir / 'index.bin').write_bytes(blob)\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_bytes\n\n"
                "write_atomic_bytes(cache_dir / 'index.bin', blob)\n"
            ),
        ),
        Invalid(
            "from pathlib import Path\nPath(out, 'config.yaml').write_text(dump(config))\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_text\n\n"
                "write_atomic_text(Path(out, 'config.yaml'), dump(config))\n"
            ),
        ),
        Invalid("out = Path(d)\nn = out.write_text(payload, encoding='utf-8')\n", fixed=NO_FIX),
        Invalid(
            "from pathlib import Path\nPath.write_text(target, text)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_text\n\n"
                "write_atomic_text(target, text)\n"
            ),
        ),
        Invalid(
            "def f(run):\n    report = run / 'report.md.json'\n    report.write_text(body)\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_text\n\n\ndef f(run):\n"
                "    report = run / 'report.md.json'\n    write_atomic_text(report, body)\n"
            ),
        ),
        Invalid(
            "def save(path: Path, text):\n    path.write_text(text, 'utf-8')\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_text\n\n\n"
                "def save(path: Path, text):\n    write_atomic_text(path, text, encoding='utf-8')\n"
            ),
        ),
        Invalid(
            "from pathlib import Path\npath = Path(out)\npath.write_bytes(data=blob)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_bytes\n\n"
                "path = Path(out)\nwrite_atomic_bytes(path, data=blob)\n"
            ),
        ),
        Invalid(
            "class Run:\n    def __init__(self, root):\n        self.target = Path(root) / 'meta.txt'\n\n"
            "    def save(self, text):\n        self.target.write_text(text)\n",
            fixed=NO_FIX,
        ),
    )

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _write_call_names(settings)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        site = write_site(node, ctx)
        if site is None or site.kind != "path-method" or not site.is_hazard:
            return
        message = (
            f"`{_display(site.api)}` on line {node.lineno} writes {_written(site)} in place:"
            " a crash leaves it truncated or half-written"
        )
        fixable = _is_statement(node, ctx) and _path_method_rewrite(node, site, ctx) is not None
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from ..fixer import Edit

        found = _fix_site(ctx, "path-method")
        if found is None or not _is_statement(found[1], found[0]):
            return None
        actx, call, site = found
        rewrite = _path_method_rewrite(call, site, actx)
        if rewrite is None:
            return None
        helper = _helper(ctx, "write_atomic_text" if site.api.endswith("write_text") else "write_atomic_bytes")
        if helper is None:
            return None

        def apply(updated: Any) -> Any:
            return _rewritten_call(updated, rewrite, helper) or updated

        return Edit(node, apply)


class NonAtomicPathWriter(Rule):
    """
    ## What it does
    Flags library writers that are given a path and write the file in place:
    `numpy.save`/`savez`/`savez_compressed`/`savetxt`, `torch.save`, `joblib.dump`,
    `pyarrow.parquet.write_table`, `pyarrow.feather.write_feather`, the pandas / xarray
    methods `.to_csv`, `.to_parquet`, `.to_json`, `.to_pickle`, `.to_feather`, `.to_hdf`,
    `.to_excel`, `.to_orc`, `.to_stata`, `.to_netcdf`, the polars methods `.write_parquet`,
    `.write_csv`, `.write_json`, `.write_ndjson`, `.write_ipc`, `.write_avro`,
    `.write_excel`, copies into place (`shutil.copyfile`, `shutil.copy`, `shutil.copy2`:
    `dst` is filled piece by piece), and the writers named in `extra-writers`.

    Not flagged: a writer handed a file object or an in-memory buffer (`np.save(f, a)`
    inside `with open(...) as f`, `df.to_csv(buf)` with `buf = io.StringIO()`,
    `df.to_csv(sys.stdout)`), a writer without a path (`df.to_csv()` returns the text),
    `mode="a"`, exempt targets, and writes into the temp path of `atomic_path`. Figures
    (`plt.savefig`, `fig.savefig`) are reports, not data artifacts, and are not flagged
    unless `.savefig` is listed in `extra-writers`.

    The frame methods are matched by name, since the type of the receiver is not known. A
    call whose result is used counts only when its argument is visibly where a file goes
    (`return ds.to_parquet(path_or_buf, storage_options=...)`, `n = df.to_csv(out / "a.csv")`,
    a path keyword, a name such as `path`/`out_file`): `payload = obj.to_json(x)` is some
    other class's method, and `console.write_json(data)` with `data: dict` is not a frame
    writer. A method that only hands its own path parameter to another object's method of
    the same name (`def to_csv(self, path_or_buf): return Dataset(t).to_csv(path_or_buf)`)
    is a delegating wrapper, not the writer: the write is reported where it happens, and
    calls of the wrapper with a path are reported too. Writes that produce no artifact are
    not flagged (see DET101).

    ## Why is this bad?
    These writers open the target themselves and write it piece by piece. A crash or a
    killed job leaves a truncated `.npy`, `.parquet` or checkpoint behind, which the next
    run loads as if it were complete (or fails on much later, far from the cause).

    ## Example
    ```python
    import numpy as np


    def cache_embeddings(cache_dir, vectors):
        np.save(cache_dir / "embeddings.npy", vectors)
    ```

    ## Use instead
    ```python
    import numpy as np

    from determinism_lint.runtime import atomic_path


    def cache_embeddings(cache_dir, vectors):
        with atomic_path(cache_dir / "embeddings.npy") as tmp:
            np.save(tmp, vectors)
    ```

    ## Fix safety
    The fix wraps the statement in `with atomic_path(target) as tmp:` and passes `tmp`
    instead of the target, which is still evaluated once (`tmp`, `tmp_path`...: a name not
    used anywhere in the module). The temp path ends with the target's name, so writers that
    look at the extension behave the same. It is safe.

    It is offered only for a statement alone on its line, outside a class body, and only
    where the temp file's name cannot change the result. No fix for:

    - `torch.save` (it names the archive's top folder after the file) and the writers in
      `extra-writers` (what they do with the name is not known);
    - `shutil.copy`/`copy2` (`dst` may be a directory) and `shutil.copyfile` with
      `follow_symlinks=` (it may copy a symlink, not a file);
    - `numpy.save`/`savez` without a visible `.npy`/`.npz` (numpy appends the suffix);
    - pandas writers that infer a compression from the name, and `numpy.savetxt`, unless the
      name visibly ends in an extension other than gzip, zip or tar (which store the file's
      name) or `compression=` is `None`, `"bz2"`, `"xz"` or `"zstd"`;
    - `to_hdf` without `mode="w"` (it adds to an existing store), `to_netcdf` in another
      mode, `mode="x"`, `partition_cols=`/`partition_by=` (a directory), `storage_options=`
      and `s3://`-style targets, and `**options` (except for numpy and joblib);
    - a target that is not visibly a local path. `dir / "name"`, `Path(...)`, a string
      literal, a name bound once to one of these, or a parameter annotated `Path` (`str` too
      for numpy and joblib) qualify; an unannotated parameter could be a file object or a
      URL, and `fix` leaves it alone (`df.to_csv(path)` is reported as not rewritten).

    Tests that mock the writer (`mock.patch("pkg.module.np.save")`) still intercept it, but
    the mock now receives the temporary path, not the target: assert on the other arguments,
    or on the path's name (it ends with the target's name).

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    ## Options
    - `extra-writers`: more writers that take a path: `"pkg.mod.func"` (path is argument 0),
      `"pkg.mod.func:1"` (path is argument 1), `".method"` (any method of that name).
    - `exempt-paths`: extra path globs that are not artifacts.
    - `safe-writers`: calls that already write atomically.
    """

    code = "DET104"
    name = "non-atomic-path-writer"
    message = "this writer writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Write through `with atomic_path(target) as tmp:`"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    VALID = (
        "csv_text = df.to_csv(index=False)\n",
        "def encode(tag, value):\n    return {tag.key: tag.to_json(value)}\n",
        "import sys\ndf.to_csv(sys.stdout)\n",
        "import io\nbuf = io.StringIO()\ndf.to_csv(buf)\n",
        "import numpy as np\nwith open(path, 'wb') as f:\n    np.save(f, arr)\n",
        "import numpy as np\nfrom determinism_lint.runtime import atomic_path\n"
        "with atomic_path(out) as tmp:\n    np.save(tmp, arr)\n",
        "import torch, io\nbuf = io.BytesIO()\ntorch.save(model.state_dict(), buf)\n",
        "df.to_csv(run_dir / 'metrics.csv', mode='a', header=False)\n",
        "import matplotlib.pyplot as plt\nplt.savefig(out_dir / 'loss.png')\n",
        "def save(path, arr):\n    pass\n\nsave(out, arr)\n",
        # A delegating wrapper: the write happens in ``Dataset.to_csv``.
        "class IterableDataset:\n    def to_csv(self, path_or_buf, batch_size=None, **kwargs):\n"
        "        table = concat(self.iter(batch_size))\n"
        "        return Dataset(table).to_csv(path_or_buf, batch_size=batch_size, **kwargs)\n",
        Valid(
            "import io\nimport mylib\nbuf = io.BytesIO()\nmylib.export(table, buf)\n",
            settings=(("extra_writers", ("mylib.export:1",)),),
        ),
    )
    INVALID = (
        Invalid(
            "import numpy as np\nnp.save(cache / 'x.npy', arr)\n",
            fixed=(
                "import numpy as np\nfrom determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(cache / 'x.npy') as tmp:\n    np.save(tmp, arr)\n"
            ),
        ),
        Invalid("from numpy import savez_compressed as savez\nsavez(out, a=a, b=b)\n", fixed=NO_FIX),
        Invalid("import torch\ntorch.save(model.state_dict(), ckpt_dir / 'last.pt')\n", fixed=NO_FIX),
        Invalid("import joblib\njoblib.dump(pipeline, model_path)\n", fixed=NO_FIX),
        Invalid(
            "df.to_parquet(out_dir / 'features.parquet', index=False)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(out_dir / 'features.parquet') as tmp:\n    df.to_parquet(tmp, index=False)\n"
            ),
        ),
        Invalid("frame.write_parquet(path)\n", fixed=NO_FIX),
        Invalid("df.to_csv(path_or_buf=out)\n", fixed=NO_FIX),
        Invalid("import numpy as np\nnp.save(out_dir / 'embeddings', vectors)\n", fixed=NO_FIX),
        Invalid(
            "import mylib\nmylib.export(table, out)\n",
            fixed=NO_FIX,
            settings=(("extra_writers", ("mylib.export:1",)),),
        ),
        Invalid(
            "fig.savefig(out / 'loss.png')\n",
            fixed=NO_FIX,
            settings=(("extra_writers", (".savefig",)),),
        ),
        Invalid(
            "from pathlib import Path\n\n\ndef export(frame, out_dir: Path):\n"
            "    frame.to_csv(\n        out_dir / 'features.csv',\n        index=False,\n    )\n"
            "    frame.write_parquet(out_dir / 'features.parquet')\n",
            count=2,
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import atomic_path\n\n\n"
                "def export(frame, out_dir: Path):\n    with atomic_path(out_dir / 'features.csv') as tmp:\n"
                "        frame.to_csv(\n            tmp,\n            index=False,\n        )\n"
                "    with atomic_path(out_dir / 'features.parquet') as tmp_path:\n"
                "        frame.write_parquet(tmp_path)\n"
            ),
        ),
        Invalid(
            "import joblib\n\n\ndef save(model, path: str):\n    joblib.dump(model, path)\n",
            fixed=(
                "import joblib\nfrom determinism_lint.runtime import atomic_path\n\n\n"
                "def save(model, path: str):\n    with atomic_path(path) as tmp:\n        joblib.dump(model, tmp)\n"
            ),
        ),
        Invalid("df.to_csv(out_dir / 'features.csv.gz')\n", fixed=NO_FIX),
        Invalid("df.to_hdf(out_dir / 'store.h5', key='features')\n", fixed=NO_FIX),
        Invalid("df.to_parquet(out_dir / 'features', partition_cols=['day'])\n", fixed=NO_FIX),
        Invalid(
            "import shutil\nshutil.copyfile(src, out_dir / 'model.bin')\n",
            fixed=(
                "import shutil\n\nfrom determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(out_dir / 'model.bin') as tmp:\n    shutil.copyfile(src, tmp)\n"
            ),
        ),
        Invalid("import shutil\nshutil.copy(checkpoint, backup_path)\n", fixed=NO_FIX),
        Invalid("def export(ds, path_or_buf):\n    return ds.to_parquet(path_or_buf)\n", fixed=NO_FIX),
        # Not a wrapper: the method writes a file of its own under the given directory, or
        # has another name than the writer it calls.
        Invalid(
            "import os\n\nclass Features:\n    def to_csv(self, out_dir):\n"
            "        self.frame.to_csv(os.path.join(out_dir, 'features.csv'))\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "class Features:\n    def export(self, path_or_buf):\n        return Dataset(self.table).to_csv(path_or_buf)\n",
            fixed=NO_FIX,
        ),
    )

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _write_call_names(settings)

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        site = write_site(node, ctx)
        if site is None or site.kind != "path-writer" or not site.is_hazard:
            return
        if site.api in _COPIES:
            message = (
                f"`{site.api}` on line {node.lineno} copies into {_written(site)} in place:"
                " a crash leaves a truncated copy there"
            )
        else:
            message = (
                f"`{_display(site.api)}` on line {node.lineno} writes {_written(site)} in place:"
                " a crash leaves it truncated or half-written"
            )
        # The same test ``fix`` applies, so ``check`` never advertises a fix that ``fix`` declines.
        fixable = _writer_plan(node, site, ctx) is not None and _writer_target_is_local(node, site, ctx)
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        import libcst as cst

        found = _fix_site(ctx, "path-writer")
        if found is None:
            return None
        actx, call, site = found
        slot = _writer_plan(call, site, actx)
        if slot is None or not _writer_target_is_local(call, site, actx):
            return None
        helper = _helper(ctx, "atomic_path")
        if helper is None:
            return None
        return _with_fix(
            node,
            ctx,
            slot,
            _TEMP_NAMES,
            lambda value: cst.Call(func=cst.Name(helper), args=[cst.Arg(value=value)]),
            distinct=True,
        )


class RenameWithoutFsync(Rule):
    """
    ## What it does
    Flags a hand-made temp-then-rename that never calls `os.fsync`: a function that
    writes a file and then moves it onto the target with `os.replace`, `os.rename`,
    `Path.replace`, `Path.rename` or `shutil.move`, with no `os.fsync`/`os.fdatasync` (or
    a helper whose name contains `fsync`) anywhere in the function. The rename is reported.

    The rename must move the file written in the same function (same path expression, a
    `NamedTemporaryFile`'s `.name`, or a `mkstemp` path): moving a finished directory or
    archiving old files is not flagged. The temp file's own write is not reported by
    DET101/DET103/DET104: this is one finding for the pattern.

    ## Why is this bad?
    The rename is atomic, but without `fsync` the file's data may still be only in the
    page cache when the rename reaches the disk. After a power loss or a kernel crash the
    target can exist with a length of zero or with garbage: the very failure the temp
    file was meant to prevent.

    ## Example
    ```python
    import json
    import os


    def publish(manifest, path):
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(manifest, f)
        os.replace(tmp, path)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def publish(manifest, path):
        with atomic_open(path, "w") as f:
            json.dump(manifest, f)
    ```

    If the rename must stay hand-made, call `f.flush()` and `os.fsync(f.fileno())` before
    the rename, use a unique temp name in the target's directory, and fsync the directory
    afterwards.

    ## Fix safety
    No fix: the pattern varies too much to rewrite it mechanically. Replace it with
    `atomic_open`/`atomic_path`.

    ## Test code
    Not checked in test code (`test-paths`): a test renames scratch files in a temporary
    directory, which need not survive a power loss.

    ## Options
    - `safe-writers`: functions with these names are the project's own atomic helpers and
      are not checked.
    - `exempt-paths`: renames onto an exempt target are not flagged.
    """

    code = "DET105"
    name = "rename-without-fsync"
    message = "temp file renamed into place without `os.fsync`: after a power loss the target can be empty"
    fix_title = None
    fix_safety = FixSafety.NONE
    node_types = (ast.Call,)

    VALID = (
        "import os\n\ndef publish(data, path):\n    tmp = f'{path}.tmp'\n    with open(tmp, 'wb') as f:\n"
        "        f.write(data)\n        f.flush()\n        os.fsync(f.fileno())\n    os.replace(tmp, path)\n",
        "import os\n\ndef archive(run_dir, archive_dir):\n    os.rename(run_dir, archive_dir / run_dir.name)\n",
        "import shutil\n\ndef finish(staging, final, log):\n    with open(log, 'a') as f:\n        f.write('done')\n"
        "    shutil.move(staging, final)\n",
        "import os\n\ndef rotate(path, text):\n    os.replace(path, f'{path}.1')\n"
        "    with open(path, 'w') as f:\n        f.write(text)\n",
        "def clean(name):\n    out.write_text(text)\n    return name.replace('-', '_')\n",
        "import os\n\ndef atomic_open(path):\n    tmp = path + '.tmp'\n    open(tmp, 'w').close()\n    os.replace(tmp, path)\n",
        "import os\n\ndef write(path, data):\n    tmp = path + '.tmp'\n    with open(tmp, 'wb') as f:\n"
        "        f.write(data)\n        _fsync_file(f)\n    os.replace(tmp, path)\n",
    )
    INVALID = (
        Invalid(
            "import os\n\ndef publish(data, path):\n    tmp = f'{path}.tmp'\n    with open(tmp, 'wb') as f:\n"
            "        f.write(data)\n    os.replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "from os import replace\n\ndef save(text, path):\n    tmp = path.with_suffix('.tmp')\n"
            "    tmp.write_text(text)\n    replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def save(text, path):\n    tmp = path.with_suffix('.partial')\n    tmp.write_text(text)\n"
            "    tmp.rename(path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import json, os, tempfile\n\ndef save(obj, path):\n"
            "    with tempfile.NamedTemporaryFile('w', dir=path.parent, delete=False) as tmp:\n"
            "        json.dump(obj, tmp)\n    os.replace(tmp.name, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os, tempfile\n\ndef save(blob, path):\n    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))\n"
            "    with os.fdopen(fd, 'wb') as f:\n        f.write(blob)\n    os.replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import shutil\nimport numpy as np\n\ndef save(arr, path):\n    tmp = str(path) + '.tmp.npy'\n"
            "    np.save(tmp, arr)\n    shutil.move(tmp, path)\n",
            fixed=NO_FIX,
        ),
    )

    CALL_NAMES = _RENAME_NAMES

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        rename = rename_call(node, ctx)
        if rename is None:
            return
        facts = _rename_facts(ctx.enclosing_scope(node), ctx)
        if id(node) in facts.unsynced:
            source = facts.sources.get(id(node))
            written = f"the file written by {_sink(source)}" if source is not None else "a file written here"
            message = (
                f"`{rename.api}` on line {node.lineno} publishes {written}, but nothing calls `os.fsync`:"
                " after a power loss the target can be empty or partial"
            )
            yield Report(node, message, fixable=False)


RULES: tuple[type[Rule], ...] = (
    NonAtomicOpen,
    DumpIntoOpen,
    NonAtomicPathWrite,
    NonAtomicPathWriter,
    RenameWithoutFsync,
)

__all__ = ["RULES", "WriteSite", "write_site"]
