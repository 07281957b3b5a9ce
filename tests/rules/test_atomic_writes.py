"""DET1xx: non-atomic writes. Name resolution, exemptions, ``write_site``, settings, positions."""

from __future__ import annotations

import ast
import functools
import textwrap
from typing import Optional

import pytest

from determinism_lint.checks.atomic_writes import RULES, WriteSite, write_site

from .. import helpers
from ..helpers import context

# These tests look at which writes are hazards, not at whether the project reads them back.
check = functools.partial(helpers.check, reader_evidence=False)


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check(source, codes=["DET1"], **settings)]


def sites(source: str, **settings: object) -> list[WriteSite]:
    """Every write site in ``source``, in source order."""
    ctx = context(source, **settings)
    tree = ctx.tree
    calls = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    found = [write_site(call, ctx) for call in calls]
    return [site for site in found if site is not None]


def only_site(source: str, **settings: object) -> WriteSite:
    found = sites(source, **settings)
    assert len(found) == 1, found
    return found[0]


def target_text(site: WriteSite) -> Optional[str]:
    return ast.unparse(site.target) if site.target is not None else None


# -- name resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import json as j\nj.dump(obj, open(path, 'w'))\n", [(2, "DET102")]),
        ("from json import dump\ndump(obj, open(path, 'w'))\n", [(2, "DET102")]),
        ("from json import dump as write_json\nwrite_json(obj, open(path, 'w'))\n", [(2, "DET102")]),
        ("import numpy as np\nnp.save(path, arr)\n", [(2, "DET104")]),
        ("from numpy import save\nsave(path, arr)\n", [(2, "DET104")]),
        ("from numpy import save as np_save\nnp_save(path, arr)\n", [(2, "DET104")]),
        ("def f(arr):\n    import numpy as np\n    np.save(path, arr)\n", [(3, "DET104")]),
        ("import torch as th\nth.save(state, path)\n", [(2, "DET104")]),
        ("import io\nwith io.open(path, 'w') as f:\n    f.write(x)\n", [(2, "DET101")]),
        ("import codecs\nwith codecs.open(path, 'w', 'utf-8') as f:\n    f.write(x)\n", [(2, "DET101")]),
    ],
)
def test_names_resolve_through_imports(source: str, expected: list[tuple[int, str]]) -> None:
    assert codes(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        # A module-level function called ``open`` shadows the builtin everywhere in the module.
        "def open(key, mode):\n    return store[key]\n\ndef put(key):\n    with open(key, 'w') as f:\n        f.write('x')\n",
        # A parameter called ``open``.
        "def put(open, key):\n    with open(key, 'w') as f:\n        f.write('x')\n",
        # Imported from somewhere else.
        "from storage import open\nwith open(key, 'w') as f:\n    f.write('x')\n",
        # A local ``save`` is not numpy's, a local ``dump`` is not json's.
        "def save(path, arr):\n    pass\n\nsave(path, arr)\n",
        "def dump(obj, f):\n    pass\n\ndump(obj, open(path))\n",
        # Module functions called ``open`` that are not ``Path.open``.
        "import tarfile\ntarfile.open(fileobj=buf, mode='w')\n",
        "import webbrowser\nwebbrowser.open(url)\n",
        "from PIL import Image\nImage.open(path)\n",
        "import os\nos.open(path, os.O_WRONLY | os.O_CREAT)\n",
        # ``ZipFile.open(name, mode)``: the first argument is not a mode.
        "with zf.open('member.csv', 'w') as f:\n    f.write(b'')\n",
        "with zf.open(member, mode='w') as f:\n    f.write(b'')\n",
        # ``str.replace`` is not a rename; a class's own ``write_text`` is not pathlib's.
        "name = name.replace('a', 'b')\n",
        "class Store:\n    def write_text(self, key, text):\n        pass\n\n    def put(self):\n        self.write_text('k', 'v')\n",
        "store.write_text(key, text)\nstore.write_bytes(key, blob)\n",
        # Type evidence: an annotated parameter, an instance of a class.
        "def help(formatter: HelpFormatter, text):\n    formatter.write_text(text)\n",
        "def help(formatter: 'HelpFormatter', text):\n    formatter.write_text(text)\n",
        "term = LegacyWindowsTerm(stream)\nterm.write_text('hello')\n",
        "def put(store: ObjectStore):\n    with store.open('w') as f:\n        f.write(x)\n",
    ],
)
def test_lookalikes_are_quiet(source: str) -> None:
    assert codes(source) == []


# -- modes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "def save(path: Path, text):\n    path.write_text(text)\n",
        "def save(path: 'os.PathLike[str]', text):\n    path.write_text(text)\n",
        "def save(path: Union[str, Path], text):\n    Path(path).write_text(text)\n",
        "from upath import UPath\np = UPath(uri)\np.write_text(text)\n",
        "def patch(file, fix):\n    text = file.read_text('utf8')\n    file.write_text(fix(text), 'utf8')\n",
        "class Cache:\n    def __init__(self, root):\n        self.index = Path(root) / 'index.txt'\n\n"
        "    def save(self, text):\n        self.index.write_text(text)\n",
    ],
)
def test_path_evidence_keeps_path_methods(source: str) -> None:
    assert [code for _, code in codes(source)] == ["DET103"]


@pytest.mark.parametrize("mode", ["w", "wb", "w+", "wt", "x", "xb", "w+b", "bw"])
def test_truncating_modes_are_flagged(mode: str) -> None:
    assert codes(f"with open(path, {mode!r}) as f:\n    f.write(x)\n") == [(1, "DET101")]


@pytest.mark.parametrize("mode", ["r", "rb", "a", "ab", "a+", "r+", "rb+", "w:gz"])
def test_other_modes_are_quiet(mode: str) -> None:
    assert codes(f"with open(path, {mode!r}) as f:\n    f.write(x)\n") == []


