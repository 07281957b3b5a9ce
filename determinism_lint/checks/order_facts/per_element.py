"""Loops whose body handles each element on its own, so that their order cannot matter (an upload
to a destination named after the element, a recursive walk merging each child's dict), or on
the contrary pairs each element with the next draw of a random stream; and an attribute, or
a table built from the entries, that is re-sorted right after it is filled.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import last_name
from .draws import draw_in
from .locals import _init_kind
from .nodes import _mentions
from .vocabulary import ACCUMULATE_METHODS, IMPORT_CALLS, Loop

if TYPE_CHECKING:
    from ...context import Context


def _attribute_spelling(node: ast.AST) -> Optional[tuple[str, str]]:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _attribute_resorted_next(target: ast.expr, statement: ast.stmt, ctx: Context) -> bool:
    """``self.files = [...]`` followed in the same block by ``self.files = sorted(self.files)`` (or
    ``self.files.sort()``) before any statement that mentions ``self``: nothing can read the
    attribute in the listing's order in between."""
    spelling = _attribute_spelling(target)
    if spelling is None:
        return False
    owner, attr = spelling
    block = _block_of(statement, ctx)
    if block is None:
        return False
    following = block[[id(item) for item in block].index(id(statement)) + 1 :]
    for nxt in following:
        if not any(isinstance(inner, ast.Name) and inner.id == owner for inner in ast.walk(nxt)):
            continue
        return _resorts_attribute(nxt, owner, attr, ctx)
    return False


def _resorts_attribute(statement: ast.stmt, owner: str, attr: str, ctx: Context) -> bool:
    """``owner.attr = sorted(owner.attr ...)`` or ``owner.attr.sort()``, and no other mention of ``owner``."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        value = statement.value
        if (
            _attribute_spelling(statement.targets[0]) == (owner, attr)
            and isinstance(value, ast.Call)
            and ctx.call_name(value) == "builtins.sorted"
            and len(value.args) == 1
            and _attribute_spelling(value.args[0]) == (owner, attr)
        ):
            return not any(
                isinstance(inner, ast.Name) and inner.id == owner for keyword_ in value.keywords for inner in ast.walk(keyword_)
            )
        return False
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        return (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "sort"
            and _attribute_spelling(call.func.value) == (owner, attr)
            and not any(isinstance(inner, ast.Name) and inner.id == owner for arg in (*call.args, *call.keywords) for inner in ast.walk(arg))
        )
    return False


def _merges_own_subtree(call: ast.Call, name: str, tainted: set[str], scope: ast.AST, ctx: Context) -> bool:
    """``index.update(self.hashes_of(child))`` inside ``hashes_of`` itself: a recursive walk merges
    the dict of each child's subtree into a local dict. Subtrees of distinct entries lie under
    distinct paths, so no entry overrides another, and the dict is judged like one filled by key."""
    if len(call.args) != 1 or call.keywords or _init_kind(name, scope, ctx) != "dict":
        return False
    inner = call.args[0]
    function = ctx.enclosing_function(call)
    if not isinstance(inner, ast.Call) or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    func = inner.func
    recursive = (isinstance(func, ast.Name) and func.id == function.name) or (
        isinstance(func, ast.Attribute)
        and func.attr == function.name
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    )
    return recursive and any(_mentions(arg, tainted) for arg in inner.args)


def _draw_per_element(loop: Loop, nodes: list[ast.AST], tainted: set[str], ctx: Context) -> Optional[ast.AST]:
    """A draw from a shared random stream stored under the element: ``{label: rng.gauss(0, 1)
    for label in labels}``, ``weights[name] = random.random()``, ``item.noise = rng.normal()``.
    The n-th element gets the n-th draw, so the iteration order decides which element gets
    which value, even with a fixed seed."""
    if isinstance(loop, ast.comprehension):
        comp = ctx.parent(loop)
        if isinstance(comp, ast.DictComp) and _mentions(comp.key, tainted):
            return draw_in(comp.value, ctx)
        return None
    for node in nodes:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        keyed = any(
            (isinstance(target, ast.Subscript) and _mentions(target.slice, tainted))
            or (isinstance(target, ast.Attribute) and _mentions(target.value, tainted))
            for target in targets
        )
        if keyed:
            draw = draw_in(node.value, ctx)
            if draw is not None:
                return draw
    return None


def _per_element_destination(receiver: ast.AST, tainted: set[str], ctx: Context) -> bool:
    """``receiver`` is an object opened or addressed for the element itself: a call whose
    arguments (not its receiver) name the element, such as ``bucket.Object(key_of(entry))`` or
    ``open(path_of(entry), "w")``."""
    if not isinstance(receiver, ast.Call):
        return False
    return any(_mentions(arg, tainted) for arg in (*receiver.args, *(kw.value for kw in receiver.keywords)))


def _import_per_element(
    nodes: list[ast.AST], tainted: set[str], ctx: Context, loop: Optional[Loop] = None
) -> Optional[ast.AST]:
    """``importlib.import_module(name_of(entry))`` in the loop, for the import's own sake (the
    module is discarded or only collected into a list): importing runs the module, and plugins
    that register themselves (a decorator filling a registry) do so in the order of the
    imports. A module bound to a name and used (``build(module)``) is judged by that use. A
    package importing its own modules (the listing of ``os.path.dirname(__file__)``) as
    statements fills its registries by name (``@register_model("lstm")``), whatever the order."""
    for node in nodes:
        if isinstance(node, ast.Call) and ctx.call_name(node) in IMPORT_CALLS and _mentions(node, tainted):
            parent = ctx.parent(node)
            if isinstance(parent, ast.Expr) and loop is not None and _lists_own_package(loop.iter, ctx, 0):
                continue
            if isinstance(parent, ast.Expr) or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Attribute)
                and parent.func.attr in ACCUMULATE_METHODS
            ):
                return node
    return None


def _lists_own_package(expr: ast.AST, ctx: Context, depth: int) -> bool:
    """``expr`` is built from ``__file__`` (``os.listdir(os.path.dirname(__file__))``,
    ``Path(__file__).parent.glob("*.py")``), through local names bound once."""
    from ..writes.bindings import _single_any

    if depth > 3:
        return False
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return True
            if depth < 3 and isinstance(node.ctx, ast.Load):
                bind = _single_any(node, ctx)
                if bind is not None and bind.kind == "assign" and bind.value is not None and _lists_own_package(
                    bind.value, ctx, depth + 1
                ):
                    return True
                if bind is not None and bind.kind == "param" and _callers_pass_own_package(node, ctx, depth):
                    return True  # ``import_models(os.path.dirname(__file__), "pkg.models")``
    return False


def _callers_pass_own_package(name: ast.Name, ctx: Context, depth: int) -> bool:
    """Every call of the enclosing function in this module passes a folder built from
    ``__file__`` for the parameter ``name`` (by position or keyword)."""
    from ..writes.call_index import _calls_naming

    function = ctx.enclosing_function(name)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or function.args.vararg:
        return False
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    index = positional.index(name.id) if name.id in positional else None
    values: list[ast.expr] = []
    for call in _calls_naming(function.name, ctx):
        if not isinstance(call.func, ast.Name):
            continue  # ``x.f(...)``: another function of that name
        given = next((item.value for item in call.keywords if item.arg == name.id), None)
        if given is None and index is not None and index < len(call.args):
            given = call.args[index]
        if given is None or isinstance(given, ast.Starred):
            return False
        values.append(given)
    return bool(values) and all(_lists_own_package(value, ctx, depth + 1) for value in values)


#: Methods of tables (pandas, polars) that return the rows in an order of their own.
_TABLE_SORTS = frozenset({"sort_values", "sort_index", "sort"})


def result_resorted(call: ast.Call, ctx: Context) -> bool:
    """The table ``call`` builds from the entries is re-sorted before anything reads it:
    ``pd.DataFrame(rows).sort_values("run")``, or ``frame = pd.DataFrame(rows)`` followed in
    the same block by ``frame = frame.sort_values(...)`` (also for ``results[key]``), or by
    ``frame.sort_values(..., inplace=True)``."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Attribute) and parent.attr in _TABLE_SORTS and isinstance(ctx.parent(parent), ast.Call):
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and parent.value is call):
        return False
    target = parent.targets[0]
    if not isinstance(target, (ast.Name, ast.Subscript, ast.Attribute)):
        return False
    spelling = _spelling(target)
    block = _block_of(parent, ctx)
    if block is None:
        return False
    following = block[[id(item) for item in block].index(id(parent)) + 1 :]
    if not following:
        return False
    nxt = following[0]

    def same(expr: ast.AST) -> bool:
        return _spelling(expr) == spelling

    if isinstance(nxt, ast.Assign) and len(nxt.targets) == 1 and same(nxt.targets[0]):
        value = nxt.value
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in _TABLE_SORTS
            and same(value.func.value)
        )
    if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Call):
        func = nxt.value.func
        inplace = next((k.value for k in nxt.value.keywords if k.arg == "inplace"), None)
        return (
            isinstance(func, ast.Attribute)
            and func.attr in _TABLE_SORTS
            and same(func.value)
            and isinstance(inplace, ast.Constant)
            and inplace.value is True
        )
    return False


