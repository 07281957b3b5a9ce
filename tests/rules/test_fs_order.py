"""DET301 (unsorted-listing) and DET302 (unsorted-walk): focused behaviour."""

from __future__ import annotations

import ast

import pytest

from determinism_lint.checks.fs_order import UnsortedListing, UnsortedWalk, find_listing
from determinism_lint.model import FixSafety

from ..helpers import check, context


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check(source, codes=["DET3"], **settings)]


def one(source: str, **settings: object):
    findings = check(source, codes=["DET3"], **settings)
    assert len(findings) == 1, findings
    return findings[0]


def reports(rule, source: str, **settings: object) -> list:
    ctx = context(source, "t.py", **settings)
    tree = ctx.tree
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found.extend(rule().check(node, ctx))
    return found


# -- recognising listings ----------------------------------------------------------------------

SENSITIVE_BODY = "\n    out.append(x)\n"


@pytest.mark.parametrize(
    "header, call",
    [
        ("import os", "os.listdir(d)"),
        ("import os as o", "o.listdir(d)"),
        ("from os import listdir", "listdir(d)"),
        ("from os import listdir as ls", "ls(d)"),
        ("import os", "os.scandir(d)"),
        ("from os import scandir", "scandir(d)"),
        ("import glob", "glob.glob(pattern)"),
        ("import glob as g", "g.iglob(pattern)"),
        ("from glob import glob", "glob(pattern, recursive=True)"),
        ("from glob import iglob as find", "find(pattern)"),
        ("from pathlib import Path", "Path(d).glob('*.json')"),
        ("from pathlib import Path", "Path(d).rglob('*.json')"),
        ("from pathlib import Path", "Path(d).iterdir()"),
        ("", "root.glob('*.parquet', case_sensitive=True)"),
        ("", "self.root.iterdir()"),
    ],
)
def test_listing_calls_are_recognised(header: str, call: str) -> None:
    assert codes(f"{header}\nfor x in {call}:{SENSITIVE_BODY}") == [(2, "DET301")]


def test_import_inside_a_function() -> None:
    source = "def f(d, out):\n    from os import listdir as ls\n    for x in ls(d):\n        out.append(x)\n"
    assert codes(source) == [(3, "DET301")]


@pytest.mark.parametrize(
    "source",
    [
        # A local function, a parameter or a method that happens to share the name.
        "def listdir(d):\n    return ['b', 'a']\n\nfor x in listdir('.'):\n    out.append(x)\n",
        "def f(listdir, out):\n    for x in listdir('.'):\n        out.append(x)\n",
        "import os\ndef f(os, out):\n    for x in os.listdir('.'):\n        out.append(x)\n",
        "class Store:\n    def glob(self, p):\n        return []\n    def all(self, out):\n"
        "        for x in self.glob('*'):\n            out.append(x)\n",
        # ``glob``-named methods that take something other than a pattern.
        "for x in parser.glob(lambda: parser.current().isdigit()):\n    out.append(x)\n",
        "for x in p.glob('*', 'extra'):\n    out.append(x)\n",
        "for x in p.iterdir(0):\n    out.append(x)\n",
        # fsspec file systems return sorted lists.
        "for x in fs.glob('bucket/*.json'):\n    out.append(x)\n",
        "for x in self.s3fs.glob('bucket/*.json'):\n    out.append(x)\n",
        "import fsspec\nfor x in fsspec.filesystem('gs').glob('b/*'):\n    out.append(x)\n",
        # Other ``walk`` functions.
        "import ast\nfor node in ast.walk(tree):\n    out.append(node)\n",
        "for part in message.walk():\n    out.append(part)\n",
        # Patterns without a wildcard match at most one path.
        "import glob\nfor x in glob.glob('config.yaml'):\n    out.append(x)\n",
        "import glob\npath = glob.glob(glob.escape(name))[0]\n",
        "from pathlib import Path\nconfig = next(Path(d).glob('config.yaml'))\n",
    ],
)
def test_not_a_listing(source: str) -> None:
    assert codes(source) == []