def test_default_mode_and_dynamic_mode_are_quiet() -> None:
    assert codes("with open(path) as f:\n    f.write(x)\n") == []
    assert codes("def w(path, mode):\n    with open(path, mode) as f:\n        f.write(x)\n") == []
    assert codes("with open(path, **options) as f:\n    f.write(x)\n") == []


def test_simple_local_mode_constant_is_resolved() -> None:
    source = """
    def write(path, binary):
        mode = "wb"
        with open(path, mode) as f:
            f.write(x)
        other = "wb" if binary else "w"
        with open(path, other) as f:
            f.write(x)
        mixed = "w" if binary else "r"
        with open(path, mixed) as f:
            f.write(x)
    """
    assert codes(source) == [(4, "DET101"), (7, "DET101")]


def test_path_open_mode_is_the_first_argument() -> None:
    p = "def f(p: Path):\n"
    assert codes(p + "    with p.open('w') as f:\n        f.write(x)\n") == [(2, "DET101")]
    assert codes(p + "    with p.open(mode='wb') as f:\n        f.write(x)\n") == [(2, "DET101")]
    assert codes(p + "    with p.open() as f:\n        f.write(x)\n") == []
    assert codes(p + "    with p.open('a') as f:\n        f.write(x)\n") == []


def test_open_without_a_path_needs_a_path_receiver() -> None:
    # ``x.open("w")`` with no path argument is ``Path.open`` only when ``x`` is a path by evidence.
    # A pipeline target's ``open("w")`` writes a temp file and renames it on close.
    assert codes("def run(self):\n    with self.output().open('w') as f:\n        f.write(x)\n") == []
    assert codes("def run(target):\n    with target.open('w') as f:\n        f.write(x)\n") == []
    assert codes("import json\ndef run(self):\n    json.dump(x, self.output().open('w'))\n") == []
    # Path by evidence: a constructor, ``/``, a path method's result, an annotation, a path-only attribute.
    assert codes("from pathlib import Path\nwith Path(d).open('w') as f:\n    f.write(x)\n") == [(2, "DET101")]
    assert codes("with (d / 'a.txt').open('w') as f:\n    f.write(x)\n") == [(1, "DET101")]
    assert codes("with p.with_suffix('.json').open('w') as f:\n    f.write(x)\n") == [(1, "DET101")]
    assert codes("def f(out: Path):\n    with out.open('w') as f:\n        f.write(x)\n") == [(2, "DET101")]
    assert codes("def f(out):\n    out.parent.mkdir()\n    with out.open('w') as f:\n        f.write(x)\n") == [
        (3, "DET101")
    ]
    # Named as a path: ``str`` has no ``open``.
    assert codes("def f(out_path):\n    with out_path.open('w') as f:\n        f.write(x)\n") == [(2, "DET101")]
    assert codes("def f(self):\n    with self.file_path.open('w') as f:\n        f.write(x)\n") == [(2, "DET101")]
    # A file system's ``open(path, mode)`` takes a path: still reported.
    assert codes("def f(fs, path):\n    with fs.open(path, 'wb') as f:\n        f.write(x)\n") == [(2, "DET101")]


# -- exemptions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, reason",
    [
        ("'run.lock'", "lock file (*.lock)"),
        ("f'{run}/report.md'", "Markdown report (*.md)"),
        ("run_dir / 'README.md'", "Markdown report (*.md)"),
        ("os.path.join(run_dir, 'train.log')", "log file (*.log)"),
        ("run_dir.with_suffix('.lock')", "lock file (*.lock)"),
        ("Path('x').with_name('notes.md')", "Markdown report (*.md)"),
        ("Path(run_dir, 'server.pid')", "pid file (*.pid)"),
        ("str(run_dir / 'a.log')", "log file (*.log)"),
        ("run_dir.joinpath('logs', 'x.log')", "log file (*.log)"),
        ("'%s.log' % name", "log file (*.log)"),
        ("'/dev/null'", "device file (/dev/*)"),
        ("os.devnull", "os.devnull"),
        ("sys.stdout.fileno()", "file descriptor"),
        ("1", "file descriptor"),
        ("tempfile.mktemp()", "tempfile scratch file"),
        ("os.path.join(tempfile.gettempdir(), 'x.json')", "scratch file in a temporary directory"),
    ],
)
def test_exempt_targets(target: str, reason: str) -> None:
    source = f"import os, sys, tempfile\nfrom pathlib import Path\nwith open({target}, 'w') as f:\n    f.write(x)\n"
    site = only_site(source)
    assert site.exempt_reason == reason
    assert codes(source) == []


def test_exempt_through_a_local_assigned_once() -> None:
    source = """
    def start(run_dir):
        lock_path = run_dir / "train.lock"
        with open(lock_path, "w") as f:
            f.write("1")
    """
    assert codes(source) == []
    assert only_site(source).exempt_reason == "lock file (*.lock)"


def test_a_local_assigned_twice_is_not_trusted() -> None:
    source = """
    def start(run_dir, final):
        path = run_dir / "train.lock"
        if final:
            path = run_dir / "model.bin"
        with open(path, "w") as f:
            f.write("1")
    """
    assert codes(source) == [(6, "DET101")]


def test_module_constant_target() -> None:
    source = """
    LOCK = "pipeline.lock"
    OUT = "pipeline.json"

    def start():
        with open(LOCK, "w") as f:
            f.write("1")
        with open(OUT, "w") as f:
            f.write("{}")
    """
    assert codes(source) == [(8, "DET101")]