def _spelling(expr: ast.AST) -> str:
    return ast.dump(expr, annotate_fields=False).replace("Load()", "").replace("Store()", "")


def _block_of(statement: ast.stmt, ctx: Context) -> Optional[list[ast.stmt]]:
    parent = ctx.parent(statement)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(item is statement for item in block):
            return block
    return None


#: Loaders of checkpoint and tensor files: merged per file, each is one shard of a whole.
_SHARD_LOADERS = frozenset(
    {"torch.load", "safetensors.torch.load_file", "safetensors.numpy.load_file", "safetensors.flax.load_file"}
)
_SHARD_LOADER_NAMES = frozenset({"load_file", "safe_load_file", "load_state_dict", "load_checkpoint", "torch_load"})


def _merges_loaded_shard(call: ast.Call, tainted: set[str], ctx: Context) -> bool:
    """``state_dict.update(torch.load(f))``, ``weights.update(load_file(path))``: each
    checkpoint shard holds its own part of the keys (shards are split by key), so no entry
    overrides another and the merged dict is read by key. A merge of configs
    (``cfg.update(json.load(f))``) keeps its finding: there later keys do win."""
    if len(call.args) != 1 or call.keywords:
        return False
    loaded = call.args[0]
    if not isinstance(loaded, ast.Call) or not _mentions(loaded, tainted):
        return False
    name = ctx.call_name(loaded)
    return name in _SHARD_LOADERS if name is not None else last_name(loaded.func) in _SHARD_LOADER_NAMES
