"""Artifact-shaping scopes: which functions count, why, and what that means for the rules."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from determinism_lint import scopes
from determinism_lint.cli import main
from determinism_lint.context import Context
from determinism_lint.engine import ALWAYS_COLLECTED, _walk, parse_source
from determinism_lint.scopes.explain import explain_scopes
from determinism_lint.settings import Settings, settings_from_table

from ..helpers import check, check_result


def verdicts(tmp_path: Path, source: str, settings: Settings | None = None, name: str = "pipeline.py") -> dict[str, str]:
    """``{qualname: verdict}`` from ``explain_scopes`` for ``source``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    settings = settings if settings is not None else Settings(root=str(tmp_path))
    result = {}
    for line in explain_scopes([str(path)], settings).splitlines():
        _, _, rest = line.partition(f"{path}:")
        _, _, rest = rest.partition(": ")
        qualname, _, verdict = rest.partition(": ")
        result[qualname] = verdict
    return result


def is_artifact(verdict: str) -> bool:
    return verdict.startswith("artifact-shaping")


# -- direct evidence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("import hashlib\ndef f(data):\n    return hashlib.sha256(data)\n", "computes a hash (hashlib.sha256)"),
        ("def f(h):\n    return h.hexdigest()\n", "computes a digest (.hexdigest())"),
        ("import hashlib\ndef f(chunks):\n    h = hashlib.md5()\n    for c in chunks:\n"
         "        h.update(c)\n", "computes a hash (hashlib.md5)"),
        ("import json\ndef f(obj, handle):\n    json.dump(obj, handle)\n", "serializes (json.dump)"),
        ("import hashlib, json\ndef f(obj):\n    return hashlib.sha256(json.dumps(obj).encode())\n",
         "computes a hash (hashlib.sha256)"),
        ("import json\ndef f(obj, path):\n    text = json.dumps(obj)\n    path.write_text(text)\n",
         "serializes (json.dumps) on line 3 into `path.write_text(...)` on line 4"),
        ("import yaml\ndef f(obj, handle):\n    yaml.dump(obj, handle)\n", "serializes (yaml.dump)"),
        ("import pickle\ndef f(obj, handle):\n    handle.write(pickle.dumps(obj))\n",
         "serializes (pickle.dumps) on line 3 into `handle.write(...)` on line 3"),
        ("from determinism_lint.runtime import canonical_json\ndef f(obj):\n    return canonical_json(obj)\n",
         "serializes (canonical_json)"),
        ("def f(text):\n    with open('out/data.csv', 'w') as handle:\n        handle.write(text)\n", "writes a file"),
    ],
)
def test_evidence_kinds(tmp_path: Path, body: str, reason: str) -> None:
    verdict = verdicts(tmp_path, body)["f"]
    assert verdict.startswith(f"artifact-shaping: {reason}"), verdict


@pytest.mark.parametrize(
    "body",
    [
        # Text that is only returned, printed, sent or logged is no evidence of an artifact.
        "import json\ndef f(obj):\n    return json.dumps(obj)\n",
        "import yaml\ndef f(obj):\n    return yaml.dump(obj)\n",
        "import pickle\ndef f(obj):\n    return pickle.dumps(obj)\n",
        "import json\ndef f(rows):\n    prompt = 'Answer as JSON: ' + json.dumps(rows)\n    return ask(prompt)\n",
        "import json, sys\ndef f(obj):\n    sys.stdout.write(json.dumps(obj))\n",
        "import json, sys\ndef f(obj):\n    json.dump(obj, sys.stdout)\n",
        "import json, tempfile\ndef f(obj):\n    with tempfile.NamedTemporaryFile('w') as tmp:\n"
        "        json.dump(obj, tmp)\n        return run_daemon(tmp.name)\n",
    ],
)
def test_serializing_without_a_persistent_sink_is_no_evidence(tmp_path: Path, body: str) -> None:
    assert verdicts(tmp_path, body)["f"] == "not artifact-shaping"