def test_tempfile_scratch_space() -> None:
    source = """
    import os
    import tempfile
    from pathlib import Path

    def scratch(text):
        fd, tmp_path = tempfile.mkstemp()
        with open(tmp_path, "w") as f:
            f.write(text)
        with tempfile.NamedTemporaryFile("w", delete=False) as tmp:
            tmp.write(text)
        with open(tmp.name, "w") as f:
            f.write(text)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.json"), "w") as f:
                f.write(text)
            (Path(d) / "b.json").write_text(text)
        work = tempfile.mkdtemp()
        with open(os.path.join(work, "c.json"), "w") as f:
            f.write(text)
    """
    assert codes(source) == []
    reasons = [site.exempt_reason for site in sites(source)]
    assert reasons == [
        "tempfile scratch file",
        "tempfile scratch file",
        "tempfile scratch file",
        "scratch file in a temporary directory",
        "scratch file in a temporary directory",
        "scratch file in a temporary directory",
    ]


def test_user_exempt_paths() -> None:
    source = """
    with open(run_dir / "reports" / "summary.csv", "w") as f:
        f.write(x)
    with open(run_dir / "data" / "summary.csv", "w") as f:
        f.write(x)
    with open(f"{run_dir}/progress.txt", "w") as f:
        f.write(x)
    """
    assert codes(source) == [(2, "DET101"), (4, "DET101"), (6, "DET101")]
    assert codes(source, exempt_paths=("reports/*", "progress.txt")) == [(4, "DET101")]
    site = sites(source, exempt_paths=("reports/*",))[0]
    assert site.exempt_reason == "exempt path (reports/*)"


def test_exempt_glob_needs_the_whole_component() -> None:
    # ``report.md.json`` is not a Markdown file; ``logs/`` is not ``*.log``.
    assert codes("with open(f'{run}/report.md.json', 'w') as f:\n    f.write(x)\n") == [(1, "DET101")]
    assert codes("with open(run / 'logs' / 'metrics.json', 'w') as f:\n    f.write(x)\n") == [(1, "DET101")]
    # A ``dev`` split is not ``/dev/*``.
    assert codes("with open(root / 'dev' / 'part-0.json', 'w') as f:\n    f.write(x)\n") == [(1, "DET101")]


# -- write_site -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, api, mode, target, reason, atomic, kind",
    [
        ("open(p, 'w')", "open", "w", "p", None, False, "open"),
        ("open(p, mode='ab')", "open", "ab", "p", "append mode", False, "open"),
        ("open(p, 'r+')", "open", "r+", "p", "in-place update ('r+')", False, "open"),
        ("open(p, m)", "open", None, "p", "mode not known statically", False, "open"),
        ("open('x.lock', 'w')", "open", "w", "'x.lock'", "lock file (*.lock)", False, "open"),
        ("p = Path(d)\np.open('wb')", "pathlib.Path.open", "wb", "p", None, False, "open"),
        ("import gzip\ngzip.open(p, 'wt')", "gzip.open", "wt", "p", None, False, "open"),
        ("import json\njson.dump(o, open(p, 'w'))", "json.dump", "w", "p", None, False, "dump"),
        ("p = Path(d)\np.write_text(s)", "pathlib.Path.write_text", "w", "p", None, False, "path-method"),
        ("from pathlib import Path\nPath.write_bytes(p, b)", "pathlib.Path.write_bytes", "w", "p", None, False,
         "path-method"),
        ("import numpy as np\nnp.save(p, a)", "numpy.save", None, "p", None, False, "path-writer"),
        ("import torch\ntorch.save(m, p)", "torch.save", None, "p", None, False, "path-writer"),
        ("import joblib\njoblib.dump(m, filename=p)", "joblib.dump", None, "p", None, False, "path-writer"),
        ("df.to_parquet(p)", ".to_parquet", None, "p", None, False, "path-writer"),
        ("df.to_csv(path_or_buf=p, mode='a')", ".to_csv", "a", "p", "append mode", False, "path-writer"),
        ("fig.savefig(p)", ".savefig", None, "p", "figure (a report, not a data artifact)", False, "path-writer"),
        ("import matplotlib.pyplot as plt\nplt.savefig(p)", "matplotlib.pyplot.savefig", None, "p",
         "figure (a report, not a data artifact)", False, "path-writer"),
        ("import sys\ndf.to_csv(sys.stdout)", ".to_csv", None, "sys.stdout", "standard stream", False, "path-writer"),
        ("from determinism_lint.runtime import atomic_open\natomic_open(p, 'w')", "atomic_open", "w", "p", None, True,
         "safe"),
        ("write_atomic_text(p, s)", "write_atomic_text", None, "p", None, True, "safe"),
        ("import tempfile\ntempfile.NamedTemporaryFile('w')", "tempfile.NamedTemporaryFile", "w", None,
         "tempfile scratch file", False, "scratch"),
        ("import os\nos.fdopen(fd, 'wb')", "os.fdopen", "wb", None, "file descriptor", False, "scratch"),
    ],
)
def test_write_site_classification(
    source: str, api: str, mode: Optional[str], target: Optional[str], reason: Optional[str], atomic: bool, kind: str
) -> None:
    site = only_site(source + "\n")
    assert (site.api, site.mode, target_text(site), site.exempt_reason, site.atomic, site.kind) == (
        api,
        mode,
        target,
        reason,
        atomic,
        kind,
    )
    assert site.is_hazard == (reason is None and not atomic)


@pytest.mark.parametrize(
    "source",
    [
        "open(p)",
        "open(p, 'rb')",
        "p.read_text()",
        "df.to_csv()",
        "df.to_json(path_or_buf=None)",
        "import io\nbuf = io.StringIO()\ndf.to_csv(buf)",
        "import io\ndf.to_parquet(io.BytesIO())",
        "import numpy as np\nwith open(p, 'wb') as f:\n    np.save(f, a)",
        "import pandas as pd\nwriter = pd.ExcelWriter(p)\ndf.to_excel(writer)",
        "img.save(p)",
        "text = df.to_json(p)",
        "payload = {'k': obj.to_json(value)}",
        "data = TextIO()\nnp.savetxt(data, a)",
        "w = CustomWriter()\nnp.savetxt(w, a)",
        "json.dumps(o)",
        "print(x)",
    ],
)
def test_not_write_sites(source: str) -> None:
    # ``with open(p, 'wb')`` is itself a site; whoever fills the handle is not.
    found = sites(source + "\n")
    assert all(site.api == "open" and site.mode == "wb" for site in found), found


