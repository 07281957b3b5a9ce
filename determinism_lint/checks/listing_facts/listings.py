"""What a directory listing is: the calls that list a directory, how messages spell them, and
the patterns that match at most one entry.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .._util import argument, local_nodes

if TYPE_CHECKING:
    from ...context import Context
    from ...settings import Settings


#: Module functions that list a directory, by resolved name, and what they yield.
MODULE_LISTINGS: dict[str, str] = {
    "glob.glob": "list",
    "glob.iglob": "list",
    "os.fwalk": "walk",
    "os.listdir": "list",
    "os.scandir": "scandir",
    "os.walk": "walk",
}

#: ``pathlib.Path`` methods, recognised by name and argument shape (the receiver's type is unknown).
_PATH_KEYWORDS: dict[str, frozenset[str]] = {
    "glob": frozenset({"case_sensitive", "recurse_symlinks"}),
    "rglob": frozenset({"case_sensitive", "recurse_symlinks"}),
    "iterdir": frozenset(),
    "walk": frozenset({"top_down", "on_error", "follow_symlinks"}),
}
_PATH_POSITIONALS = {"glob": 1, "rglob": 1, "iterdir": 0, "walk": 0}

#: Names that make a call worth resolving; everything else is rejected by looking at ``call.func``.
_QUICK_NAMES = frozenset({"fwalk", "glob", "iglob", "iterdir", "listdir", "rglob", "scandir", "walk"})

# fsspec-style file systems (``fs.glob(...)``, ``self.s3fs.glob(...)``) return sorted lists.
_FILESYSTEM_RECEIVER = re.compile(
    r"^(?:_?fs|.+_fs|s3fs|gcsfs|hdfs|webhdfs|adlfs|abfs|_?(?:file_?system)|.+_file_?system)$", re.IGNORECASE
)
_FILESYSTEM_MODULES = ("fsspec", "gcsfs", "s3fs", "adlfs")
#: Packages whose file-system classes are fsspec file systems.
_FILESYSTEM_PACKAGES = (*_FILESYSTEM_MODULES, "huggingface_hub")

_ALIAS_RE = re.compile(r"\b(?:listdir|scandir|walk|fwalk|glob|iglob)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Listing:
    """A call that lists a directory."""

    call: ast.Call
    #: How messages spell it: ``os.listdir()``, ``Path.glob()``.
    label: str
    #: ``"list"`` (names or paths), ``"scandir"`` (``DirEntry`` objects), ``"walk"``, ``"extra"``.
    kind: str


@dataclass(frozen=True)
class _Extras:
    dotted: frozenset[str]
    methods: frozenset[str]
    quick: frozenset[str]


def _extras(tree: ast.Module, ctx: Context) -> _Extras:
    """The configured extra listings and the callee names worth resolving; a fact of the module."""
    dotted: set[str] = set()
    methods: set[str] = set()
    for entry in ctx.settings.extra_enumerators:
        name = entry.split(":", 1)[0]
        if name.startswith("."):
            methods.add(name[1:])
        else:
            dotted.add(name)
    quick = set(_QUICK_NAMES) | methods | {name.rsplit(".", 1)[-1] for name in dotted}
    # ``from os import listdir as ls``, in any scope: ``ls`` is worth resolving too.
    quick.update(_ALIAS_RE.findall(ctx.source))
    known = set(MODULE_LISTINGS) | dotted
    quick.update(alias for alias, target in ctx.resolver.bindings(tree).items() if target in known)
    return _Extras(frozenset(dotted), frozenset(methods), frozenset(quick))


def find_listing(call: ast.Call, ctx: Context) -> Optional[Listing]:
    """The directory listing ``call`` makes, or ``None``; cheap for every other call."""
    func = call.func
    if isinstance(func, ast.Attribute):
        short = func.attr
    elif isinstance(func, ast.Name):
        short = func.id
    else:
        return None
    extras = ctx.fact(_extras, ctx.tree)
    if short not in extras.quick:
        return None
    name = ctx.call_name(call)
    if name is not None:
        kind = MODULE_LISTINGS.get(name)
        if kind is not None:
            return Listing(call, f"{name}()", kind)
        if name in extras.dotted:
            return Listing(call, f"{name}()", "extra")
    if not isinstance(func, ast.Attribute):
        return None
    if short in extras.methods:
        return Listing(call, f".{short}()", "extra")
    if short in _PATH_KEYWORDS and _has_path_shape(call, func, name, ctx):
        if short == "walk" and not _is_walk_loop(call, ctx):
            return None  # ``tree.walk()``, ``msg.walk()``: only ``for root, dirs, files in p.walk()`` is a Path
        label = f"{name}()" if name is not None else f"Path.{short}()"  # ``tf.io.gfile.glob`` keeps its name
        return Listing(call, label, "walk" if short == "walk" else "list")
    return None


def _is_walk_loop(call: ast.Call, ctx: Context) -> bool:
    loop = ctx.parent(call)
    return (
        isinstance(loop, (ast.For, ast.AsyncFor))
        and loop.iter is call
        and isinstance(loop.target, (ast.Tuple, ast.List))
        and len(loop.target.elts) == 3
    )


def _has_path_shape(call: ast.Call, func: ast.Attribute, name: Optional[str], ctx: Context) -> bool:
    method = func.attr
    if len(call.args) != _PATH_POSITIONALS[method] or any(isinstance(arg, ast.Starred) for arg in call.args):
        return False
    if any(kw.arg is None or kw.arg not in _PATH_KEYWORDS[method] for kw in call.keywords):
        return False
    if name is not None and name.split(".", 1)[0] in ("glob", "os", "ast", *_FILESYSTEM_MODULES):
        return False  # a module function of the same name, not a Path method
    if call.args and not _may_be_pattern(call.args[0]):
        return False  # ``parser.glob(lambda: ...)``: some other ``glob``
    if _query_expression(call, ctx):
        return False  # ``dc.filter(Column("path").glob(p))``: a query predicate, no listing
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return False  # a class's own ``glob``/``iterdir`` method, rarely a Path subclass
    last = None
    if isinstance(receiver, ast.Attribute):
        last = receiver.attr
    elif isinstance(receiver, ast.Name):
        last = receiver.id
    if last is not None and _FILESYSTEM_RECEIVER.match(last):
        return False
    if isinstance(receiver, ast.Name) and _bound_to_filesystem(receiver, ctx):
        return False  # ``dirfs = DirFileSystem(fs=..., path=...)``: an fsspec glob, sorted
    receiver_name = ctx.qualified_name(receiver.func) if isinstance(receiver, ast.Call) else None
    return not (receiver_name is not None and receiver_name.split(".", 1)[0] in _FILESYSTEM_MODULES)


#: Methods of query builders (SQL, data frames) that take a predicate.
_PREDICATE_TAKERS = frozenset({"filter", "where", "exclude", "having", "query", "mask"})


def _query_expression(call: ast.Call, ctx: Context) -> bool:
    """``x.glob(pattern)`` used as a predicate: combined with ``&``/``|``/``~`` or a comparison,
    or handed to ``.filter(...)``/``.where(...)`` (a column's GLOB operator, as in SQL
    expression builders): a listing's entries are never used so."""
    node: ast.AST = call
    parent = ctx.parent(node)
    while isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
        if isinstance(parent, ast.BinOp) and not isinstance(parent.op, (ast.BitAnd, ast.BitOr)):
            return False
        if isinstance(parent, ast.UnaryOp) and not isinstance(parent.op, ast.Invert):
            return False
        node, parent = parent, ctx.parent(parent)
        if not isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)) and not isinstance(parent, ast.Call):
            return True  # ``a | p.glob(x)`` as a value: a predicate
    return (
        isinstance(parent, ast.Call) and any(arg is node for arg in parent.args)
        and isinstance(parent.func, ast.Attribute) and parent.func.attr in _PREDICATE_TAKERS
    )


