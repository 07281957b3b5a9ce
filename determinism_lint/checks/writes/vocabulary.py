"""The DET1xx write vocabulary: openers, dumpers, path writers, renames, the reasons a
write is exempt, :class:`WriteSite`, and the configuration derived from ``Settings``
(``extra-writers``, ``safe-writers``, ``exempt-paths``). Facts layer: no libcst.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .._util import dotted, last_name

if TYPE_CHECKING:
    from ...context import Context
    from ...settings import Settings


# -- what counts as a write -----------------------------------------------------------------


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
    "gzip.GzipFile": _Opener("gzip.GzipFile", ("filename",), "rb"),
    "bz2.BZ2File": _Opener("bz2.BZ2File", ("filename",), "r"),
    "lzma.LZMAFile": _Opener("lzma.LZMAFile", ("filename",), "r"),
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
        re.compile(r"^_*(?:fs|\w+_fs|(?:\w+_)?file_?system)$", re.I),
        _Opener("fs.open", ("path",), "rb"),
    ),
    "path-manager": (
        re.compile(r"^_*(?:\w+_)?path_?(?:manager|mgr)$", re.I),
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
    # A tree copied into place: a crash leaves a partial tree at ``dst``.
    "shutil.copytree": _PathWriter(1, ("dst",)),
}
_COPIES = frozenset({"shutil.copyfile", "shutil.copy", "shutil.copy2", "shutil.copytree"})
#: Copies that make a directory, not one file (``atomic_path`` stands for a file).
_TREE_COPIES = frozenset({"shutil.copytree"})
#: ``shutil.copy``/``copy2`` also accept a directory as ``dst``: a temp path would replace it;
#: ``shutil.copytree`` makes a directory.
_DIRECTORY_TARGET_WRITERS = frozenset({"shutil.copy", "shutil.copy2", *_TREE_COPIES})
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
#: Library downloads that write a local file given its path: dotted name -> (index, keyword)
#: of the path argument.
_DOWNLOADS: dict[str, tuple[int, str]] = {
    "urllib.request.urlretrieve": (1, "filename"),
}
#: Download methods matched by name (the receiver's type is not known): google-cloud-storage
#: ``blob.download_to_filename(path)``, boto3 ``download_file(..., Filename=path)``. Their
#: path argument is recognised by being the very path renamed afterwards.
_DOWNLOAD_METHODS = frozenset({"download_to_filename", "download_file"})
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
REASON_NAMED_PIPE = "named pipe (a FIFO by its name or its maker), not a regular file"
REASON_CLI_OUTPUT = "one-shot CLI output (a path the user passes to a click/typer command; --strict reports it)"
REASON_REMOTE = "object-store URL (uploaded when the file is closed)"
REASON_LOG_HANDLER = "logging handler"
REASON_PROFILE = "profiler dump (diagnostic output)"
REASON_ENV_SCRIPT = "shell env-export script (sourced by the next command)"
REASON_CHILD_LOG = "stdout/stderr log of a child process"
REASON_TEMP_PARAM = "scratch path (a parameter named as temporary)"
REASON_TEMP_CALLERS = "scratch path (every caller in the project passes a temporary directory)"
REASON_DEV_TASK = "developer task (an invoke/nox/fabric task of the repository, not pipeline code)"
REASON_FRESH_PATH = "fresh scratch path (a function of the project that returns a new random or temporary path)"
REASON_TEMP_WORKSPACE = "workspace of an object the class creates in a temporary directory"
REASON_RECOVERING_READERS = (
    "every read of it in this module recovers from a damaged file (a cache rebuilt when unreadable)"
)
#: Reasons of files that are scratch space: a hand-made temp-then-rename may use them.
_SCRATCH_REASONS = frozenset(
    {REASON_TEMPFILE, REASON_TEMPDIR, REASON_FD, REASON_TEMPNAME, REASON_REMOVED_DIR, REASON_TEMP_PARAM,
     REASON_TEMP_CALLERS, REASON_TEMP_WORKSPACE, REASON_FRESH_PATH}
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


#: Where :func:`_config` keeps the config it built on the ``Settings`` object itself.
_CONFIG_ATTRIBUTE = "_det1_write_config"


def _config(settings: Settings) -> _Config:
    """The write vocabulary of ``settings``, built once per ``Settings`` object and kept on it.

    Looked up by identity: hashing a Settings (all its tuples) on every call costs more than
    the rest of the early rejection. ``Settings`` is frozen, so the value stays valid; a
    changed copy (``Settings.replace``) is a new object and builds its own.
    """
    cfg: Optional[_Config] = settings.__dict__.get(_CONFIG_ATTRIBUTE)
    if cfg is None:
        cfg = _build_config(settings)
        object.__setattr__(settings, _CONFIG_ATTRIBUTE, cfg)
    return cfg


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


def _module_aliases(ctx: Context) -> frozenset[str]:
    """Names imported at module level under another name: ``from numpy import save as np_save``.

    Unaliased imports (``from numpy import save``) keep a name the early test knows.
    Only top-level statements (and ``if``/``try`` blocks there) are scanned: it is cheap.
    """
    return ctx.fact(_aliased_imports, ctx.tree)


def _aliased_imports(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """:func:`_module_aliases`, a fact of the module."""
    cfg = _config(ctx.settings)
    found: set[str] = set()
    todo: list[ast.stmt] = list(tree.body)
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


def _choices(value: ast.expr) -> list[ast.expr]:
    """The callables a local alias may hold: ``a if c else b``, ``a or b``, ``a``."""
    if isinstance(value, ast.IfExp):
        return [value.body, value.orelse]
    if isinstance(value, ast.BoolOp):
        return list(value.values)
    return [value]


def _local_aliases(ctx: Context) -> frozenset[str]:
    """Names assigned an opener somewhere in the file: ``open_fn = fs.open if fs else open``."""
    return ctx.fact(_assigned_openers, ctx.tree)


def _assigned_openers(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """:func:`_local_aliases`, a fact of the module."""
    cfg = _config(ctx.settings)
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


def _worth_a_look(func: ast.expr, ctx: Context, cfg: _Config) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in cfg.attr_names
    if isinstance(func, ast.Name):
        return func.id in cfg.name_ids or func.id in _module_aliases(ctx)
    return False


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


# -- the calls the engine routes to the write rules -----------------------------------------


def _write_call_names(settings: Settings) -> frozenset[str]:
    """Callee names that can be a write: the engine routes only these calls (and their
    ``from ... import ... as`` aliases) to the DET101-DET104 rules."""
    cfg = _config(settings)
    return cfg.name_ids | cfg.attr_names
