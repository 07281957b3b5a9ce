"""DET103 (NonAtomicPathWrite): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report, Valid
from ..writes.fixplan import _path_method_rewrite
from ..writes.sites import _display, _is_statement, _written
from ._write_rule import WriteSiteRule, read_clause

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class NonAtomicPathWrite(WriteSiteRule):
    """
    ## What it does
    Flags `<path>.write_text(...)` and `<path>.write_bytes(...)` (`pathlib.Path`, and the
    `Path` classes of trio, anyio and others with the same methods), unless the target
    produces no artifact (exempt, scratch, marker, temp-name, removed afterwards: see
    DET101) or nothing in the project reads the file back (`reader-evidence`, see DET101),
    the call only empties the file (`path.write_bytes(b"")`: nothing a crash could
    tear), or it is the temp file of a hand-made temp-then-rename (DET105).

    The receiver must be a path by evidence: built with `Path(...)`, `/`, `.with_suffix()`,
    `.parent`; a name bound to one, annotated with a path type, made by a class named
    `...Path`, returned by a function of the module annotated `-> Path`, a `self.x` that the
    class only sets to paths, or a name also used with an attribute only paths have
    (`.read_text()`, `.is_file()`, `.suffix`...). Other objects have `write_text` methods
    too (`click.HelpFormatter`, consoles, stores): `obj.write_text(s)` with nothing known
    about `obj` is not reported.

    ## Why is this bad?
    `write_text` opens the file with mode `"w"`: it is truncated first and filled
    afterwards. A crash in between leaves an empty or partial artifact, and a concurrent
    reader can see one at any time.

    ## Example
    ```python
    def save_summary(run_dir, text):
        (run_dir / "summary.txt").write_text(text, encoding="utf-8")

    def load_summary(run_dir):
        return (run_dir / "summary.txt").read_text(encoding="utf-8")
    ```

    ## Use instead
    ```python
    from determinism_lint.runtime import write_atomic_text


    def save_summary(run_dir, text):
        write_atomic_text(run_dir / "summary.txt", text, encoding="utf-8")

    def load_summary(run_dir):
        return (run_dir / "summary.txt").read_text(encoding="utf-8")
    ```

    ## Fix safety
    The fix rewrites `p.write_text(s, ...)` to `write_atomic_text(p, s, ...)` and
    `p.write_bytes(b)` to `write_atomic_bytes(p, b)` (`Path.write_text(p, s)` likewise). The
    helpers take `encoding`, `errors` and `newline` as keywords, so a positional one becomes
    a keyword, and `data=` becomes `text=`. `write_atomic_text` encodes as `Path.write_text`
    does, default (locale) encoding and newline translation included. It is safe: same
    bytes, written atomically. It is offered only when the call is a statement of its own
    (its return value, the number of characters written, is not used) and the receiver is
    known to be a `pathlib` path: built with `Path(...)`, `/`, `.with_suffix(...)` or
    `.parent`, or a name bound to one or annotated `Path`. Other objects have `write_text`
    methods too, and the helpers take paths only.

    Tests that patch `Path.write_text` (`mock.patch.object(Path, "write_text")`) no longer
    intercept the write after this fix: patch `pkg.module.write_atomic_text` instead.

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    """

    code = "DET103"
    name = "non-atomic-path-write"
    message = "`Path.write_text` writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Use `write_atomic_text` / `write_atomic_bytes`"
    fix_safety = FixSafety.SAFE
    site_kind = "path-method"
    fix_node = ("Call",)

    VALID = (
        "def save_report(out_dir, text):\n    (out_dir / 'summary.txt').write_text(text)\n",
        "text = path.read_text()\n",
        "(run_dir / 'README.md').write_text(report)\n",
        "(run_dir / 'memory_timeline.html').write_text(figure.to_html())\n",
        "(run_dir / 'part-00000').write_bytes(b'')\n",
        "lock = run_dir / 'train.lock'\nlock.write_text(str(os.getpid()))\n",
        "from determinism_lint.runtime import write_atomic_text\nwrite_atomic_text(path, text)\n",
        "from determinism_lint.runtime import atomic_path\nwith atomic_path(out) as tmp:\n    tmp.write_bytes(blob)\n",
        "import tempfile\nfrom pathlib import Path\nwith tempfile.TemporaryDirectory() as d:\n"
        "    (Path(d) / 'input.json').write_text(text)\n",
        Valid("(out / 'notes.txt').write_text(text)\n", settings=(("exempt_paths", ("*.txt",)),)),
        "def format_help(formatter, text):\n    formatter.write_text(text)\n",
        "def save(path, text):\n    path.write_text(text)\n",
    )
    INVALID = (
        Invalid(
            "def store(cache_dir, blob):\n    (cache_dir / 'index.bin').write_bytes(blob)\n\n\ndef fetch(cache_dir):\n    return (cache_dir / 'index.bin').read_bytes()\n",
            fixed="from determinism_lint.runtime import write_atomic_bytes\n\n\ndef store(cache_dir, blob):\n    write_atomic_bytes(cache_dir / 'index.bin', blob)\n\n\ndef fetch(cache_dir):\n    return (cache_dir / 'index.bin').read_bytes()\n",
        ),
        Invalid("def save(path: Union[str, Path], text):\n    path.write_text(text)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "(cache_dir / 'index.bin').write_bytes(blob)\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_bytes\n\n"
                "write_atomic_bytes(cache_dir / 'index.bin', blob)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "from pathlib import Path\nPath(out, 'config.yaml').write_text(dump(config))\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_text\n\n"
                "write_atomic_text(Path(out, 'config.yaml'), dump(config))\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("out = Path(d)\nn = out.write_text(payload, encoding='utf-8')\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "from pathlib import Path\nPath.write_text(target, text)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_text\n\n"
                "write_atomic_text(target, text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "def f(run):\n    report = run / 'report.md.json'\n    report.write_text(body)\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_text\n\n\ndef f(run):\n"
                "    report = run / 'report.md.json'\n    write_atomic_text(report, body)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "def save(path: Path, text):\n    path.write_text(text, 'utf-8')\n",
            fixed=(
                "from determinism_lint.runtime import write_atomic_text\n\n\n"
                "def save(path: Path, text):\n    write_atomic_text(path, text, encoding='utf-8')\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "from pathlib import Path\npath = Path(out)\npath.write_bytes(data=blob)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import write_atomic_bytes\n\n"
                "path = Path(out)\nwrite_atomic_bytes(path, data=blob)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "class Run:\n    def __init__(self, root):\n        self.target = Path(root) / 'meta.txt'\n\n"
            "    def save(self, text):\n        self.target.write_text(text)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        found = self.hazard(node, ctx)
        if found is None:
            return
        site, reader = found
        assert isinstance(node, ast.Call)
        message = (
            f"`{_display(site.api)}` on line {node.lineno} writes {_written(site)} in place:"
            " a crash leaves it truncated or half-written"
            f"{read_clause(reader, ctx)}"
        )
        fixable = _is_statement(node, ctx) and _path_method_rewrite(node, site, ctx) is not None
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import path_method_fix

        return path_method_fix(node, ctx)
