"""Sorted listing helpers and the temporary-name rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from determinism_lint.runtime import (
    atomic_open,
    atomic_path,
    glob_sorted,
    is_temp_artifact_name,
    iterdir_sorted,
    listdir_sorted,
    rglob_sorted,
    walk_sorted,
)


def make_tree(root: Path) -> None:
    # Created in an order that differs from the sorted one.
    for relative in ["b.txt", "a.txt", "C.txt", "a.json", "sub/z.txt", "sub/y.txt", "a/k.txt", "skip/deep/x.txt"]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relative, encoding="utf-8")
    (root / "download.partial").write_text("", encoding="utf-8")
    (root / "scratch.tmp").write_text("", encoding="utf-8")
    (root / "sub" / ".tmp-0123456789abcdef.w.txt").write_text("", encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".tmp-0123456789abcdef.x.json", True),
        (".tmp-0123456789abcdef.", True),
        ("dir/.tmp-0123456789abcdef.x.json", True),
        (b".tmp-0123456789abcdef.x.json", True),
        (Path("d") / ".tmp-0123456789abcdef.npy", True),
        ("file.tmp", True),
        ("FILE.TMP", True),
        ("movie.mkv.partial", True),
        (".tmp-0123456789ABCDEF.x", False),  # tokens are lowercase hex
        (".tmp-0123.x", False),
        ("tmp-0123456789abcdef.x", False),
        ("x.json", False),
        ("template.txt", False),
        (".tmpfile", False),
        ("partial", False),
    ],
)
def test_is_temp_artifact_name(name: object, expected: bool) -> None:
    assert is_temp_artifact_name(name) is expected  # type: ignore[arg-type]


def test_writers_temp_names_are_recognized(tmp_path: Path) -> None:
    with atomic_open(tmp_path / "x.json", "w", encoding="utf-8") as handle:
        (temp,) = [name for name in os.listdir(tmp_path) if name != "x.json"]
        assert is_temp_artifact_name(temp)
        handle.write("{}")
    with atomic_path(tmp_path / "y") as temp:
        assert is_temp_artifact_name(temp)
        Path(temp).write_text("", encoding="utf-8")


def test_listdir_sorted(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert listdir_sorted(tmp_path) == ["C.txt", "a", "a.json", "a.txt", "b.txt", "skip", "sub"]
    assert listdir_sorted(str(tmp_path), include_temp=True) == [
        "C.txt", "a", "a.json", "a.txt", "b.txt", "download.partial", "scratch.tmp", "skip", "sub",
    ]
    assert listdir_sorted(tmp_path / "sub") == ["y.txt", "z.txt"]


def test_listdir_sorted_bytes_in_bytes_out(tmp_path: Path) -> None:
    make_tree(tmp_path)
    names = listdir_sorted(os.fsencode(tmp_path / "sub"))
    assert names == [b"y.txt", b"z.txt"]
    assert listdir_sorted(os.fsencode(tmp_path / "sub"), include_temp=True)[0] == b".tmp-0123456789abcdef.w.txt"


def test_listdir_sorted_default_is_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path / "sub")
    assert listdir_sorted() == ["y.txt", "z.txt"]


def test_in_flight_temp_file_is_invisible(tmp_path: Path) -> None:
    (tmp_path / "done.json").write_text("{}", encoding="utf-8")
    with atomic_open(tmp_path / "next.json", "w", encoding="utf-8") as handle:
        handle.write("{}")
        assert listdir_sorted(tmp_path) == ["done.json"]
        assert [p.name for p in glob_sorted(tmp_path, "*.json")] == ["done.json"]
        assert [p.name for p in iterdir_sorted(tmp_path)] == ["done.json"]
        assert list(walk_sorted(tmp_path)) == [(str(tmp_path), [], ["done.json"])]
    assert listdir_sorted(tmp_path) == ["done.json", "next.json"]


def test_iterdir_sorted(tmp_path: Path) -> None:
    make_tree(tmp_path)
    result = iterdir_sorted(tmp_path)
    assert all(isinstance(p, Path) for p in result)
    assert [p.name for p in result] == ["C.txt", "a", "a.json", "a.txt", "b.txt", "skip", "sub"]
    assert len(iterdir_sorted(str(tmp_path), include_temp=True)) == 9


def test_glob_sorted(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert glob_sorted(tmp_path, "*.txt") == [tmp_path / "C.txt", tmp_path / "a.txt", tmp_path / "b.txt"]
    assert glob_sorted(tmp_path, "*/*.txt") == [
        tmp_path / "a" / "k.txt",
        tmp_path / "sub" / "y.txt",
        tmp_path / "sub" / "z.txt",
    ]
    with_temp = glob_sorted(tmp_path, "*.t*", include_temp=True)
    assert [p.name for p in with_temp] == ["C.txt", "a.txt", "b.txt", "scratch.tmp"]


def test_rglob_sorted_orders_by_components(tmp_path: Path) -> None:
    make_tree(tmp_path)
    result = rglob_sorted(tmp_path, "*.txt")
    relative = [p.relative_to(tmp_path).as_posix() for p in result]
    # "a/k.txt" sorts right after "a" and before "a.txt": components, not whole strings.
    assert relative == ["C.txt", "a/k.txt", "a.txt", "b.txt", "skip/deep/x.txt", "sub/y.txt", "sub/z.txt"]
    with_temp = [p.name for p in rglob_sorted(tmp_path, "*", include_temp=True)]
    assert ".tmp-0123456789abcdef.w.txt" in with_temp


def test_glob_sorted_skips_files_inside_temp_directories(tmp_path: Path) -> None:
    (tmp_path / "out.partial").mkdir()
    (tmp_path / "out.partial" / "x.txt").write_text("", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("", encoding="utf-8")
    assert rglob_sorted(tmp_path, "*.txt") == [tmp_path / "ok.txt"]
    # ... but a temp-looking root chosen by the caller is not a reason to skip anything
    assert rglob_sorted(tmp_path / "out.partial", "*.txt") == [tmp_path / "out.partial" / "x.txt"]


def test_walk_sorted_topdown(tmp_path: Path) -> None:
    make_tree(tmp_path)
    walked = [(os.path.relpath(d, tmp_path), dirs, files) for d, dirs, files in walk_sorted(tmp_path)]
    assert walked == [
        (".", ["a", "skip", "sub"], ["C.txt", "a.json", "a.txt", "b.txt"]),
        ("a", [], ["k.txt"]),
        ("skip", ["deep"], []),
        (os.path.join("skip", "deep"), [], ["x.txt"]),
        ("sub", [], ["y.txt", "z.txt"]),
    ]


def test_walk_sorted_pruning_still_works(tmp_path: Path) -> None:
    make_tree(tmp_path)
    visited = []
    for dirpath, dirnames, _filenames in walk_sorted(tmp_path):
        visited.append(os.path.relpath(dirpath, tmp_path))
        dirnames[:] = [name for name in dirnames if name != "skip"]
    assert visited == [".", "a", "sub"]


def test_walk_sorted_bottom_up_is_sorted_post_order(tmp_path: Path) -> None:
    make_tree(tmp_path)
    walked = [os.path.relpath(d, tmp_path) for d, _dirs, _files in walk_sorted(tmp_path, topdown=False)]
    assert walked == ["a", os.path.join("skip", "deep"), "skip", "sub", "."]
    first = next(iter(walk_sorted(tmp_path, topdown=False)))
    assert first == (str(tmp_path / "a"), [], ["k.txt"])


def test_walk_sorted_bytes_and_temp_names(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "half.partial").mkdir()
    (tmp_path / "half.partial" / "inner.txt").write_text("", encoding="utf-8")
    top = next(iter(walk_sorted(os.fsencode(tmp_path))))
    assert top == (os.fsencode(tmp_path), [b"a", b"skip", b"sub"], [b"C.txt", b"a.json", b"a.txt", b"b.txt"])
    everything = next(iter(walk_sorted(tmp_path, include_temp=True)))
    assert everything[1] == ["a", "half.partial", "skip", "sub"]
    assert "scratch.tmp" in everything[2]


def test_walk_sorted_onerror_and_missing_root(tmp_path: Path) -> None:
    errors: list[OSError] = []
    assert list(walk_sorted(tmp_path / "missing", onerror=errors.append)) == []
    assert len(errors) == 1 and isinstance(errors[0], FileNotFoundError)
    assert list(walk_sorted(tmp_path / "missing", topdown=False, onerror=errors.append)) == []


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_walk_sorted_followlinks(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f").write_text("", encoding="utf-8")
    (tmp_path / "link").symlink_to("real")
    plain = [os.path.relpath(d, tmp_path) for d, _, _ in walk_sorted(tmp_path)]
    followed = [os.path.relpath(d, tmp_path) for d, _, _ in walk_sorted(tmp_path, followlinks=True)]
    assert plain == [".", "real"]
    assert followed == [".", "link", "real"]
    walked = walk_sorted(tmp_path, topdown=False, followlinks=True)
    bottom_up = [os.path.relpath(d, tmp_path) for d, _, _ in walked]
    assert bottom_up == ["link", "real", "."]
