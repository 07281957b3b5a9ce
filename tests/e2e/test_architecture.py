"""The package's structure: module sizes, what each layer may import, import cycles, the rule
registry.

The sources are read with ``ast``, never imported (the registry test aside, which imports the
rule registry). Each allow-list below records a debt as it is today: it may only shrink. When a
module is split or a cycle broken, the test says which entry to lower or remove.

``python tests/e2e/test_architecture.py`` prints the current line counts of the big modules and the
import cycles.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "determinism_lint"
#: The runtime helpers are a distribution of their own, built from runtime/.
RUNTIME = ROOT / "runtime" / "determinism_lint" / "runtime"

MAX_LINES = 600

#: Modules over MAX_LINES today, with their line counts as ceilings: none. A module may
#: shrink, never grow; once it is under MAX_LINES its entry goes.
OVERSIZED: dict[str, int] = {}

#: The fix layer: the only modules that may import libcst.
FIX_LAYER = {
    "determinism_lint.checks.atomic_writes.fixes",
    "determinism_lint.checks.fs_order.fixes",
    "determinism_lint.checks.iteration_order.fixes",
    "determinism_lint.checks.serialization.fixes",
    "determinism_lint.cst_util",
    "determinism_lint.fix_context",
    "determinism_lint.fix_handlers",
    "determinism_lint.fix_edit",
    "determinism_lint.fix_imports",
    "determinism_lint.fix_logging",
    "determinism_lint.fixer",
}
#: Rule modules that still carry their libcst rewrites (behind imports inside functions) until
#: the rewrites move to the fix layer: none today. May only shrink.
LIBCST_OUTSIDE_FIX_LAYER: set[str] = set()
#: The only module that may import flake8.
FLAKE8_ADAPTER = {"determinism_lint.flake8_plugin"}
#: Dependencies of the linter that the runtime helpers must not need.
LINTER_ONLY_DEPENDENCIES = {"flake8", "libcst", "pathspec", "tomli"}

#: Import cycles among module-level imports (outside ``if TYPE_CHECKING:``): none today.
MODULE_LEVEL_CYCLES: list[frozenset[str]] = []

#: Import cycles once imports inside functions count too (as they do at run time): today one
#: cycle of the engine, the DET2xx, DET4xx and DET5xx rules, the analyses they share
#: (``_flow``, the artifact scopes, the project index) and the fix context of the DET4xx
#: rewrites, held together by imports placed inside functions. The DET3xx rules and
#: the fix layer modules that import ``Edit`` from ``fix_edit`` are outside it. May only shrink
#: (a module split into a package counts as its modules). The DET1xx rules and their write
#: facts joined it when the scratch-path analysis began asking the project index for the bodies
#: of functions defined in other modules (``fresh_paths``); that lookup belongs in the project
#: index's function summaries, which would take them out again.
DEFERRED_CYCLES: list[frozenset[str]] = [
    frozenset(
        {
            "determinism_lint.checks",
            "determinism_lint.checks._flow",
            "determinism_lint.checks.atomic_writes",
            "determinism_lint.checks.atomic_writes._write_rule",
            "determinism_lint.checks.atomic_writes.det101_non_atomic_open",
            "determinism_lint.checks.atomic_writes.det102_dump_into_open",
            "determinism_lint.checks.atomic_writes.det103_non_atomic_path_write",
            "determinism_lint.checks.atomic_writes.det104_non_atomic_path_writer",
            "determinism_lint.checks.atomic_writes.det105_rename_without_fsync",
            "determinism_lint.checks.atomic_writes.fixes",
            "determinism_lint.checks.writes.callers",  # split out of provenance
            "determinism_lint.checks.writes.consumers",  # reader evidence of the DET1xx rules
            "determinism_lint.checks.writes.classify",
            "determinism_lint.checks.writes.cli_outputs",
            "determinism_lint.checks.writes.fixplan",
            "determinism_lint.checks.writes.fresh_paths",
            "determinism_lint.checks.writes.openers",
            "determinism_lint.checks.writes.provenance",
            "determinism_lint.checks.writes.renames",
            "determinism_lint.checks.writes.sites",
            "determinism_lint.checks.exceptions",
            "determinism_lint.checks.exceptions.det401_bare_except",
            "determinism_lint.checks.exceptions.det402_silent_except",
            "determinism_lint.checks.exceptions.det403_broad_except_in_artifact_code",
            "determinism_lint.checks.exceptions.det404_defeated_fail_closed",
            "determinism_lint.checks.exceptions.det405_silent_narrow_except",
            "determinism_lint.checks.handler_facts",
            "determinism_lint.checks.handler_facts.quiet",
            "determinism_lint.checks.handler_facts.work",
            "determinism_lint.checks.iteration_facts.sinks",
            "determinism_lint.checks.iteration_order",
            "determinism_lint.checks.iteration_order._order_rule",
            "determinism_lint.checks.iteration_order.det501_dict_order_reaches_artifact",
            "determinism_lint.checks.iteration_order.det502_set_order_reaches_artifact",
            "determinism_lint.checks.iteration_order.det503_unordered_results_reach_artifact",
            "determinism_lint.checks.serialization",
            "determinism_lint.checks.serialization.det201_unsorted_json_dump",
            "determinism_lint.checks.serialization.det202_unstable_hash_input",
            "determinism_lint.checks.serialization.det203_builtin_hash_persisted",
            "determinism_lint.checks.serialization.det204_unsorted_yaml_dump",
            "determinism_lint.checks.serialization_facts.salting",
            "determinism_lint.checks.serialization_facts.sinks",
            "determinism_lint.context",
            "determinism_lint.engine",
            "determinism_lint.fix_context",
            "determinism_lint.fix_handlers",
            "determinism_lint.noqa",
            "determinism_lint.project",
            "determinism_lint.scopes",
            "determinism_lint.scopes.artifact_scopes",
            "determinism_lint.scopes.evidence",
            "determinism_lint.settings",
        }
    ),
]

#: Rule code families: the hundreds digit names the module family that holds the rule.
FAMILIES = {
    "1": "atomic_writes",
    "2": "serialization",
    "3": "fs_order",
    "4": "exceptions",
    "5": "iteration_order",
}


# -- reading the sources ------------------------------------------------------------------------


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path, ROOT): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, *, deferred: bool) -> Iterator[ast.stmt]:
    """Import statements outside ``if TYPE_CHECKING:``; with ``deferred``, also those inside
    functions and classes (they run when called), else only those that run on import."""

    def visit(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    yield from visit(node.body)
                yield from visit(node.orelse)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if deferred:
                    yield from visit(node.body)
            else:  # try, with, for, while: their blocks run on import
                for field in ("body", "orelse", "finalbody"):
                    yield from visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    yield from visit(handler.body)

    yield from visit(tree.body)


def _imported_names(module: str, is_package: bool, node: ast.stmt) -> list[str]:
    """Dotted names an import statement may load: the module and, for ``from x import y``,
    ``x.y`` in case ``y`` is a submodule."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - (node.level - 1)] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _import_graph(*, deferred: bool) -> dict[str, set[str]]:
    """Module -> the package modules it imports. Importing ``a.b.c`` runs ``a.b`` too, unless
    ``a.b`` is a package the importer belongs to (it is then already being imported)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, deferred=deferred):
            for name in _imported_names(module, path.name == "__init__.py", node):
                if name not in modules:
                    continue
                parts = name.split(".")
                for end in range(1, len(parts) + 1):
                    target = ".".join(parts[:end])
                    if target in modules and target != module and not module.startswith(target + "."):
                        edges.add(target)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            following: Optional[str] = next(successors, None)
            if following is not None:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, iter(sorted(graph[following]))))
                elif following in on_stack:
                    low[node] = min(low[node], index[following])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return sorted(found, key=lambda cycle: sorted(cycle))


def _describe(cycles: list[frozenset[str]]) -> str:
    return "\n".join(f"  {len(cycle)} modules: {', '.join(sorted(cycle))}" for cycle in cycles) or "  none"


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _resolved_imports(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """``(line, dotted name)`` of every import in ``path``, wherever it is (inside functions and
    under ``if TYPE_CHECKING:`` too), relative imports resolved against ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, _imported_names(module, path.name == "__init__.py", node)[0]


