"""Engine internals: the walk, name resolution, columns, noqa parsing, settings."""

from __future__ import annotations

import ast
import sys
import textwrap

import pytest

from determinism_lint.context import Context
from determinism_lint.engine import _walk
from determinism_lint.noqa import parse_noqa, suppresses
from determinism_lint.positions import byte_col, char_col
from determinism_lint.settings import Settings, path_matches

from ..helpers import check_result

SKIPPED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are new in Python 3.10")
def test_walk_reaches_every_node_including_match_and_fstrings() -> None:
    source = textwrap.dedent(
        """
        import os
        match command:
            case {"k": [1, *rest], **others} if rest:
                pass
            case Point(x=0, y=None) | True:
                pass
            case _:
                pass
        def f(a, /, b=1, *args, c, d=2, **kw) -> int:
            global g
            return f"{a!r:>{b}}" + {**kw, "x": lambda y=os.sep: y}["x"]()
        async def g():
            async with a as b, c:
                async for x in y:
                    await z
        """
    )
    tree = ast.parse(source)
    parents, _ = _walk(tree, {})
    expected = {id(node) for node in ast.walk(tree) if not isinstance(node, SKIPPED)} - {id(tree)}
    assert {id(node) for node in parents} == expected
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, SKIPPED):
                assert parents[child] is node


def _context(source: str) -> Context:
    tree = ast.parse(textwrap.dedent(source))
    parents, _ = _walk(tree, {})
    return Context(path="x.py", source=source, tree=tree, parents=parents, settings=Settings())


def _call_names(source: str) -> list[str | None]:
    ctx = _context(source)
    calls = sorted((n for n in ast.walk(ctx.tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    return [ctx.call_name(call) for call in calls]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import json as j\nj.dump(x, f)\n", ["json.dump"]),
        ("from os import listdir as ld\nld('.')\n", ["os.listdir"]),
        ("import os.path\nos.path.join(a)\n", ["os.path.join"]),
        ("import os.path as osp\nosp.join(a)\n", ["os.path.join"]),
        ("from pathlib import Path\nPath('x')\n", ["pathlib.Path"]),
        ("open('x')\n", ["builtins.open"]),
        ("def open(p, m):\n    pass\nopen('x', 'w')\n", [None]),
        ("def f(open):\n    open('x', 'w')\n", [None]),
        ("def f():\n    import json as j\n    j.dumps(1)\n", ["json.dumps"]),
        ("def f():\n    j.dumps(1)\n", [None]),
        ("from . import io\nio.open('x')\n", [None]),
        ("try:\n    import simplejson as json\nexcept ImportError:\n    json = None\njson.dump(a, b)\n", ["simplejson.dump"]),
        ("class C:\n    open = 1\n    def m(self):\n        open('x')\n", ["builtins.open"]),
        ("def f():\n    global open\n    open('x')\n", ["builtins.open"]),
        ("[open for open in x]\nopen('y')\n", ["builtins.open"]),
        ("def f(x=open('a')):\n    open = 2\n", ["builtins.open"]),
    ],
)
def test_name_resolution(source: str, expected: list) -> None:
    assert _call_names(source) == expected


def test_columns_are_characters_not_bytes() -> None:
    line = "naïve = 'ß'; x = 1"
    assert char_col(line, len("naïve = 'ß'; ".encode())) == len("naïve = 'ß'; ")
    assert byte_col(line, char_col(line, 15)) == 15
    source = "label = 'héllo'; open('out.json', 'w')\n"
    findings = check_result(source, "x.py", select=("DET1",)).findings
    if findings:  # the write rules are registered
        assert findings[0].col == source.index("open") + 1


def test_noqa_parsing_ignores_strings() -> None:
    comments = parse_noqa("x = '# noqa'\ny = 1  # noqa:DET101, DET3\nz = 2  # NOQA\n")
    assert comments == {2: ("DET101", "DET3"), 3: ()}
    assert suppresses(comments[2], "DET301") and not suppresses(comments[2], "DET401")
    assert suppresses(comments[3], "DET401")
    assert not suppresses(None, "DET401")


@pytest.mark.parametrize(
    "path, pattern, expected",
    [
        ("build/x.py", "build", True),
        ("src/build/x.py", "build", True),
        ("src/rebuild/x.py", "build", False),
        ("pkg.egg-info/x.py", "*.egg-info", True),
        ("tests/fixtures/a.py", "tests/fixtures", True),
        ("tests/fixtures/a.py", "tests/fixtures/*", True),
        ("src/tests/fixtures/a.py", "tests/fixtures", False),
        ("/elsewhere/.venv/lib/x.py", ".venv", False),
    ],
)
def test_path_matches(path: str, pattern: str, expected: bool) -> None:
    assert path_matches(path, pattern) is expected


def test_rule_crash_is_reported_not_raised() -> None:
    from determinism_lint.checks.base import Report, Rule

    class Exploding(Rule):
        code = "DET499"
        name = "exploding"
        message = "never"
        node_types = (ast.Name,)

        def check(self, node, ctx):
            raise RuntimeError("boom")
            yield Report(node)

    result = check_result("x = y\n", "x.py", rules=[Exploding])
    assert [f.code for f in result.findings] == ["DET000"]
    assert "internal error in DET499 (RuntimeError: boom" in result.findings[0].message


def test_check_tree_output_is_sorted() -> None:
    source = "try:\n    a()\nexcept:\n    pass\ntry:\n    b()\nexcept:\n    pass\n"
    findings = check_result(source, "x.py").findings
    assert list(findings) == sorted(findings)


def test_call_filter_follows_import_aliases() -> None:
    source = (
        "import hashlib\nfrom json import dumps as to_json\n"
        "def config_hash(c: set):\n    return hashlib.sha256(to_json(dict.fromkeys(c)).encode()).hexdigest()\n"
    )
    findings = check_result(source, "x.py").findings
    assert [(f.line, f.code) for f in findings] == [(4, "DET201")]


def test_call_filter_aliases_for_suppress_and_pickle() -> None:
    source = (
        "import hashlib\nfrom contextlib import suppress as ignoring\nfrom pickle import dumps as freeze\n"
        "with ignoring(Exception):\n    DIGEST = hashlib.sha256(b'seed').hexdigest()\n"
        "def key(obj):\n    return hashlib.sha256(freeze(obj)).hexdigest()\n"
    )
    findings = check_result(source, "x.py").findings
    assert [(f.line, f.code) for f in findings] == [(4, "DET403"), (7, "DET202")]


def test_statement_bindings_agree_with_full_bindings_on_the_standard_library() -> None:
    import sysconfig
    from pathlib import Path

    from determinism_lint.names import collect_bindings, collect_statement_bindings

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    checked = 0
    for path in sorted(stdlib.glob("*.py"))[:120]:
        source = path.read_text(encoding="utf-8", errors="replace")
        if ":=" in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
        for scope in scopes:
            assert collect_statement_bindings(scope) == collect_bindings(scope), (path, getattr(scope, "name", ""))
            checked += 1
    assert checked > 1000
