"""canonical_json and sorted_items."""

from __future__ import annotations

import collections
import enum
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from determinism_lint.runtime import canonical_json, sorted_items

REPO = Path(__file__).resolve().parents[2]


def test_sorted_keys_fixed_separators_and_final_newline() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}\n'
    assert canonical_json({"b": 1, "a": [1, 2]}, indent=2) == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
    assert canonical_json([]) == "[]\n"


def test_nested_dicts_are_sorted_at_every_level() -> None:
    data = {"z": {"y": {"x": 1, "w": 2}, "a": [{"d": 1, "c": 2}]}, "m": None}
    assert canonical_json(data) == '{"m":null,"z":{"a":[{"c":2,"d":1}],"y":{"w":2,"x":1}}}\n'


def test_insertion_order_does_not_matter() -> None:
    first = {"a": 1, "b": {"c": 1, "d": 2}}
    second = {"b": {"d": 2, "c": 1}, "a": 1}
    assert canonical_json(first) == canonical_json(second)


def test_mixed_key_types_convert_like_json_then_sort() -> None:
    data = {"b": 1, 2: "two", 1.5: "float", True: "t", None: "n", 10: "ten"}
    text = canonical_json(data)
    assert text == '{"1.5":"float","10":"ten","2":"two","b":1,"null":"n","true":"t"}\n'
    # same key strings json.dumps produces
    assert json.loads(text) == json.loads(json.dumps(data))


def test_key_collisions_after_conversion_are_errors() -> None:
    with pytest.raises(ValueError, match="both become the JSON key '1'"):
        canonical_json({1: "int", "1": "str"})
    with pytest.raises(ValueError, match="'true'"):
        canonical_json({"true": 1, True: 2})
    with pytest.raises(ValueError):
        canonical_json({"a": {None: 1, "null": 2}})


def test_unsupported_key_types() -> None:
    with pytest.raises(TypeError, match="keys must be"):
        canonical_json({(1, 2): "tuple key"})


def test_nan_and_infinity_are_rejected() -> None:
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError):
            canonical_json({"x": [bad]})
        with pytest.raises(ValueError):
            canonical_json({bad: 1})
        with pytest.raises(ValueError):
            canonical_json({bad})


def test_non_ascii_is_written_as_is() -> None:
    assert canonical_json({"é": "☕"}) == '{"é":"☕"}\n'


def test_floats_use_repr() -> None:
    assert canonical_json([0.1, 1e100, -0.0, 1.0, 2.5e-7]) == "[0.1,1e+100,-0.0,1.0,2.5e-07]\n"


def test_tuples_and_namedtuples_are_lists() -> None:
    Point = collections.namedtuple("Point", "x y")
    assert canonical_json({"t": (3, 1), "p": Point(2, 1)}) == '{"p":[2,1],"t":[3,1]}\n'


def test_sets_are_sorted_by_a_total_order() -> None:
    assert canonical_json({3, 1, 10, 2}) == "[1,2,3,10]\n"
    assert canonical_json(frozenset({"b", "a", "B"})) == '["B","a","b"]\n'
    mixed = {"a", 3, None, True, 2.5, (1, 2), frozenset({3}), ""}
    assert canonical_json(mixed) == '[null,true,2.5,3,"","a",[1,2],[3]]\n'


def test_subclasses_of_scalars_serialize_as_the_base_type() -> None:
    class Color(enum.IntEnum):
        RED = 1

    class Name(str, enum.Enum):
        BOB = "bob"

    assert canonical_json({Name.BOB: Color.RED}) == '{"bob":1}\n'


def test_default_hook_and_its_result_follow_the_same_rules() -> None:
    class Thing:
        def __init__(self, tags: set[str]) -> None:
            self.tags = tags

    def default(obj: object) -> object:
        if isinstance(obj, Thing):
            return {"tags": obj.tags, "kind": "thing"}
        raise TypeError(type(obj).__name__)

    assert canonical_json([Thing({"y", "x"})], default=default) == '[{"kind":"thing","tags":["x","y"]}]\n'
    with pytest.raises(TypeError, match="not JSON serializable"):
        canonical_json(object())


