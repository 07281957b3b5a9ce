"""DET201, DET204 and DET501 report a key order only when it comes from an unstable source."""

from __future__ import annotations

import pytest

from ..helpers import check


def found(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check(source, codes=["DET2", "DET5"], **settings)]


@pytest.mark.parametrize(
    "build",
    [
        "sizes = {n: os.path.getsize(n) for n in os.listdir(d)}",
        "sizes = {}\n    for root, dirs, files in os.walk(d):\n        for n in files:\n            sizes[n] = 1",
        "sizes = dict.fromkeys(set(names), 0)",
        "sizes = {}\n    for n in glob.glob(d + '/*.csv'):\n        sizes.setdefault(n, 0)",
    ],
)
def test_unstable_sources_reach_the_dump(build: str) -> None:
    source = f"""
    import glob, json, os
    def save_sizes(d, names, f):
        {build}
        json.dump({{"version": 1, "sizes": sizes}}, f)
    """
    ((line, code),) = found(source)
    assert code == "DET201"


@pytest.mark.parametrize(
    "build",
    [
        "sizes = json.load(open(d))",
        "sizes = vars(args)",
        "sizes = dataclasses.asdict(run)",
        "sizes = {}\n    for arg in sys.argv[1:]:\n        k, v = arg.split('=')\n        sizes[k] = v",
        "sizes = {}\n    for n in ('load', 'train'):\n        sizes[n] = 1",
        "sizes = dict(**kwargs)",
        "sizes = {n: 1 for n in sorted(os.listdir(d))}",
        "sizes = deep_sort({n: 1 for n in os.listdir(d)})",
        "sizes = [int(n) for n in os.listdir(d)]",
    ],
)
def test_fixed_orders_and_sanitizers_are_quiet(build: str) -> None:
    source = f"""
    import dataclasses, json, os, sys
    def deep_sort(obj):
        if isinstance(obj, dict):
            return {{k: deep_sort(v) for k, v in sorted(obj.items())}}
        return obj
    def save_sizes(d, args, run, f, **kwargs):
        {build}
        json.dump(sizes, f)
    """
    assert found(source) == []


def test_message_names_the_source_and_the_sink() -> None:
    source = """
    import hashlib, json, os
    def shard_index(d):
        return {n: 1 for n in os.listdir(d)}
    def index_digest(d):
        payload = json.dumps(shard_index(d))
        return hashlib.sha256(payload.encode()).hexdigest()
    """
    (finding,) = check(source, codes=["DET201"])
    assert "`os.listdir()` on line 4" in finding.message
    assert "returned by `shard_index()`" in finding.message
    assert "`hashlib.sha256(...)` on line 7" in finding.message


def test_http_response_and_ipc_are_not_sinks_but_a_file_is() -> None:
    source = """
    import json, os
    class Handler:
        def do_GET(self):
            self.wfile.write(json.dumps({n: 1 for n in os.listdir(".")}).encode())
    def save(d, path):
        path.write_text(json.dumps({n: 1 for n in os.listdir(d)}))
    """
    assert found(source) == [(7, "DET201")]


def test_dict_iteration_from_argv_or_a_parameter_is_quiet_from_a_listing_flagged() -> None:
    source = """
    import hashlib, os, sys
    def argv_digest():
        params = {}
        for arg in sys.argv[1:]:
            k, v = arg.split("=")
            params[k] = v
        h = hashlib.sha256()
        for k, v in params.items():
            h.update(k.encode())
        return h.hexdigest()
    def param_digest(params: dict):
        h = hashlib.sha256()
        for k, v in params.items():
            h.update(k.encode())
        return h.hexdigest()
    def listing_digest(d):
        sizes = {n: os.path.getsize(n) for n in os.listdir(d)}
        h = hashlib.sha256()
        for k, v in sizes.items():
            h.update(k.encode())
        return h.hexdigest()
    """
    findings = check(source, codes=["DET5"])
    assert [(f.line, f.code) for f in findings] == [(20, "DET501")]
    assert "keys from a dict comprehension over the listing `os.listdir()` on line 18" in findings[0].message
    assert "`h.update(...)` on line 21" in findings[0].message