_EXISTENCE_TESTS = frozenset({"isfile", "exists", "access", "is_file"})


def _locates_a_program(escape: ast.AST, ctx: Context) -> bool:
    """``for candidate in candidates: if os.path.isfile(candidate): return candidate`` in a
    function that falls back to a bare program name (``return "git"``): it locates an
    executable, and any installed copy it finds gives the same effect."""
    if not (isinstance(escape, ast.Return) and isinstance(escape.value, ast.Name)):
        return False
    function = ctx.enclosing_function(escape)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.body:
        return False
    last = function.body[-1]
    if not (
        isinstance(last, ast.Return)
        and isinstance(last.value, ast.Constant)
        and isinstance(last.value.value, str)
        and last.value.value
        and not any(sep in last.value.value for sep in "/\\ ")
    ):
        return False
    found = escape.value.id
    for ancestor in ctx.ancestors(escape):
        if ancestor is function:
            return False
        if isinstance(ancestor, ast.If):
            for test in ast.walk(ancestor.test):
                if (
                    isinstance(test, ast.Call)
                    and _last_attr(test.func) in _EXISTENCE_TESTS
                    and any(isinstance(inner, ast.Name) and inner.id == found for inner in ast.walk(test))
                ):
                    return True
    return False


def _last_attr(func: ast.AST) -> Optional[str]:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _bound_to_filesystem(name: ast.Name, ctx: Context) -> bool:
    """``name`` is bound in its scope (or at module level) to an fsspec-style file system made
    by a call into one of its packages (``DirFileSystem(...)``, ``fsspec.filesystem("s3")``,
    ``HfFileSystem(...)``): their ``glob`` returns a sorted list."""
    return any(name.id in ctx.fact(_filesystem_names, scope) for scope in (ctx.enclosing_scope(name), ctx.tree))


