"""Fresh scratch paths: a write into a path that a function of the project makes anew on each
call (a random or temporary component, by evidence from its body) is not an in-place overwrite."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from determinism_lint import project

from .. import helpers
from ..helpers import run, write

# These tests look at which writes are hazards, not at whether the project reads them back.
check = functools.partial(helpers.check, reader_evidence=False)


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    project.use_files(None)
    yield
    project.use_files(None)


def codes(source: str) -> list[tuple[int, str]]:
    return [(finding.line, finding.code) for finding in check(source, codes=["DET1"])]


SAVE = "def save(model, blob):\n    path = {maker}\n    with open(path, 'wb') as f:\n        f.write(blob)\n"


@pytest.mark.parametrize(
    "helper",
    [
        "import os, uuid\n\ndef scratch_path(name):\n    return os.path.join(SANDBOX, uuid.uuid4().hex, name)\n",
        "import os, random\nfrom uuid import UUID\n\nclass Files:\n    def scratch_path(self, name=None):\n"
        "        key = UUID(int=random.getrandbits(128)).hex\n        if name:\n"
        "            return os.path.join(self._sandbox, key, name)\n        return os.path.join(self._sandbox, key)\n",
        "import secrets\n\ndef scratch_path(name):\n    return f'{ROOT}/{secrets.token_hex(8)}/{name}'\n",
        "import tempfile\n\ndef scratch_path(name):\n    return tempfile.mkdtemp() + '/' + name\n",
        # Through another helper of the module.
        "import uuid\n\ndef fresh_model_key():\n    return uuid.uuid4().hex\n\ndef scratch_path(name):\n"
        "    folder = ROOT / fresh_model_key()\n    return folder / name\n",
    ],
)
def test_a_write_into_a_fresh_path_is_quiet(helper: str) -> None:
    source = helper + "\n" + SAVE.format(maker="FILES.scratch_path('model.bin') + '.tmp1'")
    assert codes(source) == []
    source = helper + "\n" + SAVE.format(maker="scratch_path('model.bin')")
    assert codes(source) == []


@pytest.mark.parametrize(
    "helper",
    [
        # No random part: the same path on every run.
        "import os\n\ndef scratch_path(name):\n    return os.path.join(SANDBOX, name)\n",
        # A hash of the content is stable, not fresh.
        "import hashlib, os\n\ndef scratch_path(name):\n"
        "    return os.path.join(SANDBOX, hashlib.sha256(name.encode()).hexdigest())\n",
        # A seeded generator repeats its values.
        "import os, random\n\ndef scratch_path(name):\n"
        "    return os.path.join(SANDBOX, str(random.Random(0).getrandbits(64)), name)\n",
        # One return is the caller's own path.
        "import os, uuid\n\ndef scratch_path(name, where=None):\n    if where:\n        return where\n"
        "    return os.path.join(SANDBOX, uuid.uuid4().hex)\n",
        "import os, uuid\n\ndef scratch_path(name, where=None):\n"
        "    return where or os.path.join(SANDBOX, uuid.uuid4().hex)\n",
        # Two definitions of the name: one of them returns a kept path.
        "import os, uuid\n\nclass A:\n    def scratch_path(self, name):\n"
        "        return os.path.join(SANDBOX, uuid.uuid4().hex)\n\nclass B:\n    def scratch_path(self, name):\n"
        "        return os.path.join(OUT, name)\n",
    ],
)
def test_a_write_into_a_kept_path_is_reported(helper: str) -> None:
    source = helper + "\n" + SAVE.format(maker="scratch_path('model.bin')")
    lines = source.count("\n")
    assert codes(source) == [(lines - 1, "DET101")]


def test_the_maker_may_live_in_another_module(tmp_path: Path, capsys: Any) -> None:
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    write(tmp_path / "pkg/__init__.py", "")
    write(tmp_path / "pkg/rand.py", "import random as _random\n\nrandom = _random.Random()\n")
    write(
        tmp_path / "pkg/files.py",
        "import os\nfrom uuid import UUID\n\nfrom pkg.rand import random\n\n\nclass FileAccess:\n"
        "    def random_local_path(self, name=None):\n        key = UUID(int=random.getrandbits(128)).hex\n"
        "        return os.path.join(self.sandbox, key, name or 'data')\n\n"
        "    def random_local_directory(self):\n        folder = self.random_local_path(None)\n"
        "        os.makedirs(folder)\n        return folder\n\n"
        "    def kept_path(self, name):\n        return os.path.join(self.sandbox, name)\n",
    )
    write(
        tmp_path / "pkg/encode.py",
        "import torch\n\n\ndef to_literal(ctx, model):\n    local_path = ctx.file_access.random_local_path() + '.pt'\n"
        "    torch.save(model, local_path)\n    local_dir = ctx.file_access.random_local_directory()\n"
        "    model.frame.to_parquet(f'{local_dir}/00000')\n    return ctx.file_access.put_data(local_path)\n\n\n"
        "def keep(ctx, model):\n    torch.save(model, ctx.file_access.kept_path('model.pt'))\n",
    )
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--no-cache", str(tmp_path))
    found = [line.split(": ", 1)[1].split(" ", 1)[0] + ":" + line.split(":")[1] for line in out.splitlines() if ": DET" in line]
    assert found == ["DET104:13"], out


def test_a_seeded_generator_of_another_module_names_no_fresh_path(tmp_path: Path, capsys: Any) -> None:
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    write(tmp_path / "pkg/__init__.py", "")
    write(tmp_path / "pkg/rand.py", "import random as _random\n\nrandom = _random.Random(42)\n")
    write(
        tmp_path / "pkg/files.py",
        "import os\n\nfrom pkg.rand import random\n\n\ndef random_local_path():\n"
        "    return os.path.join(SANDBOX, '%016x' % random.getrandbits(64))\n\n\n"
        "def save(blob):\n    with open(random_local_path(), 'wb') as f:\n        f.write(blob)\n",
    )
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--no-cache", str(tmp_path))
    assert "files.py:11:" in out and "DET101" in out, out


@pytest.mark.parametrize(
    "made, reported",
    [
        # Unset, then a folder with a random id under a configured root, or a temporary directory.
        ("        if root:\n            self.tmp_dir = os.path.join(root, 'job_%016x' % random.getrandbits(64))\n"
         "        else:\n            self.tmp_dir = tempfile.mkdtemp()\n", False),
        # Cut to the longest name the file system allows: still the random folder.
        ("        self.tmp_dir = os.path.join(root, self.task_id + '-' + '%016x' % random.getrandbits(64))\n"
         "        self.tmp_dir = self.tmp_dir[:255]\n", False),
        # Named for the task only: the same folder on every run.
        ("        self.tmp_dir = os.path.join(root, self.task_id)\n", True),
        # Seeded: the same "random" folder on every run.
        ("        self.tmp_dir = os.path.join(root, str(random.Random(0).getrandbits(64)))\n", True),
    ],
)
def test_a_per_job_folder_kept_in_an_attribute(made: str, reported: bool) -> None:
    source = (
        "import os, random, shutil, tempfile\n\nclass Runner:\n    def __init__(self):\n        self.tmp_dir = False\n\n"
        "    def start(self, root, binary):\n" + made + "        shutil.copy(binary, os.path.join(self.tmp_dir, 'runner.pex'))\n"
    )
    found = codes(source)
    assert bool(found) is reported, found
    if reported:
        assert found == [(source.count("\n"), "DET104")]


def test_a_path_only_derived_from_itself_is_no_evidence() -> None:
    source = (
        "import os, shutil\n\nclass Runner:\n    def start(self, binary):\n"
        "        self.tmp_dir = self.tmp_dir[:255]\n        shutil.copy(binary, os.path.join(self.tmp_dir, 'runner.pex'))\n"
    )
    assert codes(source) == [(6, "DET104")]


def test_a_fresh_path_rebound_after_the_write_is_quiet() -> None:
    # ``path`` names something else after the write; the binding in effect at the write is fresh.
    helper = "import os, uuid\n\ndef scratch_path(name):\n    return os.path.join(SANDBOX, uuid.uuid4().hex, name)\n\n"
    rebound = SAVE.format(maker="scratch_path('model.bin')") + "    path = 'model.bin'\n    return path\n"
    assert codes(helper + rebound) == []
    # Rebound to the kept name before the write: reported.
    kept = SAVE.format(maker="scratch_path('model.bin')\n    path = 'model.bin'")
    assert codes(helper + kept) == [(9, "DET101")]


LOAD_TOKENIZER = '''import json
import os
import random
import string
from pathlib import Path


class Model:
    @staticmethod
    def load_tokenizer(state, save_dir=None):
        if save_dir is None:
            suffix = "".join(random.choices(string.ascii_letters, k=6))
            save_dir = os.path.join(os.getcwd(), f"tokenizer-{suffix}")
        os.makedirs(save_dir, exist_ok=True)
        for name, content in state.items():
            with open(Path(save_dir) / name, "w") as f:
                json.dump(content, f)
        return load(save_dir)

    def restore(self, state):
        return Model.load_tokenizer(state)


def convert(state):
    return Model.load_tokenizer(state, {given})
'''


@pytest.mark.parametrize(
    ("given", "reported"),
    [
        ("None", False),  # no call in the project gives a folder: always a new random one
        ("'tokenizer'", True),  # one caller names a kept folder
        ("*folders", True),  # not known statically
    ],
)
def test_a_folder_made_fresh_unless_given(given: str, reported: bool) -> None:
    assert (codes(LOAD_TOKENIZER.replace("{given}", given)) == [(16, "DET101")]) is reported


def test_a_folder_made_fresh_unless_given_by_a_caller_elsewhere(tmp_path: Path, capsys: Any) -> None:
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    pkg = tmp_path / "pkg"
    write(pkg / "__init__.py", "")
    write(pkg / "model.py", LOAD_TOKENIZER.replace("{given}", "None"))
    write(pkg / "cli.py", "from pkg.model import Model\n\ndef main(state):\n    Model.load_tokenizer(state, 'kept')\n")
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--no-cache", "--select", "DET1", str(tmp_path))
    assert code == 1 and "model.py:16:18: DET101" in out, out
