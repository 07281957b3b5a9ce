"""Comparing two artifact trees, with details that say *how* two files differ."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

CHUNK = 1 << 20
#: Larger files get sizes and digests only: parsing or diffing them would take too long.
STRUCTURE_LIMIT = 32 << 20
TEXT_LIMIT = 4 << 20
DIFF_LINE_LIMIT = 20000
#: How many key paths and diff lines a report shows at most.
MAX_KEY_PATHS = 10
MAX_DIFF_LINES = 30
MAX_VALUE_CHARS = 80

JSON_SUFFIXES = (".json", ".geojson", ".jsonld")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    kind: str  # "file", "directory", "symlink" or "other"
    size: int = 0
    target: Optional[str] = None  # of a symbolic link


def scan_tree(root: Path) -> dict[str, Entry]:
    """Every entry below ``root`` by relative POSIX path; symbolic links are not followed."""
    entries: dict[str, Entry] = {}

    def visit(directory: str, prefix: str) -> None:
        with os.scandir(directory) as iterator:
            children = sorted(iterator, key=lambda entry: os.fsencode(entry.name))
        for child in children:
            relative = prefix + child.name
            if child.is_symlink():
                entries[relative] = Entry("symlink", target=os.readlink(child.path))
            elif child.is_dir(follow_symlinks=False):
                entries[relative] = Entry("directory")
                visit(child.path, relative + "/")
            elif child.is_file(follow_symlinks=False):
                entries[relative] = Entry("file", size=child.stat(follow_symlinks=False).st_size)
            else:
                entries[relative] = Entry("other")

    if root.is_dir():
        visit(str(root), "")
    return entries


def path_order(path: str) -> tuple[bytes, ...]:
    return tuple(os.fsencode(part) for part in path.split("/"))


def first_difference(a: Path, b: Path) -> Optional[int]:
    """Offset of the first differing byte (the shorter length if one is a prefix), or None."""
    offset = 0
    with open(a, "rb") as left, open(b, "rb") as right:
        while True:
            chunk_a = left.read(CHUNK)
            chunk_b = right.read(CHUNK)
            if chunk_a != chunk_b:
                for index, (x, y) in enumerate(zip(chunk_a, chunk_b)):
                    if x != y:
                        return offset + index
                return offset + min(len(chunk_a), len(chunk_b))
            if not chunk_a:
                return None
            offset += len(chunk_a)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def compare_trees(
    base: Path, other: Path, base_run: int, other_run: int, *, details: bool = True
) -> list[dict]:
    """Differences between two output trees, in path order; empty when they are identical.

    Without ``details`` a content difference is reported without describing it.
    """
    left, right = scan_tree(base), scan_tree(other)
    differences: list[dict] = []
    missing_dirs: list[str] = []
    for path in sorted(set(left) | set(right), key=path_order):
        if any(path.startswith(directory + "/") for directory in missing_dirs):
            continue  # inside a directory already reported as missing
        a, b = left.get(path), right.get(path)
        runs = [base_run, other_run]
        if a is None or b is None:
            present = a or b
            assert present is not None
            only_in = base_run if b is None else other_run
            record: dict = {"path": path, "runs": runs, "kind": "missing", "only_in": only_in, "type": present.kind}
            if present.kind == "directory":
                missing_dirs.append(path)
                source = left if b is None else right
                record["entries"] = sum(1 for name in source if name.startswith(path + "/"))
            differences.append(record)
        elif a.kind != b.kind:
            differences.append({"path": path, "runs": runs, "kind": "type", "types": [a.kind, b.kind]})
            if "directory" in (a.kind, b.kind):
                missing_dirs.append(path)  # what is inside exists on one side only
        elif a.kind == "symlink" and a.target != b.target:
            differences.append({"path": path, "runs": runs, "kind": "symlink", "targets": [a.target, b.target]})
        elif a.kind == "file":
            offset = first_difference(base / path, other / path) if a.size == b.size else -1
            if offset is None:
                continue
            record = {"path": path, "runs": runs, "kind": "content"}
            if details:
                record.update(describe_difference(base / path, other / path, path, (base_run, other_run)))
            differences.append(record)
    return differences


def count_files(root: Path) -> int:
    return sum(1 for entry in scan_tree(root).values() if entry.kind == "file")


# -- how two files differ -----------------------------------------------------------------


def describe_difference(a: Path, b: Path, relative: str, runs: tuple[int, int]) -> dict:
    """Sizes and digests, plus a structural or textual description where the format allows."""
    sizes = [a.stat().st_size, b.stat().st_size]
    detail: dict = {"sizes": sizes, "sha256": [sha256_of(a), sha256_of(b)]}
    suffix = Path(relative).suffix.lower()
    small = max(sizes) <= STRUCTURE_LIMIT
    if small and suffix in JSON_SUFFIXES:
        parsed = _parse_both(a, b, _load_json)
        if isinstance(parsed, tuple):
            detail["format"] = "json"
            detail.update(structural_detail(*parsed))
            return detail
        detail["note"] = parsed
    elif small and suffix in YAML_SUFFIXES:
        parsed = _parse_both(a, b, _load_yaml)
        if isinstance(parsed, tuple):
            detail["format"] = "yaml"
            detail.update(structural_detail(*parsed))
            return detail
        detail["note"] = parsed
    texts = _texts(a, b) if max(sizes) <= TEXT_LIMIT else None
    if texts is not None:
        detail["format"] = "text"
        detail.update(text_detail(texts[0], texts[1], f"run-{runs[0]}/{relative}", f"run-{runs[1]}/{relative}"))
        return detail
    detail["format"] = "binary"
    offset = first_difference(a, b)
    if offset is not None:
        detail["first_difference_at"] = offset
    return detail


def _load_json(data: bytes) -> Any:
    return json.loads(data)


def _load_yaml(data: bytes) -> Any:
    documents = load_yaml_documents(data)
    return documents[0] if len(documents) == 1 else documents


class Tagged:
    """A YAML node with a tag no safe loader constructs (``!!python/tuple``, ``!custom``), as data.

    Equal when the tag and the plain value are equal; hashable, so that it can be a mapping key.
    """

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __hash__(self) -> int:
        return hash(self.tag)

    def __repr__(self) -> str:
        tag = self.tag.replace("tag:yaml.org,2002:", "!!")
        return f"{tag} {self.value!r}"


_PLAIN_LOADER: Any = None


def _plain_loader() -> Any:
    """A ``SafeLoader`` that accepts every tag and builds plain data, never objects.

    ``yaml.dump`` of a tuple writes ``!!python/tuple``; a safe loader refuses that tag, and an
    unsafe one would construct (or run) what the file names. Here every other tag becomes a
    :class:`Tagged` holding the node's plain value (a tuple for a sequence, a dict for a
    mapping, the text of a scalar): the file's structure, checked and compared, with nothing
    imported or called.
    """
    global _PLAIN_LOADER
    if _PLAIN_LOADER is None:
        import yaml

        class PlainLoader(yaml.SafeLoader):
            pass

        def construct_any(loader: Any, suffix: str, node: Any) -> Any:
            if isinstance(node, yaml.SequenceNode):
                value: Any = tuple(loader.construct_sequence(node, deep=True))
            elif isinstance(node, yaml.MappingNode):
                value = loader.construct_mapping(node, deep=True)
            else:
                value = loader.construct_scalar(node)
            return Tagged(node.tag, value)

        # Exact tags (str, int, map, binary, ...) keep their safe constructors: they are
        # looked up before any multi-constructor. The empty prefix matches every other tag.
        PlainLoader.add_multi_constructor("", construct_any)
        _PLAIN_LOADER = PlainLoader
    return _PLAIN_LOADER


def load_yaml_documents(data: Any) -> list:
    """Every document of a YAML stream as plain data, whatever tags it carries."""
    import yaml

    return list(yaml.load_all(data, Loader=_plain_loader()))  # noqa: S506 - a SafeLoader subclass


def _parse_both(a: Path, b: Path, load: Callable[[bytes], Any]) -> "tuple[Any, Any] | str":
    """Both parsed values, or a note saying why the structure cannot be compared."""
    values = []
    for run, path in (("first", a), ("second", b)):
        try:
            values.append(load(path.read_bytes()))
        except ImportError as error:
            return f"cannot parse: {error}"
        except Exception as error:  # any parse error: fall back to a text comparison
            return f"does not parse in the {run} run: {_one_line(error)}"
    return values[0], values[1]


def _texts(a: Path, b: Path) -> Optional[tuple[str, str]]:
    texts = []
    for path in (a, b):
        data = path.read_bytes()
        if b"\0" in data:
            return None
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return texts[0], texts[1]


def text_detail(a: str, b: str, name_a: str, name_b: str) -> dict:
    lines_a = a.splitlines(keepends=True)
    lines_b = b.splitlines(keepends=True)
    detail: dict = {"lines": [len(lines_a), len(lines_b)]}
    if Counter(lines_a) == Counter(lines_b):
        detail["summary"] = "same lines in a different order"
    elif [line.rstrip("\r\n") for line in lines_a] == [line.rstrip("\r\n") for line in lines_b]:
        detail["summary"] = "same lines with different line endings"
    if max(len(lines_a), len(lines_b)) > DIFF_LINE_LIMIT:
        for number, (x, y) in enumerate(zip(lines_a, lines_b), 1):
            if x != y:
                detail["first_different_line"] = number
                break
        else:
            detail["first_different_line"] = min(len(lines_a), len(lines_b)) + 1
        return detail
    diff = [
        _shorten(line.rstrip("\r\n"), 200)
        for line in difflib.unified_diff(lines_a, lines_b, fromfile=name_a, tofile=name_b, n=1)
    ]
    if len(diff) > MAX_DIFF_LINES:
        diff = diff[:MAX_DIFF_LINES] + [f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)"]
    detail["diff"] = "\n".join(diff)
    return detail


# -- structural differences of parsed JSON / YAML -------------------------------------------


class _Found:
    """Differences found so far; stops collecting at ``MAX_KEY_PATHS``."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.truncated = False

    @property
    def full(self) -> bool:
        return self.truncated

    def add(self, path: str, change: str, values: Optional[list] = None) -> None:
        if len(self.items) >= MAX_KEY_PATHS:
            self.truncated = True
            return
        item: dict = {"path": path, "change": change}
        if values is not None:
            item["values"] = values
        self.items.append(item)


