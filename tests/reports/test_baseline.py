"""``check --write-baseline`` / ``--baseline``: adopt the tool on legacy code, report only new findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers import run, write

ROOT = Path(__file__).resolve().parents[2]

LEGACY = """\
import json
import os


def save_report(path, data: set):
    with open(path, "w") as handle:
        handle.write(json.dumps(dict.fromkeys(data)))


def manifest_of(directory):
    out = []
    for name in os.listdir(directory):
        out.append(name)
    return out


def step():
    try:
        hashlib.sha256(work()).hexdigest()
    except:
        pass
"""


def codes(out: str) -> list[str]:
    """``path:line CODE`` of each text-format finding."""
    return [f"{line.split(':')[0]}:{line.split(':')[1]} {line.split()[1]}" for line in out.splitlines()]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.determinism-lint]\n")
    write(tmp_path / "src" / "legacy.py", LEGACY)
    return tmp_path


def baseline_of(project: Path, capsys, *paths: str) -> dict:
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--write-baseline", "baseline.json", *(paths or ("src",)))
    assert code == 0 and out == "", err
    return json.loads((project / "baseline.json").read_text(encoding="utf-8"))


def test_baseline_hides_known_findings(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "src")
    assert code == 1
    known = len(out.splitlines())
    assert known >= 4
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--write-baseline", "baseline.json", "src")
    assert code == 0 and out == ""
    assert f"Wrote {known} findings to baseline.json." in err
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert (code, out) == (0, "")
    assert f"{known} baseline findings hidden." in err
    assert "no longer match" not in err


def test_baseline_file_content(project: Path, capsys) -> None:
    document = baseline_of(project, capsys)
    assert document["version"] == 1
    entries = document["findings"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["source"]))
    assert {"code": "DET401", "count": 1, "path": "src/legacy.py", "source": "except:"} in entries
    assert all(set(entry) == {"code", "count", "path", "source"} for entry in entries)
    text = (project / "baseline.json").read_bytes()
    assert text.endswith(b"}\n") and b"\r" not in text


def test_survives_lines_inserted_above_and_reformatting(project: Path, capsys) -> None:
    baseline_of(project, capsys)
    moved = (
        '"""A module docstring added later."""\n\n# and a comment\n'
        + LEGACY.replace("def manifest_of(directory):", "def manifest_of(\n    directory,\n):")
        .replace('with open(path, "w") as handle:', 'with open(path,"w")   as handle:  # noqa: SIM115')
        .replace("    except:\n", "    except :  # noqa: SIM105\n")
        + "\n\ndef unrelated():\n    return [1,\n            2]\n"
    )
    write(project / "src" / "legacy.py", moved)
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert (code, out) == (0, ""), out
    assert "no longer match" not in err


def test_reports_only_new_findings(project: Path, capsys) -> None:
    baseline_of(project, capsys)
    write(project / "src" / "legacy.py", LEGACY + "\n\ndef again():\n    try:\n        hashlib.sha256(work()).hexdigest()\n    except:\n        pass\n")
    write(project / "src" / "new.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept Exception:\n    pass\n")
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert code == 1
    # The second identical `except:` in legacy.py is new: identical lines are counted.
    assert codes(out) == ["src/legacy.py:27 DET401", "src/new.py:3 DET402"]


def test_json_and_exit_zero_respect_the_baseline(project: Path, capsys) -> None:
    baseline_of(project, capsys)
    write(project / "src" / "new.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept Exception:\n    pass\n")
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "--format", "json", "src")
    assert code == 1 and [item["path"] for item in json.loads(out)] == ["src/new.py"]
    assert run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "--exit-zero", "src")[0] == 0


def test_stale_entries_are_counted(project: Path, capsys) -> None:
    baseline_of(project, capsys)
    fixed = LEGACY.replace("    except:\n        pass\n", "    except Exception:\n        raise\n")
    write(project / "src" / "legacy.py", fixed)
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert (code, out) == (0, "")
    assert "1 baseline entry no longer matches: rerun with --write-baseline to shrink it." in err


def test_stale_counts_deleted_files_but_not_files_outside_the_run(project: Path, capsys) -> None:
    write(project / "src" / "other.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n")
    write(project / "src" / "gone.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n")
    baseline_of(project, capsys)
    (project / "src" / "gone.py").unlink()
    # Only legacy.py is checked (as pre-commit does with staged files): other.py's entries
    # can't be judged, gone.py's can.
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src/legacy.py")
    assert (code, out) == (0, "")
    assert "1 baseline entry no longer match" in err


def test_works_from_another_directory(project: Path, capsys, monkeypatch) -> None:
    baseline_of(project, capsys)
    monkeypatch.chdir(project / "src")
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "../baseline.json", "legacy.py")
    assert (code, out) == (0, ""), out
    assert "no longer match" not in err


def test_write_baseline_rewrites_and_shrinks(project: Path, capsys) -> None:
    write(project / "src" / "other.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n")
    before = baseline_of(project, capsys)["findings"]
    fixed = LEGACY.replace("    except:\n        pass\n", "    except Exception:\n        raise\n")
    write(project / "src" / "legacy.py", fixed)
    after = baseline_of(project, capsys)["findings"]
    assert len(after) == len(before) - 1
    assert not any(entry["source"] == "except:" and entry["path"] == "src/legacy.py" for entry in after)
    assert run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")[2].count("no longer match") == 0


def test_write_baseline_from_a_subset_keeps_other_files(project: Path, capsys) -> None:
    write(project / "src" / "other.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n")
    write(project / "src" / "gone.py", "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n")
    baseline_of(project, capsys)
    (project / "src" / "gone.py").unlink()
    write(project / "src" / "legacy.py", "x = 1\n")
    entries = baseline_of(project, capsys, "src/legacy.py")["findings"]
    assert sorted({entry["path"] for entry in entries}) == ["src/other.py"]
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert (code, out) == (0, "") and "no longer match" not in err


def test_unparseable_file_is_never_hidden_and_keeps_its_entries(project: Path, capsys) -> None:
    baseline_of(project, capsys)
    write(project / "src" / "legacy.py", LEGACY + "\ndef broken(:\n")
    code, out, _ = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert code == 1 and codes(out) == ["src/legacy.py:23 DET000"]
    entries = baseline_of(project, capsys)["findings"]
    assert {entry["path"] for entry in entries} == {"src/legacy.py"}
    assert not any(entry["code"] == "DET000" for entry in entries)


def test_form_feed_does_not_shift_lines(project: Path, capsys) -> None:
    # ``str.splitlines`` would split at the form feed and pair findings with the wrong text.
    source = "x = 1  \x0c  # page break\n" + "try:\n    hashlib.sha256(go()).hexdigest()\nexcept:\n    pass\n"
    write(project / "src" / "legacy.py", source)
    entries = baseline_of(project, capsys)["findings"]
    assert {entry["source"] for entry in entries} == {"except:"}


def test_entries_of_identical_lines_carry_a_count(project: Path, capsys) -> None:
    write(project / "src" / "legacy.py", "try:\n    hashlib.sha256(a()).hexdigest()\nexcept:\n    pass\ntry:\n    hashlib.sha256(b()).hexdigest()\nexcept:\n    pass\n")
    entries = baseline_of(project, capsys)["findings"]
    assert [(e["code"], e["count"]) for e in entries] == [("DET401", 2)]


def test_deterministic_across_runs_and_hash_seeds(project: Path) -> None:
    for index in range(12):
        write(project / "src" / f"m{index:02d}.py", LEGACY.replace("save_report", f"save_report_{index}"))
    outputs = []
    for seed in ("0", "1", "12345"):
        target = f"baseline-{seed}.json"
        done = subprocess.run(
            [sys.executable, "-m", "determinism_lint", "check", "-j", "2", "--no-reader-evidence", "--write-baseline", target, "src"],
            cwd=project,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((project / target).read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0])["findings"]) >= 13 * 4


def test_baseline_and_write_baseline_together_is_a_usage_error(project: Path, capsys) -> None:
    code, _, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "a.json", "--write-baseline", "b.json", "src")
    assert code == 2 and "cannot be used together" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file (create it with `check --write-baseline"),
        (b"", "not a baseline file (invalid JSON"),
        (b"{not json", "not a baseline file (invalid JSON"),
        (b"\xff\xfe\x00", "not a baseline file (it is not UTF-8 text)"),
        (b"[]", "expected a JSON object with 'version' and 'findings'"),
        (b'{"findings": []}', "unsupported baseline version None (expected 1)"),
        (b'{"version": 2, "findings": []}', "unsupported baseline version 2"),
        (b'{"version": 1}', "'findings' must be a list of entries"),
        (b'{"version": 1, "findings": {"a": 1}}', "'findings' must be a list of entries"),
        (b'{"version": 1, "findings": ["x"]}', "malformed entry #1 (expected an object"),
        (b'{"version": 1, "findings": [{"code": "DET401", "path": "a.py", "source": "x"}]}', "malformed entry #1 (missing count)"),
        (
            b'{"version": 1, "findings": [{"code": "DET401", "count": 1, "path": "a.py", "source": "x"},'
            b' {"code": "DET401", "count": -1, "path": "a.py", "source": "x"}]}',
            "malformed entry #2 (count must be a positive whole number)",
        ),
        (b'{"version": 1, "findings": [{"code": "DET401", "count": "2", "path": "a.py", "source": "x"}]}', "count must be"),
        (b'{"version": 1, "findings": [{"code": 401, "count": 1, "path": "a.py", "source": "x"}]}', "code must be a string"),
    ],
)
def test_malformed_baseline_is_exit_two_with_a_clear_message(project: Path, capsys, content, message) -> None:
    if content is not None:
        write(project / "baseline.json", content)
    code, out, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert code == 2 and out == ""
    assert err.startswith("determinism-lint: error: --baseline baseline.json: ")
    assert message in err, err
    assert "Traceback" not in err


def test_directory_as_baseline_is_exit_two(project: Path, capsys) -> None:
    (project / "baseline.json").mkdir()
    code, _, err = run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")
    assert code == 2 and "is a directory" in err


def test_malformed_baseline_is_replaced_by_write_baseline(project: Path, capsys) -> None:
    write(project / "baseline.json", "{broken")
    baseline_of(project, capsys)
    assert run(capsys, "check", "--no-reader-evidence", "--baseline", "baseline.json", "src")[0] == 0