def test_rglob_without_wildcard_still_matches_many() -> None:
    assert codes("from pathlib import Path\nfirst = next(Path(d).rglob('config.yaml'))\n") == [(2, "DET301")]


def test_find_listing_labels() -> None:
    text = "import os\nfrom pathlib import Path\nos.scandir(d)\nPath(d).glob('*')\nos.walk(d)\n"
    ctx = context(text, "t.py")
    tree = ctx.tree
    listings = [find_listing(node, ctx) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    found = sorted((listing.label, listing.kind) for listing in listings if listing is not None)
    assert found == [("Path.glob()", "list"), ("os.scandir()", "scandir"), ("os.walk()", "walk")]


# -- consumers ------------------------------------------------------------------------------------

QUIET = {
    "sorted": "import os\nnames = sorted(os.listdir(d))\nemit(names)\n",
    "set": "from pathlib import Path\nshards = set(Path(d).glob('*.parquet'))\nemit(shards)\n",
    "len of list": "from pathlib import Path\nn = len(list(Path(d).glob('*')))\n",
    "any": "from pathlib import Path\nready = any(Path(d).iterdir())\n",
    "membership": "import os\nif '_SUCCESS' in os.listdir(d):\n    publish()\n",
    "emptiness": "import os\nif not os.listdir(d):\n    os.rmdir(d)\n",
    "set comprehension": "import os\nstems = {os.path.splitext(n)[0] for n in os.listdir(d)}\n",
    "dict comprehension": "import os\nsizes = {n: os.path.getsize(n) for n in os.listdir(d)}\n",
    "counter": "import collections, os\nc = collections.Counter(n.rsplit('.', 1)[-1] for n in os.listdir(d))\n",
    "logging": "import logging, os\nlogging.info('contents: %s', os.listdir(d))\n",
    "cleanup loop": "import os, shutil\nfor n in os.listdir(tmp):\n"
    "    shutil.rmtree(os.path.join(tmp, n), ignore_errors=True)\n",
    "sorted later": "import glob\ndef f():\n    files = glob.glob('*.csv')\n    files.sort()\n    return files\n",
    "accumulated then sorted": (
        "import os\ndef f(d):\n    out = []\n    for n in os.listdir(d):\n        if n.endswith('.csv'):\n"
        "            out.append(os.path.join(d, n))\n    return sorted(out)\n"
    ),
    "max by mtime": "from pathlib import Path\nlatest = max(Path(d).glob('*.pt'), key=lambda p: p.stat().st_mtime)\n",
    "exactly one": "import glob\ndef f():\n    found = glob.glob('*.pt')\n    if len(found) != 1:\n"
    "        raise ValueError(found)\n    return found[0]\n",
    "single unpack": "import glob\n(only,) = glob.glob('*.pt')\n",
}

SENSITIVE = {
    "append": ("import os\nfor n in os.listdir(d):\n    out.append(n)\n", "out.append(...)"),
    "return": ("import os\ndef manifest(d):\n    return os.listdir(d)\n", "return os.listdir(d)"),
    "next": ("from pathlib import Path\nckpt = next(Path(d).glob('*.pt'))\n", "next("),
    "index": ("import glob\nfirst = glob.glob('*.csv')[0]\n", "glob.glob('*.csv')[0]"),
    "enumerate": ("import os\nids = {n: i for i, n in enumerate(os.listdir(d))}\n", "enumerate(...)"),
    "hash": ("import os\nfor n in os.listdir(d):\n    h.update(n.encode())\n", "h.update(...)"),
    "join": ("import os\ndef manifest(d):\n    return '\\n'.join(os.listdir(d))\n", "return"),
    "json": ("import json, os\ntext = json.dumps(os.listdir(d))\n", "json.dumps(...)"),
    "unknown call": ("import os\nprocess(os.listdir(d))\n", "process(...)"),
    "first match": (
        "import os\ndef f(d):\n    for n in os.listdir(d):\n        if n.endswith('.pt'):\n            return n\n",
        "return n",
    ),
    "string building": ("import os\ntext = ''\nfor n in os.listdir(d):\n    text += n\n", "text += ..."),
    "counter as id": ("import os\ni = 0\nfor n in os.listdir(d):\n    ids[n] = i\n    i += 1\n", "`i`"),
}


@pytest.mark.parametrize("source", QUIET.values(), ids=list(QUIET))
def test_quiet_consumers(source: str) -> None:
    assert codes(source) == []


@pytest.mark.parametrize("source, where", SENSITIVE.values(), ids=list(SENSITIVE))
def test_sensitive_consumers(source: str, where: str) -> None:
    finding = one(source)
    assert finding.code == "DET301"
    assert where in finding.message


def test_the_finding_points_at_the_listing_and_names_the_escape_line() -> None:
    source = (
        "import glob\n"
        "def load_manifest(d):\n"
        "    files = glob.glob(\n"
        "        d + '/*.csv'\n"
        "    )\n"
        "    frames = [read(f) for f in files]\n"
        "    return frames\n"
    )
    finding = one(source)
    assert (finding.line, finding.col, finding.end_line) == (3, 13, 5)
    assert "`return frames` on line 7" in finding.message
    assert finding.fix is not None and finding.fix.safety is FixSafety.SAFE


def test_one_finding_per_listing() -> None:
    source = "import os\ndef f(d, out):\n    names = os.listdir(d)\n    out.extend(names)\n    return names[0]\n"
    assert codes(source) == [(3, "DET301")]


def test_two_listings_in_one_expression() -> None:
    source = "import glob\ndef manifest():\n    files = glob.glob('a/*') + glob.glob('b/*')\n    return files\n"
    assert codes(source) == [(3, "DET301"), (3, "DET301")]
    sorted_later = (
        "import glob\ndef f():\n    files = glob.glob('a/*') + glob.glob('b/*')\n    files.sort()\n    return files\n"
    )
    assert codes(sorted_later) == []


def test_noqa() -> None:
    assert codes("import os\nfor n in os.listdir(d):  # noqa: DET301\n    out.append(n)\n") == []


# -- variable tracking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ("    return len(names)\n", []),
        ("    return names\n", [(3, "DET301")]),
        ("    names.sort()\n    return names\n", []),
        ("    emit(names)\n    names.sort()\n", [(3, "DET301")]),
        ("    if flag:\n        names.sort()\n    return names\n", [(3, "DET301")]),
        ("    names = sorted(names)\n    return names\n", []),
        ("    names = [n for n in names if n.endswith('.csv')]\n    return names\n", [(3, "DET301")]),
        ("    names = [n for n in names if n.endswith('.csv')]\n    return set(names)\n", []),
        ("    for n in names:\n        os.remove(n)\n    names = other()\n    return names\n", []),
        ("    total = sum(os.path.getsize(n) for n in names)\n    return total\n", []),
    ],
)
def test_variable_tracking(body: str, expected: list[tuple[int, str]]) -> None:
    source = "import os\ndef manifest(d, flag):\n    names = os.listdir(d)\n" + body
    assert codes(source) == expected


