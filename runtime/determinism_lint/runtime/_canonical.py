"""Canonical JSON and deterministic ordering of mapping items."""

from __future__ import annotations

import json
import math
from typing import Any, Callable, Hashable, Iterable, Mapping, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")

# Mirrors json.dumps' own checks and messages where it has them.
_CIRCULAR = "Circular reference detected"


def canonical_json(
    obj: Any,
    *,
    indent: int | str | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """Serialize ``obj`` to JSON text that depends only on the data.

    The same data gives the same text in every process, whatever ``PYTHONHASHSEED``, dict
    insertion order or set iteration order:

    * object keys are sorted. Non-string keys are converted the way :func:`json.dumps` converts
      them (``True`` -> ``"true"``, ``None`` -> ``"null"``, ``1`` -> ``"1"``, ``1.5`` ->
      ``"1.5"``) *before* sorting, so mixed key types sort fine; two keys that become the same
      string (``1`` and ``"1"``) raise ``ValueError``. Other key types raise ``TypeError``;
    * separators are fixed: ``(",", ":")`` when ``indent`` is None, ``(",", ": ")`` otherwise;
    * the text ends with a newline;
    * ``ensure_ascii=False``: non-ASCII characters are written as themselves;
    * NaN and infinities raise ``ValueError`` (they are not JSON);
    * floats are written with ``repr`` (shortest round-tripping form), as :mod:`json` does;
    * dicts and other mappings become objects; lists, tuples (named tuples too) become arrays
      in their order;
    * sets and frozensets become arrays sorted by a fixed total order: ``null``, then ``false``
      and ``true``, then numbers (numerically), then strings (by code point), then arrays and
      objects (by their canonical JSON text);
    * other objects are passed to ``default`` (as with :func:`json.dumps`) and its result is
      serialized by these same rules; without ``default`` they raise ``TypeError``;
    * a container that contains itself raises ``ValueError``.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    normalized = _Normalizer(default).normalize(obj)
    # The normalizer already ordered every object; sort_keys states it and costs little.
    return (
        json.dumps(
            normalized, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators, sort_keys=True
        )
        + "\n"
    )


def _compact(normalized: Any) -> str:
    return json.dumps(normalized, ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=True)


def _json_key(key: Any) -> str:
    """Convert a dict key exactly as json.dumps does (it checks bool before int)."""
    if isinstance(key, str):
        return str.__str__(key)  # a plain str: subclasses may compare or print differently
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        _check_float(key)
        return float.__repr__(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _check_float(value: float) -> None:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


def _set_order_key(value: Any) -> tuple[int, Any, str]:
    """Total order for the normalized elements of a set (see canonical_json's docstring)."""
    if value is None:
        return (0, 0, "")
    if isinstance(value, bool):
        return (1, int(value), "")
    if isinstance(value, (int, float)):
        # The text breaks ties between equal numbers of different types (1 and 1.0 produced by
        # ``default`` for two different objects), which would otherwise keep set order.
        return (2, value, _compact(value))
    if isinstance(value, str):
        return (3, value, "")
    return (4, 0, _compact(value))


class _Normalizer:
    """Turns ``obj`` into plain dicts (sorted str keys), lists and scalars."""

    def __init__(self, default: Callable[[Any], Any] | None) -> None:
        self._default = default
        self._active: set[int] = set()  # ids of the containers being converted (cycle check)

    def normalize(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, (str, bool, int)):
            return obj
        if isinstance(obj, float):
            _check_float(obj)
            return obj
        if isinstance(obj, (dict, list, tuple, set, frozenset)) or isinstance(obj, Mapping):
            marker = id(obj)
            if marker in self._active:
                raise ValueError(_CIRCULAR)
            self._active.add(marker)
            try:
                return self._container(obj)
            finally:
                self._active.discard(marker)
        if self._default is None:
            raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
        marker = id(obj)
        if marker in self._active:
            raise ValueError(_CIRCULAR)
        self._active.add(marker)
        try:
            return self.normalize(self._default(obj))
        finally:
            self._active.discard(marker)

    def _container(self, obj: Any) -> Any:
        if isinstance(obj, (list, tuple)):
            return [self.normalize(item) for item in obj]
        if isinstance(obj, (set, frozenset)):
            items = [self.normalize(item) for item in obj]
            items.sort(key=_set_order_key)
            return items
        converted: dict[str, Any] = {}
        originals: dict[str, Any] = {}
        for key, value in obj.items():
            json_key = _json_key(key)
            if json_key in converted:
                raise ValueError(
                    f"keys {originals[json_key]!r} and {key!r} both become the JSON key {json_key!r}"
                )
            originals[json_key] = key
            converted[json_key] = self.normalize(value)
        return {key: converted[key] for key in sorted(converted)}


def sorted_items(mapping: Mapping[_K, _V]) -> list[tuple[_K, _V]]:
    """Return ``mapping``'s items as a list sorted by key.

    Keys are compared with ``<`` when they support it as a total order (all strings, all numbers,
    tuples of those, ...). When they don't (``1`` and ``"a"``, ``None``, frozensets, NaN), a
    type-tagged key is used instead: ``None`` < booleans < numbers (numerically; NaN last) <
    strings < bytes < tuples (element by element) < frozensets (by their sorted elements) <
    anything else (by type name, then ``repr``). The result never depends on insertion order or
    hash seed, as long as the ``repr`` of such "anything else" keys is itself stable.
    """
    items = list(mapping.items())
    if not any(_partially_ordered(key) for key, _ in items):
        try:
            return sorted(items, key=lambda item: item[0])  # type: ignore[arg-type, return-value]
        except TypeError:
            # Keys of unrelated types: the type-tagged order below is total.
            items = list(mapping.items())
    return sorted(items, key=lambda item: _total_key(item[0]))


def sorted_total(iterable: Iterable[_T]) -> list[_T]:
    """Return the members of ``iterable`` as a sorted list; unlike ``sorted``, never raises
    because members do not compare.

    Members that ``<`` orders totally (all strings, all numbers, all dates, ...) come out
    exactly as ``sorted(iterable)`` would give them. Otherwise (``None`` among strings, keys of
    unrelated types, dicts, NaN, frozensets) the type-tagged order of :func:`sorted_items` is
    used.
    """
    values = list(iterable)
    if not any(_partially_ordered(value) for value in values):
        try:
            return sorted(values)  # type: ignore[type-var]
        except TypeError:
            pass  # members of unrelated types: the type-tagged order below is total
    return sorted(values, key=_total_key)


def _partially_ordered(key: Any) -> bool:
    """True for keys whose ``<`` is not a total order (so ``sorted`` would depend on input order)."""
    if isinstance(key, float):
        return math.isnan(key)
    if isinstance(key, (set, frozenset)):
        return True
    if isinstance(key, tuple):
        return any(_partially_ordered(item) for item in key)
    return False


def _total_key(key: Hashable) -> tuple[Any, ...]:
    if key is None:
        return (0,)
    if isinstance(key, bool):
        return (1, int(key))
    if isinstance(key, (int, float)):
        if isinstance(key, float) and math.isnan(key):
            return (3,)
        return (2, key)
    if isinstance(key, str):
        return (4, key)
    if isinstance(key, (bytes, bytearray)):
        return (5, bytes(key))
    if isinstance(key, tuple):
        return (6, tuple(_total_key(item) for item in key))
    if isinstance(key, (frozenset, set)):
        return (7, tuple(sorted(_total_key(item) for item in key)))
    kind = type(key)
    return (8, f"{kind.__module__}.{kind.__qualname__}", repr(key))