def test_hash_object_update_is_evidence(tmp_path: Path) -> None:
    source = """
        import hashlib
        def f(chunks):
            h = hashlib.sha256()
            for c in chunks:
                h.update(c)
    """
    assert is_artifact(verdicts(tmp_path, source)["f"])
    parsed = parse_source(textwrap.dedent(source), "p.py")
    parents, buckets = _walk(parsed.tree, ALWAYS_COLLECTED)
    ctx = Context(path="p.py", source=parsed.text, tree=parsed.tree, parents=parents, settings=Settings(),
                  buckets=buckets)
    update = next(
        node for node in ast.walk(parsed.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
    )
    assert scopes.classify_call(update, ctx) == "updates a hash"


def test_update_of_a_plain_dict_is_not_evidence(tmp_path: Path) -> None:
    assert verdicts(tmp_path, "def f(d, other):\n    d.update(other)\n")["f"] == "not artifact-shaping"


@pytest.mark.parametrize("target", ["run.lock", "REPORT.md", "train.log", "worker.pid"])
def test_exempt_writes_are_not_evidence(tmp_path: Path, target: str) -> None:
    source = f"def f(text):\n    with open({target!r}, 'w') as handle:\n        handle.write(text)\n"
    assert verdicts(tmp_path, source)["f"] == "not artifact-shaping"


def test_plain_code_is_not_artifact_shaping(tmp_path: Path) -> None:
    source = "import logging\nlog = logging.getLogger()\ndef f(d):\n    for k in d:\n        log.info(k)\n"
    assert verdicts(tmp_path, source) == {"<module>": "not artifact-shaping", "f": "not artifact-shaping"}


# -- the call graph ---------------------------------------------------------------------------


def test_caller_of_artifact_function_two_levels(tmp_path: Path) -> None:
    source = """
        import hashlib
        def leaf(data):
            return hashlib.sha256(data).hexdigest()
        def middle(data):
            return leaf(data)
        def top(data):
            return middle(data)
        def unrelated(data):
            return len(data)
    """
    result = verdicts(tmp_path, source)
    assert is_artifact(result["leaf"])
    assert result["middle"] == "artifact-shaping: calls artifact-shaping leaf() on line 6"
    assert result["top"] == "artifact-shaping: calls artifact-shaping middle() on line 8"
    assert result["unrelated"] == "not artifact-shaping"


def test_propagation_through_self_method(tmp_path: Path) -> None:
    source = """
        import json
        class Store:
            def encode(self, obj):
                self.handle.write(json.dumps(obj, sort_keys=True))
            def put(self, obj):
                return self.encode(obj)
            def size(self):
                return 0
    """
    result = verdicts(tmp_path, source)
    assert is_artifact(result["Store.encode"])
    assert result["Store.put"] == "artifact-shaping: calls artifact-shaping encode() on line 7"
    assert result["Store.size"] == "not artifact-shaping"


def test_call_order_does_not_matter(tmp_path: Path) -> None:
    source = """
        import hashlib, pickle
        def top(x):
            return helper(x)
        def helper(x):
            return hashlib.sha256(pickle.dumps(x))
    """
    assert is_artifact(verdicts(tmp_path, source)["top"])


# -- names, configuration and pragmas ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pattern"), [("build_manifest", "*manifest*"), ("save_model", "save_*"), ("run_fingerprint", "*fingerprint*")]
)
def test_default_name_patterns(tmp_path: Path, name: str, pattern: str) -> None:
    verdict = verdicts(tmp_path, f"def {name}(x):\n    return x\n")[name]
    assert verdict == f"artifact-shaping: name matches artifact pattern {pattern!r}"


def test_extend_artifact_patterns(tmp_path: Path) -> None:
    settings = settings_from_table({"extend-artifact-patterns": ["export_*"]}, source="test", root=str(tmp_path))
    assert "*manifest*" in settings.artifact_patterns
    result = verdicts(tmp_path, "def export_table(x):\n    return x\ndef load(x):\n    return x\n", settings)
    assert result["export_table"] == "artifact-shaping: name matches artifact pattern 'export_*'"
    assert result["load"] == "not artifact-shaping"