def _importers_of(top: str) -> set[str]:
    """Package modules that import ``top`` (or one of its submodules) anywhere."""
    return {
        module
        for module, path in _modules().items()
        if any(name.split(".")[0] == top for _, name in _resolved_imports(path, module))
    }


# -- sizes -------------------------------------------------------------------------------------


def test_no_module_over_the_limit_outside_the_shrinking_allow_list() -> None:
    too_big = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        lines = _line_count(path)
        ceiling = OVERSIZED.get(relative, MAX_LINES)
        if lines > ceiling:
            too_big.append(f"{relative}: {lines} lines (at most {ceiling})")
    assert not too_big, "split these modules (no module over %d lines):\n%s" % (MAX_LINES, "\n".join(too_big))


def test_the_size_allow_list_has_no_stale_entry() -> None:
    stale = []
    for relative, ceiling in OVERSIZED.items():
        path = ROOT / relative
        if not path.exists():
            stale.append(f"{relative}: gone; remove its entry")
            continue
        lines = _line_count(path)
        if lines <= MAX_LINES:
            stale.append(f"{relative}: {lines} lines, under {MAX_LINES}; remove its entry")
        elif lines < ceiling:
            stale.append(f"{relative}: {lines} lines; lower its ceiling from {ceiling} to {lines}")
    assert not stale, "\n".join(stale)


# -- layers ------------------------------------------------------------------------------------


