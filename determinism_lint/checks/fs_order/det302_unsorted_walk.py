"""DET302 (UnsortedWalk): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from ...model import FixSafety
from ..order_facts import (
    consumer_is_order_sensitive,
    describe,
    loop_body_is_order_sensitive,
    name_uses_are_order_sensitive,
    returned_to_unknown_callers,
)
from ..base import NO_FIX, Invalid, Report, Rule
from ..listing_facts.listings import Listing, _listing_call_names, find_listing
from ..listing_facts.walks import (
    _WALK_WRAPPERS,
    _first,
    _is_topdown,
    _is_trailing_break,
    _prunes,
    _sorted_in_body,
    _target_names,
    _walk_names,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext
    from ...settings import Settings


class UnsortedWalk(Rule):
    """
    ## What it does
    Flags `os.walk(...)`, `os.fwalk(...)` and `Path.walk()` loops whose results depend on the
    order of the walk, when the directory list is not sorted in place (`dirs.sort()` or
    `dirs[:] = sorted(...)`) or the file names are iterated unsorted (`for name in files`
    instead of `for name in sorted(files)`).

    A walk whose body only deletes, copies, counts, sums, logs or stores into a dict by key is
    not flagged, and neither is one whose results are collected and sorted afterwards. A walk
    that imports what it finds (`importlib.import_module(...)` for each `.py` file) is
    flagged even when the modules are only returned: plugins register themselves at import,
    in the order of the walk.
    Walks used in comprehensions or through `next(os.walk(...))` are flagged without a fix.
    A walk passed on whole to callers this module cannot see (`yield from os.walk(top)` in a
    function that is not artifact-shaping) stays quiet, as for DET301, and so does a drop-in
    walk whose callers in the module all loop over it as over `os.walk`, sorting the
    directory list in place and iterating the file names sorted. A generator named as a
    listing (`def listdir(self, path)` of a file-system class, `iglob`, `walk`) that yields
    what the walk finds is a drop-in listing too: its callers expect arbitrary order.

    ## Why is this bad?
    `os.walk` lists every directory with `os.scandir`, so both the order in which
    subdirectories are visited and the order of the file names within each directory are
    whatever the file system returns. A manifest, archive or hash built while walking differs
    between machines and runs.

    Wrapping the walk in `sorted(os.walk(...))` is not the cure: it walks the whole tree before
    the loop body runs, so pruning with `dirs[:] = [...]` silently stops working, and the file
    names inside each directory are still unsorted. Sort the directory list in place at the top
    of the loop body (the walk descends in that order) and iterate the file names sorted.

    ## Example
    ```python
    import hashlib
    import os


    def tree_digest(root: str) -> str:
        digest = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                digest.update(os.path.join(dirpath, name).encode())
        return digest.hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib
    import os


    def tree_digest(root: str) -> str:
        digest = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                digest.update(os.path.join(dirpath, name).encode())
        return digest.hexdigest()
    ```

    ## Fix safety
    The fix inserts `dirnames.sort()` and `filenames.sort()` (those that need it, with the
    loop's own names) as the first statements of the loop body; it is safe: the same
    directories and files are visited, pruning with `dirnames[:] = ...` keeps working, and
    every use of the file names in the body sees them sorted. There is no fix when the list to
    sort is unpacked as `_` (name it first), for a bottom-up walk (`topdown=False`),
    where sorting the directory list in the loop body no longer changes the order (collect the
    results and sort them, or use `determinism_lint.runtime.walk_sorted`), for walks in
    comprehensions or through `next(...)`, for `sorted(os.walk(...))` that prunes, and for
    `list(os.walk(...))`, which has walked the whole tree before the loop body runs.

    ## Test code
    Not checked in test code (`test-paths`): the order in which a test walks a directory
    reaches no artifact.

    ## References
    - [`os.walk`: modifying `dirnames` in place with `topdown=True`](https://docs.python.org/3/library/os.html#os.walk)
    - [`pathlib.Path.walk`](https://docs.python.org/3/library/pathlib.html#pathlib.Path.walk)
    """

    code = "DET302"
    name = "unsorted-walk"
    message = (
        "`os.walk()` yields directories and file names in arbitrary order: sort the directory list"
        " in place and iterate the file names sorted"
    )
    fix_title = "Sort the directory list and the file names in place at the top of the loop body"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _listing_call_names(settings)

    VALID = (
        # A file-system class's own ``listdir``: a drop-in listing, in arbitrary order by contract.
        "import os\nclass LocalFileSystem:\n    def listdir(self, path):\n"
        "        for dir_, _, files in os.walk(path):\n            for name in files:\n"
        "                yield os.path.join(dir_, name)\n",
        "import os\ndef xwalk(top, **kwargs):\n    yield from os.walk(top, **kwargs)\n",
        "import importlib, os\ndef load_plugins(root):\n    for dirpath, dirnames, filenames in os.walk(root):\n"
        "        dirnames.sort()\n        for fn in sorted(filenames):\n            importlib.import_module(fn[:-3])\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    for f in sorted(files):\n"
        "        out.append(os.path.join(root, f))\n",
        "import os\nfor root, dirs, files in os.walk(tmp):\n    for f in files:\n"
        "        os.remove(os.path.join(root, f))\n",
        "import os\ntotal = 0\nfor root, dirs, files in os.walk(d):\n    total += len(files)\n",
        "import os\ndef f(d):\n    out = []\n    for root, dirs, files in os.walk(d):\n        for f in files:\n"
        "            out.append(os.path.join(root, f))\n    return sorted(out)\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    dirs[:] = sorted(x for x in dirs if x != '.git')\n"
        "    files.sort()\n    for f in files:\n        h.update(f.encode())\n",
        "import os\nsizes = {}\nfor root, dirs, files in os.walk(d):\n    for f in files:\n"
        "        p = os.path.join(root, f)\n        sizes[p] = os.path.getsize(p)\n",
        "import os\nfound = {os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs}\n",
        "import os\npaths = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)\n",
        "import ast\nfor node in ast.walk(tree):\n    out.append(node)\n",
        "from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    dirs.sort()\n"
        "    for f in sorted(files):\n"
        "        out.append(root / f)\n",
        "import os\nfor root, dirs, files in os.walk(d):\n    if 'setup.py' in files:\n        seen.add(root)\n",
        "import os\ndef xwalk(top, **kwargs):\n    yield from os.walk(top, **kwargs)\n"
        "def iter_files(top):\n    for root, dirs, files in xwalk(top):\n        dirs[:] = sorted(dirs)\n"
        "        for name in sorted(files):\n            yield os.path.join(root, name)\n",
        # The module's only caller uploads each file to its own destination.
        "import os\ndef source_files(top):\n    names = []\n    for entry in os.walk(top):\n"
        "        for name in entry[2]:\n            names.append(os.path.join(entry[0], name))\n    return names\n"
        "def upload(bucket, top):\n    for path in source_files(top):\n"
        "        bucket.blob(path).upload_from_filename(path)\n",
        # A counter read only to decide when to log progress.
        "import logging, os, shutil\nlog = logging.getLogger(__name__)\ndef migrate(src, dst):\n    done = 0\n"
        "    for root, dirs, files in os.walk(src):\n        for name in files:\n"
        "            shutil.copyfile(os.path.join(root, name), os.path.join(dst, name))\n            done += 1\n"
        "            if done % 1000 == 0:\n                log.info('%d files copied', done)\n",
    )
    INVALID = (
        Invalid(
            "import os\ndef source_files(top):\n    names = []\n    for entry in os.walk(top):\n"
            "        for name in entry[2]:\n            names.append(os.path.join(entry[0], name))\n    return names\n"
            "def manifest(top, out):\n    for path in source_files(top):\n        out.write(path + '\\n')\n",
            fixed=NO_FIX,
        ),
        # A counter that picks which entries are copied: every 1000th in walk order.
        Invalid(
            "import os, shutil\ndef sample(src, dst):\n    done = 0\n    for root, dirs, files in os.walk(src):\n"
            "        for name in files:\n            done += 1\n            if done % 1000 == 0:\n"
            "                shutil.copyfile(os.path.join(root, name), os.path.join(dst, name))\n",
            fixed="import os, shutil\ndef sample(src, dst):\n    done = 0\n    for root, dirs, files in os.walk(src):\n"
            "        dirs.sort()\n        files.sort()\n"
            "        for name in files:\n            done += 1\n            if done % 1000 == 0:\n"
            "                shutil.copyfile(os.path.join(root, name), os.path.join(dst, name))\n",
        ),
        # Importing registers plugins in the order of the imports, whatever happens to the modules.
        Invalid(
            "import importlib, os\ndef load_plugins(root):\n    mods = []\n"
            "    for dirpath, dirnames, filenames in os.walk(root):\n        for fn in filenames:\n"
            "            mods.append(importlib.import_module(fn[:-3]))\n    return mods\n",
            fixed="import importlib, os\ndef load_plugins(root):\n    mods = []\n"
            "    for dirpath, dirnames, filenames in os.walk(root):\n        dirnames.sort()\n        filenames.sort()\n"
            "        for fn in filenames:\n"
            "            mods.append(importlib.import_module(fn[:-3]))\n    return mods\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    for f in files:\n"
            "        out.append(os.path.join(root, f))\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        out.append(os.path.join(root, f))\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    for f in files:\n"
            "        h.update(f.encode())\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        h.update(f.encode())\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    dirs[:] = [x for x in dirs if x != '.git']\n"
            "    for f in sorted(files):\n        h.update(f.encode())\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n"
            "    dirs[:] = [x for x in dirs if x != '.git']\n    for f in sorted(files):\n"
            "        h.update(f.encode())\n",
        ),
        Invalid(
            "from os import walk\ndef f(d):\n    for root, _, files in walk(d):\n        if 'model.pt' in files:\n"
            "            return root\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    for f in files:\n"
            "        writer.writerow([root / f])\n",
            fixed="from pathlib import Path\nfor root, dirs, files in Path(d).walk():\n    dirs.sort()\n"
            "    files.sort()\n"
            "    for f in files:\n        writer.writerow([root / f])\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d, topdown=False):\n    dirs.sort()\n"
            "    for f in sorted(files):\n        out.append(f)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\ndef tree_manifest(d):\n    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    dirs[:] = [x for x in dirs if x != 'skip']\n"
            "    for f in sorted(files):\n        out.append(f)\n",
            fixed=NO_FIX,
        ),
        Invalid("import os\ndef f(d):\n    _, dirs, files = next(os.walk(d))\n    return dirs\n", fixed=NO_FIX),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d):\n    for f in files:\n        print(f, file=manifest)\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n"
            "        print(f, file=manifest)\n",
        ),
        # Comments in the loop body stay with their statements; a one-line body becomes a block.
        Invalid(
            "import os\nfor top, subdirs, names in os.walk(d):  # the release tree\n    # skip VCS metadata\n"
            "    subdirs[:] = [s for s in subdirs if s != '.git']\n    out.extend(names)  # keep\n",
            fixed="import os\nfor top, subdirs, names in os.walk(d):  # the release tree\n    subdirs.sort()\n"
            "    names.sort()\n"
            "    # skip VCS metadata\n    subdirs[:] = [s for s in subdirs if s != '.git']\n"
            "    out.extend(names)  # keep\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in os.walk(d): out.extend(files)  # all of them\n",
            fixed="import os\nfor root, dirs, files in os.walk(d):  # all of them\n    dirs.sort()\n    files.sort()\n"
            "    out.extend(files)\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files in sorted(os.walk(d)):\n    for f in files:\n        out.append(f)\n",
            fixed="import os\nfor root, dirs, files in sorted(os.walk(d)):\n    files.sort()\n    for f in files:\n"
            "        out.append(f)\n",
        ),
        Invalid(
            "import os\nfor root, dirs, files, fd in os.fwalk(d):\n    for f in files:\n        out.append(f)\n",
            fixed="import os\nfor root, dirs, files, fd in os.fwalk(d):\n    dirs.sort()\n    files.sort()\n"
            "    for f in files:\n        out.append(f)\n",
        ),
        Invalid(
            "import os\ndef xwalk(top):\n    yield from os.walk(top)\n"
            "def write_listing(top, out):\n    for root, dirs, files in xwalk(top):\n        for name in files:\n"
            "            out.write(name + '\\n')\n",
            fixed=NO_FIX,
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        listing = find_listing(node, ctx)
        if listing is None or listing.kind != "walk":
            return
        parent = ctx.parent(node)
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            yield from self._check_loop(listing, parent, None, ctx)
            return
        if isinstance(parent, ast.Call) and node in parent.args:
            wrapper = ctx.call_name(parent)
            loop = ctx.parent(parent)
            if wrapper in _WALK_WRAPPERS and isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is parent:
                yield from self._check_loop(listing, loop, wrapper, ctx)
                return
            if wrapper == "builtins.next":
                report = self._check_next(listing, parent, ctx)
                if report is not None:
                    yield report
                return
        escape = consumer_is_order_sensitive(node, ctx)
        if (
            escape is not None
            and not returned_to_unknown_callers(escape, ctx)
            and not self._callers_sort_the_walk(listing, escape, ctx)
        ):
            yield Report(
                node,
                f"`{listing.label}` visits directories and files in arbitrary order and the order reaches"
                f" {describe(escape)}: sort the result",
                fixable=False,
                data=(("label", listing.label), ("reaches", describe(escape))),
            )

    def _callers_sort_the_walk(self, listing: Listing, escape: ast.AST, ctx: Context) -> bool:
        """A drop-in walk (``yield from os.walk(top)``, ``return os.walk(top)``) whose callers in
        this module all loop over it as over ``os.walk`` itself, sorting the directory list in
        place and iterating the file names sorted: the order they see is sorted."""
        if not (isinstance(escape, (ast.YieldFrom, ast.Return)) and escape.value is listing.call):
            return False
        function = ctx.enclosing_function(escape)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        calls = [call for call in ctx.calls_by_name.get(function.name, ()) if isinstance(call, ast.Call)]
        if not calls:
            return False
        for call in calls:
            loop = ctx.parent(call)
            if not (isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is call):
                return False
            if next(self._check_loop(Listing(call, listing.label, "walk"), loop, None, ctx), None) is not None:
                return False
        return True

    def _check_loop(
        self, listing: Listing, loop: Union[ast.For, ast.AsyncFor], wrapper: Optional[str], ctx: Context
    ) -> Iterator[Report]:
        call = listing.call
        dirs, files = _walk_names(loop.target)
        if wrapper is not None and dirs is not None and _prunes(loop, dirs):
            yield Report(
                call,
                f"`{wrapper.split('.')[-1]}({listing.label})` walks the whole tree before the loop starts, so changing"
                f" `{dirs}` in the loop prunes nothing: loop over the walk itself and sort `{dirs}` in place",
                fixable=False,
                data=(("label", listing.label),),
            )
            return
        walk_escape = loop_body_is_order_sensitive(loop, ctx) if wrapper != "builtins.sorted" else None
        if walk_escape is not None and _is_trailing_break(walk_escape, loop, _target_names(loop.target)):
            walk_escape = None  # ``if not recursive: break`` after the top directory
        if dirs is None:
            # ``for entry in os.walk(d)``: nothing to sort in place.
            if walk_escape is not None and not returned_to_unknown_callers(walk_escape, ctx):
                yield Report(
                    call,
                    f"`{listing.label}` yields directories and files in arbitrary order and the order reaches"
                    f" {describe(walk_escape)}: unpack `root, dirs, files`, sort `dirs` in place and iterate"
                    " the file names sorted",
                    fixable=False,
                    data=(("label", listing.label), ("reaches", describe(walk_escape))),
                )
            return
        if wrapper in ("builtins.list", "builtins.tuple"):
            escape = walk_escape or (name_uses_are_order_sensitive(files, loop.target, loop, ctx) if files else None)
            if escape is not None:
                yield Report(
                    call,
                    f"`{wrapper.split('.')[-1]}({listing.label})` walks the whole tree in arbitrary order before the"
                    f" loop starts, and the order reaches {describe(escape)}: loop over the walk itself, sort"
                    f" `{dirs}` in place and iterate the file names sorted",
                    fixable=False,
                    data=(("label", listing.label), ("reaches", describe(escape))),
                )
            return
        # Bottom-up, the walk has already listed and descended before the body runs.
        dirs_sorted = _is_topdown(call, listing) and _sorted_in_body(loop, dirs)
        files_escape = None if files is None else name_uses_are_order_sensitive(files, loop.target, loop, ctx)
        if walk_escape is not None and returned_to_unknown_callers(walk_escape, ctx):
            walk_escape = None
        if files_escape is not None and returned_to_unknown_callers(files_escape, ctx):
            files_escape = None
        sort_dirs = walk_escape is not None and not dirs_sorted
        if not sort_dirs and files_escape is None:
            return
        escape = _first(walk_escape if sort_dirs else None, files_escape)
        head = (
            f"`{listing.label}` yields directories and files in arbitrary order and the order reaches"
            f" {describe(escape)}"
        )
        data: tuple[tuple[str, object], ...] = (
            ("label", listing.label),
            ("reaches", describe(escape)),
            ("dirs", dirs),
            ("files", files or ""),
            ("sort_dirs", sort_dirs),
            ("sort_files", files_escape is not None),
        )
        if sort_dirs and not _is_topdown(call, listing):
            yield Report(
                call,
                f"{head}: in a bottom-up walk sorting `{dirs}` in place changes nothing; collect the results and"
                " sort them, or walk with `determinism_lint.runtime.walk_sorted`",
                fixable=False,
                data=data,
            )
            return
        remedies = []
        if sort_dirs:
            if dirs == "_":
                remedies.append("name the directory list and sort it in place at the top of the loop body")
            else:
                remedies.append(f"add `{dirs}.sort()` at the top of the loop body")
        if files_escape is not None:
            remedies.append(f"sort `{files}` too (`{files}.sort()`, or iterate `sorted({files})`)")
        tail = f" (not `sorted({listing.label[:-1]}...))`, which stops `{dirs}[:]` pruning)" if sort_dirs else ""
        # ``for root, _, files in os.walk(d)``: the fix sorts the lists by name; ``_`` it leaves alone.
        unnamed = (sort_dirs and dirs == "_") or (files_escape is not None and files == "_")
        yield Report(call, f"{head}: {' and '.join(remedies)}{tail}", fixable=not unnamed, data=data)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import _fix_data, _walk_fix

        data = _fix_data(self, ctx)
        if data is None:
            return None
        names = [str(data[key]) for key, flag in (("dirs", "sort_dirs"), ("files", "sort_files")) if data.get(flag)]
        return _walk_fix(node, ctx, names)

    def _check_next(self, listing: Listing, next_call: ast.Call, ctx: Context) -> Optional[Report]:
        statement = ctx.parent(next_call)
        escape: Optional[ast.AST] = None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            dirs, files = _walk_names(statement.targets[0])
            scope = ctx.enclosing_scope(statement)
            for name in (dirs, files):
                if name is not None and escape is None:
                    escape = name_uses_are_order_sensitive(name, statement, scope, ctx)
        elif isinstance(statement, ast.Subscript) and statement.value is next_call:
            # ``next(os.walk(d))[2]``: the file names; ``[0]`` is the top directory itself.
            index = statement.slice
            if isinstance(index, ast.Constant) and index.value == 0:
                return None
            escape = consumer_is_order_sensitive(statement, ctx)
        else:
            escape = consumer_is_order_sensitive(next_call, ctx)
        if escape is None:
            return None
        return Report(
            listing.call,
            f"the name lists from `next({listing.label})` are in arbitrary order and the order reaches"
            f" {describe(escape)}: sort them (`sorted(...)`)",
            fixable=False,
            data=(("label", listing.label), ("reaches", describe(escape))),
        )
