"""What a user's type checker infers for the runtime helpers' public signatures.

Never run, only type-checked: tests/e2e/test_typecheck.py runs mypy on this module with the
packages, so a signature that gives callers a wrong or useless type fails the suite.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePath, PurePosixPath
from typing import IO, Any, BinaryIO, Iterator, Literal, TextIO, Union

from typing_extensions import assert_type

from determinism_lint.runtime import (
    atomic_open,
    atomic_path,
    canonical_json,
    get_error_policy,
    glob_sorted,
    handle_error_with_policy,
    is_temp_artifact_name,
    iterdir_sorted,
    listdir_sorted,
    remove_stale_temp_files,
    rglob_sorted,
    set_error_policy,
    sorted_items,
    sorted_total,
    walk_sorted,
    write_atomic_bytes,
    write_atomic_json,
    write_atomic_text,
    write_atomic_yaml,
)


class _StrPathLike:
    def __fspath__(self) -> str:
        return "out.bin"


class _BytesPathLike:
    def __fspath__(self) -> bytes:
        return b"out.bin"


def atomic_open_modes(path: Path, mode: str) -> None:
    with atomic_open(path) as default:
        assert_type(default, TextIO)
    with atomic_open(path, "w", encoding="utf-8", newline="") as text:
        assert_type(text, TextIO)
    with atomic_open(path, "x+") as exclusive_text:
        assert_type(exclusive_text, TextIO)
    with atomic_open(path, "wb") as binary:
        assert_type(binary, BinaryIO)
    with atomic_open(b"out.bin", "w+b") as binary_plus:
        assert_type(binary_plus, BinaryIO)
    with atomic_open(path, mode) as unknown:
        assert_type(unknown, IO[Any])


def atomic_path_types(text: str, raw: bytes, path: Path, posix: PurePosixPath, fspath: os.PathLike[str]) -> None:
    with atomic_path(text) as temp_text:
        assert_type(temp_text, str)
    with atomic_path(raw) as temp_raw:
        assert_type(temp_raw, bytes)
    with atomic_path(path) as temp_path:
        assert_type(temp_path, Path)
    with atomic_path(posix) as temp_posix:
        assert_type(temp_posix, PurePosixPath)
    # Typed only as a path-like, the argument may be a PurePath, which gives a PurePath.
    with atomic_path(fspath) as temp_fspath:
        assert_type(temp_fspath, Union[str, PurePath])
    with atomic_path(_StrPathLike()) as temp_other:
        os.fspath(temp_other)
    with atomic_path(_BytesPathLike()) as temp_bytes_like:
        assert_type(temp_bytes_like, str)


def one_shot_writers(path: Path) -> None:
    assert_type(write_atomic_bytes(path, b"data"), int)
    assert_type(write_atomic_bytes(path, bytearray(b"data")), int)
    assert_type(write_atomic_bytes(path, memoryview(b"data")), int)
    assert_type(write_atomic_text(path, "text", encoding="utf-8"), int)
    write_atomic_json(path, {"b": 1}, indent=None, default=str)
    write_atomic_yaml(str(path), {"b": 1})


def ordering(mapping: dict[str, int], values: set[float]) -> None:
    assert_type(canonical_json(mapping, indent=2, default=repr), str)
    assert_type(sorted_items(mapping), list[tuple[str, int]])
    assert_type(sorted_total(values), list[float])


def listings(root: Path, raw: bytes, fd: int) -> None:
    assert_type(iterdir_sorted(root), list[Path])
    assert_type(glob_sorted("out", "*.json"), list[Path])
    assert_type(rglob_sorted(root, "*.json", include_temp=True), list[Path])
    assert_type(listdir_sorted(), list[str])
    assert_type(listdir_sorted(root), list[str])
    assert_type(listdir_sorted(fd), list[str])
    assert_type(listdir_sorted(raw), list[bytes])
    assert_type(listdir_sorted(_BytesPathLike()), list[bytes])
    assert_type(walk_sorted("out"), Iterator[tuple[str, list[str], list[str]]])
    assert_type(walk_sorted(raw, topdown=False), Iterator[tuple[bytes, list[bytes], list[bytes]]])
    assert_type(walk_sorted(root, onerror=print), Iterator[tuple[str, list[str], list[str]]])
    assert_type(is_temp_artifact_name(root), bool)
    assert_type(remove_stale_temp_files(root), list[str])
    assert_type(remove_stale_temp_files("out", older_than=0, recursive=True), list[str])
    assert_type(remove_stale_temp_files(raw), list[bytes])


def policy(error: ValueError, logger: logging.Logger) -> None:
    set_error_policy("best_effort")
    set_error_policy(None)
    assert_type(get_error_policy(), Literal["strict", "best_effort"])
    assert_type(handle_error_with_policy(error, context="parsing a row"), None)
    assert_type(handle_error_with_policy(error, context="a row", fallback=0, logger=logger), int)
    adapter = logging.LoggerAdapter(logger, {})
    assert_type(handle_error_with_policy(error, context="a row", fallback=[1], logger=adapter), list[int])
