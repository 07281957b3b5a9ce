"""Draws from a random number generator: a shared, seeded stream whose next value depends on how
many draws came before, so the order of a loop decides which element gets which value.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from .._util import local_nodes

if TYPE_CHECKING:
    from ...context import Context
    from ...names import ScopeNode


#: Methods of ``random.Random``, ``numpy.random.Generator``/``RandomState`` that draw a value.
DRAW_METHODS = frozenset(
    {
        "beta", "betavariate", "binomial", "choice", "choices", "expovariate", "exponential", "gamma",
        "gammavariate", "gauss", "getrandbits", "integers", "lognormvariate", "normal", "normalvariate",
        "permutation", "poisson", "rand", "randint", "randn", "random", "randrange", "sample", "shuffle",
        "standard_normal", "triangular", "uniform",
    }
)
#: Constructors of a seeded generator object.
_GENERATORS = frozenset(
    {"random.Random", "numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator",
     "torch.Generator"}
)
_TORCH_DRAWS = frozenset({"torch.rand", "torch.randn", "torch.randint", "torch.randperm", "torch.normal",
                          "torch.bernoulli", "torch.multinomial"})
#: Parameter names that hold a generator by convention.
_GENERATOR_PARAMETERS = frozenset({"rng", "random_state", "generator"})


def rng_draw(node: ast.AST, ctx: Context) -> bool:
    """``node`` draws from a shared random stream: ``random.gauss(...)``, ``np.random.rand()``,
    ``torch.randn(...)``, or a draw method of a name bound to ``random.Random(...)``,
    ``np.random.default_rng(...)`` (or a parameter named ``rng``)."""
    if not isinstance(node, ast.Call):
        return False
    name = ctx.call_name(node)
    if name is not None:
        head, _, last = name.rpartition(".")
        if head in ("random", "numpy.random") and last in DRAW_METHODS:
            return True
        if name in _TORCH_DRAWS:
            return True
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in DRAW_METHODS and isinstance(func.value, ast.Name)):
        return False
    return func.value.id in ctx.fact(_generators, ctx.enclosing_scope(node))


def _generators(scope: ScopeNode, ctx: Context) -> frozenset[str]:
    """Names of the random generators of ``scope``: parameters named for one, and names
    assigned a new generator; a fact of the scope."""
    found: set[str] = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
            if arg.arg in _GENERATOR_PARAMETERS:
                found.add(arg.arg)
    for inner in ctx.fact(local_nodes, scope):
        if (
            isinstance(inner, ast.Assign)
            and isinstance(inner.value, ast.Call)
            and ctx.call_name(inner.value) in _GENERATORS
        ):
            found.update(target.id for target in inner.targets if isinstance(target, ast.Name))
    return frozenset(found)


def draw_in(node: ast.AST, ctx: Context) -> Optional[ast.Call]:
    """The first draw from a random stream under ``node``, if any."""
    for inner in ast.walk(node):
        if rng_draw(inner, ctx):
            return inner  # type: ignore[return-value]
    return None