def test_inner_open_of_a_dump_is_not_a_second_site() -> None:
    found = sites("import json\njson.dump(obj, open(path, 'w'))\n")
    assert [site.api for site in found] == ["json.dump"]
    assert codes("import json\njson.dump(obj, open(path, 'w'))\n") == [(2, "DET102")]


def test_write_into_atomic_temp_path_is_atomic() -> None:
    source = """
    import numpy as np
    from determinism_lint.runtime import atomic_path

    with atomic_path(out) as tmp:
        np.save(tmp, arr)
        tmp.write_bytes(blob)
    """
    found = sites(source)
    assert [(site.api, site.atomic) for site in found] == [
        ("atomic_path", True),
        ("numpy.save", True),
        ("pathlib.Path.write_bytes", True),
    ]
    assert codes(source) == []


# -- one finding per site -------------------------------------------------------------------


def test_dump_into_open_is_one_finding() -> None:
    assert codes("import pickle\npickle.dump(model, open(path, 'wb'))\n") == [(2, "DET102")]


def test_dump_into_append_or_exempt_open_is_quiet() -> None:
    assert codes("import json\njson.dump(event, open(events, 'a'))\n") == []
    assert codes("import json\njson.dump(state, open('state.lock', 'w'))\n") == []


def test_hand_made_rename_is_one_finding_and_other_writes_still_count() -> None:
    source = """
    import json
    import os

    def publish(obj, path):
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(obj, f)
        with open(f"{path}.sha256", "w") as f:
            f.write("pending")
        os.replace(tmp, path)
    """
    assert codes(source) == [(9, "DET101"), (11, "DET105")]
    temp = sites(source)[0]
    assert temp.exempt_reason == "temp file renamed into place by hand (see DET105)"


def test_writes_artifact() -> None:
    source = """
    import os
    import tempfile

    def publish(obj, path, log):
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as tmp:
            tmp.write(obj)
        os.replace(tmp.name, path)
        with open(log, "a") as f:
            f.write("published")
        with open(path.with_suffix(".lock"), "w") as f:
            f.write("1")
        with open(path.with_suffix(".json"), "w") as f:
            f.write("{}")
    """
    found = sites(source)
    assert [(site.api, site.exempt_reason, site.writes_artifact) for site in found] == [
        ("tempfile.NamedTemporaryFile", "temp file renamed into place by hand (see DET105)", True),
        ("open", "append mode", False),
        ("open", "lock file (*.lock)", False),
        ("open", None, True),
    ]


def test_synced_hand_made_rename_is_quiet_including_its_temp_write() -> None:
    source = """
    import os

    def publish(data, path):
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    """
    assert codes(source) == []


@pytest.mark.parametrize(
    "rename",
    ["os.replace(tmp, path)", "os.rename(str(tmp), path)", "shutil.move(tmp, path)", "tmp.replace(path)",
     "tmp.rename(target=path)", "replace(tmp, path)"],
)
def test_rename_spellings(rename: str) -> None:
    source = f"""
    import os
    import shutil
    from os import replace

    def publish(text, path):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        {rename}
    """
    assert codes(source) == [(9, "DET105")]


def test_mkstemp_rename_connects_only_its_own_descriptor() -> None:
    source = """
    import os
    import tempfile

    def publish(blob, path, sidecar):
        with open(sidecar, "wb") as side:
            side.write(b"pending")
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        os.write(fd, blob)
        os.close(fd)
        os.replace(tmp, path)

    def unrelated(blob, path, other):
        fd, tmp = tempfile.mkstemp()
        with open(other, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    """
    # The sidecar is a separate artifact: still DET101. In ``unrelated`` the renamed temp
    # file is never written here, so there is no pattern to report.
    assert codes(source) == [(6, "DET101"), (11, "DET105"), (15, "DET101")]


def test_rename_without_a_write_of_the_renamed_file_is_quiet() -> None:
    source = """
    import os
    import shutil

    def finish(run_dir, archive, log_path, text):
        with open(log_path, "a") as log:
            log.write(text)
        shutil.move(run_dir, archive)
        os.replace(log_path, f"{log_path}.1")
        with open(run_dir / "later.json", "w") as f:
            f.write(text)
        os.replace(run_dir / "later.json", archive / "later.json")
    """
    # The last rename moves ``run_dir / "later.json"``, written above: that one counts.
    assert codes(source) == [(12, "DET105")]


def test_rename_in_an_exclusive_branch_is_quiet() -> None:
    source = """
    import os

    def open_log(path, mode):
        if mode == "over":
            with open(path, "w") as f:
                f.write(HEADER)
        elif mode == "rotate":
            os.rename(path, path + ".001~")

    def regenerate(path, text):
        try:
            with open(path, "w") as f:
                f.write(text)
        except Exception:
            os.rename(path, path + ".failed")
            raise
    """
    assert codes(source) == [(6, "DET101"), (13, "DET101")]


def test_rename_onto_an_exempt_target_is_quiet() -> None:
    source = """
    import os

    def write_report(text, out_dir):
        tmp = out_dir / "report.tmp"
        tmp.write_text(text)
        os.replace(tmp, out_dir / "report.md")
    """
    assert codes(source) == []


def test_safe_writer_definitions_are_not_checked_for_fsync() -> None:
    source = """
    import os

    def write_atomic_bytes(path, data):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    """
    assert codes(source) == []
    assert codes(source.replace("write_atomic_bytes", "write_bytes_to")) == [(8, "DET105")]
    assert codes(source.replace("write_atomic_bytes", "save_blob"), safe_writers=("save_blob",)) == []


def test_module_level_script_rename() -> None:
    source = """
    import os
    with open("out.json.tmp", "w") as f:
        f.write("{}")
    os.replace("out.json.tmp", "out.json")
    """
    assert codes(source) == [(5, "DET105")]


