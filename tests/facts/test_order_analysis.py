"""The order-sensitivity analysis in ``checks/order_facts/``, tested directly.

Each snippet marks the value of arbitrary order with a call to ``unordered()``; the tests ask
where its order escapes (the escape node's source text) or expect ``None``.
"""

from __future__ import annotations

import ast
from typing import Optional

import pytest

from determinism_lint.checks.order_facts import (
    consumer_is_order_sensitive,
    describe,
    loop_body_is_order_sensitive,
    name_uses_are_order_sensitive,
    sorts_in_place,
)
from determinism_lint.context import Context

from ..helpers import context


def _context(source: str) -> Context:
    return context(source, "snippet.py")


def _marker(ctx: Context) -> ast.Call:
    calls = [
        node
        for node in ast.walk(ctx.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "unordered"
    ]
    assert len(calls) == 1, "a snippet marks exactly one value with unordered()"
    return calls[0]


def _escape_text(node: Optional[ast.AST]) -> Optional[str]:
    if node is None:
        return None
    if isinstance(node, ast.withitem):
        return "with"
    return ast.unparse(node).splitlines()[0].replace("lambda :", "lambda:")  # 3.9 spelling


def _consumer(source: str) -> Optional[str]:
    ctx = _context(source)
    return _escape_text(consumer_is_order_sensitive(_marker(ctx), ctx))


# -- consumer_is_order_sensitive ---------------------------------------------------------------

QUIET = {
    "sorted": "x = sorted(unordered())",
    "sorted through list": "x = sorted(list(unordered()))",
    "set": "x = set(unordered())",
    "frozenset": "x = frozenset(unordered())",
    "len": "n = len(unordered())",
    "len of list": "n = len(list(unordered()))",
    "len of tuple": "n = len(tuple(unordered()))",
    "any": "ok = any(unordered())",
    "all of iter": "ok = all(iter(unordered()))",
    "sum of generator": "n = sum(1 for _ in unordered())",
    "min": "first = min(unordered())",
    "max with key": "last = max(unordered(), key=len)",
    "counter": "import collections\nc = collections.Counter(unordered())",
    "counter of generator": "from collections import Counter\nc = Counter(x.suffix for x in unordered())",
    "membership": "if 'a' in unordered():\n    go()",
    "not in": "if 'a' not in list(unordered()):\n    go()",
    "truth test": "if unordered():\n    go()",
    "negated": "empty = not unordered()",
    "bool": "flag = bool(unordered())",
    "while test": "while unordered():\n    go()",
    "assert": "assert unordered(), 'empty'",
    "compare with empty": "empty = unordered() == []",
    "set comprehension": "names = {x.name for x in unordered()}",
    "dict comprehension": "sizes = {x: size(x) for x in unordered()}",
    "dict of generator": "d = dict((x, 1) for x in unordered())",
    "dict.fromkeys": "d = dict.fromkeys(unordered())",
    "set update": "seen = set()\nseen.update(unordered())",
    "set union": "both = seen.union(unordered())",
    "set display": "s = {*unordered()}",
    "print": "print(unordered())",
    "print to stderr": "import sys\nprint(unordered(), file=sys.stderr)",
    "logger": "logger.info('found %s', unordered())",
    "logging module": "import logging\nlogging.warning('found %s', unordered())",
    "joined for a log": "logger.info('found %s', ', '.join(unordered()))",
    "f-string in a log": "logger.info(f'found {unordered()}')",
    "raise message": "raise FileNotFoundError(f'nothing usable in {unordered()}')",
    "statement": "unordered()",
    "filter condition": "xs = [x for x in items if unordered()]",
    "ifexp test": "x = 1 if unordered() else 2",
    "map into list discarded": "list(map(remove, unordered()))",
    "pool map discarded": "pool.map(remove, unordered())",
    "unique": "import numpy as np\nu = np.unique(unordered())",
    "assertIn": "self.assertIn('a', unordered())",
    "assertEqual empty": "self.assertEqual(unordered(), [])",
    "assertCountEqual": "self.assertCountEqual(unordered(), ['a', 'b'])",
    "single unpack": "(only,) = unordered()",
    "await into set": "async def f():\n    return set(await unordered())",
    "with without name": "with unordered():\n    pass",
}

SENSITIVE = {
    "return": ("def f():\n    return unordered()", "return unordered()"),
    "return list": ("def f():\n    return list(unordered())", "return list(unordered())"),
    "yield": ("def f():\n    yield unordered()", "(yield unordered())"),
    "yield from": ("def f():\n    yield from unordered()", "(yield from unordered())"),
    "next": ("x = next(unordered())", "next(unordered())"),
    "next of iter": ("x = next(iter(unordered()))", "next(iter(unordered()))"),
    "index": ("x = unordered()[0]", "unordered()[0]"),
    "slice": ("x = unordered()[:3]", "unordered()[:3]"),
    "enumerate": ("for i, x in enumerate(unordered()):\n    ids[x] = i", "enumerate(unordered())"),
    "zip": ("pairs = dict(zip(unordered(), labels))", "zip(unordered(), labels)"),
    "unknown call": ("process(unordered())", "process(unordered())"),
    "join": ("text = ','.join(unordered())\nemit(text)", "emit(text)"),
    "json.dumps": ("import json\ns = json.dumps(unordered())", "json.dumps(unordered())"),
    "attribute store": ("self.names = unordered()", "self.names"),
    "subscript store": ("cache[key] = unordered()", "cache[key]"),
    "tuple unpack": ("a, b = unordered()", "(a, b)"),
    "starred unpack": ("first, *rest = unordered()", "(first, *rest)"),
    "list display": ("def f():\n    return [*unordered(), 'x']", "return [*unordered(), 'x']"),
    "concatenation": ("def f():\n    return unordered() + extra", "return unordered() + extra"),
    "print to a file": ("print(unordered(), file=handle)", "print(unordered(), file=handle)"),
    "lambda": ("key = lambda: unordered()", "lambda: unordered()"),
    "pop": ("x = unordered().pop()", "unordered().pop()"),
    "list comprehension returned": (
        "def f():\n"
        "    return [x.name for x in unordered()]",
        "return [x.name for x in unordered()]",
    ),
    "generator into next": ("x = next(p for p in unordered() if p.ok)", "next((p for p in unordered() if p.ok))"),
    "map returned": ("def f():\n    return list(map(str, unordered()))", "return list(map(str, unordered()))"),
    "tqdm": (
        "from tqdm import tqdm\nfor x in tqdm(unordered()):\n    out.append(x)",
        "out.append(x)",
    ),
    "assertEqual with many": ("self.assertEqual(unordered(), ['a', 'b'])", "self.assertEqual(unordered(), ['a', 'b'])"),
}


@pytest.mark.parametrize("source", QUIET.values(), ids=list(QUIET))
def test_consumer_quiet(source: str) -> None:
    assert _consumer(source) is None


@pytest.mark.parametrize("source, escape", SENSITIVE.values(), ids=list(SENSITIVE))
def test_consumer_sensitive(source: str, escape: str) -> None:
    assert _consumer(source) == escape


def test_builtins_shadowed_by_a_local_are_unknown_calls() -> None:
    assert _consumer("sorted = make_sorter()\n\nsorted(unordered())") == "sorted(unordered())"


# -- loop_body_is_order_sensitive --------------------------------------------------------------


def _loop(source: str) -> Optional[str]:
    ctx = _context(source)
    marker = _marker(ctx)
    parent = ctx.parent(marker)
    assert isinstance(parent, (ast.For, ast.comprehension))
    return _escape_text(loop_body_is_order_sensitive(parent, ctx))


LOOP_QUIET = {
    "delete": "import os\nfor name in unordered():\n    os.remove(os.path.join(d, name))",
    "rmtree or unlink": (
        "import os, shutil\nfor name in unordered():\n    p = os.path.join(d, name)\n"
        "    if os.path.isdir(p):\n        shutil.rmtree(p)\n    else:\n        os.unlink(p)"
    ),
    "count": "n = 0\nfor x in unordered():\n    n += 1\nreport(n)",
    "sum": "total = 0\nfor x in unordered():\n    total += size(x)",
    "set add": "seen = set()\nfor x in unordered():\n    seen.add(x)",
    "dict by key": "index = {}\nfor x in unordered():\n    index[x.name] = load(x)",
    "log": "for x in unordered():\n    logger.info('found %s', x)\n    print(x)",
    "call with element": "for x in unordered():\n    convert(x, out_dir)",
    "constant append": "for x in unordered():\n    if bad(x):\n        problems.append('bad')",
    "accumulator sorted later": "def f():\n    out = []\n    for x in unordered():\n        out.append(x)\n"
    "    out.sort()\n    return out",
    "accumulator into sorted": "def f():\n    out = []\n    for x in unordered():\n        out.append(x)\n"
    "    return sorted(out)",
    "accumulator into set": "def f():\n    out = []\n    for x in unordered():\n        out.extend(parts(x))\n"
    "    return set(out)",
    "per-element file": (
        "for name in unordered():\n    with open(name + '.out', 'w') as fh:\n        fh.write(convert(name))"
    ),
    "per-element hash": (
        "import hashlib\nfor name in unordered():\n    h = hashlib.sha256()\n    h.update(read(name))\n"
        "    digests[name] = h.hexdigest()"
    ),
    "constant return": "def f():\n    for x in unordered():\n        if broken(x):\n            return False\n"
    "    return True",
    "flag and break": "def f():\n    found = False\n    for x in unordered():\n        if x.endswith('.lock'):\n"
    "            found = True\n            break\n    return found",
    "unique match return": "def f():\n    for x in unordered():\n        if x == 'config.json':\n            return x",
    "unique match by name": "def f(want):\n    for p in unordered():\n        if p.name == want:\n            return p",
    "maximum": "def f():\n    best, size = None, -1\n    for x in unordered():\n        if weight(x) > size:\n"
    "            best, size = x, weight(x)\n    return best",
    "counter reset per element": (
        "for x in unordered():\n    offset = 0\n    while lines[offset].startswith('#'):\n        offset += 1\n"
        "    emit(offset)"
    ),
    "temp name only inside": "for x in unordered():\n    path = join(d, x)\n    os.remove(path)",
    "set comprehension element": "s = {x.name for x in unordered()}",
    "nested break belongs to inner loop": (
        "for x in unordered():\n    for line in read(x):\n        if line:\n            process(line)\n"
        "            break"
    ),
    "console write": "import sys\nfor x in unordered():\n    sys.stdout.write(x)",
    "counter update": "import collections\nc = collections.Counter()\nfor x in unordered():\n    c.update(words(x))",
    "keyed dict update": "index = {}\nfor x in unordered():\n    index.update({x: size(x)})",
    "row built per element": "for x in unordered():\n    row = {}\n    row['path'] = x\n    rows[x] = row",
}

LOOP_SENSITIVE = {
    "append returned": (
        "def f():\n    out = []\n    for x in unordered():\n        out.append(x)\n"
        "    return out",
        "return out",
    ),
    "append to a parameter": ("def f(out):\n    for x in unordered():\n        out.append(x)", "out.append(x)"),
    "append to an attribute": ("for x in unordered():\n    self.items.append(x)", "self.items.append(x)"),
    "write": ("for x in unordered():\n    handle.write(x)", "handle.write(x)"),
    "writerow": ("for x in unordered():\n    writer.writerow([x])", "writer.writerow([x])"),
    "hash update": ("import hashlib\nh = hashlib.sha256()\nfor x in unordered():\n    h.update(x)", "h.update(x)"),
    "zip write": ("for x in unordered():\n    zf.write(x, arcname(x))", "zf.write(x, arcname(x))"),
    "tar add": ("for x in unordered():\n    tar.add(x, arcname=x)", "tar.add(x, arcname=x)"),
    "queue put": ("for x in unordered():\n    queue.put(x)", "queue.put(x)"),
    "json.dump to shared handle": (
        "import json\nfor x in unordered():\n"
        "    json.dump(load(x), out)",
        "json.dump(load(x), out)",
    ),
    "copyfileobj": (
        "import shutil\nfor x in unordered():\n    with open(x, 'rb') as src:\n        shutil.copyfileobj(src, out)",
        "shutil.copyfileobj(src, out)",
    ),
    "print to file": ("for x in unordered():\n    print(x, file=out)", "print(x, file=out)"),
    "yield": ("def f():\n    for x in unordered():\n        yield x", "(yield x)"),
    "return element": (
        "def f():\n    for x in unordered():\n        if x.endswith('.pt'):\n"
        "            return x",
        "return x",
    ),
    "side effect then break": (
        "for x in unordered():\n    if x.endswith('.tmp'):\n        os.remove(x)\n        break",
        "break",
    ),
    "string concatenation": (
        "def f():\n    text = ''\n    for x in unordered():\n        text += x\n"
        "    return text",
        "text += x",
    ),
    "tuple concatenation": (
        "def f():\n    acc = ()\n    for x in unordered():\n        acc += (x,)\n"
        "    return acc",
        "acc += (x,)",
    ),
    "list concatenation returned": (
        "def f():\n    acc = []\n    for x in unordered():\n        acc += [x]\n    return acc",
        "return acc",
    ),
    "counter used as id": ("i = 0\nfor x in unordered():\n    ids[x] = i\n    i += 1", "i"),
    "counter used for a limit": (
        "n = 0\nfor x in unordered():\n    if n >= 10:\n        break\n    n += 1\n"
        "    use(x)",
        "break",
    ),
    "counter used as a file name": (
        "i = 0\nfor x in unordered():\n    convert(x, f'shard-{i}.parquet')\n"
        "    i += 1",
        "i",
    ),
    "last one wins": (
        "def f():\n    found = None\n    for x in unordered():\n        if x.endswith('.pt'):\n"
        "            found = x\n    return found",
        "found = x",
    ),
    "loop variable after the loop": ("def f():\n    for x in unordered():\n        pass\n    return x", "x"),
    "accumulator sorted only sometimes": (
        "def f(flag):\n    out = []\n    for x in unordered():\n        out.append(x)\n    if flag:\n"
        "        out.sort()\n    return out",
        "return out",
    ),
    "accumulator used before the sort": (
        "def f():\n    out = []\n    for x in unordered():\n        out.append(x)\n    emit(out)\n    out.sort()\n"
        "    return out",
        "emit(out)",
    ),
    "batch flushed": (
        "def f():\n    batch = []\n    for x in unordered():\n        batch.append(x)\n        if len(batch) == 64:\n"
        "            flush(batch)\n            batch = []",
        "flush(batch)",
    ),
    "merged dicts": (
        "def f():\n    config = {}\n    for x in unordered():\n        config.update(load(x))\n    return config",
        "config.update(load(x))",
    ),
    "fixed key": ("for x in unordered():\n    state['checkpoint'] = x", "state['checkpoint']"),
    "accumulated frame": (
        "import pandas as pd\ndef f():\n    df = pd.DataFrame()\n    for x in unordered():\n"
        "        df = pd.concat([df, pd.read_csv(x)])\n    return df",
        "df = pd.concat([df, pd.read_csv(x)])",
    ),
    "comprehension with a side effect": ("[out.append(x) for x in unordered()]", "out.append(x)"),
}


@pytest.mark.parametrize("source", LOOP_QUIET.values(), ids=list(LOOP_QUIET))
def test_loop_quiet(source: str) -> None:
    assert _loop(source) is None


@pytest.mark.parametrize("source, escape", LOOP_SENSITIVE.values(), ids=list(LOOP_SENSITIVE))
def test_loop_sensitive(source: str, escape: str) -> None:
    assert _loop(source) == escape


# -- name_uses_are_order_sensitive -------------------------------------------------------------


def _names(source: str, name: str = "names") -> Optional[str]:
    ctx = _context(source)
    statement = ctx.enclosing_statement(_marker(ctx))
    return _escape_text(name_uses_are_order_sensitive(name, statement, ctx.enclosing_scope(statement), ctx))


NAMES_QUIET = {
    "sorted in place": "def f():\n    names = unordered()\n    names.sort()\n    return names",
    "sorted by key": "def f():\n    names = unordered()\n    names.sort(key=len)\n    emit(names)",
    "slice assignment": "def f():\n    names = unordered()\n    names[:] = sorted(names)\n    return names",
    "rebound sorted": "def f():\n    names = unordered()\n    names = sorted(names)\n    return names",
    "only insensitive uses": (
        "def f():\n    names = unordered()\n    if not names:\n        return 0\n    if 'a' in names:\n"
        "        log(len(names))\n    return len(set(names))"
    ),
    "filtered then sorted": "def f():\n    names = unordered()\n    names = [n for n in names if ok(n)]\n"
    "    return sorted(names)",
    "every branch settles": (
        "def f():\n    names = unordered()\n    if not names:\n        names = []\n    else:\n        names.sort()\n"
        "        names = names[:10]\n    return names"
    ),
    "reassigned unconditionally": "def f():\n    names = unordered()\n    emit(len(names))\n    names = other()\n"
    "    return names",
    "rebound by a with": (
        "def f(p):\n    names = unordered()\n    if check(len(names)):\n        with open(p) as names:\n"
        "            return names.read()"
    ),
    "single element guard": "def f():\n    names = unordered()\n    if len(names) != 1:\n"
    "        raise ValueError(names)\n    return names[0]",
    "deleted": "def f():\n    names = unordered()\n    count = len(names)\n    del names\n    names = other()\n"
    "    return names",
    "shadowed by a comprehension variable": "def f():\n    names = unordered()\n    total = len(names)\n"
    "    return [names for names in groups]",
    "shadowed in a nested function": "def f():\n    names = unordered()\n    def g(names):\n        return names\n"
    "    return len(names)",
}

NAMES_SENSITIVE = {
    "returned": ("def f():\n    names = unordered()\n    return names", "return names"),
    "indexed": ("def f():\n    names = unordered()\n    return names[0]", "names[0]"),
    "sorted too late": ("def f():\n    names = unordered()\n    emit(names)\n    names.sort()", "emit(names)"),
    "sorted only sometimes": (
        "def f(flag):\n    names = unordered()\n    if flag:\n        names.sort()\n    return names",
        "return names",
    ),
    "reassigned only sometimes": (
        "def f(flag):\n    names = unordered()\n    if flag:\n        names = []\n    return names",
        "return names",
    ),
    "alias": ("def f():\n    names = unordered()\n    other = names\n    return other", "return other"),
    "filtered and returned": (
        "def f():\n    names = unordered()\n    names = [n for n in names if ok(n)]\n    return names",
        "return names",
    ),
    "loop appends": (
        "def f(out):\n    names = unordered()\n    for n in names:\n        out.append(n)",
        "out.append(n)",
    ),
    "extended then returned": (
        "def f():\n    names = unordered()\n    names.extend(more())\n    return names",
        "return names",
    ),
    "other branch rebinds": (
        "def f(flag):\n    if flag:\n        names = unordered()\n    else:\n        names = []\n    return names",
        "return names",
    ),
    "used in a closure": (
        "def f():\n    names = unordered()\n    def first():\n        return names[0]\n"
        "    return first",
        "names[0]",
    ),
}


@pytest.mark.parametrize("source", NAMES_QUIET.values(), ids=list(NAMES_QUIET))
def test_names_quiet(source: str) -> None:
    assert _names(source) is None


@pytest.mark.parametrize("source, escape", NAMES_SENSITIVE.values(), ids=list(NAMES_SENSITIVE))
def test_names_sensitive(source: str, escape: str) -> None:
    assert _names(source) == escape


def test_module_level_name_used_in_a_function() -> None:
    source = "FILES = unordered()\n\ndef load():\n    return [read(f) for f in FILES]\n"
    assert _names(source, "FILES") == "return [read(f) for f in FILES]"
    source = "FILES = unordered()\n\ndef count():\n    return len(FILES)\n"
    assert _names(source, "FILES") is None


def test_module_level_name_sorted_before_use() -> None:
    source = "FILES = unordered()\nFILES.sort()\n\ndef load():\n    return [read(f) for f in FILES]\n"
    assert _names(source, "FILES") is None


# -- small helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("names.sort()", True),
        ("names.sort(key=len, reverse=True)", True),
        ("names[:] = sorted(names)", True),
        ("names[:] = []", True),
        ("names.clear()", True),
        ("del names[:]", True),
        ("names[:] = [n for n in names if n]", False),
        ("other.sort()", False),
        ("names = sorted(names)", False),
        ("sorted(names)", False),
    ],
)
def test_sorts_in_place(statement: str, expected: bool) -> None:
    assert sorts_in_place(ast.parse(statement).body[0], "names") is expected


