"""``determinism-lint inventory``: handlers, writes and listings, Markdown/JSON output, ``--compare``."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from determinism_lint import inventory
from determinism_lint.settings import ConfigError, Settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"
PIPELINE = FIXTURES / "pipeline.py"
COMPARE = FIXTURES / "compare"

MARKER_RE = re.compile(r"#\s*inv:\s*(?P<sites>(?:handler|write|listing)\b.+)$")


# -- helpers ---------------------------------------------------------------------------------------


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="determinism-lint inventory")
    inventory.add_arguments(parser)
    return parser.parse_args(list(argv))


def run_inventory(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = inventory.run(parse_args(*argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n", encoding="utf-8")
    return tmp_path


def copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def pipeline_document(**settings: object) -> dict[str, Any]:
    # The fixture lives under tests/, which is test code by default: check it as production code.
    settings = {"test_paths": (), "reader_evidence": False, **settings}
    return inventory.build_inventory([str(PIPELINE)], Settings(**settings))  # type: ignore[arg-type]


def expected_markers(path: Path) -> list[tuple[Any, ...]]:
    """``(line, kind, value...)`` from ``# inv: handler silent best-effort; write exempt`` comments."""
    expected = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER_RE.search(line)
        if match is None:
            continue
        for site in match.group("sites").split(";"):
            kind, _, rest = site.strip().partition(" ")
            if kind == "handler":
                behaviour, scope = rest.split()
                expected.append((number, "handler", behaviour, scope))
            else:
                expected.append((number, kind, rest.strip()))
    return sorted(expected)


