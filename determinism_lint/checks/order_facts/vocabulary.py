"""The vocabulary of the order analysis: calls and methods that ignore, keep or let escape the
order of an iterable, and the result type of one step of following a value.
"""

from __future__ import annotations

import ast
import re
from typing import Optional, Union


Loop = Union[ast.For, ast.AsyncFor, ast.comprehension]

#: Calls whose result does not depend on the order of the iterable they are given.
INSENSITIVE_CALLS = frozenset(
    {
        "builtins.all",
        "builtins.any",
        "builtins.bool",
        "builtins.dict",
        "builtins.frozenset",
        "builtins.isinstance",
        "builtins.len",
        "builtins.max",
        "builtins.min",
        "builtins.set",
        "builtins.sorted",
        "builtins.sum",
        "collections.Counter",
        "concurrent.futures.wait",
        "heapq.nlargest",
        "heapq.nsmallest",
        "math.fsum",
        "numpy.sort",
        "numpy.unique",
        "os.path.commonpath",
        "os.path.commonprefix",
    }
)

#: Calls that hand the order of their iterable argument on to their result.
ORDER_PRESERVING_CALLS = frozenset(
    {
        "builtins.filter",
        "builtins.iter",
        "builtins.list",
        "builtins.map",
        "builtins.repr",
        "builtins.reversed",
        "builtins.str",
        "builtins.tuple",
        "collections.deque",
        "copy.copy",
        "copy.deepcopy",
        "fnmatch.filter",
        "itertools.chain",
        "itertools.chain.from_iterable",
        "rich.progress.track",
        "tqdm.auto.tqdm",
        "tqdm.notebook.tqdm",
        "tqdm.std.tqdm",
        "tqdm.tqdm",
    }
)

#: Methods that add to a list-like accumulator in call order.
ACCUMULATE_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "insert"})

#: Methods that write, hash or enqueue their argument in call order.
WRITE_METHODS = frozenset(
    {"addfile", "push", "put", "put_nowait", "write", "writelines", "writerow", "writerows", "writestr"}
)

#: Calls that import and run a module: its import-time effects (a plugin registering itself,
#: a decorator filling a registry) happen in the order of the calls.
IMPORT_CALLS = frozenset({"importlib.import_module", "builtins.__import__", "runpy.run_path", "runpy.run_module"})

#: Functions that write their first argument to a stream given as the second, in call order.
STREAM_WRITERS = frozenset(
    {
        "json.dump",
        "marshal.dump",
        "pickle.dump",
        "shutil.copyfileobj",
        "yaml.dump",
        "yaml.dump_all",
        "yaml.safe_dump",
        "yaml.safe_dump_all",
    }
)

#: Methods of the iterable itself that neither read its order nor pass it on.
_OWN_HARMLESS_METHODS = frozenset(
    {"add", "append", "clear", "close", "count", "discard", "extend", "insert", "remove", "reverse", "sort",
     # a table's rows in the order of their values (pandas ``DataFrame``/``Series``)
     "sort_values", "sort_index"}
)
#: Methods that, given the iterable as an argument, ignore its order (set algebra, ``dict.fromkeys``).
_SET_METHODS = frozenset(
    {
        "difference",
        "difference_update",
        "fromkeys",
        "intersection",
        "intersection_update",
        "isdisjoint",
        "issubset",
        "issuperset",
        "symmetric_difference",
        "symmetric_difference_update",
        "union",
        "update",
    }
)
#: ``unittest`` assertions that ignore order: membership, truth, counting.
#: Methods whose result does not depend on the order of the list they are given: a Hub
#: commit of one file operation per path (``api.create_commit(repo, operations=ops)``)
#: leaves the same tree whatever the order of the operations.
_ORDERLESS_METHODS = frozenset({"create_commit"})
#: Helpers named for sorting (``natural_sort(files)``, ``sorted_batched_tars(paths)``).
_SORTING_HELPER = re.compile(r"(?:^|_)(?:nat|natural|human)?sort(?:ed)?(?:_|$)", re.IGNORECASE)


def _orderless_callee(call: ast.Call, name: Optional[str]) -> bool:
    """A Hub commit (``create_commit``), or a helper named for sorting what it is given."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if (name or last).rsplit(".", 1)[-1] in _ORDERLESS_METHODS:
        return True
    # ``sorted`` itself is known only as the builtin: a local of that name is some other callable.
    return last not in ("sorted", "sort") and bool(_SORTING_HELPER.search(last))


_ORDERLESS_ASSERTS = frozenset(
    {"assertCountEqual", "assertFalse", "assertIn", "assertIsNone", "assertIsNotNone", "assertNotIn", "assertTrue"}
)
#: ``unittest`` equality assertions: order-free only against an empty or one-element literal.
_EQUALITY_ASSERTS = frozenset({"assertEqual", "assertListEqual", "assertNotEqual", "assertSequenceEqual"})
#: ``str`` methods whose result keeps the text (and so the order) of the string they are called on.
_TEXT_METHODS = frozenset(
    {"capitalize", "casefold", "center", "encode", "expandtabs", "ljust", "lower", "lstrip", "replace", "rjust",
     "rstrip", "strip", "title", "upper", "zfill"}
)
#: Methods whose result keeps the order of an iterable argument (``", ".join``, ``pool.map``).
_PASSING_METHODS = frozenset({"format", "imap", "imap_unordered", "join", "map", "starmap"})

_CONDITIONAL: tuple[type, ...] = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp, ast.comprehension)
if hasattr(ast, "match_case"):
    _CONDITIONAL = (*_CONDITIONAL, ast.match_case)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_CONSOLE = frozenset({"sys.stdout", "sys.stderr"})
_ORDERING_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MAX_STEPS = 64
_BLOCKS: tuple[type, ...] = (ast.stmt, ast.excepthandler)
if hasattr(ast, "match_case"):
    _BLOCKS = (*_BLOCKS, ast.match_case)


class _Flow:
    """Handler result: the order passes on, keep following from ``node``."""

    __slots__ = ("node",)

    def __init__(self, node: ast.AST) -> None:
        self.node = node


_BUSY = object()
_Result = Union[None, ast.AST, _Flow]
