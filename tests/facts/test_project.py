"""The project index: artifact evidence from helpers that live in other modules of the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from determinism_lint import project
from determinism_lint.engine import Engine
from determinism_lint.scopes.explain import explain_scopes
from determinism_lint.settings import Settings

from ..helpers import expected_findings, run, write

PACKAGE = Path(__file__).resolve().parents[1] / "fixtures" / "xmod"


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    project.use_files(None)
    yield
    project.use_files(None)


def _expected() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        found.extend((rel, line, code) for line, code in expected_findings(path.read_text(encoding="utf-8")))
    return sorted(found)


def _parse(output: str, strip: str = "") -> list[tuple[str, int, str]]:
    found = []
    for line in output.splitlines():
        if not line.strip() or ": DET" not in line:
            continue
        where, _, rest = line.partition(": ")
        path, line_no = where.split(":")[:2]
        found.append((path[len(strip):] if path.startswith(strip) else path, int(line_no), rest.split()[0]))
    return sorted(found)


# -- the fixture package, through the CLI and through flake8 ----------------------------------


def test_cli_finds_the_cross_module_hazards(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGE)
    code, out, _ = run(capsys, "check", "--no-cache", ".")
    assert _parse(out) == _expected()
    assert code == 1
    assert (
        "pkg/build.py:19:5: DET403 broad `except` swallows the failure of `save_index(...)` on line 18, which"
        " reaches `open(...)` in pkg/utils/index.py on line 8" in out
    )


def test_explain_scopes_names_the_chain(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGE)
    _, out, _ = run(capsys, "check", "--no-cache", "--explain-scopes", ".")
    lines = {line.split(": ", 1)[0].split(":")[0] + ":" + line.split(": ")[1]: line for line in out.splitlines()}
    assert lines["pkg/build.py:publish"].endswith(
        "publish: artifact-shaping: calls `save_index()` on line 18 (pkg/utils/index.py:6),"
        " which reaches `open(...)` on line 8"
    )
    assert lines["pkg/build.py:shard_key"].endswith(
        "shard_key: artifact-shaping: calls `content_key()` on line 25 (pkg/utils/hashing.py:6),"
        " which reaches `hashlib.sha256(...).hexdigest(...)` on line 7"
    )
    # The helper writes only into a temporary file, the other one never reaches a sink.
    assert lines["pkg/build.py:preview"].endswith("preview: not artifact-shaping")


def test_cli_in_parallel_agrees(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGE)
    _, out, _ = run(capsys, "check", "--no-cache", "--jobs", "2", ".")
    assert _parse(out) == _expected()


def _flake8_registered() -> bool:
    try:
        result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    except OSError:
        return False
    return "determinism-lint" in result.stdout


@pytest.mark.skipif(not _flake8_registered(), reason="flake8 or the plugin is not installed")
def test_flake8_plugin_finds_the_project_itself() -> None:
    # flake8 hands the plugin one file at a time: the index finds the project root
    # (pyproject.toml) and the modules under it.
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--det-no-cache", "--select", "DET", "pkg/build.py"],
        cwd=PACKAGE, capture_output=True, text=True, timeout=120,
    )
    assert _parse(result.stdout) == [entry for entry in _expected() if entry[0] == "pkg/build.py"]
    assert "which reaches `open(...)` in pkg/utils/index.py on line 8" in result.stdout


# -- resolution -------------------------------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    for name, text in files.items():
        write(tmp_path / name, text)
    return tmp_path


def _verdicts(root: Path, name: str) -> dict[str, str]:
    settings = Settings(root=str(root))
    path = root / name
    result = {}
    for line in explain_scopes([str(path)], settings).splitlines():
        rest = line.split(": ", 1)[1]
        function, _, verdict = rest.partition(": ")
        result[function] = verdict
    return result


WRITER = "import json\n\ndef put(path, data):\n    with open(path, 'w') as f:\n        json.dump(data, f, sort_keys=True)\n"


@pytest.mark.parametrize(
    "caller",
    [
        "from pkg.io import put\n\ndef run(p, d):\n    put(p, d)\n",
        "import pkg.io as io_\n\ndef run(p, d):\n    io_.put(p, d)\n",
        "import pkg.io\n\ndef run(p, d):\n    pkg.io.put(p, d)\n",
        "from . import io\n\ndef run(p, d):\n    io.put(p, d)\n",
        "from .io import put as store\n\ndef run(p, d):\n    store(p, d)\n",
        "from pkg import put\n\ndef run(p, d):\n    put(p, d)\n",  # re-exported by the package
        "from .io import Store\n\ndef run(p, d):\n    Store.save(p, d)\n",
        "def run(p, d):\n    from .io import put\n    put(p, d)\n",
    ],
)
def test_import_spellings_resolve(tmp_path: Path, caller: str) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "from .io import put\n",
        "pkg/io.py": WRITER + "\nclass Store:\n    @staticmethod\n    def save(path, data):\n        put(path, data)\n",
        "pkg/steps.py": caller,
    })
    verdict = _verdicts(root, "pkg/steps.py")["run"]
    assert verdict.startswith("artifact-shaping: calls `"), verdict
    assert "(pkg/io.py:" in verdict and "which reaches `open(...)`" in verdict


def test_chain_over_three_modules_names_the_far_sink(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/io.py": WRITER,
        "pkg/store.py": "from .io import put\n\ndef keep(p, d):\n    put(p, d)\n",
        "pkg/steps.py": "from .store import keep\n\ndef run(p, d):\n    keep(p, d)\n",
    })
    assert _verdicts(root, "pkg/steps.py")["run"] == (
        "artifact-shaping: calls `keep()` on line 4 (pkg/store.py:3), which reaches `open(...)` in pkg/io.py on line 4"
    )


def test_no_evidence_stays_quiet(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        # a name that matches an artifact pattern is not evidence for other modules
        "pkg/io.py": "import tempfile, json\n\ndef save_preview(rows):\n"
        "    with tempfile.NamedTemporaryFile('w', delete=False) as f:\n        json.dump(rows, f)\n"
        "        return f.name\n\ndef describe(rows):\n    return len(rows)\n",
        "pkg/steps.py": "from .io import save_preview, describe\n\ndef run(rows):\n    save_preview(rows)\n"
        "    return describe(rows)\n",
    })
    assert _verdicts(root, "pkg/steps.py")["run"] == "not artifact-shaping"


def test_a_local_name_shadowing_the_import_is_not_the_helper(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/io.py": WRITER,
        "pkg/steps.py": "from .io import put\n\ndef run(p, d, put=print):\n    put(p, d)\n",
    })
    assert _verdicts(root, "pkg/steps.py")["run"] == "not artifact-shaping"


def test_helpers_in_test_code_are_no_evidence(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "tests/__init__.py": "",
        "tests/helpers.py": WRITER,
        "pkg/steps.py": "from tests.helpers import put\n\ndef run(p, d):\n    put(p, d)\n",
    })
    assert _verdicts(root, "pkg/steps.py")["run"] == "not artifact-shaping"


def test_import_cycle_terminates(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from .b import g\n\ndef f(p, d):\n    g(p, d)\n",
        "pkg/b.py": "import json\nfrom .a import f\n\ndef g(p, d):\n    f(p, d)\n\n"
        "def h(p, d):\n    with open(p, 'w') as out:\n        json.dump(d, out, sort_keys=True)\n",
        "pkg/c.py": "from .a import f\n\ndef run(p, d):\n    f(p, d)\n",
    })
    assert _verdicts(root, "pkg/c.py")["run"] == "not artifact-shaping"


def test_each_module_is_parsed_once(tmp_path: Path) -> None:
    caller = (
        "import logging\nfrom .io import put\n\ndef run(p, d):\n    try:\n        put(p, d)\n"
        "    except Exception:\n        logging.warning('lost')\n"
    )
    root = _package(tmp_path, {"pkg/__init__.py": "", "pkg/io.py": WRITER, "pkg/a.py": caller, "pkg/b.py": caller})
    engine = Engine(Settings(root=str(root)))
    for name in ("pkg/a.py", "pkg/b.py"):
        result = engine.check_path(str(root / name))
        assert [finding.code for finding in result.findings] == ["DET403"]
    index = project._INDEXES[str(root)]
    assert index.parsed == 1


def test_changed_helper_is_summarized_again(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/io.py": "def put(path, data):\n    return data\n",
        "pkg/steps.py": "from .io import put\n\ndef run(p, d):\n    put(p, d)\n",
    })
    assert _verdicts(root, "pkg/steps.py")["run"] == "not artifact-shaping"
    write(root / "pkg/io.py", WRITER + "\n# changed\n")
    assert _verdicts(root, "pkg/steps.py")["run"].startswith("artifact-shaping")


def test_flake8_style_index_finds_modules_by_name(tmp_path: Path) -> None:
    # Without a file list (the flake8 plugin), the index looks for the modules of each
    # top-level name asked about, where an import can find them; it never lists the root.
    root = _package(tmp_path, {
        "pkg/__init__.py": "", "pkg/io.py": WRITER, ".venv/lib/x.py": WRITER,
        "src/lib2/__init__.py": "", "src/lib2/store.py": WRITER,
        "scripts/run.py": "import helper\n", "scripts/helper.py": WRITER,
        "tools/far/helper2.py": WRITER,
    })
    index = project.ProjectIndex(project.find_root(str(root / "pkg" / "io.py")))
    assert index.root == str(root)
    assert index.modules() == {}
    assert index.knows_package("pkg")
    assert sorted(index.modules()) == ["pkg", "pkg.io"]
    assert not index.knows_package("x") and not index.knows_package("lib")
    assert index.knows_package("lib2")  # src/ layout
    assert not index.knows_package("helper")  # next to no checked file yet
    index.add_file(str(root / "scripts" / "run.py"))
    assert index.knows_package("helper")  # next to a checked file
    assert not index.knows_package("helper2")  # importable only through a sys.path change
    assert sorted(index.modules()) == ["helper", "lib2", "lib2.store", "pkg", "pkg.io"]


def test_run_index_looks_beyond_the_run_only_for_names_it_misses(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "", "pkg/io.py": WRITER, "pkg/steps.py": "from pkg.io import put\n",
        "other/__init__.py": "", "other/mod.py": WRITER,
    })
    index = project.ProjectIndex(str(root), [str(root / "pkg" / "steps.py")])
    assert sorted(index.modules()) == ["pkg.steps"]
    assert index.knows_package("pkg")  # a module of the run: nothing else is looked at
    assert sorted(index.modules()) == ["pkg.steps"]
    assert index.knows_package("other")
    assert sorted(index.modules()) == ["other", "other.mod", "pkg.steps"]


@pytest.mark.parametrize("entry", ["from .a import f as run_step", "from .b import save as run_step"])
def test_evidence_through_an_import_cycle_is_found_from_either_side(tmp_path: Path, entry: str) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "import json\nfrom .b import save\n\ndef f(p, d):\n    save(p, d)\n\n"
        "def write(p, d):\n    with open(p, 'w') as out:\n        json.dump(d, out, sort_keys=True)\n",
        "pkg/b.py": "from .a import write\n\ndef save(p, d):\n    write(p, d)\n",
        "pkg/c.py": "from .a import f\n\ndef run(p, d):\n    f(p, d)\n",
        "pkg/d.py": f"{entry}\n\ndef first(p, d):\n    run_step(p, d)\n",
    })
    project.use_files(None)
    settings = Settings(root=str(root))
    explain_scopes([str(root / "pkg/d.py")], settings)  # enter the cycle on one side first
    lines = explain_scopes([str(root / "pkg/d.py"), str(root / "pkg/c.py")], settings)
    assert "run: artifact-shaping: calls `f()` on line 4 (pkg/a.py:4), which reaches `open(...)` on line 8" in lines


# -- the cache ---------------------------------------------------------------------------------


CALLER = (
    "import logging\nfrom .io import put\n\ndef run(p, d):\n    try:\n        put(p, d)\n"
    "    except Exception:\n        logging.warning('lost')\n"
)


def test_facts_are_cached_by_content(tmp_path: Path) -> None:
    root = _package(tmp_path, {"pkg/__init__.py": "", "pkg/io.py": WRITER, "pkg/a.py": CALLER})
    settings = Settings(root=str(root))
    for parsed in (1, 0):  # the second run reads the facts of pkg/io.py from the cache
        project.use_files(None)
        assert [f.code for f in Engine(settings).check_path(str(root / "pkg/a.py")).findings] == ["DET403"]
        assert project._INDEXES[str(root)].parsed == parsed
    cache = root / project.CACHE_DIR
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    # A changed file is a new key: its facts are taken again.
    write(root / "pkg/io.py", "def put(path, data):\n    return data\n")
    project.use_files(None)
    assert Engine(settings).check_path(str(root / "pkg/a.py")).findings == ()
    assert project._INDEXES[str(root)].parsed == 1


def test_no_cache_writes_nothing(tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _package(tmp_path, {"pkg/__init__.py": "", "pkg/io.py": WRITER, "pkg/a.py": CALLER})
    monkeypatch.chdir(root)
    code, out, _ = run(capsys, "check", "--no-cache", "pkg/a.py")
    assert "DET403" in out and code == 1
    assert not (root / project.CACHE_DIR).exists()
    write(root / "pyproject.toml", "[tool.determinism-lint]\ncache = false\n")
    run(capsys, "check", "pkg/a.py")
    assert not (root / project.CACHE_DIR).exists()


def test_a_broken_cache_entry_is_parsed_again(tmp_path: Path) -> None:
    root = _package(tmp_path, {"pkg/__init__.py": "", "pkg/io.py": WRITER, "pkg/a.py": CALLER})
    settings = Settings(root=str(root))
    Engine(settings).check_path(str(root / "pkg/a.py"))
    for entry in (root / project.CACHE_DIR).glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    project.use_files(None)
    assert [f.code for f in Engine(settings).check_path(str(root / "pkg/a.py")).findings] == ["DET403"]
    assert project._INDEXES[str(root)].parsed == 1