# -- settings -------------------------------------------------------------------------------


def test_extra_writers() -> None:
    source = """
    import mylib
    from mylib import io as mio

    mylib.export(table, out)
    mio.write_table(out, table)
    table.dump_to(out)
    table.dump_to()
    """
    assert codes(source) == []
    found = codes(source, extra_writers=("mylib.export:1", "mylib.io.write_table", ".dump_to"))
    assert found == [(5, "DET104"), (6, "DET104"), (7, "DET104")]
    site = sites(source, extra_writers=("mylib.export:1",))[0]
    assert (site.api, target_text(site)) == ("mylib.export", "out")


def test_extra_writer_savefig_turns_figures_into_artifacts() -> None:
    source = "import matplotlib.pyplot as plt\nplt.savefig(out / 'loss.png')\nfig.savefig(out / 'acc.png')\n"
    assert codes(source) == []
    assert codes(source, extra_writers=(".savefig", "matplotlib.pyplot.savefig")) == [(2, "DET104"), (3, "DET104")]
    # Exempt targets stay exempt.
    assert codes("fig.savefig('loss.lock')\n", extra_writers=(".savefig",)) == []


def test_safe_writers() -> None:
    source = """
    from myproj.io import save_atomically, publish

    with save_atomically(path, "w") as f:
        f.write(text)
    publish(path, text)
    """
    assert codes(source) == []
    source_with_open = textwrap.dedent(source) + "with open(path, 'w') as f:\n    f.write(text)\n"
    assert codes(source_with_open, safe_writers=("save_atomically",)) == [(7, "DET101")]
    site = sites(source, safe_writers=("myproj.io.save_atomically",))[0]
    assert site.atomic and site.api == "myproj.io.save_atomically"
    site = sites(source, safe_writers=("io.save_atomically",))[0]
    assert site.atomic


def test_safe_writer_handle_is_not_a_path() -> None:
    source = """
    import numpy as np
    from myproj.io import save_atomically

    with save_atomically(path, "wb") as f:
        np.save(f, arr)
    """
    assert codes(source, safe_writers=("save_atomically",)) == []


# -- fixability -----------------------------------------------------------------------------


def fixable(source: str, **settings: object) -> list[tuple[str, bool]]:
    return [(f.code, f.fix is not None) for f in check(source, codes=["DET1"], **settings)]


def not_fixed(source: str) -> bool:
    """Either not flagged or flagged without a fix."""
    return not any(fix for _, fix in fixable(source))


def test_fix_availability() -> None:
    assert fixable("with open(p, 'w') as f:\n    f.write(x)\n") == [("DET101", True)]
    assert fixable("with open(p, 'w') as f, open(q) as g:\n    f.write(g.read())\n") == [("DET101", True)]
    assert fixable("f = open(p, 'w')\n") == [("DET101", False)]
    assert fixable("with open(p, 'w', opener=opener) as f:\n    f.write(x)\n") == [("DET101", False)]
    assert fixable("with open(p, 'w', closefd=False) as f:\n    f.write(x)\n") == [("DET101", False)]
    assert fixable("import gzip\nwith gzip.open(p, 'wb') as f:\n    f.write(x)\n") == [("DET101", False)]
    assert fixable("import json\njson.dump(o, open(p, 'w'))\n") == [("DET102", True)]
    assert fixable("import json\nx = json.dump(o, open(p, 'w'))\n") == [("DET102", False)]
    # The receiver must be known to be a ``Path``: other objects have ``write_text`` too.
    assert fixable("p.write_text(s)\n") == []
    assert fixable("def f(p: Union[str, Path], s):\n    p.write_text(s)\n") == [("DET103", False)]
    assert fixable("(d / 'x.txt').write_text(s)\n") == [("DET103", True)]
    assert fixable("def f(p: Path, s):\n    p.write_text(s)\n") == [("DET103", True)]
    assert fixable("def f(p: Path, s):\n    p.with_suffix('.txt').write_text(s)\n") == [("DET103", True)]
    assert fixable("from pathlib import Path\np = Path(d)\np.write_text(s)\n") == [("DET103", True)]
    assert fixable("from pathlib import Path\np = Path(d)\np.parent.write_text(s)\n") == [("DET103", True)]
    assert fixable("self.target.write_text(s)\n") == []
    assert fixable("def f(p: Path, s):\n    n = p.write_text(s)\n") == [("DET103", False)]
    # Only a path can be replaced atomically: descriptors, pipes and sockets are not.
    assert not_fixed("with open(3, 'w') as f:\n    f.write(x)\n")
    assert not_fixed("import os\nr, w = os.pipe()\nwith open(w, 'wb') as f:\n    f.write(x)\n")
    assert not_fixed("with open(wfd, 'wb') as f:\n    f.write(x)\n")
    assert not_fixed("import msvcrt\nh = msvcrt.open_osfhandle(x, 0)\nwith open(h, 'wb') as f:\n    f.write(x)\n")
    assert not_fixed("with open(sock.fileno(), 'wb') as f:\n    f.write(x)\n")
    assert not_fixed("def f(fd: int):\n    with open(fd, 'w') as f:\n        f.write(x)\n")
    assert fixable("import numpy as np\nnp.save(d / 'a.npy', x)\n") == [("DET104", True)]
    assert fixable("import numpy as np\nnp.save(d / 'a', x)\n") == [("DET104", False)]
    assert fixable("import numpy as np\nnp.savez(d / 'a.npz', x=x)\n") == [("DET104", True)]
    # ``p`` could be a buffer or a URL: flagged, but the fix would not be safe.
    assert fixable("df.to_csv(p)\n") == [("DET104", False)]
    assert fixable("df.to_csv(out_dir / 'features.csv')\n") == [("DET104", True)]
    assert fixable("import torch\nok = torch.save(m, p)\n") == [("DET104", False)]