def test_module_level_listing_used_in_functions() -> None:
    used = "import glob\nFILES = glob.glob('conf/*.yaml')\n\ndef config_digest():\n    return [read(f) for f in FILES]\n"
    assert codes(used) == [(2, "DET301")]
    counted = "import glob\nFILES = glob.glob('conf/*.yaml')\n\ndef count():\n    return len(FILES)\n"
    assert codes(counted) == []


# -- fix data -----------------------------------------------------------------------------------


def _data(report) -> dict:
    return dict(report.data)


def test_plain_listing_is_wrapped_in_sorted() -> None:
    (report,) = reports(UnsortedListing, "import os\nfor n in os.listdir(d):\n    out.append(n)\n")
    assert report.fixable and _data(report)["wrap"] == "sorted"


def test_scandir_is_sorted_by_name() -> None:
    (report,) = reports(UnsortedListing, "import os\nfor e in os.scandir(d):\n    out.append(e.name)\n")
    assert report.fixable and _data(report)["wrap"] == "sorted_by_name"
    assert "key=lambda entry: entry.name" in report.message
    assert "DirEntry" in report.message


def test_next_needs_an_iterator() -> None:
    (report,) = reports(UnsortedListing, "from pathlib import Path\nckpt = next(Path(d).glob('*.pt'))\n")
    assert report.fixable and _data(report)["wrap"] == "next_iter_sorted"
    assert "next(iter(sorted(...)))" in report.message


