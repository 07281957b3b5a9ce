"""``fix`` on modules shaped like real projects: the edits keep behaviour and look hand-written.

Import groups, docstrings, ``try:`` import fallbacks, existing loggers of each spelling,
handlers in loops, descriptors, handles used after their block, vendored code, symlinks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from determinism_lint.cli import main
from determinism_lint.discovery import discover
from determinism_lint.engine import Engine
from determinism_lint.fixer import OUTSIDE_TREE, _verify, fix_source, plan_fixes
from determinism_lint.settings import ConfigError, Settings, settings_from_table

ROOT = Path(__file__).resolve().parents[2]


def fixed(source: str, *, unsafe: bool = False, path: str = "module.py", **settings: object) -> str:
    engine = Engine(Settings(**{"reader_evidence": False, **settings}))  # type: ignore[arg-type]
    result = fix_source(textwrap.dedent(source).encode(), path, engine, unsafe=unsafe)
    assert result.error is None, result.error
    return result.new.decode() if result.new is not None else textwrap.dedent(source)


def dedent(text: str) -> str:
    return textwrap.dedent(text)


# -- imports ----------------------------------------------------------------------------------


def test_imports_join_their_groups_and_nothing_is_removed() -> None:
    source = '''\
    """Readers and writers for site content."""

    import io
    import os
    import re

    import yaml
    from markdown import Markdown

    from .utils import slugify


    def save(path, text):
        with io.open(path, "w", encoding="utf-8") as f:
            f.write(text)


    def load_all(paths):
        out = {}
        for p in paths:
            try:
                out[p] = yaml.safe_load(p)
            except Exception:
                pass
        return out
    '''
    assert fixed(source, strict=True) == dedent(
        '''\
        """Readers and writers for site content."""

        import io
        import logging
        import os
        import re

        import yaml
        from determinism_lint.runtime import atomic_open
        from markdown import Markdown

        from .utils import slugify


        def save(path, text):
            with atomic_open(path, "w", encoding="utf-8") as f:
                f.write(text)


        def load_all(paths):
            out = {}
            for p in paths:
                try:
                    out[p] = yaml.safe_load(p)
                except Exception:
                    logging.getLogger(__name__).debug("load_all: ignored Exception", exc_info=True)
            return out
        '''
    )


def test_helper_import_goes_between_stdlib_and_local_groups_when_there_is_no_third_party_group() -> None:
    source = '''\
    """Module docstring."""

    import os

    from .conf import settings


    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
    '''
    assert fixed(source).startswith(
        dedent(
            '''\
            """Module docstring."""

            import os

            from determinism_lint.runtime import atomic_open

            from .conf import settings
            '''
        )
    )


def test_never_inside_a_try_import_block_and_never_below_module_code() -> None:
    source = """\
    import os

    try:
        import ujson as json
    except ImportError:
        import json

    CACHE = {}

    import late_module


    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
    """
    result = fixed(source)
    assert result.startswith(dedent("""\
        import os

        from determinism_lint.runtime import atomic_open

        try:
            import ujson as json
        except ImportError:
            import json
        """))
    assert result.count("import atomic_open") == 1


def test_second_module_string_and_version_dependent_import_blocks() -> None:
    # A generated module opens with a "do not edit" note and then its docstring; an
    # ``if sys.version_info`` import block sits between the standard-library and local groups.
    source = '''\
    """
    Generated from contents_manager.py: do not edit.
    """

    """The contents manager."""

    import os
    import sys

    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:
        from importlib_metadata import entry_points

    from . import exceptions


    def read_all(paths):
        for p in paths:
            try:
                os.stat(p)
            except Exception:
                pass


    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
    '''
    result = fixed(source, strict=True)
    assert result.startswith(
        dedent(
            '''\
            """
            Generated from contents_manager.py: do not edit.
            """

            """The contents manager."""

            import logging
            import os
            import sys

            if sys.version_info >= (3, 10):
                from importlib.metadata import entry_points
            else:
                from importlib_metadata import entry_points

            from determinism_lint.runtime import atomic_open

            from . import exceptions
            '''
        )
    )


def test_one_block_without_groups_gets_the_import_after_its_last_line() -> None:
    source = """\
    import os
    import numpy as np
    from .io import load
    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
    """
    assert fixed(source).startswith(
        "import os\nimport numpy as np\nfrom .io import load\nfrom determinism_lint.runtime import atomic_open\n\n\n"
        "def write(path, text):\n"
    )


def test_an_existing_helper_import_is_extended_not_repeated() -> None:
    source = """\
    import json

    from determinism_lint.runtime import atomic_open


    def digest_tags(tags: set, f):
        json.dump(list(tags), f)
    """
    result = fixed(source, unsafe=True, strict=True)
    assert "from determinism_lint.runtime import atomic_open, sorted_total\n" in result
    assert result.count("determinism_lint.runtime") == 1


def test_docstring_and_blank_line_survive_when_the_module_has_no_imports() -> None:
    source = '''\
    """Only a docstring."""

    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
    '''
    assert fixed(source).startswith('"""Only a docstring."""\n\nfrom determinism_lint.runtime import atomic_open\n\n')


# -- loggers ----------------------------------------------------------------------------------

HANDLER = """
def parse_all(values):
    out = {}
    for key, value in values.items():
        try:
            out[key] = int(value)
        except Exception:
            pass
    return out
