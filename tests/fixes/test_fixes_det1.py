"""The DET101-DET104 fixes on realistic code: fixtures, imports, several fixes per file,
``with`` statements, and the bytes a fixed program writes.

``tests/fixtures/det1_*.fixed.py`` hold the expected result of ``fix`` on each fixture;
after changing a fixture or a fix, regenerate them with
``DETERMINISM_LINT_UPDATE_TWINS=1 python -m pytest tests/fixes/test_fixes_det1.py`` and review the diff.
"""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import textwrap
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from determinism_lint.engine import Engine
from determinism_lint.fixer import FileFix, fix_source
from determinism_lint.settings import Settings

from ..helpers import check_result

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DET1_FIXTURES = sorted(FIXTURES.glob("det1_*.py"))
DET1_FIXTURES = [path for path in DET1_FIXTURES if not path.name.endswith(".fixed.py")]
FIXED_CODES = ("DET101", "DET102", "DET103", "DET104")


def _fix(source: str, **settings: object) -> FileFix:
    engine = Engine(Settings(**{"reader_evidence": False, **settings}))  # type: ignore[arg-type]
    result = fix_source(textwrap.dedent(source).encode(), "pipeline.py", engine, unsafe=False)
    assert result.error is None, result.error
    return result


def _fixed(source: str, **settings: object) -> str:
    result = _fix(source, **settings)
    return result.new.decode() if result.new is not None else textwrap.dedent(source)