def test_scandir_context_manager_has_no_fix() -> None:
    source = "import os\nwith os.scandir(d) as it:\n    for e in it:\n        out.append(e.name)\n"
    (report,) = reports(UnsortedListing, source)
    assert not report.fixable
    assert "sorted(it, key=lambda entry: entry.name)" in report.message
    assert one(source).fix is None


# -- extra-enumerators ---------------------------------------------------------------------------


def test_extra_enumerator_by_dotted_name() -> None:
    source = "from storage import list_blobs\nfor b in list_blobs('bucket'):\n    out.append(b)\n"
    assert codes(source) == []
    finding = one(source, extra_enumerators=("storage.list_blobs",))
    assert finding.line == 2 and finding.fix is None
    assert "`storage.list_blobs()`" in finding.message


def test_extra_enumerator_with_argument_index_suffix() -> None:
    source = "import storage\nfor b in storage.list_blobs('bucket'):\n    out.append(b)\n"
    assert codes(source, extra_enumerators=("storage.list_blobs:0",)) == [(2, "DET301")]


def test_extra_enumerator_by_method_name() -> None:
    source = "for b in client.list_files(prefix):\n    out.append(b)\n"
    assert codes(source, extra_enumerators=(".list_files",)) == [(1, "DET301")]
    assert codes("n = len(client.list_files(prefix))\n", extra_enumerators=(".list_files",)) == []


# -- DET302: os.walk -----------------------------------------------------------------------------

WALK = "import os\ndef f(d, out):\n    for root, dirs, files in os.walk(d):\n"


@pytest.mark.parametrize(
    "body",
    [
        # Both sorted.
        "        dirs.sort()\n        for f in sorted(files):\n            out.append(f)\n",
        "        dirs[:] = sorted(x for x in dirs if x != '.git')\n        files.sort()\n        for f in files:\n"
        "            out.append(f)\n",
        # Order-insensitive bodies.
        "        for f in files:\n            os.remove(os.path.join(root, f))\n",
        "        for f in files:\n            out.add(os.path.join(root, f))\n",
        "        out[root] = len(files)\n",
        "        if '__init__.py' in files:\n            out.add(root)\n",
        # Only the top directory.
        "        out.extend(sorted(files))\n        break\n",
        # Pruning alone is not order-sensitive.
        "        dirs[:] = [x for x in dirs if not x.startswith('.')]\n        for f in files:\n"
        "            os.chmod(os.path.join(root, f), 0o644)\n",
    ],
)
def test_walk_quiet(body: str) -> None:
    assert codes(WALK + body) == []


@pytest.mark.parametrize(
    "body, remedy",
    [
        (
            "        for f in files:\n            out.append(f)\n",
            "add `dirs.sort()` at the top of the loop body and sort `files` too (`files.sort()`, or iterate `sorted(files)`)",
        ),
        ("        dirs.sort()\n        for f in files:\n            out.append(f)\n", "sort `files` too (`files.sort()`, or iterate `sorted(files)`)"),
        ("        for f in sorted(files):\n"
            "            out.append(f)\n", "add `dirs.sort()` at the top of the loop body ("),
        ("        dirs[:] = [x for x in dirs if x != '.git']\n        out.append(root)\n", "add `dirs.sort()`"),
        ("        dirs.sort()\n        process(root, files)\n", "sort `files` too (`files.sort()`, or iterate `sorted(files)`)"),
    ],
)
def test_walk_flagged(body: str, remedy: str) -> None:
    finding = one(WALK + body)
    assert (finding.line, finding.code) == (3, "DET302")
    assert remedy in finding.message
    assert finding.fix is not None and finding.fix.safety is FixSafety.SAFE


