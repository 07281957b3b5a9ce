"""``determinism-lint verify`` on the example pipeline in ``examples/``, end to end.

Before ``fix --unsafe-fixes`` the pipeline's artifacts differ between hash seeds and a kill
during a rerun tears ``metrics.json`` (written in place, flushed after every epoch); after
the fix every variation gives byte-identical artifacts and no kill leaves a torn file.
Every seed is fixed, so the runs and kill moments repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from determinism_lint.cli import main
from determinism_lint.verify import add_arguments, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PY = sys.executable
KILLS = "16"
# Kill moments are spread over the whole run and only those landing during the metrics write
# can tear it (a few in every 16); more kills keep the unfixed case reliable on a loaded machine.
UNFIXED_KILLS = "48"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="verify's process handling is tested on POSIX")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    for name in ("PYTHONHASHSEED", "DETERMINISM_VERIFY_DIRORDER", "DETERMINISM_VERIFY_PROBE", "DETERMINISM_VERIFY_OUT"):
        monkeypatch.delenv(name, raising=False)
    # The fixed pipeline imports determinism_lint.runtime: make this checkout importable.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.fixture(scope="module")
def fixed_examples(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("fixed") / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    previous = os.getcwd()
    os.chdir(target.parent)
    try:
        main(["fix", "--unsafe-fixes", "examples"])
    finally:
        os.chdir(previous)
    return target


def pipeline(examples: Path) -> list[str]:
    return [PY, str(examples / "pipeline" / "run.py"), "{out}"]


def verify_json(capsys, *argv: str) -> tuple[int, dict]:
    parser = argparse.ArgumentParser(prog="determinism-lint verify")
    add_arguments(parser)
    code = run(parser.parse_args(["-q", "--format", "json", *argv]))
    return code, json.loads(capsys.readouterr().out)


def differing(report: dict) -> set[str]:
    return {difference["path"] for difference in report["differences"]}


# -- reproducibility ----------------------------------------------------------------------------


def test_unfixed_pipeline_differs_between_hash_seeds(tmp_path, capsys):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--vary", "hashseed", "--", *pipeline(EXAMPLES)
    )
    assert code == 1 and report["result"] == "different", report
    names = {path.split("/")[-1] for path in differing(report)}
    # Set order decides the vocabulary (features cache, model) and the manifest digest.
    assert {"manifest.json", "model.json", "report.md"} <= names
    assert any(path.startswith("cache/features-") for path in differing(report))
    assert not {"metrics.json", "index.md"} & names
    assert report["files"] == 6
    assert len({run_["settings"]["PYTHONHASHSEED"] for run_ in report["runs"]}) == 2


def test_fixed_pipeline_is_identical_between_hash_seeds(tmp_path, capsys, fixed_examples):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--vary", "hashseed", "--runs", "3", "--", *pipeline(fixed_examples)
    )
    assert code == 0 and report["result"] == "identical", report["differences"]
    assert report["files"] == 6 and report["differences"] == []


def test_fixed_pipeline_is_identical_under_every_variation(tmp_path, capsys, fixed_examples):
    # hashseed, dirorder, tz, locale and cwd together (the default).
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "a"), "--", *pipeline(fixed_examples))
    assert code == 0 and report["result"] == "identical", report["differences"]
    assert report["vary"] == ["hashseed", "dirorder", "tz", "locale", "cwd"]
    assert all(run_["python_processes"] >= 1 for run_ in report["runs"])


# -- crash safety -------------------------------------------------------------------------------


def test_unfixed_pipeline_is_torn_by_a_kill(tmp_path, capsys):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--kills", UNFIXED_KILLS, "--seed", "0", "--",
        *pipeline(EXAMPLES),
    )
    assert code == 1 and report["result"] == "torn", report["kill_runs"]
    torn = [run_ for run_ in report["kill_runs"] if run_["problems"]]
    assert torn and report["torn_runs"] == len(torn)
    for run_ in torn:
        assert run_["killed"]
        for problem in run_["problems"]:
            if problem["path"].endswith(".md"):
                continue  # Markdown for people, written in place on purpose (exempt by default)
            # Artifacts rewritten in place (metrics.json during training, mostly; now and then
            # the manifest or the model): a kill leaves a prefix that does not load.
            assert problem["kind"] == "torn", problem
            assert problem["path"].endswith(".json"), problem


def test_fixed_pipeline_survives_every_kill(tmp_path, capsys, fixed_examples):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--kills", KILLS, "--seed", "0", "--", *pipeline(fixed_examples)
    )
    # Markdown is for people and exempt by default, so ``fix`` leaves report.md and index.md
    # written in place: a kill during those few microseconds may cut one short. Every other
    # file must be intact.
    problems = [
        problem for run_ in report["kill_runs"] for problem in run_["problems"] if not problem["path"].endswith(".md")
    ]
    assert problems == [], report["kill_runs"]
    if not any(run_["problems"] for run_ in report["kill_runs"]):
        assert code == 0 and report["result"] == "intact" and report["torn_runs"] == 0
    # Kills after the end of a (faster) crash run find nothing to kill; most do land.
    assert sum(run_["killed"] for run_ in report["kill_runs"]) >= int(KILLS) // 2
    # Every metrics.json left behind loads: the old one, or the complete new one.
    for run_ in report["kill_runs"]:
        for path in Path(run_["out"]).glob("runs/*/metrics.json"):
            assert "accuracy" in json.loads(path.read_text(encoding="utf-8"))
