"""Realistic fixture files with inline expectations: ``# expect: DET101`` on the flagged line.

Every finding in a fixture must be expected and every expectation must be found, for
all rules at once, so a fixture also proves the other rules stay quiet on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers import check_result, expected_findings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(path for path in FIXTURES.glob("*.py") if not path.name.endswith(".fixed.py"))


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_fixture_expectations(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    strict = "# determinism-lint-test: strict" in source
    # Fixtures about which writes are hazards, whether or not the project reads them back.
    reader_evidence = "# determinism-lint-test: no-reader-evidence" not in source
    result = check_result(source, path.name, strict=strict, reader_evidence=reader_evidence)
    assert result.checked, result.findings
    found = sorted((finding.line, finding.code) for finding in result.findings)
    expected = expected_findings(source)
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    assert not missing and not unexpected, (
        f"\nmissing (expected, not found): {missing}\nunexpected (found, not expected): {unexpected}"
    )
