"""DET405: a narrow ``except`` that silently swallows the failure of artifact work."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...model import FixSafety
from ..base import Invalid, Report, Rule
from ..handler_facts import (
    TRY_TYPES,
    all_artifact_work,
    artifact_work,
    can_be_raised_by,
    caught_names,
    is_broad,
    is_import_fallback,
    is_silent,
    log_call_fixable,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...fixer import Edit, FixContext


class SilentNarrowExcept(Rule):
    """
    ## What it does
    Flags a narrow handler that only passes, continues or breaks (`except OSError: pass`)
    when its `try` body does artifact work by evidence (a write or a dump into a persistent
    file, a hash, closing something the module writes to, or a call to a function of the
    same module that reaches one of these), and that work can raise what the handler
    catches. The message names the work and its line.

    Quiet where the `try` body cannot trigger the handler, or triggering it loses nothing:

    - the work is one atomic write outside any loop (an atomic helper, or a temp file
      renamed over the target): a failure leaves the old file or none, never a torn one,
      and a cache entry that is not made is made again (the same holds for DET403); in a
      loop, a swallowed failure leaves the set of files incomplete and stays a finding;
    - `FileExistsError`: writes, dumps and hashes do not raise it (`except FileExistsError:
      pass` around `open(p, "w")` is dead code), and where an exclusive create (`open(p,
      "x")`, `mkdir`) raises it, the file is already there;
    - a library's exception (`requests.RequestException`) when the work is a write, a dump
      or a hash, or a function of this module that never calls that library;
    - the project's own exception class (`CardNotPresentException`) when the work is a
      write, a dump or a hash, or a function of this module that never names it: it is
      control flow raised elsewhere in the `try` body.

    A write or a dump can raise `OSError` and its subclasses, `ValueError`/`TypeError`
    and the serializer's own errors (`PicklingError`, `YAMLError`); a hash `TypeError`/
    `ValueError`, and `OSError` when its input is read in the same call
    (`h.update(f.read())`). Optional-import fallbacks (`except ImportError`) are never
    flagged, and neither is a handler that returns or sets a status: it hands the failure on.

    ## Why is this bad?
    A narrow handler looks deliberate, but around artifact work it still means the
    artifact can silently end up without a part: the file that could not be written, the
    record that failed to serialize. Nothing tells the next step that the input is short.

    ## Example
    ```python
    import json


    def write_shard_index(shards, out_dir):
        for shard in shards:
            try:
                (out_dir / shard.name).write_text(json.dumps(shard.meta, sort_keys=True))
            except OSError:
                continue
    ```

    ## Use instead
    ```python
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_shard_index(shards, out_dir):
        for shard in shards:
            try:
                (out_dir / shard.name).write_text(json.dumps(shard.meta, sort_keys=True))
            except OSError:
                logger.warning("write_shard_index: skipped %s", shard.name, exc_info=True)
                continue
    ```

    ## Fix safety
    The fix adds a `logger.debug(..., exc_info=True)` call (the level is `fix-log-level`)
    through the module's own logger, as for DET402. It is safe: control flow is unchanged, the
    swallowed error becomes visible.

    ## Test code
    Not checked in test code (`test-paths`): test code is not artifact code, in strict mode too.

    """

    code = "DET405"
    name = "silent-narrow-except"
    message = "`except` silently swallows an error around artifact work: the artifact may end up incomplete"
    fix_title = "Log the swallowed exception"
    fix_safety = FixSafety.SAFE
    node_types = (ast.ExceptHandler,)
    artifact_only = True
    fix_node = ("ExceptHandler",)

    VALID = (
        "import os\nimport tempfile\nimport torch\n\ndef cache_item(item, cache_file):\n    try:\n"
        "        with tempfile.TemporaryDirectory(dir=os.path.dirname(cache_file)) as tmp:\n"
        "            tmp_file = os.path.join(tmp, 'item.pt')\n            torch.save(item, tmp_file)\n"
        "            os.replace(tmp_file, cache_file)\n    except PermissionError:\n        pass\n    return item\n",
        "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
        "def save_cache(c, k):\n    try:\n        return c[k]\n    except KeyError:\n        return None\n",
        "def save_all(p):\n    try:\n        os.remove(p)\n    except FileNotFoundError:\n        pass\n",
        "import json\ndef save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n        log.warning('x')\n",
        "import json\ndef render(d):\n    try:\n        return json.dumps(d)\n    except TypeError:\n        return None\n",
        "import json\ndef save_once(d, f):\n    try:\n        json.dump(d, f)\n    except FileExistsError:\n"
        "        status = 'exists'\n    else:\n        status = 'written'\n    return status\n",
        # open(..., "w") never raises FileExistsError
        "import json\ndef save_report(d, p):\n    try:\n        with open(p, 'w') as f:\n            json.dump(d, f)\n"
        "    except FileExistsError:\n        pass\n",
        # the network poll raises it, not the write
        "import json, requests\ndef poll(p):\n    try:\n        r = requests.get(URL)\n"
        "        with open(p, 'w') as f:\n            json.dump(r.json(), f)\n"
        "    except requests.RequestException:\n        pass\n",
        # the project's own signal, raised by the lookup, not by the write
        "import json\ndef export_cards(tasks, p):\n    for t in tasks:\n        try:\n            card = find_card(t)\n"
        "            with open(p, 'w') as f:\n                json.dump(card, f)\n"
        "        except CardNotFound:\n            pass\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n        pass\n",
            fixed=(
                "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def save_all(p, d):\n    try:\n        json.dump(d, p)\n    except OSError:\n"
                '        logger.debug("save_all: ignored OSError", exc_info=True)\n'
            ),
        ),
        Invalid(
            "import hashlib\nimport logging\nlogger = logging.getLogger(__name__)\n"
            "def digest_files(paths):\n    h = hashlib.sha256()\n    for p in paths:\n        try:\n"
            "            h.update(read(p))\n        except (OSError, ValueError):\n            continue\n"
            "    return h.hexdigest()\n",
            fixed=(
                "import hashlib\nimport logging\nlogger = logging.getLogger(__name__)\n"
                "def digest_files(paths):\n    h = hashlib.sha256()\n    for p in paths:\n        try:\n"
                "            h.update(read(p))\n        except (OSError, ValueError):\n"
                '            logger.debug("digest_files: ignored (OSError, ValueError)", exc_info=True)\n'
                "            continue\n    return h.hexdigest()\n"
            ),
        ),
    )

    def check(self, node: ast.AST, ctx: Context) -> Iterator[Report]:
        assert isinstance(node, ast.ExceptHandler)
        if is_broad(node, ctx) or not is_silent(node, ctx) or is_import_fallback(node, ctx):
            return
        # A handler that returns hands the failure to its caller (``return None``), and one
        # that sets a status is an expected branch; one that only passes, continues or
        # breaks drops the part and carries on building the artifact.
        if not all(isinstance(statement, (ast.Pass, ast.Continue, ast.Break, ast.Expr)) for statement in node.body):
            return
        names = caught_names(node, ctx) or []
        if any(name.endswith(("ImportError", "ModuleNotFoundError")) for name in names):
            return
        parent = ctx.parent(node)
        if not isinstance(parent, TRY_TYPES) or not ctx.in_artifact_scope(node):
            return
        work = all_artifact_work(parent.body, ctx)
        if not work or not can_be_raised_by(node, work, ctx):
            return
        first = min(work, key=lambda item: (item.call.lineno, item.call.col_offset))
        first = artifact_work(parent.body, ctx) or first
        message = (
            f"`except` silently swallows the failure of {first.describe()}: the artifact may end up incomplete"
        )
        yield Report(node, message, fixable=log_call_fixable(node, ctx))

    def fix(self, node: Any, ctx: FixContext) -> Optional[Edit]:
        from ...fix_handlers import add_log_call

        return add_log_call(node, ctx)
