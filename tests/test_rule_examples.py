"""Every rule's embedded VALID/INVALID examples, one test id per example."""

from __future__ import annotations

import textwrap

import pytest

from determinism_lint.checks import ALL_RULES
from determinism_lint.checks.base import Invalid, Valid
from determinism_lint.engine import Engine
from determinism_lint.settings import Settings


def _cases(kind: str):
    for rule in ALL_RULES:
        examples = rule.VALID if kind == "valid" else rule.INVALID
        for index, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


def _run(rule, source: str, overrides) -> list:
    settings = Settings(**dict(overrides))
    engine = Engine(settings, rules=[rule])
    result = engine.check_source(textwrap.dedent(source), "example.py")
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