def test_walk_message_warns_against_sorting_the_walk() -> None:
    finding = one(WALK + "        for f in files:\n            out.append(f)\n")
    assert "not `sorted(os.walk(...))`, which stops `dirs[:]` pruning" in finding.message


def test_walk_fix_data_names_the_lists() -> None:
    source = "import os\nfor top, subdirs, names in os.walk(d):\n    for n in names:\n        h.update(n.encode())\n"
    (report,) = reports(UnsortedWalk, source)
    data = _data(report)
    assert (data["dirs"], data["files"], data["sort_dirs"], data["sort_files"]) == ("subdirs", "names", True, True)


def test_walk_with_unnamed_directory_list() -> None:
    finding = one(
        "import os\ndef f(d):\n    for root, _, files in os.walk(d):\n        if 'x' in files:\n"
        "            return root\n"
    )
    assert "name the directory list and sort it in place" in finding.message


def test_sorted_walk_that_prunes_is_the_trap() -> None:
    source = (
        "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    dirs[:] = [x for x in dirs if x != 'skip']\n"
        "    for f in sorted(files):\n        out.append(f)\n"
    )
    finding = one(source)
    assert "walks the whole tree before the loop starts" in finding.message
    assert finding.fix is None


def test_sorted_walk_without_pruning_only_needs_sorted_files() -> None:
    source = "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    for f in files:\n        out.append(f)\n"
    assert "sort `files` too (`files.sort()`, or iterate `sorted(files)`)" in one(source).message
    quiet = (
        "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    for f in sorted(files):\n        out.append(f)\n"
    )
    assert codes(quiet) == []


@pytest.mark.parametrize("call", ["os.walk(d, topdown=False)", "os.walk(d, False)"])
def test_bottom_up_walk_cannot_be_sorted_in_place(call: str) -> None:
    source = (
        f"import os\nfor root, dirs, files in {call}:\n    dirs.sort()\n"
        "    for f in sorted(files):\n        out.append(f)\n"
    )
    finding = one(source)
    assert "bottom-up" in finding.message and finding.fix is None


def test_path_walk_and_fwalk() -> None:
    path_walk = "for root, dirs, files in base.walk():\n    for f in files:\n        out.append(root / f)\n"
    assert codes(path_walk) == [(1, "DET302")]
    assert codes("for root, dirs, files in base.walk(top_down=False):\n    out.append(root)\n") == [(1, "DET302")]
    fwalk = "import os\nfor root, dirs, files, fd in os.fwalk(d):\n    for f in files:\n        out.append(f)\n"
    assert codes(fwalk) == [(2, "DET302")]


def test_walk_in_a_comprehension() -> None:
    flagged = "import os\ndef tree_manifest(d):\n    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]\n"
    finding = one(flagged)
    assert finding.code == "DET302" and finding.fix is None
    assert codes("import os\npaths = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)\n") == []
    assert codes("import os\nn = sum(len(fs) for _, _, fs in os.walk(d))\n") == []


def test_next_walk() -> None:
    quiet = "import os\ndef f(d):\n    _, dirs, files = next(os.walk(d))\n    return sorted(dirs), len(files)\n"
    assert codes(quiet) == []
    finding = one("import os\ndef f(d):\n    _, dirs, files = next(os.walk(d))\n    return files\n")
    assert finding.code == "DET302" and "next(os.walk())" in finding.message and finding.fix is None


def test_walk_is_not_reported_by_det301() -> None:
    assert [f.code for f in check("import os\nfor r, d, f in os.walk(x):\n    out.append(f)\n")] == ["DET302"]