def test_the_runtime_imports_nothing_of_the_linter() -> None:
    assert (RUNTIME / "__init__.py").is_file(), RUNTIME
    assert not (PACKAGE / "runtime").exists(), "the runtime helpers live in runtime/, not in the linter"
    wrong = []
    for path in sorted(RUNTIME.rglob("*.py")):
        module = ".".join(filter(None, ["determinism_lint.runtime", _module_name(path, RUNTIME)]))
        for line, name in _resolved_imports(path, module):
            top = name.split(".")[0]
            inside = name == "determinism_lint.runtime" or name.startswith("determinism_lint.runtime.")
            if (top == "determinism_lint" and not inside) or top in LINTER_ONLY_DEPENDENCIES:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {name}")
    assert not wrong, "\n".join(wrong)


def test_only_the_fix_layer_imports_libcst() -> None:
    importers = _importers_of("libcst")
    outside = sorted(importers - FIX_LAYER - LIBCST_OUTSIDE_FIX_LAYER)
    assert not outside, f"only the fix layer ({', '.join(sorted(FIX_LAYER))}) imports libcst; also: {outside}"
    stale = sorted(LIBCST_OUTSIDE_FIX_LAYER - importers)
    assert not stale, f"these modules no longer import libcst: remove them from LIBCST_OUTSIDE_FIX_LAYER: {stale}"


def test_only_the_flake8_adapter_imports_flake8() -> None:
    importers = _importers_of("flake8")
    assert importers <= FLAKE8_ADAPTER, sorted(importers - FLAKE8_ADAPTER)


# -- import cycles -----------------------------------------------------------------------------


def test_no_import_cycle_among_module_level_imports() -> None:
    cycles = _cycles(_import_graph(deferred=False))
    print("module-level import cycles:\n" + _describe(cycles))
    new = [cycle for cycle in cycles if not any(cycle <= allowed for allowed in MODULE_LEVEL_CYCLES)]
    assert not new, "new import cycles among module-level imports:\n" + _describe(new)
    assert set(cycles) == set(MODULE_LEVEL_CYCLES), (
        "MODULE_LEVEL_CYCLES may only shrink: set it to\n" + _describe(cycles)
    )


def test_import_cycles_through_deferred_imports_only_shrink() -> None:
    cycles = _cycles(_import_graph(deferred=True))
    print("import cycles, imports inside functions included:\n" + _describe(cycles))
    new = [cycle for cycle in cycles if not any(cycle <= allowed for allowed in DEFERRED_CYCLES)]
    assert not new, "new or larger import cycles:\n" + _describe(new)
    assert set(cycles) == set(DEFERRED_CYCLES), "DEFERRED_CYCLES may only shrink: set it to\n" + _describe(cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [frozenset({"a", "b", "c"})]


# -- the rule registry -------------------------------------------------------------------------


def test_every_rule_has_a_unique_code_of_its_family_and_a_page() -> None:
    from determinism_lint.checks import ALL_RULES

    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes)), sorted(code for code in codes if codes.count(code) > 1)
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
    problems = []
    for rule in ALL_RULES:
        match = re.fullmatch(r"DET([1-9])\d\d", rule.code)
        if match is None or match.group(1) not in FAMILIES:
            problems.append(f"{rule.__name__}: code {rule.code!r} is of no family")
            continue
        family = FAMILIES[match.group(1)]
        if family not in rule.__module__.split("."):
            problems.append(f"{rule.__name__} ({rule.code}) is in {rule.__module__}, not in the {family} family")
        if not (ROOT / "rules" / f"{rule.code}.md").is_file():
            problems.append(f"{rule.code}: no rules/{rule.code}.md (run `python -m determinism_lint.docs`)")
    assert not problems, "\n".join(problems)



def test_a_family_package_holds_one_rule_per_module() -> None:
    """A family laid out as a package (``checks/exceptions/``) gives each rule its own module,
    named for its code and name (``det401_bare_except``), which holds no other rule and
    imports no libcst (its rewrite is in the fix layer)."""
    from determinism_lint.checks import ALL_RULES

    problems = []
    packaged = [rule for rule in ALL_RULES if len(rule.__module__.split(".")) > 3]
    for rule in packaged:
        expected = f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
        if rule.__module__.split(".")[-1] != expected:
            problems.append(f"{rule.code} is in {rule.__module__}, not in a module named {expected}")
    modules = [rule.__module__ for rule in packaged]
    problems += [f"{module} holds more than one rule" for module in sorted(set(modules)) if modules.count(module) > 1]
    assert packaged, "no family is laid out as a package"
    assert not problems, "\n".join(problems)

if __name__ == "__main__":
    for path in sorted(PACKAGE.rglob("*.py"), key=_line_count, reverse=True):
        if _line_count(path) > MAX_LINES:
            print(f"{_line_count(path):6d}  {path.relative_to(ROOT).as_posix()}")
    print("module-level import cycles:\n" + _describe(_cycles(_import_graph(deferred=False))))
    print("import cycles, imports inside functions included:\n" + _describe(_cycles(_import_graph(deferred=True))))
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]) if "--test" in sys.argv else 0)
