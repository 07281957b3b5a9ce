"""DET1xx: a writer of one module whose every caller, in the other modules of the project,
passes a temporary directory writes scratch files; one caller passing a kept folder keeps it
reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from determinism_lint import project

from ..helpers import run, write


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    project.use_files(None)
    yield
    project.use_files(None)


WRITER = (
    "import os\n\n\ndef write_blob(blob, folder):\n"
    "    with open(os.path.join(folder, 'blob.bin'), 'wb') as f:\n        f.write(blob)\n"
)
CALLER = (
    "import tempfile\n\nfrom pkg import utils\nfrom pkg.utils import write_blob\n\n\n"
    "def stage(blob):\n    work = tempfile.mkdtemp()\n    utils.write_blob(blob, work)\n    return work\n\n\n"
    "def stage_more(blob):\n    with tempfile.TemporaryDirectory() as tmp:\n        write_blob(blob, folder=tmp)\n"
)


def _found(tmp_path: Path, capsys: Any) -> list[str]:
    _, out, _ = run(capsys, "check", "--no-reader-evidence", "--no-cache", str(tmp_path))
    return [line.split(": ", 1)[0] + " " + line.split(": ", 1)[1].split(" ", 1)[0] for line in out.splitlines()
            if ": DET" in line]


def _layout(tmp_path: Path, modules: dict[str, str]) -> None:
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    write(tmp_path / "pkg/__init__.py", "")
    for name, text in modules.items():
        write(tmp_path / "pkg" / name, text)


def _project(tmp_path: Path, caller: str) -> None:
    _layout(tmp_path, {"utils.py": WRITER, "stage.py": caller})


def test_every_caller_elsewhere_passes_a_temporary_directory(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path, CALLER)
    assert _found(tmp_path, capsys) == []


def test_one_caller_elsewhere_passes_a_kept_folder(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path, CALLER + "\n\ndef publish(blob, out_dir):\n    utils.write_blob(blob, out_dir)\n")
    found = _found(tmp_path, capsys)
    assert len(found) == 1 and found[0].endswith("DET101") and "utils.py:5" in found[0], found


def test_no_caller_anywhere_keeps_it_reported(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path, "def nothing():\n    pass\n")
    found = _found(tmp_path, capsys)
    assert len(found) == 1 and "utils.py:5" in found[0], found


def test_callers_in_tests_are_no_evidence(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path, "def nothing():\n    pass\n")
    write(tmp_path / "tests/test_utils.py", CALLER.replace("def stage", "def test_stage"))
    found = _found(tmp_path, capsys)
    assert [line for line in found if "pkg/utils.py:5:" in line], found


def test_a_writer_handed_on_as_a_value_has_unknown_callers(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path, CALLER)
    write(tmp_path / "pkg/utils.py", WRITER + "\n\ndef run(op, blob, where):\n    op(blob, where)\n\n\n"
          "def cli(blob, where):\n    run(write_blob, blob, where)\n")
    found = _found(tmp_path, capsys)
    assert len(found) == 1 and "utils.py:5" in found[0], found


OPTIONS = (
    "from pathlib import Path\n\n\nclass PythonOptions:\n"
    "    def write_to_bundle(self, bundle_dir: Path, context: str) -> None:\n"
    "        folder = bundle_dir / 'env' / 'python'\n"
    "        folder.mkdir(parents=True, exist_ok=True)\n"
    "        with open(folder / 'requirements.txt', 'w') as f:\n            f.write(context)\n"
)
BUILDER = (
    "import tempfile\nfrom pathlib import Path\n\nfrom pkg.options import PythonOptions\n\n\n"
    "def build(config, context):\n    bundle_dir = Path(tempfile.mkdtemp(prefix='bundle_'))\n"
    "    config.python.write_to_bundle(bundle_dir, context)\n    return bundle_dir\n"
)


def _method_project(tmp_path: Path, builder: str) -> None:
    _layout(tmp_path, {"options.py": OPTIONS, "build.py": builder})


def test_a_method_every_caller_elsewhere_hands_a_temporary_directory(tmp_path: Path, capsys: Any) -> None:
    _method_project(tmp_path, BUILDER)
    assert _found(tmp_path, capsys) == []


@pytest.mark.parametrize(
    "extra",
    [
        # one caller hands it a kept folder
        "\n\ndef export(config, out_dir, context):\n    config.python.write_to_bundle(out_dir, context)\n",
        # one caller passes the folder in a way not known statically
        "\n\ndef export(config, args):\n    config.python.write_to_bundle(*args)\n",
        # another module defines a method of the same name: calls cannot be told apart
        "\n\nclass Other:\n    def write_to_bundle(self, bundle_dir, context):\n        pass\n",
    ],
)
def test_a_method_with_an_unknown_or_kept_caller_is_reported(tmp_path: Path, capsys: Any, extra: str) -> None:
    _method_project(tmp_path, BUILDER + extra)
    found = _found(tmp_path, capsys)
    assert len(found) == 1 and found[0].endswith("DET101") and "options.py:8" in found[0], found
