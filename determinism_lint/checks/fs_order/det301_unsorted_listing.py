"""DET301 (UnsortedListing): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..order_facts import consumer_is_order_sensitive, describe, returned_to_unknown_callers
from ..base import NO_FIX, Invalid, Report, Rule
from ..listing_facts.listings import Listing, _listing_call_names, _locates_a_program, find_listing, matches_at_most_one
from ..listing_facts.wrapping import wrap_form

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext
    from ...settings import Settings


class UnsortedListing(Rule):
    """
    ## What it does
    Flags a directory listing whose result is used in an order-sensitive way: `os.listdir`,
    `os.scandir`, `glob.glob`, `glob.iglob`, `Path.glob`, `Path.rglob` and `Path.iterdir`
    (plus the calls named in `extra-enumerators`) whose entries are appended to a list that
    is returned or written, hashed, written to a file, numbered, picked with `next(...)` or
    `[0]`, or passed on to code that may depend on their order.

    Order-insensitive uses stay quiet: `sorted(...)`, `set(...)`, `len(...)`, `any`/`all`,
    `sum`/`min`/`max`, `collections.Counter`, a helper named for sorting (`natural_sort(...)`,
    `sorted_shards(...)`), a Hub commit (`create_commit(operations=...)`, one operation per
    path), membership and emptiness tests, set and dict
    comprehensions, logging, and loops that only delete, move or copy files, count, or store
    into a dict by key, or that send each entry to a destination of its own
    (`bucket.Object(prefix + entry.name).put(Body=f)`: the order does not change which file
    lands where). A recursive walk that merges each child's dict into a local dict
    (`hashes.update(self.hashes_of(child))`) fills it by key too. A list that is sorted in
    place (`names.sort()`) before its first order-sensitive use is fine too, and so is an
    attribute reassigned from `sorted(...)` (`self.files = sorted(self.files)`) by the next
    statement that mentions its owner, and a table built from the entries and re-sorted at
    once (`pd.DataFrame(rows).sort_values("run")`, or `frame = frame.sort_values(...)` as the
    next statement). Importing each entry for the import's sake
    (`importlib.import_module(...)` as a statement, or collected into a list; also
    `__import__`, `runpy.run_path`) is order-sensitive: plugins that register themselves at
    import do so in the listing's order. A package importing its own modules as statements
    (a listing of `os.path.dirname(__file__)`, also handed to a helper by every caller) fills
    its registries by name (`@register_model("lstm")`) and stays quiet. `os.walk` has its own rule (DET302).

    Returning or yielding the entries (or a list built from them) hands the order to the
    callers: that counts only where the function is artifact-shaping by evidence, or where a
    function of the same module calls it and lets the order escape. A drop-in wrapper of
    `os.listdir` whose callers this module cannot see mirrors the standard library's contract
    and stays quiet. A `return` inside the loop over the entries is a first match, flagged
    wherever it is. A `yield` inside it streams the entries to callers as the loop finds them:
    flagged unless the module's own callers (direct calls, or `map(gen, items)`) all consume
    the stream order-insensitively, such as patching each file in place; a recursive
    `yield from gen(child)` continues the same stream. A generator named as a listing
    (`def listdir(self, path)` of a file-system class, `iglob`) is a drop-in listing: its
    callers expect arbitrary order. fsspec file systems
    (`fs = DirFileSystem(...)`, `fsspec.filesystem(...)`, `HfFileSystem(...)`) return `glob`
    results sorted and are not listings, nor is `zipfile.Path(zf).iterdir()` (the archive's own
    member order). A first match that locates a program (the loop
    returns the first candidate that exists, the function falls back to a bare name such as
    `"git"`) is quiet: any installed copy gives the same effect. Entries grouped into the
    lists of a local dict (`groups[key].append(path)`) are judged by what the code does with
    the dict and each group it looks up: `len(groups[k])` and `min(groups, key=...)` ignore
    the order, writing or returning a group does not. A listing passed to a
    function of the same module
    (`delete_all(*root.glob("*.egg-info"))`, `write_lines(os.listdir(d), target)`) is judged
    by what that function does with the parameter, and the message names the sink inside it.

    ## Why is this bad?
    The operating system returns directory entries in whatever order the file system keeps
    them: it differs between ext4, XFS, APFS, NTFS and network file systems, and changes as
    files are created and deleted. A manifest, a shard list, a hash over "all files in the
    directory" or the checkpoint picked by `next(ckpt_dir.glob("*.pt"))` then differs from run
    to run and from machine to machine, and the artifact is no longer byte-identical.

    ## Example
    ```python
    import hashlib
    from pathlib import Path


    def dataset_fingerprint(root: Path) -> str:
        digest = hashlib.sha256()
        for shard in root.glob("*.parquet"):
            digest.update(shard.read_bytes())
        return digest.hexdigest()
    ```

    ## Use instead
    ```python
    import hashlib
    from pathlib import Path


    def dataset_fingerprint(root: Path) -> str:
        digest = hashlib.sha256()
        for shard in sorted(root.glob("*.parquet")):
            digest.update(shard.read_bytes())
        return digest.hexdigest()
    ```

    ## Fix safety
    The fix wraps the listing in `sorted(...)`, which is safe: the same entries, now in a fixed
    order. `os.scandir` gets `sorted(..., key=lambda entry: entry.name)`, because `DirEntry`
    objects don't compare. `list(p.glob(...))` becomes `sorted(p.glob(...))` (a list either
    way). `sorted` returns a list, not an iterator, so where the consumer may need an iterator
    the fix keeps one: `next(p.glob(...))` becomes `next(iter(sorted(p.glob(...))))`, and a
    generator or `os.scandir` iterator that is returned, passed on, or used after `next(...)`
    is wrapped in `iter(sorted(...))`. Where the iterator object itself is used (`it.close()`,
    `with it:`), for `with os.scandir(...) as it` (sort where `it` is iterated), for an
    `os.scandir` iterator that leaves the function, and for calls named in `extra-enumerators`,
    whose entries may not be comparable, there is no fix.

    ## Test code
    Not checked in test code (`test-paths`): the order in which a test lists files reaches no
    artifact.

    ## References
    - [`os.listdir`: "The list is in arbitrary order"](https://docs.python.org/3/library/os.html#os.listdir)
    - [`os.scandir`: "The entries are yielded in arbitrary order"](https://docs.python.org/3/library/os.html#os.scandir)
    - [`glob`: the path names are returned in no particular order](https://docs.python.org/3/library/glob.html)
    - [`Path.glob` and `Path.rglob`: the paths are returned in no particular
      order](https://docs.python.org/3/library/pathlib.html#pathlib.Path.glob)
    - [bpo-30461](https://bugs.python.org/issue30461): sorting `glob.glob` results in CPython itself,
      asked for by reproducible-builds packagers, was declined; callers have to sort
    """

    code = "DET301"
    name = "unsorted-listing"
    message = "directory listing is used in the file system's arbitrary order: wrap it in `sorted(...)`"
    fix_title = "Wrap the listing in `sorted(...)`"
    fix_safety = FixSafety.SAFE
    node_types = (ast.Call,)
    fix_node = ("Call",)

    @classmethod
    def call_names(cls, settings: Settings) -> Optional[frozenset[str]]:
        return _listing_call_names(settings)

    VALID = (
        # A helper named for sorting settles the order; a zip archive lists its own members.
        "import glob\ndef old_checkpoints(d, keep):\n    return natural_sort(glob.glob(d + '/global_step*'))[:-keep]\n",
        "import zipfile\ndef batches(zf):\n    root = zipfile.Path(zf)\n    return [p.name for p in root.iterdir()]\n",
        # One Hub commit of an operation per file: the same tree whatever the order.
        "import os\nfrom huggingface_hub import CommitOperationAdd, create_commit\n\ndef push(work_dir, repo_id):\n"
        "    ops = [CommitOperationAdd(path_or_fileobj=os.path.join(work_dir, f), path_in_repo=f)\n"
        "           for f in os.listdir(work_dir)]\n    return create_commit(repo_id=repo_id, operations=ops)\n",
        # Sorted unless there is at most one entry.
        "import glob, os\ndef find_files(directory, exts):\n    files = []\n    for ext in exts:\n"
        "        files.extend(glob.glob(os.path.join(directory, ext)))\n    if len(files) > 0:\n"
        "        files = sorted(files)\n    return files\n",
        # Whether the folder is empty: the entry itself is dropped.
        "def dir_is_empty(d):\n    try:\n        next(d.glob('*'))\n        return False\n"
        "    except StopIteration:\n        return True\n",
        # A package importing its own modules: they register themselves by name.
        "import importlib, os\nfor file in os.listdir(os.path.dirname(__file__)):\n"
        "    if file.endswith('.py') and not file.startswith('_'):\n"
        "        importlib.import_module('pkg.models.' + file[:-3])\n",
        "import importlib, os\n\ndef import_models(models_dir, namespace):\n    for file in os.listdir(models_dir):\n"
        "        if file.endswith('.py'):\n            importlib.import_module(namespace + '.' + file[:-3])\n\n"
        "import_models(os.path.dirname(__file__), 'pkg.models')\n",
        # The code asserts a single match: the order picks nothing.
        "import glob, json\n\ndef load_only(folder):\n    files = glob.glob(folder + '/text*')\n"
        "    assert len(files) == 1, 'one inference file expected'\n    with open(files[0]) as f:\n"
        "        return json.load(f)\n",
        # A column's GLOB operator in a query, not a listing.
        "def files_under(dc, path):\n    return dc.filter((C('file.path') == path) | C('file.path').glob(path + '/*'))\n",
        "def matching(chain, pattern):\n    return chain.filter(Column('file.path').glob(pattern))\n",
        "import glob\nimport torch\n\ndef merge_shards(ckpt_dir, out):\n    state_dict = {}\n"
        "    for shard in glob.glob(f'{ckpt_dir}/*.pt'):\n        state_dict.update(torch.load(shard))\n"
        "    torch.save(state_dict, out)\n",
        "import os\nnames = sorted(os.listdir(d))\nfor name in names:\n    out.append(name)\n",
        "import os\nfor name in os.listdir(tmp):\n    os.remove(os.path.join(tmp, name))\n",
        "import os\nif not os.listdir(d):\n    raise SystemExit('empty')\n",
        "import os\nimport pandas as pd\nrows = [{'run': run} for run in os.listdir(d)]\n"
        "frame = pd.DataFrame(rows)\nframe = frame.sort_values('run')\nframe.to_csv(out)\n",
        "import glob\ncount = len(glob.glob('*.csv'))\n",
        "from pathlib import Path\nhas_any = any(Path(d).iterdir())\n",
        "from pathlib import Path\nnames = {p.name for p in Path(d).glob('*.json')}\n",
        "import os\nif 'done' in os.listdir(d):\n    finish()\n",
        "def f(d):\n    names = os.listdir(d)\n    names.sort()\n    return names\n\nimport os\n",
        "import glob\nfiles = []\nfor f in glob.glob('*.txt'):\n    files.append(f)\nfiles.sort()\nemit(files)\n",
        "import os\nsizes = {name: os.path.getsize(name) for name in os.listdir('.')}\n",
        "from pathlib import Path\nlatest = max(Path(d).glob('*.pt'), key=lambda p: p.stat().st_mtime)\n",
        "import os\nimport logging\nlogging.info('found %s', os.listdir(d))\n",
        "def listdir(d):\n    return ['a', 'b']\n\nfor name in listdir('x'):\n    out.append(name)\n",
        "import fsspec\nfs = fsspec.filesystem('s3')\nfor path in fs.glob('bucket/*.json'):\n    out.append(path)\n",
        "import os\ndef xlistdir(path):\n    return os.listdir(path)\n",
        "import glob\ndef find_records(pattern, load):\n    found = []\n    for path in glob.iglob(pattern):\n"
        "        found.append(load(path))\n    return found\n",
        "from fsspec.implementations.dirfs import DirFileSystem\ndef stale_files(fs, root, data_dir):\n"
        "    dirfs = DirFileSystem(fs=fs, path=root)\n    return list(dirfs.glob(f'{data_dir}/*'))\n",
        "import glob\nfrom collections import defaultdict\ndef best_num_proc(prefix):\n"
        "    groups = defaultdict(list)\n    for path in glob.iglob(prefix + '*'):\n"
        "        groups[int(path.rsplit('_', 1)[1])].append(path)\n"
        "    return min(groups, key=lambda n: (n - len(groups[n]), n))\n",
        "import os\ndef find_git(root):\n    candidates = []\n    for sub in os.listdir(root):\n"
        "        candidates.append(os.path.join(root, sub, 'bin', 'git.exe'))\n    for candidate in candidates:\n"
        "        if os.path.isfile(candidate):\n            return candidate\n    return 'git'\n",
        "import pathlib\nclass Group:\n    def commands(self):\n"
        "        self._files = [str(p) for p in pathlib.Path('.').glob('*.py')]\n"
        "        self._files = sorted(self._files)\n        return self._files\n",
        "import os\ndef upload(table, s3, bucket, key):\n    for file in table.iterdir():\n"
        "        with file.open('rb') as f:\n            s3.Object(bucket, os.path.join(key, file.name)).put(Body=f)\n",
        "class Files:\n    def hashes_of(self, p):\n        if not p.is_dir():\n"
        "            return {str(p): digest(p)}\n        hashes = {}\n        for child in p.iterdir():\n"
        "            hashes.update(self.hashes_of(child))\n        return hashes\n",
        "import importlib, os\ndef load_plugins(root):\n    for name in sorted(os.listdir(root)):\n"
        "        importlib.import_module(name[:-3])\n",
        "import importlib, os\ndef load_pipelines(root):\n    found = {}\n    for name in os.listdir(root):\n"
        "        module = importlib.import_module(name)\n        found[name] = module.create_pipeline()\n"
        "    return found\n",
        # A generator whose only caller patches each file in place: the visiting order cannot matter.
        "from itertools import chain\ndef iter_subtree(path):\n    for item in path.iterdir():\n"
        "        if item.is_dir():\n            yield from iter_subtree(item)\n        else:\n            yield item\n"
        "def patch_all(paths):\n    for file in chain.from_iterable(map(iter_subtree, paths)):\n"
        "        file.write_text(file.read_text().replace('a', 'b'))\n",
        # Only whether the directory has a first entry counts, not which one it is.
        "import os\ndef remove_if_empty(d):\n    with os.scandir(d) as it:\n        if next(it, None) is None:\n"
        "            os.rmdir(d)\n",
        # A helper nested in the caller copies each file to its own destination.
        "import shutil\nfrom pathlib import Path\ndef snapshot(dest):\n    def copy_files(files, target):\n"
        "        for f in set(files):\n            shutil.copy(f, target)\n"
        "    copy_files(list(Path().glob('config*')), dest)\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport os\n\ndef merged_config(conf_dir, out):\n    config = {}\n"
            "    for name in os.listdir(conf_dir):\n        with open(os.path.join(conf_dir, name)) as f:\n"
            "            config.update(json.load(f))\n    with open(out, 'w') as f:\n        json.dump(config, f, sort_keys=True)\n",
            fixed=(
                "import json\nimport os\n\ndef merged_config(conf_dir, out):\n    config = {}\n"
                "    for name in sorted(os.listdir(conf_dir)):\n        with open(os.path.join(conf_dir, name)) as f:\n"
                "            config.update(json.load(f))\n    with open(out, 'w') as f:\n        json.dump(config, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "import os\nfor name in os.listdir(d):\n    out.append(name)\n",
            fixed="import os\nfor name in sorted(os.listdir(d)):\n    out.append(name)\n",
        ),
        Invalid(
            "from os import listdir\ndef manifest_names(d):\n    return listdir(d)\n",
            fixed="from os import listdir\ndef manifest_names(d):\n    return sorted(listdir(d))\n",
        ),
        Invalid(
            "import glob as g\nfirst = g.glob('*.csv')[0]\n",
            fixed="import glob as g\nfirst = sorted(g.glob('*.csv'))[0]\n",
        ),
        Invalid(
            "from pathlib import Path\nckpt = next(Path(d).glob('*.pt'))\n",
            fixed="from pathlib import Path\nckpt = next(iter(sorted(Path(d).glob('*.pt'))))\n",
        ),
        Invalid(
            "import os\nfor i, name in enumerate(os.listdir(d)):\n    ids[name] = i\n",
            fixed="import os\nfor i, name in enumerate(sorted(os.listdir(d))):\n    ids[name] = i\n",
        ),
        Invalid(
            "import hashlib, os\nh = hashlib.sha256()\nfor e in os.scandir(d):\n    h.update(e.name.encode())\n",
            fixed="import hashlib, os\nh = hashlib.sha256()\n"
            "for e in sorted(os.scandir(d), key=lambda entry: entry.name):\n"
            "    h.update(e.name.encode())\n",
        ),
        Invalid(
            "import glob\ndef csv_manifest():\n    files = glob.glob('*.csv')\n    return ','.join(files)\n",
            fixed="import glob\ndef csv_manifest():\n    files = sorted(glob.glob('*.csv'))\n    return ','.join(files)\n",
        ),
        Invalid(
            "import json, glob\njson.dumps(glob.glob('*.csv'))\n",
            fixed="import json, glob\njson.dumps(sorted(glob.glob('*.csv')))\n",
        ),
        Invalid(
            "from pathlib import Path\ndef shard_manifest(root):\n    for p in root.rglob('*.parquet'):\n        yield p",
            fixed="from pathlib import Path\ndef shard_manifest(root):\n    for p in sorted(root.rglob('*.parquet')):\n"
            "        yield p",
        ),
        Invalid(
            "import os\ndef first_match(d):\n    for name in os.listdir(d):\n        if name.endswith('.pt'):\n"
            "            return name\n",
            fixed="import os\ndef first_match(d):\n    for name in sorted(os.listdir(d)):\n"
            "        if name.endswith('.pt'):\n"
            "            return name\n",
        ),
        Invalid(
            "import os\nwith os.scandir(d) as it:\n    for entry in it:\n        out.append(entry.name)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "for blob in client.list_blobs('bucket'):\n    out.append(blob)\n",
            fixed=NO_FIX,
            settings=(("extra_enumerators", (".list_blobs",)),),
        ),
        Invalid(
            "import glob\ntext = ''\nfor f in glob.iglob('*.md'):\n    text += f\nemit(text)\n",
            fixed="import glob\ntext = ''\nfor f in sorted(glob.iglob('*.md')):\n    text += f\nemit(text)\n",
        ),
        Invalid(
            "def upload_all(table, s3, bucket, key):\n    for file in table.iterdir():\n"
            "        s3.Object(bucket, key).put(Body=file.read_bytes())\n",
            fixed="def upload_all(table, s3, bucket, key):\n    for file in sorted(table.iterdir()):\n"
            "        s3.Object(bucket, key).put(Body=file.read_bytes())\n",
        ),
        Invalid(
            "import pathlib\nclass Group:\n    def commands(self):\n"
            "        self._files = [str(p) for p in pathlib.Path('.').glob('*.py')]\n"
            "        self.publish()\n        self._files = sorted(self._files)\n",
            fixed="import pathlib\nclass Group:\n    def commands(self):\n"
            "        self._files = [str(p) for p in sorted(pathlib.Path('.').glob('*.py'))]\n"
            "        self.publish()\n        self._files = sorted(self._files)\n",
        ),
        Invalid(
            "import importlib, os\ndef load_plugins(root):\n    for name in os.listdir(root):\n"
            "        importlib.import_module(name[:-3])\n",
            fixed="import importlib, os\ndef load_plugins(root):\n    for name in sorted(os.listdir(root)):\n"
            "        importlib.import_module(name[:-3])\n",
        ),
        # ``list(...)`` of a listing: ``sorted(...)`` is a list too.
        Invalid(
            "def latest(root):\n    return list(root.glob('*.pt'))[-1]\n",
            fixed="def latest(root):\n    return sorted(root.glob('*.pt'))[-1]\n",
        ),
        Invalid(
            "import os\nentries = list(os.scandir(d))  # one pass\nemit([e.name for e in entries])\n",
            fixed="import os\nentries = sorted(os.scandir(d), key=lambda entry: entry.name)  # one pass\n"
            "emit([e.name for e in entries])\n",
        ),
        Invalid(
            "from pathlib import Path\ndef snapshot(out):\n    def write_names(files, stream):\n"
            "        for f in files:\n            stream.write(str(f))\n"
            "    write_names(list(Path().glob('config*')), out)\n",
            fixed="from pathlib import Path\ndef snapshot(out):\n    def write_names(files, stream):\n"
            "        for f in files:\n            stream.write(str(f))\n"
            "    write_names(sorted(Path().glob('config*')), out)\n",
        ),
        Invalid(
            "import os\ndef first_entry(d):\n    with os.scandir(d) as it:\n        entry = next(it, None)\n"
            "    return entry\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\nfirst = next(os.scandir(d))\n",
            fixed="import os\nfirst = next(iter(sorted(os.scandir(d), key=lambda entry: entry.name)))\n",
        ),
        # A generator that leaves the function stays an iterator: callers may call ``next`` on it.
        Invalid(
            "def shard_manifest(root):\n    return root.glob('*.parquet')\n",
            fixed="def shard_manifest(root):\n    return iter(sorted(root.glob('*.parquet')))\n",
        ),
        Invalid(
            "import glob\ndef f(pattern):\n    found = glob.iglob(pattern)\n    header = next(found)\n"
            "    return header, [p for p in found]\n",
            fixed="import glob\ndef f(pattern):\n    found = iter(sorted(glob.iglob(pattern)))\n"
            "    header = next(found)\n"
            "    return header, [p for p in found]\n",
        ),
        Invalid(
            "def manifest(root):\n    paths = root.iterdir()\n    return [p.name for p in paths]\n",
            fixed="def manifest(root):\n    paths = sorted(root.iterdir())\n    return [p.name for p in paths]\n",
        ),
        Invalid(
            "import os\ndef manifest_lines(d):\n    lines = []\n    for e in os.scandir(  # the shard directory\n        d\n    ):\n"
            "        lines.append(e.name)\n    return lines\n",
            fixed="import os\ndef manifest_lines(d):\n    lines = []\n    for e in sorted(os.scandir(  # the shard directory\n"
            "        d\n    ),"
            " key=lambda entry: entry.name):\n        lines.append(e.name)\n    return lines\n",
        ),
        # An iterator object: ``it.close()`` / returned ``DirEntry`` iterators have no fix.
        Invalid(
            "import os\ndef manifest_names(d):\n    it = os.scandir(d)\n    names = [e.name for e in it]\n    it.close()\n"
            "    return names\n",
            fixed=NO_FIX,
        ),
        Invalid("import os\ndef manifest_entries(d):\n    return os.scandir(d)\n", fixed=NO_FIX),
        Invalid(
            "import glob\nfrom collections import defaultdict\ndef shards_by_split(prefix, out):\n"
            "    groups = defaultdict(list)\n    for path in glob.iglob(prefix + '*'):\n"
            "        groups[path.split('-')[0]].append(path)\n    out.write('\\n'.join(groups['train']))\n",
            fixed="import glob\nfrom collections import defaultdict\ndef shards_by_split(prefix, out):\n"
            "    groups = defaultdict(list)\n    for path in sorted(glob.iglob(prefix + '*')):\n"
            "        groups[path.split('-')[0]].append(path)\n    out.write('\\n'.join(groups['train']))\n",
        ),
        Invalid(
            "def iter_subtree(path):\n    for item in path.iterdir():\n        if item.is_dir():\n"
            "            yield from iter_subtree(item)\n        else:\n            yield item\n"
            "def write_members(root, out):\n    for p in iter_subtree(root):\n        out.write(str(p) + '\\n')\n",
            fixed="def iter_subtree(path):\n    for item in sorted(path.iterdir()):\n        if item.is_dir():\n"
            "            yield from iter_subtree(item)\n        else:\n            yield item\n"
            "def write_members(root, out):\n    for p in iter_subtree(root):\n        out.write(str(p) + '\\n')\n",
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        listing = find_listing(node, ctx)
        if listing is None or listing.kind == "walk" or matches_at_most_one(listing, ctx):
            return
        escape = consumer_is_order_sensitive(node, ctx)
        if escape is None or returned_to_unknown_callers(escape, ctx) or _locates_a_program(escape, ctx):
            return
        yield self._report(listing, escape, ctx)

    def _report(self, listing: Listing, escape: ast.AST, ctx: Context) -> Report:
        call = listing.call
        where = describe(escape)
        head = f"`{listing.label}` lists entries in arbitrary order and the order reaches {where}"
        if listing.kind == "extra":
            return Report(call, f"{head}: sort the entries", fixable=False, data=(("label", listing.label), ("reaches", where)))
        if isinstance(ctx.parent(call), ast.withitem):
            return Report(
                call,
                f"{head}: iterate the entries sorted, `sorted(it, key=lambda entry: entry.name)`",
                fixable=False,
                data=(("label", listing.label), ("reaches", where)),
            )
        by_name = listing.kind == "scandir"
        key = ", key=lambda entry: entry.name" if by_name else ""
        why = " (`DirEntry` objects don't compare)" if by_name else ""
        form = wrap_form(listing, ctx)
        data: tuple[tuple[str, object], ...] = (
            ("label", listing.label),
            ("key", "name" if by_name else ""),
            ("reaches", where),
        )
        if form is None:
            return Report(
                call,
                f"{head}: sort the entries where they are used (`sorted(...{key})`); no automatic fix, as the"
                " iterator itself is used (`.close()`, `with`) or leaves the function",
                fixable=False,
                data=data,
            )
        needs = ("sorted", "iter") if form in ("next", "iter") else ("sorted",)
        shadowed = [name for name in needs if ctx.resolver.resolve_name(name, call) != f"builtins.{name}"]
        if shadowed:
            return Report(
                call,
                f"{head}: sort it with the builtin `sorted(...{key})` (no automatic fix: `{shadowed[0]}` is"
                " not the builtin here)",
                fixable=False,
                data=data,
            )
        if form == "next":
            return Report(
                call,
                f"`next({listing.label})` picks an arbitrary entry: use `next(iter(sorted(...{key})))`{why}",
                # The message names the pick, not a use further on: no ``reaches``.
                data=(*(item for item in data if item[0] != "reaches"), ("wrap", "next_iter_sorted")),
            )
        if form == "list":
            return Report(
                call,
                f"{head}: sort it, `sorted(...{key})` instead of `list(...)`{why}",
                data=(*data, ("wrap", "list_to_sorted")),
            )
        if form == "iter":
            return Report(
                call,
                f"{head}: wrap it in `iter(sorted(...{key}))`, which stays an iterator{why}",
                data=(*data, ("wrap", "iter_sorted")),
            )
        wrap = "sorted_by_name" if by_name else "sorted"
        return Report(call, f"{head}: wrap it in `sorted(...{key})`{why}", data=(*data, ("wrap", wrap)))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import _fix_data, _listing_fix

        data = _fix_data(self, ctx)
        if data is None:
            return None
        return _listing_fix(node, ctx, str(data.get("wrap", "")), data.get("key") == "name")
