"""The parts of ``benchmarks/fix_real_projects.py`` that need no network: reading pytest's
reports, comparing outcomes, reading the fix summary, choosing what to fix."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fix_real_projects.py"


def _load():
    spec = importlib.util.spec_from_file_location("fix_real_projects", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


frp = _load()

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="2" skipped="2" tests="7">
<testcase classname="tests.test_a" name="test_ok" time="0.01" />
<testcase classname="tests.test_a" name="test_bad[1-x]" time="0.01">
  <failure message="AssertionError: assert 'a' == 'b'">def test_bad():
&gt;       assert value == "b"
E       AssertionError: assert 'a' == 'b'
E         - b
E         + a

tests/test_a.py:9: AssertionError</failure>
</testcase>
<testcase classname="tests.test_a.TestK" name="test_skip" time="0.0">
  <skipped type="pytest.skip" message="needs pandoc">tests/test_a.py:12: needs pandoc</skipped>
</testcase>
<testcase classname="tests.test_a.TestK" name="test_xfail" time="0.0">
  <skipped type="pytest.xfail" message="known" />
</testcase>
<testcase classname="tests.test_b" name="test_teardown" time="0.0" />
<testcase classname="tests.test_b" name="test_teardown" time="0.0">
  <error message="failed on teardown with &quot;OSError&quot;">E   OSError: boom</error>
</testcase>
<testcase classname="tests.test_b" name="test_strict_xpass" time="0.0">
  <failure message="[XPASS(strict)] should fail" />
</testcase>
</testsuite></testsuites>
"""


def test_parse_junit_outcomes_and_messages() -> None:
    results = frp.parse_junit(JUNIT)
    outcomes = {name: result.outcome for name, result in results.items()}
    assert outcomes == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_bad[1-x]": "failed",
        "tests.test_a.TestK::test_skip": "skipped",
        "tests.test_a.TestK::test_xfail": "xfailed",
        # A passing call and a failing teardown are two entries: the worse one is kept.
        "tests.test_b::test_teardown": "error",
        "tests.test_b::test_strict_xpass": "xpassed",
    }
    bad = results["tests.test_a::test_bad[1-x]"].message
    assert bad.splitlines()[0] == "AssertionError: assert 'a' == 'b'"
    assert "def test_bad" not in bad  # the lines that say the error, not the source around it
    assert bad.splitlines()[1:] == ["E         - b", "E         + a"]  # E lines the message lacks
    assert results["tests.test_b::test_teardown"].message.startswith('failed on teardown with "OSError"')


def test_parse_verbose_log_plain_and_xdist_lines() -> None:
    log = "\n".join([
        "tests/test_a.py::test_ok PASSED                                  [ 50%]",
        "tests/test_a.py::test_p[a b] FAILED                             [100%]",
        "[gw1] [ 33%] ERROR tests/test_c.py::TestX::test_y ",
        "[gw0] [ 66%] SKIPPED tests/test_c.py::test_z ",
        "tests/test_d.py::test_e XFAIL (reason)",  # not a progress line of -v: ignored
        "FAILED tests/test_a.py::test_p[a b] - AssertionError",
        "collected 4 items",
    ])
    outcomes = {name: result.outcome for name, result in frp.parse_verbose_log(log).items()}
    assert outcomes == {
        "tests/test_a.py::test_ok": "passed",
        "tests/test_a.py::test_p[a b]": "failed",
        "tests/test_c.py::TestX::test_y": "error",
        "tests/test_c.py::test_z": "skipped",
    }


def test_compare_reports_changed_missing_and_new_tests_in_order() -> None:
    R = frp.TestResult
    before = {"a": R("passed"), "b": R("failed", "old"), "c": R("passed"), "d": R("skipped")}
    after = {"a": R("passed"), "b": R("passed"), "c": R("failed", "E   boom"), "e": R("passed")}
    changes = frp.compare(before, after, flaky=["b"])
    assert [(c.test, c.before, c.after, c.flaky) for c in changes] == [
        ("b", "failed", "passed", True),
        ("c", "passed", "failed", False),
        ("d", "skipped", "missing", False),
        ("e", "missing", "passed", False),
    ]
    assert [c.test for c in frp.compare(before, after, only_common=True)] == ["b", "c"]
    assert changes[0].message == "old"  # a test that now passes keeps the failure it had
    assert changes[1].message == "E   boom"


def test_flaky_tests() -> None:
    R = frp.TestResult
    runs = [{"a": R("passed"), "b": R("passed")}, {"a": R("failed"), "b": R("passed"), "c": R("passed")}]
    assert frp.flaky_tests(runs) == ["a", "c"]
    assert frp.flaky_tests([]) == []


def test_internal_error_is_reported() -> None:
    text = "collected 3 items\nINTERNALERROR> Traceback\nINTERNALERROR> SystemError: AST constructor recursion\n"
    assert frp.internal_error(text).splitlines()[-1] == "INTERNALERROR> SystemError: AST constructor recursion"
    assert frp.internal_error("3 passed") == ""


def test_parse_fix_summary() -> None:
    assert frp.parse_fix_summary("Fixed 7 findings in 6 files.\n  x.py:1:1: DET101 not fixed: y\n") == (7, 6)
    assert frp.parse_fix_summary("Fixed 1 finding in 1 file.\n") == (1, 1)
    assert frp.parse_fix_summary("") == (0, 0)


def test_parse_project() -> None:
    assert frp.parse_project("jupytext=/src/jupytext:src/jupytext") == ("jupytext", Path("/src/jupytext"), "src/jupytext")
    assert frp.parse_project("pelican=../pelican") == ("pelican", Path("../pelican"), "")
    with pytest.raises(Exception, match="NAME=PATH"):
        frp.parse_project("pelican")


def test_fix_targets_leave_test_directories_out(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for name in ("tests", "tools", "themes"):
        (package / name).mkdir(parents=True)
    for name in ("__init__.py", "core.py", "test_core.py", "README.md"):
        (package / name).write_text("", encoding="utf-8")
    assert frp.fix_targets(tmp_path, "pkg") == ["pkg/__init__.py", "pkg/core.py", "pkg/themes", "pkg/tools"]


def test_dependency_groups_expand_includes() -> None:
    table = {"dependency-groups": {"dev": ["uv", {"include-group": "test"}], "test": ["pytest", "freezegun"]}}
    assert frp._group_requirements(table, "dev") == ["uv", "pytest", "freezegun"]


def test_render_lists_each_changed_test_with_its_message() -> None:
    run = {"tests": 2, "outcomes": {"passed": 2}, "returncode": 0, "seconds": 1.0, "timed_out": False, "internal_error": ""}
    report = {
        "name": "demo", "source": "/src/demo", "tests_run": "all", "before": run, "after": dict(run, outcomes={"passed": 1, "failed": 1}),
        "fix": {"fixes_applied": 2, "files_changed": 1, "changed_files": ["demo/io.py"], "diff": "fix.diff"},
        "changes": [{"test": "t::x", "before": "passed", "after": "failed", "message": "E   boom", "flaky": False}],
    }
    text = frp.render(report)
    assert "fix: 2 fixes applied, 1 files changed" in text
    assert "* t::x: passed -> failed" in text
    assert "        E   boom" in text
