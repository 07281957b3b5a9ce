"""Reader evidence of the DET101/DET103/DET104 rules: which reads name the file a write makes."""

from __future__ import annotations

import time

from ..helpers import check


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(finding.line, finding.code) for finding in check(source, codes=("DET",), **settings)]


def test_a_write_in_a_lambda_is_judged_not_crashed_on() -> None:
    source = """
    import os
    write = lambda p, s: open(p, "w").write(s)
    def load(p):
        return os.path.exists(p) and open(p).read()
    """
    assert codes(source) == []
    assert codes(source, reader_evidence=False) == [(3, "DET101")]


def test_a_name_bound_many_times_is_followed_once() -> None:
    rebinds = "".join("    p = p\n" for _ in range(40))
    source = "import os\ndef f(p):\n" + rebinds + "    if os.path.exists(p):\n        return\n" \
        "    with open(p, 'w') as fh:\n        fh.write('x')\n"
    started = time.perf_counter()
    found = codes(source)
    assert time.perf_counter() - started < 5
    assert found == [(45, "DET101")]


def test_a_file_system_open_with_the_path_only_reads() -> None:
    source = """
    import json
    def load(fs):
        with fs.open("state_index.json") as f:
            return json.load(f)
    def save(fs, out, data):
        with open(out + "/state_index.json", "w") as f:
            json.dump(data, f, sort_keys=True)
    """
    assert codes(source) == [(7, "DET101")]


def test_a_writer_named_like_a_reader_is_no_reader() -> None:
    source = """
    import json
    def save(data):
        with open("summary_report.json", "w") as f:
            json.dump(data, f, sort_keys=True)
        write_stats("summary_report.json")
    """
    assert codes(source) == []


def test_a_closure_name_is_no_token_of_the_module() -> None:
    source = """
    def outer(out, other):
        def write(text):
            with open(out, "w") as f:
                f.write(text)
        def read():
            with open(other) as f:
                return f.read()
        return write, read
    """
    assert codes(source) == []


def test_a_reader_in_a_module_outside_the_run_counts(tmp_path, monkeypatch, capsys) -> None:
    """pre-commit names the changed files only: the reader of the file may be in another."""
    from ..helpers import run, write

    write(tmp_path / "pyproject.toml", "[project]\nname = 'p'\n")
    write(tmp_path / "pkg" / "__init__.py", "")
    write(
        tmp_path / "pkg" / "store.py",
        "import json\nimport os\n\nINDEX_NAME = 'shard_index.json'\n\n\ndef save_index(out, shards):\n"
        "    with open(os.path.join(out, INDEX_NAME), 'w') as f:\n        json.dump(shards, f, sort_keys=True)\n",
    )
    write(
        tmp_path / "pkg" / "load.py",
        "import json\nimport os\n\nfrom pkg.store import INDEX_NAME\n\n\ndef load_index(out):\n"
        "    with open(os.path.join(out, INDEX_NAME)) as f:\n        return json.load(f)\n",
    )
    write(tmp_path / "pkg" / "report.py", "def write_report(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--no-cache", "pkg/store.py", "pkg/report.py")
    assert code == 1
    assert [line.split(" ")[:2] for line in out.splitlines() if ": DET" in line] == [["pkg/store.py:8:10:", "DET101"]]
