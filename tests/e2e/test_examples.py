"""The example pipeline in ``examples/``: every hazard family is found, the hazards really
make the artifacts differ between hash seeds, and ``fix`` repairs them.

The pipeline is run in subprocesses with fixed ``PYTHONHASHSEED`` values. Seeds 1 and 2
are known to order its sets (dozens of strings) differently, so the unfixed artifacts
differ on every run of this test, not just sometimes.

The example's directory listings see a single entry each in one run (one run directory,
one cache file, no config overlays): the file system's order can't show in the
artifacts, so safe fixes (`sorted(...)` around a listing included) must leave every byte
as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from determinism_lint.cli import main
from examples.run_twice import artifact_files, compare

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEEDS = ("1", "2")


def _env(seed: str) -> dict[str, str]:
    # The fixed pipeline imports determinism_lint.runtime: make this checkout importable.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}


def run_pipeline(examples: Path, out_dir: Path, seed: str) -> Path:
    done = subprocess.run(
        [sys.executable, str(examples / "pipeline" / "run.py"), str(out_dir)],
        env=_env(seed),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out_dir


def copy_examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def fix(examples: Path, monkeypatch, capsys, *options: str) -> str:
    monkeypatch.chdir(examples.parent)
    main(["fix", *options, "examples"])
    return capsys.readouterr().err


def findings(path: Path, monkeypatch, capsys) -> list[dict]:
    monkeypatch.chdir(path.parent)
    main(["check", "-q", "--format", "json", path.name])
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def unfixed_outputs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("unfixed")
    return {seed: run_pipeline(EXAMPLES, base / f"seed-{seed}", seed) for seed in SEEDS}


# -- (1) the linter finds every hazard family ---------------------------------------------


def test_check_finds_every_family(monkeypatch, capsys) -> None:
    found = findings(EXAMPLES, monkeypatch, capsys)
    codes = {item["code"] for item in found}
    assert {code[:4] for code in codes} == {"DET1", "DET2", "DET3", "DET4", "DET5"}
    expected = {
        "DET101",  # with open(path, "w")
        "DET102",  # json.dump(obj, open(path, "w"))
        "DET103",  # Path.write_text
        "DET201",  # json.dumps without sort_keys, hashed and written
        "DET202",  # hashlib.md5(str(config))
        "DET301",  # glob.glob, os.listdir, Path.iterdir
        "DET302",  # os.walk
        "DET403",  # broad except around the manifest write
        "DET501",  # dict .items() into the manifest digest
        "DET502",  # set iteration into the digest, list(set(...)) dumped
    }
    assert expected <= codes, sorted(expected - codes)
    # The bare ``except:`` returns a fallback that reaches a sink only through a caller in another
    # module, which is not followed: DET401 leaves it to ``--strict``.
    assert not any(item["code"] == "DET401" for item in found)
    listings = {item["message"].split("`")[1] for item in found if item["code"] == "DET301"}
    assert listings == {"glob.glob()", "os.listdir()", "Path.iterdir()"}


def test_exempt_writes_and_the_helper_script_are_not_flagged(monkeypatch, capsys) -> None:
    found = findings(EXAMPLES, monkeypatch, capsys)
    paths = {item["path"] for item in found}
    # The lock file and the Markdown report are not artifacts.
    assert not [item for item in found if item["path"].endswith(("cli.py", "report.py")) and item["code"].startswith("DET1")]
    assert "examples/run_twice.py" not in paths


def test_project_self_check_excludes_examples(monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    from determinism_lint.discovery import discover
    from determinism_lint.settings import load_settings

    assert not [path for path in discover(["."], load_settings(start=".")) if path.startswith("examples/")]


# -- (2) the hazards are real: the artifacts differ between hash seeds --------------------


def test_both_entry_points_run(tmp_path: Path) -> None:
    module = subprocess.run(
        [sys.executable, "-m", "examples.pipeline", str(tmp_path / "a")],
        cwd=ROOT,
        env=_env("0"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert module.returncode == 0, module.stderr
    run_pipeline(EXAMPLES, tmp_path / "b", "0")
    assert artifact_files(tmp_path / "a") == artifact_files(tmp_path / "b")
    assert compare(tmp_path / "a", tmp_path / "b") == []


def test_artifacts_have_the_expected_shape(unfixed_outputs) -> None:
    files = artifact_files(unfixed_outputs["1"])
    assert len(files) == 6
    assert files[0].startswith("cache/features-") and files[1] == "index.md"
    run = files[2].split("/")[1]
    assert files[2:] == [f"runs/{run}/{name}" for name in ("manifest.json", "metrics.json", "model.json", "report.md")]
    # No lock file left behind, no absolute path in any artifact.
    for name in files:
        assert str(unfixed_outputs["1"]) not in (unfixed_outputs["1"] / name).read_text(encoding="utf-8")


def test_unfixed_artifacts_differ_between_hash_seeds(unfixed_outputs) -> None:
    run = artifact_files(unfixed_outputs["1"])[2].split("/")[1]
    # Set order decides the vocabulary's order (features, model) and the manifest digest,
    # which the report shows. The metrics and the index do not depend on it.
    assert compare(unfixed_outputs["1"], unfixed_outputs["2"]) == [
        f"cache/features-{run}.json",
        f"runs/{run}/manifest.json",
        f"runs/{run}/model.json",
        f"runs/{run}/report.md",
    ]


def test_run_twice_reports_the_difference() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "run_twice.py"), "--seeds", *SEEDS],
        env=_env("0"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NOT reproducible: 4 of 6 artifacts differ" in done.stdout
    assert "manifest.json" in done.stdout


# -- (3) fix repairs them -----------------------------------------------------------------


def test_unsafe_fixes_make_artifacts_byte_identical(tmp_path: Path, monkeypatch, capsys) -> None:
    examples = copy_examples(tmp_path)
    report = fix(examples, monkeypatch, capsys, "--unsafe-fixes")
    assert "Fixed" in report
    first = run_pipeline(examples, tmp_path / "seed-1", SEEDS[0])
    second = run_pipeline(examples, tmp_path / "seed-2", SEEDS[1])
    assert compare(first, second) == []
    done = subprocess.run(
        [sys.executable, str(examples / "run_twice.py"), "--seeds", "3", "17"],
        env=_env("0"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproducible: all 6 artifacts are byte-identical" in done.stdout


def test_fixes_are_idempotent(tmp_path: Path, monkeypatch, capsys) -> None:
    examples = copy_examples(tmp_path)
    fix(examples, monkeypatch, capsys, "--unsafe-fixes")
    # The project index's cache is no source: a run may add entries to it.
    sources = [name for name in artifact_files(examples) if not name.startswith(".determinism_lint_cache/")]
    snapshot = {name: (examples / name).read_bytes() for name in sources}
    monkeypatch.chdir(examples.parent)
    assert main(["fix", "--unsafe-fixes", "--diff", "examples"]) == 0
    assert capsys.readouterr().out == ""
    after = [name for name in artifact_files(examples) if not name.startswith(".determinism_lint_cache/")]
    assert {name: (examples / name).read_bytes() for name in after} == snapshot


def test_safe_fixes_keep_every_byte(tmp_path: Path, monkeypatch, capsys, unfixed_outputs) -> None:
    examples = copy_examples(tmp_path)
    report = fix(examples, monkeypatch, capsys)
    assert "Fixed" in report
    assert (examples / "pipeline" / "train.py").read_text() != (EXAMPLES / "pipeline" / "train.py").read_text()
    for seed in SEEDS:
        fixed = run_pipeline(examples, tmp_path / f"seed-{seed}", seed)
        assert compare(unfixed_outputs[seed], fixed) == []


def test_unsafe_fixes_leave_only_findings_without_a_fix(tmp_path: Path, monkeypatch, capsys) -> None:
    examples = copy_examples(tmp_path)
    fix(examples, monkeypatch, capsys, "--unsafe-fixes")
    left = findings(examples, monkeypatch, capsys)
    assert [f"{item['path']}:{item['line']} {item['code']}" for item in left if item["fix"] is not None] == []
    # What stays is what has no automatic fix: str(config) hashed, to be rewritten by hand.
    assert {item["code"] for item in left} == {"DET202"}