def test_mappings_are_objects() -> None:
    assert canonical_json(types.MappingProxyType({"b": 1, "a": 2})) == '{"a":2,"b":1}\n'


def test_cycles_are_detected() -> None:
    data: list[object] = []
    data.append(data)
    with pytest.raises(ValueError, match="Circular"):
        canonical_json(data)
    shared = [1]
    assert canonical_json([shared, shared]) == "[[1],[1]]\n", "shared (non-cyclic) references are fine"


CROSS_PROCESS = """
import sys
sys.path.insert(0, {repo!r})
from determinism_lint.runtime import canonical_json
data = {{
    "names": {{"delta", "alpha", "charlie", "bravo", "echo", "foxtrot"}},
    7: frozenset({{"x", "y", "z", 3, 2.5, None}}),
    None: [{{"k", "j"}}, ("t", 1)],
    2.5: {{"inner": {{"q", "p", "r"}}, 1: {{b"".hex(), "s"}}}},
    True: "yes",
}}
sys.stdout.write(canonical_json(data, indent=1))
"""


def test_same_bytes_in_every_process_and_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "123", "4294967295", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-S", "-c", CROSS_PROCESS.format(repo=str(REPO))],
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert outputs.pop().startswith(b'{\n "2.5": {\n  "1": [\n   "",\n   "s"\n  ],')


# ------------------------------------------------------------------------------- sorted_items


def test_sorted_items_natural_order() -> None:
    assert sorted_items({"b": 2, "a": 1, "c": 3}) == [("a", 1), ("b", 2), ("c", 3)]
    assert sorted_items({10: "x", 2: "y", 2.5: "z"}) == [(2, "y"), (2.5, "z"), (10, "x")]
    assert sorted_items({(2, "a"): 1, (1, "b"): 2}) == [((1, "b"), 2), ((2, "a"), 1)]


def test_sorted_items_mixed_types_fall_back_to_type_tagged_order() -> None:
    data = {"b": 1, 3: 2, None: 3, b"x": 4, (1,): 5, False: 6, 1.5: 7}
    expected = [(None, 3), (False, 6), (1.5, 7), (3, 2), ("b", 1), (b"x", 4), ((1,), 5)]
    assert sorted_items(data) == expected
    assert sorted_items(dict(reversed(list(data.items())))) == expected


def test_sorted_items_partial_orders_are_made_total() -> None:
    # Frozensets compare by inclusion: sorted() would keep the insertion order of {1} and {2}.
    first = {frozenset({2}): "b", frozenset({1}): "a"}
    second = {frozenset({1}): "a", frozenset({2}): "b"}
    assert sorted_items(first) == sorted_items(second) == [(frozenset({1}), "a"), (frozenset({2}), "b")]
    nan = float("nan")
    assert sorted_items({nan: 0, 1.0: 1, -1.0: 2})[-1][1] == 0


def test_sorted_items_other_types_by_type_name_then_repr() -> None:
    class Color(enum.Enum):
        RED = "r"
        BLUE = "b"

    data = {Color.RED: 1, Color.BLUE: 2, "s": 3}
    assert sorted_items(data) == [("s", 3), (Color.BLUE, 2), (Color.RED, 1)]


def test_sorted_total_is_sorted_when_members_compare_and_never_raises() -> None:
    import datetime
    import decimal

    from determinism_lint.runtime import sorted_total

    assert sorted_total({"b", "c", "a"}) == ["a", "b", "c"]
    assert sorted_total([decimal.Decimal("10"), decimal.Decimal("9")]) == [decimal.Decimal("9"), decimal.Decimal("10")]
    days = [datetime.date(2024, 1, 10), datetime.date(2024, 1, 9)]
    assert sorted_total(days) == sorted(days)
    # Where ``sorted`` raises: a None in a set of strings, mixed types, dict values.
    assert sorted_total({"b", None, "a"}) == [None, "a", "b"]
    assert sorted_total([3, "a", 1]) == [1, 3, "a"]
    assert sorted_total([{"x": 1}, {"a": 2}]) == [{"a": 2}, {"x": 1}]
    nan = float("nan")
    assert sorted_total([nan, 2.0, 1.0])[:2] == [1.0, 2.0]
    assert sorted_total([{2, 1}, {0}]) == [{0}, {1, 2}]
