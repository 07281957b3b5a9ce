"""SARIF 2.1.0 output for code-scanning services."""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from . import __version__
from .checks import ALL_RULES
from .docs import page_name, rule_page, sections
from .model import UNCHECKED_CODE, Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
PROJECT_URI = "https://github.com/determinism-lint/determinism-lint"
RULES_URI = f"{PROJECT_URI}/blob/main/rules/"


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    what = sections(rule).get("What it does", rule.message).strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": what},
        "helpUri": RULES_URI + page_name(rule),
        "help": {"text": what, "markdown": rule_page(rule)},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "fix": rule.fix_safety.value,
            "scope": "artifact" if rule.artifact_only else "all",
            "tags": ["determinism", rule.code[:4] + "xx"],
        },
    }


_UNCHECKED_DESCRIPTOR = {
    "id": UNCHECKED_CODE,
    "name": "unchecked-file",
    "shortDescription": {"text": "the file could not be checked"},
    "fullDescription": {"text": "The file could not be read, decoded or parsed, or is over max-file-size."},
    "defaultConfiguration": {"level": "error"},
}


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": finding.line, "startColumn": finding.col}
    if (finding.end_line, finding.end_col) > (finding.line, finding.col):
        region["endLine"] = finding.end_line
        region["endColumn"] = finding.end_col
    return region


def render_sarif(findings: Sequence[Finding], fixes: Optional[dict[Finding, list[dict[str, Any]]]] = None) -> str:
    """One run; ``fixes`` maps a finding to SARIF ``artifactChanges`` when the fixer supplied them."""
    rules = list(ALL_RULES)
    index = {rule.code: position for position, rule in enumerate(rules)}
    descriptors = [_rule_descriptor(rule) for rule in rules]
    if any(f.code == UNCHECKED_CODE for f in findings):
        index[UNCHECKED_CODE] = len(descriptors)
        descriptors.append(_UNCHECKED_DESCRIPTOR)
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": "error" if finding.code == UNCHECKED_CODE else "warning",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                        "region": _region(finding),
                    }
                }
            ],
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        if finding.fix is not None:
            result["properties"] = {"fix": finding.fix.as_dict()}
            changes = (fixes or {}).get(finding)
            if changes:
                result["fixes"] = [{"description": {"text": finding.fix.title}, "artifactChanges": changes}]
        results.append(result)
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "determinism-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory the check ran in"}}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
