"""DET104 (NonAtomicPathWriter): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report, Valid
from ..writes.fixplan import _writer_plan, _writer_target_is_local
from ..writes.sites import _display, _written
from ..writes.vocabulary import _COPIES, _TREE_COPIES
from ._write_rule import WriteSiteRule, read_clause

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class NonAtomicPathWriter(WriteSiteRule):
    """
    ## What it does
    Flags library writers that are given a path and write the file in place:
    `numpy.save`/`savez`/`savez_compressed`/`savetxt`, `torch.save`, `joblib.dump`,
    `pyarrow.parquet.write_table`, `pyarrow.feather.write_feather`, the pandas / xarray
    methods `.to_csv`, `.to_parquet`, `.to_json`, `.to_pickle`, `.to_feather`, `.to_hdf`,
    `.to_excel`, `.to_orc`, `.to_stata`, `.to_netcdf`, the polars methods `.write_parquet`,
    `.write_csv`, `.write_json`, `.write_ndjson`, `.write_ipc`, `.write_avro`,
    `.write_excel`, copies into place (`shutil.copyfile`, `shutil.copy`, `shutil.copy2`:
    `dst` is filled piece by piece; `shutil.copytree`: a crash leaves a partial tree at
    `dst`, which the next run takes for the whole folder), and the writers named in
    `extra-writers`. As for DET101, only files the project reads back are reported
    (`reader-evidence`: a load, read or existence check of the same file; `--strict` reports
    every write).

    Not flagged: a writer handed a file object or an in-memory buffer (`np.save(f, a)`
    inside `with open(...) as f`, `df.to_csv(buf)` with `buf = io.StringIO()`,
    `df.to_csv(sys.stdout)`), a writer without a path (`df.to_csv()` returns the text),
    `mode="a"`, exempt targets, writes into the temp path of `atomic_path`, and scratch
    paths (the same as DET101's: temporary directories, temp names, and a fresh path from a
    function of the project whose every definition returns a new random or temporary path,
    such as `os.path.join(sandbox, uuid4().hex)`: `torch.save(m, files.random_path() + ".pt")`
    before uploading it writes no file anyone trusts). Figures
    (`plt.savefig`, `fig.savefig`) are reports, not data artifacts, and are not flagged
    unless `.savefig` is listed in `extra-writers`.

    The frame methods are matched by name, since the type of the receiver is not known. A
    call whose result is used counts only when its argument is visibly where a file goes
    (`return ds.to_parquet(path_or_buf, storage_options=...)`, `n = df.to_csv(out / "a.csv")`,
    a path keyword, a name such as `path`/`out_file`): `payload = obj.to_json(x)` is some
    other class's method, and `console.write_json(data)` with `data: dict` is not a frame
    writer. A method that only hands its own path parameter to another object's method of
    the same name (`def to_csv(self, path_or_buf): return Dataset(t).to_csv(path_or_buf)`)
    is a delegating wrapper, not the writer: the write is reported where it happens, and
    calls of the wrapper with a path are reported too. Writes that produce no artifact are
    not flagged (see DET101).

    ## Why is this bad?
    These writers open the target themselves and write it piece by piece. A crash or a
    killed job leaves a truncated `.npy`, `.parquet` or checkpoint behind, which the next
    run loads as if it were complete (or fails on much later, far from the cause).

    ## Example
    ```python
    import numpy as np


    def cache_embeddings(cache_dir, vectors):
        np.save(cache_dir / "embeddings.npy", vectors)

    def load_embeddings(cache_dir):
        return np.load(cache_dir / "embeddings.npy")
    ```

    ## Use instead
    ```python
    import numpy as np

    from determinism_lint.runtime import atomic_path


    def cache_embeddings(cache_dir, vectors):
        with atomic_path(cache_dir / "embeddings.npy") as tmp:
            np.save(tmp, vectors)

    def load_embeddings(cache_dir):
        return np.load(cache_dir / "embeddings.npy")
    ```

    ## Fix safety
    The fix wraps the statement in `with atomic_path(target) as tmp:` and passes `tmp`
    instead of the target, which is still evaluated once (`tmp`, `tmp_path`...: a name not
    used anywhere in the module). The temp path ends with the target's name, so writers that
    look at the extension behave the same. It is safe.

    It is offered only for a statement alone on its line, outside a class body, and only
    where the temp file's name cannot change the result. No fix for:

    - `torch.save` (it names the archive's top folder after the file) and the writers in
      `extra-writers` (what they do with the name is not known);
    - `shutil.copy`/`copy2` (`dst` may be a directory), `shutil.copytree` (it makes a
      directory: copy into a temp directory beside `dst` and rename it), and `shutil.copyfile` with
      `follow_symlinks=` (it may copy a symlink, not a file);
    - `numpy.save`/`savez` without a visible `.npy`/`.npz` (numpy appends the suffix);
    - pandas writers that infer a compression from the name, and `numpy.savetxt`, unless the
      name visibly ends in an extension other than gzip, zip or tar (which store the file's
      name) or `compression=` is `None`, `"bz2"`, `"xz"` or `"zstd"`;
    - `to_hdf` without `mode="w"` (it adds to an existing store), `to_netcdf` in another
      mode, `mode="x"`, `partition_cols=`/`partition_by=` (a directory), `storage_options=`
      and `s3://`-style targets, and `**options` (except for numpy and joblib);
    - a target that is not visibly a local path. `dir / "name"`, `Path(...)`, a string
      literal, a name bound once to one of these, or a parameter annotated `Path` (`str` too
      for numpy and joblib) qualify; an unannotated parameter could be a file object or a
      URL, and `fix` leaves it alone (`df.to_csv(path)` is reported as not rewritten).

    Tests that mock the writer (`mock.patch("pkg.module.np.save")`) still intercept it, but
    the mock now receives the temporary path, not the target: assert on the other arguments,
    or on the path's name (it ends with the target's name).

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    """

    code = "DET104"
    name = "non-atomic-path-writer"
    message = "this writer writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Write through `with atomic_path(target) as tmp:`"
    fix_safety = FixSafety.SAFE
    site_kind = "path-writer"
    fix_node = ("Call",)

    VALID = (
        'import torch\ntorch.save(model.state_dict(), args.output)\n',
        "csv_text = df.to_csv(index=False)\n",
        "def encode(tag, value):\n    return {tag.key: tag.to_json(value)}\n",
        "import sys\ndf.to_csv(sys.stdout)\n",
        "import io\nbuf = io.StringIO()\ndf.to_csv(buf)\n",
        "import numpy as np\nwith open(path, 'wb') as f:\n    np.save(f, arr)\n",
        "import numpy as np\nfrom determinism_lint.runtime import atomic_path\n"
        "with atomic_path(out) as tmp:\n    np.save(tmp, arr)\n",
        "import torch, io\nbuf = io.BytesIO()\ntorch.save(model.state_dict(), buf)\n",
        "df.to_csv(run_dir / 'metrics.csv', mode='a', header=False)\n",
        "import matplotlib.pyplot as plt\nplt.savefig(out_dir / 'loss.png')\n",
        "def save(path, arr):\n    pass\n\nsave(out, arr)\n",
        # A tree staged beside the target, then renamed into place.
        "import os, shutil\n\ndef publish_tree(src, dst):\n    staging = f'{dst}.partial'\n"
        "    shutil.copytree(src, staging)\n    os.replace(staging, dst)\n",
        # A tree copied into a temporary directory: scratch.
        "import shutil, tempfile\n\ndef stage(src):\n    scratch = tempfile.mkdtemp()\n"
        "    shutil.copytree(src, scratch + '/tree')\n    return scratch\n",
        "import shutil\nfrom invoke import task\n\n@task\ndef install_git_hook(c):\n"
        "    shutil.copy('.githooks/pre-push', '.git/hooks')\n",
        # A fresh path: a new random folder on every call, uploaded afterwards.
        "import os, uuid, torch\n\ndef random_local_path():\n    return os.path.join(SANDBOX, uuid.uuid4().hex)\n\n"
        "def to_literal(model):\n    local_path = random_local_path() + '.pt'\n    torch.save(model, local_path)\n"
        "    return upload(local_path)\n",
        # A delegating wrapper: the write happens in ``Dataset.to_csv``.
        "class IterableDataset:\n    def to_csv(self, path_or_buf, batch_size=None, **kwargs):\n"
        "        table = concat(self.iter(batch_size))\n"
        "        return Dataset(table).to_csv(path_or_buf, batch_size=batch_size, **kwargs)\n",
        Valid(
            "import io\nimport mylib\nbuf = io.BytesIO()\nmylib.export(table, buf)\n",
            settings=(("extra_writers", ("mylib.export:1",)),),
        ),
    )
    INVALID = (
        Invalid(
            'import os\n\nimport torch\n\n\ndef features(path, compute):\n    if os.path.exists(path):\n        return torch.load(path)\n    value = compute()\n    torch.save(value, path)\n    return value\n',
            fixed=NO_FIX,
        ),
        # A task decorator of the project's own: no evidence of a development chore.
        Invalid("import shutil\nfrom pipeline import task\n\n@task\ndef publish(c):\n"
                "    shutil.copy('build/model.bin', 'models/model.bin')\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        # The helper returns the same path on every run: the file is overwritten in place.
        Invalid(
            "import os, torch\n\ndef model_path(name):\n    return os.path.join(MODELS, name)\n\n"
            "def save(model):\n    torch.save(model, model_path('best') + '.pt')\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid(
            "import numpy as np\nnp.save(cache / 'x.npy', arr)\n",
            fixed=(
                "import numpy as np\nfrom determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(cache / 'x.npy') as tmp:\n    np.save(tmp, arr)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("from numpy import savez_compressed as savez\nsavez(out, a=a, b=b)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("import torch\ntorch.save(model.state_dict(), ckpt_dir / 'last.pt')\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("import joblib\njoblib.dump(pipeline, model_path)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "df.to_parquet(out_dir / 'features.parquet', index=False)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(out_dir / 'features.parquet') as tmp:\n    df.to_parquet(tmp, index=False)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("frame.write_parquet(path)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("df.to_csv(path_or_buf=out)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("import numpy as np\nnp.save(out_dir / 'embeddings', vectors)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "import mylib\nmylib.export(table, out)\n",
            fixed=NO_FIX,
            settings=(("reader_evidence", False), ("extra_writers", ("mylib.export:1",)),),
        ),
        Invalid(
            "fig.savefig(out / 'loss.png')\n",
            fixed=NO_FIX,
            settings=(("reader_evidence", False), ("extra_writers", (".savefig",)),),
        ),
        Invalid(
            "from pathlib import Path\n\n\ndef export(frame, out_dir: Path):\n"
            "    frame.to_csv(\n        out_dir / 'features.csv',\n        index=False,\n    )\n"
            "    frame.write_parquet(out_dir / 'features.parquet')\n",
            count=2,
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import atomic_path\n\n\n"
                "def export(frame, out_dir: Path):\n    with atomic_path(out_dir / 'features.csv') as tmp:\n"
                "        frame.to_csv(\n            tmp,\n            index=False,\n        )\n"
                "    with atomic_path(out_dir / 'features.parquet') as tmp_path:\n"
                "        frame.write_parquet(tmp_path)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "import joblib\n\n\ndef save(model, path: str):\n    joblib.dump(model, path)\n",
            fixed=(
                "import joblib\nfrom determinism_lint.runtime import atomic_path\n\n\n"
                "def save(model, path: str):\n    with atomic_path(path) as tmp:\n        joblib.dump(model, tmp)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("df.to_csv(out_dir / 'features.csv.gz')\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("df.to_hdf(out_dir / 'store.h5', key='features')\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("df.to_parquet(out_dir / 'features', partition_cols=['day'])\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "import shutil\nshutil.copyfile(src, out_dir / 'model.bin')\n",
            fixed=(
                "import shutil\n\nfrom determinism_lint.runtime import atomic_path\n\n"
                "with atomic_path(out_dir / 'model.bin') as tmp:\n    shutil.copyfile(src, tmp)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("import shutil\nshutil.copy(checkpoint, backup_path)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        # An output folder restored in place from its backup.
        Invalid(
            "import shutil\nfrom pathlib import Path\n\n\ndef restore_output(path: Path, backup_path: Path):\n"
            "    shutil.rmtree(path)\n    shutil.copytree(backup_path, path)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid("import shutil\nshutil.copytree(src, out_dir / 'model', dirs_exist_ok=True)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("def export(ds, path_or_buf):\n    return ds.to_parquet(path_or_buf)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        # Not a wrapper: the method writes a file of its own under the given directory, or
        # has another name than the writer it calls.
        Invalid(
            "import os\n\nclass Features:\n    def to_csv(self, out_dir):\n"
            "        self.frame.to_csv(os.path.join(out_dir, 'features.csv'))\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid(
            "class Features:\n    def export(self, path_or_buf):\n        return Dataset(self.table).to_csv(path_or_buf)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        found = self.hazard(node, ctx)
        if found is None:
            return
        site, reader = found
        assert isinstance(node, ast.Call)
        if site.api in _TREE_COPIES:
            message = (
                f"`{site.api}` on line {node.lineno} copies a tree into {_written(site)} in place:"
                " a crash leaves a partial tree there"
                f"{read_clause(reader, ctx)}"
            )
        elif site.api in _COPIES:
            message = (
                f"`{site.api}` on line {node.lineno} copies into {_written(site)} in place:"
                " a crash leaves a truncated copy there"
                f"{read_clause(reader, ctx)}"
            )
        else:
            message = (
                f"`{_display(site.api)}` on line {node.lineno} writes {_written(site)} in place:"
                " a crash leaves it truncated or half-written"
            f"{read_clause(reader, ctx)}"
            )
        # The same test ``fix`` applies, so ``check`` never advertises a fix that ``fix`` declines.
        fixable = _writer_plan(node, site, ctx) is not None and _writer_target_is_local(node, site, ctx)
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import path_writer_fix

        return path_writer_fix(node, ctx)