def test_describe_is_short_and_names_the_line() -> None:
    tree = ast.parse("x = 1\nresults.append(compute(a_rather_long_argument_name, another_one, and_more))\n")
    call = tree.body[1].value  # type: ignore[attr-defined]
    assert describe(call) == "`results.append(...)` on line 2"
    long_return = ast.parse("def f():\n    return [transform(item, option=True) for item in sequence_of_items]\n")
    text = describe(long_return.body[0].body[0])  # type: ignore[attr-defined]
    assert text.startswith("`return [transform(") and text.endswith("...` on line 2")


def test_answers_are_cached_per_file() -> None:
    ctx = _context("def f():\n    names = unordered()\n    return names\n")
    marker = _marker(ctx)
    first = consumer_is_order_sensitive(marker, ctx)
    assert first is not None
    assert consumer_is_order_sensitive(marker, ctx) is first


def test_every_call_of_a_large_file_is_analysed_without_errors() -> None:
    # Robustness: ask about every call and every loop in the fixtures, in any order.
    from pathlib import Path

    for path in sorted((Path(__file__).parents[1] / "fixtures").glob("det3_*.py")):
        ctx = _context(path.read_text(encoding="utf-8"))
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call):
                consumer_is_order_sensitive(node, ctx)
            elif isinstance(node, (ast.For, ast.comprehension)):
                loop_body_is_order_sensitive(node, ctx)