"""


@pytest.mark.parametrize(
    ("head", "call"),
    [
        ("import logging\n\nlogger = logging.getLogger(__name__)\n", "logger.debug"),
        ("import logging\n\nLOGGER = logging.getLogger(__name__)\n", "LOGGER.debug"),
        ("import logging\n\nlog = logging.getLogger(__name__)\n", "log.debug"),
        ("import logging\n\n_log = logging.getLogger(__name__)\n", "_log.debug"),
        ("from .log import get_logger\n\nLOGGER = get_logger(__name__)\n", "LOGGER.debug"),
        ("import logging\n\nlog = _LoggerAdapter(logging.getLogger(__name__), {})\n", "log.debug"),
        ("from .utils import logging\n\nlogger = logging.get_logger(__name__)\n", "logger.debug"),
        ("from loguru import logger\n", "logger.debug"),
        ("import logging\n\nmy_channel = logging.getLogger('pkg.io')\n", "my_channel.debug"),
    ],
)
def test_the_module_logger_is_reused(head: str, call: str) -> None:
    result = fixed(head + "\n" + HANDLER, strict=True)
    assert f'            {call}("parse_all: ignored Exception", exc_info=True)\n' in result
    assert result.startswith(head)  # no import added, nothing moved


def test_log_is_not_a_logger_when_it_is_maths() -> None:
    result = fixed("from math import log\n" + HANDLER, strict=True)
    assert "logging.getLogger(__name__).debug(" in result
    assert result.startswith("import logging\nfrom math import log\n")


def test_a_package_module_called_logging_is_not_captured() -> None:
    source = "from .utils import logging\n\n" + HANDLER
    result = fixed(source, strict=True)
    assert result.startswith("import logging as _logging\n\nfrom .utils import logging\n")
    assert '_logging.getLogger(__name__).debug("parse_all: ignored Exception", exc_info=True)' in result


def test_a_parameter_called_logging_is_not_captured() -> None:
    source = """\
    import os


    def configure(logging, value):
        try:
            logging.configure(int(value))
        except Exception:
            pass
    """
    result = fixed(source, strict=True)
    assert result.startswith("import logging as _logging\nimport os\n")
    assert "_logging.getLogger(__name__).debug(" in result


def test_a_shadowed_module_logger_is_not_used() -> None:
    source = """\
    import logging

    logger = logging.getLogger(__name__)


    def run(logger, value):
        try:
            logger.configure(int(value))
        except Exception:
            pass
    """
    result = fixed(source, strict=True)
    assert 'logging.getLogger(__name__).debug("run: ignored Exception", exc_info=True)' in result


def test_a_method_uses_the_logger_its_class_uses() -> None:
    source = """\
    import os


    class Manager:
        def rename(self, old, new):
            self.log.info("renaming %s", old)
            try:
                os.rename(old, new)
            except Exception:
                pass
    """
    assert 'self.log.debug("rename: ignored Exception", exc_info=True)' in fixed(source, strict=True)


def test_log_level_setting(tmp_path: Path) -> None:
    assert settings_from_table({"fix-log-level": "INFO"}, source="x").fix_log_level == "info"
    with pytest.raises(ConfigError, match="fix-log-level"):
        settings_from_table({"fix-log-level": "loud"}, source="x")
    # Louder than debug: only where an artifact is at stake.
    quiet_elsewhere = fixed("import logging\nlogger = logging.getLogger(__name__)\n" + HANDLER, fix_log_level="warning")
    assert "logger.warning" not in quiet_elsewhere and "pass" in quiet_elsewhere
    artifact = """\
    import json
    import logging

    logger = logging.getLogger(__name__)


    def save_all(items, f):
        for item in items:
            try:
                json.dump(item, f, sort_keys=True)
            except OSError:
                continue
    """
    assert 'logger.warning("save_all: ignored OSError", exc_info=True)' in fixed(artifact, fix_log_level="warning")


def test_flake8_option_sets_the_log_level() -> None:
    from types import SimpleNamespace

    from determinism_lint.flake8_plugin import settings_from_flake8

    options = SimpleNamespace(det_fix_log_level="error", det_strict=False)
    assert settings_from_flake8(options).fix_log_level == "error"


def test_a_handler_that_runs_during_garbage_collection_gets_no_log_call() -> None:
    source = """\
    def stream(reader):
        try:
            for row in reader:
                yield row
        except:
            pass


    class Resource:
        def __del__(self):
            try:
                self.close()
            except Exception:
                pass
    """
    assert fixed(source) == dedent(source)


# -- verification -----------------------------------------------------------------------------


def test_a_fix_that_would_unbind_a_top_level_name_is_dropped() -> None:
    engine = Engine(Settings(reader_evidence=False))
    old = b"import io\nimport json as j\nx = 1\ndef f():\n    pass\n"
    new = b"import json as j\ndef f():\n    pass\n"
    reason = _verify(engine, "m.py", new, [], [], old)
    assert reason == "the module would no longer bind io, x"


# -- preconditions ----------------------------------------------------------------------------


def test_descriptors_and_unknown_receivers_are_left_alone() -> None:
    source = """\
    import os


    def spawn(payload, target):
        rfd, wfd = os.pipe()
        with open(wfd, "wb") as to_child:
            to_child.write(payload)
        target.write_text(payload.decode())
    """
    assert fixed(source) == dedent(source)


def _run(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    script = tmp_path / "run_fixed.py"
    script.write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(tmp_path)]))
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)


def test_a_handle_passed_on_after_its_block_names_the_written_file(tmp_path: Path) -> None:
    source = """\
    def load_config(config_file):
        with open(config_file.name, encoding="utf-8") as f:
            return f.read()


    def write_and_load(path):
        with open(path, "w", encoding="utf-8") as config_file:
            config_file.write("site_name: x\\n")
        return load_config(config_file=config_file)
    """
    result = fixed(source)
    assert "with atomic_open(path, " in result
    (tmp_path / "sitecfg.py").write_text(result, encoding="utf-8")
    run = _run(tmp_path, "from sitecfg import write_and_load\nprint(write_and_load('mkdocs.yml'), end='')\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "site_name: x\n"


def test_mocking_the_helper_keeps_a_mock_based_test_working(tmp_path: Path) -> None:
    source = """\
    import json


    def dump(context, path):
        with open(path, "w", encoding="utf-8") as outfile:
            json.dump(context, outfile, indent=2)
    """
    (tmp_path / "replay.py").write_text(fixed(source), encoding="utf-8")
    run = _run(
        tmp_path,
        "from unittest import mock\nimport replay\n"
        "with mock.patch('replay.atomic_open', mock.mock_open()) as opened:\n"
        "    replay.dump({'a': 1}, 'out.json')\n"
        "opened.assert_called_once_with('out.json', 'w', encoding='utf-8')\n"
        "import os\nassert not os.path.exists('out.json')\n",
    )
    assert run.returncode == 0, run.stderr


def test_unsafe_sorting_fixes_do_not_raise_on_values_that_do_not_compare(tmp_path: Path) -> None:
    source = """\
    import hashlib
    import json


    def write_index(index: dict, tags: set, f):
        json.dump(list(tags), f)
        h = hashlib.sha256()
        for value in index.values():
            h.update(repr(value).encode())
        for key, value in index.items():
            h.update(repr((key, value)).encode())
        return h.hexdigest()


    def write_tag_index(tags: set, f):
        return write_index(dict.fromkeys(tags), tags, f)
    """
    result = fixed(source, unsafe=True)
    assert "sorted_total(tags)" in result and "sorted_total(index.values())" in result
    assert "sorted_items(index)" in result
    (tmp_path / "indexer.py").write_text(result, encoding="utf-8")
    run = _run(
        tmp_path,
        "import io\nfrom indexer import write_index\n"
        "print(write_index({1: {'a': 1}, 'b': None, None: [2]}, {'x', None, 3}, io.StringIO()))\n",
    )
    assert run.returncode == 0, run.stderr


# -- the error policy fix ---------------------------------------------------------------------


def test_policy_fix_keeps_stated_intent_and_adds_no_second_log_call() -> None:
    source = """\
    import json
    import warnings


    def save_cache(cache, path):
        try:
            with open(path, "a") as f:
                json.dump(cache, f, sort_keys=True)
        except Exception:
            warnings.warn("Unable to cache to disk: running without a cache")


    def save_manifest(manifest, f):
        try:
            json.dump(manifest, f, sort_keys=True)
        except Exception:
            pass
    """
    result = fixed(source, unsafe=True)
    assert 'warnings.warn("Unable to cache to disk: running without a cache")\n' in result
    assert result.count("handle_error_with_policy(") == 1
    assert "getLogger" not in result and ".debug(" not in result


# -- what is fixed at all ---------------------------------------------------------------------


def test_vendored_code_templates_and_docs_config_are_excluded(tmp_path: Path) -> None:
    for name in (
        "pkg/mod.py",
        "pkg/externals/loky/popen.py",
        "pkg/_vendor/six.py",
        "pkg/vendor/x.py",
        "pkg/third_party/y.py",
        "pkg/templates/project/hooks/post_gen_project.py",
        "{{cookiecutter.repo_name}}/setup.py",
        "doc/conf.py",
        "docs/conf.py",
        "sub/docs/conf.py",
    ):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n", encoding="utf-8")
    settings = Settings(root=str(tmp_path), reader_evidence=False)
    found = [os.path.relpath(path, tmp_path).replace(os.sep, "/") for path in discover([str(tmp_path)], settings)]
    assert found == ["pkg/mod.py"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_a_symlink_that_leaves_the_tree_is_not_rewritten(tmp_path: Path, monkeypatch, capsys) -> None:
    outside = tmp_path / "shared" / "writer.py"
    outside.parent.mkdir()
    source = "def write(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n"
    outside.write_text(source, encoding="utf-8")
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "writer.py").symlink_to(outside)
    (project / "pkg" / "own.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(project)
    main(["fix", "--no-reader-evidence", "pkg"])
    assert outside.read_text(encoding="utf-8") == source
    assert "atomic_open" in (project / "pkg" / "own.py").read_text(encoding="utf-8")
    assert OUTSIDE_TREE in capsys.readouterr().err
    results = plan_fixes(["pkg/own.py", "pkg/writer.py"], Settings(reader_evidence=False), unsafe=False)
    assert [item.error for item in results] == [None, OUTSIDE_TREE]


def test_the_package_own_absolute_imports_count_as_local(tmp_path: Path) -> None:
    package = tmp_path / "site_gen"
    (package / "tools").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "tools" / "__init__.py").write_text("", encoding="utf-8")
    module = package / "tools" / "importer.py"
    source = dedent(
        """\
        import os

        from site_gen.utils import slugify


        def write(path, text):
            with open(path, "w") as f:
                f.write(text)
        """
    )
    result = fixed(source, path=str(module))
    assert result.startswith(
        "import os\n\nfrom determinism_lint.runtime import atomic_open\n\nfrom site_gen.utils import slugify\n"
    )


def test_the_added_log_call_formats_no_traceback_unless_debug_is_on(tmp_path: Path) -> None:
    # A per-item fallback must not format a traceback per item: on CPython 3.11 formatting
    # one parses source code, which can break a parse running in another thread.
    source = """\
    def parse_all(values):
        out = []
        for value in values:
            try:
                out.append(int(value))
            except Exception:
                pass
        return out
    """
    (tmp_path / "parsing.py").write_text(fixed(source, strict=True), encoding="utf-8")
    run = _run(
        tmp_path,
        "import logging, parsing\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "calls = []\n"
        "original = logging.Formatter.formatException\n"
        "logging.Formatter.formatException = lambda self, ei: calls.append(1) or original(self, ei)\n"
        "assert parsing.parse_all(['1', 'x'] * 100) == [1] * 100\n"
        "assert calls == [], len(calls)\n"
        "logging.getLogger().setLevel(logging.DEBUG)\n"
        "parsing.parse_all(['x'])\n"
        "assert calls == [1]\n",
    )
    assert run.returncode == 0, run.stderr


def test_every_comment_survives_once_around_all_kinds_of_edits() -> None:
    import io
    import tokenize
    from collections import Counter

    source = dedent(
        '''\
        """Exports."""  # module note

        # standard library
        import io  # for io.open
        import json
        import os

        # third party
        import yaml  # noqa: F401


        def export(path, data: dict, tags: set, out_dir):
            # write the main file
            with io.open(path, "w") as f:  # the target
                json.dump(data, f)  # payload
            for name in os.listdir(out_dir):  # every shard
                print(name)
            json.dump(list(tags), open(path + ".tags", "w"))  # tags too
            try:
                os.remove(path + ".old")
            except Exception:  # best effort
                pass  # nothing to do
        '''
    )

    def comments(text: str) -> Counter:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return Counter(token.string for token in tokens if token.type == tokenize.COMMENT)

    result = fixed(source, unsafe=True, strict=True)
    assert result != source
    assert comments(result) == comments(source)


def test_a_logger_bound_only_under_main_or_a_computed_value_is_not_reused() -> None:
    source = "import logging\n\nlevel = compute(logging.getLogger().level)\n\n" + HANDLER + (
        "\n\nif __name__ == '__main__':\n    logger = logging.getLogger('cli')\n"
    )
    result = fixed(source, strict=True)
    assert 'logging.getLogger(__name__).debug("parse_all: ignored Exception", exc_info=True)' in result
    assert result.startswith("import logging\n\nlevel")
