"""One finding per ``except`` handler, and the ``# noqa`` codes other linters give the same hazard."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from determinism_lint.checks import RULES_BY_CODE
from determinism_lint.cli import main
from determinism_lint.inventory import build_inventory
from determinism_lint.noqa import foreign_codes, suppresses, unused_noqa_findings
from determinism_lint.settings import Settings

from ..helpers import check, check_result

# A hash whose input fails: what the bare ``except:`` swallows reaches a sink by evidence.
SILENT_BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:{comment}\n    pass\n"

# In a module of a pipeline: an artifact writer whose handlers swallow a failed write.
ARTIFACT = textwrap.dedent(
    """\
    import json
    import logging
    from pathlib import Path
    logger = logging.getLogger(__name__)


    def write_manifest(path: Path, manifest):
        try:
            path.write_text(json.dumps(manifest, sort_keys=True))
        except Exception:{silent}
            pass


    def save_index(path: Path, index):
        try:
            path.write_text(json.dumps(index, sort_keys=True))
        except:{bare}
            logger.exception("index")
    """
)


def handler(comment: str = "") -> str:
    return SILENT_BARE.format(comment=f"  {comment}" if comment else "")


def artifact(silent: str = "", bare: str = "") -> str:
    return ARTIFACT.format(silent=f"  {silent}" if silent else "", bare=f"  {bare}" if bare else "")


def found(source: str, **settings: object) -> list[tuple[int, str, str]]:
    return [(f.line, f.code, f.message) for f in check(source, codes=["DET4"], **settings)]


# -- one finding per handler ------------------------------------------------------------------


def test_silent_bare_except_is_one_det401_that_says_it_is_silent() -> None:
    ((line, code, message),) = found(handler())
    assert (line, code) == (3, "DET401")
    assert message == (
        "bare `except:` swallows the failure of `hashlib.sha256(step()).hexdigest(...)` on line 2; it also catches"
        " a Ctrl-C and SystemExit; the handler also swallows the error silently and does not fail closed"
    )


def test_silent_broad_handler_around_artifact_work_is_one_det402() -> None:
    findings = found(artifact())
    assert [(line, code) for line, code, _ in findings] == [(10, "DET402"), (17, "DET401")]
    assert findings[0][2] == (
        "broad `except` silently swallows the failure of `path.write_text(...)` on line 9: the artifact may end up"
        " incomplete; log it, re-raise, or catch something narrower; the handler also does not fail closed"
    )
    # The bare one logs, so it is not silent, but it swallows the failed write.
    assert findings[1][2] == (
        "bare `except:` swallows the failure of `path.write_text(...)` on line 16; it also catches a Ctrl-C and"
        " SystemExit; the handler also does not fail closed"
    )


def test_bare_silent_handler_around_artifact_work_names_both() -> None:
    source = "import json\n\ndef save_all(p, d):\n    try:\n        json.dump(d, p)\n    except:\n        pass\n"
    ((_, code, message),) = found(source)
    assert code == "DET401"
    assert message == (
        "bare `except:` swallows the failure of `json.dump(...)` on line 5; it also catches a Ctrl-C and SystemExit;"
        " the handler also swallows the error silently and does not fail closed"
    )


def test_the_finding_goes_to_an_enabled_rule() -> None:
    assert [c for _, c, _ in found(handler(), ignore=("DET401",))] == ["DET402"]
    assert [c for _, c, _ in found(handler(), select=("DET402",))] == ["DET402"]
    only_403 = found(artifact(), select=("DET403",))
    assert [(line, c) for line, c, _ in only_403] == [(10, "DET403"), (17, "DET403")]
    assert only_403[0][2] == (
        "broad `except` swallows the failure of `path.write_text(...)` on line 9: the artifact may end up"
        " incomplete; re-raise or apply the error policy"
    )


def test_handlers_flagged_by_one_rule_keep_its_plain_message() -> None:
    # Without evidence of a sink, only ``--strict`` reports them, with the rules' plain messages.
    source = "try:\n    step()\nexcept:\n    cleanup()\ntry:\n    step()\nexcept Exception:\n    pass\n"
    assert found(source) == []
    assert found(source, strict=True, select=("DET401", "DET402")) == [
        (3, "DET401", RULES_BY_CODE["DET401"].message),
        (7, "DET402", RULES_BY_CODE["DET402"].message),
    ]


def test_per_file_ignores_and_the_merge_agree(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.determinism-lint]\n[tool.determinism-lint.per-file-ignores]\n"legacy/*" = ["DET401"]\n'
    )
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(handler())
    main(["check", "legacy"])
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "legacy/old.py:3:1: DET402 broad `except` silently swallows the failure of"
        " `hashlib.sha256(step()).hexdigest(...)` on line 2: the artifact may end up incomplete; log it, re-raise,"
        " or catch something narrower; the handler also does not fail closed"
    ]


def test_safe_fix_still_logs_a_silent_bare_except(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    target = tmp_path / "a.py"
    target.write_text(handler())
    assert main(["fix", "a.py"]) == 1  # the unsafe DET401 fix is left
    assert "exc_info=True" in target.read_text() and "except:" in target.read_text()
    assert main(["fix", "--unsafe-fixes", "a.py"]) == 0
    assert main(["check", "a.py"]) == 0


# -- foreign noqa codes --------------------------------------------------------------------------


def test_rules_declare_the_codes_of_other_linters() -> None:
    assert foreign_codes() == {
        "DET401": ("E722", "B001"),
        "DET402": ("S110", "S112", "BLE001"),
        "DET403": ("BLE001",),
    }


@pytest.mark.parametrize(
    "comment",
    ["# noqa: E722", "# noqa: B001", "# noqa:E722", "# NOQA: e722", "# noqa: E501, E722", "# noqa: E7", "# noqa"],
)
def test_bare_except_waived_for_another_linter(comment: str) -> None:
    assert found(handler(comment)) == []


@pytest.mark.parametrize("comment", ["# noqa: S110", "# noqa: S112", "# noqa: BLE001"])
def test_silent_handler_waived_for_another_linter(comment: str) -> None:
    assert found(f"try:\n    step()\nexcept Exception:  {comment}\n    pass\n") == []


def test_a_waiver_for_another_hazard_does_not_count() -> None:
    # S110 waives the silence, not the bare `except:`: the one finding is DET401.
    assert [c for _, c, _ in found(handler("# noqa: S110"))] == ["DET401"]
    assert [c for _, c, _ in found(handler("# noqa: E501"))] == ["DET401"]
    # E722 is no waiver for a silent `except Exception:`.
    assert [c for _, c, _ in found("try:\n    step()\nexcept Exception:  # noqa: E722\n    pass\n", strict=True)] == ["DET402"]


def test_blind_except_waiver_covers_det403() -> None:
    logged = artifact().replace("except Exception:\n        pass", "except Exception:{}\n        logger.warning('x')")
    assert [(line, c) for line, c, _ in found(logged.format(""))] == [(10, "DET403"), (17, "DET401")]
    assert [line for line, _, _ in found(logged.format("  # noqa: BLE001"))] == [17]
    assert [line for line, _, _ in found(artifact(silent="# noqa: BLE001"))] == [17]
    # S110 waives the silent swallow, and that one finding stands for the DET403 hazard.
    assert [line for line, _, _ in found(artifact(silent="# noqa: S110"))] == [17]
    # BLE001 is ruff's code for `except Exception`; a bare `except:` is E722.
    assert [line for line, _, _ in found(artifact(bare="# noqa: BLE001"))] == [10, 17]


def test_setting_turns_foreign_codes_off() -> None:
    assert [c for _, c, _ in found(handler("# noqa: E722"), honor_foreign_noqa=False)] == ["DET401"]
    assert found(handler("# noqa"), honor_foreign_noqa=False) == []  # a blanket noqa is flake8's
    assert found(handler("# noqa: DET401"), honor_foreign_noqa=False) == []
    assert not suppresses(("E722",), "DET401", foreign=False) and suppresses(("E722",), "DET401")
    assert not suppresses(("E722",), "DET402") and not suppresses((), "DET401") is False


def test_cli_setting_in_pyproject(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(handler("# noqa: E722"))
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    assert main(["check", "a.py"]) == 0
    (tmp_path / "pyproject.toml").write_text("[tool.determinism-lint]\nhonor-foreign-noqa = false\n")
    assert main(["check", "a.py"]) == 1
    assert capsys.readouterr().out.startswith("a.py:3:1: DET401 ")


@pytest.mark.parametrize(
    "comment, unused",
    [
        ("# noqa: E722", []),  # used for DET401, and another tool's code anyway
        ("# noqa: S110", []),  # another tool's code: never judged
        ("# noqa: E722, DET401", []),
        ("# noqa: E722, DET101", ["DET101"]),
        ("# noqa: BLE001, DET402", []),  # DET402: the silence the DET401 finding stands for
    ],
)
def test_unused_noqa_leaves_foreign_codes_alone(comment: str, unused: list[str]) -> None:
    result = check_result(handler(comment), "a.py")
    messages = [f.message for f in unused_noqa_findings([result], Settings())]
    expected = [f"unused `noqa` for {', '.join(unused)}: nothing to suppress on this line"] if unused else []
    assert messages == expected


def test_unused_noqa_on_a_clean_line_ignores_foreign_codes() -> None:
    result = check_result("x = 1  # noqa: E722, S110, BLE001\n", "a.py")
    assert unused_noqa_findings([result], Settings()) == []


def test_inventory_counts_a_foreign_waiver_as_suppressed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(handler("# noqa: E722"))
    document = build_inventory(["a.py"], Settings())
    (entry,) = document["exceptions"]
    assert entry["findings"] == [] and entry["suppressed"] == ["DET401"]
    assert build_inventory(["a.py"], Settings(honor_foreign_noqa=False))["exceptions"][0]["findings"] == ["DET401"]