def test_artifact_patterns_replace_defaults(tmp_path: Path) -> None:
    settings = settings_from_table({"artifact-patterns": ["export_*"]}, source="test", root=str(tmp_path))
    result = verdicts(tmp_path, "def save_model(x):\n    return x\ndef export_table(x):\n    return x\n", settings)
    assert result["save_model"] == "not artifact-shaping"
    assert is_artifact(result["export_table"])


def test_artifact_functions(tmp_path: Path) -> None:
    settings = settings_from_table(
        {"artifact-functions": ["assemble", "Builder.finish"]}, source="test", root=str(tmp_path)
    )
    source = """
        def assemble(x):
            return x
        class Builder:
            def finish(self):
                return 1
            def start(self):
                return 0
    """
    result = verdicts(tmp_path, source, settings)
    assert result["assemble"] == "artifact-shaping: listed in artifact-functions (assemble)"
    assert result["Builder.finish"] == "artifact-shaping: listed in artifact-functions (Builder.finish)"
    assert result["Builder.start"] == "not artifact-shaping"


def test_artifact_modules(tmp_path: Path) -> None:
    settings = settings_from_table({"artifact-modules": ["pkg.exporters"]}, source="test", root=str(tmp_path))
    source = "def f(x):\n    return x\n"
    listed = verdicts(tmp_path, source, settings, name="pkg/exporters.py")
    assert listed["f"] == "artifact-shaping: module pkg.exporters is listed in artifact-modules"
    assert listed["<module>"] == "artifact-shaping: module pkg.exporters is listed in artifact-modules"
    other = verdicts(tmp_path, source, settings, name="pkg/loaders.py")
    assert other["f"] == "not artifact-shaping"


def test_artifact_pragma(tmp_path: Path) -> None:
    source = "def assemble(x):  # determinism-lint: artifact\n    return x\n"
    assert verdicts(tmp_path, source)["assemble"] == "artifact-shaping: marked `# determinism-lint: artifact`"


def test_not_artifact_pragma_beats_evidence_names_and_callees(tmp_path: Path) -> None:
    source = """
        import hashlib, json
        def encode(x):
            return hashlib.sha256(json.dumps(x).encode())
        def save_debug(x):  # determinism-lint: not-artifact
            print(json.dumps(x))
            return encode(x)
        def inner_holder(x):  # determinism-lint: not-artifact
            def nested():
                return 1
            return nested()
    """
    result = verdicts(tmp_path, source)
    assert is_artifact(result["encode"])
    assert result["save_debug"] == "not artifact-shaping"
    assert result["inner_holder.nested"] == "not artifact-shaping"


def test_nested_functions_inherit(tmp_path: Path) -> None:
    source = """
        import hashlib
        def digest_all(items):
            def key(item):
                return item.name
            def deeper():
                def deepest():
                    return 0
                return deepest
            return hashlib.sha256(b"".join(sorted(map(key, items)))).hexdigest()
        def plain():
            def helper():
                return 1
            return helper()
    """
    result = verdicts(tmp_path, source)
    assert result["digest_all.key"] == "artifact-shaping: nested in artifact-shaping digest_all()"
    assert result["digest_all.deeper"] == "artifact-shaping: nested in artifact-shaping digest_all()"
    assert is_artifact(result["digest_all.deeper.deepest"])
    assert result["plain.helper"] == "not artifact-shaping"


def test_nested_function_with_own_pragma_opts_out(tmp_path: Path) -> None:
    source = """
        import hashlib
        def digest_all(items):
            def show(item):  # determinism-lint: not-artifact
                return repr(item)
            return hashlib.sha256(b"x").hexdigest()
    """
    assert verdicts(tmp_path, source)["digest_all.show"] == "not artifact-shaping"


def test_module_level(tmp_path: Path) -> None:
    shaping = "import hashlib\nDIGEST = hashlib.sha256(b'abc').hexdigest()\ndef f():\n    return 1\n"
    result = verdicts(tmp_path, shaping)
    assert result["<module>"] == "artifact-shaping: computes a digest (.hexdigest()) on line 2"
    assert result["f"] == "not artifact-shaping"
    assert verdicts(tmp_path, "X = 1\n")["<module>"] == "not artifact-shaping"


