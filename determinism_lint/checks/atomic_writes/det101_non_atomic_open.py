"""DET101 (NonAtomicOpen): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report
from ..writes.fixplan import _handle_may_leak, _open_rewrite
from ..writes.sites import _display, _is_direct_with_item, _written
from ._write_rule import WriteSiteRule, read_clause

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class NonAtomicOpen(WriteSiteRule):
    """
    ## What it does
    Flags `open()` (also `io.open`, `codecs.open`, `gzip.open`, `bz2.open`, `lzma.open`,
    `gzip.GzipFile(filename, mode)` and its bz2/lzma siblings, `Path.open`, `fsspec.open`, `smart_open.open`, `tf.io.gfile.GFile`, the `open` method of
    a file system or path manager: `fs.open(path, "wb")`, `self.fs.open(...)`,
    `self._fs.open(...)`, a
    `fsspec.filesystem(...)`, `PathManager.open(...)`, and a local name for one of these:
    `open_fn = fs.open if fs else open`) in a mode that truncates or creates the file: any
    mode containing `w` or `x` (`"w"`, `"wb"`, `"w+"`, `"x"`...). `x.open("w")` with a mode
    and no path is `Path.open` only when `x` is a path by evidence: built with `Path(...)`
    or `/`, a path method's result (`p.with_suffix(".json")`, `p.parent`), annotated `Path`,
    or used with attributes only paths have (`p.parent.mkdir()`), or named as a path
    (`out_path`, `self.file_path`: a `str` has no `open`). Other objects have an
    `open(mode)` of their own: a pipeline target (`self.output().open("w")`) that writes a
    temp file and renames it on close, a blob or archive handle. Also
    `fd = os.open(path, O_WRONLY | O_CREAT | O_TRUNC)` when the function then writes to `fd`.

    Only files the project reads back are reported (the `reader-evidence` option, on by
    default; `--strict` reports every write): a torn file matters when a later step trusts
    it. The evidence is a read, load or existence check of the same file outside test code
    (`open(p)`, `p.read_text()`, `torch.load(p)`, `os.path.exists(p)`, `p.is_file()`, a helper
    named `load_*`/`read_*`), named the same way as the write names it, and the message names
    it ("... and `json.load(...)` in `resume()` on line 221 reads it"): the same local name in
    the function (`if os.path.exists(path): return load(path)` ... `open(path, "w")`), the same
    literal file name or module-level constant in the module (`"refs"`, `CONFIG_NAME`, the
    `_meta.pkl` of `f"{key}_meta.pkl"`), the same attribute (`self.cache_file`), a
    module-level constant of the module read in another module (`from .store import
    INDEX_NAME`), or, for a path given as a parameter, what the function's callers pass, read
    or checked in the caller's function (in this module, and in the modules that import it,
    up to three callers up), and a `save`/`to_file`/`dump` method whose class has the matching
    `load`/`from_file`/`read` that opens a path its caller gives. No evidence: a read that
    always follows the write in the same function (the file is handed on within one run and
    written again by the next), an existence check that only clears the way
    (`if os.path.exists(dst): shutil.rmtree(dst)`, `makedirs`), a file of the same name in a
    folder known to differ (`join(input_dir, "config.yaml")` against `join(output_dir,
    "config.yaml")`), the source of a copy, a folder the file is written into, and a file of
    the same literal name read by another module (most often another command's input, or an
    output consumed by a later command that the user reruns). A one-shot output that nothing
    in the project reads (a command's `--output-file`, a report at the end of a run, a file
    for another tool) is found broken by whoever opens it and is written again by running the
    command again.

    Not flagged: read modes, append (`"a"`), in-place update (`"r+"`), modes that are not
    known statically, and writes that produce no artifact:

    - exempt targets (lock files, Markdown reports, logs, `os.devnull`, standard streams);
    - scratch space: `tempfile` files and directories (also through `.name`, also of a
      `self._td` that the class sets only to a `TemporaryDirectory()`, `mkdtemp()`,
      a `self.tmp_dir` that the class only ever sets to a temporary directory (or `None`), pytest's
      `tmp_path_factory.mktemp()`), `/tmp/...`, temp names (`tmp`, `*.tmp`, `*.partial`,
      `*.incomplete`), a folder or file the same function removes afterwards;
    - scratch paths by provenance: a path built on a parameter named as temporary (`tmp`,
      `tmp_dir`, `scratch_path`), or on a parameter that every call in the module fills with
      a temporary path (`extract(blob, tempfile.mkdtemp())`, also
      `Thread(target=copy_out, args=(pipe, tmp_log))`), and a path under `self.<attr>` in a
      class that creates its own instances in a temporary directory
      (`cls(..., tempfile.mkdtemp())`: a scratch clone or executor workspace);
    - per-job scratch folders: a path under `self.<attr>` where every assignment of the
      attribute in the class (`None`/`False` aside) makes a temporary directory, a fresh path
      (`os.path.join(shared_dir, "%016x" % random.getrandbits(64) + task_id)`, also once
      cut to a length or cleaned of `/`), a path under another such attribute
      (`self.run_pickle = os.path.join(self.run_path, "job.pickle")` with
      `self.run_path = tempfile.mkdtemp()`), or a path on a parameter that every caller in
      the module fills with one (`job.dump(self.tmp_dir)`), or, for a function or method
      this module never calls, every caller in the other modules of the project
      (`options.write_to_bundle(Path(tempfile.mkdtemp()), ...)`, a method found by a name no
      other module defines); a folder parameter defaulting to `None` that the function
      replaces with a fresh random folder when no call in the project passes it;
    - fresh scratch paths: a path built on the result of a function of the project whose
      every definition (in this module or another of the files checked) returns a path with
      a component made anew on each call (`uuid.uuid4()`, `secrets`, an unseeded `random`
      draw, `tempfile.mkdtemp()`), such as `os.path.join(self.sandbox, uuid4().hex, name)`.
      Each call names a new file: a crash leaves an orphan nobody points to, never a torn
      file in place. Decided from the bodies, not the name; a name defined more than 8
      times, or one definition returning anything else (a parameter, a fixed path, a seeded
      generator's draw), keeps the write reported;
    - files created empty: `with open(p, "x"): pass`, `open(p, "w").close()`, a
      `with ... as f` whose body never uses `f` or only writes empty text (`f.write("")`);
    - self-healing caches: a file (named by the same attribute path, `self.cache_file`, or
      module-level name) that every read in the module parses inside a `try` whose handler
      catches what a damaged file raises (`ValueError`, `EOFError`, `Exception`...) and
      carries on without raising: a torn copy is rebuilt, never trusted;
    - markers and ignore files (`.gitignore`, `.gitkeep`, `.dvcignore`...), rotated logs,
      a path that is a log file in every assignment that spells it, writes inside a
      `logging` handler class;
    - diagnostic and hand-off files: profiler dumps (a `.prof`/`.pstats` name, or a
      function that calls `dump_stats`), a child process's output log (an `open()` given
      to `subprocess` as `stdout=`/`stderr=`), and a shell script of `export NAME=...`
      lines that the next command sources;
    - file descriptors, pipe ends and sockets (what the fix declines as not a path), FIFOs
      made with `os.mkfifo` in the same function, and named pipes: a path returned by a
      function of the module named for a FIFO or that calls `os.mkfifo`
      (`path = make_fifo()`, `with temporary_fifo() as (path, fd)`), or a parameter or
      variable named `*fifo*`;
    - one-shot command line outputs: the path is, as given, a parameter of a click or typer
      command (`@click.command()`, `@cli.command()`, `@click.option("--file")`,
      `@app.command()`), or of a helper that every call in the module passes one (or leaves
      at its `None` default). The user named that file and reruns the command when it
      fails; no pipeline step reads it back. `--strict` reports these writes too. A method
      of a library API that writes to its caller's path (`Dataset.to_csv(path)`) is
      reported: it is not bound to the command line;
    - development chores: writes in a function decorated `@invoke.task`, `@nox.session` or
      `@fabric.task` (install a git hook, bump a version, build the docs). The maintainer
      reruns a failed task; no pipeline step reads what it writes. The same holds for all
      DET1xx rules;
    - object-store URLs (`s3://`, `gs://`...: the object appears whole when the upload
      ends) and writes inside `with fs.transaction:` (fsspec moves them into place);
    - the temp file of a hand-made temp-then-rename (DET105 looks at that pattern as a
      whole). An `open()` passed straight to `json.dump` and friends is reported once, by
      DET102.

    ## Why is this bad?
    `open(path, "w")` empties the file first and fills it as the program runs. A crash, a
    full disk or a kill signal in between leaves a truncated artifact behind, and a reader
    running at the same time sees a half-written file. The next pipeline step cannot tell
    it apart from a complete one.

    ## Example
    ```python
    import json


    def save_config(config, path):
        with open(path, "w") as f:
            json.dump(config, f)


    def load_config(path):
        with open(path) as f:
            return json.load(f)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def save_config(config, path):
        with atomic_open(path, "w") as f:
            json.dump(config, f)


    def load_config(path):
        with open(path) as f:
            return json.load(f)
    ```

    ## Fix safety
    The fix replaces only the callee: `with open(p, "w", ...) as f:` becomes
    `with atomic_open(p, "w", ...) as f:` with the same arguments, and so do `io.open`,
    `Path.open(p, "w")` and `codecs.open` without an encoding (which then is `open`);
    `p.open("w")` becomes `atomic_open(p, "w")`. The same bytes are written, to a temp file
    that is renamed over the target when the block ends without error. It is safe. An
    `import io` or `import codecs` that the fix leaves unused stays: `fix` never removes an
    import (tests may patch `pkg.module.io.open`).

    The file object reports the target in `f.name`, the path exactly as given, as `open()`'s
    does: code that hands `f` on after the block (`load_config(config_file=f)`, which reads
    `f.name`) finds the new file there. Inside the block the new content is not yet under that
    name, so the fix is still not offered where the function reads `f.name` or hands `f` to
    gzip/tar as `fileobj=`.

    No fix for `fsspec.open`, file-system and path-manager openers, local aliases, `os.open`
    and openers from `extra-writers`: they also take URLs, or are not `open()`.

    It is offered only for a call used directly as a `with` item, with the arguments
    `atomic_open` takes (the path, a mode, `encoding`/`errors`/`newline` as keywords), a
    mode that is a literal (or a name bound once to one), and a path: never a file
    descriptor, pipe end or socket (`open(fd, "wb")` with `fd` from `os.pipe()`,
    `.fileno()`, `msvcrt.open_osfhandle`, an `int`, a name like `fd`/`wfd`/`sock`), which
    has no directory entry to replace. Flagged without a fix: a handle kept in a variable
    (`f = open(p, "w")`), `buffering`, `opener` or `closefd`, compressed files, `codecs.open`
    with an encoding (it writes through a `StreamWriter`, with other newline handling).

    Tests that patch `open` by name in the module under test
    (`mock.patch("pkg.module.open", mock_open())`) no longer intercept the write after this
    fix: patch `pkg.module.atomic_open` instead (`mock_open()` also works as its context
    manager), or let the test write into a temporary directory.

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    """

    code = "DET101"
    name = "non-atomic-open"
    message = "`open(..., 'w')` writes the target in place: a crash leaves it truncated or half-written"
    fix_title = "Use `atomic_open` (write a temp file, then rename it over the target)"
    fix_safety = FixSafety.SAFE
    site_kind = "open"
    fix_node = ("Call",)

    VALID = (
        "def export(rows, output_file):\n    with open(output_file, 'w') as f:\n        f.writelines(rows)\n",
        "import json\nwith open(args.report, 'w') as f:\n    json.dump(summary, f)\n",
        "with open(path) as f:\n    data = f.read()\n",
        "with open(log_path, 'a') as f:\n    f.write(line)\n",
        "with open(path, 'r+') as f:\n    f.seek(0)\n    f.write(header)\n",
        "with open(run_dir / 'train.lock', 'w') as f:\n    f.write(str(pid))\n",
        "def write(path, text, mode):\n    with open(path, mode) as f:\n        f.write(text)\n",
        "def open(path, mode):\n    return store.get(path)\n\nwith open(key, 'w') as f:\n    f.write(data)\n",
        "import zipfile\nwith zipfile.ZipFile(out) as zf:\n    with zf.open('data.csv', 'w') as f:\n        f.write(payload)\n",
        "import tarfile\nwith tarfile.open(fileobj=buf, mode='w') as tar:\n    tar.add(path)\n",
        "import os\nwith open(os.devnull, 'w') as sink:\n    run(stdout=sink)\n",
        "from determinism_lint.runtime import atomic_open\nwith atomic_open(path, 'w') as f:\n    f.write(text)\n",
        "import os, tempfile\nwith tempfile.TemporaryDirectory() as d:\n"
        "    with open(os.path.join(d, 'input.json'), 'w') as f:\n        f.write(text)\n",
        "with open(marker, 'x'):\n    pass\n",
        "with open(os.path.join(run_dir, 'recoverable_error'), 'w') as f:\n    f.write('')\n",
        "import json\n\nclass Updater:\n    def check(self):\n        try:\n"
        "            with open(self.cache_file) as f:\n                return json.load(f)['version']\n"
        "        except ValueError:\n            return self.fetch()\n\n"
        "    def save(self, info):\n        with open(self.cache_file, 'w') as f:\n            json.dump(info, f)\n",
        "import os\nwith open(os.path.join(cache_dir, '.gitignore'), 'w') as f:\n    f.write('*')\n",
        "with fs.transaction:\n    with fs.open(path, 'wb') as f:\n        f.write(blob)\n",
        # Compresses into a buffer: no file is opened.
        "import gzip, io\nbuf = io.BytesIO()\nwith gzip.GzipFile(fileobj=buf, mode='wb') as gz:\n    gz.write(blob)\n",
        # A profiler dump is diagnostic output.
        "import os\n\ndef save_profile(out_dir, name, stats):\n"
        "    with open(os.path.join(out_dir, name + '.prof'), 'wb') as f:\n        f.write(stats)\n",
        "def dump_profile(profile, dst_fs, dst):\n    profile.dump_stats('local.out')\n"
        "    with dst_fs.open(dst, 'wb') as f:\n        f.write(read('local.out'))\n",
        # The output log of a child process.
        "import subprocess\nsubprocess.Popen(cmd, stdout=open(out_log, 'w'), stderr=open(err_log, 'w'))\n",
        "import subprocess\nwith open(output_path, 'w') as out:\n    subprocess.run(cmd, stdout=out, check=True)\n",
        # A script of environment variables for the next shell command.
        "def export_parameters(output_file, params):\n    with open(output_file, 'w') as f:\n"
        "        for k, v in params.items():\n            f.write('export METAFLOW_%s=%s\\n' % (k.upper(), v))\n",
        "import tempfile\nfrom pathlib import Path\n\nclass Checkpoint:\n    def __init__(self):\n"
        "        self._td = tempfile.TemporaryDirectory()\n\n    def save(self, reader):\n"
        "        with (Path(self._td.name) / 'cp.bin').open('wb') as f:\n            f.write(reader.read())\n",
        # A development task of the repository.
        "from invoke import task\n\n@task\ndef install_git_hook(c):\n"
        "    with open('.git/hooks/pre-push', 'w') as f:\n        f.write(HOOK)\n",
        # A per-job folder with a random name, shipped to the cluster and removed afterwards.
        "import os, pickle, random\n\nclass JobTask:\n    def init_local(self):\n"
        "        random_id = '%016x' % random.getrandbits(64)\n        name = random_id + self.task_id\n"
        "        name = name.replace('/', '::')\n        self.tmp_dir = os.path.join(self.shared_tmp_dir, name[:255])\n"
        "        os.makedirs(self.tmp_dir)\n        self._dump(self.tmp_dir)\n\n    def _dump(self, out_dir):\n"
        "        self.job_file = os.path.join(out_dir, 'job-instance.pickle')\n"
        "        with open(self.job_file, 'wb') as f:\n            pickle.dump(self, f)\n",
        "import os, pickle, tempfile\n\nclass SparkTask:\n    def run(self):\n"
        "        self.run_path = tempfile.mkdtemp(prefix=self.name)\n"
        "        self.run_pickle = os.path.join(self.run_path, 'job.pickle')\n"
        "        with open(self.run_pickle, 'wb') as fd:\n            pickle.dump(self, fd)\n",
        # A fresh scratch path, uploaded afterwards.
        "import os, uuid\n\nclass FileAccess:\n    def random_local_path(self, name=None):\n"
        "        return os.path.join(self.sandbox, uuid.uuid4().hex, name or 'data')\n\n"
        "def to_pickle(ctx, blob):\n    uri = ctx.file_access.random_local_path('obj.pkl')\n"
        "    with open(uri, 'wb') as f:\n        f.write(blob)\n    return ctx.file_access.upload(uri)\n",
        # Not a path by evidence: a pipeline target's ``open('w')`` writes a temp file and renames it on close.
        "class Count(Task):\n    def run(self):\n        with self.output().open('w') as f:\n"
        "            f.write(str(count()))\n",
        # Scratch paths by provenance.
        "def download(client, key, tmp):\n    with open(tmp, mode='wb') as t:\n        t.write(client.get(key))\n",
        "import os, tempfile\n\ndef extract(blob, dest_dir):\n"
        "    with open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
        "extract(blob, tempfile.mkdtemp())\n",
        "import os, tempfile, threading\n\nclass Command:\n    def run(self):\n"
        "        self.temp_dir = tempfile.mkdtemp()\n        log = os.path.join(self.temp_dir, 'stdout')\n\n"
        "        def copy_out(pipe, log_file):\n            with open(log_file, 'w') as f:\n"
        "                f.write(pipe.read())\n\n"
        "        threading.Thread(target=copy_out, args=(self.proc.stdout, log)).start()\n",
        # Named pipes: the reader waits on the other end, a temp file would never reach it.
        "import os\n\ndef temporary_fifo(tmp_dir):\n    path = os.path.join(tmp_dir, 'fifo')\n"
        "    os.mkfifo(path)\n    return path\n\ndef send(payload, tmp_dir):\n"
        "    path = temporary_fifo(tmp_dir)\n    with open(path, 'w') as f:\n        f.write(payload)\n",
        "import json\n\ndef report(result, result_fifo):\n    with open(result_fifo, 'w') as f:\n"
        "        json.dump(result, f)\n",
        # One-shot outputs of a command line command.
        "import click, json\n\n@cli.command()\n@click.option('--file', default=None)\n@click.pass_obj\n"
        "def dump(obj, file):\n    with open(file, 'w') as f:\n        json.dump(obj.data, f)\n",
        "import click, os\n\n@click.command()\n@click.argument('output_filename')\n"
        "def export(output_filename):\n    output_path = os.path.expanduser(output_filename)\n"
        "    with open(output_path, 'w') as f:\n        f.write(render())\n",
        "import json, click\n\ndef list_cards(ctx, cards, file=None):\n    if file:\n"
        "        with open(file, 'w') as f:\n            json.dump(cards, f)\n\n"
        "@card.command()\n@click.option('--file', default=None)\n@click.pass_context\n"
        "def list(ctx, file):\n    list_cards(ctx, load(), file=file)\n\n"
        "@card.command()\n@click.pass_context\ndef view(ctx):\n    list_cards(ctx, load())\n",
        "import typer\n\napp = typer.Typer()\n\n@app.command()\ndef main(out: str):\n"
        "    with open(out, 'w') as f:\n        f.write(build())\n",
        "import os\nfrom tempfile import mkdtemp\n\nclass TempDirExecutor(Executor):\n"
        "    @classmethod\n    def from_entry(cls, repo, entry):\n        tmp_dir = mkdtemp(dir=repo.tmp_dir)\n"
        "        return cls._from_stash_entry(repo, entry, tmp_dir)\n\n    def _update_config(self, conf):\n"
        "        with open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
        "            conf.write(f)\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport os\n\n\ndef cached(path, compute):\n    if os.path.exists(path):\n        with open(path) as f:\n            return json.load(f)\n    value = compute()\n    with open(path, 'w') as f:\n        json.dump(value, f)\n    return value\n",
            fixed="import json\nimport os\n\nfrom determinism_lint.runtime import atomic_open\n\n\ndef cached(path, compute):\n    if os.path.exists(path):\n        with open(path) as f:\n            return json.load(f)\n    value = compute()\n    with atomic_open(path, 'w') as f:\n        json.dump(value, f)\n    return value\n",
        ),
        Invalid(
            "import json\nimport os\n\n\ndef write_manifest(run_dir, entries):\n    with open(os.path.join(run_dir, 'manifest.json'), 'w') as f:\n        json.dump(entries, f)\n\n\ndef read_manifest(run_dir):\n    with open(os.path.join(run_dir, 'manifest.json')) as f:\n        return json.load(f)\n",
            fixed="import json\nimport os\n\nfrom determinism_lint.runtime import atomic_open\n\n\ndef write_manifest(run_dir, entries):\n    with atomic_open(os.path.join(run_dir, 'manifest.json'), 'w') as f:\n        json.dump(entries, f)\n\n\ndef read_manifest(run_dir):\n    with open(os.path.join(run_dir, 'manifest.json')) as f:\n        return json.load(f)\n",
        ),
        Invalid(
            "import pickle\n\n\nclass Index:\n    def save(self, path):\n        with open(path, 'wb') as f:\n            pickle.dump(self.table, f)\n\n    @classmethod\n    def load(cls, path):\n        with open(path, 'rb') as f:\n            return cls(pickle.load(f))\n",
            fixed="import pickle\n\nfrom determinism_lint.runtime import atomic_open\n\n\nclass Index:\n    def save(self, path):\n        with atomic_open(path, 'wb') as f:\n            pickle.dump(self.table, f)\n\n    @classmethod\n    def load(cls, path):\n        with open(path, 'rb') as f:\n            return cls(pickle.load(f))\n",
        ),
        Invalid(
            "import os\n\n\nclass Tracker:\n    def resume(self):\n        return os.path.isfile(self.state_file)\n\n    def record(self, step):\n        with open(self.state_file, 'w') as f:\n            f.write(str(step))\n",
            fixed="import os\n\nfrom determinism_lint.runtime import atomic_open\n\n\nclass Tracker:\n    def resume(self):\n        return os.path.isfile(self.state_file)\n\n    def record(self, step):\n        with atomic_open(self.state_file, 'w') as f:\n            f.write(str(step))\n",
        ),
        # A library method writes to its caller's path: no command line binds it.
        Invalid(
            "class Dataset:\n    def to_csv(self, path):\n        with open(path, 'w') as f:\n"
            "            f.write(self.render())\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n\nclass Dataset:\n"
                "    def to_csv(self, path):\n        with atomic_open(path, 'w') as f:\n"
                "            f.write(self.render())\n"
            ), settings=(("reader_evidence", False),)
        ),
        # A file under a directory given on the command line is kept output, not the one file asked for.
        Invalid(
            "import os, click\n\n@cli.command()\n@click.argument('out_dir')\ndef build(out_dir):\n"
            "    with open(os.path.join(out_dir, 'index.json'), 'w') as f:\n        f.write(index())\n",
            fixed=(
                "import os, click\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "@cli.command()\n@click.argument('out_dir')\ndef build(out_dir):\n"
                "    with atomic_open(os.path.join(out_dir, 'index.json'), 'w') as f:\n        f.write(index())\n"
            ), settings=(("reader_evidence", False),)
        ),
        # Strict mode reports the one-shot output of a command too.
        Invalid(
            "import click\n\n@click.command()\n@click.option('--file')\ndef export(file):\n"
            "    with open(file, 'w') as f:\n        f.write(render())\n",
            fixed=(
                "import click\nfrom determinism_lint.runtime import atomic_open\n\n"
                "@click.command()\n@click.option('--file')\ndef export(file):\n"
                "    with atomic_open(file, 'w') as f:\n        f.write(render())\n"
            ),
            settings=(("reader_evidence", False), ("strict", True),),
        ),
        # The command writes a config file of its own, not the path the user passed.
        Invalid(
            "import click, json\n\n@cli.command()\n@click.option('--profile')\ndef configure(profile):\n"
            "    with open(config_path(profile), 'w') as f:\n        json.dump(ask(), f)\n",
            fixed=(
                "import click, json\nfrom determinism_lint.runtime import atomic_open\n\n"
                "@cli.command()\n@click.option('--profile')\ndef configure(profile):\n"
                "    with atomic_open(config_path(profile), 'w') as f:\n        json.dump(ask(), f)\n"
            ), settings=(("reader_evidence", False),)
        ),
        # Not every line is an ``export``: the file holds data.
        Invalid(
            "import json\n\ndef export_parameters(output_file, params):\n    with open(output_file, 'w') as f:\n"
            "        f.write('export A=1\\n')\n        f.write(json.dumps(params))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "def export_parameters(output_file, params):\n    with atomic_open(output_file, 'w') as f:\n"
                "        f.write('export A=1\\n')\n        f.write(json.dumps(params))\n"
            ), settings=(("reader_evidence", False),)
        ),
        # One definition of the helper returns the caller's own path.
        Invalid(
            "import os, uuid\n\ndef local_path(where=None):\n    return where or os.path.join(SANDBOX, uuid.uuid4().hex)\n\n"
            "def save(blob, where):\n    f = open(local_path(where), 'wb')\n    f.write(blob)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        # The job folder is named for the task only: a rerun overwrites it in place.
        Invalid(
            "import os, pickle\n\nclass JobTask:\n    def init_local(self):\n"
            "        self.tmp_dir = os.path.join(self.shared_tmp_dir, self.task_id)\n"
            "        os.makedirs(self.tmp_dir, exist_ok=True)\n        self._dump(self.tmp_dir)\n\n"
            "    def _dump(self, out_dir):\n        self.job_file = os.path.join(out_dir, 'job-instance.pickle')\n"
            "        with open(self.job_file, 'wb') as f:\n            pickle.dump(self, f)\n",
            fixed=(
                "import os, pickle\n\nfrom determinism_lint.runtime import atomic_open\n\nclass JobTask:\n"
                "    def init_local(self):\n"
                "        self.tmp_dir = os.path.join(self.shared_tmp_dir, self.task_id)\n"
                "        os.makedirs(self.tmp_dir, exist_ok=True)\n        self._dump(self.tmp_dir)\n\n"
                "    def _dump(self, out_dir):\n        self.job_file = os.path.join(out_dir, 'job-instance.pickle')\n"
                "        with atomic_open(self.job_file, 'wb') as f:\n            pickle.dump(self, f)\n"
            ), settings=(("reader_evidence", False),)
        ),
        # One call passes a kept directory.
        Invalid(
            "import os, tempfile\n\ndef extract(blob, dest_dir):\n"
            "    with open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
            "extract(blob, tempfile.mkdtemp())\nextract(blob, out_dir)\n",
            fixed=(
                "import os, tempfile\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "def extract(blob, dest_dir):\n"
                "    with atomic_open(os.path.join(dest_dir, 'code.py'), 'wb') as f:\n        f.write(blob)\n\n"
                "extract(blob, tempfile.mkdtemp())\nextract(blob, out_dir)\n"
            ), settings=(("reader_evidence", False),)
        ),
        # The class never makes a temporary directory: ``self.root_dir`` is the user's.
        Invalid(
            "import os\n\nclass WorkspaceExecutor(Executor):\n    def _update_config(self, conf):\n"
            "        with open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
            "            conf.write(f)\n",
            fixed=(
                "import os\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "class WorkspaceExecutor(Executor):\n    def _update_config(self, conf):\n"
                "        with atomic_open(os.path.join(self.root_dir, '.dvc', 'config.local'), 'wb') as f:\n"
                "            conf.write(f)\n"
            ), settings=(("reader_evidence", False),)
        ),
        # The log handle is not the child's output: the function writes its results there.
        Invalid(
            "import subprocess\nwith open(results_path, 'w') as out:\n"
            "    out.write(subprocess.run(cmd, capture_output=True, text=True).stdout)\n",
            fixed=(
                "import subprocess\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(results_path, 'w') as out:\n"
                "    out.write(subprocess.run(cmd, capture_output=True, text=True).stdout)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "with open(path, 'w') as f:\n    f.write(text)\n",
            fixed="from determinism_lint.runtime import atomic_open\n\nwith atomic_open(path, 'w') as f:\n    f.write(text)\n", settings=(("reader_evidence", False),)
        ),
        Invalid(
            "import io\nwith io.open(path, mode='wb') as f:\n    f.write(blob)\n",
            fixed=(
                "import io\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, mode='wb') as f:\n    f.write(blob)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "with open(path, 'x') as f:\n    f.write(text)\n",
            fixed="from determinism_lint.runtime import atomic_open\n\nwith atomic_open(path, 'x') as f:\n    f.write(text)\n", settings=(("reader_evidence", False),)
        ),
        Invalid(
            "from pathlib import Path\nwith Path(out_dir, 'meta.json').open('w') as f:\n    f.write(text)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(Path(out_dir, 'meta.json'), 'w') as f:\n    f.write(text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "from pathlib import Path\n\ndef save(out: Path, text):\n    with out.open('w') as f:\n"
            "        f.write(text)\n",
            fixed=(
                "from pathlib import Path\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "def save(out: Path, text):\n    with atomic_open(out, 'w') as f:\n        f.write(text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "with (run_dir / 'report.csv').open(mode='w', newline='') as f:\n    write_rows(f)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(run_dir / 'report.csv', mode='w', newline='') as f:\n    write_rows(f)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("f = open(path, 'w')\nf.write(text)\nf.close()\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("import gzip\nwith gzip.open(path, 'wt') as f:\n    f.write(text)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "import gzip\nwith gzip.GzipFile(filename=output, mode='wb', mtime=0) as gz:\n    gz.write(blob)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid(
            "class Checkpoint:\n    def to_yaml(self, filepath, best):\n"
            "        with self._fs.open(filepath, 'w') as fp:\n            yaml.dump(best, fp)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid(
            "MODE = 'wb'\nwith open(path, MODE) as f:\n    f.write(blob)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "MODE = 'wb'\nwith atomic_open(path, MODE) as f:\n    f.write(blob)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "with open(f'{run}/report.md.json', 'w') as f:\n    f.write(text)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(f'{run}/report.md.json', 'w') as f:\n    f.write(text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "import codecs\nwith codecs.open(path, 'w') as f:\n    f.write(text)\n",
            fixed=(
                "import codecs\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    f.write(text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid("import codecs\nwith codecs.open(path, 'w', 'latin-1') as f:\n    f.write(text)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "with open(src) as f, open(dst, 'w') as g:\n    g.write(f.read())\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n"
                "with open(src) as f, atomic_open(dst, 'w') as g:\n    g.write(f.read())\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "class Store:\n    def save(self, text):\n        # one file per store\n"
            "        with open(self.path, 'w', encoding='utf-8') as f:  # the index\n            f.write(text)\n",
            fixed=(
                "from determinism_lint.runtime import atomic_open\n\n\nclass Store:\n"
                "    def save(self, text):\n        # one file per store\n"
                "        with atomic_open(self.path, 'w', encoding='utf-8') as f:  # the index\n"
                "            f.write(text)\n"
            ), settings=(("reader_evidence", False),)
        ),
        Invalid(
            "def save(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n"
            "    log.info('wrote %s', f.name)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid("with open(path, 'w', buffering=1) as f:\n    f.write(text)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("with fs.open(config_path, 'wb') as f:\n    f.write(blob)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid("import fsspec\nwith fsspec.open(index_path, 'wb') as f:\n    f.write(blob)\n", fixed=NO_FIX, settings=(("reader_evidence", False),)),
        Invalid(
            "def dump(path, text, fs=None):\n    open_fn = fs.open if fs else open\n"
            "    with open_fn(path, 'w') as f:\n        f.write(text)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
        Invalid(
            "import os\nfd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)\nos.write(fd, blob)\n",
            fixed=NO_FIX, settings=(("reader_evidence", False),)
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        found = self.hazard(node, ctx)
        if found is None:
            return
        site, reader = found
        assert isinstance(node, ast.Call)
        fixable = (
            _is_direct_with_item(node, ctx)
            and _open_rewrite(node, ctx) is not None
            and not _handle_may_leak(node, ctx)
        )
        message = (
            f"`{_display(site.api)}(..., {site.mode!r})` on line {node.lineno} writes {_written(site)} in place:"
            " a crash leaves it truncated or half-written"
            f"{read_clause(reader, ctx)}"
        )
        yield Report(node, message, fixable=fixable)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import open_fix

        return open_fix(node, ctx)