def found_markers(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = [(h["line"], "handler", h["behaviour"], h["scope"]) for h in document["exceptions"]]
    found += [(w["line"], "write", w["status"]) for w in document["writes"]]
    found += [(item["line"], "listing", item["order"]) for item in document["enumerations"]]
    return sorted(found)


def one(records: list[dict[str, Any]], function: str, **fields: Any) -> dict[str, Any]:
    matches = [r for r in records if r["function"] == function and all(r[k] == v for k, v in fields.items())]
    assert len(matches) == 1, (function, fields, matches)
    return matches[0]


def insert_lines(text: str) -> str:
    """The same code with comments and blank lines inserted at the top and between functions."""
    lines = text.splitlines(keepends=True)
    out = ["# Copyright header added later.\n", "# Another line.\n", "\n"]
    for line in lines:
        if line.startswith("def "):
            out.append("# A comment that shifts everything below it.\n")
        out.append(line)
    return "".join(out)


# -- the inventory of the realistic fixture ----------------------------------------------------------


def test_every_site_is_inventoried_as_marked() -> None:
    document = pipeline_document()
    expected = expected_markers(PIPELINE)
    found = found_markers(document)
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    assert not missing and not unexpected, f"\nmissing: {missing}\nunexpected: {unexpected}"
    assert len(expected) == len(found) == 46


def test_handlers_carry_findings_scope_reasons_and_policies() -> None:
    handlers = pipeline_document()["exceptions"]

    optional = one(handlers, "<module>")
    assert (optional["caught"], optional["policy"]) == (["ImportError"], inventory.POLICY_KEEP_IMPORT)

    bare = one(handlers, "notify_slack")
    assert bare["bare"] and bare["broad"] and bare["caught"] == []
    # A notification reaches no sink by evidence: lint-level, reported under ``--strict`` only.
    assert bare["findings"] == []
    assert bare["policy"] == inventory.POLICY_LOG

    index = one(handlers, "publish_shard_index")
    assert index["findings"] == ["DET403"]
    assert index["scope_reason"] == "writes a file (open) on line 243"
    assert index["guards_artifact_work"] is True
    assert (index["log_level"], index["traceback"]) == ("error", True)
    assert index["policy"] == inventory.POLICY_FAIL_CLOSED

    embeddings = one(handlers, "save_embeddings")
    assert embeddings["findings"] == ["DET402"]  # one per handler
    assert embeddings["scope_reason"] == "name matches artifact pattern 'save_*'"

    fingerprint = one(handlers, "dataset_fingerprint")
    assert (fingerprint["findings"], fingerprint["policy"]) == (["DET405"], inventory.POLICY_FAIL_CLOSED)

    # DET404 sits on the inner ``raise``; the inventory files it under the inner handler.
    inner = one(handlers, "write_all_reports", behaviour="re-raises")
    outer = one(handlers, "write_all_reports", behaviour="logs-and-continues")
    assert (inner["findings"], inner["policy"]) == (["DET404"], inventory.POLICY_OUTER)
    assert (outer["findings"], outer["policy"]) == (["DET403"], inventory.POLICY_FAIL_CLOSED)

    policy = one(handlers, "save_features")
    assert (policy["behaviour"], policy["fail_closed"], policy["policy"]) == ("applies-policy", True, "keep")
    exits = one(handlers, "main")
    assert exits["scope_reason"] == "calls artifact-shaping save_features() on line 319"
    assert exits["policy"] == "keep"

    assert one(handlers, "read_shard")["log_level"] == "warning"
    assert one(handlers, "read_shard")["policy"] == inventory.POLICY_LOG
    assert one(handlers, "probe_cache")["log_level"] == "info"
    assert one(handlers, "coerce_rows")["log_level"] == "warnings.warn"
    assert one(handlers, "report_bad_input")["log_level"] == "print"
    assert one(handlers, "warn_with_context")["traceback"] is True
    assert one(handlers, "warn_with_context")["policy"] == "keep"
    assert one(handlers, "fetch_remote_schema")["policy"] == "keep"
    assert one(handlers, "parse_records")["policy"] == inventory.POLICY_KEEP_RECORDED
    assert one(handlers, "describe")["policy"] == inventory.POLICY_KEEP_EXPECTED
    assert one(handlers, "load_settings")["policy"] == inventory.POLICY_KEEP_EXPECTED
    assert one(handlers, "cleanup_scratch")["policy"] == inventory.POLICY_LOG

    suppress = one(handlers, "send_metrics")
    assert (suppress["clause"], suppress["caught"], suppress["findings"]) == ("suppress", ["Exception"], [])
    lock = one(handlers, "remove_stale_lock")
    assert (lock["clause"], lock["broad"], lock["policy"]) == ("suppress", False, inventory.POLICY_KEEP_EXPECTED)


def test_writes_carry_api_mode_target_and_findings() -> None:
    writes = pipeline_document()["writes"]
    parquet = one(writes, "save_features")
    assert (parquet["api"], parquet["target"], parquet["findings"]) == (
        ".to_parquet",
        "out_dir / 'features.parquet'",
        ["DET104"],
    )
    assert parquet["atomic"] is False and parquet["exempt"] is None and parquet["artifact_scope"] is True
    dump = one(writes, "dump_environment")
    assert (dump["api"], dump["mode"], dump["write_kind"], dump["findings"]) == ("json.dump", "w", "dump", ["DET102"])
    text = one(writes, "write_summary", status="non-atomic")
    assert (text["api"], text["findings"]) == ("Path.write_text", ["DET103"])
    report = one(writes, "write_summary", status="exempt")
    assert report["exempt"] == "Markdown report (*.md)"
    assert one(writes, "record_event")["exempt"] == "append mode"
    assert one(writes, "take_lock")["exempt"] == "lock file (*.lock)"
    assert one(writes, "write_with_mode")["mode"] is None
    assert one(writes, "write_manifest")["atomic"] is True
    assert one(writes, "scratch_copy")["api"] == "tempfile.NamedTemporaryFile"
    # Hand-made temp-then-rename: atomic either way, DET105 only where nothing fsyncs.
    synced = one(writes, "save_stats_by_hand")
    unsynced = one(writes, "save_model_card")
    assert synced["atomic"] and unsynced["atomic"]
    assert (synced["findings"], unsynced["findings"]) == ([], ["DET105"])


def test_listings_say_how_their_result_is_consumed() -> None:
    listings = pipeline_document()["enumerations"]
    assert one(listings, "shard_paths")["consumed"] == "sorted(...)"
    unsorted = one(listings, "shard_paths_in_listing_order")
    assert (unsorted["api"], unsorted["findings"]) == ("Path.iterdir()", ["DET301"])
    assert unsorted["consumed"] == "order reaches `return found` on line 167"
    assert one(listings, "csv_inputs")["consumed"] == "`files` sorted on line 172"
    assert one(listings, "collect_images")["consumed"] == "collected in `images`, sorted on line 197"
    assert one(listings, "count_parquet")["consumed"] == "len(...)"
    assert one(listings, "known_shards")["consumed"] == "set(...)"
    assert one(listings, "config_file")["consumed"] == "pattern matches at most one entry"
    assert one(listings, "purge_temp_files")["consumed"] == "the loop body ignores the order"
    walk = one(listings, "dataset_fingerprint")
    assert (walk["listing_kind"], walk["consumed"]) == ("walk", "`dirnames` sorted in place in the loop")
    assert one(listings, "list_tree")["findings"] == ["DET302"]


def test_summary_counts_per_class_per_file_and_in_total(project: Path) -> None:
    copy(PIPELINE, project / "src" / "pipeline.py")
    copy(COMPARE / "before.py", project / "src" / "export.py")
    document = inventory.build_inventory(["src/export.py", "src/pipeline.py"], Settings())
    summary = document["summary"]
    assert summary["files"] == {"analysed": 2, "not_analysed": 0}
    assert summary["total"] == {
        "handlers": 25,
        "silent": 8,
        "fail_closed": 4,
        "writes": 17,
        "non_atomic": 8,
        "listings": 11,
        "unsorted": 3,
    }
    per_file = {row["path"]: row["counts"] for row in document["files"]}
    assert per_file["src/export.py"] == {
        "handlers": 3,
        "silent": 1,
        "fail_closed": 0,
        "writes": 3,
        "non_atomic": 3,
        "listings": 1,
        "unsorted": 1,
    }
    for key, total in summary["total"].items():
        assert sum(counts[key] for counts in per_file.values()) == total
    assert summary["handlers"]["by_behaviour"] == {
        "applies-policy": 1,
        "exits": 1,
        "logs-and-continues": 9,
        "re-raises": 2,
        "records-error": 1,
        "recovers": 1,
        "returns-fallback": 2,
        "silent": 8,
    }
    assert sum(summary["handlers"]["by_scope"].values()) == 25
    assert sum(summary["handlers"]["by_policy"].values()) == 25
    assert summary["writes"]["by_status"] == {"atomic": 2, "exempt": 5, "non-atomic": 8, "temp-renamed": 2}
    assert summary["enumerations"]["by_order"] == {
        "order-insensitive": 4,
        "sorted": 2,
        "sorted later": 2,
        "unsorted": 3,
    }


def test_strict_mode_makes_every_handler_artifact_shaping() -> None:
    handlers = pipeline_document(strict=True)["exceptions"]
    assert {h["scope"] for h in handlers} == {"artifact-shaping"}
    assert {h["scope_reason"] for h in handlers} == {"strict mode"}
    assert one(handlers, "notify_slack")["policy"] == inventory.POLICY_FAIL_CLOSED


def test_noqa_suppressed_findings_are_listed_apart(project: Path) -> None:
    (project / "job.py").write_text(
        "import json\n\ndef save(obj, path):\n    json.dump(obj, open(path, 'w'), sort_keys=True)  # noqa: DET102\n"
        "    try:\n        json.dump(obj, open(path, 'a'), sort_keys=True)  # noqa: DET102\n    except Exception:  # noqa\n        pass\n",
        encoding="utf-8",
    )
    document = inventory.build_inventory(["job.py"], Settings())
    write = document["writes"][0]
    assert (write["status"], write["findings"], write["suppressed"]) == ("non-atomic", [], ["DET102"])
    handler = document["exceptions"][0]
    assert (handler["behaviour"], handler["findings"], handler["suppressed"]) == ("silent", [], ["DET402"])
    assert "DET102 (noqa)" in inventory.render_markdown(document)


# -- output shape ---------------------------------------------------------------------------------------


def test_json_is_canonical_and_versioned(project: Path, capsys: Any) -> None:
    copy(PIPELINE, project / "pipeline.py")
    code, out, err = run_inventory(capsys, "pipeline.py", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert out == json.dumps(document, sort_keys=True, indent=2) + "\n"
    assert document["version"] == inventory.INVENTORY_VERSION
    assert set(document) == {"enumerations", "exceptions", "files", "settings", "summary", "version", "writes"}
    assert document["files"] == [
        {
            "analysed": True,
            "counts": document["summary"]["total"],
            "error": None,
            "error_line": None,
            "path": "pipeline.py",
        }
    ]
    handler = document["exceptions"][0]
    assert set(handler) >= {
        "kind", "path", "line", "col", "function", "source", "occurrence", "caught", "behaviour",
        "log_level", "scope", "scope_reason", "findings", "policy",
    }
    assert handler["source"] == "except ImportError: # inv: handler silent best-effort"
    for section in ("exceptions", "writes", "enumerations"):
        positions = [(r["path"], r["line"], r["col"]) for r in document[section]]
        assert positions == sorted(positions)
    # Two ``except ImportError``-like duplicates would be told apart by their occurrence index.
    assert {r["occurrence"] for r in document["exceptions"]} == {0}


def test_markdown_has_summary_and_three_catalogs(project: Path, capsys: Any) -> None:
    copy(PIPELINE, project / "src" / "pipeline.py")
    code, out, _ = run_inventory(capsys, "src")
    assert code == 0
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert headings == [
        "# Determinism inventory",
        "## Summary",
        "## Exception handlers",
        "## File writes",
        "## Directory listings",
    ]
    assert out.splitlines()[2] == (
        "1 file analysed: 22 exception handlers (7 silent, 4 fail closed), 14 file writes (5 non-atomic),"
        " 10 directory listings (2 unsorted)."
    )
    assert "| `src/pipeline.py:124` | `notify_slack` | bare `except:` | silent | best-effort | — |" in out
    assert (
        "| `src/pipeline.py:303` | `save_model_card` | `open` | `w` | `tmp` | temp-renamed | DET105 |" in out
    )
    assert "| `src/pipeline.py:165` | `shard_paths_in_listing_order` | `Path.iterdir()` | unsorted |" in out
    # Every table row has as many cells as its header.
    table: list[int] = []
    for line in out.splitlines():
        if line.startswith("|"):
            cells = len(re.split(r"(?<!\\)\|", line)) - 2
            table.append(cells)
            assert cells == table[0], line
        else:
            table = []
    assert str(project) not in out
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_output_file_gets_the_report_and_stdout_stays_empty(project: Path, capsys: Any) -> None:
    copy(PIPELINE, project / "pipeline.py")
    _, printed_md, _ = run_inventory(capsys, "pipeline.py")
    code, out, _ = run_inventory(capsys, "pipeline.py", "--output", "inventory.md")
    assert (code, out) == (0, "")
    assert (project / "inventory.md").read_text(encoding="utf-8") == printed_md
    (project / "out").mkdir()
    code, out, _ = run_inventory(capsys, "pipeline.py", "--format", "json", "--output", "out/inventory.json")
    assert (code, out) == (0, "")
    assert json.loads((project / "out" / "inventory.json").read_text(encoding="utf-8"))["version"] == 1
    with pytest.raises(ConfigError, match="--output missing/inventory.md: cannot write"):
        inventory.run(parse_args("pipeline.py", "--output", "missing/inventory.md"))


def test_bad_files_are_listed_as_not_analysed_and_the_rest_is_inventoried(project: Path, capsys: Any) -> None:
    copy(PIPELINE, project / "pkg" / "pipeline.py")
    (project / "pkg" / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (project / "pkg" / "binary.py").write_bytes(b"x = 1\x00\n")
    (project / "pkg" / "latin.py").write_bytes(b"x = '\xe9'\n")
    code, out, err = run_inventory(capsys, "pkg", "--format", "json")
    assert code == 0
    assert "3 files could not be analysed" in err
    document = json.loads(out)
    rows = {row["path"]: row for row in document["files"]}
    assert rows["pkg/pipeline.py"]["analysed"] is True
    assert rows["pkg/broken.py"]["analysed"] is False
    assert rows["pkg/broken.py"]["error"].startswith("cannot parse: SyntaxError")
    assert rows["pkg/broken.py"]["error_line"] == 1
    assert rows["pkg/binary.py"]["error"].startswith("cannot parse: the file contains a NUL byte")
    assert rows["pkg/latin.py"]["error"].startswith("cannot decode as utf-8")
    assert document["summary"]["files"] == {"analysed": 1, "not_analysed": 3}
    assert document["summary"]["total"]["handlers"] == 22
    assert {r["path"] for r in document["exceptions"]} == {"pkg/pipeline.py"}
    _, markdown, _ = run_inventory(capsys, "pkg")
    assert "## Not analysed" in markdown
    assert "| `pkg/broken.py:1` | cannot parse: SyntaxError" in markdown
    assert "| `pkg/broken.py` | not analysed |" in markdown


def test_same_tree_gives_byte_identical_output_across_processes(project: Path) -> None:
    copy(PIPELINE, project / "src" / "pipeline.py")
    copy(COMPARE / "regressed.py", project / "src" / "jobs" / "export.py")
    script = (
        "import argparse, sys\n"
        "from determinism_lint import inventory\n"
        "parser = argparse.ArgumentParser()\n"
        "inventory.add_arguments(parser)\n"
        "sys.exit(inventory.run(parser.parse_args(sys.argv[1:])))\n"
    )
    outputs: dict[str, set[bytes]] = {"md": set(), "json": set()}
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        for fmt in outputs:
            done = subprocess.run(
                [sys.executable, "-c", script, "src", "--format", fmt],
                cwd=project,
                env=env,
                capture_output=True,
                check=True,
            )
            outputs[fmt].add(done.stdout)
    assert len(outputs["md"]) == 1 and len(outputs["json"]) == 1
    assert b"src/jobs/export.py" in next(iter(outputs["json"]))


def test_module_import_stays_light() -> None:
    code = (
        "import sys\nimport determinism_lint.inventory\n"
        "heavy = [m for m in ('libcst', 'determinism_lint.engine', 'determinism_lint.checks') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_config_file_and_force_exclude_are_honoured(project: Path, capsys: Any) -> None:
    copy(PIPELINE, project / "src" / "pipeline.py")
    copy(COMPARE / "before.py", project / "vendor" / "export.py")
    (project / "lint.toml").write_text('exempt-paths = ["*.txt"]\nextend-exclude = ["vendor"]\n', encoding="utf-8")
    _, out, _ = run_inventory(capsys, "src", "--config", "lint.toml", "--format", "json")
    summary = one(json.loads(out)["writes"], "write_summary", api="Path.write_text", target="out_dir / 'summary.txt'")
    assert summary["status"] == "exempt" and "*.txt" in summary["exempt"]
    _, out, _ = run_inventory(capsys, "vendor/export.py", "--config", "lint.toml", "--force-exclude", "--format", "json")
    assert json.loads(out)["files"] == []


def test_missing_path_is_a_usage_error(project: Path) -> None:
    with pytest.raises(ConfigError, match="no such file or directory"):
        inventory.run(parse_args("nowhere"))


# -- compare ---------------------------------------------------------------------------------------------


def snapshot(project: Path, source: Path, name: str, capsys: Any, text: Optional[str] = None) -> str:
    """Put ``source`` (or ``text``) at ``src/export.py`` and write its JSON inventory to ``name``."""
    target = project / "src" / "export.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text if text is not None else source.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, _ = run_inventory(capsys, "src", "--format", "json", "--output", name)
    assert code == 0
    return name


def compare_json(capsys: Any, old: str, new: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_inventory(capsys, "--compare", old, new, "--format", "json")
    return code, json.loads(out)


def summarize(rows: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    return [(row["function"], row["before"], row["after"]) for row in rows]


def test_compare_reports_regressions_and_improvements(project: Path, capsys: Any) -> None:
    old = snapshot(project, COMPARE / "before.py", "old.json", capsys)
    new = snapshot(project, COMPARE / "regressed.py", "new.json", capsys)
    code, result = compare_json(capsys, old, new)
    assert code == 1
    assert result["regression_count"] == 3
    regressions, improvements = result["regressions"], result["improvements"]
    assert summarize(regressions["new_silent_handlers"]) == [("archive_inputs", None, "silent")]
    assert summarize(regressions["new_non_atomic_writes"]) == [("archive_inputs", None, "non-atomic")]
    assert summarize(regressions["new_unsorted_listings"]) == [("archive_inputs", None, "unsorted")]
    assert regressions["files_no_longer_analysed"] == []
    assert summarize(improvements["handlers_fail_closed"]) == [
        ("export_partition", "logs-and-continues", "applies-policy")
    ]
    assert summarize(improvements["handlers_no_longer_silent"]) == [("notify", "silent", "logs-and-continues")]
    assert summarize(improvements["writes_made_atomic"]) == [("write_manifest", "non-atomic", "atomic")]
    assert summarize(improvements["listings_sorted"]) == [("partitions", "unsorted", "sorted")]
    # ``write_checksums`` and ``read_partition`` moved down but did not change: matched, not new.
    assert result["changes"] == {
        "handlers": {"added": 1, "matched": 3, "removed": 0},
        "listings": {"added": 1, "matched": 1, "removed": 0},
        "writes": {"added": 1, "matched": 3, "removed": 0},
    }
    assert result["totals"]["before"]["non_atomic"] == 3
    assert result["totals"]["after"]["non_atomic"] == 3
    assert result["totals"]["after"]["fail_closed"] == 1
    assert (result["old"], result["new"]) == ("old.json", "new.json")

    code, out, _ = run_inventory(capsys, "--compare", old, new)
    assert code == 1
    assert "`old.json` → `new.json`: 3 regressions." in out
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert headings == [
        "# Inventory comparison",
        "## Regressions",
        "### New silent handlers (1)",
        "### New non-atomic writes (1)",
        "### New unsorted listings (1)",
        "## Improvements",
        "### Handlers that became fail-closed (1)",
        "### Handlers no longer silent (1)",
        "### Writes made atomic (1)",
        "### Listings sorted (1)",
    ]
    assert "| non-atomic writes | 3 | 3 |" in out
    assert "| `src/export.py:66` | `archive_inputs` | `Path.write_bytes` | (new) | non-atomic |" in out


def test_compare_improvements_only_exits_zero(project: Path, capsys: Any) -> None:
    old = snapshot(project, COMPARE / "before.py", "old.json", capsys)
    new = snapshot(project, COMPARE / "cleaned.py", "new.json", capsys)
    code, result = compare_json(capsys, old, new)
    assert code == 0
    assert result["regression_count"] == 0
    assert all(rows == [] for rows in result["regressions"].values())
    assert sum(len(rows) for rows in result["improvements"].values()) == 4
    code, out, _ = run_inventory(capsys, "--compare", old, new, "--output", "diff.md")
    assert (code, out) == (0, "")
    report = (project / "diff.md").read_text(encoding="utf-8")
    assert "no regressions." in report
    assert "### New silent handlers (0)\n\nNone.\n" in report


def test_compare_survives_inserted_lines(project: Path, capsys: Any) -> None:
    before = (COMPARE / "before.py").read_text(encoding="utf-8")
    old = snapshot(project, COMPARE / "before.py", "old.json", capsys)
    new = snapshot(project, COMPARE / "before.py", "new.json", capsys, text=insert_lines(before))
    assert json.loads((project / old).read_text())["writes"][0]["line"] != json.loads(
        (project / new).read_text()
    )["writes"][0]["line"]
    code, result = compare_json(capsys, old, new)
    assert code == 0
    assert all(rows == [] for rows in result["regressions"].values())
    assert all(rows == [] for rows in result["improvements"].values())
    assert result["changes"] == {
        "handlers": {"added": 0, "matched": 3, "removed": 0},
        "listings": {"added": 0, "matched": 1, "removed": 0},
        "writes": {"added": 0, "matched": 3, "removed": 0},
    }
    # Shifted and regressed at once: still exactly the three new sites.
    regressed = insert_lines((COMPARE / "regressed.py").read_text(encoding="utf-8"))
    newer = snapshot(project, COMPARE / "regressed.py", "newer.json", capsys, text=regressed)
    code, result = compare_json(capsys, old, newer)
    assert code == 1 and result["regression_count"] == 3


def test_compare_tells_identical_lines_apart_by_occurrence(project: Path, capsys: Any) -> None:
    handler = "    try:\n        step()\n    except Exception:\n        pass\n"
    two = "def steps():\n" + handler * 2
    three = "def steps():\n" + handler * 3
    old = snapshot(project, COMPARE / "before.py", "old.json", capsys, text=two)
    new = snapshot(project, COMPARE / "before.py", "new.json", capsys, text="\n\n" + three)
    code, result = compare_json(capsys, old, new)
    assert code == 1
    assert summarize(result["regressions"]["new_silent_handlers"]) == [("steps", None, "silent")]
    assert result["changes"]["handlers"] == {"added": 1, "matched": 2, "removed": 0}


def test_compare_flags_a_file_that_no_longer_parses(project: Path, capsys: Any) -> None:
    old = snapshot(project, COMPARE / "before.py", "old.json", capsys)
    new = snapshot(project, COMPARE / "before.py", "new.json", capsys, text="def broken(:\n")
    code, result = compare_json(capsys, old, new)
    assert code == 1
    rows = result["regressions"]["files_no_longer_analysed"]
    assert [row["path"] for row in rows] == ["src/export.py"]
    assert rows[0]["error"].startswith("cannot parse")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("# Determinism inventory\n", "not a JSON inventory"),
        ('{"version": 99}', "not an inventory of version 1"),
        ('{"version": 1, "files": [], "exceptions": [{}], "writes": [], "enumerations": []}', "malformed 'exceptions'"),
    ],
)
def test_compare_rejects_what_is_not_an_inventory(
    project: Path, capsys: Any, content: Optional[str], message: str
) -> None:
    good = snapshot(project, COMPARE / "before.py", "good.json", capsys)
    if content is not None:
        (project / "bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        inventory.run(parse_args("--compare", "bad.json", good))


def test_compare_takes_no_paths(project: Path, capsys: Any) -> None:
    good = snapshot(project, COMPARE / "before.py", "good.json", capsys)
    with pytest.raises(ConfigError, match="no paths"):
        inventory.run(parse_args("src", "--compare", good, good))


# -- through the command line -------------------------------------------------------------------------


def test_cli_runs_inventory_and_maps_usage_errors_to_exit_two(project: Path, capsys: Any) -> None:
    from determinism_lint.cli import main

    copy(PIPELINE, project / "pipeline.py")
    assert main(["inventory", "pipeline.py", "--format", "json", "--output", "inv.json"]) == 0
    assert main(["inventory", "--compare", "inv.json", "inv.json"]) == 0
    assert "no regressions." in capsys.readouterr().out
    assert main(["inventory", "--compare", "inv.json", "missing.json"]) == 2
    assert "--compare missing.json: no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["inventory", "--format", "xml"])
    assert raised.value.code == 2
