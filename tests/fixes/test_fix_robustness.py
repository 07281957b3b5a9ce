"""`fix` over real code (a slice of the standard library): never writes a file that does not
parse, and a second run changes nothing. The whole library: ``benchmarks/fix_stdlib.py``."""

from __future__ import annotations

import ast
import shutil
import sysconfig
from pathlib import Path

from determinism_lint.discovery import discover
from determinism_lint.engine import Engine
from determinism_lint.fixer import plan_fixes
from determinism_lint.settings import Settings

PACKAGES = ("json", "logging", "concurrent", "tempfile.py", "shutil.py", "pstats.py", "trace.py", "compileall.py",
            "mailbox.py", "zipapp.py", "filecmp.py", "netrc.py", "shelve.py")


def test_fix_on_standard_library_slice(tmp_path: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in PACKAGES:
        source = stdlib / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "test*"))
        elif source.is_file():
            shutil.copy2(source, tmp_path / name)
    settings = Settings(strict=True, root=str(tmp_path))
    files = discover([str(tmp_path)], settings)
    assert len(files) > 15
    first = plan_fixes(files, settings, unsafe=True, jobs=2)
    changed = [item for item in first if item.changed]
    assert changed, "the slice has fixable findings"
    for item in changed:
        ast.parse(item.new)  # never a file that does not parse
        Path(item.path).write_bytes(item.new)
    engine = Engine(settings)
    for item in changed:
        assert engine.check_source(Path(item.path).read_bytes(), item.path).checked
    second = plan_fixes(files, settings, unsafe=True, jobs=2)
    assert [item.path for item in second if item.changed] == []
