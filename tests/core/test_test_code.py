"""Test code is not artifact code: which rules run in files matching ``test-paths``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from determinism_lint.checks import ALL_RULES
from determinism_lint.cli import main
from determinism_lint.scopes.explain import explain_scopes
from determinism_lint.settings import DEFAULT_TEST_PATHS, ConfigError, Settings, settings_from_table

from ..helpers import check_result

# What a pytest module of a pipeline project typically does: scratch files in a work-dir fixture
# (not named tmp_path: a parameter named as temporary is scratch in production code too),
# listings and JSON of what it wrote, hashes compared in the same run, and handlers that
# expect a call to fail.
TEST_MODULE = textwrap.dedent(
    """\
    import hashlib
    import json
    import os
    import pickle

    import yaml


    def test_export_roundtrip(workdir):
        cfg = workdir / "cfg.yaml"
        cfg.write_text(yaml.dump(dict.fromkeys(set(os.environ)), sort_keys=False))
        with open(workdir / "data.json", "w") as handle:
            json.dump({name: 1 for name in os.listdir(workdir)}, handle)
        pickle.dump({"k": 1}, open(workdir / "state.pkl", "wb"))
        (workdir / "index.txt").write_text("\\n".join(os.listdir(workdir)))
        digest = hashlib.sha256(str({"a": 1, "tags": {"x", "y"}}).encode()).hexdigest()
        run_id = hash("run")
        (workdir / f"run-{run_id}").mkdir()
        assert digest and run_id == hash("run")


    def save_fixture(path, rows):
        try:
            path.write_text(json.dumps(rows))
        except Exception:
            pass


    def test_fit_fails(trainer):
        try:
            trainer.fit()
        except Exception:
            pass
        assert trainer.calls == 1


    def test_bare(trainer):
        try:
            trainer.fit()
        except:
            pass
    """
)

#: Line of the bare ``except:``: the one finding left in test code, under ``--strict``.
BARE_LINE = TEST_MODULE.splitlines().index("    except:") + 1


def codes(path: str, source: str = TEST_MODULE, **settings: object) -> list[tuple[int, str]]:
    settings.setdefault("reader_evidence", False)  # which code is tests, not which files are read back
    result = check_result(source, path, **settings)
    assert result.checked, result.findings
    return [(finding.line, finding.code) for finding in result.findings]


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_export.py",
        "tests/unit/io/test_export.py",
        "src/pkg/tests/helpers.py",
        "test/helpers.py",
        "pkg/test_export.py",
        "pkg/export_test.py",
        "conftest.py",
        "tests/conftest.py",
    ],
)
def test_only_rules_that_apply_in_tests_fire_in_test_code(path: str) -> None:
    assert codes(path) == [] and codes(path, strict=True) == [(BARE_LINE, "DET401")]


@pytest.mark.parametrize(
    "path", ["src/pkg/export.py", "pkg/testing_utils.py", "pkg/contest.py", "latest/export.py", "pkg/tests.py"]
)
def test_the_same_code_elsewhere_is_production_code(path: str) -> None:
    found = {code for _, code in codes(path)}
    assert {"DET101", "DET102", "DET103", "DET201", "DET202", "DET203", "DET204", "DET301"} <= found
    # The handlers around ``trainer.fit()`` reach no sink by evidence: lint-level, ``--strict`` only.
    assert {"DET401", "DET402"} <= {code for _, code in codes(path, strict=True)}


def test_strict_mode_does_not_make_test_code_artifact_code() -> None:
    assert codes("tests/test_export.py", strict=True) == [(BARE_LINE, "DET401")]


def test_empty_test_paths_checks_tests_as_production_code() -> None:
    assert codes("tests/test_export.py", test_paths=()) == codes("src/pkg/export.py")


def test_test_paths_are_relative_to_the_config_root(tmp_path: Path) -> None:
    # A project that itself sits in a folder called tests/ is not all test code.
    root = tmp_path / "tests" / "project"
    path = str(root / "src" / "export.py")
    assert codes(path, root=str(root)) != [(BARE_LINE, "DET401")]
    assert codes(str(root / "tests" / "test_export.py"), root=str(root), strict=True) == [(BARE_LINE, "DET401")]


def test_artifact_rules_never_apply_in_tests_and_every_rule_says_why() -> None:
    for rule in ALL_RULES:
        assert not (rule.artifact_only and rule.applies_in_tests), rule.code
    assert [rule.code for rule in ALL_RULES if rule.applies_in_tests] == ["DET401"]


def test_default_test_paths_are_pytests_layout() -> None:
    assert DEFAULT_TEST_PATHS[:6] == ("tests", "test", "testing", "test_*.py", "*_test.py", "conftest.py")
    assert Settings().is_test_path("tests/x.py") and not Settings().is_test_path("src/x.py")


@pytest.mark.parametrize(
    "path",
    [
        "dvc/testing/tmp_dir.py",  # a pytest plugin shipped with the package
        "src/pkg/unit_tests/test_gen.py",
        "features/steps/cli_steps.py",  # behave
        "e2e/features/steps/cli_steps.py",
    ],
)
def test_shipped_test_helpers_and_behave_steps_are_test_code(path: str) -> None:
    assert Settings().is_test_path(path)
    assert codes(path) == [] and codes(path, strict=True) == [(BARE_LINE, "DET401")]


@pytest.mark.parametrize(
    "path",
    [
        "setup.py",
        "stubs/setup.py",
        "noxfile.py",
        "utils/release.py",
        ".github/scripts/bump.py",
        ".actions/assistant.py",
        "tools/github_actions/extract_release_notes.py",
        "benchmarks/benchmark_map.py",
        "kedro_benchmarks/benchmark_runner.py",
        "docs/source/conf_helpers.py",
        # example code a library ships: demo results are rebuilt by rerunning the demo
        "examples/by_feature/train.py",
        "src/lightning/pytorch/demos/transformer.py",
        "tutorial/20_recipes/ablation.py",
        "docs/tutorials/quickstart.py",
    ],
)
def test_development_tooling_is_not_artifact_code(path: str) -> None:
    settings = Settings()
    assert settings.is_dev_path(path) and not settings.is_test_path(path)
    assert codes(path) == [] and codes(path, strict=True) == [(BARE_LINE, "DET401")]


@pytest.mark.parametrize(
    "path",
    ["src/pkg/export.py", "pkg/features/build.py", "pkg/steps/train.py", "pkg/testing_utils.py",
     "pkg/setup_data.py", "pkg/releases.py", "scripts/train.py", "tools/train.py",
     "pkg/example_pipeline.py", "pkg/data/examples_index.py", "pkg/demo.py"],
)
def test_pipeline_code_is_not_taken_for_tooling(path: str) -> None:
    assert not Settings().is_not_artifact_path(path)
    assert codes(path) != [(BARE_LINE, "DET401")]


def test_config_replaces_or_extends_dev_paths() -> None:
    cleared = settings_from_table({"dev-paths": []}, source="pyproject.toml")
    assert not cleared.is_dev_path("setup.py") and codes("setup.py", dev_paths=()) != [(BARE_LINE, "DET401")]
    extended = settings_from_table({"extend-dev-paths": ["tools"]}, source="pyproject.toml")
    assert extended.is_dev_path("tools/bump_version.py") and extended.is_dev_path("setup.py")
    with pytest.raises(ConfigError, match="extend-dev-paths must be a list of strings"):
        settings_from_table({"extend-dev-paths": "tools"}, source="pyproject.toml")


def test_config_replaces_or_extends_test_paths() -> None:
    replaced = settings_from_table({"test-paths": ["qa"]}, source="pyproject.toml")
    assert replaced.test_paths == ("qa",)
    extended = settings_from_table({"extend-test-paths": ["features", "*/testing/*"]}, source="pyproject.toml")
    assert extended.test_paths == (*DEFAULT_TEST_PATHS, "features", "*/testing/*")
    assert extended.is_test_path("features/steps/cli_steps.py")
    assert extended.is_test_path("dvc/testing/tmp_dir.py")
    assert not extended.is_test_path("dvc/repo/index.py")
    both = settings_from_table({"test-paths": ["qa"], "extend-test-paths": ["e2e"]}, source="pyproject.toml")
    assert both.test_paths == ("qa", "e2e")


@pytest.mark.parametrize(
    "table, message",
    [
        ({"test-paths": "tests"}, "test-paths must be a list of strings"),
        ({"extend-test-paths": [1]}, "extend-test-paths must be a list of strings"),
        ({"honor-foreign-noqa": "no"}, "honor-foreign-noqa must be true or false"),
    ],
)
def test_bad_values_are_config_errors(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_table(table, source="pyproject.toml")


def test_explain_scopes_says_test_code(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "tests" / "test_export.py"
    target.parent.mkdir()
    target.write_text(TEST_MODULE)
    report = explain_scopes(["tests/test_export.py"], Settings())
    assert "save_fixture: not artifact-shaping: test code (test-paths)" in report
    assert "artifact-shaping:" not in report.replace("not artifact-shaping:", "")


# -- the command line, with the setting in pyproject.toml ------------------------------------


def _project(tmp_path: Path, table: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n" + table)
    for rel in ("tests/test_export.py", "e2e/steps/cli_steps.py", "src/pkg/export.py"):
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(TEST_MODULE)
    return tmp_path


def _reported(capsys, *argv: str) -> dict[str, set[str]]:
    main(["check", "--exit-zero", "--no-reader-evidence", *argv])
    found: dict[str, set[str]] = {}
    for line in capsys.readouterr().out.splitlines():
        path, _, rest = line.partition(":")
        found.setdefault(path, set()).add(rest.split()[1])
    return found


def test_cli_default_quiets_tests_only(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(_project(tmp_path))
    found = _reported(capsys, ".")
    assert "tests/test_export.py" not in found
    assert "DET101" in found["e2e/steps/cli_steps.py"] and "DET101" in found["src/pkg/export.py"]
    # Under --strict, the bare ``except:`` is the one finding left in test code.
    assert _reported(capsys, "--strict", ".")["tests/test_export.py"] == {"DET401"}


def test_cli_extend_test_paths(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(_project(tmp_path, 'extend-test-paths = ["e2e"]\n'))
    found = _reported(capsys, "--strict", ".")
    assert found["tests/test_export.py"] == found["e2e/steps/cli_steps.py"] == {"DET401"}
    assert "DET101" in found["src/pkg/export.py"]


def test_cli_empty_test_paths_checks_everything(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(_project(tmp_path, "test-paths = []\n"))
    found = _reported(capsys, ".")
    assert found["tests/test_export.py"] == found["src/pkg/export.py"]


def test_cli_test_paths_from_a_subdirectory(tmp_path: Path, monkeypatch, capsys) -> None:
    # Globs with "/" are relative to the config file's folder, wherever check runs from.
    monkeypatch.chdir(_project(tmp_path, 'test-paths = ["src/pkg/*"]\n') / "src")
    found = _reported(capsys, "--strict", ".")
    assert found["pkg/export.py"] == {"DET401"}


def test_each_rule_page_says_whether_it_applies_in_test_code() -> None:
    from determinism_lint import docs

    for rule in ALL_RULES:
        section = docs.sections(rule)["Test code"]
        opening = "Checked in test code under `--strict`" if rule.applies_in_tests else "Not checked in test code"
        assert section.startswith(opening), rule.code
        assert ("never test code" in docs.rule_page(rule)) == rule.artifact_only, rule.code


def test_explain_scopes_says_development_tooling(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "benchmarks" / "bench_export.py"
    target.parent.mkdir()
    target.write_text(TEST_MODULE)
    report = explain_scopes(["benchmarks/bench_export.py"], Settings())
    assert "save_fixture: not artifact-shaping: development tooling (dev-paths)" in report
    assert "test-paths" not in report
