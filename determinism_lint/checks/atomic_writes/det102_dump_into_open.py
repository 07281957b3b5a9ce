"""DET102 (DumpIntoOpen): the rule, its documentation and examples.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import NO_FIX, Invalid, Report
from ..writes.fixplan import _dump_plan
from ..writes.sites import _short
from ._write_rule import WriteSiteRule

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class DumpIntoOpen(WriteSiteRule):
    """
    ## What it does
    Flags `json.dump`, `yaml.dump`/`safe_dump`, `pickle.dump`, `marshal.dump`, `toml.dump`
    (and `simplejson`, `ujson`, `cloudpickle`, `dill`, `tomli_w`) whose file argument is a
    bare `open(..., "w")` call: `json.dump(obj, open(path, "w"))`.

    The inner `open()` is not reported again by DET101: this is one finding per write.

    ## Why is this bad?
    Nothing closes the file: when it is flushed depends on the garbage collector, so the
    next step may read it before all bytes are there. And the write is not atomic: a
    crash leaves the target truncated or half-written.

    ## Example
    ```python
    import json


    def write_manifest(manifest, path):
        json.dump(manifest, open(path, "w"), indent=2)
    ```

    ## Use instead
    ```python
    import json

    from determinism_lint.runtime import atomic_open


    def write_manifest(manifest, path):
        with atomic_open(path, "w") as f:
            json.dump(manifest, f, indent=2)
    ```

    ## Fix safety
    The fix turns the statement into `with atomic_open(path, "w") as f:` around the dump,
    which gets `f` in place of the `open(...)` call (`f`, `fh`, `handle`...: the first name
    not used anywhere in the module). The `with` takes the statement's leading comments; the
    dump keeps its trailing comment, so a `noqa` stays on its line. It is safe: the same
    bytes are written, the file is closed, and the target is replaced in one step.

    It is offered only when the dump call is a statement alone on its line, outside a class
    body, with an `open(...)` that DET101 could rewrite, and when evaluating the path before
    the dumped object is invisible (one of the two calls nothing but path builders:
    `json.dump(make(), open(next_path(), "w"))` has no fix).

    Tests that patch `open` by name in the module (`mock.patch("pkg.module.open")`) no longer
    intercept the write: patch `pkg.module.atomic_open` instead (see DET101).

    ## Test code
    Not checked in test code (`test-paths`): a test writes into `tmp_path` or another scratch
    directory, and a file torn there by a crash is not an artifact anyone keeps.

    """

    code = "DET102"
    name = "dump-into-open"
    message = "dump into a bare `open(..., 'w')`: the file is never closed promptly and the write is not atomic"
    fix_title = "Dump inside `with atomic_open(...) as f:`"
    fix_safety = FixSafety.SAFE
    site_kind = "dump"
    needs_reader = False
    fix_node = ("Call",)

    VALID = (
        "import json\nwith open(path, 'w') as f:\n    json.dump(obj, f)\n",
        "import json\nwith open(path) as f:\n    obj = json.load(f)\n",
        "import json\njson.dump(record, open(events_log, 'a'))\n",
        "import json\njson.dump(state, open('state.lock', 'w'))\n",
        "import json\n\nfrom determinism_lint.runtime import atomic_open\njson.dump(obj, atomic_open(path, 'w'))\n",
        "def dump(obj, f):\n    pass\n\ndump(obj, open(path, 'w'))\n",
        "import json\nimport sys\njson.dump(obj, sys.stdout)\n",
    )
    INVALID = (
        Invalid(
            "import json\njson.dump(obj, open(path, 'w'))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    json.dump(obj, f)\n"
            ),
        ),
        Invalid(
            "import json as j\nj.dump(obj, fp=open(path, 'w'), indent=2)\n",
            fixed=(
                "import json as j\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'w') as f:\n    j.dump(obj, fp=f, indent=2)\n"
            ),
        ),
        Invalid(
            "import pickle\npickle.dump(model, open(cache / 'model.pkl', 'wb'))\n",
            fixed=(
                "import pickle\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(cache / 'model.pkl', 'wb') as f:\n    pickle.dump(model, f)\n"
            ),
        ),
        Invalid(
            "import yaml\nyaml.safe_dump(config, open(out, 'w'), sort_keys=True)\n",
            fixed=(
                "import yaml\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(out, 'w') as f:\n    yaml.safe_dump(config, f, sort_keys=True)\n"
            ),
        ),
        Invalid(
            "from pathlib import Path\nimport json\njson.dump(obj, Path(out).open('w'))\n",
            fixed=(
                "from pathlib import Path\nimport json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(Path(out), 'w') as f:\n    json.dump(obj, f)\n"
            ),
        ),
        Invalid("from json import dump\nresult = dump(obj, open(path, 'w'))\n", fixed=NO_FIX),
        Invalid(
            "import marshal\nmarshal.dump(code, open(path, 'xb'))\n",
            fixed=(
                "import marshal\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "with atomic_open(path, 'xb') as f:\n    marshal.dump(code, f)\n"
            ),
        ),
        Invalid(
            "import json\n\n\ndef save(obj, path, **kw):\n    # the manifest\n"
            "    json.dump(obj, open(path, 'w'), **kw)  # noqa: DET201\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n\n"
                "def save(obj, path, **kw):\n    # the manifest\n    with atomic_open(path, 'w') as f:\n"
                "        json.dump(obj, f, **kw)  # noqa: DET201\n"
            ),
        ),
        Invalid(
            "import json\nif ready: json.dump(obj, open(path, 'w'))\n",
            fixed=(
                "import json\n\nfrom determinism_lint.runtime import atomic_open\n\n"
                "if ready:\n    with atomic_open(path, 'w') as f:\n        json.dump(obj, f)\n"
            ),
        ),
        Invalid("import json\njson.dump(make(), open(next_path(), 'w'))\n", fixed=NO_FIX),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        found = self.hazard(node, ctx)
        if found is None:
            return
        site, reader = found
        assert isinstance(node, ast.Call)
        message = (
            f"`{site.api}` on line {node.lineno} into a bare `open({_short(site.target) if site.target else '...'},"
            f" {site.mode!r})`: the file is"
            " never closed promptly and the write is not atomic"
        )
        yield Report(node, message, fixable=_dump_plan(node, site, ctx) is not None)

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from .fixes import dump_fix

        return dump_fix(node, ctx)
