"""Every rule's embedded VALID/INVALID examples, one test id per example."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from pathlib import Path

import pytest

from determinism_lint.checks import ALL_RULES
from determinism_lint.checks.base import Invalid, Valid

from ..helpers import check_result


def _cases(kind: str):
    for rule in ALL_RULES:
        examples = rule.VALID if kind == "valid" else rule.INVALID
        for index, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


def _run(rule, source: str, overrides) -> list:
    result = check_result(textwrap.dedent(source), "example.py", rules=[rule], **dict(overrides))
    assert result.checked, result.findings
    assert not [f for f in result.findings if f.code == "DET000"], result.findings
    return [finding for finding in result.findings if finding.code == rule.code]


@pytest.mark.parametrize("rule, example", list(_cases("valid")))
def test_valid_example_is_quiet(rule, example) -> None:
    if isinstance(example, Valid):
        source, overrides = example.code, example.settings
    else:
        source, overrides = example, ()
    assert _run(rule, source, overrides) == []


@pytest.mark.parametrize("rule, example", list(_cases("invalid")))
def test_invalid_example_is_flagged(rule, example: Invalid) -> None:
    findings = _run(rule, example.code, example.settings)
    assert len(findings) == example.count, findings


# -- position and message of every INVALID example, pinned --------------------------------
#
# Each INVALID example's findings (line, column, message) are kept in
# ``tests/rules/snapshots/rule_examples.json``, keyed by rule and by a digest of the example's code,
# so a change of wording or position shows up in review. After a deliberate change, rewrite
# the file with ``UPDATE_SNAPSHOTS=1 python -m pytest tests/rules/test_rule_examples.py`` and read
# the diff.

SNAPSHOT = Path(__file__).parent / "snapshots" / "rule_examples.json"


def _example_key(example: Invalid) -> str:
    code = textwrap.dedent(example.code)
    digest = hashlib.sha256(repr((code, example.settings)).encode()).hexdigest()[:12]
    first = next((line.strip() for line in code.splitlines() if line.strip()), "")
    return f"{digest} {first[:60]}"


def _observed() -> dict[str, dict[str, list[list[object]]]]:
    found: dict[str, dict[str, list[list[object]]]] = {}
    for rule in ALL_RULES:
        for example in rule.INVALID:
            findings = _run(rule, example.code, example.settings)
            found.setdefault(rule.code, {})[_example_key(example)] = [
                [finding.line, finding.col, finding.message] for finding in findings
            ]
    return found


def test_invalid_examples_pin_position_and_message() -> None:
    observed = _observed()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        from determinism_lint.runtime import write_atomic_text

        SNAPSHOT.parent.mkdir(exist_ok=True)
        write_atomic_text(SNAPSHOT, json.dumps(observed, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    pinned = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    hint = "run UPDATE_SNAPSHOTS=1 python -m pytest tests/rules/test_rule_examples.py and review the diff"
    assert sorted(pinned) == sorted(observed), hint
    for code in sorted(observed):
        assert sorted(pinned[code]) == sorted(observed[code]), f"{code}: examples added or removed; {hint}"
        for key in sorted(observed[code]):
            assert pinned[code][key] == observed[code][key], f"{code} example {key!r}: {hint}"
