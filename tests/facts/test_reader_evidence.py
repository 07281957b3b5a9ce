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