def test_listing_returned_to_callers_this_module_cannot_see() -> None:
    # A drop-in wrapper: its callers decide; quiet unless the function reaches a sink.
    assert codes("import os\ndef xlistdir(path):\n    return os.listdir(path)\n") == []
    assert codes("import os\ndef xwalk(top):\n    yield from os.walk(top)\n") == []
    assert codes("import glob\ndef records(p, load):\n    out = []\n    for f in glob.iglob(p):\n"
                 "        out.append(load(f))\n    return out\n") == []
    # A wrapper of a wrapper (``rglob`` returning ``self.glob(...)``) hands the order on too.
    wrappers = (
        "from pathlib import Path\nclass XPath:\n    def glob(self, pattern):\n"
        "        yield from Path(self.root).glob(pattern)\n    def rglob(self, pattern):\n"
        "        return self.glob('**/' + pattern)\n"
    )
    assert codes(wrappers) == []
    # A caller in the module that lets the order escape keeps the finding.
    paired = (
        "import os\nclass Pairs:\n    def names(self, path):\n        out = []\n"
        "        for name in os.listdir(path):\n            out.append(os.path.join(path, name))\n"
        "        return out\n    def __init__(self, a, b):\n        self.images = self.names(a)\n"
    )
    assert codes(paired) == [(5, "DET301")]
    # In artifact-shaping code, and for a first match returned from the loop, it is flagged.
    assert codes("import os\ndef manifest_names(d):\n    return os.listdir(d)\n") == [(3, "DET301")]
    assert codes("import os\ndef pick(d):\n    for n in os.listdir(d):\n        if n.endswith('.pt'):\n"
                 "            return n\n") == [(3, "DET301")]
    # A generator that yields entries as the walk finds them streams its order out: flagged.
    assert codes("import os\ndef package_paths(top):\n    for root, _, files in os.walk(top):\n"
                 "        for name in files:\n            yield os.path.join(root, name)\n") == [(3, "DET302")]


def test_walk_not_in_a_loop() -> None:
    finding = one("import os\ndef tree_manifest(d):\n    entries = list(os.walk(d))\n    return entries\n")
    assert finding.code == "DET302" and finding.fix is None
    assert codes("import os\nn = len(list(os.walk(d)))\n") == []


# -- order-insensitive consumers found by cause ------------------------------------------------

LOCATE = """
    import os
    def find_tool(root):
        candidates = []
        for sub in os.listdir(root):
            candidates.append(os.path.join(root, sub, "bin", "tool"))
        for candidate in candidates:
            if os.path.isfile(candidate):
                return candidate
        return {fallback}
"""


def test_first_existing_program_with_a_bare_name_fallback_is_quiet() -> None:
    assert codes(LOCATE.format(fallback='"tool"')) == []


@pytest.mark.parametrize("fallback", ["None", '"/usr/local/bin/tool"'])
def test_first_match_without_a_program_fallback_is_flagged(fallback: str) -> None:
    assert codes(LOCATE.format(fallback=fallback)) == [(5, "DET301")]


def test_fsspec_dirfs_glob_is_not_a_listing_but_pathlib_glob_is() -> None:
    source = """
        from fsspec.implementations.dirfs import DirFileSystem
        def members(fs, root, path):
            dirfs = DirFileSystem(fs=fs, path=root)
            first = list(dirfs.glob("*.json"))[0]
            return first, list(path.glob("*.json"))[0]
    """
    assert codes(source) == [(6, "DET301")]


def test_streamed_generator_kept_when_a_module_caller_keeps_the_order() -> None:
    quiet = """
        def iter_files(path):
            for item in path.iterdir():
                yield item
        def touch_all(paths):
            for p in map(iter_files, paths):
                for f in p:
                    f.touch()
    """
    assert codes(quiet) == []
    kept = """
        def iter_files(path):
            for item in path.iterdir():
                yield item
        def write_all(path, out):
            for f in iter_files(path):
                out.write(f.name)
    """
    assert codes(kept) == [(3, "DET301")]