# -- positions and messages -----------------------------------------------------------------


def test_position_of_a_multi_line_call() -> None:
    source = "import torch\n\n\ndef save(m, d):\n    torch.save(\n        m.state_dict(),\n        d / 'last.pt',\n    )\n"
    (finding,) = check(source, codes=["DET1"])
    assert (finding.line, finding.col, finding.end_line, finding.end_col) == (5, 5, 8, 6)
    assert finding.message.startswith("`torch.save` on line 5 writes `d / 'last.pt'` in place")


def test_columns_are_characters_on_non_ascii_lines() -> None:
    source = "données = {}; é = open('sortie.json', 'w')\n"
    (finding,) = check(source, codes=["DET1"])
    assert finding.code == "DET101"
    col = source.index("open") + 1
    assert (finding.line, finding.col) == (1, col)
    assert finding.end_col == source.index(")") + 2


def test_messages_name_the_api_and_mode() -> None:
    # Every message names the write (its API, or the call for DET105) and its line.
    (finding,) = check("p = d / 'a'\nwith p.open('wb') as f:\n    f.write(x)\n", codes=["DET1"])
    assert finding.message.startswith("`Path.open(..., 'wb')` on line 2 writes `p` in place")
    (finding,) = check("import json as j\nj.dump(o, open(p, 'x'))\n", codes=["DET1"])
    assert finding.message.startswith("`json.dump` on line 2 into a bare `open(p, 'x')`")
    (finding,) = check("import os\ndef f(p: Path):\n    p.write_text('x')\n    os.rename(p, q)\n", codes=["DET105"])
    assert finding.message.startswith(
        "`os.rename` on line 4 publishes the file written by `p.write_text(...)` on line 3"
    )
    source = "import os, tempfile\nfd, tmp = tempfile.mkstemp()\nos.write(fd, b)\nos.close(fd)\nos.replace(tmp, p)\n"
    (finding,) = check(source, codes=["DET105"])
    assert finding.message.startswith("`os.replace` on line 5 publishes the file written by `os.write(...)` on line 3")
    (finding,) = check("import numpy as np\nnp.save(out_dir / 'emb.npy', a)\n", codes=["DET1"])
    assert finding.message.startswith("`numpy.save` on line 2 writes `out_dir / 'emb.npy'` in place")
    (finding,) = check("from pathlib import Path\nPath(out, 'a.txt').write_text(t)\n", codes=["DET1"])
    assert finding.message.startswith("`Path.write_text` on line 2 writes `Path(out, 'a.txt')` in place")


def test_noqa_suppresses() -> None:
    assert codes("with open(p, 'w') as f:  # noqa: DET101\n    pass\n") == []


def test_rule_metadata() -> None:
    assert [rule.code for rule in RULES] == ["DET101", "DET102", "DET103", "DET104", "DET105"]


# -- the write vocabulary: openers, copies, used results, descriptors ------------------------


def test_extra_writers_declare_openers() -> None:
    source = "import mylib\nwith mylib.open_blob(p, 'wb') as f:\n    f.write(b)\nwith mylib.open_blob(p) as f:\n    f.read()\n"
    assert codes(source) == []
    assert codes(source, extra_writers=("mylib.open_blob:0:1",)) == [(2, "DET101")]
    method = "with store.open_file(key, 'w') as f:\n    f.write(text)\n"
    assert codes(method, extra_writers=(".open_file:0:1",)) == [(1, "DET101")]
    assert fixable(method, extra_writers=(".open_file:0:1",)) == [("DET101", False)]


@pytest.mark.parametrize(
    "source, flagged",
    [
        ("with fs.open(p, 'wb') as f:\n    f.write(b)\n", True),
        ("with self.fs.open(p, 'w') as f:\n    f.write(b)\n", True),
        ("with fs.open(p) as f:\n    f.read()\n", False),
        ("with fs.transaction:\n    with fs.open(p, 'wb') as f:\n        f.write(b)\n", False),
        ("import fsspec\nwith fsspec.open('gs://bucket/x.bin', 'wb') as f:\n    f.write(b)\n", False),
        ("import zipfile\nwith zipfile.ZipFile(out, 'w') as zf:\n    with zf.open(name, 'w') as f:\n        f.write(b)\n",
         False),
        ("with g_pathmgr.open(p, 'w') as f:\n    f.write(b)\n", True),
        ("def f(fs=None):\n    opener = fs.open if fs else open\n    with opener(p, 'w') as f:\n        f.write(b)\n",
         True),
    ],
)
def test_file_system_openers(source: str, flagged: bool) -> None:
    assert bool(codes(source)) is flagged
    assert not_fixed(source)


def test_copies_into_place() -> None:
    assert codes("import shutil\nshutil.copyfile(src, dst)\n") == [(2, "DET104")]
    assert fixable("import shutil\nshutil.copyfile(src, out / 'a.bin')\n") == [("DET104", True)]
    # ``dst`` may be a directory: no fix for ``copy``/``copy2``.
    assert fixable("import shutil\nshutil.copy2(src, out / 'a.bin')\n") == [("DET104", False)]
    (finding,) = check("import shutil\nshutil.copy(src, dst)\n", codes=["DET1"])
    assert finding.message.startswith("`shutil.copy` on line 2 copies into `dst` in place")
    assert codes("import shutil, tempfile\nd = tempfile.mkdtemp()\nshutil.copy(src, d)\n") == []


def test_used_results_of_frame_writers() -> None:
    assert codes("def f(ds, path_or_buf):\n    return ds.to_parquet(path_or_buf)\n") == [(2, "DET104")]
    assert codes("n = df.to_csv(out / 'a.csv')\n") == [(1, "DET104")]
    assert codes("text = df.to_csv(index=False)\n") == []
    assert codes("payload = obj.to_json(value)\n") == []
    assert codes("def f(console, data: dict):\n    console.write_json(data)\n") == []


