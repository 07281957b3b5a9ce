"""Bad configuration, baseline and inventory files: one clear error line and exit 2, never a traceback.

Hand-picked cases first, then property-based fuzzing of TOML and JSON shapes (bounded in time).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from determinism_lint.baseline import read_baseline
from determinism_lint.cli import main
from determinism_lint.flake8_plugin import DeterminismChecker
from determinism_lint.inventory import compare_inventories, load_inventory, render_comparison_markdown
from determinism_lint.settings import KNOWN_KEYS, ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_one_error_line(code: int, err: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("determinism-lint: error: "), err
    assert "Traceback" not in err


BROKEN_PYPROJECTS = {
    "huge max-file-size": b"[tool.determinism-lint]\nmax-file-size = 99999999999999999999999\n",
    "array nested 100k deep": b"[tool.determinism-lint]\nx = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "inline table nested 5k deep": b"[tool.determinism-lint]\nx = " + b"{a=" * 5000 + b"1" + b"}" * 5000 + b"\n",
    "invalid UTF-8": b'[tool.determinism-lint]\nstrict = "\xff"\n',
    "tool is not a table": b"tool = 5\n",
    "tool.determinism-lint is not a table": b"[tool]\ndeterminism-lint = 5\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", sorted(BROKEN_PYPROJECTS))
@pytest.mark.parametrize("command", ["check", "fix", "inventory"])
def test_broken_pyproject_is_one_line_and_exit_2(project: Path, name: str, command: str) -> None:
    (project / "pyproject.toml").write_bytes(BROKEN_PYPROJECTS[name])
    code, _, err = run_cli(command, str(project / "a.py"))
    assert_one_error_line(code, err)
    assert "pyproject.toml" in err
    code, _, err = run_cli(command, "--config", str(project / "pyproject.toml"), str(project / "a.py"))
    assert_one_error_line(code, err)


@pytest.mark.parametrize("name", sorted(BROKEN_PYPROJECTS))
def test_broken_pyproject_in_the_flake8_plugin(project: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_bytes(BROKEN_PYPROJECTS[name])
    monkeypatch.chdir(project)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        DeterminismChecker.parse_options(type("Options", (), {})())
    assert info.value.code == 2
    assert_one_error_line(2, err.getvalue())
    # A broken pyproject.toml below the directory flake8 started in: one DET000 line for the file.
    monkeypatch.chdir(project.parent)
    sub = project / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_bytes(BROKEN_PYPROJECTS[name])
    (project / "pyproject.toml").unlink()
    DeterminismChecker.parse_options(type("Options", (), {})())
    import ast

    results = list(DeterminismChecker(ast.parse("x = 1\n"), str(sub / "b.py"), ["x = 1\n"]).run())
    assert len(results) == 1 and results[0][2].startswith("DET000 ") and "\n" not in results[0][2]


def test_flake8_itself_reports_a_broken_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(BROKEN_PYPROJECTS["tool is not a table"])
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "DET", "a.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "'tool' must be a table" in result.stderr


def test_very_large_max_file_size_is_accepted_and_reads_in_chunks(project: Path) -> None:
    # 2**62 bytes: a valid setting; reading must not allocate it up front.
    (project / "pyproject.toml").write_text("[tool.determinism-lint]\nmax-file-size = 4611686018427387904\n")
    code, _, err = run_cli("check", str(project / "a.py"))
    assert code == 0, err
    code, _, err = run_cli("inventory", str(project / "a.py"))
    assert code == 0, err


@pytest.mark.skipif(os.name != "posix", reason="POSIX special files")
@pytest.mark.parametrize("special", ["/dev/null", "fifo", "directory"])
def test_config_that_is_not_a_regular_file(project: Path, special: str) -> None:
    # As in ruff: --config must name a file; a device, a FIFO or a directory is refused (and
    # reading a FIFO would block).
    if special == "fifo":
        path = str(project / "config.toml")
        os.mkfifo(path)
    elif special == "directory":
        path = str(project)
    else:
        path = special
    code, _, err = run_cli("check", "--config", path, str(project / "a.py"))
    assert_one_error_line(code, err)
    assert "no such file" not in err
    assert {"fifo": "named pipe", "directory": "directory", "/dev/null": "device"}[special] in err


def test_empty_regular_config_file_is_an_empty_config(project: Path) -> None:
    (project / "empty.toml").write_bytes(b"")
    assert load_settings(str(project / "empty.toml")).select == Settings().select


def test_missing_config_says_no_such_file(project: Path) -> None:
    code, _, err = run_cli("check", "--config", str(project / "nope.toml"), str(project / "a.py"))
    assert_one_error_line(code, err)
    assert "no such file" in err


# -- baseline and inventory --compare -------------------------------------------------------------

DEEP_JSON = "[" * 100_000 + "]" * 100_000


def test_deeply_nested_baseline_is_exit_2(project: Path) -> None:
    baseline = project / "baseline.json"
    baseline.write_text(DEEP_JSON)
    code, _, err = run_cli("check", "--baseline", str(baseline), str(project / "a.py"))
    assert_one_error_line(code, err)
    assert "nested too deeply" in err


def test_deeply_nested_compare_input_is_exit_2_not_a_regression(project: Path) -> None:
    good = project / "good.json"
    code, _, _ = run_cli("inventory", "--format", "json", "--output", str(good), str(project / "a.py"))
    assert code == 0
    deep = project / "deep.json"
    deep.write_text('{"version": 1, "exceptions": ' + DEEP_JSON + "}")
    for old, new in ((good, deep), (deep, good)):
        code, _, err = run_cli("inventory", "--compare", str(old), str(new))
        assert_one_error_line(code, err)
        assert "nested too deeply" in err


# -- fuzzing: TOML shapes -------------------------------------------------------------------------

scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["DET", "DET101", "det1", "ALL", "", "pkg.mod.func:1", ".method", "*.py", "tests/*"]),
)
toml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "*.py", "DET1", "tests/*"]), children, max_size=3),
    ),
    max_leaves=12,
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items()) + "}"


def nested(depth: int, table: bool) -> str:
    return "{a=" * depth + "1" + "}" * depth if table else "[" * depth + "]" * depth


@st.composite
def pyprojects(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(["table", "tool", "tool-table", "deep", "bytes"]))
    if shape == "tool":
        text = f"tool = {toml_value(draw(toml_values))}\n"
    elif shape == "tool-table":
        text = f"[tool]\ndeterminism-lint = {toml_value(draw(toml_values))}\n"
    elif shape == "deep":
        depth = draw(st.sampled_from([1, 10, 100, 300, 1000, 5000, 100_000]))
        key = draw(st.sampled_from([*KNOWN_KEYS, "x"]))
        text = f"[tool.determinism-lint]\n{key} = {nested(depth, draw(st.booleans()))}\n"
    else:
        keys = draw(st.lists(st.sampled_from([*KNOWN_KEYS, "unknown-key"]), max_size=4, unique=True))
        text = "[tool.determinism-lint]\n" + "".join(f"{json.dumps(k)} = {toml_value(draw(toml_values))}\n" for k in keys)
    data = text.encode("utf-8", "surrogatepass")
    if shape == "bytes":
        position = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:position] + draw(st.binary(min_size=1, max_size=4)) + data[position:]
    return data


@FUZZ
@given(data=pyprojects())
def test_fuzzed_pyproject_never_crashes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a.py").write_text("import os\nfor n in os.listdir('.'):\n    print(n)\n", encoding="utf-8")
    (root / "pyproject.toml").write_bytes(data)
    try:
        load_settings(start=str(root))
    except ConfigError as error:
        assert "\n" not in str(error)
    for argv in (["check", str(root / "a.py")], ["check", "--config", str(root / "pyproject.toml"), str(root / "a.py")]):
        code, _, err = run_cli(*argv)
        if code == 2:
            assert_one_error_line(code, err)
        else:
            assert code in (0, 1) and "Traceback" not in err


# -- fuzzing: JSON shapes -------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6))
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["version", "findings", "code", "count", "path", "source", "line", "col", "x"]),
            children,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@st.composite
def json_documents(draw: st.DrawFn, template: dict) -> str:
    shape = draw(st.sampled_from(["any", "mutated", "deep", "text"]))
    if shape == "any":
        return json.dumps(draw(json_values), sort_keys=True)
    if shape == "deep":
        depth = draw(st.sampled_from([10, 500, 1000, 5000, 100_000]))
        inner = "[" * depth + "]" * depth if draw(st.booleans()) else '{"a":' * depth + "1" + "}" * depth
        where = draw(st.sampled_from(["top", *template]))
        if where == "top":
            return inner
        return json.dumps({**template, where: None}).replace(f'"{where}": null', f'"{where}": {inner}')
    if shape == "text":
        return draw(st.text(max_size=30))
    document = json.loads(json.dumps(template))
    # Replace one value somewhere inside a valid document with an arbitrary one.
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        node: Any = document
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if draw(st.booleans()) or not isinstance(node[key], (dict, list)):
                node[key] = draw(json_values)
                break
            node = node[key]
    return json.dumps(document, sort_keys=True)


BASELINE_TEMPLATE = {
    "version": 1,
    "findings": [{"code": "DET301", "count": 1, "path": "a.py", "source": "for n in os.listdir('.'):"}],
}


def inventory_template() -> dict:
    root = Path(__file__).resolve().parents[1] / "fixtures"
    sample = sorted(root.glob("*.py"))[:3]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["inventory", "--format", "json", *map(str, sample)])
    return json.loads(out.getvalue())


INVENTORY_TEMPLATE = inventory_template()


@FUZZ
@given(text=json_documents(BASELINE_TEMPLATE))
def test_fuzzed_baseline_never_crashes(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a.py").write_text("import os\nfor n in os.listdir('.'):\n    print(n)\n", encoding="utf-8")
    baseline = root / "baseline.json"
    baseline.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        read_baseline(str(baseline))
    except ConfigError as error:
        assert "\n" not in str(error)
    code, _, err = run_cli("check", "--baseline", str(baseline), str(root / "a.py"))
    if code == 2:
        assert_one_error_line(code, err)
    else:
        assert code in (0, 1) and "Traceback" not in err


@FUZZ
@given(text=json_documents(INVENTORY_TEMPLATE), old_is_fuzzed=st.booleans())
def test_fuzzed_compare_input_never_crashes(
    tmp_path_factory: pytest.TempPathFactory, text: str, old_is_fuzzed: bool
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    fuzzed, good = root / "fuzzed.json", root / "good.json"
    fuzzed.write_text(text, encoding="utf-8", errors="surrogatepass")
    good.write_text(json.dumps(INVENTORY_TEMPLATE, sort_keys=True), encoding="utf-8")
    old, new = (fuzzed, good) if old_is_fuzzed else (good, fuzzed)
    try:
        comparison = compare_inventories(load_inventory(str(old)), load_inventory(str(new)))
    except ConfigError as error:
        assert "\n" not in str(error)
    else:
        render_comparison_markdown(comparison)
    code, _, err = run_cli("inventory", "--compare", str(old), str(new))
    if code == 2:
        assert_one_error_line(code, err)
    else:
        assert code in (0, 1) and "Traceback" not in err
