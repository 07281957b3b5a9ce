"""Is a file left behind by a killed run complete? Format checks and comparison to the reference."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import zipfile
from pathlib import Path
from typing import AbstractSet as Set
from typing import Callable, Optional, Sequence

from ._compare import CHUNK, Entry, _one_line, first_difference, path_order, scan_tree

#: What a killed run's output tree looked like, per path: (kind, inode, mtime in ns, size).
Snapshot = dict


class Unavailable(Exception):
    """The format has a checker, but it cannot run here (library missing, untrusted pickle)."""


def _check_json(path: Path, trust_pickle: bool) -> None:
    json.loads(path.read_bytes())


def _check_json_lines(path: Path, trust_pickle: bool) -> None:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    json.loads(line)
                except ValueError as error:
                    raise ValueError(f"line {number}: {error}") from None


def _check_yaml(path: Path, trust_pickle: bool) -> None:
    try:
        import yaml  # noqa: F401 - only to know it is there
    except ImportError:
        raise Unavailable("PyYAML is not installed") from None
    from ._compare import load_yaml_documents

    with open(path, "rb") as handle:
        load_yaml_documents(handle)


def _check_pickle(path: Path, trust_pickle: bool) -> None:
    if not trust_pickle:
        raise Unavailable("loading pickle runs code: pass --trust-pickle to load pickle files")
    import pickle

    with open(path, "rb") as handle:
        pickle.load(handle)  # noqa: S301 - the user asked for it with --trust-pickle


def _numpy():
    try:
        import numpy
    except ImportError:
        raise Unavailable("numpy is not installed") from None
    return numpy


_PICKLED_ARRAY = "allow_pickle=False"


def _check_npy(path: Path, trust_pickle: bool) -> None:
    try:
        _numpy().load(path, allow_pickle=trust_pickle)
    except ValueError as error:
        if _PICKLED_ARRAY in str(error):  # an object array: complete, but loading it runs pickle
            raise Unavailable("object arrays are pickled: pass --trust-pickle to load them") from None
        raise


def _check_npz(path: Path, trust_pickle: bool) -> None:
    try:
        with _numpy().load(path, allow_pickle=trust_pickle) as archive:
            for name in archive.files:
                archive[name]  # members are read (and their CRC checked) only when accessed
    except ValueError as error:
        if _PICKLED_ARRAY in str(error):
            raise Unavailable("object arrays are pickled: pass --trust-pickle to load them") from None
        raise


def _check_parquet(path: Path, trust_pickle: bool) -> None:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise Unavailable("pyarrow is not installed") from None
    parquet.read_table(path)


def _decompressor(opener: Callable) -> Callable[[Path, bool], None]:
    def check(path: Path, trust_pickle: bool) -> None:
        with opener(path, "rb") as handle:
            while handle.read(CHUNK):
                pass

    return check


def _check_zip(path: Path, trust_pickle: bool) -> None:
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
    if bad is not None:
        raise ValueError(f"member {bad!r} is corrupt")


#: Checker by file suffix: (format name, function raising on an incomplete file).
CHECKERS: dict[str, tuple[str, Callable[[Path, bool], None]]] = {
    ".json": ("JSON", _check_json),
    ".geojson": ("JSON", _check_json),
    ".jsonl": ("JSON Lines", _check_json_lines),
    ".ndjson": ("JSON Lines", _check_json_lines),
    ".yaml": ("YAML", _check_yaml),
    ".yml": ("YAML", _check_yaml),
    ".pkl": ("pickle", _check_pickle),
    ".pickle": ("pickle", _check_pickle),
    ".npy": ("NumPy", _check_npy),
    ".npz": ("NumPy", _check_npz),
    ".parquet": ("Parquet", _check_parquet),
    ".gz": ("gzip", _decompressor(gzip.open)),
    ".bz2": ("bzip2", _decompressor(bz2.open)),
    ".xz": ("xz", _decompressor(lzma.open)),
    ".zip": ("zip", _check_zip),
}


def check_format(path: Path, trust_pickle: bool) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """``(format, error, unavailable)``: the format checked, why it failed, or why it could not run."""
    checker = CHECKERS.get(path.suffix.lower())
    if checker is None:
        return None, None, None
    name, check = checker
    try:
        check(path, trust_pickle)
    except Unavailable as reason:
        return name, None, str(reason)
    except Exception as error:  # every way a truncated file fails to load
        return name, _one_line(error), None
    return name, None, None


def inspect_after_kill(
    out: Path,
    reference: Path,
    trust_pickle: bool,
    unstable: Set[str] = frozenset(),
    complete: Sequence[Path] = (),
) -> dict:
    """What a killed run left in ``out``, judged against the clean ``reference`` output.

    A file with the same bytes as the reference's (or as in one of the ``complete`` trees,
    the outputs of clean runs) is a complete version and is intact; only the others are
    loaded. Paths in ``unstable`` change even in a clean rerun: they are checked for loading
    only.
    """
    from ..runtime import is_temp_artifact_name

    entries = scan_tree(out)
    ref_entries = scan_tree(reference)
    versions = [(reference, ref_entries), *((tree, scan_tree(tree)) for tree in complete)]
    problems: list[dict] = []
    temp_files: list[str] = []
    unexpected: list[str] = []
    unavailable: dict[str, str] = {}
    for path in sorted(entries, key=path_order):
        entry = entries[path]
        if any(is_temp_artifact_name(part) for part in path.split("/")):
            if entry.kind == "file":
                temp_files.append(path)
            continue
        if entry.kind != "file":
            continue
        if any(_equal_file(out / path, entry, tree / path, tree_entries.get(path)) for tree, tree_entries in versions):
            continue  # byte for byte a complete version, whatever a loader would say about it
        fmt, error, missing_checker = check_format(out / path, trust_pickle)
        if missing_checker:
            unavailable[fmt or ""] = missing_checker
        ref = ref_entries.get(path)
        ref_size = ref.size if ref is not None and ref.kind == "file" else None
        if error is not None:
            problems.append(_problem(path, "torn", f"{fmt} does not load: {error}", entry, ref_size))
            continue
        if ref_size is None:
            unexpected.append(path)
            continue
        if path in unstable:
            continue
        offset = first_difference(out / path, reference / path)
        if offset is not None:
            checked = f"loads as {fmt}, but " if fmt and not missing_checker else ""
            reason = f"{checked}bytes differ from the reference from byte {offset}"
            record = _problem(path, "differs", reason, entry, ref_size)
            record["first_difference_at"] = offset
            problems.append(record)
    missing = [
        path
        for path, ref in sorted(ref_entries.items(), key=lambda item: path_order(item[0]))
        if ref.kind == "file" and path not in entries
    ]
    return {
        "problems": problems,
        "missing": missing,
        "unexpected": unexpected,
        "temp_files": temp_files,
        "unavailable": unavailable,
    }


def _equal_file(path: Path, entry: Entry, other: Path, other_entry: Optional[Entry]) -> bool:
    if other_entry is None or other_entry.kind != "file" or other_entry.size != entry.size:
        return False
    try:
        return first_difference(path, other) is None
    except OSError:
        return False


def snapshot(root: Path) -> Snapshot:
    """Enough about every entry below ``root`` to tell later which ones a run wrote."""
    state: Snapshot = {}
    for relative, entry in scan_tree(root).items():
        try:
            st = os.lstat(root / relative)
        except OSError:
            continue
        state[relative] = (entry.kind, st.st_ino, st.st_mtime_ns if entry.kind != "directory" else 0, st.st_size)
    return state


def written_paths(before: Snapshot, after: Snapshot) -> set:
    """Paths created, removed, replaced or modified between two snapshots (directories count
    when they appear or vanish, not when their entries change)."""
    return {path for path in set(before) | set(after) if before.get(path) != after.get(path)}


def _problem(path: str, kind: str, reason: str, entry: Entry, reference_size: Optional[int]) -> dict:
    return {"path": path, "kind": kind, "reason": reason, "size": entry.size, "reference_size": reference_size}