def test_os_open_truncating_and_written() -> None:
    source = "import os\nfd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)\nos.write(fd, b)\n"
    assert codes(source) == [(2, "DET101")]
    assert codes(source.replace("O_TRUNC", "O_APPEND")) == []
    assert codes("import os\nfd = os.open(p, os.O_WRONLY | os.O_TRUNC)\nos.close(fd)\n") == []


@pytest.mark.parametrize(
    "source",
    [
        "with open(p, 'x'):\n    pass\n",
        "open(p, 'w').close()\n",
        "with open(p, 'w+') as f:\n    pass\n",
        "import os\nwith open(os.path.join(cache, '.gitignore'), 'w') as f:\n    f.write('*')\n",
        "with open(root / '.dockerignore', 'w') as f:\n    f.write('*')\n",
        "with open(f'{name}.tmp', 'w') as f:\n    f.write(x)\n",
        "with open('/tmp/notice', 'w') as f:\n    f.write(x)\n",
        "def f(wfd):\n    with open(wfd, 'wb') as f:\n        f.write(x)\n",
        "import os\ndef f(p):\n    os.mkfifo(p)\n    with open(p, 'w') as f:\n        f.write(x)\n",
        "import shutil\ndef f(d):\n    with open(d + '/x.bin', 'wb') as f:\n        f.write(x)\n    shutil.rmtree(d)\n",
        "def f(tmp_path_factory):\n    d = tmp_path_factory.mktemp('data')\n"
        "    with open(d / 'x.json', 'w') as f:\n        f.write(x)\n",
        "import tempfile\nwith open(tempfile.NamedTemporaryFile(delete=False).name, 'w') as f:\n    f.write(x)\n",
        "def f(logfile=None, logdir=None):\n    if logdir:\n        logfile = logdir + '/run.log'\n"
        "    with open(logfile, 'w') as f:\n        f.write(x)\n",
        "import logging\nclass H(logging.Handler):\n    def emit(self, record):\n"
        "        with open(self.path, 'w') as f:\n            f.write(x)\n",
        "import tempfile\nclass W:\n    def __init__(self):\n        self.tmp_dir = tempfile.mkdtemp()\n\n"
        "    def save(self):\n        with open(self.tmp_dir + '/x', 'w') as f:\n            f.write(x)\n",
        # Cleared to ``None`` before it is made and after it is removed: still a temp dir.
        "import os, shutil, tempfile\nclass S3:\n    def __init__(self):\n        self._tmpdir = None\n\n"
        "    def __enter__(self):\n        self._tmpdir = tempfile.mkdtemp(prefix='s3.')\n\n"
        "    def close(self):\n        shutil.rmtree(self._tmpdir)\n        self._tmpdir = None\n\n"
        "    def get(self, name, blob):\n        with open(os.path.join(self._tmpdir, name), 'wb') as f:\n"
        "            f.write(blob)\n",
        "def f(formatter, text):\n    formatter.write_text(text)\n",
        "import os\nclass C:\n    NAME = '.gitkeep'\n\ndef f(d):\n    with open(os.path.join(d, C.NAME), 'w') as f:\n"
        "        f.write('')\n",
    ],
)
def test_writes_that_produce_no_artifact(source: str) -> None:
    assert codes(source) == []


def test_a_write_through_the_handle_is_still_flagged() -> None:
    assert codes("with open(p, 'x') as f:\n    f.write(x)\n") == [(1, "DET101")]
    assert codes("with open(p, 'w') as f:\n    json.dump(obj, f)\n") == [(1, "DET101")]


def test_a_local_function_named_like_a_removal_is_not_one() -> None:
    source = "def unlink(p):\n    pass\n\n\ndef f(p):\n    with open(p, 'w') as f:\n        f.write(x)\n    unlink(p)\n"
    assert codes(source) == [(6, "DET101")]


# -- writes that are no kept artifact, by mechanism ------------------------------------------


def test_a_temp_named_parameter_is_scratch_but_its_rename_is_still_checked() -> None:
    source = textwrap.dedent(
        """\
        import os

        def publish(data, path, tmp):
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        """
    )
    assert codes(source) == [(6, "DET105")]
    assert codes("def download(client, key, tmp):\n    with open(tmp, 'wb') as t:\n        t.write(client.get(key))\n") == []


def test_callers_decide_a_parameter_only_with_temp_provenance() -> None:
    helper = "import os\n\ndef extract(blob, dest):\n    with open(os.path.join(dest, 'a.py'), 'wb') as f:\n        f.write(blob)\n\n"
    assert codes(helper + "import tempfile\nwith tempfile.TemporaryDirectory() as d:\n    extract(b, d)\n") == []
    assert codes(helper + "import tempfile\nextract(b, dest=tempfile.mkdtemp())\n") == []
    # No caller in the module, a caller passing a kept folder, or one passing its own
    # parameter named ``tmp_dir`` (projects keep state in folders called tmp): reported.
    assert codes(helper) == [(4, "DET101")]
    assert codes(helper + "extract(b, out_dir)\n") == [(4, "DET101")]
    assert codes(helper + "def run(tmp_dir):\n    extract(b, tmp_dir)\n") == [(4, "DET101")]
    assert codes(helper + "extract(*args)\n") == [(4, "DET101")]


def test_an_attribute_set_to_a_kept_folder_somewhere_is_not_scratch() -> None:
    source = (
        "import os, tempfile\nclass W:\n    def __init__(self, out=None):\n        self.dir = out\n"
        "        if out is None:\n            self.dir = tempfile.mkdtemp()\n\n"
        "    def save(self, blob):\n        with open(os.path.join(self.dir, 'a'), 'wb') as f:\n            f.write(blob)\n"
    )
    assert codes(source) == [(9, "DET101")]