def _filesystem_names(scope: ast.AST, ctx: Context) -> frozenset[str]:
    """Names that an assignment in ``scope`` (not nested scopes) binds to a call into an
    fsspec-style package; a fact, one pass over the scope."""
    found: set[str] = set()
    for node in ctx.fact(local_nodes, scope):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            qualified = ctx.call_name(node.value) or ""
            if qualified.split(".", 1)[0] in _FILESYSTEM_PACKAGES or qualified == "zipfile.Path":
                # ``zipfile.Path(zf)``: its ``iterdir`` follows the archive's own member order.
                found.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return frozenset(found)


def _may_be_pattern(expr: ast.AST) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    return not isinstance(expr, (ast.Lambda, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.GeneratorExp))


def matches_at_most_one(listing: Listing, ctx: Context) -> bool:
    """``glob.glob("config.yaml")``, ``p.glob(glob.escape(name))``: a pattern without wildcards."""
    call = listing.call
    if listing.label not in ("glob.glob()", "glob.iglob()") and not listing.label.endswith(".glob()"):
        return False
    pattern = argument(call, 0, "pathname")
    if isinstance(pattern, ast.Constant) and isinstance(pattern.value, (str, bytes)):
        text = pattern.value if isinstance(pattern.value, str) else pattern.value.decode("latin-1")
        return not any(char in text for char in "*?[")
    return isinstance(pattern, ast.Call) and ctx.call_name(pattern) == "glob.escape"


def _listing_call_names(settings: Settings) -> frozenset[str]:
    """Callee names that can be a listing: the engine routes only these calls (and their
    ``from .... import ... as`` aliases) to the DET3xx rules."""
    names = set(_QUICK_NAMES)
    for entry in settings.extra_enumerators:
        names.add(entry.split(":", 1)[0].rsplit(".", 1)[-1].lstrip("."))
    return frozenset(names)