def _comments(source: str) -> Counter[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return Counter(token.string for token in tokens if token.type == tokenize.COMMENT)


def _det1(findings) -> Counter[tuple[str, str]]:
    return Counter((f.code, f.message) for f in findings if f.code in FIXED_CODES)


# -- the fixtures --------------------------------------------------------------------------


@pytest.mark.parametrize("path", DET1_FIXTURES, ids=[path.name for path in DET1_FIXTURES])
def test_fixture_is_fixed_completely_and_keeps_its_comments(path: Path) -> None:
    engine = Engine(Settings(reader_evidence=False))
    source = path.read_bytes()
    result = fix_source(source, path.name, engine, unsafe=False)
    assert result.error is None and result.new is not None
    assert result.dropped == (), result.dropped
    fixed = result.new.decode()
    ast.parse(fixed)
    # Left: exactly the DET101-DET104 findings reported without a fix.
    after = engine.check_source(result.new, path.name)
    assert _det1(after.findings) == _det1(result.unfixable)
    assert _det1(result.applied), "the fixture has nothing to fix"
    # Converged and idempotent.
    again = fix_source(result.new, path.name, engine, unsafe=False)
    assert again.new is None or again.new == result.new
    # Every comment is still there (the ``# expect:`` ones included).
    assert _comments(source.decode()) - _comments(fixed) == Counter()


@pytest.mark.parametrize("path", DET1_FIXTURES, ids=[path.name for path in DET1_FIXTURES])
def test_fixture_twin(path: Path) -> None:
    twin = path.with_name(path.stem + ".fixed.py")
    result = fix_source(path.read_bytes(), path.name, Engine(Settings(reader_evidence=False)), unsafe=False)
    assert result.new is not None
    if os.environ.get("DETERMINISM_LINT_UPDATE_TWINS"):
        twin.write_bytes(result.new)
    assert twin.exists(), f"missing {twin.name}: see this module's docstring"
    assert result.new.decode() == twin.read_text(encoding="utf-8")


# -- imports -------------------------------------------------------------------------------


def test_helpers_module_setting_changes_the_import() -> None:
    source = """\
    import json


    def save(obj, path, text):
        json.dump(obj, open(path, "w"))
        path.with_suffix(".txt").write_text(text)
    """
    fixed = _fixed(source, helpers_module="myproj.io_utils")
    assert fixed == textwrap.dedent(
        """\
        import json

        from myproj.io_utils import atomic_open, write_atomic_text


        def save(obj, path, text):
            with atomic_open(path, "w") as f:
                json.dump(obj, f)
            write_atomic_text(path.with_suffix(".txt"), text)
        """
    )
    assert "determinism_lint" not in fixed
    assert _det1(check_result(fixed, "pipeline.py", helpers_module="myproj.io_utils").findings) == Counter()


def test_an_existing_helper_import_is_not_duplicated() -> None:
    source = """\
    from determinism_lint.runtime import atomic_open


    def save(path, other, text):
        with atomic_open(path, "w") as f:
            f.write(text)
        with open(other, "w") as g:
            g.write(text)
    """
    fixed = _fixed(source)
    assert fixed.count("import atomic_open") == 1
    assert fixed == textwrap.dedent(source).replace('open(other, "w")', 'atomic_open(other, "w")')


def test_a_helper_is_added_to_an_existing_import_from_the_helpers_module() -> None:
    source = """\
    from determinism_lint.runtime import atomic_path


    def save(path, text):
        with open(path, "w") as f:
            f.write(text)
    """
    fixed = _fixed(source)
    assert fixed.count("from determinism_lint.runtime import") == 1
    assert "atomic_open" in fixed.splitlines()[0] and "atomic_path" in fixed.splitlines()[0]


def test_no_fix_when_the_module_has_its_own_helper_name() -> None:
    source = """\
    import os


    def atomic_open(path, mode):
        return open(path + ".part", mode)


    def save(path, text):
        with open(path, "w") as f:
            f.write(text)
    """
    result = _fix(source)
    assert result.new is None
    assert [(f.code, reason) for f, reason in result.dropped] == [
        ("DET101", "this site cannot be rewritten safely")
    ]


def test_import_io_stays_even_when_the_rewrite_took_its_last_use() -> None:
    # Removing an import is never the job of a determinism fix: ``io`` is a module
    # attribute that other code and tests may reach (``mock.patch("pkg.mod.io.open")``).
    source = """\
    \"\"\"Blob storage.\"\"\"

    import io


    def save(path, blob):
        with io.open(path, "wb") as f:
            f.write(blob)
    """
    assert _fixed(source) == textwrap.dedent(
        """\
        \"\"\"Blob storage.\"\"\"

        import io

        from determinism_lint.runtime import atomic_open


        def save(path, blob):
            with atomic_open(path, "wb") as f:
                f.write(blob)
        """
    )


def test_every_det1_fix_in_one_file() -> None:
    source = """\
    import json
    import numpy as np
    from pathlib import Path


    def publish(run_dir: Path, manifest, vectors, text):
        # the manifest first
        json.dump(manifest, open(run_dir / "manifest.json", "w"), sort_keys=True)
        with open(run_dir / "notes.txt", "w", encoding="utf-8") as f:
            f.write(text)
        (run_dir / "summary.txt").write_text(text, encoding="utf-8")
        np.save(run_dir / "vectors.npy", vectors)
        np.save(run_dir / "vectors-copy.npy", vectors)
    """
    result = _fix(source)
    assert sorted(f.code for f in result.applied) == ["DET101", "DET102", "DET103", "DET104", "DET104"]
    assert result.new is not None
    assert result.new.decode() == textwrap.dedent(
        """\
        import json
        import numpy as np
        from pathlib import Path
        from determinism_lint.runtime import atomic_open, atomic_path, write_atomic_text


        def publish(run_dir: Path, manifest, vectors, text):
            # the manifest first
            with atomic_open(run_dir / "manifest.json", "w") as fh:
                json.dump(manifest, fh, sort_keys=True)
            with atomic_open(run_dir / "notes.txt", "w", encoding="utf-8") as f:
                f.write(text)
            write_atomic_text(run_dir / "summary.txt", text, encoding="utf-8")
            with atomic_path(run_dir / "vectors.npy") as tmp:
                np.save(tmp, vectors)
            with atomic_path(run_dir / "vectors-copy.npy") as tmp_path:
                np.save(tmp_path, vectors)
        """
    )
    assert _det1(check_result(result.new, "pipeline.py").findings) == Counter()


def test_with_statements_with_several_items_and_nesting() -> None:
    source = """\
    def copy(src, dst, log):
        with open(src) as f, open(dst, "w") as g:
            g.write(f.read())
        with open(dst, "w") as out, open(log, "a") as trail:
            with open(src, "rb") as raw, open(str(dst) + ".bin", "wb") as copy:
                copy.write(raw.read())
            out.write("x")
            trail.write("copied\\n")
    """
    assert _fixed(source) == textwrap.dedent(
        """\
        from determinism_lint.runtime import atomic_open


        def copy(src, dst, log):
            with open(src) as f, atomic_open(dst, "w") as g:
                g.write(f.read())
            with atomic_open(dst, "w") as out, open(log, "a") as trail:
                with open(src, "rb") as raw, atomic_open(str(dst) + ".bin", "wb") as copy:
                    copy.write(raw.read())
                out.write("x")
                trail.write("copied\\n")
        """
    )


def test_fixes_inside_class_methods() -> None:
    source = """\
    import json


    class Store:
        \"\"\"Keeps one JSON file per key.\"\"\"

        def put(self, key, obj):
            # the index first
            json.dump(obj, open(self.root / f"{key}.json", "w"))

        def put_text(self, key, text):
            with (self.root / key).open("w") as f:  # a text value
                f.write(text)
    """
    assert _fixed(source) == textwrap.dedent(
        """\
        import json

        from determinism_lint.runtime import atomic_open


        class Store:
            \"\"\"Keeps one JSON file per key.\"\"\"

            def put(self, key, obj):
                # the index first
                with atomic_open(self.root / f"{key}.json", "w") as fh:
                    json.dump(obj, fh)

            def put_text(self, key, text):
                with atomic_open(self.root / key, "w") as f:  # a text value
                    f.write(text)
        """
    )


def test_a_statement_in_a_class_body_is_not_wrapped() -> None:
    # ``with ... as f`` in a class body would add an ``f`` attribute to the class.
    source = """\
    import json


    class Config:
        json.dump(DEFAULTS, open("defaults.json", "w"))
    """
    result = _fix(source)
    assert result.new is None
    assert [f.code for f in result.unfixable] == ["DET102"]


def test_indentation_follows_the_module() -> None:
    source = "import numpy as np\n\n\ndef cache(out, a):\n  np.save(out / 'a.npy', a)\n"
    assert _fixed(source) == (
        "import numpy as np\nfrom determinism_lint.runtime import atomic_path\n\n\n"
        "def cache(out, a):\n  with atomic_path(out / 'a.npy') as tmp:\n    np.save(tmp, a)\n"
    )


def test_fixes_that_cannot_show_equivalence_are_left_alone() -> None:
    source = """\
    import codecs
    import torch


    def save(model, frame, path, text):
        with codecs.open(path, "w", "latin-1") as f:  # StreamWriter: other newlines
            f.write(text)
        torch.save(model, path)  # the archive is named after the file
        frame.to_csv(path)  # ``path`` may be a file object or an s3:// URL
        with open(path, "w") as f:
            f.write(text)
        print("wrote", f.name)
    """
    result = _fix(source)
    assert result.new is None
    # Every one is reported without a fix by ``check`` itself: nothing is planned, then dropped.
    assert sorted(f.code for f in result.unfixable) == ["DET101", "DET101", "DET104", "DET104"]
    assert result.dropped == ()


# -- behaviour -----------------------------------------------------------------------------

SCRIPT = """\
import codecs
import io
import json
import pickle
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
config = {"name": "run-1", "seed": 7, "layers": [3, 5, 8], "note": "caf\\u00e9"}

with open(out / "config.json", "w", encoding="utf-8") as f:
    json.dump(config, f, indent=2)
with (out / "rows.csv").open("w", newline="") as f:
    f.write("a,b\\r\\n1,2\\r\\n")
with io.open(out / "table.txt", "w") as f:
    f.write("line one\\nline two\\n")
with codecs.open(str(out / "legacy.txt"), "w") as f:
    f.write("plain ascii\\n")
with open(out / "blob.bin", "xb") as f:
    f.write(bytes(range(256)))
json.dump(config, open(out / "dumped.json", "w"), sort_keys=True)
pickle.dump(config, open(out / "config.pkl", "wb"), protocol=4)
(out / "latin1.txt").write_text("r\\u00e9sum\\u00e9\\n", encoding="latin-1")
(out / "summary.txt").write_text("ascii only\\n")
(out / "raw.bin").write_bytes(b"\\x00\\xffdata")
np.save(out / "vectors.npy", np.arange(12, dtype=np.int64).reshape(3, 4))
np.savetxt(out / "vectors.txt", np.eye(3))
"""


def _run(script: Path, out: Path) -> dict[str, bytes]:
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, str(script), str(out)], check=True, env=env, cwd=str(script.parent))
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_the_fixed_program_writes_the_same_bytes(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    before = tmp_path / "before.py"
    before.write_text(SCRIPT, encoding="utf-8")
    result = fix_source(SCRIPT.encode(), "before.py", Engine(Settings(reader_evidence=False)), unsafe=False)
    assert result.new is not None and result.dropped == () and result.unfixable == ()
    assert len(result.applied) == 12
    after = tmp_path / "after.py"
    after.write_bytes(result.new)
    written_before = _run(before, tmp_path / "out-before")
    written_after = _run(after, tmp_path / "out-after")
    assert sorted(written_after) == sorted(written_before)  # same files, no temp files left
    for name, data in written_before.items():
        assert written_after[name] == data, name