def test_a_temporary_workspace_class_and_a_plain_one() -> None:
    body = (
        "    def _update_config(self, conf):\n"
        "        with open(os.path.join(self.root_dir, 'config.local'), 'wb') as f:\n"
        "            conf.write(f)\n"
    )
    temp = (
        "import os\nimport tempfile\n\nclass TempExecutor:\n    @classmethod\n    def create(cls, repo):\n"
        "        return cls(repo, tempfile.mkdtemp())\n\n" + body
    )
    assert codes(temp) == []
    plain = "import os\n\nclass Executor:\n    @classmethod\n    def create(cls, repo):\n        return cls(repo, repo.root)\n\n" + body
    assert codes(plain) == [(9, "DET101")]


def test_profiler_dumps_child_logs_and_env_scripts_are_not_artifacts() -> None:
    assert codes("import os\nwith open(os.path.join(d, 'train.pstats'), 'wb') as f:\n    f.write(s)\n") == []
    assert codes("import subprocess\nlog = open(log_path, 'w')\nsubprocess.Popen(cmd, stderr=log)\n") == []
    assert codes("with open(env_file, 'w') as f:\n    f.write(f'export RUN_ID={run_id}\\n')\n") == []
    # Data in the same file, or a handle that is not the child's output: reported.
    assert codes("with open(env_file, 'w') as f:\n    f.write('RUN_ID=%s\\n' % run_id)\n") == [(1, "DET101")]
    assert codes("import subprocess\nlog = open(out_path, 'w')\nlog.write(subprocess.check_output(cmd))\n") == [
        (2, "DET101")
    ]


def test_a_delegating_wrapper_is_quiet_and_its_callers_are_reported() -> None:
    wrapper = (
        "class Stream:\n    def to_json(self, path_or_buf, **kwargs):\n"
        "        return Dataset(self.table).to_json(path_or_buf, **kwargs)\n\n"
    )
    assert codes(wrapper) == []
    assert codes(wrapper + "Stream().to_json('out/data.jsonl')\n") == [(5, "DET104")]
    # Forwarding to itself through ``self`` is not a delegation to another writer.
    assert codes("class Frame:\n    def to_csv(self, path):\n        self.to_csv(path)\n") == [(3, "DET104")]


def test_the_write_vocabulary_is_built_once_per_settings_object() -> None:
    import pickle

    from determinism_lint.checks.writes.vocabulary import _config
    from determinism_lint.settings import Settings

    settings = Settings()
    assert _config(settings) is _config(settings)
    changed = settings.replace(extra_writers=("pkg.io.save_blob",))
    assert "pkg.io.save_blob" in _config(changed).extra_dotted
    assert "pkg.io.save_blob" not in _config(settings).extra_dotted
    # The kept vocabulary takes no part in equality or hashing, and survives the trip to a worker.
    assert settings == Settings() and hash(settings) == hash(Settings())
    assert pickle.loads(pickle.dumps(changed)) == changed
    assert "pkg.io.save_blob" in _config(pickle.loads(pickle.dumps(changed))).extra_dotted


def test_a_module_function_of_the_same_name_is_not_a_caller() -> None:
    # ``pickle.dump(...)`` is no call of the method ``JobTask.dump``: every call of the
    # method passes the per-job scratch folder, so the pickle written there is not reported.
    source = (
        "import os, pickle, tempfile\n\nclass Runner:\n    def start(self, job):\n"
        "        self.tmp_dir = tempfile.mkdtemp()\n        job.dump(self.tmp_dir)\n\n"
        "class JobTask:\n    def dump(self, directory=''):\n"
        "        file_name = os.path.join(directory, 'job-instance.pickle')\n"
        "        pickle.dump(self, open(file_name, 'wb'))\n"
    )
    assert codes(source) == []
    kept = source.replace("self.tmp_dir = tempfile.mkdtemp()", "self.tmp_dir = self.out_dir")
    assert codes(kept) == [(11, "DET102")]


def test_name_of_a_temporary_directory_kept_in_an_attribute() -> None:
    made = (
        "import tempfile\nfrom pathlib import Path\n\nclass Checkpoint:\n    def __init__(self):\n"
        "        self._td = tempfile.TemporaryDirectory()\n\n    def save(self, blob):\n"
        "        with open(Path(self._td.name) / 'cp.bin', 'wb') as f:\n            f.write(blob)\n"
    )
    assert codes(made) == []
    # Another assignment makes it something else: no evidence the folder is scratch.
    other = made.replace("    def save(", "    def keep(self, out):\n        self._td = Store(out)\n\n    def save(")
    assert codes(other) == [(12, "DET101")]


def test_the_binding_in_effect_at_the_write_decides_scratch() -> None:
    # The name is rebound after the write: that later binding cannot reach the write.
    source = (
        "import os, tempfile\n\ndef stage(data, final):\n"
        "    path = os.path.join(tempfile.mkdtemp(), 'x.bin')\n"
        "    with open(path, 'wb') as f:\n        f.write(data)\n"
        "    path = final\n    return path\n"
    )
    assert codes(source) == []
    # Rebound before the write: the kept path is what is written.
    before = source.replace("    path = final\n    return path\n", "").replace(
        "    with open(", "    path = final\n    with open("
    )
    assert codes(before) == [(6, "DET101")]
    # Rebound later in a loop around the write: the next pass writes the kept path.
    looped = (
        "import os, tempfile\n\ndef stage(data, outs):\n"
        "    path = os.path.join(tempfile.mkdtemp(), 'x.bin')\n    for out in outs:\n"
        "        with open(path, 'wb') as f:\n            f.write(data)\n        path = out\n"
    )
    assert codes(looped) == [(6, "DET101")]
    # A closure reads the binding in effect when it is called: every binding counts.
    closure = (
        "import os, tempfile\n\ndef stage(data, final):\n"
        "    path = os.path.join(tempfile.mkdtemp(), 'x.bin')\n"
        "    def save():\n        with open(path, 'wb') as f:\n            f.write(data)\n"
        "    path = final\n    save()\n"
    )
    assert codes(closure) == [(6, "DET101")]