def test_strict_mode(tmp_path: Path) -> None:
    result = verdicts(tmp_path, "def f(x):\n    return x\n", Settings(root=str(tmp_path), strict=True))
    assert result == {"<module>": "artifact-shaping (strict mode)", "f": "artifact-shaping (strict mode)"}


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_explain_scopes(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pipeline.py").write_text(
        "import hashlib\n\ndef fingerprint_run(x):\n    return x\n\ndef load(path):\n    return path\n\n"
        "def key(data):\n    return hashlib.sha256(data).hexdigest()\n",
        encoding="utf-8",
    )
    code = main(["check", "--explain-scopes", "pipeline.py"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [
        "pipeline.py:1: <module>: not artifact-shaping",
        "pipeline.py:3: fingerprint_run: artifact-shaping: name matches artifact pattern '*fingerprint*'",
        "pipeline.py:6: load: not artifact-shaping",
        "pipeline.py:9: key: artifact-shaping: computes a digest (.hexdigest()) on line 10",
    ]


def test_cli_explain_scopes_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pipeline.py").write_text("def load(path):\n    return path\n", encoding="utf-8")
    assert main(["check", "--strict", "--explain-scopes", "pipeline.py"]) == 0
    assert "pipeline.py:1: load: artifact-shaping (strict mode)" in capsys.readouterr().out.splitlines()


# -- what the verdict means for artifact-only rules -------------------------------------------

DICT_LOOP = """
    import logging
    log = logging.getLogger(__name__)
    def {name}(config: set, h):{pragma}
        parts = []
        for key, value in dict.fromkeys(config, 0).items():
            parts.append(f"{{key}}={{value}}")
        h.write(";".join(parts))
        log.info("done")
"""


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return sorted((finding.line, finding.code) for finding in check(source, **settings))


def test_det501_fires_only_in_artifact_scope() -> None:
    hashed = """
        import hashlib
        def config_fingerprint(config: set):
            h = hashlib.sha256()
            for key, value in dict.fromkeys(config, 0).items():
                h.update(f"{key}={value}".encode())
            return h.hexdigest()
    """
    assert (5, "DET501") in codes(hashed)
    # The same loop feeding a string that is only logged, in a function that does no artifact work.
    logged = """
        import logging
        log = logging.getLogger(__name__)
        def describe(config: set):
            parts = []
            for key, value in dict.fromkeys(config, 0).items():
                parts.append(f"{key}={value}")
            log.info(";".join(parts))
    """
    assert codes(logged) == []


@pytest.mark.parametrize(
    ("name", "pragma", "flagged"),
    [
        ("save_settings", "", True),
        ("render_settings", "", False),
        ("render_settings", "  # determinism-lint: artifact", True),
        ("save_settings", "  # determinism-lint: not-artifact", False),
    ],
)
def test_same_code_flagged_by_scope(name: str, pragma: str, flagged: bool) -> None:
    source = DICT_LOOP.format(name=name, pragma=pragma)
    found = [code for _, code in codes(source) if code.startswith("DET5")]
    assert (found == ["DET501"]) is flagged, found


def test_same_code_flagged_in_strict_mode() -> None:
    source = DICT_LOOP.format(name="render_settings", pragma="")
    assert [code for _, code in codes(source)] == []
    assert [code for _, code in codes(source, strict=True)] == ["DET501"]


def test_serializing_for_a_log_line_is_not_artifact_work() -> None:
    source = (
        "import json\nimport logging\nlogger = logging.getLogger(__name__)\n"
        "def notify_dashboard(summary, name):\n"
        "    try:\n        logger.info('run %s: %s', name, json.dumps(summary))\n"
        "    except Exception:\n        logger.exception('dashboard')\n"
    )
    findings = check_result(source, "x.py").findings
    assert [f.code for f in findings] == []
