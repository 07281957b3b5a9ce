"""Rule metadata, docs and registry stay consistent."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from determinism_lint import docs
from determinism_lint.checks import ALL_RULES, RULES_BY_CODE
from determinism_lint.checks.base import Rule
from determinism_lint.model import FixSafety

from ..helpers import check_result

ROOT = Path(__file__).resolve().parents[2]
RULE_IDS = [rule.code for rule in ALL_RULES]


def test_registry_is_sorted_and_unique() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert len({rule.name for rule in ALL_RULES}) == len(ALL_RULES)
    assert set(RULES_BY_CODE) == set(codes)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_metadata(rule) -> None:
    assert re.fullmatch(r"DET[1-5][0-9]{2}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
    assert rule.message and not rule.message.endswith(".")
    assert rule.node_types, "a rule must ask for at least one node type"
    if rule.fix_safety is not FixSafety.NONE:
        assert rule.fix_title, "a fixable rule states its remedy"
    assert rule.INVALID, "every rule has at least one INVALID example"
    assert rule.VALID, "every rule has at least one VALID example"
    family = {"1": "atomic_writes", "2": "serialization", "3": "fs_order", "4": "exceptions", "5": "iteration_order"}
    assert rule.__module__.split(".")[2] == family[rule.code[3]]


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_docstring_headings(rule) -> None:
    found = list(docs.sections(rule))
    required = [title for title in found if title in docs.REQUIRED_HEADINGS]
    assert required == list(docs.REQUIRED_HEADINGS), f"{rule.code}: headings {found}"
    extra = set(found) - set(docs.REQUIRED_HEADINGS) - set(docs.OPTIONAL_HEADINGS) - set(docs.GENERATED_HEADINGS)
    assert not extra, f"{rule.code}: unknown headings {sorted(extra)}"


def _findings(rule, source: str) -> list:
    result = check_result(textwrap.dedent(source), "doc_example.py", rules=[rule], strict=False)
    assert result.checked, result.findings
    return [f for f in result.findings if f.code == rule.code]


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_docstring_example_triggers_and_use_instead_does_not(rule) -> None:
    parts = docs.sections(rule)
    examples = docs.code_blocks(parts["Example"])
    fixes = docs.code_blocks(parts["Use instead"])
    assert examples and fixes
    for block in examples:
        assert _findings(rule, block), f"{rule.code}: the Example does not trigger the rule"
    for block in fixes:
        assert not _findings(rule, block), f"{rule.code}: the Use-instead code triggers the rule"


def test_rule_pages_are_current() -> None:
    stale = docs.stale_pages(ROOT / "rules")
    assert not stale, f"stale pages in rules/: {stale}; run `python -m determinism_lint.docs`"


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_fix_safety_matches_an_implemented_fix(rule) -> None:
    if rule.fix_safety is FixSafety.NONE:
        assert not rule.fix_node, "a rule without a fix names no node to rewrite"
        return
    assert rule.fix_node, "a fixable rule names the libcst node its fix rewrites"
    assert rule.fix is not Rule.fix, "a fixable rule implements fix()"
    missing = [index for index, example in enumerate(rule.INVALID) if example.fixed is None]
    assert not missing, f"INVALID examples {missing} state no `fixed=` (or NO_FIX)"