def structural_detail(a: Any, b: Any) -> dict:
    found = _Found()
    try:
        _walk(a, b, "$", found)
    except RecursionError:
        return {"key_paths": found.items, "summary": "nested too deeply to compare structurally"}
    detail: dict = {"key_paths": found.items}
    if found.truncated:
        detail["key_paths_truncated"] = True
    if not found.items:
        detail["summary"] = "same data; only the formatting differs (whitespace, escaping, number format)"
    elif all(item["change"] == "key-order" for item in found.items):
        detail["summary"] = "same data; keys in a different order"
    return detail


def _walk(a: Any, b: Any, path: str, found: _Found) -> None:
    if found.full:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) == set(b) and list(a) != list(b):
            found.add(path, "key-order", [_keys_text(a), _keys_text(b)])
        for key in a:
            child = _child_path(path, key)
            if key not in b:
                found.add(child, "only-in-first", [_short(a[key]), None])
            else:
                _walk(a[key], b[key], child, found)
        for key in b:
            if key not in a:
                found.add(_child_path(path, key), "only-in-second", [None, _short(b[key])])
    elif isinstance(a, list) and isinstance(b, list):
        if a != b and len(a) == len(b) and Counter(map(_stable_text, a)) == Counter(map(_stable_text, b)):
            found.add(path, "item-order", [_short(a), _short(b)])
            return
        for index, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, f"{path}[{index}]", found)
        if len(a) != len(b):
            found.add(path, "length", [len(a), len(b)])
    elif type(a) is not type(b) or a != b:
        if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
            return  # NaN in both
        found.add(path, "value", [_short(a), _short(b)])


def _child_path(parent: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{parent}.{key}"
    if isinstance(key, str):
        return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"  # noqa: DET201 - a string has no keys
    return f"{parent}[{key!r}]"


def _stable_text(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return repr(value)


def _short(value: Any) -> str:
    try:
        # For display, in the file's own key order (that order may be the difference).
        text = json.dumps(value, ensure_ascii=False, default=repr)  # noqa: DET201
    except (TypeError, ValueError):
        text = repr(value)
    return _shorten(text, MAX_VALUE_CHARS)


def _keys_text(mapping: dict) -> str:
    return _shorten(", ".join(str(key) for key in mapping), MAX_VALUE_CHARS)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(error: BaseException) -> str:
    return _shorten(" ".join(str(error).split()) or type(error).__name__, 200)
