"""No input crashes the engine: the whole standard library, generated programs, odd bytes."""

from __future__ import annotations

import sysconfig

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from determinism_lint.cli import run_engine
from determinism_lint.discovery import discover
from determinism_lint.engine import Engine
from determinism_lint.model import UNCHECKED_CODE
from determinism_lint.settings import Settings

STRICT = Settings(strict=True)


def _internal_errors(findings) -> list:
    return [f for f in findings if f.code == UNCHECKED_CODE and "internal error" in f.message]


def test_standard_library_sweep() -> None:
    """Every rule, strict mode (so the artifact-only rules run everywhere too), whole stdlib."""
    stdlib = sysconfig.get_paths()["stdlib"]
    files = discover([stdlib], Settings(root=stdlib))
    assert len(files) > 500
    results = run_engine(files, STRICT, jobs=2)
    errors = [f for result in results for f in _internal_errors(result.findings)]
    assert errors == []
    unchecked = [result.path for result in results if not result.checked]
    # Only the deliberately broken test inputs of the standard library fail to parse.
    assert all("test" in path or "lib2to3" in path for path in unchecked), unchecked


_ENGINE = Engine(STRICT)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_programs_from_grammar(source: str) -> None:
    result = _ENGINE.check_source(source, "generated.py")
    assert _internal_errors(result.findings) == []


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_generated_programs_from_nodes(source: str) -> None:
    result = _ENGINE.check_source(source, "generated.py")
    assert result.checked
    assert _internal_errors(result.findings) == []


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    result = _ENGINE.check_source(data, "bytes.py")
    assert _internal_errors(result.findings) == []
    if not result.checked:
        assert len(result.findings) == 1 and result.findings[0].code == UNCHECKED_CODE


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = a" + ".b" * 20000 + "\n",
        "x = 1" + " + 1" * 50000 + "\n",
        "\ufeffimport os\n",
        "def f():\n" + "    if x:\n" * 90 + "        pass\n",
    ],
    ids=["parens", "deep-lists", "long-attribute", "long-binop", "bom", "deep-ifs"],
)
def test_pathological_sources(source: str) -> None:
    result = _ENGINE.check_source(source, "odd.py")
    assert _internal_errors(result.findings) == []
