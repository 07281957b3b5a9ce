"""DET105 (RenameWithoutFsync): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report, Rule
from ..writes.renames import _rename_facts, rename_call
from ..writes.sites import _sink
from ..writes.vocabulary import _RENAME_NAMES

if TYPE_CHECKING:
    from ...context import Context


class RenameWithoutFsync(Rule):
    """
    ## What it does
    Flags a hand-made temp-then-rename that never calls `os.fsync`: a function that
    writes a file and then moves it onto the target with `os.replace`, `os.rename`,
    `Path.replace`, `Path.rename` or `shutil.move`, with no `os.fsync`/`os.fdatasync` (or
    a helper whose name contains `fsync`) anywhere in the function. The rename is reported.

    The rename must move the file written in the same function (same path expression, a
    `NamedTemporaryFile`'s `.name`, or a `mkstemp` path): moving a finished directory or
    archiving old files is not flagged. A library download into the temp path counts as
    its write: `urllib.request.urlretrieve(url, tmp)`, google-cloud-storage
    `blob.download_to_filename(tmp)` and boto3 `download_file(..., Filename=tmp)` (the
    methods are matched by name, and only when the path they are given is the one renamed
    afterwards); a download into an open file (`download_fileobj(bucket, key, f)`) is the
    `open()` that made the file. A tree staged with `shutil.copytree` and renamed into
    place is the remedy DET104 asks for and is not flagged. The temp file's own write is not reported by
    DET101/DET103/DET104: this is one finding for the pattern.

    ## Why is this bad?
    The rename is atomic, but without `fsync` the file's data may still be only in the
    page cache when the rename reaches the disk. After a power loss or a kernel crash the
    target can exist with a length of zero or with garbage: the very failure the temp
    file was meant to prevent.

    ## Example
    ```python
    import json
    import os


    def publish(manifest, path):
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(manifest, f)
        os.replace(tmp, path)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def publish(manifest, path):
        with atomic_open(path, "w") as f:
            json.dump(manifest, f)
    ```

    If the rename must stay hand-made, call `f.flush()` and `os.fsync(f.fileno())` before
    the rename, use a unique temp name in the target's directory, and fsync the directory
    afterwards.

    ## Fix safety
    No fix: the pattern varies too much to rewrite it mechanically. Replace it with
    `atomic_open`/`atomic_path`.

    ## Test code
    Not checked in test code (`test-paths`): a test renames scratch files in a temporary
    directory, which need not survive a power loss.

    """

    code = "DET105"
    name = "rename-without-fsync"
    message = "temp file renamed into place without `os.fsync`: after a power loss the target can be empty"
    fix_title = None
    fix_safety = FixSafety.NONE
    node_types = (ast.Call,)

    VALID = (
        # The download is flushed to disk before the rename.
        "import os\n\ndef fetch(blob, dest):\n    tmp = f'{dest}.tmp'\n    blob.download_to_filename(tmp)\n"
        "    fd = os.open(tmp, os.O_RDONLY)\n    os.fsync(fd)\n    os.close(fd)\n    os.replace(tmp, dest)\n",
        # The rename moves something else than the download.
        "import os\n\ndef fetch(client, bucket, key, dest, old):\n"
        "    client.download_file(bucket, key, dest)\n    os.rename(old, old + '.bak')\n",
        "import os\n\ndef publish(data, path):\n    tmp = f'{path}.tmp'\n    with open(tmp, 'wb') as f:\n"
        "        f.write(data)\n        f.flush()\n        os.fsync(f.fileno())\n    os.replace(tmp, path)\n",
        "import os\n\ndef archive(run_dir, archive_dir):\n    os.rename(run_dir, archive_dir / run_dir.name)\n",
        "import shutil\n\ndef finish(staging, final, log):\n    with open(log, 'a') as f:\n        f.write('done')\n"
        "    shutil.move(staging, final)\n",
        "import os\n\ndef rotate(path, text):\n    os.replace(path, f'{path}.1')\n"
        "    with open(path, 'w') as f:\n        f.write(text)\n",
        "def clean(name):\n    out.write_text(text)\n    return name.replace('-', '_')\n",
        "import os\n\ndef atomic_open(path):\n    tmp = path + '.tmp'\n    open(tmp, 'w').close()\n    os.replace(tmp, path)\n",
        "import os\n\ndef write(path, data):\n    tmp = path + '.tmp'\n    with open(tmp, 'wb') as f:\n"
        "        f.write(data)\n        _fsync_file(f)\n    os.replace(tmp, path)\n",
    )
    INVALID = (
        Invalid(
            "import os\n\ndef publish(data, path):\n    tmp = f'{path}.tmp'\n    with open(tmp, 'wb') as f:\n"
            "        f.write(data)\n    os.replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "from os import replace\n\ndef save(text, path):\n    tmp = path.with_suffix('.tmp')\n"
            "    tmp.write_text(text)\n    replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "def save(text, path):\n    tmp = path.with_suffix('.partial')\n    tmp.write_text(text)\n"
            "    tmp.rename(path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import json, os, tempfile\n\ndef save(obj, path):\n"
            "    with tempfile.NamedTemporaryFile('w', dir=path.parent, delete=False) as tmp:\n"
            "        json.dump(obj, tmp)\n    os.replace(tmp.name, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os, tempfile\n\ndef save(blob, path):\n    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))\n"
            "    with os.fdopen(fd, 'wb') as f:\n        f.write(blob)\n    os.replace(tmp, path)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import shutil\nimport numpy as np\n\ndef save(arr, path):\n    tmp = str(path) + '.tmp.npy'\n"
            "    np.save(tmp, arr)\n    shutil.move(tmp, path)\n",
            fixed=NO_FIX,
        ),
        # A download into the temp path, renamed into place without fsync.
        Invalid(
            "import os, uuid\n\ndef download_object(bucket, key, dest):\n"
            "    tmp_path = str(dest) + f'.{uuid.uuid4()}.tmp'\n    blob = bucket.blob(key)\n"
            "    try:\n        blob.download_to_filename(tmp_path)\n    except Exception:\n"
            "        os.remove(tmp_path)\n        raise\n    else:\n        os.replace(tmp_path, dest)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\n\ndef fetch(client, bucket, key, dest):\n    tmp = f'{dest}.part'\n"
            "    client.download_file(Bucket=bucket, Key=key, Filename=tmp)\n    os.rename(tmp, dest)\n",
            fixed=NO_FIX,
        ),
        Invalid(
            "import os\nfrom urllib.request import urlretrieve\n\ndef fetch(url, dest):\n"
            "    tmp = dest + '.tmp'\n    urlretrieve(url, tmp)\n    os.replace(tmp, dest)\n",
            fixed=NO_FIX,
        ),
    )

    CALL_NAMES = _RENAME_NAMES

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.Call)
        rename = rename_call(node, ctx)
        if rename is None:
            return
        facts = _rename_facts(ctx.enclosing_scope(node), ctx)
        if id(node) in facts.unsynced:
            source = facts.sources.get(id(node))
            if source is None:
                written = "a file written here"
            elif id(node) in facts.downloaded:
                written = f"the file downloaded by {_sink(source)}"
            else:
                written = f"the file written by {_sink(source)}"
            message = (
                f"`{rename.api}` on line {node.lineno} publishes {written}, but nothing calls `os.fsync`:"
                " after a power loss the target can be empty or partial"
            )
            yield Report(node, message, fixable=False)
